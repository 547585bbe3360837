"""The pre-commit hook, run by the real pre-commit on a temporary git repository.

pre-commit builds contractlint from this checkout into its own environment (from PyPI), so the
test is marked ``network``; the environments are cached under ``.cache/pre-commit``. The
capability-server contract ships with its client package: the hook finds it when the package is
one of its ``additional_dependencies`` (here, the example client from its folder), as the README
shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from exampleclient import CLIENT

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.network

BAD = textwrap.dedent("""\
    from capability_client import CapabilityClient

    def send(user, sticker):
        return CapabilityClient().check(user, sticker).animated
    """)
GOOD = textwrap.dedent("""\
    from capability_client import Capability, CapabilityClient, CapabilityError

    def send(user, sticker):
        try:
            return CapabilityClient().check(user, sticker).animated
        except CapabilityError:
            return Capability.static_only().animated
    """)
#: For the builtin requests contract, which needs no package beside contractlint.
FETCH = textwrap.dedent("""\
    import requests

    def fetch(url):
        return requests.get(url, timeout=1).json()
    """)
FETCH_GUARDED = textwrap.dedent("""\
    import requests

    def fetch(url):
        try:
            return requests.get(url, timeout=1).json()
        except requests.RequestException:
            return None
    """)


def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=_env())


def _env() -> dict:
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(ROOT / ".cache" / "pre-commit"),
        GIT_AUTHOR_NAME="Consumer",
        GIT_AUTHOR_EMAIL="consumer@example.com",
        GIT_COMMITTER_NAME="Consumer",
        GIT_COMMITTER_EMAIL="consumer@example.com",
        PATH=os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", ""),
    )
    return env


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return python_m(repo, "pre_commit", *args)


def python_m(repo: Path, module: str, *args: str) -> subprocess.CompletedProcess:
    """``python -m MODULE ARGS`` in ``repo``, with this interpreter."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=_env(),
    )


@pytest.fixture
def consumer(tmp_path: Path) -> Path:
    if not (ROOT / ".git").exists():
        pytest.fail("the pre-commit test needs contractlint's own git checkout")
    repo = tmp_path / "consumer"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "pyproject.toml").write_text('[tool.contractlint]\ncontracts = ["capability-server"]\n')
    git(repo, "add", "pyproject.toml")
    assert git(repo, "commit", "-q", "-m", "config").returncode == 0
    return repo


def test_try_repo_fails_on_a_bad_commit_and_passes_on_a_good_one(consumer: Path):
    # Without the client package in the hook's environment, its contract is nowhere to be found.
    (consumer / "send.py").write_text(BAD)
    git(consumer, "add", "send.py")
    unknown = pre_commit(consumer, "try-repo", str(ROOT), "contractlint")
    assert unknown.returncode == 1, unknown.stdout + unknown.stderr
    assert 'unknown contract "capability-server": not a builtin contract' in unknown.stdout

    (consumer / "pyproject.toml").write_text('[tool.contractlint]\ncontracts = ["requests"]\n')
    (consumer / "send.py").write_text(FETCH)
    git(consumer, "add", "pyproject.toml", "send.py")
    failing = pre_commit(consumer, "try-repo", str(ROOT), "contractlint")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "send.py:4:12: CL001 [requests]" in failing.stdout
    assert "contractlint" in failing.stdout and "Failed" in failing.stdout

    (consumer / "send.py").write_text(FETCH_GUARDED)
    git(consumer, "add", "send.py")
    passing = pre_commit(consumer, "try-repo", str(ROOT), "contractlint")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


def test_installed_hook_blocks_the_commit_until_the_call_is_handled(consumer: Path):
    """The README's hook, with the client package that ships the contract as an additional
    dependency (from its folder here, from the package index in real life)."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    (consumer / ".pre-commit-config.yaml").write_text(
        textwrap.dedent(f"""\
        repos:
          - repo: {ROOT}
            rev: {head}
            hooks:
              - id: contractlint
                additional_dependencies: ["{CLIENT}"]
        """)
    )
    git(consumer, "add", ".pre-commit-config.yaml")
    assert git(consumer, "commit", "-q", "-m", "hooks").returncode == 0
    installed = pre_commit(consumer, "install")
    assert installed.returncode == 0, installed.stderr

    (consumer / "send.py").write_text(BAD)
    git(consumer, "add", "send.py")
    blocked = git(consumer, "commit", "-m", "send stickers")
    assert blocked.returncode != 0
    assert "send.py:4:12: CL001 [capability-server]" in blocked.stdout + blocked.stderr
    assert git(consumer, "log", "--format=%s", "-1").stdout.strip() == "hooks"

    (consumer / "send.py").write_text(GOOD)
    git(consumer, "add", "send.py")
    accepted = git(consumer, "commit", "-m", "send stickers, failing open")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(consumer, "log", "--format=%s", "-1").stdout.strip() == "send stickers, failing open"


def test_the_hook_sees_the_whole_project_of_each_staged_file(tmp_path: Path):
    """On the monorepo of tests/monorepo.py: a helper's docstring edit, where every caller handles
    the error, passes; a new call of a helper defined in an unchanged module fails, with the
    finding a full run reports; files of two projects staged at once are each checked with their
    own configuration. And with `--changed --only-changed-lines`, a helper that now lets the error
    out fails the commit at its caller, in a file the commit did not touch."""
    from clirun import invoke
    from monorepo import build

    repo = build(tmp_path / "mono")
    views = repo / "services/billing/src/app/views.py"
    views.write_text(
        views.read_text().replace(
            "def show(url):\n    return fetch(url)",
            "def show(url):\n    try:\n        return fetch(url)\n"
            "    except requests.RequestException:\n"
            "        return None",
        )
    )
    git(repo, "init", "-q", "-b", "main")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    hook = f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: contractlint\n"
    (repo / ".pre-commit-config.yaml").write_text(hook)
    (repo / "changed.yaml").write_text(hook + "        args: [--changed, --only-changed-lines]\n")
    git(repo, "add", "-A")
    assert git(repo, "commit", "-q", "-m", "the monorepo").returncode == 0

    def full_run_lines(*names: str) -> set[str]:
        found = invoke("check", "--no-cache", "-q", ".", cwd=repo).stdout.splitlines()
        return {line for line in found if line.split(":", 1)[0] in names}

    http = repo / "services/billing/src/app/http.py"
    http.write_text(
        http.read_text().replace("def fetch(url):", 'def fetch(url):\n    """The page."""')
    )
    git(repo, "add", "-A")
    docstring = pre_commit(repo, "run")
    assert docstring.returncode == 0, docstring.stdout + docstring.stderr
    assert full_run_lines("services/billing/src/app/http.py") == set()

    (repo / "services/billing/src/app/report.py").write_text(
        "from app.http import fetch\n\n\ndef daily(url):\n    return fetch(url)\n"
    )
    orders = repo / "services/orders/app/views.py"
    orders.write_text(orders.read_text() + "\n\ndef resend(url):\n    return send(url)\n")
    git(repo, "add", "-A")
    blocked = pre_commit(repo, "run")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    expected = full_run_lines("services/billing/src/app/report.py", "services/orders/app/views.py")
    assert len(expected) == 2  # report.py's new call; views.py's old one, in a staged file
    shown = {line for line in blocked.stdout.splitlines() if ": CL" in line}
    assert shown == expected
    git(repo, "reset", "-q", "--hard")

    orders_http = repo / "services/orders/app/http.py"
    orders_http.write_text(
        "import requests\n\n\ndef fetch(url):\n    return requests.get(url, timeout=5).json()\n\n\n"
        "def post(url, data):\n    return requests.post(url, json=data, timeout=5)\n"
    )
    git(repo, "add", "-A")
    assert pre_commit(repo, "run").returncode == 0  # the helper's file alone: nothing in it
    changed = pre_commit(repo, "run", "--config", "changed.yaml")
    assert changed.returncode == 1, changed.stdout + changed.stderr
    expected = full_run_lines("services/orders/app/views.py")
    assert {line for line in changed.stdout.splitlines() if ": CL" in line} == {
        line for line in expected if ":5:12:" in line
    }


def test_a_file_git_ignores_is_named_by_no_commit_and_found_by_no_walk(consumer: Path):
    # a contract the hook's environment has without additional dependencies
    (consumer / "pyproject.toml").write_text('[tool.contractlint]\ncontracts = ["requests"]\n')
    (consumer / ".gitignore").write_text("generated/\n")
    (consumer / "generated").mkdir()
    (consumer / "generated" / "client.py").write_text(FETCH)  # a generated file nobody commits
    (consumer / "send.py").write_text(FETCH_GUARDED)
    git(consumer, "add", "pyproject.toml", ".gitignore", "send.py")
    hook = pre_commit(consumer, "try-repo", str(ROOT), "contractlint", "--all-files")
    assert hook.returncode == 0, hook.stdout + hook.stderr
    assert "Passed" in hook.stdout

    assert python_m(consumer, "contractlint", "check", "--no-cache", ".").returncode == 0
    named = python_m(consumer, "contractlint", "check", "--no-cache", "generated/client.py")
    assert named.returncode == 1 and "generated/client.py:4:12: CL001" in named.stdout
