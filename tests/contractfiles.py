"""Contract files that must be refused, and the problems they give.

``BASE`` is a copy of the example client's contract (kept here, so that the expected line numbers
of the cases do not move when the shipped contract is edited); ``mutate`` edits a text (each old
text exactly once, so a case cannot silently not apply); ``problems_of`` reads a contract's
problems, each one line; ``assert_problems`` matches them, exactly, with the expected (line, text).
The tests of configuration files (tests/config/) mutate and match the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from contractlint.contracts import load_contract
from contractlint.errors import UserError

# A copy of the example client's contract (examples/capability-client); the line numbers in the
# cases below are those of this text.
BASE = """\
# The sticker capability-server: checks that a user owns a sticker and that it has not expired.
# Owners: stickers-sre. When it (or its database) is down, callers FAIL OPEN: the sticker is
# sent, shown as a static one. The owners accept the misuse risk this brings, so that the
# capability-server can run with a lower SLO. Granting (purchases) must FAIL CLOSED.
version = 1

[contract]
name = "capability-server"
summary = "Sticker ownership and expiry checks: fail open (send the sticker as a static one) when the server is down."
owner = "stickers-sre"
docs = "https://github.com/contractlint/contractlint/blob/main/examples/README.md"
remediation = "Catch CapabilityError around the check and send the sticker as a static one: Capability.static_only()."
review_by = 2027-03-31

[errors]
"capability_client.CapabilityError" = ["Exception"]
"capability_client.CapabilityUnavailable" = ["capability_client.CapabilityError", "ConnectionError"]
"capability_client.CapabilityTimeout" = ["capability_client.CapabilityError", "TimeoutError"]

# Checks (ownership, expiry): fail open with a static sticker.
[[calls]]
match = ["capability_client.CapabilityClient.check*", "capability_client.check_capability"]
raises = ["capability_client.CapabilityError"]
policy = "fail-open"
fallback = "capability_client.Capability.static_only()"
broad = "warn"

# Granting a sticker (a purchase) must never succeed when the server cannot record it.
[[calls]]
match = ["capability_client.CapabilityClient.grant"]
raises = ["capability_client.CapabilityError"]
policy = "fail-closed"
broad = "deny"
remediation = "Let the purchase fail (raise PurchaseFailed from the error): never grant a sticker the server could not record."

[types]
"capability_client.get_client" = "capability_client.CapabilityClient"

[approved]
wrappers = ["capability_client.call_with_fallback"]
decorators = ["capability_client.fail_open"]
"""  # noqa: E501

GRANT_MATCH = 'match = ["capability_client.CapabilityClient.grant"]'  # line 30
ERRORS_END = (
    '"capability_client.CapabilityTimeout" = '
    '["capability_client.CapabilityError", "TimeoutError"]\n'
)  # 18


def mutate(text: str, *replacements: tuple[str, str]) -> str:
    """Apply each (old, new) once; the old text must occur exactly once, so a case
    cannot silently not apply."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def lines_removed(text: str, first: int, last: int) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[: first - 1] + lines[last:])


def write(tmp_path: Path, text: str, name: str = "svc.toml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def problems_of(path: str) -> list[str]:
    with pytest.raises(UserError) as info:
        load_contract(path)
    messages = info.value.messages
    for message in messages:
        assert "\n" not in message and "\r" not in message, f"not one line: {message!r}"
        assert "Traceback" not in message
    return messages


def assert_problems(
    path: str, messages: Sequence[str], expected: Sequence[tuple[int | None, str]]
) -> None:
    """Exactly one message per expected (line, text); each starts with ``path:line: ``
    (or ``path: ``)."""
    assert len(messages) == len(expected), "\n".join(messages)
    unmatched = list(messages)
    for line, text in expected:
        prefix = f"{path}:{line}: " if line else f"{path}: "
        hits = [m for m in unmatched if m.startswith(prefix) and text in m]
        assert hits, f"no message starting {prefix!r} with {text!r} in:\n" + "\n".join(messages)
        unmatched.remove(hits[0])
