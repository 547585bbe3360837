"""The names a piece of code spells, and what each one does there: read, bind, name a keyword.

Every identifier counts, wherever it stands: a variable, an attribute's name (``y`` of ``x.y``),
a keyword argument, a parameter, the name a ``def`` or an ``import`` binds, ``None``, ``True``
and ``False``. The rules ask three questions of them: does a block bind a name (``binds_name``),
read it (``reads_name``), and which names does a function use and bind (``frame_names``; worked
out only for a name its file spells, ``FrameNames``), so that a suggested handler neither shadows
nor misnames one.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Container, Iterator, Sequence

from contractlint.analysis.tree import (
    FOR,
    FUNCTION,
    MatchAs,
    MatchClass,
    MatchMapping,
    MatchStar,
    ParamSpec,
    TypeAlias,
    TypeVar,
    TypeVarTuple,
    children,
    is_keyword_constant,
    walk,
)

# What a name does where it stands.
READ = "read"  # a variable read, ``None``, a ``def``'s or a class's name, an imported module
STORE = "store"  # a variable bound by an assignment, a ``for``, a walrus, ``with ... as``
ATTRIBUTE = "attribute"  # ``y`` of ``x.y`` (and ``b`` of ``import a.b``)
KEYWORD = "keyword"  # ``key`` of ``f(key=1)``
PARAMETER = "parameter"
ALIAS = "alias"  # ``y`` of ``import x as y`` and of ``except E as y``
UPDATE = "update"  # ``x`` of ``x += 1``: read, then bound
DEFINITION = "definition"  # the name of a ``def`` or a ``class``
#: What reads a name where it stands.
READS = frozenset({READ, UPDATE, DEFINITION})

_TYPE_PARAMS = (TypeVar, ParamSpec, TypeVarTuple)


def own_names(node: ast.AST) -> Iterator[tuple[str, str]]:
    """(name, what it does) for the names ``node`` holds itself, not those of the nodes below."""
    kind = type(node)
    if kind is ast.Name:
        yield node.id, STORE if type(node.ctx) is ast.Store else READ
    elif kind is ast.Attribute:
        yield node.attr, ATTRIBUTE
    elif kind is ast.Constant:
        if is_keyword_constant(node):
            yield str(node.value), READ
    elif kind is ast.keyword:
        if node.arg is not None:
            yield node.arg, KEYWORD
    elif kind is ast.arg:
        yield node.arg, PARAMETER
    elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
        yield node.name, DEFINITION
    elif kind is ast.alias:
        yield from _dotted(node.name)
        if node.asname is not None:
            yield node.asname, ALIAS
    elif kind is ast.ImportFrom:
        if node.module is not None:
            yield from _dotted(node.module)
    elif kind is ast.ExceptHandler:
        if node.name is not None:
            yield node.name, ALIAS
    elif kind is ast.Global or kind is ast.Nonlocal:
        for name in node.names:
            yield name, READ
    elif kind is MatchAs or kind is MatchStar:
        if node.name is not None:
            yield node.name, READ
    elif kind is MatchMapping:
        if node.rest is not None:
            yield node.rest, READ
    elif kind is MatchClass:
        for name in node.kwd_attrs:
            yield name, READ
    elif kind in _TYPE_PARAMS:
        yield node.name, READ


def _dotted(name: str) -> Iterator[tuple[str, str]]:
    head, *rest = name.split(".")
    yield head, READ
    for part in rest:
        yield part, ATTRIBUTE


def names(node: ast.AST, imports: bool = True) -> Iterator[tuple[str, str]]:
    """(name, what it does) for every name in ``node`` and below it, nested functions included;
    ``imports=False`` leaves out ``import`` statements."""
    stack = [node]
    while stack:
        current = stack.pop()
        if not imports and isinstance(current, (ast.Import, ast.ImportFrom)):
            continue
        kind = type(current)
        if kind is ast.AugAssign and type(current.target) is ast.Name:
            yield current.target.id, UPDATE
            stack.append(current.value)
            continue
        if kind is TypeAlias:
            yield current.name.id, READ  # a ``type`` statement's name is not a variable bound
            stack.extend(c for c in children(current) if c is not current.name)
            continue
        yield from own_names(current)
        stack.extend(children(current))


def stored_names(target: ast.AST) -> Iterator[str]:
    """The plain names a target binds (``a`` and ``b`` in ``a, *b = ...``); ``x[i]`` and ``x.y``
    read ``x``."""
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from stored_names(element)
    elif isinstance(target, ast.Starred):
        yield from stored_names(target.value)


def frame_names(frame: ast.AST) -> tuple[frozenset[str], frozenset[str]]:
    """(every name the frame uses, the names it binds itself), nested functions included."""
    used = {name for name, _ in own_names(frame)}
    bound: set[str] = set()
    for child in children(frame):
        for name, role in names(child):
            used.add(name)
            if role in _BINDS:
                bound.add(name)
    return frozenset(used), frozenset(bound)


_BINDS = frozenset({STORE, PARAMETER, ALIAS, UPDATE, DEFINITION})

#: A run of the characters of an ASCII identifier, from the first that may start one.
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class FrameNames:
    """``frame_names`` of the frames of one module, each worked out when a question first needs
    it: a name the module's text never spells is in no frame, and most questions (is ``exc`` free
    here?) are about such a name. Every name of the tree is a word of an ASCII text (a name never
    follows a number directly, only a keyword may); in other text Python may have normalised a
    name (NFKC), so every question there works the frame out."""

    def __init__(self, text: str):
        self._text = text
        #: The words of the text, read at the first question (None: not ASCII, no shortcut).
        self._spelled: frozenset[str] | None = None
        self._read = False
        self._known: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def used(self, frame: ast.AST) -> Container[str]:
        """Every name the frame uses, nested functions included."""
        return _Names(self, frame, 0)

    def bound(self, frame: ast.AST) -> Container[str]:
        """The names the frame binds itself."""
        return _Names(self, frame, 1)

    def _has(self, frame: ast.AST, which: int, name: str) -> bool:
        if not self._read:
            text, self._read = self._text, True
            self._spelled = frozenset(_WORD.findall(text)) if text.isascii() else None
        if self._spelled is not None and name not in self._spelled:
            return False
        known = self._known.get(id(frame))
        if known is None:  # the frame is in the tree, which outlives this: its id stays its own
            known = self._known[id(frame)] = frame_names(frame)
        return name in known[which]


class _Names(Container[str]):
    __slots__ = ("_names", "_frame", "_which")

    def __init__(self, names: FrameNames, frame: ast.AST, which: int):
        self._names, self._frame, self._which = names, frame, which

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._names._has(self._frame, self._which, name)


def uses(module: ast.Module, name: str) -> int:
    """How often ``name`` is spelled in the module outside its imports."""
    return sum(1 for found, _ in names(module, imports=False) if found == name)


def binds_name(stmts: Sequence[ast.stmt], name: str) -> bool:
    """Whether the block assigns ``name`` anywhere (not in nested functions)."""
    for stmt in stmts:
        for node in [stmt, *walk(stmt)]:
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign, *FOR, ast.comprehension)):
                targets = [node.target]
            elif isinstance(node, ast.NamedExpr):
                targets = [node.target]
            elif isinstance(node, ast.withitem):
                targets = [node.optional_vars] if node.optional_vars is not None else []
            elif isinstance(node, (ast.ExceptHandler, ast.alias)):
                bound = node.name if isinstance(node, ast.ExceptHandler) else node.asname
                if bound == name:
                    return True
                continue
            elif isinstance(node, (*FUNCTION, ast.ClassDef)):
                if node.name == name:
                    return True
                continue
            else:
                continue
            for target in targets:
                if any(
                    found == name
                    for part in [target, *walk(target)]
                    for found, _ in own_names(part)
                ):
                    return True
    return False


def reads_name(stmts: Sequence[ast.stmt], name: str) -> bool:
    """Whether the block loads ``name`` (a conservative test: any use of the bare name counts,
    in a nested function too: a closure that reads the name reads it later)."""
    return any(found == name and role in READS for stmt in stmts for found, role in names(stmt))
