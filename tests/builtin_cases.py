"""The builtin contracts by name, and what one of them finds in a snippet of consumer code: the
findings as (code, line) and the matched calls as (callee, line), for the consumer cases of
tests/contracts/test_builtin_contracts_*.py."""

from __future__ import annotations

from textwrap import dedent

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.contracts import builtin_names, load_contracts
from contractlint.model import Contract

ALL = load_contracts(builtin_names())
BY_NAME: dict[str, Contract] = {c.name: c for c in ALL}


def index(name: str) -> ContractIndex:
    return ContractIndex([BY_NAME[name]])


def found(code: str, name: str) -> list[tuple[str, int]]:
    """(code, line) of every finding of a snippet, sorted."""
    result = analyse_source(dedent(code), "x.py", index(name))
    return sorted((f.code, f.span.line) for f in result.findings)


def calls(code: str, name: str) -> list[tuple[str, int]]:
    """(callee, line) of every call the contract matched, sorted."""
    result = analyse_source(dedent(code), "x.py", index(name))
    return sorted((c.callee, c.span.line) for c in result.calls)
