"""The carriers of the project: every function a service error leaves, and the calls it leaves
them through, found by following each error up through the callers of the function it leaves
until nothing changes (a fixpoint).

Each call of the project's own functions (a ``Link``) is resolved once (``Project.resolve``): a
call of a project function makes a *caller* of it; a call that turns out to reach the service
itself (``get_session().get(url)``) is a service call like those the analysis of one file finds.
An error that leaves a function (``Escape``, or a service call found here) makes the function a
carrier of the error's call group; each of its callers is judged like a service call
(``Judged``), and a caller that lets the error go on is a carrier in turn. A carrier keeps the
path of the first way the error reached it, and the service calls each error comes from.

The callers are visited in the order of the files' paths and of the calls in each file, so the
paths and findings are the same however the facts were gathered.
"""

from __future__ import annotations

import gc
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from contractlint.model import CallGroup, Contract, Span
from contractlint.model.project import Facts, Link
from contractlint.propagation.guards import Judged
from contractlint.propagation.names import Project, short


@dataclass(frozen=True)
class Site:
    """A call in a file of the project."""

    path: str
    link: Link

    @property
    def origin(self) -> str:
        return origin(self.path, self.link.span)


@dataclass(frozen=True)
class ServiceCall:
    """A call found to reach a service once the project's names are known (``get_session().get``)."""

    site: Site
    contract: Contract
    group: CallGroup
    #: The service's name for what is called (``requests.sessions.Session.get``).
    target: str
    judged: Judged


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

    def __init__(self, facts: Mapping[str, Facts], contracts: Sequence[Contract]):
        with uncollected():
            self._follow(facts, contracts)

    def _follow(self, facts: Mapping[str, Facts], contracts: Sequence[Contract]) -> None:
        self.project = project = Project(facts, contracts)
        self.callers: dict[str, list[Site]] = defaultdict(list)
        #: Service calls found only once the project's names are known, judged like a carrier's call.
        self.services: list[ServiceCall] = []
        ordered = sorted(facts.items())
        plans = _Plans(project)
        for path, fact in ordered:
            # A test calls a function to see what it does, not to handle its errors for users.
            test = is_test_module(fact.module)
            for link in fact.links:
                functions, services = plans.of(link)
                if not functions and not services:
                    continue
                site = Site(path, link)
                if not test:
                    for target in functions:
                        if target != link.frame:  # recursion does not make a caller
                            self.callers[target].append(site)
                for target, groups in services:
                    for contract, group in groups:
                        judged = Judged(link.guards, group.raises, contract.errors, group.policy)
                        self.services.append(ServiceCall(site, contract, group, target, judged))
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
            for site in self.callers.get(key.frame, ()):
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
        """``origins``: each error that leaves ``key.frame``, and the service calls it comes from."""
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

    def root(self, frame: str) -> bool:
        """Whether an error that leaves ``frame`` leaves the project: nothing checked calls it."""
        return frame not in self.project.functions or not self.callers.get(frame)


class _Plans:
    """What a call may run, split as the fixpoint uses it: the project functions it makes a caller
    of, and the service names with the call groups that match them; worked out once for each
    spelling of a callee (most calls of a project spell theirs as many others do)."""

    def __init__(self, project: Project):
        self.project = project
        self._known: dict[tuple[tuple[str, ...], bool], tuple[tuple[str, ...], tuple]] = {}

    def of(self, link: Link) -> tuple[tuple[str, ...], tuple]:
        key = (link.callee, link.attribute)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._plan(*key)
        return known

    def _plan(self, callee: tuple[str, ...], attribute: bool) -> tuple[tuple[str, ...], tuple]:
        project = self.project
        if len(callee) == 1:
            targets = sorted(set(project.resolve(callee[0])))
        else:
            targets = sorted({t for name in callee for t in project.resolve(name)})
        functions, services = [], []
        for target in targets:
            if attribute and not project.is_property(target):
                continue  # reading an attribute runs nothing else
            if target in project.functions:
                functions.append(target)
            else:
                groups = project.groups_for(target)
                if groups:
                    services.append((target, tuple(groups)))
        return tuple(functions), tuple(services)


@contextmanager
def uncollected() -> Iterator[None]:
    """No cyclic garbage collection while the pass makes its many small objects and frees none:
    each collection would walk every object the run holds (the facts of every file)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def origin(path: str, span: Span) -> str:
    """``path:line:column`` of a call, as findings name the service calls an error comes from."""
    return f"{path}:{span.line}:{span.column}"


def is_test_module(module: str) -> bool:
    """A test module by pytest's and unittest's naming, within the project: in a ``tests`` package,
    ``test_x``, ``x_test`` or ``conftest``."""
    parts = module.split(".")
    name = parts[-1]
    return (
        any(p in ("test", "tests", "testing") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test")
        or name == "conftest"
    )
