"""The builtin contracts of redis and boto3 on consumer code: real snippets of code that uses
each library, analysed against its contract, with the exact findings (code, line) expected, and the
names the contract gives the calls."""

from __future__ import annotations

import pytest
from builtin_cases import BY_NAME, calls, found

# -- redis -----------------------------------------------------------------------------------------


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


# -- boto3 -----------------------------------------------------------------------------------------


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
