"""Contract files: every problem of a file reported at once, one line each, with file, line and key path.

The cases mutate a copy of the capability-server contract (kept here, so that the expected line numbers do
not move when the shipped contract is edited) and check the exact set of messages, not only the first one.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from exampleclient import CONTRACT, tried_installed

import contractlint
from contractlint.cli import main
from contractlint.contracts import (
    builtin_dir,
    builtin_names,
    glob_problem,
    load_contract,
    load_contracts,
)
from contractlint.errors import UserError
from contractlint.model import CallGroup, ErrorHierarchy, glob_to_regex

# A copy of the example client's contract (examples/capability-client); the line numbers in the cases below are those of this text.
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
"""

GRANT_MATCH = 'match = ["capability_client.CapabilityClient.grant"]'  # line 30
ERRORS_END = '"capability_client.CapabilityTimeout" = ["capability_client.CapabilityError", "TimeoutError"]\n'  # 18


def mutate(text: str, *replacements: tuple[str, str]) -> str:
    """Apply each (old, new) once; the old text must occur exactly once, so a case cannot silently not apply."""
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
    """Exactly one message per expected (line, text); each starts with ``path:line: `` (or ``path: ``)."""
    assert len(messages) == len(expected), "\n".join(messages)
    unmatched = list(messages)
    for line, text in expected:
        prefix = f"{path}:{line}: " if line else f"{path}: "
        hits = [m for m in unmatched if m.startswith(prefix) and text in m]
        assert hits, f"no message starting {prefix!r} with {text!r} in:\n" + "\n".join(messages)
        unmatched.remove(hits[0])


def test_base_text_is_the_shipped_contract():
    """The copy above is the real contract, so the cases test what users start from."""
    shipped = CONTRACT.read_text(encoding="utf-8")
    assert shipped == BASE


def test_base_contract_is_valid(tmp_path):
    contract = load_contract(write(tmp_path, BASE))
    assert contract.name == "capability-server"
    assert contract.owner == "stickers-sre"
    assert contract.review_by == dt.date(2027, 3, 31)
    assert [g.policy for g in contract.calls] == ["fail-open", "fail-closed"]
    assert [g.broad for g in contract.calls] == ["warn", "deny"]
    assert contract.calls[0].fallback == "capability_client.Capability.static_only()"
    assert contract.calls[1].fallback is None
    assert contract.types == {"capability_client.get_client": "capability_client.CapabilityClient"}
    assert contract.approved_wrappers == ("capability_client.call_with_fallback",)
    assert contract.approved_decorators == ("capability_client.fail_open",)
    assert not contract.builtin


# (description, mutated text, expected [(line or None, substring)]): exactly these messages, no others.
CASES = [
    (
        "policy not one of the three",
        mutate(BASE, ('policy = "fail-closed"', 'policy = "open"')),
        [(32, '[[calls]][2].policy: expected "fail-open", "fail-closed" or "any", got "open"')],
    ),
    (
        "misspelt key in a [[calls]] group suggests the close spelling",
        mutate(BASE, ('policy = "fail-open"', 'polcy = "fail-open"')),
        [
            (24, '[[calls]][1].polcy: unknown key "polcy"; did you mean "policy"?'),
            # The group's own header, not the policy line of the next group.
            (21, "[[calls]][1].policy: required key is missing"),
        ],
    ),
    (
        "misspelt top-level key",
        mutate(BASE, ("version = 1", "verison = 1")),
        [
            (5, 'verison: unknown key "verison"; did you mean "version"?'),
            (None, "version: required key is missing"),
        ],
    ),
    (
        "misspelt key in [contract]",
        mutate(BASE, ('owner = "stickers-sre"', 'ownr = "stickers-sre"')),
        [
            (10, '[contract].ownr: unknown key "ownr"; did you mean "owner"?'),
            (7, "[contract].owner: required key is missing"),
        ],
    ),
    (
        "misspelt key in [approved]",
        mutate(BASE, ("wrappers = [", "wrapers = [")),
        [(40, '[approved].wrapers: unknown key "wrapers"; did you mean "wrappers"?')],
    ),
    (
        "unknown key far from any known one lists the known ones",
        mutate(BASE, ('broad = "deny"', 'broad = "deny"\nzzz = 1')),
        [
            (
                34,
                '[[calls]][2].zzz: unknown key "zzz"; expected one of: match, exclude, raises, policy',
            )
        ],
    ),
    (
        "version is a string",
        mutate(BASE, ("version = 1", 'version = "1"')),
        [(5, 'version: expected an integer, got "1"')],
    ),
    (
        "version is true",
        mutate(BASE, ("version = 1", "version = true")),
        [(5, "version: expected an integer, got true")],
    ),
    (
        "unsupported version",
        mutate(BASE, ("version = 1", "version = 2")),
        [(5, "version: unsupported contract version 2; this contractlint reads version 1")],
    ),
    (
        "broad is a number",
        mutate(BASE, ('broad = "warn"', "broad = 1")),
        [(26, "[[calls]][1].broad: expected a string, got int 1")],
    ),
    (
        "broad not one of the three",
        mutate(BASE, ('broad = "warn"', 'broad = "warning"')),
        [(26, '[[calls]][1].broad: expected "allow", "warn" or "deny", got "warning"')],
    ),
    (
        "broad is empty (not the default)",
        mutate(BASE, ('broad = "deny"', 'broad = ""')),
        [(33, '[[calls]][2].broad: expected "allow", "warn" or "deny", got ""')],
    ),
    (
        "match is a string, not a list",
        mutate(BASE, (GRANT_MATCH, 'match = "capability_client.CapabilityClient.grant"')),
        [
            (
                30,
                '[[calls]][2].match: expected a list of strings, got "capability_client.CapabilityClient.grant"',
            )
        ],
    ),
    (
        "a match item is not a string",
        mutate(BASE, (GRANT_MATCH, 'match = ["capability_client.CapabilityClient.grant", 3]')),
        [(30, "[[calls]][2].match[2]: expected a string, got int 3")],
    ),
    (
        "match is empty",
        mutate(BASE, (GRANT_MATCH, "match = []")),
        [(30, "[[calls]][2].match: an empty list matches no call")],
    ),
    (
        "match is missing",
        mutate(BASE, (GRANT_MATCH + "\n", "")),
        [(29, "[[calls]][2].match: required key is missing")],
    ),
    (
        "name has capitals and an underscore",
        mutate(BASE, ('name = "capability-server"', 'name = "Capability_Server"')),
        [
            (
                8,
                '[contract].name: "Capability_Server" is not a valid name: use lowercase letters, digits and "-"',
            )
        ],
    ),
    (
        "name starts with a dash",
        mutate(BASE, ('name = "capability-server"', 'name = "-server"')),
        [(8, '[contract].name: "-server" is not a valid name')],
    ),
    (
        "name is empty",
        mutate(BASE, ('name = "capability-server"', 'name = ""')),
        [(8, '[contract].name: "" is not a valid name')],
    ),
    (
        "summary is a number",
        mutate(
            BASE,
            (
                'summary = "Sticker ownership and expiry checks: fail open (send the sticker as a static '
                'one) when the server is down."',
                "summary = 42",
            ),
        ),
        [(9, "[contract].summary: expected a string, got int 42")],
    ),
    (
        "review_by is not a date",
        mutate(BASE, ("review_by = 2027-03-31", 'review_by = "next spring"')),
        [(13, '[contract].review_by: expected a date like 2027-03-31, got "next spring"')],
    ),
    (
        "review_by is a date-time",
        mutate(BASE, ("review_by = 2027-03-31", "review_by = 2027-03-31T10:00:00")),
        [
            (
                13,
                "[contract].review_by: expected a date like 2027-03-31, got the date-time 2027-03-31T10:00:00",
            )
        ],
    ),
    (
        "base cycle a -> b -> a",
        mutate(BASE, (ERRORS_END, ERRORS_END + '"svc.A" = ["svc.B"]\n"svc.B" = ["svc.A"]\n')),
        [(19, '[errors]."svc.A": base cycle: svc.A -> svc.B -> svc.A')],
    ),
    (
        "an error is its own base",
        mutate(BASE, (ERRORS_END, ERRORS_END + '"svc.A" = ["svc.A"]\n')),
        [(19, '[errors]."svc.A": base cycle: svc.A -> svc.A')],
    ),
    (
        "cycle through the contract's own errors",
        mutate(
            BASE,
            (
                '"capability_client.CapabilityError" = ["Exception"]',
                '"capability_client.CapabilityError" = ["capability_client.CapabilityTimeout"]',
            ),
        ),
        [
            (
                16,
                "base cycle: capability_client.CapabilityError -> capability_client.CapabilityTimeout -> "
                "capability_client.CapabilityError",
            )
        ],
    ),
    (
        "unknown base suggests the builtin",
        mutate(BASE, ('= ["Exception"]', '= ["Exceptoin"]')),
        [
            (
                16,
                '[errors]."capability_client.CapabilityError": unknown base "Exceptoin": list it under [errors] '
                'too, or name a builtin exception; did you mean "Exception"?',
            )
        ],
    ),
    (
        "bases are not a list",
        mutate(BASE, ('= ["Exception"]', '= "Exception"')),
        [
            (
                16,
                '[errors]."capability_client.CapabilityError": expected a list of base class names, got "Exception"',
            )
        ],
    ),
    (
        "error name is not a dotted name",
        mutate(BASE, (ERRORS_END, ERRORS_END + '"capability-client.Oops" = ["Exception"]\n')),
        [
            (
                19,
                '[errors]."capability-client.Oops": "capability-client.Oops" is not a dotted Python name',
            )
        ],
    ),
    (
        "raises names an error that is neither in [errors] nor builtin",
        mutate(
            BASE,
            (
                'raises = ["capability_client.CapabilityError"]\npolicy = "fail-closed"',
                'raises = ["capability_client.CapabilityErorr"]\npolicy = "fail-closed"',
            ),
        ),
        [
            (
                31,
                '[[calls]][2].raises[1]: "capability_client.CapabilityErorr" is not listed under [errors] and is '
                'not a builtin exception; did you mean "capability_client.CapabilityError"?',
            )
        ],
    ),
    (
        "raises is empty",
        mutate(
            BASE,
            (
                'raises = ["capability_client.CapabilityError"]\npolicy = "fail-closed"',
                'raises = []\npolicy = "fail-closed"',
            ),
        ),
        [(31, "[[calls]][2].raises: an empty list guards against nothing")],
    ),
    (
        "fallback is not an expression",
        mutate(
            BASE,
            (
                'fallback = "capability_client.Capability.static_only()"',
                'fallback = "Capability.static_only("',
            ),
        ),
        [(25, '[[calls]][1].fallback: "Capability.static_only(" is not a Python expression')],
    ),
    (
        "fallback is a statement",
        mutate(
            BASE,
            ('fallback = "capability_client.Capability.static_only()"', 'fallback = "cap = None"'),
        ),
        [(25, '[[calls]][1].fallback: "cap = None" is not a Python expression')],
    ),
    (
        "fallback with a newline is still reported on one line",
        mutate(
            BASE,
            (
                'fallback = "capability_client.Capability.static_only()"',
                'fallback = "return\\nNone"',
            ),
        ),
        [(25, '[[calls]][1].fallback: "return\\nNone" is not a Python expression')],
    ),
    (
        "fallback with a NUL character",
        mutate(
            BASE,
            ('fallback = "capability_client.Capability.static_only()"', 'fallback = "None\\u0000"'),
        ),
        [(25, "[[calls]][1].fallback: ")],
    ),
    (
        "fallback nested too deeply for the parser",
        mutate(
            BASE,
            (
                'fallback = "capability_client.Capability.static_only()"',
                'fallback = "' + "a" + "+a" * 100_000 + '"',
            ),
        ),
        [(25, "is not a Python expression")],
        # Python 3.9 and 3.10 parse this expression; 3.11's parser runs out of recursion.
        pytest.mark.skipif(
            sys.version_info < (3, 11), reason="older parsers accept this expression"
        ),
    ),
    (
        "fallback with too many nested parentheses",
        mutate(
            BASE,
            (
                'fallback = "capability_client.Capability.static_only()"',
                'fallback = "' + "(" * 1000 + "a" + ")" * 1000 + '"',
            ),
        ),
        [(25, "is not a Python expression")],
    ),
    (
        "[types] target is not a name",
        mutate(
            BASE,
            (
                '"capability_client.get_client" = "capability_client.CapabilityClient"',
                '"capability_client.get_client" = 3',
            ),
        ),
        [(37, '[types]."capability_client.get_client": expected a dotted Python name, got int 3')],
    ),
    (
        "approved wrapper is not a dotted name",
        mutate(
            BASE,
            (
                'wrappers = ["capability_client.call_with_fallback"]',
                'wrappers = ["capability_client.call_with_fallback", "call with fallback"]',
            ),
        ),
        [(40, '[approved].wrappers[2]: "call with fallback" is not a dotted Python name')],
    ),
    (
        "[approved] is not a table",
        mutate(
            BASE,
            (
                '[approved]\nwrappers = ["capability_client.call_with_fallback"]\n'
                'decorators = ["capability_client.fail_open"]\n',
                "",
            ),
        ).replace("version = 1", 'version = 1\napproved = "yes"'),
        [(6, 'approved: expected a table [approved], got "yes"')],
    ),
    (
        "owner is missing",
        mutate(BASE, ('owner = "stickers-sre"\n', "")),
        [(7, "[contract].owner: required key is missing")],
    ),
    (
        "version is missing",
        mutate(BASE, ("version = 1\n", "")),
        [(None, "version: required key is missing")],
    ),
    (
        "[contract] is missing: one problem, not one per key",
        lines_removed(BASE, 7, 14),
        [(None, "contract: required table [contract] is missing")],
    ),
    (
        "contract is a string, not a table: one problem",
        lines_removed(BASE, 7, 14).replace(
            "version = 1", 'version = 1\ncontract = "capability-server"'
        ),
        [(6, 'contract: expected a table [contract], got "capability-server"')],
    ),
    (
        "calls as an inline array: located at its line",
        lines_removed(BASE, 20, 34).replace(
            "version = 1",
            'version = 1\ncalls = [{match = ["capability_client.check"], policy = "open"}]',
        ),
        [(6, '[[calls]][1].policy: expected "fail-open", "fail-closed" or "any", got "open"')],
    ),
    (
        "no [[calls]] group",
        lines_removed(BASE, 20, 34),
        [(None, "calls: at least one [[calls]] group is required")],
    ),
    (
        "[calls] is a table, not an array of tables",
        lines_removed(BASE, 28, 34).replace("[[calls]]", "[calls]"),
        [(21, "calls: expected one or more [[calls]] tables")],
    ),
    (
        "alias is not a dotted name",
        BASE + '\n[aliases]\n"cc" = "capability client"\n',
        [(44, '[aliases].cc: expected a dotted Python name, got "capability client"')],
    ),
]


@pytest.mark.parametrize(
    "text, expected", [pytest.param(t, e, id=d, marks=marks) for d, t, e, *marks in CASES]
)
def test_contract_problem(tmp_path, text, expected):
    path = write(tmp_path, text)
    assert_problems(path, problems_of(path), expected)


# Patterns that can never match a dotted Python name, and why.
BAD_GLOBS = [
    ("capability-client.Check", 'part "capability-client" cannot be part of a Python name'),
    ("a..b", "it has an empty dotted part"),
    ("", "an empty pattern matches nothing"),
    ("1abc.x", 'part "1abc" starts with a digit'),
    ("capability_client.", "it has an empty dotted part"),
    (".check", "it has an empty dotted part"),
    (" capability_client.check", "it has surrounding spaces"),
    ("capability_client.check()", 'part "check()" cannot be part of a Python name'),
    ("capability client.check", 'part "capability client" cannot be part of a Python name'),
    # Only *, ** and ? are wildcards (glob_to_regex): a bracket matches itself, which no name contains.
    ("capability_client.check_[ab]", 'part "check_[ab]" has "[" or "]"'),
]


@pytest.mark.parametrize("pattern, reason", BAD_GLOBS, ids=[repr(p) for p, _ in BAD_GLOBS])
def test_match_glob_that_can_never_match(tmp_path, pattern, reason):
    text = mutate(
        BASE, (GRANT_MATCH, f'match = ["capability_client.CapabilityClient.grant", "{pattern}"]')
    )
    path = write(tmp_path, text)
    assert_problems(
        path,
        problems_of(path),
        [(30, f'[[calls]][2].match[2]: "{pattern}" can never match a call: {reason}')],
    )
    assert glob_problem(pattern) == reason or reason in glob_problem(pattern)


def test_exclude_glob_that_can_never_match(tmp_path):
    text = mutate(BASE, (GRANT_MATCH, GRANT_MATCH + '\nexclude = ["capability_client.1x"]'))
    path = write(tmp_path, text)
    assert_problems(
        path,
        problems_of(path),
        [
            (
                31,
                '[[calls]][2].exclude[1]: "capability_client.1x" can never '
                'match a call: part "1x" starts with a digit',
            )
        ],
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "capability_client.CapabilityClient.check*",
        "capability_client.**",
        "**.check",
        "*.check_?",
        "capability_client.*Client.*",
        "svc.café",  # Python names may be non-ASCII
        "a.*1",  # a digit after a wildcard is fine
    ],
)
def test_glob_that_can_match(pattern):
    assert glob_problem(pattern) is None


def _groups(*groups: tuple) -> str:
    """A contract of one error whose [[calls]] are the (match, exclude) pairs given, in order."""
    text = (
        'version = 1\n[contract]\nname = "svc"\nsummary = "s"\nowner = "o"\n'
        '[errors]\n"svc.Error" = ["Exception"]\n'
    )
    for match, exclude in groups:
        text += f'[[calls]]\nmatch = {list(match)!r}\npolicy = "any"\n'.replace("'", '"')
        if exclude:
            text += f"exclude = {list(exclude)!r}\n".replace("'", '"')
    return text


@pytest.mark.parametrize(
    "groups, message",
    [
        (
            [(["svc.**"], []), (["svc.Client.*"], [])],
            '[[calls]][2].match: "svc.Client.*" can never apply: [[calls]][1].match "svc.**" '
            "takes every call it matches",
        ),
        # ``?`` is one character: ``??`` takes every two-letter name.
        (
            [(["svc.Client.??"], []), (["svc.Client.ab"], [])],
            '[[calls]][2].match: "svc.Client.ab" can never apply: [[calls]][1].match '
            '"svc.Client.??" takes every call it matches',
        ),
        # The later group's own exclude removes the only names the earlier one lets through.
        (
            [(["svc.**"], ["svc.Client.close"]), (["svc.Client.*"], ["svc.Client.close"])],
            '[[calls]][2].match: "svc.Client.*" can never apply: [[calls]][1].match "svc.**" takes',
        ),
        # Two earlier groups between them: names starting with x go to the second, the rest to the first.
        (
            [(["svc.**"], ["svc.Client.x*"]), (["svc.Client.x*"], []), (["svc.Client.*"], [])],
            '[[calls]][3].match: "svc.Client.*" can never apply: [[calls]][1] and [[calls]][2] '
            "take every call it matches",
        ),
        # Each pattern of a group by another earlier pattern.
        (
            [
                (["svc.Client.get*"], []),
                (["svc.Client.put*"], []),
                (["svc.Client.get", "svc.Client.put_many"], []),
            ],
            '[[calls]][3].match: the group can never apply: [[calls]][1].match "svc.Client.get*" '
            'takes every call "svc.Client.get" matches; [[calls]][2].match "svc.Client.put*" '
            'takes every call "svc.Client.put_many" matches',
        ),
        (
            [(["svc.Client.check"], ["svc.Client.*"])],
            '[[calls]][1].match: "svc.Client.check" can never apply: the group\'s exclude removes '
            "every call it matches",
        ),
    ],
)
def test_a_group_that_can_never_apply(tmp_path, groups, message):
    """A call goes to the first group that matches it: a later group whose every name an earlier
    one takes would silently never apply, its policy a dead letter."""
    text = _groups(*groups)
    line = text[: text.rindex("match =")].count("\n") + 1  # the last group's
    path = write(tmp_path, text)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:{line}: {message}"), problem


@pytest.mark.parametrize(
    "groups",
    [
        # The usual order, narrow first: the broad group takes what is left.
        [(["svc.Client.check*"], []), (["svc.Client.*"], [])],
        [(["svc.Client.*"], []), (["svc.**"], [])],
        # ``*`` stays within one part: svc.Client.check is not svc.*.
        [(["svc.*"], []), (["svc.Client.check"], [])],
        # ``check*`` also matches check alone, but check_all is left for the second group.
        [(["svc.Client.check"], []), (["svc.Client.check*"], [])],
        # An earlier group's exclude leaves a name to a later one.
        [(["svc.**"], ["svc.Client.close"]), (["svc.Client.*"], [])],
        [(["svc.**"], ["svc.*.close"]), (["svc.Client.close"], [])],
        # ``??`` takes the two-letter names only: ``?*`` still gets the others.
        [(["svc.Client.??"], []), (["svc.Client.?*"], [])],
        # One pattern of the group is taken, the other is not: the group still applies.
        [(["svc.Client.get*"], []), (["svc.Client.get", "svc.Client.put"], [])],
    ],
)
def test_a_group_that_overlaps_an_earlier_one_but_still_applies_is_fine(tmp_path, groups):
    contract = load_contract(write(tmp_path, _groups(*groups)))
    assert len(contract.calls) == len(groups)


@pytest.mark.parametrize(
    "path",
    sorted(str(p) for p in Path(builtin_dir()).glob("*.toml"))
    + sorted(
        str(p)
        for p in (Path(__file__).resolve().parents[2] / "examples").rglob("*.toml")
        if p.name != "pyproject.toml"
    ),
)
def test_every_shipped_contract_loads(path):
    """The builtin contracts and the example's overlap on purpose (boto3: upload_file before
    BaseClient.*): none of their groups is one that can never apply."""
    assert load_contract(path).calls


def test_many_problems_reported_at_once(tmp_path):
    text = mutate(
        BASE,
        ("version = 1", "version = 3"),
        ('name = "capability-server"', 'name = "Capability Server"'),
        ('owner = "stickers-sre"', 'ownr = "stickers-sre"'),
        ('= ["Exception"]', '= ["NoSuchError"]'),
        ('policy = "fail-open"', 'policy = "open"'),
        ('fallback = "capability_client.Capability.static_only()"', 'fallback = "static_only("'),
        (GRANT_MATCH, 'match = ["capability-client.Check"]'),
        ('policy = "fail-closed"', 'polcy = "fail-closed"'),
        ('broad = "deny"', 'broad = "never"'),
    )
    path = write(tmp_path, text)
    assert_problems(
        path,
        problems_of(path),
        [
            (5, "version: unsupported contract version 3"),
            (8, '[contract].name: "Capability Server" is not a valid name'),
            (10, '[contract].ownr: unknown key "ownr"; did you mean "owner"?'),
            (7, "[contract].owner: required key is missing"),
            (16, 'unknown base "NoSuchError"'),
            (24, '[[calls]][1].policy: expected "fail-open", "fail-closed" or "any", got "open"'),
            (25, '[[calls]][1].fallback: "static_only(" is not a Python expression'),
            (30, '[[calls]][2].match[1]: "capability-client.Check" can never match a call'),
            (32, '[[calls]][2].polcy: unknown key "polcy"; did you mean "policy"?'),
            (29, "[[calls]][2].policy: required key is missing"),
            (33, '[[calls]][2].broad: expected "allow", "warn" or "deny", got "never"'),
        ],
    )


@pytest.mark.parametrize(
    "old, new, line, column, text",
    [
        ('owner = "stickers-sre"', "owner = stickers-sre", 10, 9, "invalid TOML: Invalid value"),
        (
            'policy = "fail-open"',
            'policy = "fail-open"\npolicy = "any"',
            25,
            15,
            "invalid TOML: Cannot overwrite a value",
        ),
        (
            '[[calls]]\nmatch = ["capability_client.CapabilityClient.grant"]',
            '[[calls]\nmatch = ["capability_client.CapabilityClient.grant"]',
            29,
            8,
            "invalid TOML: Expected ']]'",
        ),
        (
            'name = "capability-server"',
            'name = "capability-server',
            8,
            26,
            "invalid TOML: Illegal character",
        ),
    ],
)
def test_bad_toml_gives_line_and_column(tmp_path, old, new, line, column, text):
    path = write(tmp_path, mutate(BASE, (old, new)))
    messages = problems_of(path)
    assert len(messages) == 1
    assert messages[0].startswith(f"{path}:{line}:{column}: {text}")


def test_bad_toml_at_the_end_of_the_file(tmp_path):
    path = write(tmp_path, BASE + 'wrappers_more = [\n    "capability_client.x",\n')
    assert problems_of(path) == [f"{path}:44:1: invalid TOML: Invalid value at the end of the file"]


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "svc.toml"
    path.write_bytes(BASE.encode("utf-8").replace(b"stickers-sre", b"stickers-\xff"))
    offset = BASE.encode().index(b"stickers-sre") + 9
    line = BASE.encode().count(b"\n", 0, offset) + 1
    column = offset - BASE.encode().rfind(b"\n", 0, offset)
    assert problems_of(str(path)) == [f"{path}:{line}:{column}: not UTF-8 text (byte {offset})"]


def test_file_with_byte_order_mark_loads(tmp_path):
    path = tmp_path / "svc.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    assert load_contract(str(path)).name == "capability-server"
    # ...and its lines still count from the first one.
    path.write_bytes(b"\xef\xbb\xbf" + BASE.replace("version = 1", "version = 2").encode("utf-8"))
    assert_problems(
        str(path), problems_of(str(path)), [(5, "version: unsupported contract version 2")]
    )


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.toml")
    messages = problems_of(path)
    assert messages == [f"{path}: cannot read: No such file or directory"]


# Positive behaviour: what a valid contract means.


@pytest.mark.parametrize(
    "pattern, name, matches",
    [
        (
            "capability_client.CapabilityClient.check*",
            "capability_client.CapabilityClient.check",
            True,
        ),
        (
            "capability_client.CapabilityClient.check*",
            "capability_client.CapabilityClient.check_expiry",
            True,
        ),
        (
            "capability_client.CapabilityClient.check*",
            "capability_client.CapabilityClient.check.inner",
            False,
        ),
        ("capability_client.*.check", "capability_client.CapabilityClient.check", True),
        ("capability_client.*.check", "capability_client.v2.CapabilityClient.check", False),
        ("capability_client.**.check", "capability_client.v2.CapabilityClient.check", True),
        ("capability_client.**", "capability_client.a.b.c", True),
        ("**.grant", "anything.at.all.grant", True),
        ("**.grant", "anything.granted", False),
        ("capability_client.chec?", "capability_client.check", True),
        ("capability_client.chec?", "capability_client.chec.k", False),
        ("capability_client.check", "capability_clientXcheck", False),  # "." is literal
        ("capability_client.check", "capability_client.check_capability", False),  # whole name
    ],
)
def test_glob_to_regex(pattern, name, matches):
    assert bool(glob_to_regex(pattern).match(name)) is matches


def test_call_group_match_and_exclude():
    group = CallGroup(
        index=1,
        match=("svc.Client.*",),
        exclude=("svc.Client.close", "svc.Client._*"),
        raises=("svc.Error",),
        policy="fail-open",
    )
    assert group.matches("svc.Client.get")
    assert not group.matches("svc.Client.close")
    assert not group.matches("svc.Client._connect")
    assert not group.matches("svc.Client.get.inner")
    assert not group.matches("other.Client.get")


def test_loaded_groups_match_their_calls(tmp_path):
    contract = load_contract(write(tmp_path, BASE))
    check, grant = contract.calls
    assert contract.group_for("capability_client.CapabilityClient.check_ownership") is check
    assert contract.group_for("capability_client.check_capability") is check
    assert contract.group_for("capability_client.CapabilityClient.grant") is grant
    assert contract.group_for("capability_client.CapabilityClient.revoke") is None


def test_error_hierarchy_with_builtin_bases(tmp_path):
    errors = load_contract(write(tmp_path, BASE)).errors
    timeout = "capability_client.CapabilityTimeout"
    for handler in (
        timeout,
        "capability_client.CapabilityError",
        "TimeoutError",
        "OSError",
        "Exception",
        "BaseException",
    ):
        assert errors.catches(handler, timeout), handler
    for handler in ("ValueError", "ConnectionError", "capability_client.CapabilityUnavailable"):
        assert not errors.catches(handler, timeout), handler
    unavailable = "capability_client.CapabilityUnavailable"
    assert errors.catches("ConnectionError", unavailable)
    assert errors.catches("OSError", unavailable)
    assert not errors.catches("TimeoutError", unavailable)
    assert not errors.catches(
        timeout, "capability_client.CapabilityError"
    )  # a base is not caught by a subclass


def test_builtin_aliases_resolve_in_bases_and_raises(tmp_path):
    text = mutate(
        BASE,
        (
            ERRORS_END,
            ERRORS_END + '"capability_client.Slow" = ["socket.timeout"]\n'
            '"capability_client.Broken" = ["IOError"]\n',
        ),
        (
            'raises = ["capability_client.CapabilityError"]\npolicy = "fail-closed"',
            'raises = ["capability_client.CapabilityError", "builtins.TimeoutError", "asyncio.TimeoutError"]\n'
            'policy = "fail-closed"',
        ),
    )
    contract = load_contract(write(tmp_path, text))
    assert contract.errors.catches("TimeoutError", "capability_client.Slow")
    assert contract.errors.catches("OSError", "capability_client.Broken")
    assert contract.calls[1].raises == (
        "capability_client.CapabilityError",
        "TimeoutError",
        "TimeoutError",
    )


def test_raises_defaults_to_every_error_not_covered_by_another(tmp_path):
    text = mutate(
        BASE,
        (
            'raises = ["capability_client.CapabilityError"]\npolicy = "fail-closed"',
            'policy = "fail-closed"',
        ),
    )
    contract = load_contract(write(tmp_path, text))
    # CapabilityUnavailable and CapabilityTimeout derive from CapabilityError: covering it covers them.
    assert contract.calls[1].raises == ("capability_client.CapabilityError",)


def test_raises_default_keeps_unrelated_errors(tmp_path):
    text = mutate(
        BASE,
        (
            '"capability_client.CapabilityTimeout" = ["capability_client.CapabilityError", "TimeoutError"]',
            '"capability_client.CapabilityTimeout" = ["TimeoutError"]',
        ),
        (
            'raises = ["capability_client.CapabilityError"]\npolicy = "fail-closed"',
            'policy = "fail-closed"',
        ),
    )
    contract = load_contract(write(tmp_path, text))
    assert contract.calls[1].raises == (
        "capability_client.CapabilityError",
        "capability_client.CapabilityTimeout",
    )


def test_hierarchy_direct():
    hierarchy = ErrorHierarchy(
        {"svc.Error": ("Exception",), "svc.Timeout": ("svc.Error", "TimeoutError")}
    )
    assert hierarchy.catches("OSError", "svc.Timeout")
    assert not hierarchy.catches("ValueError", "svc.Timeout")
    assert (
        hierarchy.is_known("svc.Error")
        and hierarchy.is_known("KeyError")
        and not hierarchy.is_known("svc.X")
    )


def test_aliases_longest_prefix(tmp_path):
    text = (
        BASE + '\n[aliases]\n"cc" = "capability_client"\n"cc.legacy" = "capability_client.compat"\n'
    )
    contract = load_contract(write(tmp_path, text))
    assert contract.aliases == {"cc": "capability_client", "cc.legacy": "capability_client.compat"}
    assert (
        contract.canonical("cc.CapabilityClient.check")
        == "capability_client.CapabilityClient.check"
    )
    assert contract.canonical("cc.legacy.check") == "capability_client.compat.check"
    assert contract.canonical("cc.legacy") == "capability_client.compat"
    assert contract.canonical("cc") == "capability_client"
    assert contract.canonical("ccx.check") == "ccx.check"  # a dotted prefix, not a string prefix
    assert contract.canonical("other.cc.check") == "other.cc.check"


@pytest.mark.parametrize("value", ["2027-03-31", '"2027-03-31"'])
def test_review_by_is_a_date(tmp_path, value):
    contract = load_contract(
        write(tmp_path, mutate(BASE, ("review_by = 2027-03-31", f"review_by = {value}")))
    )
    assert contract.review_by == dt.date(2027, 3, 31)


@pytest.mark.parametrize(
    "value, column, message",
    [
        ("2027-13-01", 13, "2027-13-01 is not a date (month 13)"),
        ("2027-02-29", 13, "2027-02-29 is not a date (February 2027 has 28 days)"),
        ("2027-04-31", 13, "2027-04-31 is not a date (April 2027 has 30 days)"),
        ("2027-00-10", 13, "2027-00-10 is not a date (month 0)"),
        ("2027-3-31", 13, "2027-3-31 is not a date (write it YYYY-MM-DD, with two digits"),
        ("2027-03-31T24:00:00", 13, "2027-03-31T24:00:00 is not a date-time (hour 24)"),
    ],
)
def test_a_date_that_does_not_exist_names_the_key_and_the_date(tmp_path, value, column, message):
    """tomllib says "Expected newline" for a month of 13 and "Invalid date" for a 30th of February,
    without the key: the message names both, at the date's line and column."""
    path = write(tmp_path, mutate(BASE, ("review_by = 2027-03-31", f"review_by = {value}  # q3")))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:13:{column}: [contract].review_by: {message}"), problem


def test_a_bad_date_in_an_array_of_tables_names_its_element(tmp_path):
    path = write(
        tmp_path,
        mutate(BASE, ('broad = "deny"', 'broad = "deny"\nnote = { since = 2026-02-30 }')),
    )
    assert problems_of(path) == [
        f"{path}:34:18: [[calls]][2].note.since: 2026-02-30 is not a date (February 2026 has 28 days)"
    ]


def test_a_bad_date_after_a_multi_line_string_that_looks_like_a_table(tmp_path):
    path = write(
        tmp_path,
        mutate(
            BASE,
            (
                'broad = "deny"',
                'broad = "deny"\ndescription = """\n[not.a.table]\n"""\nnote = { since = 2026-02-30 }',
            ),
        ),
    )
    assert problems_of(path) == [
        f"{path}:37:18: [[calls]][2].note.since: 2026-02-30 is not a date (February 2026 has 28 days)"
    ]


def test_a_quoted_date_that_does_not_exist_says_why(tmp_path):
    path = write(tmp_path, mutate(BASE, ("review_by = 2027-03-31", 'review_by = "2027-13-01"')))
    assert problems_of(path) == [
        f'{path}:13: [contract].review_by: "2027-13-01" is not a date (month 13)'
    ]


def test_review_by_is_optional(tmp_path):
    contract = load_contract(write(tmp_path, mutate(BASE, ("review_by = 2027-03-31\n", ""))))
    assert contract.review_by is None


# Loading by name and by path.


def test_builtin_contracts_load_by_name():
    names = builtin_names()
    assert names == ["boto3", "httpx", "redis", "requests"]
    contracts = load_contracts(names)
    assert [c.name for c in contracts] == names
    assert all(c.builtin and c.version == contractlint.__version__ for c in contracts)


def test_unknown_builtin_name_lists_the_builtin_ones():
    with pytest.raises(UserError) as info:
        load_contracts(["capabilty-server"])
    (message,) = info.value.messages
    assert message == (
        f'unknown contract "capabilty-server": not a builtin contract ({", ".join(builtin_names())})'
        f'{tried_installed()} nor a .toml path; did you mean "capability-server"?'
    )


def test_cli_unknown_builtin_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["contracts", "--contract", "no-such-service"])
    assert result.exit_code == 2
    assert _stderr(result) == (
        f'contractlint: error: unknown contract "no-such-service": not a builtin contract '
        f"({', '.join(builtin_names())}){tried_installed()} nor a .toml path\n"
    )


def test_contract_path_relative_to_base_dir(tmp_path):
    (tmp_path / "contracts").mkdir()
    write(tmp_path / "contracts", BASE)
    (contract,) = load_contracts(["contracts/svc.toml"], base_dir=str(tmp_path))
    assert contract.source == os.path.join(str(tmp_path), "contracts", "svc.toml")


def test_missing_contract_file_says_where_it_looked(tmp_path):
    with pytest.raises(UserError) as info:
        load_contracts(["contracts/svc.toml"], base_dir=str(tmp_path))
    (message,) = info.value.messages
    expected = os.path.join(str(tmp_path), "contracts", "svc.toml")
    assert message == f"contracts/svc.toml: contract file not found (looked for {expected})"


def test_duplicate_contract_names(tmp_path):
    first = write(tmp_path, BASE, "one.toml")
    second = write(tmp_path, "# another team's copy\n" + BASE, "two.toml")
    with pytest.raises(UserError) as info:
        load_contracts([first, second])
    assert info.value.messages == [
        f'{second}:9: [contract].name: "capability-server" is also the name of {first}'
    ]


def test_same_contract_listed_twice(tmp_path):
    path = write(tmp_path, BASE)
    with pytest.raises(UserError) as info:
        load_contracts([path, path])
    assert info.value.messages == [
        f'{path}:8: [contract].name: "capability-server": this contract is listed twice'
    ]


def test_problems_of_every_contract_are_reported(tmp_path):
    bad1 = write(tmp_path, mutate(BASE, ("version = 1", "version = 2")), "bad1.toml")
    bad2 = write(tmp_path, mutate(BASE, ('policy = "fail-open"', 'policy = "open"')), "bad2.toml")
    with pytest.raises(UserError) as info:
        load_contracts([bad1, "no-such-contract", bad2])
    messages = info.value.messages
    assert len(messages) == 3
    assert messages[0].startswith(f"{bad1}:5: version:")
    assert messages[1].startswith('unknown contract "no-such-contract"')
    assert messages[2].startswith(f"{bad2}:24: [[calls]][1].policy:")


# The command line.


def _stderr(result) -> str:
    try:
        return result.stderr
    except ValueError:  # click < 8.2 without mix_stderr=False
        return result.output


def test_cli_reports_broken_contract(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(
        tmp_path,
        mutate(
            BASE,
            ('policy = "fail-closed"', 'policy = "open"'),
            ('= ["Exception"]', '= ["Exceptoin"]'),
        ),
    )
    result = CliRunner().invoke(main, ["contracts", "--contract", path])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    stderr = _stderr(result)
    assert "Traceback" not in result.output and "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 2, stderr
    for line in lines:
        assert line.startswith("contractlint: error: ")
        assert path in line
    assert lines[0].startswith(f"contractlint: error: {path}:16: [errors].")
    assert lines[1] == (
        f'contractlint: error: {path}:32: [[calls]][2].policy: expected "fail-open", '
        '"fail-closed" or "any", got "open"'
    )
    assert "valid" not in result.stdout


def test_cli_reports_bad_toml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, mutate(BASE, ('owner = "stickers-sre"', "owner = stickers-sre")))
    result = CliRunner().invoke(main, ["contracts", "--contract", path])
    assert result.exit_code == 2
    assert _stderr(result) == f"contractlint: error: {path}:10:9: invalid TOML: Invalid value\n"


def test_cli_lists_a_valid_contract(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, BASE)
    result = CliRunner().invoke(main, ["contracts", "--contract", path])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.splitlines()[0]
        == f"capability-server ({path}) owner stickers-sre, review by 2027-03-31"
    )
    assert result.stdout.endswith("Contracts: 1 valid.\n")
