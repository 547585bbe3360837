"""Imports as libcst transformations: the names a fix needs added the way libcst's
``AddImportsVisitor`` adds them (merged into an existing ``from m import ...`` in its sorted place,
after the module's imports), and names no code uses any more taken out."""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Callable

import libcst as cst

from contractlint.fixes.edits import split_lines
from contractlint.fixes.transform import (
    Import,
    Source,
    keeping_comment,
    plain_comma,
    without_comment,
)
from contractlint.model import Edit, Span


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
    head = import_head(src.imports())
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


def import_head(module: cst.Module) -> cst.Module:
    """What of ``module`` the imports are added to: its top-level statements up to the last
    import, then a stand-in for the next one (its blank lines and comments, then ``pass``).
    libcst's import visitor only looks at the top-level imports, and visiting a whole big module
    costs a second; ``module`` may hold only those statements, and ``pass`` for the next."""
    body = list(module.body)
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
        return module.with_changes(body=[*body[: last + 1], stand_in], footer=[])
    return module


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
        line = cst.SimpleStatementLine(
            [cst.ImportFrom(module=_dotted(name), names=aliases)],
            leading_lines=body[i].leading_lines,
        )
        body[i : i + 1] = [line, body[i].with_changes(leading_lines=[])]
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


def _dotted(name: str) -> cst.Attribute | cst.Name:
    """The module ``name`` as an import names it."""
    node = cst.parse_expression(name)
    if not isinstance(node, (cst.Attribute, cst.Name)):
        raise ValueError(f"not a module name: {name}")
    return node


def _insert_name(node: cst.ImportFrom, name: str) -> cst.ImportFrom:
    """``node`` with ``name`` added: in its place if the names are sorted the way isort or ruff
    sorts them, else last (an import nobody sorted is not re-sorted). The layout is the import's
    own: one line, or one name a line in parentheses; comments stay with their names."""
    if isinstance(node.names, cst.ImportStar):  # imports every name already
        return node
    aliases = list(node.names)
    members = [_member(a) for a in aliases]
    at = len(aliases)
    for order in _MEMBER_ORDERS:
        keys = [order(m) for m in members]
        if all(a <= b for a, b in zip(keys, keys[1:])):
            at = bisect.bisect_right(keys, order((name, "")))
            break
    if len(aliases) > 1:
        separator = plain_comma(aliases[0].comma)
    elif node.lpar is not None and isinstance(
        node.lpar.whitespace_after, cst.ParenthesizedWhitespace
    ):
        separator = cst.Comma(whitespace_after=without_comment(node.lpar.whitespace_after))
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
            aliases[-1] = last.with_changes(comma=keeping_comment(separator, trailing))
            new = new.with_changes(comma=plain_comma(trailing))
        else:
            # No trailing comma: a comment after the last name sits before the parenthesis.
            after, rpar = separator.whitespace_after, node.rpar
            if (
                rpar is not None
                and isinstance(rpar.whitespace_before, cst.ParenthesizedWhitespace)
                and isinstance(after, cst.ParenthesizedWhitespace)
            ):
                after = after.with_changes(first_line=rpar.whitespace_before.first_line)
                rpar = rpar.with_changes(whitespace_before=without_comment(rpar.whitespace_before))
                node = node.with_changes(rpar=rpar)
            aliases[-1] = last.with_changes(comma=separator.with_changes(whitespace_after=after))
        aliases.append(new)
    return node.with_changes(names=aliases)
