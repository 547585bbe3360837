"""Whose an inventory is: the project's name and the commit it was made from."""

from __future__ import annotations

import os
import subprocess

from contractlint.config import Config
from contractlint.errors import UserError
from contractlint.tomlfile import read_toml


def project_name(config: Config) -> str:
    """``[project] name`` of the configuration's ``pyproject.toml``, else the name of its folder
    (the working folder when there is none)."""
    if config.source:
        try:
            project = read_toml(config.source).get("project")
        except UserError:
            project = None
        name = project.get("name") if isinstance(project, dict) else None
        if isinstance(name, str) and name.strip():
            return name.strip()
    return os.path.basename(os.path.abspath(config.root)) or "project"


def head_commit(root: str) -> str | None:
    """The commit checked out in ``root``, or None outside a git checkout (or without git)."""
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = proc.stdout.strip()
    return commit if proc.returncode == 0 and commit else None
