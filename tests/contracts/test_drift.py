"""maint/drift.py: the report of what the newest client releases change for the
builtin contracts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from libraries import NEEDS_PINNED_PYTHON, PINNED_PYTHON, naming, public_calls

from contractlint.contracts import load_contracts

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "maint"))

import drift  # noqa: E402

DRIFT = ROOT / "maint" / "drift.py"


def contract_data(**found) -> dict:
    return {"uncovered": [], "hierarchy": [], "stale": [], "calls": {}, **found}


def inventory(versions: dict, **contracts: dict) -> dict:
    return {"versions": versions, "contracts": contracts}


PINNED = inventory(
    {"redis": "8.1.0", "httpx": "0.29.0"},
    redis=contract_data(
        calls={
            "redis.client.Redis.get": "call",
            "redis.client.Redis.pipeline": "excluded",
            "redis.client.PubSub.run_in_thread": None,  # unnamed before: reviewed, not listed again
            "redis.client.PubSub.listen": "call",
        }
    ),
    httpx=contract_data(calls={"httpx.Client.get": "call"}),
)


def test_what_the_newest_releases_change_is_listed_per_contract():
    newest = inventory(
        {"redis": "8.2.0", "httpx": "0.29.0"},
        redis=contract_data(
            uncovered=[
                "redis.NewError: redis.exceptions.NewError(...) is not in [errors] or [aliases]"
            ],
            stale=["[[calls]][1] redis.client.PubSub.listen matches no real call"],
            calls={
                "redis.client.Redis.get": "call",
                "redis.client.Redis.newcommand": "call",
                "redis.client.Redis.pipeline": "excluded",
                "redis.client.PubSub.run_in_thread": None,
                "redis.client.PubSub.listen_sharded": None,
            },
        ),
        httpx=contract_data(calls={"httpx.Client.get": "call"}),
    )
    lines, count = drift.compare(PINNED, newest)
    assert lines == [
        "newest releases: redis 8.2.0 (pinned 8.1.0), httpx 0.29.0",
        "redis: 4 items to look at",
        "  public exceptions not in [errors] or [aliases]:",
        "    redis.NewError: redis.exceptions.NewError(...) is not in [errors] or [aliases]",
        "  patterns that name no call any more:",
        "    [[calls]][1] redis.client.PubSub.listen matches no real call",
        "  calls nothing names (new, or named before): add to a group's match if "
        "they reach the service:",
        "    redis.client.PubSub.listen_sharded",
        "  new calls a match glob takes: check each reaches the service, else exclude it:",
        "    redis.client.Redis.newcommand",
        "httpx: no items to look at",
    ]
    assert count == 4


def test_a_call_that_was_named_and_is_not_any_more_is_listed():
    newest = inventory(
        {"redis": "8.1.0", "httpx": "0.29.0"},
        redis=contract_data(calls={"redis.client.Redis.get": None}),
        httpx=contract_data(calls={"httpx.Client.get": "call"}),
    )
    lines, count = drift.compare(PINNED, newest)
    assert "    redis.client.Redis.get" in lines and count == 1


def test_without_pinned_releases_every_unnamed_call_is_listed_and_said_why():
    newest = inventory(
        {"redis": "8.2.0"},
        redis=contract_data(calls={"redis.client.Redis.get": "call", "redis.x.y": None}),
        boto3=contract_data() | {"error": "AttributeError: no Session"},
    )
    lines, count = drift.compare("python could not list its releases: ModuleNotFoundError", newest)
    assert lines == [
        "newest releases: redis 8.2.0 (pinned None)",
        "note: no pinned releases to compare calls with (python could not list its "
        "releases: ModuleNotFoundError)",
        "redis: 1 item to look at",
        "  calls nothing names (new, or named before): add to a group's match if "
        "they reach the service:",
        "    redis.x.y",
        "boto3: could not read the newest release: AttributeError: no Session",
    ]
    assert count == 2


def test_a_release_that_cannot_be_installed_is_a_note_and_fails_only_without_report(
    tmp_path, monkeypatch, capsys
):
    # No index and no local wheels: pip fails at once, as without a network.
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "no-wheels"))
    assert drift.main(["--report", "--venv", str(tmp_path / "venv")]) == 0
    out = capsys.readouterr().out
    assert "note: could not install the newest releases, nothing compared (pip exited" in out
    assert drift.main(["--venv", str(tmp_path / "venv")]) == 2


@pytest.mark.skipif(sys.version_info < PINNED_PYTHON, reason=NEEDS_PINNED_PYTHON)
def test_the_pinned_releases_compared_with_themselves_show_no_drift():
    """The whole path (an inventory in each environment, as JSON, then the
    comparison), on this one."""
    proc = subprocess.run(
        [sys.executable, str(DRIFT), "--python", sys.executable],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1].startswith("newest releases: requests ") and "(pinned" not in lines[1]
    assert lines[2:] == [
        "requests: no items to look at",
        "httpx: no items to look at",
        "redis: no items to look at",
        "boto3: no items to look at",
        "0 items to look at",
    ]


@pytest.mark.skipif(sys.version_info < PINNED_PYTHON, reason=NEEDS_PINNED_PYTHON)
def test_public_calls_list_a_shared_method_once_and_name_it_as_the_contract_does():
    calls = public_calls("redis")
    assert "redis.client.Redis.get" in calls and "redis.client.Pipeline.execute" in calls
    assert "redis.client.Pipeline.get" not in calls  # the client's command, queued by a pipeline
    (redis,) = load_contracts(["redis"])
    assert naming(redis, "redis.client.Redis.get") == "call"
    assert naming(redis, "redis.client.Redis.pipeline") == "excluded"
    assert naming(redis, "redis.client.Redis.from_url") == "excluded"
    assert naming(redis, "redis.asyncio.client.Redis.client") == "excluded"
    assert naming(redis, "redis.client.Pipeline.set") is None
    (requests,) = load_contracts(["requests"])
    assert naming(requests, "requests.session") == "factory"
    assert naming(requests, "requests.api.get") == "call"  # through [aliases]
