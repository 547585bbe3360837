"""One module's source -> what it binds at module level: classes, functions, imports and aliases.

The only part of drafting that parses Python (with ``ast``: the code is read, never imported or
run). Statements under ``if``, ``try`` and ``with`` count, in source order: both branches of
``try: import simplejson as json`` / ``except ImportError: import json`` are bindings, and the
resolver picks the one it can read.
"""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, field

from contractlint.analysis.scope import dotted
from contractlint.model.checked import parse_code, unwarned

#: Decorators that make a method an attribute rather than a call.
_PROPERTIES = ("property", "cached_property", "setter", "getter", "deleter")
#: Return annotations that stand for "a value or None": look inside them for the class.
_WRAPPERS = ("Optional", "Union")
#: ``try`` statements: ``try ... except*`` (TryStar) from Python 3.11.
_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))


class Bound(enum.Enum):
    """How a module-level name got its value."""

    DEFINED = "defined"  # class or def in this module
    MODULE = "module"  # import a.b (as x)
    IMPORTED = "imported"  # from m import n (as x); the target is "m.n"
    ALIAS = "alias"  # x = y or x = m.y: the target is the expression, read in this module
    VALUE = "value"  # anything else: the name no longer holds what it held


@dataclass(frozen=True)
class Binding:
    line: int
    how: Bound
    target: str = ""


@dataclass(frozen=True)
class Function:
    name: str
    line: int
    #: The dotted names the return annotation gives (through Optional, Union, ``|`` and quotes).
    returns: tuple[str, ...] = ()
    is_property: bool = False
    #: A parameter annotated as a Callable: a wrapper or a decorator, not a call to the service.
    takes_callable: bool = False
    #: It returns a function it defines: a decorator.
    returns_inner: bool = False


@dataclass(frozen=True)
class Class:
    module: str
    name: str
    line: int
    #: Each positional base as dotted source text; None for what is not a name (``Generic[T]``).
    bases: tuple[str | None, ...]
    #: Methods in source order; the first definition of a name wins (``@overload`` repeats them).
    methods: dict[str, Function] = field(default_factory=dict)

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass
class Module:
    name: str
    path: str
    is_package: bool
    doc: str | None = None
    classes: dict[str, Class] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    #: Modules imported with ``from m import *``.
    stars: list[str] = field(default_factory=list)
    #: ``__all__`` when it is a literal list or tuple of strings.
    exports: tuple[str, ...] | None = None


class Unreadable(Exception):
    """A file that cannot be read or parsed; the message says where."""


def read_module(name: str, path: str, is_package: bool) -> Module:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise Unreadable(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        tree = parse_code(data, path)
    except SyntaxError as exc:
        where = f"{path}:{exc.lineno or 1}:{exc.offset or 1}"
        raise Unreadable(f"{where}: cannot parse: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise Unreadable(f"{path}: cannot parse: {type(exc).__name__}") from None
    module = Module(name, path, is_package, doc=ast.get_docstring(tree, clean=False))
    _Reader(module).statements(tree.body)
    return module


class _Reader:
    def __init__(self, module: Module):
        self.module = module
        self.package = module.name if module.is_package else module.name.rpartition(".")[0]

    def bind(self, name: str, line: int, how: Bound, target: str = "") -> None:
        self.module.bindings.setdefault(name, []).append(Binding(line, how, target))

    def statements(self, body: list[ast.stmt]) -> None:
        for node in body:
            self.statement(node)

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.ClassDef):
            self.module.classes.setdefault(node.name, _class(self.module.name, node))
            self.bind(node.name, node.lineno, Bound.DEFINED)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.module.functions.setdefault(node.name, _function(node))
            self.bind(node.name, node.lineno, Bound.DEFINED)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.bind(alias.asname, node.lineno, Bound.MODULE, alias.name)
                else:
                    head = alias.name.split(".")[0]
                    self.bind(head, node.lineno, Bound.MODULE, head)
        elif isinstance(node, ast.ImportFrom):
            self.import_from(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            self.assign(node)
        elif isinstance(node, (ast.If, ast.While, ast.For, ast.AsyncFor)):
            self.statements(node.body)
            self.statements(node.orelse)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            self.statements(node.body)
        elif isinstance(node, _TRY):
            self.statements(node.body)
            for handler in node.handlers:
                self.statements(handler.body)
            self.statements(node.orelse)
            self.statements(node.finalbody)

    def import_from(self, node: ast.ImportFrom) -> None:
        source = node.module or ""
        if node.level:
            base = self.package.split(".") if self.package else []
            if node.level > 1:
                base = base[: len(base) - (node.level - 1)]
            source = ".".join([*base, *([source] if source else [])])
        if not source:
            return
        for alias in node.names:
            if alias.name == "*":
                self.module.stars.append(source)
            else:
                self.bind(
                    alias.asname or alias.name,
                    node.lineno,
                    Bound.IMPORTED,
                    f"{source}.{alias.name}",
                )

    def assign(self, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        if "__all__" in names and node.value is not None:
            listed = _strings(node.value)
            if isinstance(node, ast.AugAssign):
                self.module.exports = (*(self.module.exports or ()), *(listed or ()))
            else:
                self.module.exports = listed
        if isinstance(node, ast.AugAssign):
            return
        target = dotted(node.value) if node.value is not None else None
        for name in names:
            if name == "__all__":
                continue
            if target and len(targets) == 1:
                self.bind(name, node.lineno, Bound.ALIAS, target)
            elif node.value is not None:
                self.bind(name, node.lineno, Bound.VALUE)


def _class(module: str, node: ast.ClassDef) -> Class:
    cls = Class(module, node.name, node.lineno, tuple(dotted(base) for base in node.bases))
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cls.methods.setdefault(item.name, _function(item))
    return cls


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Function:
    decorators = [dotted(d) or "" for d in node.decorator_list]
    args = node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    inner = {
        item.name for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    return Function(
        name=node.name,
        line=node.lineno,
        returns=tuple(_annotated(node.returns)) if node.returns is not None else (),
        is_property=any(d.rpartition(".")[2] in _PROPERTIES for d in decorators),
        takes_callable=any(
            p.annotation is not None and "Callable" in _annotated(p.annotation) for p in params
        ),
        returns_inner=any(
            isinstance(item, ast.Return)
            and isinstance(item.value, ast.Name)
            and item.value.id in inner
            for item in node.body
        ),
    )


def _annotated(node: ast.expr, depth: int = 0) -> list[str]:
    """The names an annotation gives, last part only for typing's wrappers: ``Optional["Pipeline"]``
    -> ``["Pipeline"]``, ``Callable[[], T]`` -> ``["Callable"]``, ``A | None`` -> ``["A"]``."""
    if depth > 10:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            with unwarned():  # the library's text: a ``"A['\\d']"`` is no warning of ours
                parsed = ast.parse(node.value.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []
        return _annotated(parsed, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _annotated(node.left, depth + 1) + _annotated(node.right, depth + 1)
    if isinstance(node, ast.Subscript):
        head = dotted(node.value) or ""
        if head.rpartition(".")[2] in _WRAPPERS:
            inner = node.slice
            items = inner.elts if isinstance(inner, ast.Tuple) else [inner]
            return [name for item in items for name in _annotated(item, depth + 1)]
        return ["Callable"] if head.rpartition(".")[2] == "Callable" else []
    name = dotted(node)
    if name is None or name == "None":
        return []
    return ["Callable"] if name.rpartition(".")[2] == "Callable" else [name]


def _strings(node: ast.expr) -> tuple[str, ...] | None:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    strings = [
        e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
    ]
    return tuple(strings) if len(strings) == len(node.elts) else None
