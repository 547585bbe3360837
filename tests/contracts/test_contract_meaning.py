"""What a valid contract means, and the patterns it refuses: globs that can never match a dotted
name, call groups that an earlier group leaves nothing to, what a glob matches, error hierarchies
(builtin bases, aliases, the default ``raises``), and ``review_by`` dates, with the one-line
message a bad date gives.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from contractfiles import BASE, ERRORS_END, GRANT_MATCH, assert_problems, mutate, problems_of, write

from contractlint.contracts import (
    builtin_dir,
    glob_problem,
    load_contract,
)
from contractlint.model import CallGroup, ErrorHierarchy, glob_to_regex

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
    # Only *, ** and ? are wildcards (glob_to_regex): a bracket matches itself, which no
    # name contains.
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
        # Two earlier groups between them: names starting with x go to the second, the
        # rest to the first.
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
            'raises = ["capability_client.CapabilityError", "builtins.TimeoutError", '
            '"asyncio.TimeoutError"]\n'
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
    # CapabilityUnavailable and CapabilityTimeout derive from CapabilityError: covering
    # it covers them.
    assert contract.calls[1].raises == ("capability_client.CapabilityError",)


def test_raises_default_keeps_unrelated_errors(tmp_path):
    text = mutate(
        BASE,
        (
            '"capability_client.CapabilityTimeout" = '
            '["capability_client.CapabilityError", "TimeoutError"]',
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
        f"{path}:34:18: [[calls]][2].note.since: 2026-02-30 is not a date "
        "(February 2026 has 28 days)"
    ]


def test_a_bad_date_after_a_multi_line_string_that_looks_like_a_table(tmp_path):
    path = write(
        tmp_path,
        mutate(
            BASE,
            (
                'broad = "deny"',
                'broad = "deny"\ndescription = """\n[not.a.table]\n"""\n'
                "note = { since = 2026-02-30 }",
            ),
        ),
    )
    assert problems_of(path) == [
        f"{path}:37:18: [[calls]][2].note.since: 2026-02-30 is not a date "
        "(February 2026 has 28 days)"
    ]


def test_a_quoted_date_that_does_not_exist_says_why(tmp_path):
    path = write(tmp_path, mutate(BASE, ("review_by = 2027-03-31", 'review_by = "2027-13-01"')))
    assert problems_of(path) == [
        f'{path}:13: [contract].review_by: "2027-13-01" is not a date (month 13)'
    ]


def test_review_by_is_optional(tmp_path):
    contract = load_contract(write(tmp_path, mutate(BASE, ("review_by = 2027-03-31\n", ""))))
    assert contract.review_by is None
