"""libcst's nodes for the statements a recommended handling rewrites, each parsed on its own.

The analysis reads CPython's tree; writing code in the file's own style (its quotes, comments, line
breaks and indentation) takes libcst's. A call with findings needs the statement that holds it
(its line, or the one-line suite and the compound statement owning it), an ``except`` clause to
widen or a handler to add a line to. Each is parsed from its own lines, never the whole file: the
*unit* parsed is the smallest statement libcst can parse alone (an ``elif`` needs its ``if``, a
``case`` its ``match``), and an indented one goes under a stand-in ``if 1:`` line, which keeps its
indentation: its nodes are those of the whole file's tree (``tests/analysis/test_units.py`` compares
them). A node of a unit is found again by its place in the unit: the k-th call of a statement in
both trees (``tree.children`` lists children in libcst's order).
"""

from __future__ import annotations

import ast
import bisect
import re
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from contractlint.analysis.positions import Positions
from contractlint.analysis.tree import (
    COMPOUND,
    FUNCTION,
    TRY,
    Match,
    argument_values,
    blocks_of,
    children,
    decorated_start,
    match_case,
)
from contractlint.fixes.transform import code_children

Position = tuple[int, int]  # 1-based line, 0-based column in characters, as libcst counts them
KEPT = 64
#: What may stand between two small statements of one line: ``;`` and line continuations.
_SEMICOLON = re.compile(
    r"[ \t\f]*(?:\\(?:\r\n|\r|\n)[ \t\f]*)*;[ \t\f]*(?:\\(?:\r\n|\r|\n)[ \t\f]*)*"
)


@dataclass
class Unit:
    """One statement (or one line of small statements) parsed alone."""

    module: cst.Module
    #: What to add to a line of the parsed text to get the file's.
    shift: int
    #: id of CPython's statement -> (libcst's statement, its line or one-line suite, the
    #: compound statement owning that suite); for a compound statement: (itself, None, None).
    statements: dict[int, tuple] = field(default_factory=dict)
    located: bool = False
    #: The keys this unit's nodes have in ``Units._where``.
    placed: list[int] = field(default_factory=list)


class Units:
    """The units of one module, each parsed once, when the advice first asks for it."""

    def __init__(self, tree: ast.Module, source: Positions):
        self.tree = tree
        self.source = source
        self.text = source.text
        self.newline = _first_newline(self.text)
        self.indent = _first_indent(tree, source)
        #: The units parsed, the latest last; the advice goes through a module's calls in order,
        #: so the oldest are dropped past ``KEPT`` (a file with findings everywhere would hold a
        #: libcst tree of most of its statements).
        self._units: OrderedDict[int, Unit] = OrderedDict()
        self._roots: dict[int, ast.stmt] = {}
        #: id(statement) -> (the block holding it, the statement or ``case`` owning the block).
        self._parents: dict[int, tuple[Sequence[ast.stmt], ast.AST | None]] = {}
        self._starts: dict[int, list[tuple[int, int]]] = {}
        self._where: dict[int, tuple[Position, Position]] = {}

    # -- what the advice asks for --------------------------------------------------------------
    def small(self, stmt: ast.stmt) -> tuple | None:
        """(libcst's small statement, its line or one-line suite, the compound statement owning
        the suite or None) for one of CPython's small statements."""
        return self._unit_of(stmt).statements.get(id(stmt))

    def expression(self, node: ast.expr) -> cst.CSTNode | None:
        """libcst's node for a call of CPython's tree, or for an argument of a call."""
        stmt = self.enclosing(node)[0]
        mapped = self._unit_of(stmt).statements.get(id(stmt))
        if mapped is None:
            return None
        if isinstance(node, ast.Call):
            return _nth_call(stmt, mapped[0], node)
        for call in _calls(stmt, ast.Call, children):
            values = argument_values(call)
            for i, value in enumerate(values):
                if value is node:
                    found = _nth_call(stmt, mapped[0], call)
                    return found.args[i].value if found is not None else None
        return None

    def handler(self, handler: ast.ExceptHandler) -> cst.ExceptHandler | None:
        """libcst's ``except`` clause for one of CPython's; ``where`` knows its nodes' places."""
        stmt = self.enclosing(handler)[0]
        unit = self._unit_of(stmt)
        mapped = unit.statements.get(id(stmt))
        if mapped is None or not isinstance(stmt, TRY):
            return None
        self._locate(unit)
        return mapped[0].handlers[stmt.handlers.index(handler)]

    def imports(self) -> cst.Module:
        """libcst's tree of the module's imports: its top-level statements up to the last import,
        and a ``pass`` standing for the next one (after the blank lines and comments that lead to
        it); the whole module if nothing follows its imports."""
        body = self.tree.body
        last = max(
            (i for i, s in enumerate(body) if isinstance(s, (ast.Import, ast.ImportFrom))),
            default=-1,
        )
        if last >= 0:
            end = self._line(body[last])[-1]
            last = next(i for i, s in enumerate(body) if s is end)
        if last + 1 == len(body):
            return cst.parse_module(self.text)
        head = "".join(self.source.lines(1, decorated_start(body[last + 1]) - 1))
        return cst.parse_module(head + "pass" + self.newline).with_changes(
            default_indent=self.indent, has_trailing_newline=_trailing_newline(self.text)
        )

    def where(self, node: cst.CSTNode) -> tuple[Position, Position]:
        """Where a node of a unit is in the file: (line, column), (end line, end column)."""
        return self._where[id(node)]

    # -- CPython's tree ------------------------------------------------------------------------
    def enclosing(self, node: ast.AST) -> tuple[ast.stmt, ast.AST | None]:
        """The innermost statement holding ``node`` (``node`` itself, for a statement), and the
        statement (or ``case``) owning the block it stands in (None: the module)."""
        block: Sequence[ast.stmt] = self.tree.body
        owner: ast.AST | None = None
        node = self.source.fstrings.get(id(node), node)  # placed by its f-string, at least
        key = (node.lineno, node.col_offset)
        while True:
            starts = self._starts.get(id(block))
            if starts is None:
                starts = self._starts[id(block)] = [_start(s) for s in block]
            i = bisect.bisect_right(starts, key) - 1
            stmt = block[i]
            self._parents.setdefault(id(stmt), (block, owner))
            if stmt is node or not isinstance(stmt, COMPOUND):
                return stmt, owner
            for inner, inner_owner in _owned_blocks(stmt):
                if inner and _within(inner, node):
                    block, owner = inner, inner_owner
                    break
            else:
                return stmt, owner

    def _parent(self, stmt: ast.stmt) -> tuple[Sequence[ast.stmt], ast.AST | None]:
        found = self._parents.get(id(stmt))
        if found is None:
            self.enclosing(stmt)
            found = self._parents[id(stmt)]
        return found

    def _unit_of(self, stmt: ast.stmt) -> Unit:
        root = self._roots.get(id(stmt))
        if root is None:
            root = self._roots[id(stmt)] = self._root(stmt)
        unit = self._units.get(id(root))
        if unit is None:
            unit = self._units[id(root)] = self._parse(root)
            while len(self._units) > KEPT:
                _, old = self._units.popitem(last=False)
                for key in old.placed:
                    self._where.pop(key, None)
        return unit

    def _root(self, stmt: ast.stmt) -> ast.stmt:
        """The first statement of what to parse for ``stmt``: its line, or the compound statement
        whose one-line suite holds it; an ``elif``'s ``if``, a ``case``'s ``match``."""
        block, owner = self._parent(stmt)
        if not isinstance(stmt, COMPOUND):
            if owner is not None and self._inline(block):
                stmt = owner if isinstance(owner, ast.stmt) else self._match_of(owner)
            else:
                return self._line(stmt)[0]
        while True:
            block, owner = self._parent(stmt)
            if isinstance(owner, ast.If) and _is_elif(owner, stmt):
                stmt = owner
            elif isinstance(owner, match_case):
                stmt = self._match_of(owner)
            else:
                return stmt

    def _match_of(self, case) -> ast.stmt:
        """The ``match`` statement of a ``case``."""
        stmt = self.enclosing(case.pattern)[0]
        while not (isinstance(stmt, Match) and case in stmt.cases):
            stmt = self._parent(stmt)[1]
        return stmt

    def _inline(self, block: Sequence[ast.stmt]) -> bool:
        """Whether a block is a one-line suite: its first statement follows its header's colon."""
        first = block[0]
        line = self.source.lines(first.lineno, first.lineno)[0]
        return bool(line[: self.source.span(first).column - 1].strip(" \t\f"))

    def _line(self, stmt: ast.stmt) -> list[ast.stmt]:
        """The small statements of ``stmt``'s line (``a = 1; b = f()``), in order."""
        block, _ = self._parent(stmt)
        i = next(i for i, s in enumerate(block) if s is stmt)
        while i > 0 and self._same_line(block[i - 1], block[i]):
            i -= 1
        line = [block[i]]
        while i + 1 < len(block) and self._same_line(block[i], block[i + 1]):
            i += 1
            line.append(block[i])
        return line

    def _same_line(self, a: ast.stmt, b: ast.stmt) -> bool:
        if isinstance(a, COMPOUND) or isinstance(b, COMPOUND):
            return False
        end, start = self.source.span(a), self.source.span(b)
        lines = self.source.lines(end.end_line, start.line)
        text = "".join(lines)
        gap = text[end.end_column - 1 : len(text) - len(lines[-1]) + start.column - 1]
        return _SEMICOLON.fullmatch(gap) is not None

    # -- libcst's tree -------------------------------------------------------------------------
    def _parse(self, root: ast.stmt) -> Unit:
        stmts = self._line(root) if not isinstance(root, COMPOUND) else [root]
        lines = self.source.lines(decorated_start(stmts[0]), stmts[-1].end_lineno)
        indented = lines[0][:1] in (" ", "\t", "\f")
        if indented:
            module = cst.parse_module("if 1:" + self.newline + "".join(lines))
            nodes, shift = module.body[0].body.body, decorated_start(stmts[0]) - 2
        else:
            module = cst.parse_module("".join(lines))
            nodes, shift = module.body, decorated_start(stmts[0]) - 1
        unit = Unit(module, shift)
        self._pair_block(stmts, nodes, unit)
        return unit

    def _pair_block(self, stmts: Sequence[ast.stmt], nodes: Sequence, unit: Unit) -> None:
        """Pair a block of CPython's statements with libcst's (whose lines group small ones)."""
        todo = iter(stmts)
        for node in nodes:
            if isinstance(node, cst.SimpleStatementLine):
                smalls = [next(todo) for _ in node.body]
                self._pair_line(smalls, node, None, unit)
            else:
                self._pair_compound(next(todo), node, unit)

    def _pair_line(self, smalls: list[ast.stmt], line, owner, unit: Unit) -> None:
        for stmt, small in zip(smalls, line.body):
            unit.statements[id(stmt)] = (small, line, owner[1] if owner else None)
        first, last = self.source.span(smalls[0]), smalls[-1].end_lineno
        self._where[id(line)] = ((first.line, first.column - 1), (last, 0))
        unit.placed.append(id(line))
        if owner is not None:
            at = self._owner_line(owner[0])
            self._where.setdefault(id(owner[1]), ((at, 0), (at, 0)))
            unit.placed.append(id(owner[1]))

    def _pair_suite(self, stmts: Sequence[ast.stmt], suite, owner, unit: Unit) -> None:
        if isinstance(suite, cst.SimpleStatementSuite):
            self._pair_line(list(stmts), suite, owner, unit)
        else:
            self._pair_block(stmts, suite.body, unit)

    def _pair_compound(self, stmt: ast.stmt, node, unit: Unit) -> None:
        unit.statements[id(stmt)] = (node, None, None)
        owner = (stmt, node)
        if isinstance(stmt, ast.If):
            self._pair_suite(stmt.body, node.body, owner, unit)
            if isinstance(node.orelse, cst.If):
                self._pair_compound(stmt.orelse[0], node.orelse, unit)
            elif node.orelse is not None:
                self._pair_suite(stmt.orelse, node.orelse.body, owner, unit)
        elif isinstance(stmt, TRY):
            self._pair_suite(stmt.body, node.body, owner, unit)
            for handler, cst_handler in zip(stmt.handlers, node.handlers):
                self._pair_suite(handler.body, cst_handler.body, owner, unit)
            if node.orelse is not None:
                self._pair_suite(stmt.orelse, node.orelse.body, owner, unit)
            if node.finalbody is not None:
                self._pair_suite(stmt.finalbody, node.finalbody.body, owner, unit)
        elif isinstance(stmt, Match):
            for case, cst_case in zip(stmt.cases, node.cases):
                self._pair_suite(case.body, cst_case.body, (case, cst_case), unit)
        else:
            self._pair_suite(stmt.body, node.body, owner, unit)
            if getattr(node, "orelse", None) is not None:
                self._pair_suite(stmt.orelse, node.orelse.body, owner, unit)

    def _owner_line(self, owner: ast.AST) -> int:
        """The line of a compound statement's keyword (a ``case``'s, above its pattern)."""
        if isinstance(owner, ast.stmt):
            return owner.lineno
        line = owner.pattern.lineno
        while line > 1 and not self.source.lines(line, line)[0].lstrip().startswith("case"):
            line -= 1
        return line

    def _locate(self, unit: Unit) -> None:
        """libcst's positions of every node of a unit, in the file's lines."""
        if unit.located:
            return
        unit.located = True
        found = MetadataWrapper(unit.module, unsafe_skip_copy=True).resolve(PositionProvider)
        for node, where in found.items():
            unit.placed.append(id(node))
            self._where[id(node)] = (
                (where.start.line + unit.shift, where.start.column),
                (where.end.line + unit.shift, where.end.column),
            )


def _start(stmt: ast.stmt) -> tuple[int, int]:
    """Where a statement starts, its decorators included (a decorator stands alone on its line)."""
    if getattr(stmt, "decorator_list", None):
        return decorated_start(stmt), 0
    return stmt.lineno, stmt.col_offset


def _within(block: Sequence[ast.stmt], node: ast.AST) -> bool:
    """Whether ``node`` lies within the statements of ``block``."""
    last = block[-1]
    return _start(block[0]) <= (node.lineno, node.col_offset) and (
        node.end_lineno,
        node.end_col_offset,
    ) <= (last.end_lineno, last.end_col_offset)


def _owned_blocks(stmt: ast.stmt) -> Iterator[tuple[Sequence[ast.stmt], ast.AST]]:
    """A compound statement's blocks and what owns each (the ``case`` for a case's block)."""
    if isinstance(stmt, (*FUNCTION, ast.ClassDef)):
        yield stmt.body, stmt
    elif isinstance(stmt, Match):
        for case in stmt.cases:
            yield case.body, case
    else:
        for block in blocks_of(stmt):
            yield block, stmt


def _is_elif(owner: ast.If, stmt: ast.stmt) -> bool:
    """Whether ``stmt`` is the ``elif`` of ``owner`` (not an ``if`` alone in its ``else``)."""
    return (
        isinstance(stmt, ast.If)
        and len(owner.orelse) == 1
        and owner.orelse[0] is stmt
        and stmt.col_offset == owner.col_offset
    )


def _calls(node, kind: type, children_of) -> list:
    """The calls in ``node`` (of ``kind``, ``ast.Call`` or ``cst.Call``), an outer call before the
    calls in it, in libcst's order."""
    out = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            out.append(current)
        stack.extend(reversed(children_of(current)))
    return out


def _nth_call(stmt: ast.AST, node: cst.CSTNode, call: ast.Call) -> cst.Call | None:
    """libcst's call for ``call``, a call of ``stmt``, whose libcst node is ``node``."""
    mine, theirs = _calls(stmt, ast.Call, children), _calls(node, cst.Call, code_children)
    if len(mine) != len(theirs):
        return None
    return theirs[next(i for i, c in enumerate(mine) if c is call)]


def _trailing_newline(text: str) -> bool:
    """Whether the text ends with a line break (one that does not continue a line)."""
    return bool(text) and text[-1] in "\r\n" and not re.search(r"\\(?:\r\n|\r|\n)\Z", text)


def _first_newline(text: str) -> str:
    found = re.search(r"\r\n|\r|\n", text)
    return found.group(0) if found else "\n"


def _first_indent(tree: ast.Module, source: Positions) -> str:
    """The indentation of the file's first indented block: libcst's ``Module.default_indent``,
    which a new block takes."""
    for stmt in tree.body:
        for first in _block_starts(stmt):
            line = source.lines(decorated_start(first), decorated_start(first))[0]
            indent = line[: len(line) - len(line.lstrip(" \t\f"))]
            if isinstance(first, match_case) or getattr(first, "decorator_list", None):
                return indent
            if len(indent) == source.span(first).column - 1:  # not after a colon
                return indent
    return "    "


def _block_starts(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The first statement of each block of a compound statement, in source order (for a
    ``match``, its first ``case``; for an ``elif``, its own blocks')."""
    if isinstance(stmt, Match):
        yield stmt.cases[0].pattern
    elif isinstance(stmt, ast.If):
        yield stmt.body[0]
        if len(stmt.orelse) == 1 and _is_elif(stmt, stmt.orelse[0]):
            yield from _block_starts(stmt.orelse[0])
        elif stmt.orelse:
            yield stmt.orelse[0]
    elif isinstance(stmt, COMPOUND):
        for block, _ in _owned_blocks(stmt):
            yield block[0]
