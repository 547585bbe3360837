"""What a dotted name of the checked project may denote, from the facts of all its files.

A call names its callee as the file spells it, resolved through the file's own imports
(``app.public.connect``, ``pkg.mod.Store.get``, ``pkg.mod.make.get``). ``Project.resolve`` follows
such a name through the project's re-exports and aliases, module-level instances, the classes that
what a function returns, class attributes holding an instance, base classes (a method inherited),
subclasses (an override that ``self.m()`` in a base class may run) and mixins (a mixin's
``self.m()`` found in the class it is mixed into), down to project functions and to names outside
the project (``requests.sessions.Session.get``, the contracts' factories applied).

Every resolution is a pure function of the name: the same name gives the same targets whatever was
resolved before it, so the project-wide pass may resolve names in any order, or only some of them,
and get the same answer. Every resolution is bounded too, whatever the project:

- ``DEPTH`` steps of one chain of names (an alias of an instance of what a factory returns...);
- ``MAX_TARGETS`` targets (a base-class method with hundreds of overrides);
- ``BUDGET`` names looked at in all (an attribute that holds what a method of that attribute
  returns, ``self._unit = self._unit.set_mode()``, spells a new, longer name at each step).

These are the defaults (``contractlint.model.budgets``); the configuration may set the last two
(``Project(limits=...)``). A resolution cut short by one of them is recorded in ``Project.cut``,
with the limit it reached, and gives the targets found before the cut: work the project-wide pass
did not finish, which a finding says where it may change a result (CL902, ``calls``).
``every_target`` resolves a name again with no bound on the targets (the other two kept): what a
cut at the most targets left out, which depends on the files parsed no more than the carriers do.

Only plain data is handled here (``contractlint.model.project``): no parsing.
"""

from __future__ import annotations

import copy
import sys
from collections import defaultdict, deque
from collections.abc import Iterator, Mapping, Sequence
from typing import NamedTuple

from contractlint.model import BUILTIN_ALIASES, Contract, canonical_name
from contractlint.model.budgets import LIMITS, Limits
from contractlint.model.project import ClassFacts, Facts, FunctionFacts
from contractlint.propagation.families import Families

#: How the analysis names an item of what a function returns (``Group.all.<item>``).
ITEM = "<item>"
#: The most things one name may resolve to (a method of a base class with many overrides).
MAX_TARGETS = LIMITS.targets
#: The longest chain of names one resolution follows (the name, then 12 steps).
DEPTH = LIMITS.depth
#: The most names one resolution looks at, counting each name as often as it is reached.
BUDGET = LIMITS.names

#: What a resolution reached when it was cut short (``Resolved.cut``, ``Project.cut``).
NAMES, TARGETS, CHAIN = "names", "targets", "depth"


class Resolved(NamedTuple):
    """What a name denotes (``targets``, in the order found), and what it cost."""

    targets: tuple[str, ...]
    #: The names looked at, this one included (a name reached twice counts twice).
    size: int = 1
    #: The longest chain of names followed, this one included.
    height: int = 1
    #: Some of the work was left undone: the limit reached here or further down (``NAMES``,
    #: ``TARGETS``, ``CHAIN``), "" when none was.
    cut: str = ""
    #: ``DEPTH`` was reached: the answer holds for this depth only.
    deep: bool = False


_NOTHING = Resolved(())
_TOO_DEEP = Resolved((), cut=CHAIN, deep=True)
#: ``Project._lookup``'s place on the stack for an answer that depends on no name above it.
_FREE = 1 << 30


#: A step of a resolution that is final (a function, a name outside the project):
#: ``(TARGET, name)``; ``(FURTHER, name)`` is a name to resolve in turn.
TARGET, FURTHER = True, False


class Project(Families):
    """The names of the checked project, from the facts of its files."""

    def __init__(
        self,
        facts: Mapping[str, Facts],
        contracts: Sequence[Contract],
        limits: Limits = LIMITS,
        order: Mapping[str, int] | None = None,
    ):
        """``order``: each file's place in the run, where files are added later in another order
        (the prefilter's rounds): a class then takes its place among the subclasses of its bases
        as if every file had been given at once, in that order. Without it, the order given."""
        self.limits = limits
        self._order = order
        self._given = 0
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
        self.classes: dict[str, ClassFacts] = {}
        self.aliases: dict[str, str] = {}
        self.instances: dict[str, str] = {}
        self.subclasses: dict[str, list[str]] = defaultdict(list)
        self._sub_keys: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.modules: set[str] = set()
        #: Every name the steps of a resolution start from.
        self._heads: set[str] = set()
        self._outside_names: dict[str, str] = {}
        self._forget_all()
        self.extend(facts)
        self._groups: dict[str, list] = {}
        firsts = {p.split(".", 1)[0] for c in contracts for g in c.calls for p in g.match}
        #: The first parts of every ``match`` glob (None: one of them is a pattern itself).
        self._firsts = None if any(set(f) & set("*?[") for f in firsts) else firsts

    def extend(self, facts: Mapping[str, Facts]) -> None:
        """Add the names of ``facts``, files not given before (in their places of ``order``, else
        as if they had been given after the others). The answers worked out from the names before
        are forgotten, but for what is known of a class whose family the files leave as it was
        (``_forget``)."""
        known = self._given > 0  # else nothing can have been worked out of the names yet
        again = known and any(
            fact.module in self.modules
            or any(c.qual in self.classes for c in fact.classes)
            or any(f.qual in self.functions for f in fact.functions)
            for fact in facts.values()
        )
        heads = self._heads
        aliased: set[str] = set()
        added: list[ClassFacts] = []
        order = self._order
        for path, fact in facts.items():
            self._given += 1
            place = order.get(path) if order is not None else None
            rank = place if place is not None else (len(order) if order else 0) + self._given
            self.modules.add(fact.module)
            heads.add(fact.module)
            for function in fact.functions:
                self.functions[function.qual] = function
                self.display[function.qual] = function.qual[len(fact.module) + 1 :]
                heads.add(function.qual)
            for i, cls in enumerate(fact.classes):
                self.classes[cls.qual] = cls
                heads.add(cls.qual)
                added.append(cls)
                for base in cls.bases:
                    self._subclass(base, cls.qual, (rank, i))
            self.aliases.update(fact.aliases)
            aliased.update(name for name, _ in fact.aliases)
            self.instances.update(fact.instances)
            heads.update(name for name, _ in fact.instances)
        # An alias is a head unless it names itself (a later file may have made it do so).
        for name in aliased:
            if self.aliases[name] != name:
                heads.add(name)
            elif all(
                name not in d for d in (self.functions, self.classes, self.instances, self.modules)
            ):
                heads.discard(name)
        self._answers()
        if again:  # a module given twice (two roots) may change any class: all again
            self._forget_all()
        elif known and added:
            self._forget(added)

    def _answers(self) -> None:
        """The state of ``lookup``, which depends on ``limits`` (what the classes and names are
        does not)."""
        #: Names whose resolution was cut short (a limit of this module's docstring), and the
        #: limit each reached (``NAMES``, ``TARGETS``, ``CHAIN``).
        self.cut: set[str] = set()
        self.reached: dict[str, str] = {}
        self._done: dict[str, Resolved] = {}
        self._shallow: dict[tuple[str, int], Resolved] = {}
        self._stack: dict[str, int] = {}
        #: The names met below the first name of a cycle, whose answers depend on it.
        self._tainted: list[str] = []
        #: The first name of each cycle, and the other names of the cycle.
        self._cycles: dict[str, frozenset[str]] = {}
        #: The same project with no bound on the targets (``every_target``), once asked for.
        self._unbounded: Project | None = None

    def canonical(self, name: str) -> str:
        return canonical_name(name, self.contract_aliases)

    # -- resolving a name ------------------------------------------------------------------------

    def resolve(self, name: str) -> tuple[str, ...]:
        """What a dotted name may denote once the project's names are known: project functions
        (``pkg.mod.Class.method``) and names outside the project
        (``requests.sessions.Session.get``)."""
        found = self.lookup(name)
        if found.cut:
            self.cut.add(name)
            self.reached[name] = found.cut
        return found.targets

    def lookup(self, name: str) -> Resolved:
        """``resolve`` with what it cost."""
        return self._lookup(name, self.limits.depth)[0]

    def every_target(self, name: str) -> Resolved:
        """``lookup`` with no bound on the targets, the names budget and the chain kept: what a
        resolution cut at the most targets left out, every target where ``cut`` is "" (else as
        far as the other bounds let it go). The same project's names, answered apart."""
        unbounded = self._unbounded
        if unbounded is None:
            unbounded = self._unbounded = copy.copy(self)  # the tables and their caches shared
            unbounded.limits = self.limits._replace(targets=sys.maxsize)
            unbounded._answers()
        return unbounded.lookup(name)

    def _lookup(self, name: str, depth: int) -> tuple[Resolved, int]:
        """What ``name`` denotes within ``depth`` steps, and the place on the stack of the
        outermost name being resolved that it came back to (a cycle), if any.

        A name met again while it is being resolved (an alias of an alias of itself, a class
        attribute whose value names itself) adds nothing more. An answer is kept when it does not
        depend on the names above it on the stack: then it is the same whatever asked for it. The
        first name of a cycle keeps its answer too, used only when no other name of the cycle is
        on the stack (each name of a cycle, resolved first, finds the others in its own order). A
        name whose chain is cut at ``depth`` keeps its answer for that depth only."""
        known = self._done.get(name)
        if known is None or known.height > depth:
            known = self._shallow.get((name, depth))
        if known is not None:
            cycle = self._cycles.get(name)
            if cycle is None or cycle.isdisjoint(self._stack):
                return known, _FREE
        if depth <= 0:
            return _TOO_DEEP, _FREE
        at = self._stack.get(name)
        if at is not None:
            return _NOTHING, at
        index = self._stack[name] = len(self._stack)
        tainted = len(self._tainted)
        targets: dict[str, None] = {}
        size, height, cut, deep, low = 1, 1, "", False, _FREE
        most, budget = self.limits.targets, self.limits.names
        try:
            for final, step in self._steps(name):
                if len(targets) > most:
                    break  # the first ``most`` are the answer: the rest would come after them
                if final:
                    targets[step] = None
                    continue
                if step == name:
                    continue  # a name that stands for itself (a class constant): nothing more
                if size >= budget:
                    cut = NAMES
                    break
                below, back = self._lookup(step, depth - 1)
                low = min(low, back)
                size += below.size
                height = max(height, below.height + 1)
                cut = cut or below.cut
                deep = deep or below.deep
                targets.update(dict.fromkeys(below.targets))
        finally:
            del self._stack[name]
        found = tuple(targets)
        if len(found) > most:
            found, cut = found[:most], TARGETS
        answer = Resolved(found, size, height, cut, deep)
        if low < index:
            self._tainted.append(name)
            return answer, low  # it came back to a name above it: the answer is theirs
        if low == index:  # the first name of a cycle: the others were met below it
            self._cycles[name] = frozenset(self._tainted[tainted:])
            del self._tainted[tainted:]
        if deep:
            self._shallow[(name, depth)] = answer
        else:
            self._done[name] = answer
        return answer, _FREE

    def met(self, name: str, most: int) -> Iterator[tuple[bool, str]]:
        """Every step a resolution of ``name`` takes (``TARGET`` or ``FURTHER``, and the name),
        each name once, breadth first, at most ``most`` names; ``name`` itself comes first, as a
        ``FURTHER``. Unlike ``lookup``, with no bound on the targets: for a look at the names a
        resolution depends on (``contractlint.propagation.demand``)."""
        seen = {(FURTHER, name)}
        queue = deque([name])
        yield FURTHER, name
        while queue:
            for final, step in self._steps(queue.popleft()):
                if (final, step) in seen:
                    continue
                if len(seen) >= most:
                    return
                seen.add((final, step))
                yield final, step
                if not final:
                    queue.append(step)

    def head(self, name: str) -> tuple[str, list[str]]:
        """The longest head of ``name`` that the project knows ("" when none), and the parts
        after it, as ``lookup`` reads a name."""
        end = len(name)
        while end > 0:
            if name[:end] in self._heads:
                return name[:end], name[end + 1 :].split(".") if end < len(name) else []
            end = name.rfind(".", 0, end)
        return "", name.split(".")

    def _steps(self, name: str) -> Iterator[tuple[bool, str]]:
        """One step of ``lookup``: the targets and the further names that ``name`` stands for
        (``TARGET`` or ``FURTHER``, and the name), in order, made as they are asked for (a class
        attribute of a large family may stand for thousands)."""
        if "[]" in name:  # a list of X (``-> List[X]``, ``self.queues = [Queue(n) for n in ...]``)
            if f"[].{ITEM}" not in name:
                return  # a method of the list itself
            name = name.replace(f"[].{ITEM}", "")
        head, rest = self.head(name)
        if not head:
            yield TARGET, self.outside(name)
            return
        alias = self.aliases.get(head)
        if alias is not None and alias != head:
            yield FURTHER, _dotted(alias, rest)
            return
        if head in self.instances:
            if rest:
                yield FURTHER, _dotted(self.instances[head], rest)
            return
        function = self.functions.get(head)
        if function is not None:
            if not rest:
                owner, _, attr = head.rpartition(".")
                if owner in self.classes:  # a method: a subclass may override it
                    found = [f for f in self.member(owner, attr) if f in self.functions]
                    yield from ((TARGET, f) for f in found or [head])
                else:
                    yield TARGET, head
                return
            # ``get_session().get``: a method of what it returns
            yield from ((FURTHER, n) for n in _made(function.returns, rest))
            return
        if head in self.classes:
            if not rest:  # a constructor call runs __init__: the class's, or an inherited one
                init = self.up(head, "__init__")
                yield from ((TARGET, f) for f in init if f in self.functions)
                return
            yield from self._through(head, rest[0], rest[1:])
            return
        if rest:  # a module of the project, and a name it does not define
            yield TARGET, name

    def _through(self, cls: str, attr: str, rest: Sequence[str]) -> Iterator[tuple[bool, str]]:
        """The names ``cls.attr.<rest>`` stands for: ``rest`` on each thing ``cls.attr`` may be.

        An attribute may hold what a method of its own value returns (``self._unit =
        self._unit.set_mode()``, held as ``Class._unit.set_mode``): that is the method of each
        other value it holds (``Unit.set_mode``), one call deep. Followed as spelled, such a name
        would spell a longer one at each step and never end."""
        found, plain = self._values(cls, attr)
        again = len(cls) + len(attr) + 1
        for one in found:
            if one in plain:
                if not rest and one in self.functions:
                    # a method as ``cls`` finds it: where it or a base defines it, or an override
                    # below it; not every override of the base that defines it
                    yield TARGET, one
                else:
                    yield FURTHER, _dotted(one, rest)
                continue
            for value in plain:
                yield FURTHER, _dotted(value + one[again:], rest)

    def _values(self, cls: str, attr: str) -> tuple[tuple[str, ...], dict[str, None]]:
        """``member(cls, attr)``, and those of its values that are not what a method of the
        attribute's own value returns (``Class.attr.method``), in order."""
        key = (cls, attr)
        known = self._split.get(key)
        if known is None:
            found = self.member(cls, attr)
            again = f"{cls}.{attr}."
            known = (found, {one: None for one in found if not one.startswith(again)})
            self._split[key] = known
        return known

    def outside(self, name: str) -> str:
        """A name outside the project, with the contracts' factories applied:
        ``Redis.pipeline.execute`` (a method of what ``pipeline()`` returns) is
        ``Pipeline.execute``."""
        known = self._outside_names.get(name)
        if known is None:
            known = self._outside_names[name] = self._outside(name)
        return known

    def _outside(self, name: str) -> str:
        name = self.canonical(name)
        parts = name.split(".")
        for i in range(len(parts) - 1, 1, -1):
            made = self.types.get(self.canonical(".".join(parts[:i])))
            if made is not None:
                return self._outside(".".join([made, *parts[i:]]))
        return name

    # -- classes ---------------------------------------------------------------------------------

    # -- what the contracts say of a name ----------------------------------------------------------

    def groups_for(self, name: str) -> list:
        """The (contract, call group) pairs whose ``match`` takes the name outside the project."""
        if self._firsts is not None and name.partition(".")[0] not in self._firsts:
            return []  # no ``match`` glob starts with its first part
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


def _made(made: str | None, rest: Sequence[str]) -> list[str]:
    """The names ``rest`` stands for on what a function returns (``made``): one of several
    classes (``A|B``), an element of a tuple (``<i>`` picks element i), or a class."""
    if not made:
        return []
    if "|" in made and not made.startswith("("):
        return [_dotted(one, rest) for one in made.split("|")]
    if made.startswith("("):
        fields = made[1:-1].split(",")
        index = rest[0][1:-1] if rest[0].startswith("<") and rest[0].endswith(">") else ""
        if not index.isdigit() or int(index) >= len(fields) or not fields[int(index)]:
            return []
        return [_dotted(fields[int(index)], rest[1:])]
    return [_dotted(made, rest)]


def _dotted(head: str, rest: Sequence[str]) -> str:
    return ".".join([head, *rest]) if rest else head


def short(callee: str) -> str:
    """``Session.get`` of ``requests.sessions.Session.get``: from the class on, as people name a
    method."""
    parts = callee.split(".")
    for i, part in enumerate(parts[:-1]):
        if part[:1].isupper():
            return ".".join(parts[i:])
    return callee
