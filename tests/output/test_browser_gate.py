"""Tests marked ``browser`` skip, with the reason shown, where chromium is missing; under
CONTRACTLINT_REQUIRE_BROWSER=1 (as .ci/run sets it) they fail instead, so CI always runs them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from browser import MISSING, REQUIRE

pytest_plugins = ["pytester"]

TESTS = Path(__file__).resolve().parents[1]

GATED = """
    import pytest

    @pytest.mark.browser
    def test_renders():
        pass

    def test_plain():
        pass
"""


@pytest.fixture
def gated(pytester, tmp_path, monkeypatch):
    """An inner pytest run with this folder's conftest.py, a browser-marked test, no
    chromium on PATH."""
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    monkeypatch.delenv(REQUIRE, raising=False)
    pytester.syspathinsert(TESTS)
    pytester.makeconftest((TESTS / "conftest.py").read_text(encoding="utf-8"))
    pytester.makeini("[pytest]\nmarkers =\n    browser: needs chromium\n")
    pytester.makepyfile(test_gate=GATED)
    return path


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # hypothesis's plugin is left out: it re-imports hypothesis, which takes seconds
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


def test_browser_tests_skip_with_the_reason_where_chromium_is_missing(pytester, gated):
    result = run(pytester, "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines([f"SKIPPED [[]1[]] test_gate.py:*: {MISSING}"])


@pytest.mark.parametrize("value", ["1", "yes"])
def test_browser_tests_fail_where_ci_requires_them(pytester, gated, monkeypatch, value):
    monkeypatch.setenv(REQUIRE, value)
    result = run(pytester, "-rE")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at setup of test_renders*", f"{MISSING}; {REQUIRE} is set, so *"]
    )


def test_zero_does_not_require_the_browser(pytester, gated, monkeypatch):
    monkeypatch.setenv(REQUIRE, "0")
    run(pytester).assert_outcomes(passed=1, skipped=1)


def test_browser_tests_run_where_chromium_is(pytester, gated, monkeypatch):
    fake = gated / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(REQUIRE, "1")
    run(pytester).assert_outcomes(passed=2)
