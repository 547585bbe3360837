"""A package read statically -> the entries of its draft contract: errors, call groups, types,
aliases.

Classes and functions are named where they are defined when that module is public
(``redis.exceptions.ConnectionError``), else by their shortest public re-export (httpx defines
``HTTPError`` in ``httpx._exceptions`` and users write ``httpx.HTTPError``); every other spelling
users import them by becomes an ``[aliases]`` entry. What has no public name is left out.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from contractlint.draft.read import Bound, Function, Module
from contractlint.draft.resolve import Kind, Ref, Resolver
from contractlint.findmodule import Location
from contractlint.model import ErrorHierarchy

#: A class whose name ends in one of these, or is the package's name, is taken for a client.
CLIENT_WORDS = (
    "Client",
    "Session",
    "Connection",
    "Pool",
    "Cluster",
    "Pipeline",
    "PubSub",
    "Lock",
    "Stub",
    "Service",
    "API",
    "Api",
    "Resource",
)
#: A client with more public methods than this gets one glob instead of one line per method.
LIST_AT_MOST = 40
#: Test code shipped inside a package is not part of its interface.
_TEST_FOLDERS = ("tests", "test")
_ASCII_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_ERROR_WORDS = ("Error", "Exception", "Timeout", "Exit", "Interrupt")


@dataclass(frozen=True)
class Method:
    name: str
    #: The public name of the class that defines it (for a comment when it is inherited).
    owner: str
    #: The client class its return annotation names, if any.
    makes: str | None = None


@dataclass(frozen=True)
class Client:
    name: str
    methods: tuple[Method, ...]

    @property
    def listed(self) -> bool:
        """One match line per method, or (too many to read) one glob for them all."""
        return len(self.methods) <= LIST_AT_MOST


@dataclass
class Draft:
    package: str
    origin: str
    summary: str | None
    #: Error -> its direct bases, the package's own first (in source order), then its dependencies'.
    errors: dict[str, list[str]] = field(default_factory=dict)
    external_errors: set[str] = field(default_factory=set)
    #: Bases that could not be read, per error (a compiled module, a dependency not installed).
    unread: dict[str, list[str]] = field(default_factory=dict)
    #: The package's errors that derive from no other of its errors: what a guard must catch.
    raises: list[str] = field(default_factory=list)
    clients: list[Client] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    wrappers: list[str] = field(default_factory=list)
    decorators: list[str] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)
    #: Public classes with methods that were not taken for clients.
    others: list[str] = field(default_factory=list)
    #: Public classes left out because a base that may be an exception could not be read.
    doubtful: list[str] = field(default_factory=list)
    #: Warning subclasses left out (warnings.warn issues them; nothing raises them at a caller).
    warnings: list[str] = field(default_factory=list)


def module_names(location: Location) -> list[str]:
    """The dotted names of the package's modules: its folders that hold an ``__init__.py``, less
    the tests it ships (``tests/``, ``test_*.py``, ``conftest.py``)."""
    names = [location.name] if location.source else []
    for root in location.folders:
        for folder, subfolders, files in os.walk(root):
            subfolders[:] = sorted(
                d
                for d in subfolders
                if d.isidentifier()
                and d not in _TEST_FOLDERS
                and os.path.isfile(os.path.join(folder, d, "__init__.py"))
            )
            relative = os.path.relpath(folder, root)
            prefix = (
                location.name
                if relative == "."
                else f"{location.name}.{relative.replace(os.sep, '.')}"
            )
            for file in sorted(files):
                stem = file[: -len(".py")]
                if not file.endswith(".py") or not stem.isidentifier() or _is_test(stem):
                    continue
                names.append(prefix if stem == "__init__" else f"{prefix}.{stem}")
    return list(dict.fromkeys(names))


def _is_test(stem: str) -> bool:
    return stem == "conftest" or stem.startswith("test_") or stem.endswith("_test")


class _Planner:
    def __init__(self, location: Location, resolver: Resolver):
        self.location = location
        self.resolver = resolver
        self.top = location.name.split(".")[0]
        names = module_names(location)
        loaded = [resolver.module(name) for name in names]
        self.modules: list[Module] = [m for m in loaded if m is not None]
        self.module_names = {m.name for m in self.modules}
        self.init_modules = {
            m.name
            for m in self.modules
            if self.public_module(m.name) and (m.is_package or m.name == location.name)
        }
        self.spellings: dict[str, set[str]] = {}
        for module in self.modules:
            self._spell(module)

    def public_module(self, name: str) -> bool:
        rest = name[len(self.location.name) :].split(".")
        return not any(part.startswith("_") for part in rest if part)

    def is_ours(self, ref: Ref) -> bool:
        return (
            ref.kind in (Kind.CLASS, Kind.FUNCTION)
            and ref.name.rpartition(".")[0] in self.module_names
        )

    def _spell(self, module: Module) -> None:
        """The public spellings of the package's classes and functions in ``module``."""
        if not self.public_module(module.name):
            return
        names = set()
        if module.name in self.init_modules:
            names = {n for n in self.resolver.exports(module) if not n.startswith("_")}
        for name, bindings in module.bindings.items():
            if not name.startswith("_") and bindings[-1].how in (Bound.DEFINED, Bound.ALIAS):
                names.add(name)
        for name in sorted(names):
            ref = self.resolver.name(module, name)
            if self.is_ours(ref):
                self.spellings.setdefault(ref.name, set()).add(f"{module.name}.{name}")

    def exported(self, qualname: str) -> bool:
        """Whether a package's ``__init__`` (or the module drafted) gives ``qualname`` a name."""
        return any(
            spelling.rpartition(".")[0] in self.init_modules
            for spelling in self.spellings.get(qualname, ())
        )

    def canonical(self, qualname: str) -> str | None:
        spelled = self.spellings.get(qualname)
        if not spelled:
            return None
        if qualname in spelled:
            return qualname if _ASCII_DOTTED.match(qualname) else None
        usable = [s for s in spelled if _ASCII_DOTTED.match(s)]
        own = qualname.rpartition(".")[2]
        # The class's own name over another (`Client = ShopClient`), then the shortest.
        best = min(
            usable, key=lambda s: (s.rpartition(".")[2] != own, s.count("."), s), default=None
        )
        return best

    def classes(self) -> list[Ref]:
        found = [
            Ref(Kind.CLASS, cls.qualname, cls=cls)
            for module in self.modules
            for cls in module.classes.values()
        ]
        # Shallow modules first: the package's own client before its asyncio twin.
        return sorted(
            found,
            key=lambda r: (r.the_class.module.count("."), r.the_class.module, r.the_class.line),
        )


def plan(location: Location, resolver: Resolver) -> Draft:
    planner = _Planner(location, resolver)
    top = resolver.module(location.name)
    doc = (top.doc or "").strip() if top else ""
    draft = Draft(location.name, location.source or location.folders[0], doc.split("\n")[0] or None)
    classes = planner.classes()
    _errors(planner, draft, classes)
    _clients(planner, draft, classes)
    _functions(planner, draft)
    _aliases(planner, draft)
    return draft


def _errors(planner: _Planner, draft: Draft, classes: list[Ref]) -> None:
    resolver = planner.resolver
    pending: list[Ref] = []

    def names(base: Ref, error: str, text: str) -> list[str]:
        if base.kind is Kind.BUILTIN:
            return [base.name] if resolver.is_exception(base) else []
        if base.kind is Kind.UNKNOWN:
            draft.unread.setdefault(error, []).append(text)
            return []
        if base.kind is not Kind.CLASS or not resolver.is_exception(base):
            return []
        if not planner.is_ours(base):
            if not _ASCII_DOTTED.match(base.name):
                draft.unread.setdefault(error, []).append(text)
                return []
            pending.append(base)
            return [base.name]
        public = planner.canonical(base.name)
        if public:
            return [public]
        # A private base: its own bases take its place, so every public ancestor stays.
        return [n for t, b in resolver.bases(base.the_class) for n in names(b, error, t)]

    def entry(ref: Ref, key: str) -> None:
        bases = [n for text, base in resolver.bases(ref.the_class) for n in names(base, key, text)]
        draft.errors[key] = list(dict.fromkeys(bases))

    for ref in classes:
        key = planner.canonical(ref.name)
        if key is None:
            continue
        if resolver.is_exception(ref):
            entry(ref, key)
        elif ref.the_class.name.endswith(_ERROR_WORDS) and any(
            b.kind is Kind.UNKNOWN for _, b in resolver.bases(ref.the_class)
        ):
            draft.doubtful.append(key)
    while pending:
        ref = pending.pop(0)
        if ref.name not in draft.errors:
            draft.external_errors.add(ref.name)
            entry(ref, ref.name)
    hierarchy = ErrorHierarchy({k: tuple(v) for k, v in draft.errors.items()})
    for name in list(draft.errors):
        if "Warning" in hierarchy.ancestors(name):
            del draft.errors[name]
            draft.unread.pop(name, None)
            if name not in draft.external_errors:
                draft.warnings.append(name)
    own = [e for e in draft.errors if e not in draft.external_errors]
    draft.raises = [e for e in own if not any(a != e and a in own for a in hierarchy.ancestors(e))]


def _clients(planner: _Planner, draft: Draft, classes: list[Ref]) -> None:
    """Client classes, their methods, and the factories that make them (``[types]``).

    A client is a public class with public methods that the package exports from an
    ``__init__`` and whose name says so (``CLIENT_WORDS``, or the package's own name), or that a
    client's method or a function returns and whose name says so (``Redis.pipeline() ->
    Pipeline``). A value the service answers with (``check() -> Capability``) is not one.
    """
    resolver = planner.resolver
    usable: dict[str, tuple[str, Ref, list]] = {}
    for ref in classes:
        # A class with no public spelling can still be what a client's method returns: it is then
        # named where it is defined (its instances are only ever reached through [types]).
        name = planner.canonical(ref.name) or (
            ref.name
            if not ref.the_class.name.startswith("_") and _ASCII_DOTTED.match(ref.name)
            else None
        )
        methods = _methods(planner, ref) if name and not resolver.is_exception(ref) else []
        if name and methods:
            usable[ref.name] = (name, ref, methods)

    def named(qualname: str) -> bool:
        cls = usable[qualname][1].the_class
        return cls.name.endswith(CLIENT_WORDS) or cls.name.lower() == planner.top.lower()

    made: dict[str, str] = {}  # public name of a function or method -> the class it returns
    for module in planner.modules:
        for function in module.functions.values():
            public = planner.canonical(f"{module.name}.{function.name}")
            returned = _returned_class(planner, function, module, None)
            if public and returned in usable:
                made[public] = returned
    chosen = [q for q in usable if named(q) and planner.exported(q)]
    chosen += [q for q in made.values() if q not in chosen and named(q)]
    for qualname in chosen:  # grows while it is read: what a client's methods make
        name, ref, methods = usable[qualname]
        for method, owner, function in methods:
            returned = _returned_class(
                planner, function, resolver.module(owner.the_class.module), ref
            )
            if returned in usable:
                made[f"{name}.{method}"] = returned
                if returned not in chosen and named(returned):
                    chosen.append(returned)
    order = {ref.name: i for i, ref in enumerate(classes)}
    chosen.sort(key=order.__getitem__)
    draft.types = {
        key: usable[q][0] for key, q in made.items() if q in chosen and _ASCII_DOTTED.match(key)
    }
    covered: set[str] = set()
    for qualname in chosen:
        name, ref, methods = usable[qualname]
        covered.update(a.name for a in resolver.ancestors(ref))
        draft.clients.append(
            Client(
                name,
                tuple(
                    Method(
                        method,
                        planner.canonical(owner.name) or owner.name,
                        draft.types.get(f"{name}.{method}"),
                    )
                    for method, owner, _ in methods
                ),
            )
        )
    draft.others = [
        name
        for qualname, (name, _, _) in usable.items()
        if qualname not in covered and planner.exported(qualname)
    ]


def _methods(planner: _Planner, ref: Ref) -> list[tuple[str, Ref, Function]]:
    """The public methods a call on an instance of ``ref`` may name, its own first, then its
    bases'."""
    seen: dict[str, tuple[str, Ref, Function]] = {}
    for ancestor in planner.resolver.ancestors(ref):
        for name, function in ancestor.the_class.methods.items():
            if name not in seen and not name.startswith("_") and not function.is_property:
                seen[name] = (name, ancestor, function)
    return list(seen.values())


def _returned_class(
    planner: _Planner, function: Function, module: Module | None, instance: Ref | None
) -> str | None:
    """The class a function's return annotation names (``-> "Pipeline"``, ``-> Self``), read in
    the module that defines the function; None unless it names exactly one."""
    found: set[str | None] = set()
    for text in function.returns:
        if text.rpartition(".")[2] == "Self" and instance is not None:
            found.add(instance.name)
        elif module is not None:
            ref = planner.resolver.expression(module, text)
            found.add(ref.name if ref.kind is Kind.CLASS else None)
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _functions(planner: _Planner, draft: Draft) -> None:
    """The public functions the package's ``__init__`` modules export: calls, factories,
    wrappers."""
    seen = set()
    for module in planner.modules:
        if module.name not in planner.init_modules:
            continue
        for name in sorted(planner.resolver.exports(module)):
            ref = planner.resolver.name(module, name)
            public = planner.canonical(ref.name) if ref.kind is Kind.FUNCTION else None
            if public is None or public in seen or not planner.is_ours(ref):
                continue
            seen.add(public)
            if ref.the_function.returns_inner:
                draft.decorators.append(public)
            elif ref.the_function.takes_callable:
                draft.wrappers.append(public)
            elif public not in draft.types:
                draft.functions.append(public)


def _aliases(planner: _Planner, draft: Draft) -> None:
    """Every other spelling of what the draft names -> the name it uses, unless the spelling is a
    module's name or a prefix of a name the draft uses (aliases rewrite the longest dotted
    prefix)."""
    public = {}
    for qualname in planner.spellings:
        name = planner.canonical(qualname)
        if name:
            public[name] = qualname
    used = {
        *draft.errors,
        *(c.name for c in draft.clients),
        *draft.functions,
        *draft.types,
        *draft.types.values(),
        *draft.wrappers,
        *draft.decorators,
    }
    taken = {*used, *planner.module_names}
    aliases = {}
    for name in sorted(used):
        spelled = public.get(name)
        if spelled is None:
            continue
        for spelling in sorted({spelled, *planner.spellings[spelled]} - {name}):
            if (
                spelling not in taken
                and _ASCII_DOTTED.match(spelling)
                and not any(other.startswith(f"{spelling}.") for other in taken)
            ):
                aliases[spelling] = name
    draft.aliases = aliases
