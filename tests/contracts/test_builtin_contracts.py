"""The builtin contracts for requests, httpx, redis and boto3.

Two kinds of checks:

* consumer code: real snippets of code that uses each library, analysed against the contract,
  with the exact findings (code, line) expected;
* the real libraries: every error class with its bases, every alias, every factory in
  ``[types]`` and every name or glob under ``match`` / ``exclude`` is compared with the library
  releases pinned in pyproject.toml's ``test`` extra (tests/libraries.py holds the comparison,
  which maint/drift.py runs against the newest releases), so a contract that drifts fails.
"""

from __future__ import annotations

import inspect
import sys
import types
from pathlib import Path
from textwrap import dedent
from typing import Callable

import pytest
from libraries import (
    LIBRARIES,
    NEEDS_PINNED_PYTHON,
    PINNED_PYTHON,
    boto3_client,
    boto3_resource,
    exception_spellings,
    hierarchy_problems,
    resolve,
    stale_patterns,
    surface,
    uncovered_exceptions,
)

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.contracts import builtin_dir, builtin_names, load_contracts
from contractlint.model import Contract

ALL = load_contracts(builtin_names())
BY_NAME: dict[str, Contract] = {c.name: c for c in ALL}


def index(name: str) -> ContractIndex:
    return ContractIndex([BY_NAME[name]])


def found(code: str, name: str) -> list[tuple[str, int]]:
    """(code, line) of every finding of a snippet, sorted."""
    result = analyse_source(dedent(code), "x.py", index(name))
    return sorted((f.code, f.span.line) for f in result.findings)


def calls(code: str, name: str) -> list[tuple[str, int]]:
    """(callee, line) of every call the contract matched, sorted."""
    result = analyse_source(dedent(code), "x.py", index(name))
    return sorted((c.callee, c.span.line) for c in result.calls)


# -- loading -----------------------------------------------------------------------------------------


def test_every_builtin_contract_loads_and_is_named_after_its_file():
    names = builtin_names()
    for library in LIBRARIES:
        assert library in names
    assert sorted(BY_NAME) == sorted(names)
    for contract in ALL:
        assert contract.builtin
        assert (Path(builtin_dir()) / f"{contract.name}.toml").is_file()
        assert contract.summary and contract.owner and contract.remediation


@pytest.mark.parametrize("name", LIBRARIES)
def test_library_contracts_are_generic(name):
    """A library has no owner policy: any handling will do, and `except Exception` is allowed."""
    contract = BY_NAME[name]
    assert contract.calls
    for group in contract.calls:
        assert group.policy == "any"
        assert group.broad == "allow"
        assert group.raises
        for error in group.raises:
            assert contract.errors.is_known(error)


def test_all_builtin_contracts_together_judge_like_each_alone():
    code = """\
        import requests, redis, httpx, boto3
        requests.get(u)
        redis.Redis().get("k")
        httpx.get(u)
        boto3.client("s3").get_object(Bucket="b", Key="k")
        try:
            requests.get(u)
            redis.Redis().get("k")
        except (requests.RequestException, redis.RedisError):
            log()
        try:
            httpx.get(u)
        except ConnectionError:
            log()
        """
    together = analyse_source(dedent(code), "x.py", ContractIndex(ALL)).findings
    assert sorted((f.code, f.span.line, f.contract) for f in together) == [
        ("CL001", 2, "requests"),
        ("CL001", 3, "redis"),
        ("CL001", 4, "httpx"),
        ("CL001", 5, "boto3"),
        ("CL001", 12, "httpx"),
    ]
    for name in LIBRARIES:
        alone = [(f.code, f.span.line) for f in together if f.contract == name]
        assert found(code, name) == sorted(alone)


# -- requests ------------------------------------------------------------------------------------------


REQUESTS_CASES = {
    "unguarded module function": (
        """\
        import requests
        requests.get(url)
        """,
        [("CL001", 2)],
    ),
    "session as a context manager, RequestException": (
        """\
        import requests
        try:
            with requests.Session() as s:
                s.get(url)
        except requests.RequestException:
            log()
        """,
        [],
    ),
    # requests' ConnectionError derives from OSError, not from the builtin ConnectionError: this
    # handler catches none of the errors, so the call is unguarded (CL001), not partly guarded.
    "builtin ConnectionError catches nothing requests raises": (
        """\
        import requests
        try:
            requests.get(url)
        except ConnectionError:
            log()
        """,
        [("CL001", 3)],
    ),
    "builtin ConnectionError next to requests.Timeout: requests' ConnectionError escapes": (
        """\
        import requests
        try:
            requests.get(url)
        except (ConnectionError, requests.Timeout):
            log()
        """,
        [("CL002", 3)],
    ),
    "OSError is the base of every requests error": (
        """\
        import requests
        try:
            requests.post(url, json={})
        except OSError:
            log()
        """,
        [],
    ),
    "IOError too": (
        """\
        import requests
        try:
            requests.put(url)
        except IOError:
            log()
        """,
        [],
    ),
    "ConnectionError and Timeout": (
        """\
        import requests
        try:
            requests.get(url, timeout=2)
        except (requests.ConnectionError, requests.Timeout):
            log()
        """,
        [],
    ),
    "ConnectionError alone lets a read timeout escape": (
        """\
        import requests
        try:
            requests.get(url, timeout=2)
        except requests.exceptions.ConnectionError:
            log()
        """,
        [("CL002", 3)],
    ),
    "ConnectTimeout is both, but only a connect timeout": (
        """\
        import requests
        try:
            requests.get(url, timeout=2)
        except requests.ConnectTimeout:
            log()
        """,
        [("CL002", 3)],
    ),
    "HTTPError is raise_for_status' error, not an outage's": (
        """\
        import requests
        try:
            requests.get(url).raise_for_status()
        except requests.HTTPError:
            log()
        """,
        [("CL001", 3)],
    ),
    "requests' ConnectionError imported by name shadows the builtin": (
        """\
        import requests
        from requests.exceptions import ConnectionError, Timeout
        try:
            requests.delete(url)
        except (ConnectionError, Timeout):
            log()
        """,
        [],
    ),
    "import requests as rq": (
        """\
        import requests as rq
        rq.get(url)
        try:
            rq.head(url)
        except rq.RequestException:
            log()
        """,
        [("CL001", 2)],
    ),
    "from requests import get, Session": (
        """\
        from requests import get, Session
        get(url)
        Session().options(url)
        """,
        [("CL001", 2), ("CL001", 3)],
    ),
    "requests.api spelling": (
        """\
        import requests.api
        requests.api.request("GET", url)
        """,
        [("CL001", 2)],
    ),
    "requests.session() factory and send": (
        """\
        import requests
        s = requests.session()
        s.send(prepared)
        """,
        [("CL001", 3)],
    ),
    "session helpers do not reach the server": (
        """\
        import requests
        s = requests.Session()
        s.mount("https://", adapter)
        s.prepare_request(req)
        s.merge_environment_settings(url, {}, None, None, None)
        s.close()
        """,
        [],
    ),
    "session held by a class": (
        """\
        import requests
        class Api:
            def __init__(self):
                self.http = requests.sessions.Session()
            def fetch(self, url):
                return self.http.get(url).json()
        """,
        [("CL001", 6)],
    ),
    "Exception is allowed": (
        """\
        import requests
        try:
            requests.patch(url)
        except Exception:
            log()
        """,
        [],
    ),
}


@pytest.mark.parametrize("case", REQUESTS_CASES)
def test_requests_consumer_code(case):
    code, expected = REQUESTS_CASES[case]
    assert found(code, "requests") == expected


def test_requests_callees_are_named_as_written():
    code = """\
        import requests
        requests.get(u)
        requests.Session().post(u)
        requests.session().request("GET", u)
        """
    assert calls(code, "requests") == [
        ("requests.get", 2),
        ("requests.sessions.Session.post", 3),
        ("requests.sessions.Session.request", 4),
    ]


# -- httpx ---------------------------------------------------------------------------------------------


HTTPX_CASES = {
    "async client guarded by HTTPError": (
        """\
        import httpx
        async def fetch(u):
            try:
                async with httpx.AsyncClient() as c:
                    return await c.get(u)
            except httpx.HTTPError:
                return None
        """,
        [],
    ),
    "async client unguarded": (
        """\
        import httpx
        async def fetch(u):
            async with httpx.AsyncClient(timeout=2) as c:
                r = await c.post(u, json={})
            return r
        """,
        [("CL001", 4)],
    ),
    "from httpx import Client": (
        """\
        from httpx import Client
        with Client() as client:
            client.get(u)
            client.build_request("GET", u)
        """,
        [("CL001", 3)],
    ),
    "module functions, RequestError": (
        """\
        import httpx
        try:
            httpx.get(u)
            httpx.request("PUT", u)
        except httpx.RequestError:
            log()
        """,
        [],
    ),
    "TransportError": (
        """\
        import httpx
        try:
            httpx.delete(u)
        except httpx.TransportError:
            log()
        """,
        [],
    ),
    "connect errors and timeouts only: a reset connection escapes": (
        """\
        import httpx
        try:
            httpx.get(u)
        except (httpx.ConnectError, httpx.TimeoutException):
            log()
        """,
        [("CL002", 3)],
    ),
    "HTTPStatusError is raise_for_status' error": (
        """\
        import httpx
        try:
            httpx.get(u).raise_for_status()
        except httpx.HTTPStatusError:
            log()
        """,
        [("CL001", 3)],
    ),
    "httpx errors are not OSError": (
        """\
        import httpx
        try:
            httpx.get(u)
        except OSError:
            log()
        """,
        [("CL001", 3)],
    ),
    "stream opens the connection in the with": (
        """\
        import httpx
        client = httpx.Client()
        try:
            with client.stream("GET", u) as r:
                body = r.read()
        except httpx.HTTPError:
            body = b""
        with httpx.stream("GET", u) as r:
            pass
        """,
        [("CL001", 8)],
    ),
    "private module spellings": (
        """\
        from httpx._client import AsyncClient
        from httpx._exceptions import TransportError
        async def f(req):
            c = AsyncClient()
            try:
                await c.send(req)
            except TransportError:
                log()
        """,
        [],
    ),
    "close is not a request": (
        """\
        import httpx
        async def f():
            c = httpx.AsyncClient()
            await c.aclose()
            httpx.Client().close()
        """,
        [],
    ),
}


@pytest.mark.parametrize("case", HTTPX_CASES)
def test_httpx_consumer_code(case):
    code, expected = HTTPX_CASES[case]
    assert found(code, "httpx") == expected


def test_httpx_private_spellings_resolve_to_public_names():
    code = """\
        import httpx._client
        import httpx._api
        httpx._client.Client().get(u)
        httpx._api.post(u)
        """
    assert calls(code, "httpx") == [("httpx.Client.get", 3), ("httpx.post", 4)]


# -- redis ---------------------------------------------------------------------------------------------


REDIS_CASES = {
    "unguarded command": (
        """\
        import redis
        redis.Redis().get("k")
        """,
        [("CL001", 2)],
    ),
    "redis' ConnectionError alone: its TimeoutError escapes": (
        """\
        import redis
        r = redis.Redis()
        try:
            r.get("k")
        except redis.exceptions.ConnectionError:
            log()
        """,
        [("CL002", 4)],
    ),
    "ConnectionError and TimeoutError": (
        """\
        import redis
        r = redis.Redis()
        try:
            r.set("k", 1)
        except (redis.ConnectionError, redis.TimeoutError):
            log()
        """,
        [],
    ),
    "RedisError": (
        """\
        from redis import Redis, RedisError
        try:
            Redis(host="cache").hgetall("h")
        except RedisError:
            log()
        """,
        [],
    ),
    "the builtin ConnectionError and TimeoutError catch nothing redis raises": (
        """\
        import redis
        try:
            redis.Redis().get("k")
        except (ConnectionError, TimeoutError, OSError):
            log()
        """,
        [("CL001", 3)],
    ),
    "a subclass only (BusyLoadingError)": (
        """\
        import redis
        try:
            redis.Redis().get("k")
        except redis.exceptions.BusyLoadingError:
            log()
        """,
        [("CL002", 3)],
    ),
    "a subclass only (MaxClientsReachedError, the server's maxclients limit)": (
        """\
        import redis
        try:
            redis.Redis().get("k")
        except redis.MaxClientsReachedError:
            log()
        """,
        [("CL002", 3)],
    ),
    "ResponseError is an answer, not an outage": (
        """\
        import redis
        try:
            redis.Redis().incr("k")
        except redis.ResponseError:
            log()
        """,
        [("CL001", 3)],
    ),
    "from redis import Redis as R": (
        """\
        from redis import Redis as R
        R().delete("k")
        """,
        [("CL001", 2)],
    ),
    "StrictRedis, from_url, Redis.from_url": (
        """\
        import redis
        redis.StrictRedis().get("a")
        redis.from_url("redis://cache").get("b")
        redis.Redis.from_url("redis://cache").get("c")
        """,
        [("CL001", 2), ("CL001", 3), ("CL001", 4)],
    ),
    "building objects does not reach the server": (
        """\
        import redis
        r = redis.Redis()
        r.pipeline()
        r.pubsub()
        r.lock("name")
        r.register_script("return 1")
        r.get_connection_kwargs()
        r.close()
        """,
        [],
    ),
    "pipeline: commands are queued, execute() sends them": (
        """\
        import redis
        r = redis.Redis()
        pipe = r.pipeline()
        pipe.set("a", 1)
        pipe.incr("b")
        pipe.execute()
        with r.pipeline() as p:
            p.set("a", 1).incr("b").execute()
        """,
        [("CL001", 6), ("CL001", 8)],
    ),
    "pub/sub and locks": (
        """\
        import redis
        r = redis.Redis()
        ps = r.pubsub()
        try:
            ps.subscribe("events")
            message = ps.get_message(timeout=1)
        except redis.RedisError:
            message = None
        lock = r.lock("job")
        lock.acquire(blocking=False)
        """,
        [("CL001", 10)],
    ),
    "a result of a command is not a client": (
        """\
        import redis
        try:
            values = redis.Redis().hgetall("h")
        except redis.RedisError:
            values = {}
        values.get("x")
        """,
        [],
    ),
    "asyncio client": (
        """\
        import redis.asyncio as aioredis
        async def f():
            r = aioredis.from_url("redis://cache")
            try:
                await r.get("k")
            except (aioredis.ConnectionError, aioredis.TimeoutError):
                pass
            await r.set("k", 1)
            await r.aclose()
            async with r.pipeline(transaction=True) as pipe:
                await pipe.set("a", 1).get("a").execute()
        """,
        [("CL001", 8), ("CL001", 11), ("CL004", 5)],
    ),
    "asyncio Redis class": (
        """\
        from redis.asyncio import Redis
        async def f():
            await Redis().get("k")
        """,
        [("CL001", 3)],
    ),
    "client held by a class": (
        """\
        import redis
        class Cache:
            def __init__(self):
                self.r = redis.Redis()
            def get(self, key):
                try:
                    return self.r.get(key)
                except redis.RedisError:
                    return None
        """,
        [],
    ),
}


@pytest.mark.parametrize("case", REDIS_CASES)
def test_redis_consumer_code(case):
    code, expected = REDIS_CASES[case]
    assert found(code, "redis") == sorted(expected)


def test_redis_callees():
    code = """\
        import redis
        r = redis.Redis()
        r.get("k")
        r.pipeline().set("a", 1).execute()
        r.lock("x").release()
        """
    assert calls(code, "redis") == [
        ("redis.client.Pipeline.set.execute", 4),
        ("redis.client.Redis.get", 3),
        ("redis.lock.Lock.release", 5),
    ]


# -- boto3 ---------------------------------------------------------------------------------------------


BOTO3_CASES = {
    "unguarded API call": (
        """\
        import boto3
        boto3.client("s3").get_object(Bucket="b", Key="k")
        """,
        [("CL001", 2)],
    ),
    "ClientError and BotoCoreError": (
        """\
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
        s3 = boto3.client("s3")
        try:
            s3.put_object(Bucket="b", Key="k", Body=b"")
        except (BotoCoreError, ClientError):
            log()
        """,
        [],
    ),
    "ClientError alone: an unreachable endpoint escapes": (
        """\
        import boto3
        import botocore.exceptions
        sqs = boto3.client("sqs")
        try:
            sqs.send_message(QueueUrl=q, MessageBody="m")
        except botocore.exceptions.ClientError:
            log()
        """,
        [("CL002", 5)],
    ),
    "EndpointConnectionError alone": (
        """\
        import boto3
        from botocore.exceptions import ClientError, EndpointConnectionError
        try:
            boto3.client("dynamodb").get_item(TableName="t", Key={})
        except (ClientError, EndpointConnectionError):
            log()
        """,
        [("CL002", 4)],
    ),
    "helpers do not reach AWS": (
        """\
        import boto3
        s3 = boto3.client("s3")
        s3.get_paginator("list_objects_v2")
        s3.get_waiter("bucket_exists")
        s3.can_paginate("list_objects_v2")
        s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
        s3.generate_presigned_post("b", "k")
        s3.close()
        """,
        [],
    ),
    "sessions": (
        """\
        import boto3
        import boto3.session
        boto3.Session(profile_name="p").client("sts").get_caller_identity()
        boto3.session.Session().client("s3").list_buckets()
        """,
        [("CL001", 3), ("CL001", 4)],
    ),
    "botocore session": (
        """\
        import botocore.session
        botocore.session.get_session().create_client("s3").head_bucket(Bucket="b")
        """,
        [("CL001", 2)],
    ),
    "paginators send requests while iterated": (
        """\
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
        s3 = boto3.client("s3")
        paginator = s3.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket="b"):
                handle(page)
        except (ClientError, BotoCoreError):
            log()
        everything = paginator.paginate(Bucket="b").build_full_result()
        """,
        [("CL001", 10)],
    ),
    "upload_file wraps ClientError in S3UploadFailedError": (
        """\
        import boto3
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import BotoCoreError, ClientError
        s3 = boto3.client("s3")
        try:
            s3.upload_file("f", "b", "k")
        except (ClientError, BotoCoreError):
            log()
        try:
            s3.upload_file("f", "b", "k")
        except (S3UploadFailedError, BotoCoreError):
            log()
        """,
        [("CL002", 6)],
    ),
    "download_file and its RetriesExceededError": (
        """\
        import boto3
        import boto3.exceptions
        from botocore.exceptions import BotoCoreError, ClientError
        s3 = boto3.client("s3")
        try:
            s3.download_file("b", "k", "f")
        except (ClientError, BotoCoreError):
            log()
        try:
            s3.download_file("b", "k", "f")
        except (ClientError, BotoCoreError, boto3.exceptions.RetriesExceededError):
            log()
        """,
        [("CL002", 6)],
    ),
    "waiters raise WaiterError, a BotoCoreError": (
        """\
        import boto3
        from botocore.exceptions import BotoCoreError, WaiterError
        s3 = boto3.client("s3")
        try:
            s3.get_waiter("bucket_exists").wait(Bucket="b")
        except BotoCoreError:
            log()
        try:
            s3.get_waiter("bucket_exists").wait(Bucket="b")
        except WaiterError:
            log()
        """,
        [("CL002", 9)],
    ),
    "Exception is allowed": (
        """\
        import boto3
        try:
            boto3.client("s3").delete_object(Bucket="b", Key="k")
        except Exception:
            log()
        """,
        [],
    ),
    "resources: actions on a sub-resource": (
        """\
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError
        dynamodb = boto3.resource("dynamodb")
        table = dynamodb.Table("users")
        def load(user_id):
            try:
                response = table.get_item(Key={"id": user_id})
            except (ClientError, BotoCoreError):
                return None
            return response.get("Item")
        def save(item):
            table.put_item(Item=item)
        """,
        [("CL001", 12)],
    ),
    "resources: S3 objects, collections, the resource's client": (
        """\
        import boto3
        s3 = boto3.resource("s3")
        s3.Object("b", "k").get()
        for obj in s3.Bucket("b").objects.all():
            pass
        s3.Bucket("b")
        s3.meta.client.upload_file("f", "b", "k")
        s3.create_bucket(Bucket="b")
        """,
        [("CL001", 3), ("CL001", 4), ("CL001", 7), ("CL001", 8)],
    ),
    "resources: DynamoDB batch writer": (
        """\
        import boto3
        table = boto3.resource("dynamodb").Table("t")
        with table.batch_writer() as batch:
            batch.put_item(Item={})
        """,
        [("CL001", 4)],
    ),
    # The errors a client lists under client.exceptions are created at run time: unknown here.
    "a handler for a modeled error only": (
        """\
        import boto3
        s3 = boto3.client("s3")
        try:
            s3.get_object(Bucket="b", Key="k")
        except s3.exceptions.NoSuchKey:
            log()
        """,
        [("CL001", 4)],
    ),
    "a response is not a client": (
        """\
        import boto3
        s3 = boto3.client("s3")
        try:
            response = s3.get_object(Bucket="b", Key="k")
        except Exception:
            response = {}
        response.get("Body")
        """,
        [],
    ),
}


@pytest.mark.parametrize("case", BOTO3_CASES)
def test_boto3_consumer_code(case):
    code, expected = BOTO3_CASES[case]
    assert found(code, "boto3") == sorted(expected)


def test_boto3_group_per_call():
    """The managed transfers and waiters have their own groups; everything else is an API call."""
    contract = BY_NAME["boto3"]

    def raises(callee):
        group = contract.group_for(callee)
        return None if group is None else set(group.raises)

    api = {"botocore.exceptions.ClientError", "botocore.exceptions.BotoCoreError"}
    assert raises("botocore.client.BaseClient.get_object") == api
    assert raises("botocore.client.BaseClient.upload_fileobj") == api
    assert raises("botocore.client.BaseClient.copy") == api
    assert raises("botocore.client.BaseClient.upload_file") == {
        "boto3.exceptions.S3UploadFailedError",
        "botocore.exceptions.BotoCoreError",
    }
    assert raises("botocore.client.BaseClient.download_file") == api | {
        "boto3.exceptions.RetriesExceededError"
    }
    assert raises("botocore.client.BaseClient.download_fileobj") == api | {
        "s3transfer.exceptions.RetriesExceededError"
    }
    assert raises("boto3.resources.base.ServiceResource.Bucket.upload_file") == {
        "boto3.exceptions.S3UploadFailedError",
        "botocore.exceptions.BotoCoreError",
    }
    assert raises("botocore.waiter.Waiter.wait") == {"botocore.exceptions.BotoCoreError"}
    assert raises("boto3.resources.base.ServiceResource.Table.wait_until_exists") == {
        "botocore.exceptions.BotoCoreError"
    }
    assert raises("boto3.resources.base.ServiceResource.Bucket") is None
    assert raises("boto3.resources.base.ServiceResource.Bucket.Object") is None
    assert raises("botocore.client.BaseClient.get_paginator") is None


# -- the real libraries --------------------------------------------------------------------------------

#: These compare the contracts with the client releases pinned for Python 3.11 and newer (the
#: newest need it); the test extra installs older releases on 3.9 and 3.10.
real_libraries = pytest.mark.skipif(sys.version_info < PINNED_PYTHON, reason=NEEDS_PINNED_PYTHON)


#: Names a contract uses that only exist on objects built at run time, and how to build them.
DYNAMIC: dict[str, Callable[[], object]] = {
    "boto3.resources.base.ServiceResource.meta.client": lambda: boto3_resource("s3").meta.client,
}


def real(dotted: str):
    if dotted in DYNAMIC:
        return DYNAMIC[dotted]()
    return resolve(dotted)


@real_libraries
@pytest.mark.parametrize("name", LIBRARIES)
def test_errors_are_the_real_hierarchy(name):
    """Every [errors] class exists, each listed base is in its real MRO, and every known real ancestor is listed."""
    assert hierarchy_problems(BY_NAME[name]) == []


@real_libraries
@pytest.mark.parametrize("name", LIBRARIES)
def test_aliases_name_the_same_object(name):
    contract = BY_NAME[name]
    assert contract.aliases
    for alias, target in contract.aliases.items():
        assert target not in contract.aliases, (
            f"{alias} -> {target} -> {contract.aliases.get(target)}: aliases are followed once"
        )
        obj, canonical = real(alias), real(target)
        if isinstance(obj, types.ModuleType):
            # a private module whose public names the target module re-exports
            assert isinstance(canonical, types.ModuleType)
            assert obj.__all__
            for public in obj.__all__:
                assert getattr(canonical, public) is getattr(obj, public), f"{alias}.{public}"
        elif inspect.isclass(canonical) and not inspect.isclass(obj):
            assert isinstance(obj, canonical), f"{alias} is not a {target}"
        else:
            assert obj is canonical, f"{alias} is not {target}"


@real_libraries
@pytest.mark.parametrize("name", LIBRARIES)
def test_every_public_exception_spelling_is_an_alias_or_a_key(name):
    """`except requests.Timeout`, `except redis.RedisError`, `except httpx.ReadError` all resolve,
    in every module users import the library's exceptions from."""
    spellings = exception_spellings(name)
    assert len(spellings) >= 10
    assert uncovered_exceptions(BY_NAME[name]) == []


#: For each [types] factory: a call that makes one, offline.
def _factories() -> dict[str, Callable[[], object]]:
    import boto3
    import botocore.session
    import redis
    import redis.asyncio
    import redis.asyncio.sentinel
    import redis.sentinel
    import requests

    def sentinel():
        return redis.sentinel.Sentinel([("localhost", 26379)])

    def async_sentinel():
        return redis.asyncio.sentinel.Sentinel([("localhost", 26379)])

    def sync_client():
        # The sync client() connects at once: hand it a connection that is never opened.
        pool = redis.ConnectionPool()
        pool.get_connection = lambda *args, **kwargs: redis.Connection(host="127.0.0.1", port=1)
        return redis.Redis(connection_pool=pool).client()

    return {
        "requests.session": lambda: requests.session(),
        "redis.utils.from_url": lambda: redis.from_url("redis://localhost"),
        "redis.client.Redis.from_url": lambda: redis.Redis.from_url("redis://localhost"),
        "redis.client.Redis.from_pool": lambda: redis.Redis.from_pool(redis.ConnectionPool()),
        "redis.client.Redis.client": sync_client,
        "redis.client.Redis.pipeline": lambda: redis.Redis().pipeline(),
        "redis.client.Redis.pubsub": lambda: redis.Redis().pubsub(),
        "redis.client.Redis.lock": lambda: redis.Redis().lock("name"),
        "redis.sentinel.Sentinel.master_for": lambda: sentinel().master_for("m"),
        "redis.sentinel.Sentinel.slave_for": lambda: sentinel().slave_for("m"),
        "redis.sentinel.Sentinel.replica_for": lambda: sentinel().replica_for("m"),
        "redis.asyncio.utils.from_url": lambda: redis.asyncio.from_url("redis://localhost"),
        "redis.asyncio.client.Redis.from_url": lambda: redis.asyncio.Redis.from_url(
            "redis://localhost"
        ),
        "redis.asyncio.client.Redis.from_pool": lambda: redis.asyncio.Redis.from_pool(
            redis.asyncio.ConnectionPool()
        ),
        "redis.asyncio.client.Redis.client": lambda: redis.asyncio.Redis().client(),
        "redis.asyncio.client.Redis.pipeline": lambda: redis.asyncio.Redis().pipeline(),
        "redis.asyncio.client.Redis.pubsub": lambda: redis.asyncio.Redis().pubsub(),
        "redis.asyncio.client.Redis.lock": lambda: redis.asyncio.Redis().lock("name"),
        "redis.asyncio.sentinel.Sentinel.master_for": lambda: async_sentinel().master_for("m"),
        "redis.asyncio.sentinel.Sentinel.slave_for": lambda: async_sentinel().slave_for("m"),
        "redis.asyncio.sentinel.Sentinel.replica_for": lambda: async_sentinel().replica_for("m"),
        "boto3.client": lambda: boto3.client("s3", region_name="us-east-1"),
        "boto3.resource": lambda: boto3.resource("s3", region_name="us-east-1"),
        "boto3.session.Session.client": lambda: boto3.session.Session(
            region_name="us-east-1"
        ).client("sqs"),
        "boto3.session.Session.resource": lambda: boto3.session.Session(
            region_name="us-east-1"
        ).resource("sqs"),
        "botocore.session.get_session": lambda: botocore.session.get_session(),
        "botocore.session.Session.create_client": lambda: (
            botocore.session.get_session().create_client("s3", region_name="us-east-1")
        ),
        "botocore.client.BaseClient.get_paginator": lambda: boto3_client().get_paginator(
            "list_objects_v2"
        ),
        "botocore.client.BaseClient.get_waiter": lambda: boto3_client().get_waiter("bucket_exists"),
        "boto3.resources.base.ServiceResource.Table.batch_writer": lambda: (
            boto3_resource("dynamodb").Table("t").batch_writer()
        ),
    }


@real_libraries
@pytest.mark.parametrize("name", LIBRARIES)
def test_types_factories_make_the_declared_class(name):
    contract = BY_NAME[name]
    factories = _factories()
    for factory, cls_name in contract.types.items():
        assert factory in factories, f"{factory}: add how to call it offline"
        made = factories[factory]()
        cls = resolve(cls_name)
        assert inspect.isclass(cls)
        assert isinstance(made, cls), f"{factory}() makes a {type(made)}, not a {cls_name}"


@real_libraries
@pytest.mark.parametrize("name", LIBRARIES)
def test_every_match_and_exclude_pattern_names_real_calls(name):
    """No pattern is stale: each names a real function or method (a glob: at least one)."""
    assert stale_patterns(BY_NAME[name]) == []


#: Methods of a client (or helper object) that reach the server, and helpers that do not.
REACHES_THE_SERVER = {
    "requests": ["requests.get", "requests.sessions.Session.get", "requests.sessions.Session.send"],
    "httpx": ["httpx.stream", "httpx.Client.send", "httpx.AsyncClient.request"],
    "redis": [
        "redis.client.Redis.get",
        "redis.client.Redis.set",
        "redis.client.Redis.execute_command",
        "redis.client.Redis.transaction",
        "redis.client.Redis.ping",
        "redis.client.Redis.scan_iter",
        "redis.asyncio.client.Redis.get",
        "redis.asyncio.client.Redis.initialize",
        "redis.client.Pipeline.execute",
        "redis.client.PubSub.subscribe",
        "redis.asyncio.client.PubSub.get_sharded_message",
        "redis.lock.Lock.acquire",
    ],
    "boto3": [
        "botocore.client.BaseClient.get_object",
        "botocore.client.BaseClient.put_item",
        "botocore.client.BaseClient.upload_fileobj",
        "botocore.paginate.Paginator.paginate",
        "boto3.resources.base.ServiceResource.Table.query",
        "boto3.resources.base.ServiceResource.Object.get",
        "boto3.resources.base.ServiceResource.Queue.send_message",
        "boto3.resources.base.ServiceResource.Bucket.objects.all",
        "boto3.resources.base.ServiceResource.create_bucket",
    ],
}
LOCAL_ONLY = {
    "requests": [
        "requests.sessions.Session.mount",
        "requests.sessions.Session.prepare_request",
        "requests.sessions.Session.merge_environment_settings",
        "requests.sessions.Session.close",
        "requests.sessions.Session",
    ],
    "httpx": [
        "httpx.Client.build_request",
        "httpx.Client.close",
        "httpx.AsyncClient.aclose",
        "httpx.Client",
    ],
    "redis": [
        "redis.client.Redis",
        "redis.client.Redis.__init__",
        "redis.client.Redis.pipeline",
        "redis.client.Redis.pubsub",
        "redis.client.Redis.lock",
        "redis.client.Redis.from_url",
        "redis.asyncio.client.Redis.aclose",
        "redis.asyncio.client.Redis.pipeline",
        "redis.client.Redis.json",
        "redis.client.Pipeline.set",
        "redis.client.Pipeline.multi",
    ],
    "boto3": [
        "botocore.client.BaseClient.get_paginator",
        "botocore.client.BaseClient.generate_presigned_url",
        "botocore.client.BaseClient.close",
        "botocore.client.BaseClient.__init__",
        "boto3.resources.base.ServiceResource.Bucket",
        "boto3.resources.base.ServiceResource.Bucket.Object",
        "boto3.resources.base.ServiceResource.Table.batch_writer",
        "boto3.resources.base.ServiceResource.get_available_subresources",
    ],
}


@real_libraries
@pytest.mark.parametrize("name", LIBRARIES)
def test_calls_that_reach_the_server_match_and_helpers_do_not(name):
    contract = BY_NAME[name]
    names = surface()
    for callee in REACHES_THE_SERVER[name]:
        assert callee in names, f"{callee} is not a real call"
        assert contract.group_for(callee) is not None, callee
    for callee in LOCAL_ONLY[name]:
        assert contract.group_for(callee) is None, callee


def _offline_args(name: str, client) -> tuple:
    """Arguments for a redis client method that needs some."""
    return {
        "from_url": ("redis://127.0.0.1:1",),
        "from_pool": (type(client.connection_pool)(host="127.0.0.1", port=1),),
        "lock": ("name",),
        "register_script": ("return 1",),
        "bitfield": ("key",),
        "set_retry": (client.get_retry(),),
        "set_response_callback": ("GET", lambda response, **options: response),
        "load_external_module": ("foo", lambda: None),
        "watch": ("key",),
        "sentinel": ("masters",),
        "digest_local": ("value",),
    }.get(name, ())


def _call_offline(cls, name: str):
    """Call ``name`` on a ``cls`` client of a closed port: the redis error it raises, or None."""
    import asyncio
    import warnings

    import redis
    import redis.asyncio.retry
    import redis.backoff
    import redis.retry

    is_async = cls.__module__.startswith("redis.asyncio")
    retry = (redis.asyncio.retry.Retry if is_async else redis.retry.Retry)(
        redis.backoff.NoBackoff(), 0
    )

    def call():
        # No retries: a refused connection fails at once.
        client = cls(host="127.0.0.1", port=1, socket_connect_timeout=0.5, retry=retry)
        return getattr(client, name)(*_offline_args(name, client))

    async def call_async():
        result = call()
        if inspect.iscoroutine(result):
            await result

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if is_async:
                asyncio.run(call_async())
            else:
                call()
    except redis.RedisError as exc:
        return exc
    except NotImplementedError:  # digest_local without the optional xxhash: local all the same
        return None
    return None


@real_libraries
def test_redis_methods_excluded_from_commands_never_connect():
    """Each client method the contract excludes runs without reaching a server (here: a closed port)."""
    import redis
    import redis.asyncio

    group = BY_NAME["redis"].calls[0]
    excluded = []
    for cls in (redis.Redis, redis.asyncio.Redis):
        for name in dir(cls):
            callee = f"{cls.__module__}.{cls.__qualname__}.{name}"
            if not name.startswith("_") and not group.matches(callee):
                excluded.append((callee, cls, name))
    assert len(excluded) >= 50
    for callee, cls, name in excluded:
        assert _call_offline(cls, name) is None, f"{callee} reached the server"


@real_libraries
def test_redis_sync_client_and_monitor_connect_at_once():
    import redis

    contract = BY_NAME["redis"]
    for name in ("client", "monitor"):
        assert isinstance(_call_offline(redis.Redis, name), redis.ConnectionError)
        assert contract.group_for(f"redis.client.Redis.{name}") is not None
        assert contract.group_for(f"redis.asyncio.client.Redis.{name}") is None
