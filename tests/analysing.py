"""The analysis of one snippet, as the tests of tests/analysis/ (and of fixes) read it: against the
capability-server contract or one made like it, with the findings as (code, line, column) and the
matched calls as (callee, line, column, state)."""

from __future__ import annotations

from textwrap import dedent, indent

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.contracts import build_contract, load_contracts

CAP = ContractIndex(load_contracts(["capability-server"]))

CHECK = "capability_client.CapabilityClient.check"
GRANT = "capability_client.CapabilityClient.grant"
ERROR = "capability_client.CapabilityError"
IMPORTS = "from capability_client import CapabilityClient, CapabilityError, Capability\n"


def block(text: str, spaces: int) -> str:
    """``text`` (written at column 0) indented by ``spaces``, without its first line's indent."""
    return indent(dedent(text), " " * spaces).lstrip(" ").rstrip("\n")


def analyse(code: str, index: ContractIndex = CAP):
    return analyse_source(dedent(code), "x.py", index)


def found(code: str, index: ContractIndex = CAP):
    """(code, line, column) of every finding, sorted."""
    return sorted((f.code, f.span.line, f.span.column) for f in analyse(code, index).findings)


def calls(code: str, index: ContractIndex = CAP):
    """(callee, line, column, state) of every matched call, in source order."""
    return [(c.callee, c.span.line, c.span.column, c.state) for c in analyse(code, index).calls]


def only(code: str, index: ContractIndex = CAP):
    """The one finding of a snippet."""
    findings = analyse(code, index).findings
    assert len(findings) == 1, [(f.code, f.span.line, f.message) for f in findings]
    return findings[0]


_ERRORS = {
    "capability_client.CapabilityError": ["Exception"],
    "capability_client.CapabilityUnavailable": [
        "capability_client.CapabilityError",
        "ConnectionError",
    ],
    "capability_client.CapabilityTimeout": ["capability_client.CapabilityError", "TimeoutError"],
}


def make_index(aliases=None, **group) -> ContractIndex:
    """A contract like capability-server's first group, with ``group``'s settings."""
    calls_group = {
        "match": ["capability_client.CapabilityClient.check*"],
        "raises": ["capability_client.CapabilityError"],
        "policy": "fail-open",
    }
    calls_group.update(group)
    raw = {
        "version": 1,
        "contract": {"name": "test-service", "summary": "A test contract.", "owner": "tests"},
        "errors": dict(_ERRORS),
        "calls": [calls_group],
        "types": {"capability_client.get_client": "capability_client.CapabilityClient"},
        "approved": {"wrappers": ["capability_client.call_with_fallback"]},
        "aliases": aliases or {},
    }
    return ContractIndex([build_contract(raw, "test.toml")])
