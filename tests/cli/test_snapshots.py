"""Whole-run results on real packages, compared with the results recorded in tests/snapshots/.

Each snapshot is everything a run over a pinned package from PyPI reports: every finding (its
place, code, contract, message, path through the project, suggestion and fix) and every call site
with its state, under the builtin `requests` contract alone and under the default set. They were
recorded from the code as it stood, so a change to the structure or the speed of the tool that
changes any of them fails here; a change meant to alter results records them again, and the diff
of the snapshot is what a reviewer reads:

    CONTRACTLINT_RESNAPSHOT=1 python -m pytest tests/cli/test_snapshots.py

The long texts of a finding (its fix, its suggestion, the contract's remediation) are recorded by
the first 16 hex digits of their SHA-256 digest, so the files stay small: a change to any of them
still fails, and the diff names the finding whose text moved. One finding or call site per line.

The files parsed are part of the record: the prefilter may parse fewer files, never miss a result.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

import pytest
from corpora import fetch

from contractlint.config import Config
from contractlint.contracts import default_names, load_contracts
from contractlint.engine import check_paths
from contractlint.model import Span

pytestmark = pytest.mark.network

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"

#: name: (PyPI project, version): the whole unpacked sdist is checked, tests included, as
#: bench/compare.py checks it.
PACKAGES = {
    "django": ("Django", "5.1.4"),
    "airflow-amazon": ("apache-airflow-providers-amazon", "9.39.0"),
    "apprise": ("apprise", "1.9.5"),
    "hvac": ("hvac", "2.3.0"),
    "docker": ("docker", "7.1.0"),
    "rq": ("rq", "2.6.0"),
    "watchtower": ("watchtower", "3.4.0"),
}
CONTRACT_SETS = {"requests": ["requests"], "default": None}
#: The fields of a finding recorded by their digest.
DIGESTED = ("fix", "remediation", "suggestion")


def _root(name: str) -> Path:
    unpacked = fetch(*PACKAGES[name])
    inner = [p for p in unpacked.iterdir() if p.is_dir()]
    return inner[0] if len(inner) == 1 else unpacked


def record(name: str, contracts: str) -> dict:
    """Everything a run over the package reports, as plain sorted data."""
    root = _root(name)
    names = CONTRACT_SETS[contracts] or default_names()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        report = check_paths(["."], Config(root="."), load_contracts(names), jobs=1, cache_dir=None)
    finally:
        os.chdir(cwd)
    findings = []
    for f in report.findings:
        entry = _plain(dataclasses.asdict(f))
        entry["span"] = list(f.span)
        entry.pop("fingerprint")
        findings.append(entry)
    calls = []
    for c in report.calls:
        entry = _plain(dataclasses.asdict(c))
        entry["span"] = list(c.span)
        calls.append(entry)
    findings.sort(key=lambda e: json.dumps(e, sort_keys=True))
    calls.sort(key=lambda e: json.dumps(e, sort_keys=True))
    return {
        "package": f"{PACKAGES[name][0]}=={PACKAGES[name][1]}",
        "contracts": names,
        "files_checked": report.files_checked,
        "files_parsed": report.files_parsed,
        "findings": findings,
        "calls": calls,
    }


def _plain(value):
    """``value`` with each span inside it (a fix's edits) as a mapping of its fields, as the
    snapshots recorded it."""
    if isinstance(value, Span):
        return dict(value._asdict())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_plain(v) for v in value)
    return value


def digested(snapshot: dict) -> dict:
    """``snapshot`` with the long texts of each finding (``DIGESTED``) as their digest, the
    findings sorted again by what is left."""
    findings = []
    for finding in snapshot["findings"]:
        entry = dict(finding)
        for key in DIGESTED:
            if entry.get(key):
                text = json.dumps(entry[key], sort_keys=True).encode()
                entry[key] = "sha256:" + hashlib.sha256(text).hexdigest()[:16]
        findings.append(entry)
    findings.sort(key=lambda e: json.dumps(e, sort_keys=True))
    return {**snapshot, "findings": findings}


def dumped(snapshot: dict) -> str:
    """The snapshot as JSON, one finding or call site per line."""
    head = {k: v for k, v in snapshot.items() if k not in ("findings", "calls")}
    parts = [json.dumps(head, sort_keys=True)[:-1]]
    for key in ("findings", "calls"):
        rows = ",\n".join(json.dumps(row, sort_keys=True) for row in snapshot[key])
        parts.append(f', "{key}": [\n{rows}\n]' if rows else f', "{key}": []')
    return "".join(parts) + "}\n"


@pytest.mark.parametrize("contracts", sorted(CONTRACT_SETS))
@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_a_run_reports_what_the_snapshot_recorded(name, contracts):
    path = SNAPSHOTS / f"{name}.{contracts}.json"
    now = digested(json.loads(json.dumps(record(name, contracts))))  # tuples as lists
    if os.environ.get("CONTRACTLINT_RESNAPSHOT"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(dumped(now), encoding="utf-8")
    recorded = json.loads(path.read_text(encoding="utf-8"))
    assert now["files_checked"] == recorded["files_checked"]
    # Parsing fewer files is a speed-up; parsing more is allowed too, but must change no result.
    assert now["findings"] == recorded["findings"]
    assert now["calls"] == recorded["calls"]
