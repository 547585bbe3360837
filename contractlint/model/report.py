"""The outcome of one run: every finding and every matched call, for the formatters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Sequence, Tuple

from contractlint.model.contract import Contract
from contractlint.model.finding import CallSite, Finding


@dataclass
class Report:
    contracts: Sequence[Contract]
    findings: List[Finding] = field(default_factory=list)
    calls: List[CallSite] = field(default_factory=list)
    files_checked: int = 0
    files_parsed: int = 0

    def errors(self) -> List[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def summary(self) -> List[Tuple[Contract, int, int, int, int]]:
        """(contract, calls, kept, approved, broken) for each contract in force."""
        out = []
        for contract in self.contracts:
            calls = [c for c in self.calls if c.contract == contract.name]
            counts = {state: sum(1 for c in calls if c.state == state) for state in ("kept", "approved", "broken")}
            out.append((contract, len(calls), counts["kept"], counts["approved"], counts["broken"]))
        return out
