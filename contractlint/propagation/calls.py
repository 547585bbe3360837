"""The calls of the project's own functions (``Link``), resolved as the fixpoint asks for them: the
callers of a function, and the calls that reach a service once the project's names are known.

A project has many more calls than carriers, and most of its calls can reach none: a call is
resolved only when the last part of its callee is that of a function asked about, of a name the
contracts match, or of a name whose resolution may end under another last part (a renamed
alias, a class whose constructor runs ``__init__``, an attribute holding a value, an element of
a tuple or a list). A call of ``fetch`` can only run a function called ``fetch`` otherwise: the
steps of a resolution keep the last part (``Project.resolve``). When a contract's glob leaves the
last part open (``redis.client.Redis.*``), every call is resolved.

The answers are those of resolving every call: in the order of the files' paths and of the calls
in each file, each call once.

A call whose resolution reached a limit of ``Project`` (``names``: the budget of names, the most
targets, the longest chain) is kept with the name and the limit (``cut_short``): what it may run
past the limit is not followed, which a finding says where it matters (CL902), from what the cut
left out (``left_out``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from contractlint.model import CallGroup, Contract
from contractlint.model.project import Facts, Link
from contractlint.propagation.guards import Judged
from contractlint.propagation.names import ITEM, Project


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
    """A call found to reach a service once the project's names are known
    (``get_session().get``)."""

    site: Site
    contract: Contract
    group: CallGroup
    #: The service's name for what is called (``requests.sessions.Session.get``).
    target: str
    judged: Judged


class CallSites:
    """The calls of the files added so far, by the last part of their callee (an attribute read
    apart from the others): grown file by file as the prefilter's rounds parse more, each call
    placed by its file's path and its place in the file."""

    def __init__(self) -> None:
        #: Each call: its file, the call, and whether the file is a test (whose calls make no
        #: caller).
        self.links: list[tuple[str, Link, bool]] = []
        #: Where each call is: its file's path, and its place among the file's calls.
        self.places: list[tuple[str, int]] = []
        self.by_last: tuple[dict[str, list[int]], dict[str, list[int]]] = (
            defaultdict(list),
            defaultdict(list),
        )
        self._paths: set[str] = set()

    def add(self, facts: Mapping[str, Facts]) -> None:
        """Add the calls of the files of ``facts`` not added before."""
        links, places = self.links, self.places
        for path, fact in facts.items():
            if path in self._paths:
                continue
            self._paths.add(path)
            # A test calls a function to see what it does, not to handle its errors for users.
            test = is_test_module(fact.module)
            for i, link in enumerate(fact.links):
                at = len(links)
                links.append((path, link, test))
                places.append((path, i))
                by_last = self.by_last[link.attribute]
                callee = link.callee
                if len(callee) == 1:
                    by_last[callee[0].rpartition(".")[2]].append(at)
                    continue
                for last in {name.rpartition(".")[2] for name in callee}:
                    by_last[last].append(at)

    def ending(self, words: Iterable[str]) -> set[str]:
        """The callees of the calls added that end with one of ``words``
        (``demand.member_callees`` of their files), through the index: not every call."""
        words = frozenset(words)
        links = self.links
        out: set[str] = set()
        for by_last in self.by_last:
            for word in words:
                for at in by_last.get(word, ()):
                    out.update(n for n in links[at][1].callee if n.rpartition(".")[2] in words)
        return out


class Calls:
    """The calls of ``facts``: ``callers`` of a project function, and ``services``."""

    def __init__(
        self,
        project: Project,
        facts: Mapping[str, Facts],
        everything: bool = False,
        sites: CallSites | None = None,
    ):
        """``sites``: the calls of ``facts`` (every file of them added), when they are at hand."""
        self.project = project
        if sites is None:
            sites = CallSites()
            sites.add(facts)
        self.sites = sites
        self._links = sites.links
        self._by_last = sites.by_last
        self._plans: dict[tuple[tuple[str, ...], bool], tuple[tuple[str, ...], tuple]] = {}
        self._asked: tuple[set[str], set[str]] = (set(), set())
        self._done: set[int] = set()
        self._callers: dict[str, list[tuple[tuple[str, int], Site]]] = defaultdict(list)
        self._sorted: dict[str, list[Site]] = {}
        self._services: list[tuple[tuple[str, int], int, ServiceCall]] = []
        #: The spellings of callees whose resolution was cut short: the name cut, and the limit.
        self._cut_plans: dict[tuple[tuple[str, ...], bool], tuple[str, str]] = {}
        self._cut: list[tuple[tuple[str, int], Site, str, str, bool]] = []
        lasts = {_last(p) for c in project.contracts.values() for g in c.calls for p in g.match}
        #: The last parts of the contracts' ``match`` globs (a glob may stand for any).
        self._service_lasts = lasts
        #: The last parts of callees whose resolution may end under another last part.
        self._renamed = set(self._renaming())
        if everything or any(set(last) & set("*?[") for last in lasts):
            self._resolve(range(len(self._links)))
            return
        held = {name for info in project.classes.values() for name, _ in info.attrs}
        for last in sorted(lasts | held | self._renamed):
            self.ask(last)
        for last in sorted(self._renamed | self._holding_properties()):
            self.ask(last, attribute=True)

    def callers(self, frame: str) -> list[Site]:
        """The calls that may run ``frame``, in the order of the files and of their calls."""
        known = self._sorted.get(frame)
        if known is None:
            self.ask(_last(frame))
            if self.project.is_property(frame):
                self.ask(_last(frame), attribute=True)
            found = sorted(self._callers.get(frame, ()), key=lambda entry: entry[0])
            known = self._sorted[frame] = [site for _, site in found]
        return known

    def services(self) -> list[ServiceCall]:
        """The calls that reach a service, in the order of the files and of their calls."""
        return [call for _, _, call in sorted(self._services, key=lambda e: e[:2])]

    def cut_short(self) -> list[tuple[Site, str, str, bool]]:
        """The calls resolved so far whose resolution was cut short: each call, the name whose
        resolution reached a limit, the limit (``names.NAMES``...), and whether the call is a
        test's (it makes no caller), in the order of the files and of their calls."""
        return [entry[1:] for entry in sorted(self._cut, key=_first)]

    def left_out(self, link: Link) -> tuple[tuple[str, ...], tuple[str, str] | None]:
        """What the resolution of ``link``'s callee left out where it was cut short: what each
        name cut short resolves to with no bound on the targets (``Project.every_target``) that
        the call's own resolution does not (for an attribute read, the properties), in order; and
        unless that is all of it, the first name whose resolution with no bound on the targets
        was cut short too, with the limit it reached (the names budget or the chain)."""
        project = self.project
        kept = {target for name in link.callee for target in project.resolve(name)}
        out: dict[str, None] = {}
        unknown = None
        for name in link.callee:
            if name not in project.cut:
                continue
            every = project.every_target(name)
            if every.cut and unknown is None:
                unknown = (name, every.cut)
            for target in every.targets:
                if target not in kept and (not link.attribute or project.is_property(target)):
                    out[target] = None
        return tuple(out), unknown

    def may_reach(self, frames: Iterable[str], services: bool = True) -> set[str]:
        """The last parts of the callees that may run one of ``frames`` (or, with ``services``, a
        service), whatever the resolution of the call left out: a resolution keeps the last part
        of a name, except for a constructor (``Class(...)`` runs ``Class.__init__``) and a name
        whose resolution may end under another last part (``_renamed``). ``"*"`` stands for every
        last part, when a contract's glob leaves it open."""
        ends = set(self._renamed)
        for frame in frames:
            owner, _, last = frame.rpartition(".")
            ends.add(last)
            if last == "__init__":
                ends.add(_last(owner))
        for pattern in self._service_lasts if services else ():
            if set(pattern) & set("*?["):
                return {"*"}
            ends.add(pattern)
        return ends

    def ask(self, last: str, attribute: bool = False) -> None:
        """Resolve the calls (``attribute``: the attribute reads) whose callee ends in ``last``; for
        ``__init__``, every call whose callee may be a class (``Class(...)`` runs it)."""
        if last in self._asked[attribute]:
            return
        self._asked[attribute].add(last)
        if last == "__init__" and not attribute:
            for cls in self.project.classes:
                self.ask(_last(cls))
        self._resolve(self._by_last[attribute].get(last, ()))

    def _resolve(self, places: Iterable[int]) -> None:
        for at in places:
            if at in self._done:
                continue
            self._done.add(at)
            path, link, test = self._links[at]
            functions, services = self._plan(link)
            place = self.sites.places[at]
            cut = self._cut_plans.get((link.callee, link.attribute))
            if cut is not None:
                self._cut.append((place, Site(path, link), *cut, test))
            if not functions and not services:
                continue
            site = Site(path, link)
            if not test:
                for target in functions:
                    if target != link.frame:  # recursion does not make a caller
                        self._callers[target].append((place, site))
            for target, groups in services:
                for contract, group in groups:
                    judged = Judged(link.guards, group.raises, contract.errors, group.policy)
                    call = ServiceCall(site, contract, group, target, judged)
                    self._services.append((place, len(self._services), call))

    def _plan(self, link: Link) -> tuple[tuple[str, ...], tuple]:
        """What a call may run, split as the fixpoint uses it: the project functions it makes a
        caller of, and the service names with the call groups that match them; worked out once
        for each spelling of a callee (most calls spell theirs as many others do)."""
        key = (link.callee, link.attribute)
        known = self._plans.get(key)
        if known is not None:
            return known
        project = self.project
        targets = sorted({t for name in link.callee for t in project.resolve(name)})
        for name in link.callee:
            if name in project.cut:
                self._cut_plans[key] = (name, project.reached[name])
                break
        functions, services = [], []
        for target in targets:
            if link.attribute and not project.is_property(target):
                continue  # reading an attribute runs nothing else
            if target in project.functions:
                functions.append(target)
            else:
                groups = project.groups_for(target)
                if groups:
                    services.append((target, tuple(groups)))
        known = self._plans[key] = (tuple(functions), tuple(services))
        return known

    def _renaming(self) -> Iterator[str]:
        """The last parts of callees whose resolution may end under another last part, whatever
        they are: a renamed alias, a name the contracts rename, an element of a tuple or a list."""
        project = self.project
        for name, target in project.aliases.items():
            if name != target and _last(name) != _last(target):
                yield _last(name)
        for key, value in project.contract_aliases.items():
            if _last(key) != _last(value):
                yield _last(key)
        for by_last in self._by_last:
            yield from (last for last in by_last if last.startswith("<") or last == ITEM)

    def _holding_properties(self) -> set[str]:
        """The class attributes that may hold a property's value, or what a method of their own
        value returns: reading one may run a property of another name."""
        project = self.project
        out = set()
        for info in project.classes.values():
            for name, held in info.attrs:
                if f".{name}." in held or any(
                    project.is_property(t) for t in project.resolve(held)
                ):
                    out.add(name)
        return out


def origin(path: str, span) -> str:
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


def _first(entry: tuple) -> tuple[str, int]:
    return entry[0]


def _last(name: str) -> str:
    return name.rpartition(".")[2]
