"""`contractlint draft` on the clients the builtin contracts describe: requests, redis, httpx.

The drafts are compared with the hand-written contracts (rules/*.toml), which name the versions
they were checked against: like test_builtin_contracts.py, this module needs those versions (the
test extra installs older ones on Python 3.9 and 3.10, where it skips with the reason).
test_draft.py checks the same drafts against the installed classes themselves, on any version.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from drafting import drafted
from libraries import NEEDS_PINNED_PYTHON, PINNED_PYTHON

from contractlint.contracts import builtin_dir, load_contract
from contractlint.model import BUILTIN_EXCEPTIONS, canonical_name

#: Direct bases the draft writes differently from the builtin contract, with the same ancestors.
#: requests' JSONDecodeError derives from json's (or simplejson's) JSONDecodeError; the builtin
#: contract writes the ValueError beneath it, the draft reads json.decoder.JSONDecodeError.
pytestmark = pytest.mark.skipif(sys.version_info < PINNED_PYTHON, reason=NEEDS_PINNED_PYTHON)

BASES_WRITTEN_OTHERWISE = {
    "requests": {"requests.exceptions.JSONDecodeError"},
    "redis": set(),
    "httpx": set(),
}


@pytest.mark.parametrize("name", sorted(BASES_WRITTEN_OTHERWISE))
def test_a_real_clients_draft_agrees_with_its_builtin_error_hierarchy(name, tmp_path, monkeypatch):
    builtin = load_contract(str(Path(builtin_dir()) / f"{name}.toml"), builtin=True)
    draft, _, problems = drafted(name, tmp_path, monkeypatch)
    assert problems == []
    known = set(builtin.errors.bases) | set(BUILTIN_EXCEPTIONS)

    def spelled(error: str) -> str:
        return draft.canonical(error)

    differ = set()
    for error, bases in builtin.errors.bases.items():
        if error in ("asyncio.exceptions.CancelledError",):
            continue
        mine = spelled(error)
        assert mine in draft.errors.bases, f"{error} is not in the draft"
        if tuple(spelled(b) for b in bases) != draft.errors.bases[mine]:
            differ.add(error)
        theirs = {spelled(a) for a in builtin.errors.ancestors(error)}
        ours = {a for a in draft.errors.ancestors(mine) if a in {spelled(k) for k in known}}
        assert ours == theirs, error
    assert differ == BASES_WRITTEN_OTHERWISE[name]
    # Every spelling the builtin contract knows of an error leads to the same error in the draft.
    for alias, target in builtin.aliases.items():
        if target in builtin.errors.bases:
            assert spelled(alias) == spelled(target), alias


def test_requests_draft_matches_every_request_the_builtin_contract_lists(tmp_path, monkeypatch):
    builtin = load_contract(str(Path(builtin_dir()) / "requests.toml"), builtin=True)
    draft, _, _ = drafted("requests", tmp_path, monkeypatch)
    for pattern in builtin.calls[0].match:
        callee = draft.canonical(pattern)
        assert any(group.matches(callee) for group in draft.calls), pattern
    assert draft.canonical("requests.session") == "requests.sessions.session"
    assert draft.types["requests.sessions.session"] == "requests.sessions.Session"


def test_redis_draft_finds_the_clients_and_factories_of_the_builtin_contract(tmp_path, monkeypatch):
    builtin = load_contract(str(Path(builtin_dir()) / "redis.toml"), builtin=True)
    draft, _, _ = drafted("redis", tmp_path, monkeypatch)
    patterns = {p for group in draft.calls for p in group.match}
    assert {"redis.client.Redis.*", "redis.asyncio.client.Redis.*"} <= patterns
    for group in draft.calls:
        if group.match == ("redis.client.Redis.*",):
            assert group.matches("redis.client.Redis.get") and not group.matches(
                "redis.client.Redis._send_command_parse_response"
            )
    for pubsub in ("redis.client.PubSub", "redis.asyncio.client.PubSub"):
        assert any(group.matches(f"{pubsub}.get_message") for group in draft.calls), pubsub
    for factory in (
        "redis.client.Redis.pipeline",
        "redis.client.Redis.pubsub",
        "redis.client.Redis.from_url",
        "redis.asyncio.client.Redis.pipeline",
        "redis.asyncio.client.Redis.pubsub",
        "redis.utils.from_url",
    ):
        assert draft.types[factory] == builtin.types[factory], factory
    for alias in ("redis.Redis", "redis.StrictRedis", "redis.asyncio.Redis", "redis.from_url"):
        assert draft.canonical(alias) == canonical_name(alias, builtin.aliases), alias


def test_the_httpx_draft_is_its_builtin_hierarchy(tmp_path, monkeypatch):
    builtin = load_contract(str(Path(builtin_dir()) / "httpx.toml"), builtin=True)
    draft, _, _ = drafted("httpx", tmp_path, monkeypatch)
    assert dict(draft.errors.bases) == dict(builtin.errors.bases)
