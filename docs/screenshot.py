"""Regenerate docs/report.png, the screenshot of the HTML risk report shown in the README.

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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "contractlint",
                "report",
                "examples/",
                "--today",
                "2026-11-28",
                "--format",
                "html",
                "--output",
                str(page),
            ],
            cwd=ROOT,
            check=True,
        )
        console = render(page, ROOT / "docs" / "report.png", (1100, 1650))
    if console:
        sys.exit("the report logged to the console:\n" + "\n".join(console))


if __name__ == "__main__":
    main()
