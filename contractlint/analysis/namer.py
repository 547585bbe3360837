"""How this module spells a qualified name: through its imports, or with an import to add."""

from __future__ import annotations

import ast
import re
from collections.abc import Container, Iterable, Sequence

from contractlint.analysis.scope import Scope
from contractlint.fixes.transform import Import

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def _split_module(parts: Sequence[str]) -> tuple[str, str, list[str]]:
    """``a.b.Class.attr`` -> (``a.b``, ``Class``, [``attr``]): the module ends before the first
    capitalised part (a class), or before the last part."""
    for i in range(1, len(parts)):
        if parts[i][:1].isupper():
            return ".".join(parts[:i]), parts[i], list(parts[i + 1 :])
    return ".".join(parts[:-1]), parts[-1], []


class Namer:
    """Spells a qualified name the way this module can reach it, and notes the imports it needs."""

    def __init__(self, module_scope: Scope, canonical, tree: ast.Module | None = None):
        self.names: dict[str, str] = {}
        self.modules: dict[str, str] = {}
        self.logger: str | None = None
        self.bound: set[str] = set(module_scope.bindings)
        self.canonical = canonical
        #: A module-level name -> the qualified name it stands for (a name or a module).
        self.meaning: dict[str, str] = {}
        for local, value in module_scope.bindings.items():
            if value is None:
                continue
            if value.kind == "name":
                self.names.setdefault(canonical(value.qual), local)
                self.names.setdefault(value.qual, local)
                self.meaning[local] = value.qual
            elif value.kind == "module":
                self.modules.setdefault(value.qual, local)
                self.meaning[local] = value.qual
            elif (
                value.kind == "instance"
                and value.qual == "logging.getLogger"
                and self.logger is None
            ):
                self.logger = local
        #: Modules the file imports names from (``from m import a``), where new names join.
        self.from_modules: set[str] = set()
        for stmt in tree.body if tree is not None else ():
            if (
                isinstance(stmt, ast.ImportFrom)
                and not stmt.level
                and stmt.module is not None
                and stmt.names[0].name != "*"
            ):
                self.from_modules.add(stmt.module)
        self.needed: set[Import] = set()
        #: Names the code being advised already uses, which a new import must not shadow.
        self.taken: Container[str] = frozenset()
        #: A name the advice needs is used for something else: it would not mean what it says.
        self.clash = False

    def start(self, taken: Container[str] = frozenset()) -> None:
        self.needed = set()
        self.taken = taken
        self.clash = False

    def __call__(self, qualname: str) -> str:
        if "." not in qualname:
            return qualname
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):
            head, rest = ".".join(parts[:cut]), parts[cut:]
            local = self.names.get(head) or self.modules.get(head)
            if local is not None:
                return ".".join([local, *rest])
        module, name, rest = _split_module(parts)
        if module in self.from_modules and name not in self.bound and name not in self.taken:
            self.needed.add((module, name))
            return ".".join([name, *rest])
        if parts[0] in self.bound or parts[0] in self.taken:
            self.clash = True
        self.needed.add((module, None))
        return qualname

    def resolve(self, dotted: str) -> str | None:
        """The canonical name that ``dotted``, as this module spells it, stands for: through its
        module-level imports, or a builtin name it does not rebind; None when unknown."""
        head, dot, rest = dotted.partition(".")
        qual = self.meaning.get(head)
        if qual is None:
            return None if dot or head in self.bound or head in self.taken else dotted
        return self.canonical(f"{qual}{dot}{rest}")

    def expression(self, text: str) -> str:
        return _DOTTED.sub(lambda m: self(m.group(0)), text)


def import_lines(needed: Iterable[Import]) -> list[str]:
    modules = sorted({m for m, name in needed if name is None})
    names: dict[str, list[str]] = {}
    for module, name in needed:
        if name is not None:
            names.setdefault(module, []).append(name)
    lines = [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(names.items())]
    return lines + [f"import {m}" for m in modules]
