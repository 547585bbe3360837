"""The builtin contracts on real open-source packages from PyPI, at pinned versions.

Every site asserted here was checked by hand against the package's source: the callee really
reaches the service, and the verdict is what the contract says. The counts pin the whole
inventory, so a change in resolution shows up as a diff to review, not as silence.
"""

from __future__ import annotations

from collections import Counter

import pytest
from corpora import fetch

from contractlint.config import Config
from contractlint.contracts import default_names, load_contracts
from contractlint.engine import check_paths

pytestmark = pytest.mark.network

CONTRACTS = load_contracts(default_names())


def check(name: str, version: str, package: str, follow: bool = False):
    """The verdicts of each call site on its own (``follow``: errors followed through the package's
    functions, which tests/accuracy measures on hand-labelled sites)."""
    root = fetch(name, version) / f"{name}-{version}"
    report = check_paths(
        [str(root / package)], Config(root=str(root), follow_calls=follow), CONTRACTS
    )
    prefix = str(root) + "/"

    def rel(path: str) -> str:
        return (
            path[len(prefix) :] if path.startswith(prefix) else path.split(f"{name}-{version}/")[-1]
        )

    calls = {
        (rel(c.path), c.span.line, c.span.column): (c.contract, c.callee, c.state)
        for c in report.calls
    }
    findings = {(rel(f.path), f.span.line, f.span.column, f.code): f for f in report.findings}
    return report, calls, findings


def test_docker_requests_calls_through_a_session_subclass():
    # docker.api.client.APIClient derives from requests.Session; _get/_post/_put/_delete call
    # self.get/post/put/delete and let connection errors reach docker's callers.
    report, calls, findings = check("docker", "7.1.0", "docker")
    assert Counter(c.contract for c in report.calls) == {"requests": 4}
    for line, method in ((242, "post"), (246, "get"), (250, "put"), (254, "delete")):
        assert calls[("docker/api/client.py", line, 16)] == (
            "requests",
            f"requests.sessions.Session.{method}",
            "broken",
        )
        assert ("docker/api/client.py", line, 16, "CL001") in findings
    assert not [f for f in report.findings if f.code in ("CL900", "CL999")]


def test_docker_errors_are_reported_where_they_leave_the_package():
    # Followed through the wrappers, a connection error of Session.get in APIClient._get leaves
    # docker through public methods nobody in docker calls: reported there, with the path.
    report, calls, findings = check("docker", "7.1.0", "docker", follow=True)
    assert not any(
        path == "docker/api/client.py" and line in (242, 246, 250, 254)
        for path, line, _, _ in findings
    )
    assert (
        calls[("docker/api/client.py", 246, 16)][2] == "broken"
    )  # its error is reported further up
    via_get = [
        f
        for f in report.findings
        if f.origins and f.origins[0].endswith("docker/api/client.py:246:16")
    ]
    assert via_get and all(f.code == "CL001" and f.via[-1] == "Session.get" for f in via_get)
    inspect = [f for f in via_get if f.scope == "ConfigApiMixin.inspect_config"]
    assert len(inspect) == 1 and inspect[0].via == ("APIClient._get", "Session.get")
    assert (
        "escape here via APIClient._get -> Session.get, and nothing up the call chain"
        in inspect[0].message
    )


def test_hvac_session_request():
    report, calls, findings = check("hvac", "2.3.0", "hvac")
    assert calls == {
        ("hvac/adapters.py", 367, 20): ("requests", "requests.sessions.Session.request", "broken")
    }
    assert ("hvac/adapters.py", 367, 20, "CL001") in findings
    # self.session.close() (adapters.py:133) does no I/O and is not a call site.
    assert not any(line == 133 for _, line, _ in calls)


def test_rq_redis_commands_and_pipelines():
    report, calls, findings = check("rq", "2.6.0", "rq")
    # Each function alone: 127 of the 169 sites of the labelled set (tests/accuracy/rq.csv); the
    # others are reached only through the project's names (see the test below).
    assert Counter(c.contract for c in report.calls) == {"redis": 127}
    assert Counter(f.code for f in report.findings) == {"CL001": 127}
    sampled = {
        (
            "rq/cron.py",
            480,
            18,
        ): "redis.client.Redis.zadd",  # connection = pipeline or self.connection
        ("rq/cron.py", 493, 17): "redis.client.Redis.zscore",
        (
            "rq/cron_scheduler_registry.py",
            73,
            12,
        ): "redis.client.Redis.zrange",  # connection: Redis parameter
        ("rq/executions.py", 155, 47): "redis.client.Redis.zrange",  # inside a comprehension
        (
            "rq/group.py",
            117,
            13,
        ): "redis.client.Pipeline.execute",  # with connection.pipeline() as p
        ("rq/intermediate_queue.py", 50, 21): "redis.client.Redis.set",
        ("rq/job.py", 1629, 24): "redis.client.Redis.smembers",
        ("rq/queue.py", 258, 25): "redis.client.Redis.set",
        ("rq/queue.py", 363, 24): "redis.client.Redis.lpos",
        ("rq/queue.py", 485, 9): "redis.client.Redis.rename",
        ("rq/queue.py", 487, 22): "redis.client.Redis.lpop",
    }
    for site, callee in sampled.items():
        assert calls[site] == ("redis", callee, "broken"), site
    # Commands queued on a pipeline do no I/O until execute(): not call sites.
    assert not [site for site in calls if site[0] == "rq/group.py" and site[1] in (32, 33)]


def test_rq_call_sites_followed_through_the_project_are_the_labelled_ones():
    # Through factories, properties, tuples and attributes of other modules, the inventory is
    # exactly the 169 redis call sites labelled by hand in tests/accuracy/rq.csv.
    import csv
    from pathlib import Path

    report, calls, _ = check("rq", "2.6.0", "rq", follow=True)
    with open(
        Path(__file__).resolve().parents[1] / "accuracy" / "rq.csv", newline="", encoding="utf-8"
    ) as fh:
        labelled = {
            (row["file"], int(row["line"]), int(row["column"])) for row in csv.DictReader(fh)
        }
    assert set(calls) == labelled and len(labelled) == 169


def test_notion_client_catches_timeouts_only():
    report, calls, findings = check("notion-client", "2.2.1", "notion_client")
    assert set(calls) == {
        ("notion_client/client.py", 191, 24),
        ("notion_client/client.py", 241, 30),
    }
    for site, callee in (((191, 24), "httpx.Client.send"), ((241, 30), "httpx.AsyncClient.send")):
        finding = findings[("notion_client/client.py", *site, "CL002")]
        assert finding.callee == callee
        assert "httpx.TransportError is not caught" in finding.message
    assert len(report.findings) == 2


def test_watchtower_boto3_client():
    report, calls, findings = check("watchtower", "3.4.0", "watchtower")
    assert calls == {
        ("watchtower/__init__.py", 309, 21): (
            "boto3",
            "botocore.client.BaseClient.get_caller_identity",
            "broken",
        ),
        # except ClientError, then except Exception: both errors of the group are caught.
        ("watchtower/__init__.py", 371, 28): (
            "boto3",
            "botocore.client.BaseClient.put_log_events",
            "kept",
        ),
    }
    assert list(findings) == [("watchtower/__init__.py", 309, 21, "CL001")]
