"""Headless Chromium (Debian's ``chromium``) to render a page, screenshot it, and read its console.

Tests marked ``browser`` need it: where it is missing they are skipped, with the reason in the
summary, unless ``CONTRACTLINT_REQUIRE_BROWSER=1`` (set by ``.ci/run``, which installs it) turns
the skip into a failure (tests/conftest.py does both).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


MISSING = "Debian's chromium is not installed: apt-get install chromium (.ci/run installs it)"
REQUIRE = "CONTRACTLINT_REQUIRE_BROWSER"


def find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def chromium() -> str:
    found = find_chromium()
    if not found:
        raise RuntimeError(MISSING)
    return found


def browser_required() -> bool:
    """CONTRACTLINT_REQUIRE_BROWSER=1: a missing chromium fails the browser tests
    instead of skipping them."""
    return os.environ.get(REQUIRE, "") not in ("", "0")


def render(page: Path, screenshot: Path, size: tuple[int, int] = (1200, 1400)) -> list[str]:
    """Screenshot ``page`` and return what it logged to its console."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--screenshot={screenshot}",
                f"--window-size={size[0]},{size[1]}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    if not screenshot.exists():
        raise RuntimeError(
            f"chromium wrote no screenshot (exit {proc.returncode}): {proc.stderr[-2000:]}"
        )
    return [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
