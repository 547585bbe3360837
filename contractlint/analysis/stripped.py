"""Code whose only syntax newer than the running Python is Python 3.12's ``type`` statement or a
list of type parameters (``class Box[T]:``, ``def first[T](items: list[T]) -> T:``), read by
CPython.

Most code that CPython refuses before 3.12 is such code (a tenth of Home Assistant's modules, most
of them for a ``type Entry = ConfigEntry[Coordinator]``), and libcst's parse, with the places of its
nodes, costs twenty times CPython's. Each line CPython stops at is rewritten so that it parses,
every other character in its place: ``type`` becomes ``_=0;`` (a statement of its own before the
assignment that is left), a list of type parameters becomes blanks. The tree CPython then builds
gets back what was blanked, as ``contractlint.analysis.newer`` builds it: the ``type`` statement,
and the type parameters of a class, a function or a ``type`` statement. Any other new syntax, a
list of type parameters over several lines, or one with a string in it, is left to libcst
(``None``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from contractlint.analysis import tree as t

#: How many statements of a file are rewritten before the file is left to libcst.
MOST = 500

_NAME = r"(?!\d)\w+"
#: A ``type`` statement, up to the name it binds and the ``[`` of its type parameters if any.
_TYPE = re.compile(rf"([ \t]*)type[ \t]+({_NAME})[ \t]*(\[)?")
#: A class or function statement with type parameters, up to their ``[``.
_GENERIC = re.compile(rf"[ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+{_NAME}[ \t]*\[")
_OPENING, _CLOSING = "([{", ")]}"


class _Params(NamedTuple):
    """A list of type parameters: the line, the byte offset of its ``[``, its text inside."""

    line: int
    column: int
    text: str


def parse_stripped(text: str, err: SyntaxError, path: str) -> ast.Module | None:
    """The tree of ``text`` (which CPython refused with ``err``), or None."""
    lines = text.splitlines(keepends=True)
    #: The place of each ``type`` statement (line, byte offset): its name, its type parameters.
    aliases: dict[tuple[int, int], tuple[str, _Params | None]] = {}
    #: The place of each class or function statement with type parameters: those.
    generics: dict[tuple[int, int], _Params] = {}
    done: set[int] = set()
    for _ in range(MOST):
        number = err.lineno
        if not number or number > len(lines) or number in done:
            return None
        done.add(number)
        line = lines[number - 1]
        if not _rewrite(lines, number, line, aliases, generics):
            return None
        try:
            module = ast.parse("".join(lines), path)
        except SyntaxError as again:
            err = again
            continue
        except (ValueError, RecursionError, MemoryError):
            return None
        try:
            return _restore(module, aliases, generics)
        except (SyntaxError, ValueError, RecursionError):
            return None  # type parameters this reading does not take: left to libcst
    return None


def _rewrite(
    lines: list[str],
    number: int,
    line: str,
    aliases: dict[tuple[int, int], tuple[str, _Params | None]],
    generics: dict[tuple[int, int], _Params],
) -> bool:
    found = _TYPE.match(line)
    if found is not None:
        start = found.end(1)
        params = None
        rest = found.end()
        if found.group(3):
            params = _params(line, number, found.start(3))
            if params is None:
                return False
            rest = found.start(3) + len(params.text) + 2
        if not line[rest:].lstrip(" \t").startswith("=") or line[rest:].lstrip(" \t")[:2] == "==":
            return False
        aliases[(number, _bytes(line, start))] = (found.group(2), params)
        new = line[:start] + "_=0;" + line[start + 4 :]
        if params is not None:
            new = _blank(new, found.start(3), len(params.text) + 2)
        lines[number - 1] = new
        return True
    found = _GENERIC.match(line)
    if found is None:
        return False
    params = _params(line, number, found.end() - 1)
    if params is None:
        return False
    indent = len(line) - len(line.lstrip(" \t"))
    generics[(number, _bytes(line, indent))] = params
    lines[number - 1] = _blank(line, found.end() - 1, len(params.text) + 2)
    return True


def _params(line: str, number: int, opening: int) -> _Params | None:
    """The type parameters whose ``[`` is at ``opening``, if their ``]`` is on the same line and
    no string stands between."""
    depth = 0
    for i in range(opening, len(line)):
        char = line[i]
        if char in "'\"#\\":
            return None
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
            if depth == 0:
                return _Params(number, _bytes(line, opening), line[opening + 1 : i])
    return None


def _blank(line: str, start: int, size: int) -> str:
    """``line`` with ``size`` characters from ``start`` as blanks, one for each of their bytes."""
    gone = line[start : start + size]
    return line[:start] + " " * len(gone.encode("utf-8")) + line[start + size :]


def _bytes(line: str, column: int) -> int:
    """The byte offset of character ``column`` of ``line`` (CPython's ``col_offset``)."""
    return len(line[:column].encode("utf-8"))


# -- the tree, made whole again -----------------------------------------------------------------


def _restore(
    module: ast.Module,
    aliases: dict[tuple[int, int], tuple[str, _Params | None]],
    generics: dict[tuple[int, int], _Params],
) -> ast.Module | None:
    left = set(generics)
    made = 0
    for node in ast.walk(module):
        kind = type(node)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            params = generics.get((node.lineno, node.col_offset))  # type: ignore[attr-defined]
            if params is not None:
                node.type_params = _type_params(params)  # type: ignore[attr-defined]
                left.discard((node.lineno, node.col_offset))  # type: ignore[attr-defined]
            elif not hasattr(node, "type_params"):
                node.type_params = []  # type: ignore[attr-defined]
        for field, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                joined = list(_joined(value, aliases))
                if len(joined) != len(value):
                    made += len(value) - len(joined)
                    setattr(node, field, joined)
    if left or made != len(aliases):
        return None  # a statement was not where it was rewritten: left to libcst
    return module


def _joined(
    body: list[ast.stmt], aliases: dict[tuple[int, int], tuple[str, _Params | None]]
) -> Iterator[ast.stmt]:
    """``body`` with each ``_=0;`` and the assignment after it as the ``type`` statement."""
    i = 0
    while i < len(body):
        stmt = body[i]
        alias = aliases.get((stmt.lineno, stmt.col_offset))
        following = body[i + 1] if i + 1 < len(body) else None
        if (
            alias is not None
            and type(stmt) is ast.Assign
            and type(following) is ast.Assign
            and len(following.targets) == 1
            and type(following.targets[0]) is ast.Name
            and following.targets[0].id == alias[0]
        ):
            name, params = alias
            made: Any = t.made(
                t.TypeAlias,
                name=following.targets[0],
                type_params=_type_params(params) if params is not None else [],
                value=following.value,
            )
            made.lineno, made.col_offset = stmt.lineno, stmt.col_offset
            made.end_lineno = following.end_lineno
            made.end_col_offset = following.end_col_offset
            yield made
            i += 2
            continue
        yield stmt
        i += 1


def _type_params(params: _Params) -> list:
    """The type parameters of ``params``, as ``newer`` makes them."""
    out = []
    text = params.text
    column = params.column + 1  # bytes, after the ``[``
    for piece in _pieces(text):
        size = len(piece.encode("utf-8"))
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        start = column + len(piece[:lead].encode("utf-8"))
        column += size + 1  # and the comma
        if not body:
            continue
        stars = len(body) - len(body.lstrip("*"))
        rest = body[stars:].lstrip()
        name = re.match(_NAME, rest)
        if name is None:
            raise SyntaxError("a type parameter without a name")
        after = rest[name.end() :]
        offset = start + len(body[: len(body) - len(rest) + name.end()].encode("utf-8"))
        bound = default = None
        head, equal, tail = _split(after, "=")
        if equal:
            default = _expression(tail, params.line, offset + len((head + "=").encode("utf-8")))
        head_bound, colon, bound_text = _split(head, ":")
        if colon:
            bound = _expression(
                bound_text, params.line, offset + len((head_bound + ":").encode("utf-8"))
            )
        if stars == 0:
            made = t.TypeVar(name=name.group(), bound=bound, default_value=default)
        elif stars == 1:
            made = t.TypeVarTuple(name=name.group(), default_value=default)
        else:
            made = t.ParamSpec(name=name.group(), default_value=default)
        made.lineno = made.end_lineno = params.line
        made.col_offset = start
        made.end_col_offset = start + len(body.encode("utf-8"))
        out.append(made)
    return out


def _pieces(text: str) -> list[str]:
    """``text`` split at its commas outside brackets."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
        elif char == "," and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return pieces


def _split(text: str, mark: str) -> tuple[str, str, str]:
    """``text`` at its first ``mark`` outside brackets."""
    depth = 0
    for i, char in enumerate(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
        elif char == mark and depth == 0:
            return text[:i], mark, text[i + 1 :]
    return text, "", ""


def _expression(text: str, line: int, column: int) -> ast.expr:
    """The expression ``text``, which stands at byte ``column`` of ``line``, placed there."""
    lead = len(text) - len(text.lstrip())
    column += len(text[:lead].encode("utf-8"))
    tree = ast.parse(text.strip(), mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, (ast.expr, ast.keyword, ast.arg)):
            node.lineno += line - 1
            node.end_lineno = (node.end_lineno or 1) + line - 1
            node.col_offset += column
            node.end_col_offset = (node.end_col_offset or 0) + column
    return tree.body
