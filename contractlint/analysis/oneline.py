"""The ``try`` around a statement alone on one line, written from the file's text.

libcst writes a node it parsed back as it was read: a statement on one line of its own comes back
as the line's text, put under the indentation of the block it goes in. Wrapping such a statement
in a ``try`` (the common case: a call whose statement holds nothing else to rewrite) therefore
needs no libcst parse of the statement and no code generation of it: the code is the line's text
between the ``try:`` that starts it and the ``except`` that follows, and only the handler is
libcst's, rendered once for each handler and indentation (``Wrapper``). The code is the one
``suggest`` writes with libcst's nodes for the same call (``tests/analysis/test_oneline.py``
compares them).

Anything else goes the libcst way: a statement over several lines (libcst re-indents the lines
inside its brackets), one that shares its line (``a = 1; b = f()``, ``if x: f()``, a line
continued from the one before), a call inside a lambda, a comprehension or an f-string, a line
ending other than the file's first, or code after the statement other than spaces and a comment.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from contractlint.analysis.positions import Positions
from contractlint.analysis.records import CallRecord
from contractlint.analysis.tree import COMPOUND, COMPREHENSION
from contractlint.fixes.edits import content
from contractlint.fixes.transform import Source, line_of, try_statement
from contractlint.model import Edit, Policy, Span

#: What may follow a statement on its line: spaces, then a comment (libcst's trailing whitespace).
_REST = re.compile(r"[ \t]*(?:#[^\r\n]*)?")
#: Where a call's code runs later, or more than once, or is placed apart (before Python 3.12).
_APART = (ast.Lambda, *COMPREHENSION, ast.JoinedStr)
#: The statement a handler is rendered around, to be cut out again.
_STAND_IN = line_of(cst.Expr(cst.Name("_")))


@dataclass(frozen=True)
class Line:
    """A statement alone on its line: where it starts, its indentation, its code, and what follows
    it on the line (spaces, a comment)."""

    number: int
    column: int  # 1-based, in characters
    indent: str
    code: str
    rest: str
    #: The statement is the call alone (or its ``await``), its value dropped.
    dropped: bool


def _reaches(stmt: ast.stmt, call: ast.AST) -> bool:
    """Whether ``call`` is in ``stmt`` outside any lambda, comprehension or f-string."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if node is call:
            return True
        if not isinstance(node, _APART):
            stack.extend(ast.iter_child_nodes(node))
    return False


def dropped(stmt: ast.stmt, call: ast.AST) -> bool:
    """Whether the statement is the call alone (or its ``await``), its value dropped."""
    if not isinstance(stmt, ast.Expr):
        return False
    value = stmt.value
    return value is call or (isinstance(value, ast.Await) and value.value is call)


class Wrapper:
    """The ``try`` statements of one module written around lines: each handler rendered by libcst
    once per indentation."""

    def __init__(self, src: Source, positions: Positions):
        self.src = src
        self.positions = positions
        self._tails: dict[tuple, tuple[tuple[cst.BaseStatement, ...], str | None]] = {}

    def line(
        self, record: CallRecord, codes: Sequence[str], peers: Sequence[CallRecord]
    ) -> Line | None:
        """The line of the call's statement, if a ``try`` around it is all the advice writes: the
        findings are CL001 (``codes``), no other call of its group is in the statement (``peers``:
        those that are), the statement stands alone on its line and holds the call outside any
        lambda, comprehension or f-string, and no fallback goes in place of the call. Else None."""
        stmt, call, group, src = record.statement, record.node, record.group, self.src
        if (
            stmt is None
            or any(code != "CL001" for code in codes)
            or len(peers) != 1
            or peers[0] is not record
            or isinstance(record.frame, ast.Lambda)
            or not isinstance(call, ast.Call)
        ):
            return None
        value_dropped = dropped(stmt, call)
        if group.fallback and not value_dropped and group.policy != Policy.FAIL_CLOSED:
            return None  # the fallback goes in place of the call, in a copy of the statement
        if isinstance(stmt, COMPOUND) or stmt.lineno != stmt.end_lineno:
            return None
        span = self.positions.span(stmt)
        number = span.line
        if not 1 <= number <= len(src.lines):
            return None
        raw = src.lines[number - 1]
        text = content(raw)
        if text + src.newline != raw:
            return None
        if number > 1 and content(src.lines[number - 2]).endswith("\\"):
            return None  # maybe continued from the line before (a backslash ends it)
        indent = text[: span.column - 1]
        code = text[span.column - 1 : span.end_column - 1]
        rest = text[span.end_column - 1 :]
        if indent.strip(" \t") or not code or not _REST.fullmatch(rest):
            return None
        if not _reaches(stmt, call):
            return None
        return Line(number, span.column, indent, code, rest, value_dropped)

    def _tail(
        self,
        clause: tuple[str, cst.BaseExpression],
        as_name: str | None,
        body: Sequence[cst.BaseStatement],
        indent: str,
    ) -> str | None:
        """The code after the statement of the ``try`` (its handler), None if libcst writes the
        ``try`` some other way. The nodes of ``body`` are shared: their identity is the key (and
        the entry holds them, so that no other node takes their ``id``)."""
        key = (clause[0], as_name, tuple(id(node) for node in body), indent)
        if key not in self._tails:
            node = try_statement(_STAND_IN, clause[1], as_name, body)
            code = self.src.render(node, indent)
            head = self._head(indent) + "_" + self.src.newline
            tail = code[len(head) :] if code.startswith(head) else None
            self._tails[key] = (tuple(body), tail)
        return self._tails[key][1]

    def _head(self, indent: str) -> str:
        newline = self.src.newline
        return f"{indent}try:{newline}{indent}{self.src.indent}"

    def texts(
        self,
        line: Line,
        clause: tuple[str, cst.BaseExpression],
        as_name: str | None,
        body: Sequence[cst.BaseStatement],
    ) -> tuple[str, Edit] | None:
        """(the recommended handling, unindented, with ``\\n`` line endings; the edit that puts the
        statement in the ``try``, from its first character to the end of its line), or None: go the
        libcst way."""
        alone_tail = self._tail(clause, as_name, body, "")
        tail = self._tail(clause, as_name, body, line.indent)
        if alone_tail is None or tail is None:
            return None
        newline = self.src.newline
        text = self._head("") + line.code + newline + alone_tail
        text = text.replace(newline, "\n").rstrip("\n")
        edit = self._head(line.indent)[len(line.indent) :] + line.code + line.rest + newline + tail
        if edit.endswith(newline):
            edit = edit[: -len(newline)]
        end = len(self.src.line(line.number)) + 1
        return text, Edit(Span(line.number, line.column, line.number, end), edit)
