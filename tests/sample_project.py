"""A small project for the tests of a run: files with service calls of every kind, acceptances,
files without any, and what a report says of them."""

from __future__ import annotations

from pathlib import Path

from trees import write

from contractlint.config import Config
from contractlint.contracts import build_contract, load_contracts
from contractlint.engine import check_paths
from contractlint.tomlfile import tomllib

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = load_contracts(["capability-server", "requests", "redis"])

GUARDED = """\
import requests

def fetch(url):
    try:
        return requests.get(url, timeout=1)
    except requests.RequestException:
        return None
"""
UNGUARDED = """\
import requests as r

def fetch(url):
    return r.get(url, timeout=1)
"""
ACCEPTED = """\
from capability_client import CapabilityClient

def send(user, sticker):
    # contractlint: accept CL001 until=2099-01-01 owner=ops -- the sticker is cosmetic
    return CapabilityClient().check(user, sticker)
"""
PLAIN = """\
import os

def join(a):
    return os.path.join(a, "x")
"""


def contract(toml: str):
    return build_contract(tomllib.loads(toml), "svc.toml", toml)


def many(root: Path, count: int = 40) -> Path:
    """A project of ``count`` files: service calls of every kind, acceptances, and files
    without any."""
    kinds = [GUARDED, UNGUARDED, ACCEPTED, PLAIN, "def broken(:\n    pass\nimport requests\n"]
    files = {f"pkg/sub{i % 3}/m{i:03d}.py": kinds[i % len(kinds)] for i in range(count)}
    return write(root, files)


def snapshot(report):
    """Everything a formatter reads, in order."""
    return (
        [(f.path, f.span, f.code, f.message, f.severity, f.fingerprint) for f in report.findings],
        [(c.path, c.span, c.contract, c.callee, c.state) for c in report.calls],
        list(report.files),
        report.files_checked,
        report.files_parsed,
        [
            (r.acceptance.path, r.acceptance.line, r.contracts, r.findings, r.expired)
            for r in report.risks
        ],
    )


def run(root: Path, contracts=CONTRACTS, **options):
    return check_paths([str(root)], Config(root=str(root)), contracts, **options)
