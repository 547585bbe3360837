"""``[tool.contractlint.approved.NAME]``: a consumer approves its own helpers for a contract it does
not own (a decorator of its own that catches ``RequestException`` for the builtin ``requests``
contract), without copying the contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clirun import invoke

APP = """\
import requests
from webapp.guards import retry
from webapp.http import call_with_fallback


@retry
def profile(url):
    return requests.get(url, timeout=1)


def avatar(url):
    return call_with_fallback(lambda: requests.get(url, timeout=1))
"""

APPROVED = """\
[tool.contractlint.approved.requests]
decorators = ["webapp.guards.retry"]
wrappers = ["webapp.http.call_with_fallback"]
"""


def project(root: Path, extra: str = "") -> Path:
    (root / "webapp").mkdir(parents=True)
    (root / "webapp" / "views.py").write_text(APP)
    (root / "pyproject.toml").write_text(f'[tool.contractlint]\ncontracts = ["requests"]\n{extra}')
    return root


def findings(root: Path) -> list[str]:
    result = invoke("check", ".", "-q", cwd=root)
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout.splitlines()


def test_the_projects_own_helpers_approve_the_calls_they_wrap(tmp_path):
    root = project(tmp_path)
    assert [line.split(": ")[1][:5] for line in findings(root)] == ["CL001", "CL001"]
    # The same tree, the cache kept: the settings are part of what a cached answer depends on.
    (root / "pyproject.toml").write_text((root / "pyproject.toml").read_text() + APPROVED)
    assert findings(root) == []
    report = json.loads(invoke("report", ".", "--format", "json", cwd=root).stdout)
    (contract,) = report["contracts"]
    assert [c["state"] for c in contract["calls"]] == ["approved wrapper", "approved wrapper"]


def test_approving_for_one_contract_leaves_the_contract_itself_unchanged(tmp_path):
    from contractlint.config import load_config
    from contractlint.contracts import load_contracts

    root = project(tmp_path, APPROVED)
    config = load_config(str(root / "pyproject.toml"))
    assert config.approved == {
        "requests": (("webapp.http.call_with_fallback",), ("webapp.guards.retry",))
    }
    (shipped,) = load_contracts(["requests"])
    extended = shipped.approving(*config.approved["requests"])
    assert extended.approved_decorators == (*shipped.approved_decorators, "webapp.guards.retry")
    assert extended.approved_wrappers[-1] == "webapp.http.call_with_fallback"
    assert "webapp.guards.retry" not in shipped.approved_decorators


@pytest.mark.parametrize(
    "extra, problems",
    [
        (
            '[tool.contractlint.approved.reqests]\ndecorators = ["webapp.guards.retry"]\n',
            [
                '3: [tool.contractlint].approved.reqests: "reqests" is not a contract in force '
                '(requests); did you mean "requests"?'
            ],
        ),
        (
            "[tool.contractlint.approved.requests]\n"
            'decorators = ["webapp.guards.retry", "webapp.guards.retry()", "*.retry"]\n',
            [
                '4: [tool.contractlint].approved.requests.decorators[2]: "webapp.guards.retry()" '
                "is not a dotted Python name",
                '4: [tool.contractlint].approved.requests.decorators[3]: "*.retry" is not a dotted '
                "Python name",
            ],
        ),
        (
            '[tool.contractlint.approved.requests]\ndecorator = ["webapp.guards.retry"]\n',
            [
                '4: [tool.contractlint].approved.requests.decorator: unknown key "decorator"; '
                'did you mean "decorators"?'
            ],
        ),
        (
            '[tool.contractlint.approved]\nrequests = ["webapp.guards.retry"]\n',
            [
                "4: [tool.contractlint].approved.requests: expected a table of wrappers and "
                "decorators, got an array"
            ],
        ),
        (
            '[tool.contractlint.approved.requests]\nwrappers = "webapp.http.call"\n',
            [
                "4: [tool.contractlint].approved.requests.wrappers: expected a list of strings, "
                'got "webapp.http.call"'
            ],
        ),
    ],
    ids=["unknown contract", "not a dotted name", "unknown key", "not a table", "not a list"],
)
def test_a_mistake_is_one_line_with_the_file_line_and_key(tmp_path, extra, problems):
    root = project(tmp_path, extra)
    result = invoke("check", ".", cwd=root)
    assert result.exit_code == 2
    pyproject = root / "pyproject.toml"
    assert result.stderr.splitlines() == [f"contractlint: error: {pyproject}:{p}" for p in problems]


def test_without_contracts_set_the_default_set_is_in_force(tmp_path):
    root = tmp_path
    (root / "pyproject.toml").write_text(
        '[tool.contractlint.approved.capability-server]\ndecorators = ["a.b"]\n'
    )
    result = invoke("check", ".", cwd=root)
    assert result.exit_code == 2
    assert '"capability-server" is not a contract in force (boto3, httpx, redis, requests)' in (
        result.stderr
    )
