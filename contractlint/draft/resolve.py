"""Names -> what they are: a class or a function and where it is defined, a module, a builtin.

Follows imports, re-exports, ``from m import *`` (through ``__all__``) and ``x = y`` aliases from
module to module, into the package's dependencies and the standard library where their source is
on the search path. Modules are read when first needed and never imported.
"""

from __future__ import annotations

import builtins
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from contractlint.draft.read import Bound, Class, Function, Module, Unreadable, read_module
from contractlint.findmodule import find
from contractlint.model import BUILTIN_ALIASES, BUILTIN_EXCEPTIONS

_BUILTIN_NAMES = frozenset(dir(builtins))
#: How many names deep one lookup may go (an alias of an import of a re-export ...): a cycle or an
#: absurd chain ends as "unknown" rather than in a RecursionError.
MAX_DEPTH = 100


class Kind(enum.Enum):
    CLASS = "class"
    FUNCTION = "function"
    MODULE = "module"
    BUILTIN = "builtin"
    VALUE = "value"  # a name bound to something else
    UNKNOWN = "unknown"  # source that could not be found or read


@dataclass(frozen=True)
class Ref:
    kind: Kind
    #: The defining dotted name (``redis.client.Redis``), a builtin's name, or the text not
    #: resolved.
    name: str
    cls: Class | None = None
    function: Function | None = None

    @property
    def the_class(self) -> Class:
        """``cls`` of a reference to a class (``Kind.CLASS``), which always has one."""
        if self.cls is None:
            raise ValueError(f"{self.name} is not a class")
        return self.cls

    @property
    def the_function(self) -> Function:
        """``function`` of a reference to a function (``Kind.FUNCTION``), which always has one."""
        if self.function is None:
            raise ValueError(f"{self.name} is not a function")
        return self.function


class Resolver:
    def __init__(self, path: Sequence[str]):
        self.path = list(path)
        self._modules: dict[str, Module | None] = {}
        self._names: dict[tuple[str, str, bool], Ref] = {}
        self._active: set[tuple[str, str, int | None, bool]] = set()
        self._exports: dict[str, set[str]] = {}
        self._exception: dict[str, bool] = {}
        #: Module name -> why its file could not be read, in one line.
        self.problems: dict[str, str] = {}

    def module(self, name: str) -> Module | None:
        if name not in self._modules:
            self._modules[name] = self._load(name)
        return self._modules[name]

    def _load(self, name: str) -> Module | None:
        location = find(name, self.path)
        if location is None:
            return None
        if location.source is None:
            # A namespace package (its submodules are still found) or compiled code (nothing to
            # read).
            return Module(name, "", True) if location.folders else None
        try:
            return read_module(name, location.source, location.is_package)
        except Unreadable as exc:
            self.problems[name] = f"{exc}; skipped"
            return None

    def exports(self, module: Module) -> set[str]:
        """The names ``from module import *`` binds."""
        if module.name not in self._exports:
            self._exports[module.name] = set()  # a cycle of star imports adds nothing
            if module.exports is not None:
                names = set(module.exports)
            else:
                names = {n for n in module.bindings if not n.startswith("_")}
                for star in module.stars:
                    other = self.module(star)
                    if other is not None:
                        names |= self.exports(other)
            self._exports[module.name] = names
        return self._exports[module.name]

    def name(
        self, module: Module, name: str, line: int | None = None, attribute: bool = False
    ) -> Ref:
        """What ``name`` holds in ``module``: before ``line`` (a class's base is read where the
        class is), or at the end of the module. As an ``attribute`` (``module.name``), a name the
        module does not bind is a submodule, never a builtin."""
        key = (module.name, name, attribute)
        if line is None and key in self._names:
            return self._names[key]
        active = (module.name, name, line, attribute)
        if active in self._active or len(self._active) > MAX_DEPTH:
            return Ref(Kind.UNKNOWN, f"{module.name}.{name}")
        self._active.add(active)
        try:
            ref = self._lookup(module, name, line, attribute)
        finally:
            self._active.discard(active)
        if line is None:
            self._names[key] = ref
        return ref

    def _lookup(self, module: Module, name: str, line: int | None, attribute: bool) -> Ref:
        bindings = [b for b in module.bindings.get(name, ()) if line is None or b.line < line]
        # The last binding is what the name holds, but of `try: from simplejson import X` / `except
        # ImportError: from json import X`, take the last one that can be read.
        last = None
        for binding in reversed(bindings):
            ref = self._follow(module, name, binding.how, binding.target, binding.line)
            if ref.kind is not Kind.UNKNOWN:
                return ref
            last = last or ref
        if last is not None:
            return last
        for star in module.stars:
            other = self.module(star)
            if other is not None and name in self.exports(other):
                ref = self.name(other, name)
                if ref.kind is not Kind.UNKNOWN:
                    return ref
        if name in _BUILTIN_NAMES and not attribute:
            return Ref(Kind.BUILTIN, BUILTIN_ALIASES.get(name, name))
        if module.is_package and self.module(f"{module.name}.{name}") is not None:
            return Ref(Kind.MODULE, f"{module.name}.{name}")
        return Ref(Kind.UNKNOWN, f"{module.name}.{name}")

    def _follow(self, module: Module, name: str, how: Bound, target: str, line: int) -> Ref:
        if how is Bound.DEFINED:
            qualname = f"{module.name}.{name}"
            if name in module.classes:
                return Ref(Kind.CLASS, qualname, cls=module.classes[name])
            return Ref(Kind.FUNCTION, qualname, function=module.functions[name])
        if how is Bound.MODULE:
            found = self.module(target) is not None
            return Ref(Kind.MODULE if found else Kind.UNKNOWN, target)
        if how is Bound.IMPORTED:
            return self.dotted(target)
        if how is Bound.ALIAS:
            return self.expression(module, target, line)
        return Ref(Kind.VALUE, f"{module.name}.{name}")

    def expression(self, module: Module, text: str, line: int | None = None) -> Ref:
        """A dotted expression written in ``module`` (a base class, an annotation, ``x = m.y``)."""
        head, *rest = text.split(".")
        return self._attributes(self.name(module, head, line), rest)

    def dotted(self, name: str) -> Ref:
        """A fully qualified name (``urllib3.exceptions.HTTPError``)."""
        if name in BUILTIN_ALIASES:
            return Ref(Kind.BUILTIN, BUILTIN_ALIASES[name])
        parts = name.split(".")
        for cut in range(len(parts), 0, -1):
            module = self.module(".".join(parts[:cut]))
            if module is not None:
                return self._attributes(Ref(Kind.MODULE, module.name), parts[cut:])
        return Ref(Kind.UNKNOWN, name)

    def _attributes(self, ref: Ref, parts: list[str]) -> Ref:
        for part in parts:
            if ref.kind is Kind.MODULE:
                known = BUILTIN_ALIASES.get(f"{ref.name}.{part}")
                if known is not None:
                    return Ref(Kind.BUILTIN, known)
                module = self.module(ref.name)
                if module is None:
                    return Ref(Kind.UNKNOWN, f"{ref.name}.{part}")
                ref = self.name(module, part, attribute=True)
            else:
                # An attribute of a class or a value (a method, a nested class) is not followed.
                kind = Kind.UNKNOWN if ref.kind is Kind.UNKNOWN else Kind.VALUE
                return Ref(kind, f"{ref.name}.{part}")
        return ref

    def bases(self, cls: Class) -> list[tuple[str, Ref]]:
        """Each base of ``cls`` as written and what it is, read where the class is defined."""
        module = self.module(cls.module)
        out = []
        for text in cls.bases:
            if text is not None and module is not None:
                out.append((text, self.expression(module, text, cls.line)))
        return out

    def is_exception(self, ref: Ref) -> bool:
        if ref.kind is Kind.BUILTIN:
            return ref.name in BUILTIN_EXCEPTIONS or ref.name in BUILTIN_ALIASES.values()
        cls = ref.cls
        if ref.kind is not Kind.CLASS or cls is None:
            return False
        if ref.name not in self._exception:
            self._exception[ref.name] = False  # a cycle of bases is not an exception
            self._exception[ref.name] = any(self.is_exception(base) for _, base in self.bases(cls))
        return self._exception[ref.name]

    def ancestors(self, ref: Ref) -> list[Ref]:
        """``ref`` and the classes above it that can be read, in method resolution order (C3, or
        depth first where the hierarchy has no C3 order)."""
        seen: dict[str, list[Ref]] = {}

        def linear(current: Ref) -> list[Ref]:
            if current.name in seen:
                return seen[current.name]
            seen[current.name] = [current]  # a cycle ends here
            parents = [
                base
                for _, base in (self.bases(current.cls) if current.cls else [])
                if base.kind is Kind.CLASS
            ]
            order = _c3([linear(p) for p in parents] + [parents])
            if order is None:
                order = [r for p in parents for r in linear(p)]
            result = [current]
            for r in order:
                if all(r.name != s.name for s in result):
                    result.append(r)
            seen[current.name] = result
            return result

        return linear(ref)


def _c3(sequences: list[list[Ref]]) -> list[Ref] | None:
    pending = [list(s) for s in sequences if s]
    out: list[Ref] = []
    while pending:
        for seq in pending:
            head = seq[0]
            if not any(head.name in (r.name for r in other[1:]) for other in pending):
                break
        else:
            return None
        out.append(head)
        pending = [[r for r in s if r.name != head.name] for s in pending]
        pending = [s for s in pending if s]
    return out
