"""A consumer of the example's capability-server contract, checked on a fixed day, for the tests of
acceptances, review dates and severities (tests/acceptance/): the snippets, a check of one file,
its findings as (line, code), and a project written with its configuration."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from exampleclient import CONFIG
from trees import write

from contractlint.config import Config
from contractlint.contracts import load_contracts
from contractlint.engine import check_paths

TODAY = dt.date(2026, 11, 28)
CAPABILITY = load_contracts(["capability-server"])
IMPORT = (
    "from capability_client import CapabilityClient, CapabilityError, Capability\n"
    "client = CapabilityClient()\n"
)


def check(tmp_path: Path, source: str, today: dt.date = TODAY, select=(), ignore=(), **config):
    """Check one file ``m.py`` holding ``source`` against capability-server; return the report."""
    path = tmp_path / "m.py"
    path.write_text(textwrap.dedent(source))
    return check_paths(
        [str(path)],
        Config(root=str(tmp_path), **config),
        CAPABILITY,
        select=select,
        ignore=ignore,
        today=today,
    )


def found(tmp_path: Path, source: str, **kwargs) -> list[tuple[int, str]]:
    """(line, code) of every finding, in output order."""
    return [(f.span.line, f.code) for f in check(tmp_path, source, **kwargs).findings]


def messages(report, code: str) -> list[str]:
    return [f.message for f in report.findings if f.code == code]


def project(tmp_path: Path, files: dict, config: str = CONFIG) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(config)
    return write(tmp_path, files)


UNGUARDED = IMPORT + "def f(u, s):\n    return client.check(u, s){comment}\n"
# A handler that is both silent (CL004) and over-broad (CL005): two findings on one handler line.
SILENT_BROAD = IMPORT + (
    "def f(u, s):\n"
    "    try:\n"
    "        client.check(u, s)\n"
    "    except BaseException:{comment}\n"
    "        pass\n"
)
