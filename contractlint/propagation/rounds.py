"""What the prefilter's rounds search for: the names a file must hold to be able to call a carrier
of some error (or to get a client), as far as the files parsed so far tell.

The analysis resolves a callee through names only, and a file reaches a name of another module by
importing it: so a file that calls a carrier names it, or names what leads to it, and names the
module it comes from. docs/propagation.md ("Speed and the prefilter") says which names:

- a function, a class, a factory, a module-level instance or alias: its name, with the last part
  of the module that defines it or of one that re-exports it (``from app.client import fetch``
  names ``client``; a relative import of a package, ``from . import fetch``, stands for its own);
- a method, an attribute holding a client, a method that makes one: its name, with a name that
  leads to its class (each such name with its module as above, an attribute's name alone);
- the classes of those methods and their subclasses, and what gives one of them, alone (with their
  module): a file that names one may define a subclass, a class that mixes one in, or an alias;
- the class of a carrier ``__init__`` and its subclasses, alone (with their module): a
  constructor call names the class, not the method, and runs the class's own or an inherited
  ``__init__``;
- the classes of another dunder the analysis calls without its name (``len(obj)`` runs
  ``__len__``), and everything that leads to them, alone (with their module); any other dunder is
  called by its name (``super().__exit__(...)``), as a method is;
- a member whose name few files hold, of a class that many names lead to (a framework's base
  class): the name alone, and what the calls of it need besides (``propagation.demand``).

A class from outside the project leads to no method of the project (the analysis resolves no
name of it to one), so it is no name to search for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Callable

from contractlint.model import Contract, glob_to_regex
from contractlint.model.budgets import LIMITS, Limits
from contractlint.model.collector import uncollected
from contractlint.model.project import IMPLICIT, MODULE, USED, Clause, Facts, Reach
from contractlint.propagation.calls import CallSites
from contractlint.propagation.closure import Closure
from contractlint.propagation.demand import demand, unknown_bases
from contractlint.propagation.fixpoint import Follow
from contractlint.propagation.names import Project

#: A member of a class that carries an error, whose name at most ``RARE`` files left hold, is
#: searched by its name alone when more than ``FAMILY`` names lead to its class (a framework's base
#: class, with its subclasses): the files that name the member are parsed, with what its calls
#: need besides (``contractlint.propagation.demand``), not every file that names one of those.
RARE = 64
FAMILY = 64

#: A name a round searches for, and the module-level thing it names (None: an attribute, a
#: method or a property, read on an object and imported from nowhere).
Named = tuple[str, "str | None"]


def interesting_names(
    facts: Mapping[str, Facts],
    contracts: Sequence[Contract],
    project_names: Iterable[str] | None = None,
    limits: Limits = LIMITS,
    rare: Callable[[set[str]], Mapping[str, int]] | None = None,
    sites: CallSites | None = None,
    order: Mapping[str, int] | None = None,
    families: Project | None = None,
) -> tuple[Reach, Follow]:
    """What a file must name to call a carrier of some error (or to get a client) of the files
    analysed so far: what the prefilter's rounds search for in the files it turned away. Also the
    fixpoint it made (``propagate`` takes it when no file is added).

    ``project_names``: the top-level names of the project's modules (a class of another is from
    outside the project); without them, those of the files analysed and of what they call.
    ``limits``: those of each resolution of a name. ``rare``: how many files left hold each of
    some names of members (at least; None: not counted); a member of a large family whose name few
    files hold is searched alone (``RARE``, ``FAMILY``). ``sites``: the calls of ``facts``, grown
    from the last round's (``CallSites``), when they are at hand. ``order``, ``families``: each
    file's place in the run, and a project of the same files grown by the last round's levels
    (``Follow``)."""
    follow = Follow(facts, contracts, limits=limits, sites=sites, order=order, families=families)
    if not project_names:
        project_names = {fact.module.split(".", 1)[0] for fact in facts.values()}
        project_names |= {
            name.split(".", 1)[0]
            for fact in facts.values()
            for link in fact.links
            for name in link.callee
        }
    with uncollected():
        search = _Search(follow, facts, contracts, frozenset(project_names), rare)
        return search.reach(), follow


class _Search:
    """One round's search, worked out from the carriers of the fixpoint."""

    def __init__(
        self,
        follow: Follow,
        facts: Mapping[str, Facts],
        contracts: Sequence[Contract],
        project_names: frozenset[str],
        rare: Callable[[set[str]], Mapping[str, int]] | None = None,
    ):
        self.project = project = follow.project
        self.sites = follow.calls.sites
        self.facts = facts
        self.rare = rare
        self.project_names = project_names
        self.where = _Where(facts, project)
        self.clients = {root for c in contracts for root in c.roots()}
        self.patterns = [p for c in contracts for g in c.calls for p in g.match]
        self.carriers = {key.frame for key in follow.carried if key.frame in project.functions}
        #: Carriers that are not methods: called by their name.
        self.functions = {f for f in self.carriers if _owner(f) not in project.classes}
        #: ``canonical``'s and ``client``'s answers: the same name is asked about many times.
        self._canonical: dict[str, str] = {}
        self._clients: dict[str, bool] = {}

    def reach(self) -> Reach:
        project = self.project
        plain: set[Named] = {(_last(f), f) for f in self.functions}
        # A client is got from a factory, an attribute or an instance: a module-level one by its
        # name; a method or an attribute by its name and what leads to its class.
        plain |= self.giving(self.client, self.functions, attributes=False)
        members: dict[str, set[str]] = defaultdict(set)
        for f in project.functions.values():
            if _owner(f.qual) in project.classes and self.client(f.returns):
                members[_owner(f.qual)].add(_last(f.qual))
        for cls, info in project.classes.items():
            for name, held in info.attrs:
                if self.client(held):
                    members[cls].add(name)
        dunders: set[str] = set()
        inits: set[str] = set()
        for frame in self.carriers - self.functions:
            if _last(frame) == "__init__":
                inits.add(_owner(frame))
            elif _dunder(_last(frame)):
                dunders.add(_owner(frame))
            else:
                members[_owner(frame)].add(_last(frame))
        values = _Values(self)
        # A constructor runs ``__init__`` without its name in the text: ``Class(...)`` runs the
        # class's own or an inherited one, never a subclass's, so what names the class or a
        # subclass is enough (``super().__init__()`` is in a subclass, ``cls()`` in a base, whose
        # file ``unknown_bases`` parses).
        plain |= self.leading(inits, values)[0]
        # Another dunder runs without its name too (``len(obj)`` runs __len__), and on an instance
        # of a base it may be a subclass's: what leads to its class is enough, and a base class
        # reaches it only where it is used, not where a subclass lists it.
        first, reach = self.leading(dunders, values)
        bases = {cls for cls in self.family(dunders) if (_last(cls), cls) not in first}
        plain |= first | {named for named in reach if named[1] not in bases}
        clauses: set[Clause] = {
            clause
            for cls in bases
            if _searchable(_last(cls))
            for clause in self.clauses((USED + _last(cls), cls))
        }
        methods: set[str] = set()
        reaching: set[str] = set()
        names = {m for named in members.values() for m in named if _searchable(m)}
        leading = {owner: self.leading({owner}, values) for owner in sorted(members)}
        large = {owner for owner, (first, _) in leading.items() if len(first) > FAMILY}
        # Only the members of a large family are counted: a count reads every file left.
        asked = {m for owner in large for m in members[owner]} & names
        counts = self.rare(asked) if self.rare is not None and asked else {}
        rare: set[str] = set()
        for owner, named in sorted(members.items()):
            # A file that names the class (or a subclass) of a member may also define a subclass
            # or a class that mixes one in, which changes what reaches the member: it is parsed
            # whatever else it names. Unless they are many and the member's name is rare: then
            # the files that name the member are parsed instead, and what the calls of it need
            # besides (``demand``).
            first, reach = leading[owner]
            alone = (
                {m for m in named if counts.get(m, RARE + 1) <= RARE} if owner in large else set()
            )
            rare |= alone
            named = named - alone
            if not named:
                continue
            plain |= first
            words = frozenset(m for m in named if _searchable(m))
            if words:
                methods |= words
                reaching |= {name for name, _ in reach if _searchable(name)}
                clauses |= {
                    (words, *clause)
                    for named in reach
                    if _searchable(named[0])
                    for clause in self.clauses(named)
                }
        # What reaches a member through a base of its class, or of a subclass (a mixin that a
        # subclass's base mixes in), is known once the whole line of bases is parsed; what a call
        # of a member goes through, once every name its resolution meets is defined.
        owners = {*members, *dunders, *inits}
        below = {sub for owner in owners for sub in project.all_subclasses(owner)}
        unknown = unknown_bases(project, owners | below, self.project_names)
        callees = self.sites.ending(names)
        more, hosts = demand(project, callees, names, self.project_names, rare)
        unknown |= more
        if rare:
            methods |= rare
            clauses |= {(frozenset([m]),) for m in rare}
            plain |= self.leading(hosts, values)[0]
        # ``refresh = Store.get``, ``fetch = STORE.get``: the alias is called by its own name.
        wanted = {f"{owner}.{m}" for owner, named in members.items() for m in named}
        wanted |= self.carriers
        for name, target in project.aliases.items():
            target = self.canonical(target)
            if name == target or _last(target) not in names:
                continue
            if (
                target in wanted
                or (_last(target) in rare and _owner(target) in project.classes)
                or not wanted.isdisjoint(project.lookup(name).targets)
            ):
                plain.add((_last(name), name))
        clauses |= {clause for n in plain if _searchable(n[0]) for clause in self.clauses(n)}
        return Reach(
            frozenset(n for n, _ in plain if _searchable(n)),
            frozenset(methods),
            frozenset(reaching),
            frozenset(clauses),
            frozenset(unknown),
        )

    def clauses(self, named: Named) -> set[Clause]:
        """The word sets a file must name for ``named``: the name, and a module it comes from."""
        name, qual = named
        if qual is None:
            return {(frozenset([name]),)}
        return {(frozenset([name]), *module) for module in self.where(qual)}

    def family(self, owners: set[str]) -> set[str]:
        """``_family`` of ``owners``, of the project only."""
        return {
            cls
            for cls in _family(self.project, owners)
            if cls.split(".", 1)[0] in self.project_names
        }

    def leading(self, owners: set[str], values: _Values) -> tuple[set[Named], set[Named]]:
        """The names that lead to a class of ``owners`` (on which a member runs). First, those of
        the class, its subclasses, and what returns or aliases an instance of one, or holds one at
        module level: a file that names one may define a subclass, a class that mixes one in, or
        an alias. Second, those, the attributes that hold one, and the names of every base and
        mixin of those classes (``_family``) and of what gives one: a file that names one reaches
        a member only by reading it, by its name."""
        project = self.project
        owners = {o for o in owners if o in project.classes}
        if not owners:
            return set(), set()
        down = owners | {sub for owner in owners for sub in project.all_subclasses(owner)}
        family = self.family(owners)
        # An attribute, property or method is read where it is used (``self._store.get()``): it
        # defines no subclass or alias, so it needs the member's name too.
        first = values.giving(down, attributes=False)
        return first, values.giving(family) | first

    # -- values ------------------------------------------------------------------------------------

    def client(self, cls: str | None, depth: int = 0) -> bool:
        """A value whose methods may be a contract's calls (a client, or what a factory of the
        contract makes), or an instance of a project class holding one. What a call of the client
        returns (``client.get(key)``) is not one: a file that calls a function returning it needs
        no parse. A value made by a project function (``SESSION = make_session()`` is kept as the
        function's name) is what the function returns."""
        if not cls or depth > 12:
            return False
        if depth == 0:
            known = self._clients.get(cls)
            if known is None:
                known = self._clients[cls] = self._client(cls, 0)
            return known
        return self._client(cls, depth)

    def _client(self, cls: str, depth: int) -> bool:
        project = self.project
        for one in _values(cls):
            made_by = project.functions.get(self.canonical(one))
            if made_by is not None:
                if self.client(made_by.returns, depth + 1):
                    return True
                continue
            if one.split(".", 1)[0] in self.clients:
                outside = project.outside(one)
                made = project.types.get(outside)
                if any(
                    _extends(p, name) for name in (outside, made) if name for p in self.patterns
                ):
                    return True
                continue
            info = project.classes.get(one)
            if info is not None and any(
                held.split(".", 1)[0] in self.clients for _, held in info.attrs
            ):
                return True
        return False

    def canonical(self, target: str) -> str:
        """``target`` through the project's aliases (``from m import f as g``, ``G = F``)."""
        known = self._canonical.get(target)
        if known is not None:
            return known
        start, aliases = target, self.project.aliases
        for _ in range(12):
            found = aliases.get(target)
            if found is None or found == target:
                break
            target = found
        self._canonical[start] = target
        return target

    def giving(
        self, gives: Callable[[str | None], bool], named: set[str], attributes: bool = True
    ) -> set[Named]:
        """The names of the functions whose result, the attributes and module-level instances whose
        value ``gives`` accepts, and of the aliases of those or of ``named``. Not ``attributes``:
        no attribute, property or method (what is read on an object defines no subclass or
        alias)."""
        project = self.project
        out: set[Named] = set()
        for f in project.functions.values():
            method = _owner(f.qual) in project.classes
            if (attributes or not method) and gives(f.returns):
                out.add((_last(f.qual), None if method else f.qual))
        if attributes:
            out |= {
                (name, None)
                for c in project.classes.values()
                for name, held in c.attrs
                if gives(held)
            }
        out |= {(_last(name), name) for name, cls in project.instances.items() if gives(cls)}
        for name, target in project.aliases.items():
            target = self.canonical(target)
            made = project.functions.get(target)
            if name != target and (
                target in named
                or (made is not None and gives(made.returns))
                or gives(project.instances.get(target))
            ):
                out.add((_last(name), name))
        return out


class _Values:
    """What the project's names give: for each class (or name of one outside the parsed files),
    the functions that return an instance of it, the class attributes and module-level instances
    that hold one, and the aliases of those and of the class. A value is followed through what
    gives it: a project function (``STORE = open_store()`` is kept as the function's name), an
    instance, an attribute of a class (``Holder._store``)."""

    def __init__(self, search: _Search):
        self.search = search
        project = search.project
        #: The names of the classes a value (a return annotation, what an attribute holds) may be an
        #: instance of, as spelled and through aliases, project functions, instances and class
        #: attributes.
        self.classes = _Gives(search)
        #: class → the names that give an instance of it; ``module``: only module-level ones.
        #: Only for a class ``giving`` may be asked about: one of the project (``asked``).
        self.by_class: dict[str, set[Named]] = defaultdict(set)
        self.module: dict[str, set[Named]] = defaultdict(set)
        self._asked: dict[str, bool] = {}
        classes, functions, instances = project.classes, project.functions, project.instances
        for qual, f in functions.items():
            if f.returns:
                owner, _, last = qual.rpartition(".")
                method = (owner or qual) in classes
                self._add(f.returns, (last, None if method else qual), not method)
        for info in classes.values():
            for name, held in info.attrs:
                self._add(held, (name, None), False)
        for name, value in instances.items():
            self._add(value, (_last(name), name), True)
        canonical, asked = search.canonical, self.asked
        for name, target in project.aliases.items():
            target = canonical(target)
            if name == target:
                continue
            made = functions.get(target)
            if made is None and target not in instances:
                if asked(target):
                    named = (_last(name), name)
                    self.by_class[target].add(named)
                    self.module[target].add(named)
                continue
            gives = {target}
            if made is not None and made.returns:
                gives |= self.classes(made.returns)
            if target in instances:
                gives |= self.classes(instances[target])
            named = (_last(name), name)
            for cls in gives:
                if asked(cls):
                    self.by_class[cls].add(named)
                    self.module[cls].add(named)

    def asked(self, cls: str) -> bool:
        """Whether ``giving`` may be asked about ``cls``: a class of the project, or a name of it
        (a base no parsed file defines), never one from outside (``typing.Any``, ``str``: most of
        what the project's aliases and annotations name)."""
        known = self._asked.get(cls)
        if known is None:
            project = self.search.project
            known = self._asked[cls] = (
                cls in project.classes or cls.partition(".")[0] in self.search.project_names
            )
        return known

    def _add(self, value: str, named: Named, module_level: bool) -> None:
        asked = self.asked
        for cls in self.classes(value):
            if asked(cls):
                self.by_class[cls].add(named)
                if module_level:
                    self.module[cls].add(named)

    def giving(self, classes: set[str], attributes: bool = True) -> set[Named]:
        """The names of ``classes`` (each ``asked``: ``leading`` asks about the project's classes
        and the names of the project in their families) and of what gives an instance of one. Not
        ``attributes``: no attribute, property or method (what is read on an object defines no
        subclass or alias)."""
        index = self.by_class if attributes else self.module
        out: set[Named] = {(_last(cls), cls) for cls in classes}
        for cls in classes:
            out |= index.get(cls, set())
        return out


class _Gives(Closure[str]):
    """``_Values.classes``: the names of the classes a value may be an instance of."""

    def __init__(self, search: _Search):
        super().__init__()
        self.search = search

    def step(self, value: str, depth: int) -> tuple[set[str], list[str]]:
        """The classes ``value`` names, as spelled and through aliases, and the values that give
        it (what a project function returns, an instance, a class attribute)."""
        project = self.search.project
        out: set[str] = set()
        further: list[str] = []
        for one in _values(value):
            canonical = self.search.canonical(one)
            out |= {one, canonical}
            if depth >= 12:
                continue
            made = project.functions.get(canonical)
            if made is not None and made.returns:
                further.append(made.returns)
            if canonical in project.instances:
                further.append(project.instances[canonical])
            holder, _, attr = canonical.rpartition(".")
            if holder in project.classes:
                further.extend(project.member(holder, attr))
        return out, further


class _Where(Closure[tuple[frozenset[str], ...]]):
    """Where a file that uses a module-level name of the project imports it from: the module that
    defines it, or one that re-exports it (or a module above the name: ``from app import client``
    then ``client.fetch()``). A file names a module ``app.client`` by its last part and the one
    before it (``from app.client import fetch``, ``import app.client``), or by being inside the
    package it is relative to (``from .client import fetch`` in ``app``; ``from . import fetch``
    in ``app.client``'s own package)."""

    def __init__(self, facts: Mapping[str, Facts], project: Project):
        super().__init__()
        self.module_of: dict[str, str] = {}
        for fact in facts.values():
            for qual in (
                *(f.qual for f in fact.functions),
                *(c.qual for c in fact.classes),
                *(name for name, _ in fact.aliases),
                *(name for name, _ in fact.instances),
            ):
                self.module_of.setdefault(qual, fact.module)
        self.aliased: dict[str, list[str]] = defaultdict(list)
        for name, target in project.aliases.items():
            if name != target:
                self.aliased[target].append(name)

    def step(self, qual: str, depth: int) -> tuple[set[tuple[frozenset[str], ...]], list[str]]:
        """How a file names the module of ``qual``, and the aliases of ``qual`` and of the modules
        above it (``__call__``: the ways to name where ``qual`` comes from, each a tuple of word
        sets to name)."""
        # A name of a file not parsed yet: as spelled, its module is what comes before it.
        module = self.module_of.get(qual) or qual.rpartition(".")[0]
        ways = {_module_words(module)} if module else set()
        further: list[str] = []
        if depth < 12:
            parts = qual.split(".")
            for i in range(len(parts), 0, -1):  # an alias of it, or of a module above it
                further.extend(self.aliased.get(".".join(parts[:i]), ()))
        return ways, further


def _module_words(module: str) -> tuple[frozenset[str], ...]:
    """How a file names ``module``: its last part, or being inside it; and the part before, or
    being inside the package it is in."""
    parts = module.split(".")
    last = frozenset([parts[-1], MODULE + module])
    if len(parts) == 1:
        return (last,)
    above = ".".join(parts[:-1])
    return (last, frozenset([parts[-2], MODULE + above]))


def _family(project: Project, owners: set[str]) -> set[str]:
    """The classes through which code reaches a member of ``owners``: each owner,
    its subclasses, and every ancestor of those (a base class whose ``self.m()`` reaches an
    override, a mixin whose ``self.m()`` is found in the class it is mixed into)."""
    if not owners:
        return set()
    # The classes whose line of bases holds an owner are the owners and their subclasses: those
    # are looked at, not every class of the project (once per owner, that grew as its square).
    family: set[str] = set()
    for owner in owners:
        below = project.all_subclasses(owner)
        for cls in [owner, *below] if owner in project.classes else below:
            line = project.ancestors(cls)
            if not owners.isdisjoint(line):
                family.update(line)
    return family


def _values(made: str) -> list[str]:
    """The classes (or names) a value annotation names: ``A|B``, ``(A,B)``, ``List[A]``."""
    return [one.rstrip("[]") for one in made.strip("()").replace("|", ",").split(",")]


def _owner(qual: str) -> str:
    return qual.rpartition(".")[0] or qual


def _last(qual: str) -> str:
    return qual.rpartition(".")[2]


def _dunder(name: str) -> bool:
    """``__init__``, ``__len__``: run without their name in the text (``__fetch`` and
    ``__exit__`` are called by name)."""
    return name in IMPLICIT


def _searchable(name: str) -> bool:
    return name.isidentifier() and not _dunder(name)


@lru_cache(maxsize=4096)
def _extends(pattern: str, name: str) -> bool:
    """Whether the ``match`` glob ``pattern`` matches some ``name.<more>``: a method of ``name``."""
    if "**" in pattern:
        return True
    wanted, parts = pattern.split("."), name.split(".")
    return len(wanted) > len(parts) and all(
        glob_to_regex(w).match(p) for w, p in zip(wanted, parts)
    )
