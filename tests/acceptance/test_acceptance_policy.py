"""The acceptance policy an organisation sets (``acceptance-requires``, ``acceptance-max-days``)
and CL104, the acceptance that falls short of it: ``accept CL001 -- forever?`` and
``until=2099-01-01`` no longer pass where the configuration asks for an owner and a horizon."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from contractlint.config import Config
from contractlint.contracts import load_contracts
from contractlint.engine import check_paths
from contractlint.model import AcceptancePolicy, rule_by_code

TODAY = dt.date(2026, 12, 1)
POLICY = AcceptancePolicy(("until", "owner"), 180)
SHARED = """\
[tool.contractlint]
contracts = ["capability-server"]
acceptance-requires = ["until", "owner"]
acceptance-max-days = 180
"""
CALL = """\
from capability_client import CapabilityClient


def banner(client: CapabilityClient, user, sticker):
    {comment}
    return client.check(user, sticker)
"""


def check(tmp_path: Path, source: str, policy: AcceptancePolicy = POLICY):
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent(source))
    config = Config(root=str(tmp_path), acceptance_policy=policy)
    return check_paths([str(path)], config, load_contracts(["capability-server"]), today=TODAY)


def policy_messages(tmp_path: Path, comment: str, policy: AcceptancePolicy = POLICY) -> list[str]:
    report = check(tmp_path, CALL.format(comment=comment), policy)
    assert not any(f.code == "CL001" for f in report.findings)  # the acceptance still covers
    return [f.message for f in report.findings if f.code == "CL104"]


@pytest.mark.parametrize(
    "comment, expected",
    [
        (
            "# contractlint: accept CL001 -- forever?",
            "no owner= (acceptance-requires); no until= date (acceptance-max-days = 180: "
            "until=2027-05-30 at the latest)",
        ),
        (
            "# contractlint: accept CL001 until=2099-01-01 owner=ads -- far away",
            "until=2099-01-01 is 26329 days away (acceptance-max-days = 180: until=2027-05-30 at "
            "the latest)",
        ),
        (
            "# contractlint: accept CL001 until=2027-05-30 -- no owner",
            "no owner= (acceptance-requires)",
        ),
    ],
    ids=["neither owner nor date", "too far", "no owner"],
)
def test_an_acceptance_outside_the_policy_is_cl104_saying_what_it_lacks(
    tmp_path, comment, expected
):
    assert policy_messages(tmp_path, comment) == [
        f"the acceptance of CL001 is outside the acceptance policy: {expected}"
    ]


def test_the_last_day_of_the_horizon_keeps_the_policy(tmp_path):
    comment = "# contractlint: accept CL001 until=2027-05-30 owner=ads -- reviewed"
    assert policy_messages(tmp_path, comment) == []
    assert policy_messages(tmp_path, comment.replace("05-30", "05-31"))[0].endswith(
        "until=2027-05-31 is 181 days away (acceptance-max-days = 180: "
        "until=2027-05-30 at the latest)"
    )


def test_each_setting_asks_only_what_it_says(tmp_path):
    bare = "# contractlint: accept CL001 -- forever?"
    assert policy_messages(tmp_path, bare, AcceptancePolicy()) == []
    assert policy_messages(tmp_path, bare, AcceptancePolicy(("until",))) == [
        "the acceptance of CL001 is outside the acceptance policy: no until= "
        "date (acceptance-requires)"
    ]
    assert policy_messages(tmp_path, bare + " owner", AcceptancePolicy(("owner",))) == [
        "the acceptance of CL001 is outside the acceptance policy: no owner= (acceptance-requires)"
    ]
    far = "# contractlint: accept CL001 until=2099-01-01 -- far"
    assert policy_messages(tmp_path, far, AcceptancePolicy(("owner",))) != []
    assert policy_messages(tmp_path, far, AcceptancePolicy(("until",))) == []


def test_the_rule_pages_examples_run_under_the_shared_policy(tmp_path):
    rule = rule_by_code("CL104")
    assert rule.name == "acceptance-against-policy" and rule.severity == "error"
    assert "acceptance-max-days = 180" in rule.page()
    for example in rule.invalid:
        assert [f.code for f in check(tmp_path, example).findings] == ["CL104"]
    for example in rule.valid:
        assert check(tmp_path, example).findings == []


def test_the_shared_configuration_fails_the_run_and_the_readme_shows_its_words(tree, cli):
    lines = CALL.format(comment="").splitlines()
    lines[4:5] = [""] * 7 + [
        "    # contractlint: accept CL001 until=2099-01-01 -- banners earn nothing yet"
    ]
    tree({"pyproject.toml": SHARED, "app/banners.py": "\n".join(lines) + "\n"}, dedent=False)
    result = cli("check", ".", "-q", "--today", TODAY.isoformat())
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("app/banners.py:12:5: CL104 ")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"\n{line}\n" in readme
    assert cli("check", ".", "-q", "--ignore", "CL104").exit_code == 0


@pytest.mark.parametrize(
    "settings, problem",
    [
        (
            'acceptance-requires = ["until", "reason"]',
            '[tool.contractlint].acceptance-requires[2]: expected "until" or "owner", got "reason" '
            "(a reason is always required: CL102)",
        ),
        (
            "acceptance-max-days = 0",
            "[tool.contractlint].acceptance-max-days: expected a number of "
            "days, 1 or more, got int 0",
        ),
        (
            'acceptance-max-days = "180"',
            '[tool.contractlint].acceptance-max-days: expected an integer, got "180"',
        ),
    ],
)
def test_a_bad_setting_is_one_line_with_its_key(tree, cli, settings, problem):
    root = tree({"pyproject.toml": f"[tool.contractlint]\n{settings}\n"})
    result = cli("check", ".")
    assert result.exit_code == 2
    assert result.stderr == f"contractlint: error: {root / 'pyproject.toml'}:2: {problem}\n"
