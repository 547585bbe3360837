"""The CLI run in-process, as the tests of every command need it."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result

from contractlint.cli import main


def invoke(*args: str, cwd: str | Path | None = None, env=None) -> Result:
    """``contractlint ARGS`` in ``cwd``, with stderr kept apart from stdout whatever the click version."""
    try:
        runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        runner = CliRunner()
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False, env=env)
    finally:
        os.chdir(old)
