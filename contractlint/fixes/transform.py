"""Fixes as libcst transformations: the recommended handling written into one call site.

Each function builds new libcst nodes from the nodes of the module as parsed and renders them
as an ``Edit``: the span of the code it replaces and the code libcst generates for the new
nodes in that very place, so that indentation (spaces or tabs), line endings, quotes and
comments stay the file's own. Nothing here reads files or knows about contracts.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Callable, Optional

import libcst as cst
from libcst._nodes.internal import CodegenState

from contractlint.fixes.edits import Offsets, content, split_lines
from contractlint.model import Edit, Span

Position = tuple[int, int]  # 1-based line, 0-based column, as libcst counts them
Where = Callable[[cst.CSTNode], tuple[Position, Position]]
#: (module, name): ``from module import name``; (module, None): ``import module``.
Import = tuple[str, Optional[str]]

TODO_FALLBACK = "# TODO(contractlint): choose a fallback"


class Source:
    """The module as parsed and its text, to turn node positions into spans and nodes into code."""

    def __init__(self, module: cst.Module, text: str):
        self.module = module
        self.text = text
        self.lines = split_lines(text)
        self.newline = module.default_newline
        self._offsets: Offsets | None = None

    @property
    def offsets(self) -> Offsets:
        if self._offsets is None:
            self._offsets = Offsets(self.text)
        return self._offsets

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
        return self.module.code_for_node(node)

    def render(self, node: cst.CSTNode, indent: str = "") -> str:
        """The code of ``node`` as libcst writes it inside a block indented by ``indent``."""
        state = CodegenState(
            default_indent=self.module.default_indent, default_newline=self.newline
        )
        if indent:
            state.increase_indent(indent)
        node._codegen(state)
        return "".join(state.tokens)


# -- where a statement sits -------------------------------------------------------------------------


def _suites(stmt: cst.CSTNode):
    """(suite, owner) for each block of a compound statement: the owner's line gives the block's
    indentation. Nested ``def``/``class`` are skipped: their statements are frames of their own."""
    if isinstance(stmt, cst.If):
        yield stmt.body, stmt
        if isinstance(stmt.orelse, cst.If):
            yield from _suites(stmt.orelse)
        elif stmt.orelse is not None:
            yield stmt.orelse.body, stmt
    elif isinstance(stmt, (cst.For, cst.While)):
        yield stmt.body, stmt
        if stmt.orelse is not None:
            yield stmt.orelse.body, stmt
    elif isinstance(stmt, cst.With):
        yield stmt.body, stmt
    elif isinstance(stmt, (cst.Try, cst.TryStar)):
        yield stmt.body, stmt
        for handler in stmt.handlers:
            yield handler.body, stmt
        if stmt.orelse is not None:
            yield stmt.orelse.body, stmt
        if stmt.finalbody is not None:
            yield stmt.finalbody.body, stmt
    elif isinstance(stmt, cst.Match):
        for case in stmt.cases:
            yield case.body, case  # a case's block is indented from the ``case`` line


def containers(frame: cst.CSTNode) -> dict[int, tuple[cst.CSTNode, cst.CSTNode | None]]:
    """``id(small statement)`` -> (the line or one-line suite holding it, the compound statement
    owning that suite or None), for the statements of one frame (a module, class or function body)."""
    found: dict[int, tuple[cst.CSTNode, cst.CSTNode | None]] = {}
    if isinstance(frame, cst.Module):
        top: Sequence[cst.CSTNode] = frame.body
    elif isinstance(frame, (cst.FunctionDef, cst.ClassDef)):
        if isinstance(frame.body, cst.SimpleStatementSuite):
            for small in frame.body.body:
                found[id(small)] = (frame.body, frame)
            return found
        top = frame.body.body
    else:
        return found
    stack: list[Sequence[cst.CSTNode]] = [top]
    while stack:
        for stmt in stack.pop():
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    found[id(small)] = (stmt, None)
            elif not isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                for suite, owner in _suites(stmt):
                    if isinstance(suite, cst.SimpleStatementSuite):
                        for small in suite.body:
                            found[id(small)] = (suite, owner)
                    else:
                        stack.append(suite.body)
    return found


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


def _children(node: cst.CSTNode) -> list[cst.CSTNode]:
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
        stack.extend((child, depth + 1) for child in reversed(_children(node)))
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
        stack.extend(_children(current))
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
            for sibling in _children(parent):
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
    value of the statement (``top``) or an atom, in parentheses elsewhere (``(a or b).x``, ``(1).x``)."""
    tops = {id(t) for t in top}
    bare = value.with_changes(lpar=[], rpar=[]) if getattr(value, "lpar", ()) else value
    atom = isinstance(bare, _ATOMS) and not isinstance(bare, cst.Tuple)
    wrapped = bare.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])

    def replacement(original: cst.CSTNode) -> cst.BaseExpression:
        return bare if atom or id(original) in tops else wrapped

    return statement.visit(_Replace(frozenset(id(t) for t in targets), replacement))


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
    return node.visit(_NoComments())


# -- building the handler --------------------------------------------------------------------------


def todo_pass(comment: str = TODO_FALLBACK) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(
        body=[cst.Pass()], leading_lines=[cst.EmptyLine(indent=True, comment=cst.Comment(comment))]
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
    container: cst.CSTNode,
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
    if not suite and not before and not after:
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
    if suite:
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
    handler: cst.CSTNode,
    extra: Sequence[cst.BaseExpression],
    drop: Iterable[int] = (),
) -> Edit:
    """``except A:`` -> ``except (A, B):``; ``except (A, B):`` -> ``except (A, B, C):``; the
    elements ``drop`` names (indexes in the tuple, 0 for a lone name) go.

    A position excludes the node's own parentheses, so the new text goes inside them; a tuple
    laid out one element a line stays so (each new element takes the separator before it).
    """
    clause = handler.type
    (line, column), (end_line, end_column) = where(clause)
    span = Span(line, column + 1, end_line, end_column + 1)
    indent = src.indent_of(where(handler)[0][0])
    parenthesised = bool(getattr(clause, "lpar", ()))
    drop = set(drop)
    elements = list(clause.elements) if isinstance(clause, cst.Tuple) else []
    kept = [e for i, e in enumerate(elements) if i not in drop]
    if drop and not kept:
        # Nothing of the clause stays: the new errors are the clause, in parentheses only if several.
        text = ", ".join(src.code(e) for e in extra)
        if len(extra) > 1:
            return Edit(span, text if parenthesised else f"({text})")
        return Edit(_with_parentheses(src, span) if parenthesised else span, text)
    if elements:
        separator = (
            _plain_comma(elements[-2].comma)
            if len(elements) > 1
            else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
        # (element, the comma whose comment stays with it): the new errors take the place of the
        # first name dropped, and its comment; without one they go last.
        items: list[tuple[cst.Element, object]] = []
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
            element.with_changes(comma=_keeping_comment(comma, own))
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
    src: Source, where: Where, handler: cst.CSTNode, small: cst.BaseSmallStatement
) -> Edit:
    """Add ``small`` as the last statement of ``handler``'s body (in place of a lone ``pass``)."""
    body = handler.body
    code = src.code(small)
    if isinstance(body, cst.SimpleStatementSuite):
        (_, _), (line, column) = where(body.body[-1])
        return Edit(Span(line, column + 1, line, column + 1), f"; {code}")
    stmts = body.body
    if len(stmts) == 1 and _is_placeholder(stmts[0]):
        (line, column), (end_line, end_column) = where(stmts[0].body[0])
        return Edit(Span(line, column + 1, end_line, end_column + 1), code)
    indent = src.indent_of(where(stmts[0])[0][0])
    end_line = where(stmts[-1])[1][0]
    if src.ends_with_newline(end_line):
        return Edit(Span(end_line + 1, 1, end_line + 1, 1), f"{indent}{code}{src.newline}")
    column = len(src.line(end_line)) + 1
    return Edit(Span(end_line, column, end_line, column), f"{src.newline}{indent}{code}")


# -- imports ---------------------------------------------------------------------------------------


def import_edits(
    src: Source, needed: Iterable[Import], unused: Iterable[str] = ()
) -> tuple[Edit, ...]:
    """The edits that add ``needed`` imports the way libcst's ``AddImportsVisitor`` does (merged
    into an existing ``from m import ...``, placed after the module's imports), and take out the
    names ``unused`` that top-level ``from m import ...`` statements bind."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    needed = sorted(set(needed), key=lambda i: (i[0], i[1] or ""))
    unused = frozenset(unused)
    if not needed and not unused:
        return ()
    # The visitor only looks at the module's top-level imports: give it the statements up to the
    # last of them and a stand-in for the next one (its blank lines and comments, then ``pass``),
    # since visiting a whole big module costs a second.
    body = list(src.module.body)
    last = max(
        (
            i
            for i, stmt in enumerate(body)
            if isinstance(stmt, cst.SimpleStatementLine)
            and any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)
        ),
        default=-1,
    )
    if last + 1 < len(body):
        stand_in = cst.SimpleStatementLine([cst.Pass()], leading_lines=body[last + 1].leading_lines)
        head = src.module.with_changes(body=[*body[: last + 1], stand_in], footer=[])
    else:
        head = src.module
    new = _without_names(head, unused) if unused else head
    new, needed = _join_from_imports(new, needed)
    if needed:
        context = CodemodContext()
        for module, name in needed:
            AddImportsVisitor.add_needed_import(context, module, name)
        new = new.visit(AddImportsVisitor(context))
    old_lines, new_lines = split_lines(head.code), split_lines(new.code)
    edits = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits.append(Edit(Span(i1 + 1, 1, i2 + 1, 1), "".join(new_lines[j1:j2])))
    return tuple(edits)


def _join_from_imports(
    module: cst.Module, needed: Sequence[Import]
) -> tuple[cst.Module, list[Import]]:
    """Join each needed name to the module's first top-level ``from m import ...`` of its module, in
    its sorted place when the names there are sorted (``_insert_name``). An import of ``as`` names
    only (``from m import Client as C``) is one isort and ruff keep apart: the names get an
    import of their own just above it. The rest is left for libcst's ``AddImportsVisitor``, which
    would put every new name first, and into an ``as`` import too."""
    wanted: dict[str, list[str]] = {}
    for module_name, name in needed:
        if name is not None:
            wanted.setdefault(module_name, []).append(name)
    body = list(module.body)
    joined: set[str] = set()
    apart: dict[str, int] = {}  # module -> index of its first import of ``as`` names only
    for i, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        smalls = list(stmt.body)
        for j, small in enumerate(smalls):
            if (
                not isinstance(small, cst.ImportFrom)
                or small.relative
                or small.module is None
                or isinstance(small.names, cst.ImportStar)
            ):
                continue
            name = cst.helpers.get_full_name_for_node(small.module)
            if name not in wanted or name in joined:
                continue
            if all(_member(alias)[1] for alias in small.names):
                apart.setdefault(name, i)
                continue
            joined.add(name)
            for new in wanted[name]:
                small = _insert_name(small, new)
            smalls[j] = small
        body[i] = stmt.with_changes(body=smalls)
    for name, i in sorted(apart.items(), key=lambda item: -item[1]):
        if name in joined:
            continue
        joined.add(name)
        names = sorted(wanted[name], key=lambda n: _MEMBER_ORDERS[0]((n, "")))
        aliases = [
            cst.ImportAlias(
                cst.Name(n), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            for n in names
        ]
        aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new = cst.SimpleStatementLine(
            [cst.ImportFrom(module=cst.parse_expression(name), names=aliases)],
            leading_lines=body[i].leading_lines,
        )
        body[i : i + 1] = [new, body[i].with_changes(leading_lines=[])]
    rest = [(m, n) for m, n in needed if n is None or m not in joined]
    return module.with_changes(body=body), rest


def _bound(alias: cst.ImportAlias) -> str:
    """The name an ``import`` alias binds: ``X`` of ``A as X``, else the imported name."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return cst.helpers.get_full_name_for_node(alias.name) or ""


def _without_names(module: cst.Module, unused: frozenset[str]) -> cst.Module:
    """``module`` without the names ``unused`` that its top-level ``from m import ...`` bind; an
    import left with no name goes, its comments and blank lines passing to the next statement."""
    body: list = []
    carried: list = []
    for stmt in module.body:
        if carried:
            stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
            carried = []
        if isinstance(stmt, cst.SimpleStatementLine):
            smalls = []
            for small in stmt.body:
                if isinstance(small, cst.ImportFrom) and not isinstance(
                    small.names, cst.ImportStar
                ):
                    names = list(small.names)
                    kept = [a for a in names if _bound(a) not in unused]
                    if not kept:
                        continue
                    if len(kept) < len(names) and _bound(names[-1]) in unused:
                        # The last name's comma (a trailing one, or none) goes to the new last name.
                        kept[-1] = kept[-1].with_changes(comma=names[-1].comma)
                    small = small.with_changes(names=kept)
                smalls.append(small)
            if not smalls:
                carried = list(stmt.leading_lines)
                continue
            if len(smalls) < len(stmt.body):
                smalls[-1] = smalls[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            stmt = stmt.with_changes(body=smalls)
        body.append(stmt)
    return module.with_changes(body=body)


def _natural(text: str) -> tuple:
    """``item10`` after ``item9``: runs of digits compare as numbers, as isort and ruff sort."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _kind(name: str) -> int:
    """isort's and ruff's ``order-by-type``: CONSTANTS, then Classes, then the rest."""
    if len(name) > 1 and name.isupper():
        return 0
    return 1 if name[:1].isupper() else 2


#: The orders a sorted ``from m import ...`` may follow, the default of isort and ruff first, then
#: ``case-sensitive = true``, then ``order-by-type = false``.
_MEMBER_ORDERS: tuple[Callable[[tuple[str, str]], tuple], ...] = (
    lambda m: (_kind(m[0]), _natural(m[0].lower()), _natural(m[0]), m[1]),
    lambda m: (_kind(m[0]), _natural(m[0]), m[1]),
    lambda m: (_natural(m[0].lower()), _natural(m[0]), m[1]),
)


def _member(alias: cst.ImportAlias) -> tuple[str, str]:
    """(imported name, the name it is bound to if another): what isort and ruff sort by."""
    name = cst.helpers.get_full_name_for_node(alias.name) or ""
    bound = _bound(alias)
    return name, "" if bound == name else bound


def _insert_name(node: cst.ImportFrom, name: str) -> cst.ImportFrom:
    """``node`` with ``name`` added: in its place if the names are sorted the way isort or ruff
    sorts them, else last (an import nobody sorted is not re-sorted). The layout is the import's
    own: one line, or one name a line in parentheses; comments stay with their names."""
    aliases = list(node.names)
    members = [_member(a) for a in aliases]
    at = len(aliases)
    for order in _MEMBER_ORDERS:
        keys = [order(m) for m in members]
        if all(a <= b for a, b in zip(keys, keys[1:])):
            at = bisect.bisect_right(keys, order((name, "")))
            break
    if len(aliases) > 1:
        separator = _plain_comma(aliases[0].comma)
    elif node.lpar is not None and isinstance(
        node.lpar.whitespace_after, cst.ParenthesizedWhitespace
    ):
        separator = cst.Comma(whitespace_after=_without_comment(node.lpar.whitespace_after))
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    new = cst.ImportAlias(name=cst.Name(name))
    if at < len(aliases):
        aliases.insert(at, new.with_changes(comma=separator))
    else:
        last = aliases[-1]
        trailing = last.comma
        if isinstance(trailing, cst.Comma):
            # The comment on the last name's line stays with it; the new last name takes the line
            # break before the closing parenthesis.
            aliases[-1] = last.with_changes(comma=_keeping_comment(separator, trailing))
            new = new.with_changes(comma=_plain_comma(trailing))
        else:
            # No trailing comma: a comment after the last name sits before the parenthesis.
            after, rpar = separator.whitespace_after, node.rpar
            if (
                rpar is not None
                and isinstance(rpar.whitespace_before, cst.ParenthesizedWhitespace)
                and isinstance(after, cst.ParenthesizedWhitespace)
            ):
                after = after.with_changes(first_line=rpar.whitespace_before.first_line)
                rpar = rpar.with_changes(whitespace_before=_without_comment(rpar.whitespace_before))
                node = node.with_changes(rpar=rpar)
            aliases[-1] = last.with_changes(comma=separator.with_changes(whitespace_after=after))
        aliases.append(new)
    return node.with_changes(names=aliases)


def _plain_comma(comma) -> cst.Comma:
    """A copy of ``comma`` without the comments on the lines it spans (a separator to reuse)."""
    if not isinstance(comma, cst.Comma):
        return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    return comma.with_changes(whitespace_after=_without_comment(comma.whitespace_after))


def _keeping_comment(comma, own):
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
        return _plain_comma(comma)
    return comma


def _without_comment(whitespace):
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return whitespace
