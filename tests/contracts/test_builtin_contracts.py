"""The builtin contracts for requests, httpx, redis and boto3: each loads, is generic, and judges
alike alone or with the others; and the real libraries: every error class with its bases, every
alias, every factory in ``[types]`` and every name or glob under ``match`` / ``exclude`` is
compared with the library releases pinned in pyproject.toml's ``test`` extra (tests/libraries.py
holds the comparison, which maint/drift.py runs against the newest releases), so a contract that
drifts fails. The consumer code each contract judges is in test_builtin_contracts_http.py
(requests, httpx) and test_builtin_contracts_redis_boto3.py.
"""

from __future__ import annotations

import inspect
import sys
import types
from pathlib import Path
from textwrap import dedent
from typing import Callable

import pytest
from builtin_cases import ALL, BY_NAME, found
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
from contractlint.contracts import builtin_dir, builtin_names

# -- loading ---------------------------------------------------------------------------------------


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


# -- the real libraries ----------------------------------------------------------------------------

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
    """Every [errors] class exists, each listed base is in its real MRO, and every known
    real ancestor is listed."""
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
    """Each client method the contract excludes runs without reaching a server (here: a
    closed port)."""
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
