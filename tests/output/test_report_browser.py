"""The HTML report in a real browser: it renders, and its console stays silent."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import render
from click.testing import CliRunner

from contractlint.cli import main

ROOT = Path(__file__).resolve().parents[2]
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


def test_owners_report_renders_without_console_errors(tmp_path, monkeypatch):
    """The merged report of the two example consumers: one self-contained page, a silent console."""
    owners = ROOT / "examples" / "owners"
    runner = CliRunner()
    for name in ("sticker-bot", "shop-web"):
        monkeypatch.chdir(owners / name)
        result = runner.invoke(
            main,
            [
                "report",
                "--today",
                "2026-11-28",
                "--format",
                "json",
                "--output",
                str(tmp_path / f"{name}.json"),
            ],
        )
        assert result.exit_code == 0, result.output
    page = tmp_path / "owners.html"
    result = runner.invoke(
        main,
        ["report", "--from", str(tmp_path / "*.json"), "--today", "2026-12-20",
         "--stale-after", "14", "--format", "html", "--output", str(page)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shot = tmp_path / "owners.png"
    assert render(page, shot) == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
