"""The HTML report in a real browser: it renders, and its console stays silent."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import render
from click.testing import CliRunner

from contractlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.browser


def test_the_console_is_read(tmp_path):
    """Without this control, a browser that logged nothing would pass anything."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><p>x</p><script>console.error("marker"); missingFunction();</script>'
    )
    console = render(page, tmp_path / "broken.png", (400, 300))
    assert any('"marker"' in line for line in console)
    assert any("missingFunction is not defined" in line for line in console)


def test_html_report_renders_without_console_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    page = tmp_path / "report.html"
    result = CliRunner().invoke(
        main,
        ["report", "examples/", "--today", "2026-11-28", "--format", "html", "--output", str(page)],
    )
    assert result.exit_code == 0, result.output
    shot = tmp_path / "report.png"
    console = render(page, shot)
    assert console == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a page of tables and bars, not a blank canvas
