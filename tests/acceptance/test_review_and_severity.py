"""Contract review dates (CL201), severities, and rule names wherever codes are taken.

A contract past its ``review_by`` date is reported at the call sites that rely on it; severity
alone decides the exit status; a rule's name (``unguarded-call``) works wherever its code does.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from accepting import IMPORT, SILENT_BROAD, TODAY, UNGUARDED, check, found, project
from clirun import run
from exampleclient import CONFIG

from contractlint import acceptance
from contractlint.config import load_config
from contractlint.contracts import load_contracts
from contractlint.engine import check_paths

# --- CL201 contract review ----------------------------------------------------------------

PROFILE_CONTRACT = """\
version = 1

[contract]
name = "profile-service"
summary = "Profile lookups"
owner = "profiles-team"
review_by = 2026-01-31

[errors]
"profile_client.ProfileError" = ["Exception"]

[[calls]]
match = ["profile_client.ProfileClient.lookup"]
policy = "fail-open"
fallback = "profile_client.Profile.anonymous()"
"""
REVIEW_LINE = PROFILE_CONTRACT.splitlines().index("review_by = 2026-01-31") + 1
GUARDED_LOOKUP = """\
from profile_client import ProfileClient, ProfileError, Profile
def f(u):
    try:
        return ProfileClient().lookup(u)
    except ProfileError:
        return Profile.anonymous()
"""


def _review_project(tmp_path: Path, extra: str = "", contract: str = PROFILE_CONTRACT) -> Path:
    config = f'[tool.contractlint]\ncontracts = ["contracts/profile.toml"]\n{extra}'
    return project(
        tmp_path,
        {
            "contracts/profile.toml": contract,
            "app/a.py": GUARDED_LOOKUP,
            "app/b.py": GUARDED_LOOKUP,
        },
        config,
    )


def test_cl201_is_one_warning_per_contract_at_its_review_by_line(tmp_path):
    root = _review_project(tmp_path)
    result = run("check", ".", "--today", "2026-11-28", cwd=root)
    assert result.exit_code == 0, result.stdout
    findings = [line for line in result.stdout.splitlines() if ": CL201 " in line]
    assert findings == [
        f"contracts/profile.toml:{REVIEW_LINE}:1: CL201 [profile-service] (warning) the "
        "contract profile-service was "
        "due for review on 2026-01-31 (owner profiles-team): decide again whether "
        "its policy still holds, "
        "then move review_by"
    ]
    assert "(0 errors, 1 warning)" in result.stdout


def test_cl201_not_before_the_day_after_review_by(tmp_path):
    root = _review_project(tmp_path)
    on_the_day = run("check", ".", "--today", "2026-01-31", cwd=root)
    assert on_the_day.exit_code == 0 and "CL201" not in on_the_day.stdout
    without_date = _review_project(
        tmp_path / "undated", contract=PROFILE_CONTRACT.replace("review_by = 2026-01-31\n", "")
    )
    assert "CL201" not in run("check", ".", "--today", "2099-01-01", cwd=without_date).stdout


def test_cl201_is_an_error_when_configured(tmp_path):
    root = _review_project(tmp_path, 'review-overdue = "error"\n')
    result = run("check", ".", "--today", "2026-11-28", "-q", cwd=root)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"contracts/profile.toml:{REVIEW_LINE}:1: CL201 [profile-service] the contract"
    )
    assert "(warning)" not in result.stdout
    assert run("check", ".", "--today", "2026-11-28", "--ignore", "CL201", cwd=root).exit_code == 0


def test_cl201_review_overdue_must_be_error_or_warning(tmp_path):
    root = _review_project(tmp_path, 'review-overdue = "fatal"\n')
    result = run("check", ".", cwd=root)
    assert result.exit_code == 2
    assert (
        "review-overdue" in result.stderr
        and 'expected "error" or "warning", got "fatal"' in result.stderr
    )


def test_cl201_with_the_engine_one_finding_per_overdue_contract(tmp_path):
    root = _review_project(tmp_path)
    second = PROFILE_CONTRACT.replace('name = "profile-service"', 'name = "profile-archive"')
    (root / "contracts" / "archive.toml").write_text(
        second.replace("review_by = 2026-01-31", "review_by = 2027-01-31")
    )
    contracts = load_contracts(
        ["contracts/profile.toml", "contracts/archive.toml"], base_dir=str(root)
    )
    config = load_config(str(root / "pyproject.toml"))
    report = check_paths([str(root / "app")], config, contracts, today=TODAY)
    overdue = [(f.contract, f.span.line, f.severity) for f in report.findings if f.code == "CL201"]
    assert overdue == [("profile-service", REVIEW_LINE, "warning")]
    later = check_paths([str(root / "app")], config, contracts, today=dt.date(2027, 2, 1))
    assert sorted(f.contract for f in later.findings if f.code == "CL201") == [
        "profile-archive",
        "profile-service",
    ]


# --- severity -------------------------------------------------------------------------------


def test_every_rule_has_a_default_severity():
    from contractlint.model import RULES

    assert {
        r.code: r.severity
        for r in RULES
        if r.code in ("CL001", "CL005", "CL100", "CL101", "CL102", "CL103", "CL201")
    } == {
        "CL001": "error",
        "CL005": "error",
        "CL100": "error",
        "CL101": "error",
        "CL102": "error",
        "CL103": "warning",
        "CL201": "warning",
    }


def test_severity_lowers_an_error_to_a_warning(tmp_path):
    root = project(
        tmp_path,
        {"app/m.py": UNGUARDED.format(comment="")},
        CONFIG + 'severity = { CL001 = "warning" }\n',
    )
    result = run("check", ".", "-q", cwd=root)
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "app/m.py:4:12: CL001 [capability-server] (warning) capability_client"
    )


def test_severity_raises_a_warning_to_an_error(tmp_path):
    files = {"app/m.py": IMPORT + "def f():\n    return 1  # contractlint: accept CL001 -- r\n"}
    assert run("check", ".", cwd=project(tmp_path / "default", files)).exit_code == 0
    raised = run(
        "check",
        ".",
        "-q",
        cwd=project(
            tmp_path / "raised", files, CONFIG + '[tool.contractlint.severity]\nCL103 = "error"\n'
        ),
    )
    assert raised.exit_code == 1
    assert raised.stdout.startswith("app/m.py:4:15: CL103 the acceptance")


def test_severity_override_reaches_the_findings(tmp_path):
    report = check(tmp_path, SILENT_BROAD.format(comment=""), severity={"CL005": "warning"})
    assert [(f.code, f.severity) for f in report.findings] == [
        ("CL004", "error"),
        ("CL005", "warning"),
    ]
    assert [f.code for f in report.errors()] == ["CL004"]


def test_exit_status_is_1_only_for_errors(tmp_path):
    """A warning next to an error still fails; warnings alone do not."""
    root = project(
        tmp_path,
        {"app/m.py": SILENT_BROAD.format(comment="")},
        CONFIG + 'severity = { CL005 = "warning" }\n',
    )
    result = run("check", ".", cwd=root)
    assert result.exit_code == 1
    assert "(1 error, 1 warning)" in result.stdout
    lowered = project(
        tmp_path / "both",
        {"app/m.py": SILENT_BROAD.format(comment="")},
        CONFIG + 'severity = { CL004 = "warning", CL005 = "warning" }\n',
    )
    assert run("check", ".", cwd=lowered).exit_code == 0


@pytest.mark.parametrize(
    "table, problem",
    [
        ('severity = { CL001 = "fatal" }', 'expected "error" or "warning", got "fatal"'),
        ('severity = { CL0 = "warning" }', "name one rule code per entry"),
        ('severity = { CL777 = "warning" }', "is not a rule code"),
    ],
)
def test_a_bad_severity_table_is_a_configuration_error(tmp_path, table, problem):
    root = project(tmp_path, {"app/m.py": UNGUARDED.format(comment="")}, CONFIG + table + "\n")
    result = run("check", ".", cwd=root)
    assert result.exit_code == 2
    assert problem in result.stderr and "pyproject.toml" in result.stderr


def test_an_expired_acceptance_whose_finding_was_fixed_is_stale_not_due_for_review(tmp_path):
    fixed = IMPORT + textwrap.dedent("""\
        def show(user):
            try:
                return client.check(user, "s")  # contractlint: accept CL001 until=2026-05-31 owner=ads -- old
            except CapabilityError:
                return Capability.static_only()
        """)  # noqa: E501
    assert found(tmp_path, fixed) == [(5, "CL103")]


# --- rule names work wherever codes do ---------------------------------------------------------


def test_an_acceptance_may_name_rules_instead_of_codes(tmp_path):
    on_call = UNGUARDED.format(comment="  # contractlint: accept unguarded-call -- r")
    assert found(tmp_path, on_call) == []
    (accepted,) = acceptance.parse(on_call.encode(), "m.py").acceptances
    assert accepted.codes == ("CL001",)
    both = SILENT_BROAD.format(comment="  # contractlint: accept silent-handler, CL005 -- r")
    assert found(tmp_path, both) == []
    header = "# contractlint: accept-file unguarded-call -- generated\n" + UNGUARDED.format(
        comment=""
    )
    assert found(tmp_path, header) == []


def test_select_ignore_per_file_ignores_and_severity_take_rule_names(tmp_path):
    files = {
        "app/m.py": SILENT_BROAD.format(comment=""),
        "tests/t.py": UNGUARDED.format(comment=""),
    }
    both = run("check", ".", "-q", cwd=project(tmp_path / "all", files))
    assert [line.split()[1] for line in both.stdout.splitlines()] == ["CL004", "CL005", "CL001"]
    by_name = run(
        "check",
        ".",
        "-q",
        "--select",
        "silent-handler,unguarded-call",
        "--ignore",
        "unguarded-call",
        cwd=project(tmp_path / "cli", files),
    )
    assert [line.split()[1] for line in by_name.stdout.splitlines()] == ["CL004"]
    configured = project(
        tmp_path / "config",
        files,
        CONFIG
        + 'ignore = ["silent-handler"]\n'
        + 'severity = { overbroad-handler = "warning" }\n'
        + 'per-file-ignores = { "tests/*" = ["unguarded-call"] }\n',
    )
    result = run("check", ".", "-q", cwd=configured)
    assert result.exit_code == 0, result.output
    assert [line.split()[1:3] for line in result.stdout.splitlines()] == [
        ["CL005", "[capability-server]"]
    ]
    assert "(warning)" in result.stdout


def test_a_misspelt_rule_name_is_a_usage_error_with_a_suggestion(tmp_path):
    result = run("check", ".", "--select", "silent-handlr", cwd=project(tmp_path, {}))
    assert result.exit_code == 2
    assert result.stderr == (
        'contractlint: error: --select: "silent-handlr" is not a rule code, prefix or name '
        '(see `contractlint explain`); did you mean "silent-handler"?\n'
    )
