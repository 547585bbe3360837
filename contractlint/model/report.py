"""The outcome of one run: every finding and every matched call, for the formatters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from contractlint.model.acceptance import Acceptance
from contractlint.model.contract import Contract
from contractlint.model.finding import CallSite, Finding
from contractlint.model.vocabulary import Severity, State


@dataclass(frozen=True)
class Risk:
    """An acceptance as the owners review it: what it covers, for which contracts, until when."""

    acceptance: Acceptance
    contracts: tuple[str, ...]
    #: Findings it names that are reported where it stands (covered, or uncovered when expired).
    findings: int
    expired: bool


#: Every state a call can be in, from best to worst.
STATES = tuple(State)


@dataclass
class Report:
    contracts: Sequence[Contract]
    findings: list[Finding] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    files_checked: int = 0
    files_parsed: int = 0
    #: Every checked file, as findings show its path, in the order checked (JUnit has a test case
    #: per file).
    files: list[str] = field(default_factory=list)
    #: Every well-formed acceptance comment, expired or not, with what it covers.
    risks: list[Risk] = field(default_factory=list)
    #: Findings a baseline holds (not reported), and baseline entries that no longer occur.
    baselined: list[Finding] = field(default_factory=list)
    baseline_gone: list[Any] = field(default_factory=list)

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    def summary(self) -> list[tuple[Contract, int, int, int, int]]:
        """(contract, calls, kept, approved, broken) for each contract in force."""
        out = []
        for contract in self.contracts:
            counts = self.states(contract.name)
            out.append(
                (
                    contract,
                    sum(counts.values()),
                    counts[State.KEPT],
                    counts[State.APPROVED],
                    counts[State.BROKEN],
                )
            )
        return out

    def states(self, contract: str) -> dict[State, int]:
        """How many calls of ``contract`` are in each state."""
        counts = {state: 0 for state in STATES}
        for call in self.calls:
            if call.contract == contract:
                counts[call.state] += 1
        return counts
