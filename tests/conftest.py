"""The fixtures every test may ask for by name: ``tree`` writes files under the test's folder,
``cli`` runs contractlint in that folder, ``clean_git_env`` is for the tests that drive a real
git. Tests marked ``browser`` run only where chromium is, or fail where CI requires them
(tests/browser.py)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from browser import MISSING, REQUIRE, browser_required, find_chromium
from click.testing import Result
from clirun import invoke
from trees import write


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if find_chromium() or browser_required():
        return
    skip = pytest.mark.skip(reason=MISSING)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("browser") and browser_required() and not find_chromium():
        pytest.fail(f"{MISSING}; {REQUIRE} is set, so the browser tests must run", pytrace=False)


def pytest_configure(config: pytest.Config) -> None:
    """The example story's contract ships with its client package: without it installed, most
    tests would fail one by one for the same reason, so the run stops here and says it once."""
    from exampleclient import CLIENT, is_installed

    if not is_installed():
        raise pytest.UsageError(
            "the tests need the example client package, which ships the capability-server "
            f"contract: pip install -e {CLIENT.relative_to(CLIENT.parent.parent.parent)}"
        )


@pytest.fixture
def clean_git_env(monkeypatch, tmp_path):
    """Tests must not see the git of whoever runs them: no hook variables, no user configuration."""
    for name in (
        "GIT_DIR",
        "GIT_INDEX_FILE",
        "GIT_WORK_TREE",
        "GIT_OBJECT_DIRECTORY",
        "PRE_COMMIT",
        "GIT_CONFIG_PARAMETERS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Consumer")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "consumer@example.com")


@pytest.fixture
def tree(tmp_path):
    """``tree({"pkg/mod.py": text, ...})`` writes the files under the test's ``tmp_path`` and
    returns that folder; the texts are dedented, so a snippet may be indented with the test's
    code (``dedent=False`` and ``lstrip=True`` as for ``trees.write``). Called again, it adds
    files to the same folder or replaces them."""

    def make(files: Mapping[str, str], **options: bool) -> Path:
        return write(tmp_path, files, **options)

    return make


@pytest.fixture
def cli(tmp_path):
    """``cli("check", ".")`` runs contractlint in-process in the test's ``tmp_path`` (or in
    ``cwd=``), and returns click's result: ``exit_code``, ``stdout`` and ``stderr`` apart."""

    def run(*args: str, cwd: str | Path | None = None, env=None) -> Result:
        return invoke(*args, cwd=tmp_path if cwd is None else cwd, env=env)

    return run
