"""What a session's runs reached and how they ended: per call site, and the tests worth a word.

Every run is recorded once it ends. A call site remembers the tests that reached it and each run
that faulted it (one per run, however many times a loop called from that line), so that the summary
can tell a site proven under fault from one only reached, and both from one no test reached.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import NamedTuple

from contractlint.faults.inject import Site
from contractlint.faults.runs import Run
from contractlint.faults.verdict import Verdict


class SiteKey(NamedTuple):
    """A call site of one call group: what the summary sorts and the static map is keyed by."""

    contract: str
    group: int
    #: Absolute.
    path: str
    line: int


class FaultedRun(NamedTuple):
    """A run that injected an error at a site: its id, its verdict's word, whether it passed."""

    nodeid: str
    word: str
    ok: bool


#: The word of a site faulted by the ``contract_faults`` fixture: the test asserts on the result
#: itself.
BY_FIXTURE = "contract_faults"


@dataclass
class SiteRecord:
    site: Site
    #: The dotted name of the function called there.
    callee: str
    reached_by: list[str] = field(default_factory=list)
    faulted: list[FaultedRun] = field(default_factory=list)


@dataclass
class Ledger:
    sites: dict[SiteKey, SiteRecord] = field(default_factory=dict)
    #: Tests whose plain run reached no call of the contracts.
    not_exercised: list[str] = field(default_factory=list)
    #: Tests that reached a call but failed without a fault: they are not run with one.
    failing_plain: list[str] = field(default_factory=list)
    #: Every judged fault run, in the order they ran.
    runs: list[tuple[str, Verdict]] = field(default_factory=list)
    #: Fault runs that no longer reached the call they were made for (skipped).
    unreached_runs: list[str] = field(default_factory=list)

    def record(self, run: Run) -> None:
        if run.variant is None:
            if run.call_outcome in (None, "skipped"):
                return  # never ran, skipped itself, or xfailed: nothing to say about its calls
            if not run.calls:
                self.not_exercised.append(run.nodeid)
            elif run.call_outcome != "passed" and not run.brings_faults:
                self.failing_plain.append(run.nodeid)
        elif run.verdict is None and run.call_outcome == "skipped":
            self.unreached_runs.append(run.nodeid)
        elif run.verdict is not None:
            self.runs.append((run.nodeid, run.verdict))
        for call in run.calls:
            key = SiteKey(
                call.target.contract.name,
                call.target.group.index,
                os.path.abspath(call.site.path),
                call.site.line,
            )
            record = self.sites.get(key)
            if record is None:
                record = self.sites[key] = SiteRecord(call.site, call.target.qualname)
            if any(f.nodeid == run.nodeid for f in record.faulted):
                continue  # a loop's calls from one line: one run under fault, not one per call
            if run.variant is None and call.error is None:
                if run.test not in record.reached_by:
                    record.reached_by.append(run.test)
            elif call.error is not None:
                if run.verdict is not None and run.variant is not None:
                    record.faulted.append(FaultedRun(run.nodeid, run.verdict.word, run.verdict.ok))
                elif run.variant is None:
                    record.faulted.append(FaultedRun(run.nodeid, BY_FIXTURE, True))

    def verdicts(self, contract: str) -> list[Verdict]:
        """The verdicts of the fault runs of one contract's calls."""
        return [
            v
            for _, v in self.runs
            if v.call is not None and v.call.target.contract.name == contract
        ]
