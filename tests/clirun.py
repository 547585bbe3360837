"""The CLI run in-process, as the tests of every command need it: ``invoke`` in the current folder
or ``cwd``, ``run`` from the top of this repository (where ``examples/`` is) or ``cwd``."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result

from contractlint.cli import main

ROOT = Path(__file__).resolve().parent.parent


def runner() -> CliRunner:
    """A runner that keeps stderr apart from stdout, whatever the click version."""
    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        return CliRunner()


def invoke(*args: str, cwd: str | Path | None = None, env=None) -> Result:
    """``contractlint ARGS`` in ``cwd``, with stderr kept apart from stdout."""
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner().invoke(main, list(args), catch_exceptions=False, env=env)
    finally:
        os.chdir(old)


def run(*args: str, cwd: str | Path = ROOT, env=None) -> Result:
    """``contractlint ARGS`` from the top of this repository, or from ``cwd``."""
    return invoke(*args, cwd=cwd, env=env)
