"""Code whose only syntax newer than the running Python is Python 3.12's ``type`` statement, a
list of type parameters (``class Box[T]:``, ``def first[T](items: list[T]) -> T:``) or an f-string
of Python 3.12 (``contractlint.analysis.requoted``), read by CPython.

Most code that CPython refuses before 3.12 is such code (a tenth of Home Assistant's modules, most
of them for a ``type Entry = ConfigEntry[Coordinator]``), and libcst's parse, with the places of its
nodes, costs twenty times CPython's. Each line CPython stops at is rewritten so that it parses,
every other character in its place: ``type`` becomes ``_=0;`` (a statement of its own before the
assignment that is left), a list of type parameters becomes blanks. The tree CPython then builds
gets back what was blanked, as ``contractlint.analysis.newer`` builds it: the ``type`` statement,
and the type parameters of a class, a function or a ``type`` statement. A line that is none of
these has every f-string of the file requoted, once. Any other new syntax, a list of type
parameters over several lines, or one with a string in it, is left to libcst (``None``).
"""

from __future__ import annotations

import ast
import keyword
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from contractlint.analysis import tree as t
from contractlint.analysis.requoted import NodePlace, requote, restore

#: How many statements of a file are rewritten before the file is left to libcst.
MOST = 500
#: How many times over CPython may read the file, all the parses of its rewritten text together,
#: before it is left to libcst. Each parse reads up to the line it stops at: a file with many new
#: statements far down would cost many times libcst's one parse (with the places of its nodes,
#: some twenty of CPython's); bounded by as much again, it costs at most about twice that.
WHOLE_READS = 20

_NAME = r"(?!\d)\w+"
#: A name, where a type parameter starts.
_NAME_AT = re.compile(_NAME)
#: A ``type`` statement, up to the name it binds and the ``[`` of its type parameters if any.
_TYPE = re.compile(rf"([ \t]*)type[ \t]+({_NAME})[ \t]*(\[)?")
#: A class or function statement with type parameters, up to their ``[``.
_GENERIC = re.compile(rf"[ \t]*(?:(?:async[ \t]+)?def|class)[ \t]+{_NAME}[ \t]*\[")
_OPENING, _CLOSING = "([{", ")]}"


class _Params(NamedTuple):
    """A list of type parameters: the text between its brackets, and the place of each of its
    characters (line, byte offset)."""

    text: str
    places: tuple[tuple[int, int], ...]


def parse_stripped(text: str, err: SyntaxError, path: str) -> ast.Module | None:
    """The tree of ``text`` (which CPython refused with ``err``), or None: code this reading does
    not take, or does not take as valid, is left to libcst, which reads it or says where it is
    wrong (CL900)."""
    try:
        return _stripped(text, err, path)
    except Exception:  # a shape of the new syntax not foreseen here: libcst's reading decides
        return None


def _stripped(text: str, err: SyntaxError, path: str) -> ast.Module | None:
    lines = text.splitlines(keepends=True)
    at_once = _at_once(list(lines), path)
    if at_once is not None:
        return at_once
    #: The place of each ``type`` statement (line, byte offset): its name, its type parameters.
    aliases: dict[tuple[int, int], tuple[str, _Params | None]] = {}
    #: The place of each class or function statement with type parameters: those.
    generics: dict[tuple[int, int], _Params] = {}
    done: set[int] = set()
    #: The strings in f-strings rewritten (``requoted``), once a line is none of the above.
    changed: dict[NodePlace, str] | None = None
    read = 0
    for _ in range(MOST):
        number = err.lineno
        if not number or number > len(lines) or number in done:
            return None
        read += number
        if read > WHOLE_READS * len(lines):
            return None
        done.add(number)
        if not _rewrite(lines, number, aliases, generics):
            if changed is not None:
                return None
            changed = requote(lines)
            if changed is None:
                return None
        try:
            module = ast.parse("".join(lines), path)
        except SyntaxError as again:
            err = again
            continue
        except (ValueError, RecursionError, MemoryError):
            return None
        return _restore(module, aliases, generics, changed)
    return None


def _at_once(lines: list[str], path: str) -> ast.Module | None:
    """Every line that starts a ``type`` statement or a list of type parameters rewritten, then
    one parse: None where that is not the whole story (a line in a string, which no statement
    stands for in the tree, or other new syntax), and each line CPython stops at is rewritten in
    turn instead."""
    aliases: dict[tuple[int, int], tuple[str, _Params | None]] = {}
    generics: dict[tuple[int, int], _Params] = {}
    for number, line in enumerate(lines, 1):
        if _TYPE.match(line) or _GENERIC.match(line):
            _rewrite(lines, number, aliases, generics)
    try:
        module = ast.parse("".join(lines), path)
    except SyntaxError:
        changed = requote(lines)  # the strings of Python 3.12's f-strings too, then
        if changed is None:
            return None
        try:
            module = ast.parse("".join(lines), path)
        except SyntaxError:
            return None
        return _restore(module, aliases, generics, changed)
    return _restore(module, aliases, generics)


def _rewrite(
    lines: list[str],
    number: int,
    aliases: dict[tuple[int, int], tuple[str, _Params | None]],
    generics: dict[tuple[int, int], _Params],
) -> bool:
    line = lines[number - 1]
    found = _TYPE.match(line)
    if found is not None:
        start = found.end(1)
        params = None
        last, rest = number, found.end()
        if found.group(3):
            bracket = _params(lines, number, found.start(3))
            if bracket is None:
                return False
            params, last, closing = bracket
            rest = closing + 1
        after = lines[last - 1][rest:].lstrip(" \t")
        if not after.startswith("=") or after.startswith("=="):
            return False
        if params is not None and not _blank_span(lines, number, found.start(3), last, closing):
            return False
        aliases[(number, _bytes(line, start))] = (found.group(2), params)
        lines[number - 1] = lines[number - 1][:start] + "_=0;" + lines[number - 1][start + 4 :]
        return True
    found = _GENERIC.match(line)
    if found is None:
        return False
    bracket = _params(lines, number, found.end() - 1)
    if bracket is None:
        return False
    params, last, closing = bracket
    if not _blank_span(lines, number, found.end() - 1, last, closing):
        return False
    indent = len(line) - len(line.lstrip(" \t"))
    generics[(number, _bytes(line, indent))] = params
    return True


def _params(lines: list[str], number: int, opening: int) -> tuple[_Params, int, int] | None:
    """The type parameters whose ``[`` is character ``opening`` of line ``number``, and where
    their ``]`` is (line, character), if no string, comment or backslash stands between."""
    depth = 0
    text: list[str] = []
    places: list[tuple[int, int]] = []
    start = opening
    for at in range(number, len(lines) + 1):
        line = lines[at - 1]
        column = _bytes(line, start)
        for i in range(start, len(line)):
            char = line[i]
            if char in "'\"#\\":
                return None
            if char in _OPENING:
                depth += 1
            elif char in _CLOSING:
                depth -= 1
                if depth == 0:
                    return _Params("".join(text[1:]), tuple(places[1:])), at, i
            text.append(char)
            places.append((at, column))
            column += len(char.encode("utf-8"))
        start = 0
    return None


def _blank_span(lines: list[str], first: int, start: int, last: int, end: int) -> bool:
    """Blank the characters from ``start`` of line ``first`` to ``end`` of line ``last``; each
    line but the last then ends in a backslash, so that the statement goes on (False, and nothing
    changed, where a line has no character to put it in place of)."""
    if first == last:
        lines[first - 1] = _blank(lines[first - 1], start, end - start + 1)
        return True
    made = []
    for number in range(first, last + 1):
        line = lines[number - 1]
        if number == last:
            made.append(_blank(line, 0, end + 1))
            continue
        content = line.rstrip("\r\n")
        begin = start if number == first else 0
        if len(content) <= begin:
            return False
        blanked = _blank(content, begin, len(content) - begin)
        made.append(blanked[:-1] + "\\" + line[len(content) :])
    lines[first - 1 : last] = made
    return True


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
    changed: dict[NodePlace, str] | None = None,
) -> ast.Module | None:
    if changed and not restore(module, changed):
        return None  # a string was not where it was rewritten: left to libcst
    left = set(generics)
    made = 0
    # Only the statements around a rewritten line are looked at: a statement holds another only
    # in one of its lists of statements (or of handlers, or of a match's cases), within its lines.
    lines = sorted({line for line, _ in generics} | {line for line, _ in aliases})
    stack: list[ast.AST] = [module]
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef):
            params = generics.get((node.lineno, node.col_offset))  # type: ignore[attr-defined]
            if params is not None:
                node.type_params = _type_params(params)  # type: ignore[attr-defined]
                left.discard((node.lineno, node.col_offset))  # type: ignore[attr-defined]
        for field in node._fields:
            value = getattr(node, field, None)
            if not isinstance(value, list) or not value or isinstance(value[0], ast.expr):
                continue
            if isinstance(value[0], ast.stmt):
                joined = list(_joined(value, aliases))
                if len(joined) != len(value):
                    made += len(value) - len(joined)
                    setattr(node, field, joined)
                value = joined
            stack.extend(one for one in value if isinstance(one, ast.AST) and t.within(one, lines))
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
            and not isinstance(following.value, (ast.Yield, ast.YieldFrom, ast.Await, ast.Starred))
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
    out: list = []
    text = params.text
    pieces = _pieces(text)
    for number, (lo, hi) in enumerate(pieces):
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        if lo == hi:
            if number == len(pieces) - 1 and out:
                continue  # a comma after the last parameter
            raise SyntaxError("an empty type parameter")
        stars = 0
        while lo + stars < hi and text[lo + stars] == "*":
            stars += 1
        begin = lo + stars
        while begin < hi and text[begin].isspace():
            begin += 1
        name = _NAME_AT.match(text, begin, hi)
        if name is None or stars > 2 or keyword.iskeyword(name.group()):
            raise SyntaxError("a type parameter without a name")
        bound = default = None
        equal = _find(text, "=", name.end(), hi)
        colon = _find(text, ":", name.end(), equal)
        if text[name.end() : colon].strip() or (stars and (colon < equal or begin > lo + stars)):
            raise SyntaxError("a type parameter this reading does not take")
        if equal < hi:
            default = _expression(params, equal + 1, hi)
        if colon < equal:
            bound = _expression(params, colon + 1, equal)
        if stars == 0:
            made = t.TypeVar(name=name.group(), bound=bound, default_value=default)
        elif stars == 1:
            made = t.TypeVarTuple(name=name.group(), default_value=default)
        else:
            made = t.ParamSpec(name=name.group(), default_value=default)
        made.lineno, made.col_offset = params.places[lo]
        made.end_lineno, end = params.places[hi - 1]
        made.end_col_offset = end + len(text[hi - 1].encode("utf-8"))
        out.append(made)
    return out


def _pieces(text: str) -> list[tuple[int, int]]:
    """Where ``text`` is split at its commas outside brackets."""
    pieces, start = [], 0
    while start <= len(text):
        end = _find(text, ",", start, len(text))
        pieces.append((start, end))
        start = end + 1
    return pieces


def _find(text: str, mark: str, start: int, end: int) -> int:
    """Where ``mark`` is first in ``text[start:end]`` outside brackets (``end`` if nowhere)."""
    depth = 0
    for i in range(start, end):
        char = text[i]
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
        elif char == mark and depth == 0:
            return i
    return end


def _expression(params: _Params, lo: int, hi: int) -> ast.expr:
    """The expression at ``params.text[lo:hi]``, placed where it stands."""
    text = params.text
    while lo < hi and text[lo].isspace():
        lo += 1
    if not text[lo:hi].strip():
        raise SyntaxError("a bound or a default without its expression")
    line, column = params.places[lo]
    # In brackets, so that it may go on over several lines as it does in the list.
    tree = ast.parse("(" + text[lo:hi].rstrip() + ")", mode="eval")
    for node in ast.walk(tree):
        if isinstance(node, (ast.expr, ast.keyword, ast.arg)):
            if node.lineno == 1:
                node.col_offset += column - 1
            if node.end_lineno == 1 and node.end_col_offset is not None:
                node.end_col_offset += column - 1
            node.lineno += line - 1
            node.end_lineno = (node.end_lineno or 1) + line - 1
    return tree.body
