"""Projects for the tests of following service errors (tests/propagation/): the contracts they use
(the example's capability-server, the builtin requests contract), a check of a few files written
into the project, and the findings as rows a test compares."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path

from exampleclient import CONTRACT, MODULE
from trees import write

from contractlint.config import Config
from contractlint.contracts import load_contract
from contractlint.engine import check_paths

REPO = Path(__file__).resolve().parent.parent
CAPABILITY = CONTRACT
REQUESTS = REPO / "rules" / "requests.toml"
CLIENT_STUB = MODULE

CAP_VIA = "via {chain}, and nothing up the call chain handles it; the contract says fail open"
REQ_ERRORS = "requests.exceptions.ConnectionError, requests.exceptions.Timeout"


def facts_of(files: dict[str, str], contracts) -> dict:
    """The facts of each file of ``files`` (path → source, indented as written in a test), its
    module named from its path, in a project whose top-level name is ``app``."""
    from contractlint.analysis import analyse_source
    from contractlint.analysis.index import ContractIndex

    index = ContractIndex(contracts)
    out = {}
    for path, text in files.items():
        module = path[:-3].replace("/", ".").removesuffix(".__init__")
        source = textwrap.dedent(text).lstrip("\n")
        out[path] = analyse_source(source, path, index, module, project=frozenset({"app"})).facts
    return out


def stdlib_facts(packages, contracts) -> dict:
    """The facts of the modules of some packages of the running Python's standard library, in
    path order: real class families, with bases and subclasses in different files."""
    import sysconfig

    from contractlint.analysis import analyse_source
    from contractlint.analysis.index import ContractIndex

    index = ContractIndex(contracts)
    root = Path(sysconfig.get_paths()["stdlib"])
    out = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            module = relative[:-3].replace("/", ".").removesuffix(".__init__")
            found = analyse_source(path.read_bytes(), relative, index, module, project=frozenset())
            if found.facts is not None:
                out[relative] = found.facts
    return out


def cap():
    return load_contract(str(CAPABILITY))


def req():
    return load_contract(str(REQUESTS))


def check(
    root: Path,
    files: dict[str, str],
    contracts,
    paths: Sequence[str] = ("app",),
    config: Config | None = None,
    **options,
):
    write(root, files, lstrip=True)
    return check_paths(list(paths), config or Config(root=str(root)), contracts, **options)


def place(finding):
    """Where a finding is, and its code: (path, line, column, code)."""
    return (finding.path, finding.span.line, finding.span.column, finding.code)


def rows(report):
    return [place(f) for f in report.findings]


def only(report):
    assert len(report.findings) == 1, [
        (r, f.message) for r, f in zip(rows(report), report.findings)
    ]
    return report.findings[0]


CAP_CLIENT = """
from capability_client import CapabilityClient


def fetch(user, sticker):
    return CapabilityClient().check(user, sticker)
"""

REQ_CLIENT = """
import requests

URL = "http://example.invalid"


def fetch(url=URL):
    return requests.get(url, timeout=1)
"""


def key(report):
    return [
        (f.path, f.span.line, f.span.column, f.code, f.message, f.via, f.origins)
        for f in report.findings
    ]


def parsed_and_same(root, files, reported):
    """Check ``files`` under the requests contract with the prefilter: the findings must be those
    of a run that parses every file, in ``reported``; the number of files parsed."""
    report = check(root, files, [req()])
    every = check(root, {}, [req()], use_prefilter=False)
    assert key(report) == key(every)
    assert {f.path for f in report.findings} == reported
    return report.files_parsed


def searched_alone(monkeypatch) -> list[frozenset[str]]:
    """Every member whose name few files hold searched by its name alone, however small its
    family; the names each round searched so, as the rounds say them."""
    from contractlint.propagation import rounds

    monkeypatch.setattr(rounds, "FAMILY", 0)
    said: list[frozenset[str]] = []
    demand = rounds.demand

    def recording(project, callees, words, ours, alone=()):
        said.append(frozenset(alone))
        return demand(project, callees, words, ours, alone)

    monkeypatch.setattr(rounds, "demand", recording)
    return said
