"""The pre-commit hook, run by the real pre-commit on a temporary git repository.

pre-commit builds contractlint from this checkout into its own environment (from PyPI), so the
test is marked ``network``; the environments are cached under ``.cache/pre-commit``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
    (consumer / "send.py").write_text(BAD)
    git(consumer, "add", "send.py")
    failing = pre_commit(consumer, "try-repo", str(ROOT), "contractlint")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "send.py:4:12: CL001 [capability-server]" in failing.stdout
    assert "contractlint" in failing.stdout and "Failed" in failing.stdout

    (consumer / "send.py").write_text(GOOD)
    git(consumer, "add", "send.py")
    passing = pre_commit(consumer, "try-repo", str(ROOT), "contractlint")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


def test_installed_hook_blocks_the_commit_until_the_call_is_handled(consumer: Path):
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
    assert "CL001" in blocked.stdout + blocked.stderr
    assert git(consumer, "log", "--format=%s", "-1").stdout.strip() == "hooks"

    (consumer / "send.py").write_text(GOOD)
    git(consumer, "add", "send.py")
    accepted = git(consumer, "commit", "-m", "send stickers, failing open")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(consumer, "log", "--format=%s", "-1").stdout.strip() == "send stickers, failing open"


def test_a_file_git_ignores_is_named_by_no_commit_and_found_by_no_walk(consumer: Path):
    (consumer / ".gitignore").write_text("generated/\n")
    (consumer / "generated").mkdir()
    (consumer / "generated" / "client.py").write_text(BAD)  # a generated file nobody commits
    (consumer / "send.py").write_text(GOOD)
    git(consumer, "add", ".gitignore", "send.py")
    hook = pre_commit(consumer, "try-repo", str(ROOT), "contractlint", "--all-files")
    assert hook.returncode == 0, hook.stdout + hook.stderr
    assert "Passed" in hook.stdout

    assert python_m(consumer, "contractlint", "check", "--no-cache", ".").returncode == 0
    named = python_m(consumer, "contractlint", "check", "--no-cache", "generated/client.py")
    assert named.returncode == 1 and "generated/client.py:4:12: CL001" in named.stdout
