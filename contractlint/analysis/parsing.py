"""From a file's bytes to CPython's tree, or to the CL900 finding that says why there is none.

The file is decoded as Python reads it (a BOM, a PEP 263 coding cookie, else UTF-8) and parsed by
CPython's own parser, which guards its depth. Code newer than the running Python (a ``match``
statement on 3.9, ``except*`` before 3.11, a ``type`` statement before 3.12) is parsed by libcst,
whose parser takes every version's syntax, and its tree is read as CPython's
(``contractlint.analysis.newer``). ``--target-version`` refuses syntax newer than the code's
oldest Python, on either tree.

``analyse_source`` reads the file, through every parse here, ``model.checked.unwarned``: Python's
own warnings about the checked code are not contractlint's to print.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from contractlint.analysis.tree import FUNCTION, Match, TryStar, TypeAlias, blocks_of, is_located
from contractlint.model import Finding, Span, new_finding


@dataclass
class Parsed:
    """A module's tree, its text (as decoded), and whether its columns count characters already."""

    tree: ast.Module
    text: str
    in_characters: bool = False


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    return new_finding("CL900", path, Span(line, column, line, column), message)


def parse(source: str | bytes, path: str) -> Parsed | Finding:
    """The tree of ``source``, or the CL900 finding for a file that cannot be parsed."""
    nul = source.find(b"\0") if isinstance(source, bytes) else source.find("\0")
    if nul >= 0:
        line, column = _line_column(source, nul)
        return parse_error(
            path, "cannot parse: the file holds a NUL byte (is it a binary file?)", line, column
        )
    try:
        text = source if isinstance(source, str) else _decode(source)
    except UnicodeDecodeError as exc:
        return _decode_error(source, path, exc)
    except (LookupError, SyntaxError, ValueError) as exc:
        return parse_error(path, f"cannot decode: {exc}")
    try:
        return _held(_compile(source, text, path), text, path)
    except (RecursionError, MemoryError):
        return parse_error(path, _TOO_DEEP_MESSAGE)
    except SyntaxError as err:
        if any(text in (err.msg or "") for text in _TOO_DEEP):
            return parse_error(
                path, f"cannot parse: {err.msg}", err.lineno or 1, max(err.offset or 1, 1)
            )
        if sys.version_info < (3, 12):
            from contractlint.analysis.stripped import parse_stripped

            stripped = parse_stripped(text, err, path)
            if stripped is not None:
                return _held(stripped, text, path)
        from contractlint.analysis.newer import parse_newer

        return parse_newer(source, text, path, err)


def _held(tree: ast.Module, text: str, path: str) -> Parsed | Finding:
    """``tree``, unless it is deeper than Python 3.11 takes: before 3.11, CPython builds trees no
    parser of ours should walk (a 10,000-term ``+`` chain)."""
    if sys.version_info < (3, 11) and _deeper_than(tree, _CPYTHON_311_DEPTH):
        return parse_error(path, _TOO_DEEP_MESSAGE)
    return Parsed(tree, text)


#: A file bigger than twice this is parsed a piece at a time, about this much each: CPython's
#: parser holds its own tree and the ``ast`` objects at once, twice the memory of the latter.
PIECE = 256 * 1024
#: Lines that cannot start a top-level statement of their own (a piece never starts there).
_NOT_A_START = re.compile(r"[ \t\f\r\n#)\]}@]|(?:else|elif|except|finally)\b")


def _compile(source: str | bytes, text: str, path: str) -> ast.Module:
    if len(text) <= 2 * PIECE:
        return _tree(source, path)
    try:
        return _compile_pieces(text, path)
    except SyntaxError:  # worded and placed by CPython on the whole file
        return _tree(source, path)


def _tree(source: str | bytes, path: str) -> ast.Module:
    return cast(ast.Module, compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True))


def _compile_pieces(text: str, path: str) -> ast.Module:
    """The tree of a big module, parsed in pieces of whole top-level statements. A piece ends
    before a line that starts at column 0 (in a string or brackets, a piece that stops there
    does not parse: it takes the next piece in too)."""
    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)
    body: list[ast.stmt] = []
    start = 0
    while start < len(lines):
        end, size = start, 0
        while end < len(lines) and size < PIECE:
            size += len(lines[end])
            end += 1
        while True:
            while end < len(lines) and _NOT_A_START.match(lines[end]):
                end += 1
            try:
                piece = _tree("".join(lines[start:end]), path)
                break
            except SyntaxError:
                if end >= len(lines):
                    raise
                end += 1
        if start:
            _shift(piece, start)
        body.extend(piece.body)
        start = end
    return ast.Module(body=body, type_ignores=[])


def _shift(tree: ast.AST, lines: int) -> None:
    for node in ast.walk(tree):
        if is_located(node) and node.end_lineno is not None:
            node.lineno += lines
            node.end_lineno += lines


def _decode(source: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    return source.decode(encoding)


#: What CPython's own parser says when code is nested deeper than any Python accepts.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex")
_TOO_DEEP_MESSAGE = "cannot parse: the code is nested too deeply (more than Python accepts)"
#: Roughly where Python 3.11's parser stops building a tree (a ``+`` chain of 3,000 terms).
_CPYTHON_311_DEPTH = 2900


def _deeper_than(tree: ast.AST, limit: int) -> bool:
    """Whether ``tree`` nests deeper than ``limit``; iterative, so it cannot overflow itself."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return False


def _line_column(source: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``source``, for any line ending."""
    head = source[:offset]
    # line breaks are ASCII: decoding (bad bytes replaced) leaves them where they are
    text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
    line = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    start = max(text.rfind("\n"), text.rfind("\r")) + 1
    return line, len(text) - start + 1


def _decode_error(source: str | bytes, path: str, exc: UnicodeDecodeError) -> Finding:
    line, column = _line_column(source, exc.start) if isinstance(source, bytes) else (1, 1)
    return parse_error(
        path,
        f"cannot decode: {exc.encoding} cannot decode byte 0x{exc.object[exc.start]:02x}: "
        f"{exc.reason} (wrong encoding, or a coding cookie that lies?)",
        line,
        column,
    )


_AT = re.compile(r"error at (\d+):(\d+): ")


def syntax_error(path: str, err: SyntaxError, exc) -> Finding:
    """Python's own compiler words syntax errors better and places them right; libcst's
    ``ParserSyntaxError`` ``exc`` is the fallback."""
    if err.lineno:
        return parse_error(path, f"cannot parse: {err.msg}", err.lineno, max(err.offset or 1, 1))
    message = (str(exc.message).strip().splitlines() or ["syntax error"])[0]
    message = message.replace("parser error: ", "")
    found = _AT.search(message)
    if found:
        line, column = int(found.group(1)), int(found.group(2)) + 1
        return parse_error(path, f"cannot parse: {_AT.sub('', message)}", line, column)
    return parse_error(path, f"cannot parse: {message}", exc.raw_line, exc.raw_column + 1)


def newer_syntax(tree: ast.Module, target: tuple[int, int], source) -> tuple | None:
    """The first statement (or ``except`` clause) that needs a Python newer than ``target``:
    (node, version, what), or None. ``source`` reads the text where the tree cannot tell
    (``positions.Positions``)."""
    for node in _in_order(tree.body):
        found = _needs(node, source)
        if found is not None and found[0] > target:
            return (node, *found)
    return None


def _in_order(stmts) -> Iterator[ast.AST]:
    """Every statement and ``except`` clause (not ``except*``: its errors are a group's), each
    before what it holds, in source order."""
    for node in stmts:
        yield node
        if isinstance(node, (ast.Try, TryStar)):
            yield from _in_order(node.body)
            for handler in node.handlers:
                if isinstance(node, ast.Try):
                    yield handler
                yield from _in_order(handler.body)
            yield from _in_order(node.orelse)
            yield from _in_order(node.finalbody)
        elif isinstance(node, (*FUNCTION, ast.ClassDef)):
            yield from _in_order(node.body)
        else:
            for block in blocks_of(node):
                yield from _in_order(block)


def _needs(node: ast.AST, source) -> tuple[tuple[int, int], str] | None:
    if isinstance(node, Match):
        return (3, 10), "a match statement"
    if isinstance(node, TryStar):
        return (3, 11), "except*"
    if isinstance(node, TypeAlias):
        return (3, 12), "a type statement"
    if isinstance(node, (*FUNCTION, ast.ClassDef)) and getattr(node, "type_params", None):
        return (3, 12), "a type parameter list"
    if (
        isinstance(node, ast.ExceptHandler)
        and isinstance(node.type, ast.Tuple)
        and not source.parenthesized(node.type)
    ):
        return (3, 14), "except without parentheses around several errors"
    return None
