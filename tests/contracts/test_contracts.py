"""Contract files: every problem of a file reported at once, one line each, with file,
line and key path.

The cases mutate a copy of the capability-server contract (tests/contractfiles.py) and
check the exact set of messages, not only the first one; what a valid contract means is
in test_contract_meaning.py.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

import pytest
from click.testing import CliRunner
from contractfiles import (
    BASE,
    ERRORS_END,
    GRANT_MATCH,
    assert_problems,
    lines_removed,
    mutate,
    problems_of,
    write,
)
from exampleclient import CONTRACT, tried_installed

import contractlint
from contractlint.cli import main
from contractlint.contracts import (
    builtin_names,
    load_contract,
    load_contracts,
)
from contractlint.errors import UserError


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


# (description, mutated text, expected [(line or None, substring)]): exactly these
# messages, no others.
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
                '[[calls]][2].zzz: unknown key "zzz"; expected one of: match, '
                "exclude, raises, policy",
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
                "[[calls]][2].match: expected a list of strings, got "
                '"capability_client.CapabilityClient.grant"',
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
                '[contract].name: "Capability_Server" is not a valid name: use lowercase '
                'letters, digits and "-"',
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
                'summary = "Sticker ownership and expiry checks: fail open (send '
                "the sticker as a static "
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
                "[contract].review_by: expected a date like 2027-03-31, got the "
                "date-time 2027-03-31T10:00:00",
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
                "base cycle: capability_client.CapabilityError -> "
                "capability_client.CapabilityTimeout -> "
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
                '[errors]."capability_client.CapabilityError": unknown base "Exceptoin": '
                "list it under [errors] "
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
                '[errors]."capability_client.CapabilityError": expected a list of base '
                'class names, got "Exception"',
            )
        ],
    ),
    (
        "error name is not a dotted name",
        mutate(BASE, (ERRORS_END, ERRORS_END + '"capability-client.Oops" = ["Exception"]\n')),
        [
            (
                19,
                '[errors]."capability-client.Oops": "capability-client.Oops" is '
                "not a dotted Python name",
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
                '[[calls]][2].raises[1]: "capability_client.CapabilityErorr" is not '
                "listed under [errors] and is "
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
        'unknown contract "capabilty-server": not a builtin contract '
        f"({', '.join(builtin_names())})"
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
