"""Files and git repositories that a test writes under its temporary folder.

``write(root, files)`` lays out a tree of small files (``{"pkg/mod.py": text}``), dedenting each
text so that tests can indent their snippets with the code around them; ``git(repo, ...)`` runs a
real git there and fails the test, with git's own message, when git does."""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Mapping
from pathlib import Path


def write(
    root: Path, files: Mapping[str, str], *, dedent: bool = True, lstrip: bool = False
) -> Path:
    """Write each ``name: text`` under ``root``, making the folders; ``dedent`` the texts, and
    ``lstrip`` their leading newlines (a snippet that opens ``\"\"\"`` on a line of its own then
    starts on line 1). Returns ``root``."""
    for name, text in files.items():
        if dedent:
            text = textwrap.dedent(text)
        if lstrip:
            text = text.lstrip("\n")
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def git(repo: Path, *args: str) -> str:
    """``git ARGS`` in ``repo``: its output; a failure fails the test with git's message."""
    proc = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
