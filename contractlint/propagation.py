"""Following a service error through the project: helpers, wrappers and declared propagation.

The analysis of one file says which service errors leave each of its functions (``Escape``) and
which calls it makes of the project's own functions (``Link``). Here the facts of every checked
file are joined:

- a function that lets an error of a call group escape is a *carrier* of that group; a call of a
  carrier is judged like a service call (guards and handlers), and if the error escapes there too,
  the calling function is a carrier in turn;
- the project's own names are resolved across modules: re-exports, relative imports (done by the
  analysis), methods through ``self`` and the project's classes and their bases, instances held in
  attributes, and factories (a function or property that returns a client, by its annotation or
  by every ``return``), so a call such as ``get_session().get(url)`` is found to be a service call;
- an error may leave a function through a declared channel: a ``Raises:`` docstring that names it
  (or a base), or the ``propagate`` globs of the configuration;
- an error that escapes is reported where it leaves the project: in a function that no checked
  code calls (an entry point, a route handler, a public function, module-level code), at the call
  that lets it out, with the path it took. The calls inside carriers are not reported: whoever
  calls them decides.

Only plain data is handled here (``contractlint.model.project``): no parsing.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import (
    Callable,
)

from contractlint.model import (
    BUILTIN_ALIASES,
    CallSite,
    Contract,
    Finding,
    canonical_name,
    glob_to_regex,
    rule_by_code,
)
from contractlint.model.project import (
    Escape,
    Facts,
    FunctionFacts,
    GuardFacts,
    HandlerFacts,
    Link,
    Reach,
    handler_problems,
)

#: How the analysis names an item of what a function returns (``Group.all.<item>``).
ITEM = "<item>"
#: The most things one name may resolve to (a method of a base class with many overrides).
MAX_TARGETS = 64

_POLICY_WORDS = {
    "fail-open": "fail open",
    "fail-closed": "fail closed",
    "any": "handle the failure",
}


@dataclass
class _Carried:
    """Errors of one call group that leave one function, and how they got there."""

    #: The functions the error passes through after this one, down to the service call.
    chain: tuple[str, ...]
    #: Each error, and the service calls (path:line:column) it comes from.
    origins: dict[str, set[str]]

    @property
    def errors(self) -> set[str]:
        return set(self.origins)


@dataclass(frozen=True)
class _Site:
    path: str
    link: Link


class Project:
    """The names of the checked project, from the facts of its files."""

    def __init__(self, facts: Mapping[str, Facts], contracts: Sequence[Contract]):
        self.contracts = {c.name: c for c in contracts}
        aliases = dict(BUILTIN_ALIASES)
        for contract in contracts:
            aliases.update(contract.aliases)
        self.contract_aliases = aliases
        #: The contracts' factories (``redis.client.Redis.pipeline`` makes a ``Pipeline``).
        self.types = {
            self.canonical(k): self.canonical(v) for c in contracts for k, v in c.types.items()
        }
        self.functions: dict[str, FunctionFacts] = {}
        self.display: dict[str, str] = {}
        self.classes = {}
        self.aliases: dict[str, str] = {}
        self.instances: dict[str, str] = {}
        self.subclasses: dict[str, list[str]] = defaultdict(list)
        self.modules: set[str] = set()
        for fact in facts.values():
            self.modules.add(fact.module)
            for function in fact.functions:
                self.functions[function.qual] = function
                self.display[function.qual] = function.qual[len(fact.module) + 1 :]
            for cls in fact.classes:
                self.classes[cls.qual] = cls
                for base in cls.bases:
                    self.subclasses[base].append(cls.qual)
            self.aliases.update(fact.aliases)
            self.instances.update(fact.instances)
        self._resolved: dict[str, tuple[str, ...]] = {}
        self._depth = 0
        self._subclasses_of: dict[str, list[str]] = {}
        self._groups: dict[str, list] = {}

    def canonical(self, name: str) -> str:
        return canonical_name(name, self.contract_aliases)

    def resolve(self, name: str) -> tuple[str, ...]:
        """What a dotted name may denote once the project's names are known: project functions
        (``pkg.mod.Class.method``) and names outside the project (``requests.sessions.Session.get``)."""
        known = self._resolved.get(name)
        if known is None:
            if self._depth > 12:
                return ()  # a chain of names this long is not followed
            self._resolved[
                name
            ] = ()  # a cycle (of aliases, attributes, factories) resolves to nothing
            self._depth += 1
            try:
                known = tuple(dict.fromkeys(self._resolve(name, 0)))[:MAX_TARGETS]
            finally:
                self._depth -= 1
            self._resolved[name] = known
        return known

    def _resolve(self, name: str, depth: int) -> list[str]:
        """One step of ``resolve``; every further step goes through ``resolve``, whose memory keeps
        a class hierarchy with many overrides from being walked again for each name that reaches it."""
        if depth:
            return list(self.resolve(name))
        if "[]" in name:  # a list of X (``-> List[X]``, ``self.queues = [Queue(n) for n in ...]``)
            if f"[].{ITEM}" not in name:
                return []  # a method of the list itself
            name = name.replace(f"[].{ITEM}", "")
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            head, rest = ".".join(parts[:i]), parts[i:]
            if head in self.aliases and self.aliases[head] != head:
                return self._resolve(_dotted(self.aliases[head], rest), depth + 1)
            if head in self.instances:
                return self._resolve(_dotted(self.instances[head], rest), depth + 1) if rest else []
            if head in self.functions:
                if not rest:
                    owner, _, attr = head.rpartition(".")
                    if owner in self.classes:  # a method: a subclass may override it
                        return [f for f in self._member(owner, attr) if f in self.functions] or [
                            head
                        ]
                    return [head]
                made = self.functions[
                    head
                ].returns  # ``get_session().get``: a method of what it returns
                if made and "|" in made and not made.startswith("("):  # one of several
                    return [
                        r
                        for one in made.split("|")
                        for r in self._resolve(_dotted(one, rest), depth + 1)
                    ]
                if made and made.startswith("("):  # a tuple: ``<i>`` picks element i
                    fields = made[1:-1].split(",")
                    index = (
                        rest[0][1:-1] if rest[0].startswith("<") and rest[0].endswith(">") else ""
                    )
                    if not index.isdigit() or int(index) >= len(fields) or not fields[int(index)]:
                        return []
                    return self._resolve(_dotted(fields[int(index)], rest[1:]), depth + 1)
                return self._resolve(_dotted(made, rest), depth + 1) if made else []
            if head in self.classes:
                if (
                    not rest
                ):  # a constructor call runs __init__ (the class's, or the one it inherits)
                    return [f for f in self._member(head, "__init__") if f in self.functions]
                return [
                    r
                    for found in self._member(head, rest[0])
                    for r in self._resolve(_dotted(found, rest[1:]), depth + 1)
                ]
            if head in self.modules:
                return [name] if rest else []
        return [self._outside(name)]

    def _outside(self, name: str) -> str:
        """A name outside the project, with the contracts' factories applied: ``Redis.pipeline.execute``
        (a method of what ``pipeline()`` returns) is ``Pipeline.execute``."""
        name = self.canonical(name)
        parts = name.split(".")
        for i in range(len(parts) - 1, 1, -1):
            made = self.types.get(self.canonical(".".join(parts[:i])))
            if made is not None:
                return self._outside(".".join([made, *parts[i:]]))
        return name

    def _member(self, cls: str, attr: str) -> list[str]:
        """What ``cls.attr`` may run: where the class or its bases (in order) define it, and the
        overrides in the project's subclasses (``self.execute_job()`` in a base class runs the
        subclass's); a mixin that calls a method of the class it is mixed into finds it there."""
        found = self._defined(cls, attr)
        for sub in self._all_subclasses(cls):
            info = self.classes[sub]
            if attr in info.members and not _held(info, attr):
                found.append(f"{sub}.{attr}")
        return list(dict.fromkeys(found))

    def _defined(self, cls: str, attr: str) -> list[str]:
        found = self._up(cls, attr)
        if found:
            return found
        out: list[str] = []
        for sub in self._all_subclasses(
            cls
        ):  # a mixin's ``self.post()``: the class it is mixed into
            out.extend(self._up(sub, attr))
        return list(dict.fromkeys(out))

    def _up(self, cls: str, attr: str) -> list[str]:
        """Where ``cls`` or its bases define ``attr``: the project's classes in order, else the
        first base from outside the project (``requests.Session``), whose members are not known."""
        outside: list[str] = []
        for current in self.ancestors(cls):
            info = self.classes.get(current)
            if info is None:
                if current != cls:
                    outside.append(f"{current}.{attr}")
                continue
            held = _held(info, attr)
            if held:
                return held  # an instance held in an attribute: the rest applies to it
            if attr in info.members:
                return [f"{current}.{attr}"]
        return outside[:1]

    def ancestors(self, cls: str) -> Iterator[str]:
        """``cls``, then its bases (breadth first, each once; a base from outside the project is
        named, its own bases are not known)."""
        seen: set[str] = set()
        queue = deque([cls])
        while queue:
            current = queue.popleft()
            if current in seen:
                continue
            seen.add(current)
            yield current
            info = self.classes.get(current)
            if info is not None:
                queue.extend(info.bases)

    def _all_subclasses(self, cls: str) -> list[str]:
        known = self._subclasses_of.get(cls)
        if known is None:
            known = self._subclasses_of[cls] = self._find_subclasses(cls)
        return known

    def _find_subclasses(self, cls: str) -> list[str]:
        out, queue, seen = [], deque(self.subclasses.get(cls, ())), set()
        while queue:
            sub = queue.popleft()
            if sub in seen or sub not in self.classes:
                continue
            seen.add(sub)
            out.append(sub)
            queue.extend(self.subclasses.get(sub, ()))
        return out

    def groups_for(self, name: str):
        out = self._groups.get(name)
        if out is None:
            out = self._groups[name] = [
                (c, g)
                for c in self.contracts.values()
                for g in [c.group_for(name)]
                if g is not None
            ]
        return out

    def is_property(self, name: str) -> bool:
        function = self.functions.get(name)
        return function is not None and function.is_property


def _held(info, attr: str) -> list[str]:
    """The classes of the instances a class attribute may hold."""
    return [cls for name, cls in info.attrs if name == attr]


def _dotted(head: str, rest: Sequence[str]) -> str:
    return ".".join([head, *rest]) if rest else head


def _catches(hierarchy, names: tuple[str, ...] | None, error: str) -> bool:
    return names is None or any(hierarchy.catches(name, error) for name in names)


def _declares(hierarchy, declared: Iterable[str], error: str) -> bool:
    """A docstring's error names cover ``error``: by its full name, or by its last part (docstrings
    often name an error as the reader knows it: ``RedisError``)."""
    family = {error, *hierarchy.ancestors(error)}
    short = {name.rsplit(".", 1)[-1] for name in family}
    return any(name in family or ("." not in name and name in short) for name in declared)


class _Judged:
    """What the guards around a call do with a set of errors."""

    def __init__(self, guards: Sequence[GuardFacts], errors: Sequence[str], hierarchy, policy: str):
        self.covering: dict[str, HandlerFacts] = {}
        self.reached: list[tuple[GuardFacts, HandlerFacts]] = []
        self.guard: GuardFacts | None = None
        for guard in reversed(guards):
            for handler in guard.handlers:
                hit = False
                for error in errors:
                    if error not in self.covering and _catches(hierarchy, handler.names, error):
                        self.covering[error] = handler
                        hit = True
                if hit:
                    self.guard = self.guard or guard
                    self.reached.append((guard, handler))
        self.uncaught = [e for e in errors if e not in self.covering]
        self.reraised = [
            e
            for e, h in self.covering.items()
            if policy != "fail-closed" and not h.suppress and h.reraises
        ]
        self.escaping = [e for e in errors if e in self.uncaught or e in self.reraised]


class _Follow:
    """The project's links resolved, and every error followed up through the callers of the
    functions it leaves (a fixpoint): ``carried[(frame, contract, group)]``."""

    def __init__(self, facts: Mapping[str, Facts], contracts: Sequence[Contract]):
        self.project = project = Project(facts, contracts)
        self.callers: dict[str, list[_Site]] = defaultdict(list)
        #: Service calls found only once the project's names are known, judged like a carrier's call.
        self.services: list[tuple[_Site, Contract, object, str, _Judged]] = []
        for path, fact in sorted(facts.items()):
            # A test calls a function to see what it does, not to handle its errors for users.
            test = is_test_module(fact.module)
            for link in fact.links:
                for target in sorted({t for name in link.callee for t in project.resolve(name)}):
                    if link.attribute and not project.is_property(target):
                        continue  # reading an attribute runs nothing else
                    if target in project.functions:
                        if target != link.frame and not test:  # recursion does not make a caller
                            self.callers[target].append(_Site(path, link))
                    else:
                        for contract, group in project.groups_for(target):
                            judged = _Judged(
                                link.guards, group.raises, contract.errors, group.policy
                            )
                            self.services.append(
                                (_Site(path, link), contract, group, target, judged)
                            )
        self.carried: dict[tuple[str, str, int], _Carried] = {}
        self._queue: deque = deque()
        for path, fact in sorted(facts.items()):
            for escape in fact.escapes:
                origin = f"{path}:{escape.span.line}:{escape.span.column}"
                self._carry(
                    escape.frame,
                    escape.contract,
                    escape.group,
                    {e: [origin] for e in escape.errors},
                    (_short(escape.callee),),
                )
        for site, contract, group, target, judged in self.services:
            if judged.escaping:
                origin = f"{site.path}:{site.link.span.line}:{site.link.span.column}"
                self._carry(
                    site.link.frame,
                    contract.name,
                    group.index,
                    {e: [origin] for e in judged.escaping},
                    (_short(target),),
                )
        while self._queue:
            frame, contract_name, group_index = key = self._queue.popleft()
            entry = self.carried[key]
            contract = project.contracts[contract_name]
            group = contract.calls[group_index - 1]
            for site in self.callers.get(frame, ()):
                judged = _Judged(
                    site.link.guards, sorted(entry.errors), contract.errors, group.policy
                )
                if judged.escaping:
                    chain = (project.display.get(frame, frame), *entry.chain)
                    self._carry(
                        site.link.frame,
                        contract_name,
                        group_index,
                        {e: entry.origins[e] for e in judged.escaping},
                        chain,
                    )

    def _carry(
        self,
        frame: str,
        contract: str,
        group: int,
        origins: Mapping[str, Iterable[str]],
        chain: tuple[str, ...],
    ) -> None:
        """``origins``: each error that leaves ``frame``, and the service calls it comes from."""
        key = (frame, contract, group)
        entry = self.carried.get(key)
        if entry is None:
            entry = self.carried[key] = _Carried(chain, {})
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


def propagate(
    facts: Mapping[str, Facts],
    findings: Mapping[str, list[Finding]],
    calls: Mapping[str, list[CallSite]],
    contracts: Sequence[Contract],
    propagate_globs: Sequence[str] = (),
    follow: _Follow | None = None,
) -> tuple[dict[str, list[Finding]], dict[str, list[CallSite]]]:
    """The findings and calls of every file (keyed by path as shown) once errors are followed
    through the project. ``facts`` holds the analysis' facts of the same files; ``follow``, the
    fixpoint of those facts when ``interesting_names`` has made it already."""
    follow = follow if follow is not None else _Follow(facts, contracts)
    project, callers, root = follow.project, follow.callers, follow.root
    declared_globs = [glob_to_regex(g) for g in propagate_globs]
    out_findings = {path: list(items) for path, items in findings.items()}
    out_calls = {path: list(items) for path, items in calls.items()}

    def allowed(frame: str, contract: Contract, errors: Iterable[str]) -> bool:
        function = project.functions.get(frame)
        if any(r.match(frame) for r in declared_globs):
            return True
        return function is not None and all(
            _declares(contract.errors, function.declared, e) for e in errors
        )

    # The direct calls: an error that leaves a function someone calls, or leaves it declared, is theirs.
    deferred: list[tuple[str, Escape]] = []
    for path, fact in sorted(facts.items()):
        for escape in fact.escapes:
            contract = project.contracts[escape.contract]
            if root(escape.frame) and not allowed(escape.frame, contract, escape.errors):
                if not escape.codes and escape.reraised_at is not None:
                    out_findings.setdefault(path, []).append(
                        _reraise_finding(path, escape, contract)
                    )
                continue
            kept = [
                f
                for f in out_findings.get(path, ())
                if not (
                    f.span == escape.span
                    and f.code in escape.codes
                    and f.contract == escape.contract
                )
            ]
            out_findings[path] = kept
            if not any(f.span == escape.span and f.contract == escape.contract for f in kept):
                deferred.append((path, escape))

    # A fail-closed handler that returns a sentinel: fine when every caller tests it and raises.
    for path, fact in sorted(facts.items()):
        for sentinel in fact.sentinels:
            sites = callers.get(sentinel.frame, ())
            if root(sentinel.frame):
                continue  # nobody tests what it returns: the handler's CL003 stands
            out_findings[path] = [
                f
                for f in out_findings.get(path, ())
                if not (
                    f.span == sentinel.span
                    and f.code in sentinel.codes
                    and f.contract == sentinel.contract
                )
            ]
            contract = project.contracts[sentinel.contract]
            group = contract.calls[sentinel.group - 1]
            origin = f"{path}:{sentinel.span.line}:{sentinel.span.column}"
            chain = (project.display.get(sentinel.frame, sentinel.frame), _short(sentinel.callee))
            unchecked = [site for site in sites if not site.link.checked]
            if unchecked:  # the call stays broken: its failure is reported at those callers
                out_calls[path] = [
                    replace(c, reported_up=True)
                    if c.span == sentinel.span and c.contract == sentinel.contract
                    else c
                    for c in out_calls.get(path, ())
                ]
            for site in unchecked:
                out_findings.setdefault(site.path, []).append(
                    _finding(
                        site,
                        "CL003",
                        (
                            f"{chain[0]}() returns a value in place of raising when {contract.name} fails (the handler "
                            f"at {path}:{sentinel.reraised_at}), and this call goes on without testing it; the contract "
                            f"says fail closed: test the result and raise"
                        ),
                        contract,
                        group,
                        sentinel.frame,
                        chain,
                        {"": {origin}},
                        [""],
                    )
                )

    # Service calls found through the project's names: their handlers, and their escapes at a root.
    for site, contract, group, target, judged in follow.services:
        local = _local(site, contract, group, judged, target, (), {})
        out_findings.setdefault(site.path, []).extend(local)
        out_calls.setdefault(site.path, []).append(
            CallSite(
                site.path,
                site.link.span,
                contract.name,
                group.index,
                target,
                "broken" if judged.escaping or local else "kept",
                scope=site.link.scope,
            )
        )
        if not judged.escaping:
            continue
        if root(site.link.frame) and not allowed(site.link.frame, contract, judged.escaping):
            out_findings[site.path].extend(
                _escape_findings(site, contract, group, judged, target, (), {})
            )
        else:
            deferred.append(
                (
                    site.path,
                    Escape(
                        site.link.frame,
                        contract.name,
                        group.index,
                        tuple(judged.escaping),
                        site.link.span,
                        target,
                    ),
                )
            )

    # The calls of carriers: their handlers always, their escapes where the project lets them out.
    for (frame, contract_name, group_index), entry in sorted(follow.carried.items()):
        contract = project.contracts[contract_name]
        group = contract.calls[group_index - 1]
        for site in callers.get(frame, ()):
            judged = _Judged(site.link.guards, sorted(entry.errors), contract.errors, group.policy)
            chain = (project.display.get(frame, frame), *entry.chain)
            here = _local(site, contract, group, judged, frame, chain, entry.origins)
            if (
                judged.escaping
                and root(site.link.frame)
                and not allowed(site.link.frame, contract, judged.escaping)
            ):
                here = [
                    *_escape_findings(site, contract, group, judged, frame, chain, entry.origins),
                    *here,
                ]
            out_findings.setdefault(site.path, []).extend(here)
    for (
        path,
        items,
    ) in out_findings.items():  # one call may reach a carrier by two names: say it once
        out_findings[path] = list(dict.fromkeys(items))
    # A call whose error the project handles (or declares) everywhere keeps its contract; one whose
    # error is reported further up stays broken.
    reported = {origin for items in out_findings.values() for f in items for origin in f.origins}
    for path, escape in deferred:
        up = f"{path}:{escape.span.line}:{escape.span.column}" in reported
        out_calls[path] = [
            (replace(c, reported_up=True) if up else replace(c, state="kept"))
            if c.state == "broken" and c.span == escape.span and c.contract == escape.contract
            else c
            for c in out_calls.get(path, ())
        ]
    return out_findings, out_calls


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


def _short(callee: str) -> str:
    """``Session.get`` of ``requests.sessions.Session.get``: from the class on, as people name a method."""
    parts = callee.split(".")
    for i, part in enumerate(parts[:-1]):
        if part[:1].isupper():
            return ".".join(parts[i:])
    return callee


def _finding(
    site: _Site,
    code: str,
    message: str,
    contract: Contract,
    group,
    callee: str,
    chain: tuple[str, ...],
    origins: Mapping[str, set[str]],
    errors: Iterable[str],
    handler_line: int | None = None,
    severity: str = "",
) -> Finding:
    """A finding at a call of a carrier; ``errors``: those it is about (their origins are named)."""
    rule = rule_by_code(code)
    link = site.link
    where = tuple(sorted({o for e in errors for o in origins.get(e, ())}))
    return Finding(
        path=site.path,
        span=link.span,
        code=code,
        name=rule.name,
        severity=severity or rule.severity,
        message=message,
        contract=contract.name,
        callee=callee,
        suggestion=_advice(code, group, chain),
        remediation=group.remediation or contract.remediation,
        scope=link.scope,
        statement_line=link.statement_line,
        handler_line=handler_line,
        via=chain,
        origins=where,
    )


def _advice(code: str, group, chain: tuple[str, ...]) -> str:
    """What to do at a call whose error comes from further down (no automatic fix: the call's text
    is not at hand here)."""
    if code not in ("CL001", "CL002") or not chain:
        return ""
    caught = ", ".join(e.rsplit(".", 1)[-1] for e in group.raises)
    where = {
        "fail-open": f"and fall back to {group.fallback}" if group.fallback else "and fall back",
        "fail-closed": "and fail closed (raise your own error from it)",
        "any": "and decide what the caller gets",
    }[group.policy]
    return (
        f"catch {caught} around this call {where}; or, if {chain[0]} should let it through, declare it "
        f"(a `Raises:` section in the docstring of this function, or `propagate` in [tool.contractlint])"
    )


def _names(errors: Sequence[str]) -> str:
    return ", ".join(errors)


def _via(chain: tuple[str, ...]) -> str:
    return f" via {' -> '.join(chain)}" if chain else ""


def _escape_findings(
    site: _Site,
    contract: Contract,
    group,
    judged: _Judged,
    callee: str,
    chain: tuple[str, ...],
    origins: Mapping[str, set[str]],
) -> list[Finding]:
    words = _POLICY_WORDS[group.policy]
    name = f"{_short(callee)}()"
    if judged.guard is None:
        errors = judged.escaping
        return [
            _finding(
                site,
                "CL001",
                (
                    f"{name} is not guarded: {contract.name} error {_names(errors)} "
                    f"{'escapes' if len(errors) == 1 else 'escape'} here{_via(chain)}, and nothing up the call chain "
                    f"handles {'it' if len(errors) == 1 else 'them'}; the contract says {words}"
                ),
                contract,
                group,
                callee,
                chain,
                origins,
                errors,
            )
        ]
    out = []
    reraised = [e for e in judged.reraised if e not in judged.uncaught]
    if reraised:
        handler = judged.covering[reraised[0]]
        code = "CL003" if group.policy == "fail-open" else "CL001"
        what = (
            "but the contract says fail open: recover with a fallback"
            if code == "CL003"
            else ("and nothing up the call chain handles it")
        )
        out.append(
            _finding(
                site,
                code,
                (
                    f"{name}: the handler at line {handler.line} raises {contract.name} error {_names(reraised)} "
                    f"again{_via(chain)}, {what}"
                ),
                contract,
                group,
                callee,
                chain,
                origins,
                reraised,
                handler_line=handler.line,
            )
        )
    return out


def _local(
    site: _Site,
    contract: Contract,
    group,
    judged: _Judged,
    callee: str,
    chain: tuple[str, ...],
    origins: Mapping[str, set[str]],
) -> list[Finding]:
    """What is wrong with the handlers of a call whatever happens up the call chain (CL003–CL005)."""
    name = f"{_short(callee)}()"
    out = []
    if judged.guard is not None and judged.uncaught:
        # A guard that catches some of the errors and misses others: a slip in that handler, whatever
        # happens to the rest further up (which is followed on).
        out.append(
            _finding(
                site,
                "CL002",
                (
                    f"{name} is guarded by the {judged.guard.keyword} at line {judged.guard.line}, but {contract.name} "
                    f"error {_names(judged.uncaught)} {'is' if len(judged.uncaught) == 1 else 'are'} not caught"
                    f"{_via(chain)}"
                ),
                contract,
                group,
                callee,
                chain,
                origins,
                judged.uncaught,
            )
        )
    for _guard, handler in judged.reached:
        what = "contextlib.suppress" if handler.suppress else "handler"
        where = f"the {what} at line {handler.line}"

        caught = [e for e, h in judged.covering.items() if h is handler]
        for code, severity, text in handler_problems(group, handler, caught):
            if code == "CL003" and group.policy == "fail-open" and handler.reraises:
                continue  # raised again: it goes on up the chain (``_escape_findings``)
            out.append(
                _finding(
                    site,
                    code,
                    f"{name}{_via(chain)}: {where} {text}",
                    contract,
                    group,
                    callee,
                    chain,
                    origins,
                    caught,
                    handler_line=handler.line,
                    severity=severity,
                )
            )
    return out


def _reraise_finding(path: str, escape: Escape, contract: Contract) -> Finding:
    """A service call under a policy that lets a handler raise (``any``) whose handler raises the
    error again, in a function nobody in the project calls: the error leaves the project."""
    rule = rule_by_code("CL001")
    group = contract.calls[escape.group - 1]
    return Finding(
        path=path,
        span=escape.span,
        code="CL001",
        name=rule.name,
        severity=rule.severity,
        message=(
            f"{escape.callee}(): the handler at line {escape.reraised_at} raises "
            f"{_names(escape.errors)} again, and nothing up the call chain handles "
            f"{'it' if len(escape.errors) == 1 else 'them'}; the contract says "
            f"{_POLICY_WORDS[group.policy]}"
        ),
        contract=contract.name,
        callee=escape.callee,
        remediation=group.remediation or contract.remediation,
        scope="",
        handler_line=escape.reraised_at,
    )


def interesting_names(
    facts: Mapping[str, Facts], contracts: Sequence[Contract]
) -> tuple[Reach, _Follow]:
    """What a file must name to call a carrier of some error (or to get a client) of the files
    analysed so far: what the prefilter's rounds search for in the files it turned away. Also the
    fixpoint it made (``propagate`` takes it when no file is added)."""
    follow = _Follow(facts, contracts)
    project = follow.project
    frames = {frame for frame, _, _ in follow.carried}
    clients = {root for c in contracts for root in c.roots()}

    patterns = [p for c in contracts for g in c.calls for p in g.match]

    def canonical(target: str) -> str:
        for _ in range(12):  # through aliases (``from m import f as g``, ``G = F``)
            if project.aliases.get(target, target) == target:
                break
            target = project.aliases[target]
        return target

    def client(cls: str | None, depth: int = 0) -> bool:
        """A value whose methods may be a contract's calls (a client, or what a factory of the contract
        makes), or an instance of a project class holding one. What a call of the client returns
        (``client.get(key)``) is not one: a file that calls a function returning it needs no parse.
        A value made by a project function (``SESSION = make_session()`` is kept as the function's
        name) is what the function returns."""
        if not cls or depth > 12:
            return False
        for one in cls.strip("()").replace("|", ",").split(","):
            one = one.rstrip("[]")
            made_by = project.functions.get(canonical(one))
            if made_by is not None:
                if client(made_by.returns, depth + 1):
                    return True
                continue
            if one.split(".", 1)[0] in clients:
                outside = project._outside(one)
                made = project.types.get(outside)
                if any(_extends(p, name) for name in (outside, made) if name for p in patterns):
                    return True
                continue
            info = project.classes.get(one)
            if info is not None and any(held.split(".", 1)[0] in clients for _, held in info.attrs):
                return True
        return False

    carriers = {frame for frame in frames if frame in project.functions}
    functions = {frame for frame in carriers if frame.rsplit(".", 1)[0] not in project.classes}

    def giving(
        gives: Callable[[str | None], bool], named: set[str], attributes: bool = True
    ) -> set[str]:
        """The names of the functions whose result, the attributes and module-level instances whose
        value ``gives`` accepts, and of the aliases of those or of ``named``. Not ``attributes``:
        no attribute, property or method (what is read on an object defines no subclass or alias)."""
        out = {
            f.qual.rsplit(".", 1)[-1]
            for f in project.functions.values()
            if (attributes or f.qual.rsplit(".", 1)[0] not in project.classes) and gives(f.returns)
        }
        if attributes:
            out |= {name for c in project.classes.values() for name, held in c.attrs if gives(held)}
        out |= {name.rsplit(".", 1)[-1] for name, cls in project.instances.items() if gives(cls)}
        for name, target in project.aliases.items():
            target = canonical(target)
            made = project.functions.get(target)
            if name != target and (
                target in named
                or (made is not None and gives(made.returns))
                or gives(project.instances.get(target))
            ):
                out.add(name.rsplit(".", 1)[-1])
        return out

    def leading(methods: set[str]) -> tuple[set[str], set[str]]:
        """The names that lead to a class defining one of ``methods`` (a carrier). First, those of
        the class, its subclasses, and what returns or aliases an instance of one, or holds one at
        module level: a file that names one may define a subclass, a class that mixes one in, or
        an alias. Second, those, the attributes that hold one, and the names of every base and
        mixin of those classes (``_family``): a file that names one reaches the method only by
        calling it, by its name."""
        owners = {
            f.rsplit(".", 1)[0]
            for f in carriers
            if f.rsplit(".", 1)[-1] in methods and f.rsplit(".", 1)[0] in project.classes
        }
        down = owners | {sub for owner in owners for sub in project._all_subclasses(owner)}
        family = _family(project, owners)
        if not family:
            return set(), set()

        def names_for(classes: set[str], attributes: bool = True) -> set[str]:
            """The names of ``classes``, and of what returns, holds or aliases an instance of one on
            which a carrier method runs (``self._client``; not ``self._client.get(key)``, what the
            method returns)."""

            def gives(made: str | None) -> bool:
                if not made:
                    return False
                for one in made.strip("()").replace("|", ",").split(","):
                    one = one.rstrip("[]")
                    if one in classes or canonical(one) in classes:
                        return True
                    # what a project function makes (``STORE = open_store()`` is kept as the
                    # function's name), or an attribute of an instance (``Holder._store``)
                    if canonical(one) in project.functions or any(cls in one for cls in classes):
                        if any(
                            carriers.intersection(project.resolve(f"{one}.{m}")) for m in methods
                        ):
                            return True
                return False

            return {cls.rsplit(".", 1)[-1] for cls in classes} | giving(gives, classes, attributes)

        # An attribute, property or method is read where it is used (``self._store.get()``): it
        # defines no subclass or alias, so it needs the method's name too.
        first = names_for(down, attributes=False)
        return first, names_for(family) | first

    # A function is called by its name; a client is got from a factory, an attribute or an instance.
    plain = {frame.rsplit(".", 1)[-1] for frame in functions} | giving(client, functions)
    # A dunder runs without its name in the text (``Class(...)`` runs __init__, ``len(obj)``
    # __len__): what leads to its class is enough. Any other method needs its name as well.
    # A file that names the class (or a subclass) may also define a subclass or a class that mixes
    # one in, which changes what reaches the method: it is parsed whatever else it names.
    named = {f.rsplit(".", 1)[-1] for f in carriers if f not in functions}
    dunders = {m for m in named if _dunder(m)}
    plain |= set().union(*leading(dunders))
    methods = named - dunders
    first, reach = leading(methods)
    plain |= first

    def words(names: set[str]) -> frozenset[str]:
        return frozenset(n for n in names if n.isidentifier() and not _dunder(n))

    return Reach(words(plain), words(methods), words(reach)), follow


def _dunder(name: str) -> bool:
    """``__init__``, ``__len__``: run without their name in the text (``__fetch`` is called by name)."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


@lru_cache(maxsize=4096)
def _extends(pattern: str, name: str) -> bool:
    """Whether the ``match`` glob ``pattern`` matches some ``name.<more>``: a method of ``name``."""
    if "**" in pattern:
        return True
    wanted, parts = pattern.split("."), name.split(".")
    return len(wanted) > len(parts) and all(
        glob_to_regex(w).match(p) for w, p in zip(wanted, parts)
    )


def _family(project: Project, owners: set[str]) -> set[str]:
    """The classes through which code reaches a method of ``owners``: each owner, its subclasses, and
    every ancestor of those (a base class whose ``self.m()`` reaches an override, a mixin whose
    ``self.m()`` is found in the class it is mixed into)."""
    if not owners:
        return set()

    family: set[str] = set()
    for cls in project.classes:
        line = set(project.ancestors(cls))
        if line & owners:
            family |= line
    return family
