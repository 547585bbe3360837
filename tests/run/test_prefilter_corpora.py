"""The prefilter is sound: on real packages from PyPI, skipping the files it turns away changes no
finding and no call site (and the cache and the workers change nothing either)."""

from __future__ import annotations

import pytest
from corpora import fetch
from propagating import searched_alone

from contractlint.config import Config
from contractlint.contracts import builtin_names, load_contracts
from contractlint.engine import check_paths

pytestmark = pytest.mark.network

CONTRACTS = load_contracts(builtin_names())


def observed(report):
    return (
        [(f.path, f.span, f.code, f.message, f.fingerprint) for f in report.findings],
        [(c.path, c.span, c.contract, c.callee, c.state) for c in report.calls],
    )


CORPORA = pytest.mark.parametrize(
    "name, version, package",
    [
        ("docker", "7.1.0", "docker"),
        ("rq", "2.6.0", "rq"),
        ("hvac", "2.3.0", "hvac"),
    ],
)


def corpus(name, version, package):
    root = fetch(name, version) / f"{name}-{version}"
    return [str(root / package)], Config(root=str(root))


@CORPORA
def test_findings_are_the_same_with_and_without_the_prefilter(name, version, package, tmp_path):
    paths, config = corpus(name, version, package)
    filtered = check_paths(paths, config, CONTRACTS, jobs=2)
    everything = check_paths(paths, config, CONTRACTS, jobs=2, use_prefilter=False)
    assert everything.files_parsed == everything.files_checked > filtered.files_parsed > 0
    assert filtered.calls, "the corpus must hold service calls for the comparison to mean anything"
    assert observed(filtered) == observed(everything)
    # In-process, and through a cache written by one run and read by the next: the same again.
    cache_dir = str(tmp_path / "cache")
    assert observed(check_paths(paths, config, CONTRACTS, jobs=1, cache_dir=cache_dir)) == observed(
        filtered
    )
    assert observed(check_paths(paths, config, CONTRACTS, jobs=2, cache_dir=cache_dir)) == observed(
        filtered
    )


@CORPORA
def test_members_searched_alone_find_the_same(name, version, package, monkeypatch):
    """Every member whose name few files hold searched by its name alone, however small its
    family (``contractlint.propagation.demand``): the same findings as parsing every file."""
    paths, config = corpus(name, version, package)
    everything = check_paths(paths, config, CONTRACTS, jobs=2, use_prefilter=False)
    said = searched_alone(monkeypatch)
    alone = check_paths(paths, config, CONTRACTS, jobs=2)
    assert any(said), "no member was searched alone: the comparison would mean nothing"
    assert everything.files_parsed > alone.files_parsed
    assert observed(alone) == observed(everything)
