"""Regenerate the screenshots shown in the README: docs/report.png, the HTML risk report of the
example, and docs/owners-report.png, the owners' report merged from the two consumer projects
under examples/owners/.

python docs/screenshot.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import render  # noqa: E402


def contractlint(*args: str, cwd: Path = ROOT) -> None:
    subprocess.run([sys.executable, "-m", "contractlint", *args], cwd=cwd, check=True)


def shoot(page: Path, target: Path, size: tuple[int, int]) -> None:
    console = render(page, target, size)
    if console:
        sys.exit(f"{page.name} logged to the console:\n" + "\n".join(console))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        contractlint(
            "report",
            "examples/",
            "--today",
            "2026-11-28",
            "--format",
            "html",
            "--output",
            str(page),
        )
        shoot(page, ROOT / "docs" / "report.png", (1100, 1650))
        # The owners' report: each consumer saves its inventory, the owners merge them.
        for name in ("sticker-bot", "shop-web"):
            contractlint(
                "report", "--today", "2026-11-28", "--format", "json",
                "--output", str(Path(tmp) / f"{name}.json"),
                cwd=ROOT / "examples" / "owners" / name,
            )  # fmt: skip
        page = Path(tmp) / "owners.html"
        contractlint(
            "report", "--from", str(Path(tmp) / "*.json"), "--today", "2026-12-20",
            "--stale-after", "14", "--format", "html", "--output", str(page),
        )  # fmt: skip
        shoot(page, ROOT / "docs" / "owners-report.png", (1100, 1500))


if __name__ == "__main__":
    main()
