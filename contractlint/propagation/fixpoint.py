"""The carriers of the project: every function a service error leaves, and the calls it leaves
them through, found by following each error up through the callers of the function it leaves
until nothing changes (a fixpoint).

A call of a project function makes a *caller* of it; a call that turns out to reach the service
itself (``get_session().get(url)``) is a service call like those the analysis of one file finds
(``Calls``: each call is resolved once, when the fixpoint may need it).
An error that leaves a function (``Escape``, or a service call found here) makes the function a
carrier of the error's call group; each of its callers is judged like a service call
(``Judged``), and a caller that lets the error go on is a carrier in turn. A carrier keeps the
path of the first way the error reached it, and the service calls each error comes from.

The callers are visited in the order of the files' paths and of the calls in each file, so the
paths and findings are the same however the facts were gathered.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from contractlint.model import Contract
from contractlint.model.budgets import LIMITS, Limits
from contractlint.model.collector import uncollected
from contractlint.model.project import Facts
from contractlint.propagation.calls import Calls, CallSites, ServiceCall, Site, origin
from contractlint.propagation.guards import Judged
from contractlint.propagation.names import Project, short


@dataclass(frozen=True, order=True)
class Carrier:
    """A function that lets errors of one call group of one contract escape."""

    frame: str
    contract: str
    group: int


@dataclass
class Carried:
    """Errors of one call group that leave one function, and how they got there."""

    #: The functions the error passes through after this one, down to the service call.
    chain: tuple[str, ...]
    #: Each error, and the service calls (path:line:column) it comes from.
    origins: dict[str, set[str]]

    @property
    def errors(self) -> set[str]:
        return set(self.origins)


class Follow:
    """The project's calls resolved, and every error followed up through the callers of the
    functions it leaves: ``carried[Carrier(frame, contract, group)]``."""

    def __init__(
        self,
        facts: Mapping[str, Facts],
        contracts: Sequence[Contract],
        everything: bool = False,
        limits: Limits = LIMITS,
        sites: CallSites | None = None,
        order: Mapping[str, int] | None = None,
        families: Project | None = None,
    ):
        """``everything``: resolve every call of the project, not only those that may matter
        (``Calls``; the answers are the same). ``limits``: those of each resolution. ``sites``:
        the calls of ``facts``, when they are at hand (``CallSites``, grown round after round).
        ``order``: each file's place in the run (``Project``). ``families``: a project of the
        same files whose classes' families are worked out (``Project.adopt``)."""
        with uncollected():
            self._follow(facts, contracts, everything, limits, sites, order, families)

    def _follow(
        self,
        facts: Mapping[str, Facts],
        contracts: Sequence[Contract],
        everything: bool,
        limits: Limits,
        sites: CallSites | None,
        order: Mapping[str, int] | None,
        families: Project | None,
    ) -> None:
        self.project = project = Project(facts, contracts, limits, order)
        if families is not None:
            project.adopt(families)
        self.calls = Calls(project, facts, everything, sites)
        #: Service calls found only once the project's names are known, judged like a carrier's
        #: call.
        self.services: list[ServiceCall] = self.calls.services()
        ordered = sorted(facts.items())
        self.carried: dict[Carrier, Carried] = {}
        self._queue: deque[Carrier] = deque()
        for path, fact in ordered:
            for escape in fact.escapes:
                self._carry(
                    Carrier(escape.frame, escape.contract, escape.group),
                    {e: [origin(path, escape.span)] for e in escape.errors},
                    (short(escape.callee),),
                )
        for call in self.services:
            if call.judged.escaping:
                self._carry(
                    Carrier(call.site.link.frame, call.contract.name, call.group.index),
                    {e: [call.site.origin] for e in call.judged.escaping},
                    (short(call.target),),
                )
        while self._queue:
            key = self._queue.popleft()
            entry = self.carried[key]
            contract = project.contracts[key.contract]
            group = contract.calls[key.group - 1]
            for site in self.callers(key.frame):
                judged = Judged(
                    site.link.guards, sorted(entry.errors), contract.errors, group.policy
                )
                if judged.escaping:
                    chain = (project.display.get(key.frame, key.frame), *entry.chain)
                    self._carry(
                        Carrier(site.link.frame, key.contract, key.group),
                        {e: entry.origins[e] for e in judged.escaping},
                        chain,
                    )

    def _carry(
        self, key: Carrier, origins: Mapping[str, Iterable[str]], chain: tuple[str, ...]
    ) -> None:
        """``origins``: each error that leaves ``key.frame``, and the service calls it comes
        from."""
        entry = self.carried.get(key)
        if entry is None:
            entry = self.carried[key] = Carried(chain, {})
        grew = False
        for error, where in origins.items():
            known = entry.origins.setdefault(error, set())
            if not known.issuperset(where):
                known.update(where)
                grew = True
        if grew:
            self._queue.append(key)

    def callers(self, frame: str) -> list[Site]:
        """The calls of the project that may run ``frame`` (a test's calls are none)."""
        return self.calls.callers(frame) if frame in self.project.functions else []

    def root(self, frame: str) -> bool:
        """Whether an error that leaves ``frame`` leaves the project: nothing checked calls it."""
        return not self.callers(frame)
