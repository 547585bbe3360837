"""Tests marked ``browser`` run only where chromium is, or fail where CI requires them
(tests/browser.py); ``clean_git_env`` for the tests that drive a real git."""

from __future__ import annotations

import pytest
from browser import MISSING, REQUIRE, browser_required, find_chromium


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
