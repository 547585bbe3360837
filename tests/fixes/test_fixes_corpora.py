"""``--fix`` on real packages from PyPI (the pinned corpora of test_corpora.py), on copies.

Every fixed file must parse, a second check must find no CL001/CL002/CL006 that had a safe fix,
and the counts pin what is fixed and what is left as a suggestion for a person: the builtin
contracts for client libraries say ``policy = "any"`` and give no fallback, so most of their
findings need someone to choose.
"""

from __future__ import annotations

import ast
import shutil
from collections import Counter

import pytest
from corpora import fetch

from contractlint.config import Config
from contractlint.contracts import default_names, load_contracts
from contractlint.engine import check_paths, fix_paths

pytestmark = pytest.mark.network

CONTRACTS = load_contracts(default_names())

CORPORA = {
    # name, version, package: (safe fixes, suggestion-only fixes, findings with no edit at all)
    ("docker", "7.1.0", "docker"): (0, 4, 0),
    ("hvac", "2.3.0", "hvac"): (0, 1, 0),
    ("rq", "2.6.0", "rq"): (0, 115, 12),
    ("notion-client", "2.2.1", "notion_client"): (2, 0, 0),
    ("watchtower", "3.4.0", "watchtower"): (0, 1, 0),
}


@pytest.mark.parametrize("corpus", sorted(CORPORA), ids=[c[0] for c in sorted(CORPORA)])
def test_fix_on_a_copy_of_a_real_package(corpus, tmp_path):
    name, version, package = corpus
    root = tmp_path / name
    shutil.copytree(fetch(name, version) / f"{name}-{version}", root)
    # Each call on its own: an error followed to a caller is reported there with advice, not a fix.
    config = Config(root=str(root), follow_calls=False)
    before = check_paths([str(root / package)], config, CONTRACTS)
    safe = [f for f in before.findings if f.fix is not None and f.fix.safe]
    unsafe = [f for f in before.findings if f.fix is not None and not f.fix.safe]
    bare = [f for f in before.findings if f.fix is None]
    assert (len(safe), len(unsafe), len(bare)) == CORPORA[corpus]

    remaining, outcomes = fix_paths([str(root / package)], config, CONTRACTS, write=True)
    assert [p for o in outcomes for p in o.problems] == []
    assert sum(len(o.fixed) for o in outcomes) == len(safe)
    for path in (root / package).rglob("*.py"):
        ast.parse(path.read_bytes())
    again = check_paths([str(root / package)], config, CONTRACTS)
    assert [
        f for f in again.findings if f.code in ("CL001", "CL002", "CL006") and f.fix and f.fix.safe
    ] == []
    assert Counter(f.code for f in again.findings) == Counter(f.code for f in unsafe + bare)
    assert len(remaining.findings) == len(again.findings)
    _, second = fix_paths([str(root / package)], config, CONTRACTS, write=True)
    assert [o for o in second if o.changed] == []


def test_the_notion_client_fix_widens_the_timeout_clause_to_its_base(tmp_path):
    """``except httpx.TimeoutException`` misses the other transport errors:
    TransportError, its base, takes its place (``(TimeoutException, TransportError)``
    would list a class beside its base)."""
    root = tmp_path / "notion"
    shutil.copytree(fetch("notion-client", "2.2.1") / "notion-client-2.2.1", root)
    fix_paths(
        [str(root / "notion_client")],
        Config(root=str(root), follow_calls=False),
        CONTRACTS,
        write=True,
    )
    text = (root / "notion_client" / "client.py").read_text()
    assert text.count("except httpx.TransportError:") == 2
    assert "TimeoutException" not in text
