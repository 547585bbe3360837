"""Fixes as libcst transformations: the recommended handling written into one call site.

Each function builds new libcst nodes from the nodes of the statements as parsed (each statement
alone: ``contractlint.analysis.units``) and renders them as an ``Edit``: the span of the code it
replaces and the code libcst generates for the new nodes in that very place, so that indentation
(spaces or tabs), line endings, quotes and comments stay the file's own. Nothing here reads files
or knows about contracts.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Callable, Optional

import libcst as cst

from contractlint.fixes.codegen import render
from contractlint.fixes.edits import Offsets, content, split_lines
from contractlint.model import Edit, Span

Position = tuple[int, int]  # 1-based line, 0-based column, as libcst counts them
Where = Callable[[cst.CSTNode], tuple[Position, Position]]
#: (module, name): ``from module import name``; (module, None): ``import module``.
Import = tuple[str, Optional[str]]

TODO_FALLBACK = "# TODO(contractlint): choose a fallback"


class Source:
    """The module's text, its line ending and its indentation, to turn node positions into spans
    and nodes into code. ``imports`` gives libcst's tree of its imports (``import_edits``), parsed
    when a fix first needs one."""

    def __init__(self, text: str, newline: str, indent: str, imports: Callable[[], cst.Module]):
        self.text = text
        self.lines = split_lines(text)
        self.newline = newline
        self.indent = indent
        self._imports = imports
        self._head: cst.Module | None = None
        self._offsets: Offsets | None = None
        self._empty = cst.Module(body=[], default_indent=indent, default_newline=newline)

    @property
    def offsets(self) -> Offsets:
        if self._offsets is None:
            self._offsets = Offsets(self.text)
        return self._offsets

    def imports(self) -> cst.Module:
        if self._head is None:
            self._head = self._imports()
        return self._head

    def line(self, number: int) -> str:
        return content(self.lines[number - 1]) if 1 <= number <= len(self.lines) else ""

    def indent_of(self, number: int) -> str:
        line = self.line(number)
        return line[: len(line) - len(line.lstrip(" \t\f"))]

    def ends_with_newline(self, number: int) -> bool:
        return 1 <= number <= len(self.lines) and self.lines[number - 1] != content(
            self.lines[number - 1]
        )

    def code(self, node: cst.CSTNode) -> str:
        return self._empty.code_for_node(node)

    def render(self, node: cst.CSTNode, indent: str = "") -> str:
        """The code of ``node`` as libcst writes it inside a block indented by ``indent``."""
        return render(node, indent, self.indent, self.newline)


# -- inside a statement ----------------------------------------------------------------------------

_TRIVIA = frozenset(
    {
        "whitespace",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "lpar",
        "rpar",
        "semicolon",
        "comma",
        "newline",
        "equal",
        "colon",
        "dot",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "trailing_whitespace",
        "empty_lines",
        "operator",
        "star_tok",
        "walrus",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def code_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The code children of ``node`` in source order (libcst's ``children`` costs a visitor)."""
    kind = type(node)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(
            f.name
            for f in dataclasses.fields(kind)
            if f.name not in _TRIVIA and not f.name.startswith("whitespace")
        )
    out: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            out.append(value)
        elif isinstance(value, (list, tuple)):
            out.extend(v for v in value if isinstance(v, cst.CSTNode))
    return out


def path_to(root: cst.CSTNode, target: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The nodes from ``root`` down to ``target`` (both included), or None."""
    stack: list[tuple[cst.CSTNode, int]] = [(root, 0)]
    path: list[cst.CSTNode] = []
    while stack:
        node, depth = stack.pop()
        del path[depth:]
        path.append(node)
        if node is target:
            return path
        stack.extend((child, depth + 1) for child in reversed(code_children(node)))
    return None


#: Nodes a fix cannot wrap statement-wise: their code runs later, or more than once, or elsewhere.
DEFERRED = (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_EFFECTS = (cst.Call, cst.Await, cst.Yield, cst.NamedExpr, *DEFERRED)


def _has_effects(node: cst.CSTNode, replaced: frozenset[int]) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in replaced:
            continue
        if isinstance(current, _EFFECTS):
            return True
        stack.extend(code_children(current))
    return False


def reevaluation_is_pure(statement: cst.CSTNode, paths: Sequence[list[cst.CSTNode]]) -> bool:
    """Whether running ``statement`` again, with the calls at the end of ``paths`` replaced, repeats
    no side effect: what Python evaluated before each call (the parts of each enclosing
    expression to its left, an ``if`` expression's test, an augmented target) holds no call,
    ``await``, ``yield`` or walrus. What comes after a call never ran, and runs once."""
    replaced = frozenset(id(p[-1]) for p in paths)
    for path in paths:
        for parent, child in zip(path, path[1:]):
            if isinstance(parent, (cst.Assign, cst.AnnAssign)):
                continue  # the value is evaluated first; the targets after
            for sibling in code_children(parent):
                if sibling is child:
                    break
                if _has_effects(sibling, replaced):
                    return False
    return True


class _Replace(cst.CSTTransformer):
    def __init__(
        self, targets: frozenset[int], replacement: Callable[[cst.CSTNode], cst.BaseExpression]
    ):
        super().__init__()
        self.targets = targets
        self.replacement = replacement

    def on_leave(self, original_node, updated_node):
        if id(original_node) in self.targets:
            return self.replacement(original_node)
        return updated_node


_ATOMS = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.List,
    cst.Dict,
    cst.Set,
    cst.Tuple,
    cst.Ellipsis,
)


def substitute(
    statement: cst.CSTNode,
    targets: Sequence[cst.CSTNode],
    value: cst.BaseExpression,
    top: Sequence[cst.CSTNode] = (),
) -> cst.CSTNode:
    """``statement`` with each of ``targets`` replaced by ``value``: bare where it is the whole
    value of the statement (``top``) or an atom, in parentheses elsewhere (``(a or b).x``,
    ``(1).x``)."""
    tops = {id(t) for t in top}
    bare = value.with_changes(lpar=[], rpar=[]) if getattr(value, "lpar", ()) else value
    atom = isinstance(bare, _ATOMS) and not isinstance(bare, cst.Tuple)
    wrapped = bare.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])

    def replacement(original: cst.CSTNode) -> cst.BaseExpression:
        return bare if atom or id(original) in tops else wrapped

    return _transformed(statement, _Replace(frozenset(id(t) for t in targets), replacement))


class _NoComments(cst.CSTTransformer):
    def leave_TrailingWhitespace(self, original_node, updated_node):
        if updated_node.comment is None:
            return updated_node
        return updated_node.with_changes(whitespace=cst.SimpleWhitespace(""), comment=None)

    def leave_ParenthesizedWhitespace(self, original_node, updated_node):
        lines = [line for line in updated_node.empty_lines if line.comment is None]
        return updated_node.with_changes(empty_lines=lines)


def without_comments(node: cst.CSTNode) -> cst.CSTNode:
    """``node`` without its comments: a copy of a statement in a handler must not repeat what the
    comments of the original say about it (they stay with the original)."""
    return _transformed(node, _NoComments())


def _transformed(node: cst.CSTNode, transformer: cst.CSTTransformer) -> cst.CSTNode:
    """``node`` as ``transformer`` leaves it (ours replace nodes, never remove them)."""
    result = node.visit(transformer)
    if not isinstance(result, cst.CSTNode):
        raise ValueError(f"{type(transformer).__name__} removed the {type(node).__name__}")
    return result


# -- building the handler --------------------------------------------------------------------------


def todo_pass(comment: str = TODO_FALLBACK) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(
        body=[cst.Pass()], leading_lines=[cst.EmptyLine(indent=True, comment=cst.Comment(comment))]
    )


def reraise(comment: str) -> cst.SimpleStatementLine:
    """A bare ``raise``, followed by ``comment``."""
    return cst.SimpleStatementLine(
        body=[cst.Raise()],
        trailing_whitespace=cst.TrailingWhitespace(
            whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(comment)
        ),
    )


def line_of(*smalls: cst.BaseSmallStatement) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(body=list(smalls))


def plain(small: cst.BaseSmallStatement) -> cst.BaseSmallStatement:
    return small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)


def try_statement(
    body: cst.SimpleStatementLine,
    clause: cst.BaseExpression,
    as_name: str | None,
    handler: Sequence[cst.BaseStatement],
) -> cst.Try:
    return cst.Try(
        body=cst.IndentedBlock(body=[body]),
        handlers=[
            cst.ExceptHandler(
                type=clause,
                name=cst.AsName(name=cst.Name(as_name)) if as_name else None,
                body=cst.IndentedBlock(body=list(handler)),
            )
        ],
    )


def wrap(
    src: Source,
    where: Where,
    small: cst.BaseSmallStatement,
    container: cst.SimpleStatementLine | cst.SimpleStatementSuite,
    owner: cst.CSTNode | None,
    make_try: Callable[[cst.SimpleStatementLine], cst.Try],
) -> Edit:
    """Wrap ``small`` (alone, or split from the statements that share its line) in the ``try``
    that ``make_try`` builds around it; a one-line suite (``if x: y = call()``) becomes a block."""
    body = list(container.body)
    index = next(i for i, s in enumerate(body) if s is small)
    before, after = body[:index], body[index + 1 :]
    trailing = container.trailing_whitespace
    suite = isinstance(container, cst.SimpleStatementSuite)
    pieces: list[cst.BaseStatement] = []
    if before:
        pieces.append(cst.SimpleStatementLine(body=[*before[:-1], plain(before[-1])]))
    if isinstance(container, cst.SimpleStatementLine) and not before and not after:
        target = container.with_changes(leading_lines=[])
    else:
        target = cst.SimpleStatementLine(
            body=[plain(small)],
            trailing_whitespace=cst.TrailingWhitespace() if (after or suite) else trailing,
        )
    pieces.append(make_try(target))
    if after:
        pieces.append(
            cst.SimpleStatementLine(
                body=[*after[:-1], plain(after[-1])],
                trailing_whitespace=cst.TrailingWhitespace() if suite else trailing,
            )
        )
    (line, column), (end_line, _) = where(container)
    end_column = len(src.line(end_line))
    if isinstance(container, cst.SimpleStatementSuite):
        assert owner is not None  # a one-line suite belongs to its compound statement
        indent = src.indent_of(where(owner)[0][0])
        text = src.render(cst.IndentedBlock(header=trailing, body=pieces), indent)
        column -= len(container.leading_whitespace.value)
    else:
        indent = src.indent_of(line)
        text = "".join(src.render(piece, indent) for piece in pieces)[len(indent) :]
    if text.endswith(src.newline):
        text = text[: -len(src.newline)]
    return Edit(Span(line, column + 1, end_line, end_column + 1), text)


def widen_clause(
    src: Source,
    where: Where,
    handler: cst.ExceptHandler,
    extra: Sequence[cst.BaseExpression],
    drop: Iterable[int] = (),
) -> Edit:
    """``except A:`` -> ``except (A, B):``; ``except (A, B):`` -> ``except (A, B, C):``; the
    elements ``drop`` names (indexes in the tuple, 0 for a lone name) go.

    A position excludes the node's own parentheses, so the new text goes inside them; a tuple
    laid out one element a line stays so (each new element takes the separator before it).
    """
    clause = handler.type
    if clause is None:
        raise ValueError("a bare except has no clause to widen")
    (line, column), (end_line, end_column) = where(clause)
    span = Span(line, column + 1, end_line, end_column + 1)
    indent = src.indent_of(where(handler)[0][0])
    parenthesised = bool(getattr(clause, "lpar", ()))
    drop = set(drop)
    elements = list(clause.elements) if isinstance(clause, cst.Tuple) else []
    kept = [e for i, e in enumerate(elements) if i not in drop]
    if drop and not kept:
        # Nothing of the clause stays: the new errors are the clause, in parentheses only if
        # several.
        text = ", ".join(src.code(e) for e in extra)
        if len(extra) > 1:
            return Edit(span, text if parenthesised else f"({text})")
        return Edit(_with_parentheses(src, span) if parenthesised else span, text)
    if elements:
        separator = (
            plain_comma(elements[-2].comma)
            if len(elements) > 1
            else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
        # (element, the comma whose comment stays with it): the new errors take the place of the
        # first name dropped, and its comment; without one they go last.
        items: list[tuple[cst.BaseElement, object]] = []
        for i, element in enumerate(elements):
            if i == min(drop, default=-1):
                items += [
                    (cst.Element(e), element.comma if not k else None) for k, e in enumerate(extra)
                ]
            elif i not in drop:
                items.append((element, element.comma))
        if not drop:
            items += [(cst.Element(e), None) for e in extra]
        last = next((k for k, (e, _) in enumerate(items) if e is elements[-1]), len(items) - 1)
        comment = _COMMENT_AFTER.match(src.line(end_line)[end_column:])
        if (
            last < len(items) - 1
            and comment
            and isinstance(separator.whitespace_after, cst.ParenthesizedWhitespace)
        ):
            # The comment after the last name sits outside the clause (before the parenthesis):
            # it comes into the edit, to stay with that name now that others follow it.
            own = cst.TrailingWhitespace(
                whitespace=cst.SimpleWhitespace(comment.group(1)),
                comment=cst.Comment(comment.group(2)),
            )
            after = separator.whitespace_after.with_changes(first_line=own)
            items[last] = (items[last][0], separator.with_changes(whitespace_after=after))
            span = Span(line, column + 1, end_line, len(src.line(end_line)) + 1)
        commas = [separator] * (len(items) - 1) + [elements[-1].comma]
        new_elements = [
            element.with_changes(comma=keeping_comment(comma, own))
            for (element, own), comma in zip(items, commas)
        ]
        new = clause.with_changes(elements=new_elements, lpar=[], rpar=[])
        text = src.render(new, indent)
    else:
        inner = clause.with_changes(lpar=[], rpar=[]) if parenthesised else clause
        text = ", ".join([src.render(inner, indent), *(src.code(e) for e in extra)])
    if not parenthesised:
        text = f"({text})"
    return Edit(span, text)


_COMMENT_AFTER = re.compile(r"([ \t]*)(#.*)\Z")


def _with_parentheses(src: Source, span: Span) -> Span:
    """``span`` widened to the parentheses around it (and a trailing comma inside them), when only
    white space lies between; else ``span`` itself."""
    text, offsets = src.text, src.offsets
    start, end = offsets(span.line, span.column), offsets(span.end_line, span.end_column)
    before = start - 1
    while before >= 0 and text[before] in " \t\r\n\\":
        before -= 1
    after = end
    while after < len(text) and text[after] in " \t\r\n\\,":
        after += 1
    if before < 0 or text[before] != "(" or after >= len(text) or text[after] != ")":
        return span
    if text.count(",", end, after) > 1:
        return span
    return Span(*offsets.position(before), *offsets.position(after + 1))


def _is_placeholder(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    return isinstance(small, cst.Pass) or (
        isinstance(small, cst.Expr) and isinstance(small.value, cst.Ellipsis)
    )


def append_to_handler(
    src: Source, where: Where, handler: cst.ExceptHandler, small: cst.BaseSmallStatement
) -> Edit:
    """Add ``small`` as the last statement of ``handler``'s body (in place of a lone ``pass``)."""
    body = handler.body
    code = src.code(small)
    if isinstance(body, cst.SimpleStatementSuite):
        (_, _), (line, column) = where(body.body[-1])
        return Edit(Span(line, column + 1, line, column + 1), f"; {code}")
    stmts = body.body
    first = stmts[0]
    if len(stmts) == 1 and isinstance(first, cst.SimpleStatementLine) and _is_placeholder(first):
        (line, column), (end_line, end_column) = where(first.body[0])
        return Edit(Span(line, column + 1, end_line, end_column + 1), code)
    indent = src.indent_of(where(stmts[0])[0][0])
    end_line = where(stmts[-1])[1][0]
    if src.ends_with_newline(end_line):
        return Edit(Span(end_line + 1, 1, end_line + 1, 1), f"{indent}{code}{src.newline}")
    column = len(src.line(end_line)) + 1
    return Edit(Span(end_line, column, end_line, column), f"{src.newline}{indent}{code}")


def plain_comma(comma) -> cst.Comma:
    """A copy of ``comma`` without the comments on the lines it spans (a separator to reuse)."""
    if not isinstance(comma, cst.Comma):
        return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return comma.with_changes(whitespace_after=without_comment(comma.whitespace_after))


def keeping_comment(comma, own):
    """``comma`` (a comma, or none), with the comment that followed the comma ``own`` on its line:
    a name's comment stays with it when its comma changes."""
    if (
        isinstance(comma, cst.Comma)
        and isinstance(own, cst.Comma)
        and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)
        and isinstance(own.whitespace_after, cst.ParenthesizedWhitespace)
    ):
        first_line = own.whitespace_after.first_line
        return comma.with_changes(
            whitespace_after=comma.whitespace_after.with_changes(first_line=first_line)
        )
    if isinstance(comma, cst.Comma) and own is None:
        return plain_comma(comma)
    return comma


def without_comment(whitespace):
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return whitespace
