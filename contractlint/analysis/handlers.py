"""What a handler body does: raise, recover, stay silent, leave, bind a name.

Pure functions over libcst statements; nested functions, lambdas and classes
are boundaries (their code runs later, if at all).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

import libcst as cst

#: Fields that hold only whitespace, comments and punctuation: never a call, a name or a binding.
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
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type that may hold code (libcst's ``children`` walks its costly visitor)."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(kind)
            if f.name not in _TRIVIA and not f.name.startswith("whitespace")
        )
        _CHILD_FIELDS[kind] = fields
    return fields


def children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (list, tuple)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


_BOUNDARY = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort"})


def body_of(node) -> Sequence[cst.CSTNode]:
    """The statements of a block (an indented block or a one-line ``SimpleStatementSuite``)."""
    body = node.body
    if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        return body.body
    return body


def small_statements(stmts: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    for stmt in stmts:
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        else:
            yield stmt


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below ``node``, not entering nested functions, lambdas or classes.

    A ``node`` that is itself a boundary (a ``def`` statement in a handler) is not entered
    either: a ``raise`` or an assignment in its body does not run where it is defined.
    """
    if isinstance(node, _BOUNDARY):
        return
    stack = list(children(node))
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, _BOUNDARY):
            stack.extend(children(current))


def contains_raise(stmts: Sequence[cst.CSTNode]) -> bool:
    for stmt in stmts:
        if isinstance(stmt, cst.Raise) or any(isinstance(n, cst.Raise) for n in walk(stmt)):
            return True
    return False


def raise_statements(stmts: Sequence[cst.CSTNode]) -> Iterator[cst.Raise]:
    """Every ``raise`` of a block (not in nested functions)."""
    for stmt in stmts:
        if isinstance(stmt, cst.Raise):
            yield stmt
        for node in walk(stmt):
            if isinstance(node, cst.Raise):
                yield node


def reraises(stmts: Sequence[cst.CSTNode], caught: str | None) -> bool:
    """Whether some ``raise`` of a handler raises the caught error again: a bare ``raise``, or
    ``raise err`` of the name the handler binds (a retry loop's ``if last: raise``)."""
    for node in raise_statements(stmts):
        if node.exc is None:
            return True
        if caught and isinstance(node.exc, cst.Name) and node.exc.value == caught:
            return True
    return False


def raised_expressions(
    stmts: Sequence[cst.CSTNode], caught: str | None
) -> Iterator[cst.BaseExpression]:
    """What a handler raises instead of the caught error: ``Unavailable`` of ``raise Unavailable() from err``."""
    for node in raise_statements(stmts):
        exc = node.exc
        if exc is None or (caught and isinstance(exc, cst.Name) and exc.value == caught):
            continue
        yield exc.func if isinstance(exc, cst.Call) else exc


def returns_sentinel(stmts: Sequence[cst.CSTNode]) -> bool:
    """Every way through the block returns, and every ``return`` gives a constant (``None``,
    ``False``, a number, a string): a sentinel its caller can test."""
    if not always_leaves(stmts):
        return False
    returns = [n for stmt in stmts for n in [stmt, *walk(stmt)] if isinstance(n, cst.Return)]
    breaks = [
        n
        for stmt in stmts
        for n in [stmt, *walk(stmt)]
        if isinstance(n, (cst.Continue, cst.Break, cst.Raise))
    ]
    return bool(returns) and not breaks and all(_constant(r.value) for r in returns)


def _constant(node) -> bool:
    if node is None:
        return True
    if isinstance(node, cst.Name):
        return node.value in ("None", "False", "True")
    return isinstance(node, (cst.Integer, cst.Float, cst.SimpleString))


def raising_tests(frame_body: Sequence[cst.CSTNode], names) -> tuple[set, set]:
    """What the ``if`` statements whose body always raises test: the ids of every node of their
    tests, and the bare names they read. A call among those nodes, or whose result is bound to one
    of those names, has its result tested before the code goes on (``if not check(user): raise``,
    ``ok = check(user)`` then ``if ok is None: raise``): a fail-closed sentinel check."""
    ids: set = set()
    read: set = set()
    for stmt in frame_body:
        for node in [stmt, *walk(stmt)]:
            if isinstance(node, cst.If) and always_raises(body_of(node), names):
                for part in [node.test, *walk(node.test)]:
                    ids.add(id(part))
                    if isinstance(part, cst.Name):
                        read.add(part.value)
    return ids, read


def is_silent(stmts: Sequence[cst.CSTNode]) -> bool:
    """Only ``pass``, ``...``, ``continue`` or ``break``."""
    for stmt in small_statements(stmts):
        if isinstance(stmt, (cst.Pass, cst.Continue, cst.Break)):
            continue
        if isinstance(stmt, cst.Expr) and isinstance(stmt.value, cst.Ellipsis):
            continue
        return False
    return True


def _is_exit_call(stmt: cst.CSTNode, names) -> bool:
    if isinstance(stmt, cst.Expr) and isinstance(stmt.value, cst.Call):
        return names(stmt.value.func) in _EXIT_CALLS
    return False


_JUMPS = (cst.Return, cst.Continue, cst.Break)


def always_raises(stmts: Sequence[cst.CSTNode], names=lambda node: None) -> bool:
    """Every path through the block ends in ``raise`` (or ``sys.exit``)."""
    return _always(stmts, names, ends=())


def always_leaves(stmts: Sequence[cst.CSTNode], names=lambda node: None) -> bool:
    """Every path ends in ``return``, ``raise``, ``continue`` or ``break``."""
    return _always(stmts, names, ends=_JUMPS)


def always_leaves_loop(stmts: Sequence[cst.CSTNode], names=lambda node: None) -> bool:
    """Every path ends in ``return``, ``raise`` or ``break``: none goes round its loop again."""
    return _always(stmts, names, ends=(cst.Return, cst.Break))


def _always(stmts, names, ends: tuple[type, ...]) -> bool:
    """Every path ends in ``raise`` (or ``sys.exit``) or in one of the jumps ``ends``; a path that
    takes another jump (``if x: return None`` when only raising counts) fails."""
    others = tuple(kind for kind in _JUMPS if kind not in ends)
    for stmt in small_statements(stmts):
        if isinstance(stmt, cst.Raise) or _is_exit_call(stmt, names):
            return True
        if isinstance(stmt, ends):
            return True
        if isinstance(stmt, others):
            return False
        if isinstance(stmt, cst.If) and _if_always(stmt, names, ends):
            return True
        if isinstance(stmt, (cst.With,)) and _always(body_of(stmt), names, ends):
            return True
        if isinstance(stmt, (cst.Try, cst.TryStar)):
            if stmt.finalbody is not None and _always(body_of(stmt.finalbody), names, ends):
                return True
            branches = [body_of(stmt)] + [body_of(h) for h in stmt.handlers]
            if stmt.orelse is not None:
                branches[0] = list(branches[0]) + list(body_of(stmt.orelse))
            if all(_always(b, names, ends) for b in branches):
                return True
        if isinstance(stmt, cst.Match):
            cases = stmt.cases
            has_default = any(
                isinstance(c.pattern, cst.MatchAs) and c.pattern.pattern is None and c.guard is None
                for c in cases
            )
            if has_default and all(_always(body_of(c), names, ends) for c in cases):
                return True
        if others and _may_jump(stmt, others, in_loop=False):
            return False
    return False


def _may_jump(stmt: cst.CSTNode, jumps: tuple[type, ...], in_loop: bool) -> bool:
    """Whether a path through ``stmt`` takes one of ``jumps`` out of the block.

    ``if x: return None`` followed by ``raise`` can finish without raising; a ``break`` or
    ``continue`` only leaves the block when it is not inside a loop of its own.
    """
    if isinstance(stmt, (cst.Break, cst.Continue)):
        return isinstance(stmt, jumps) and not in_loop
    if isinstance(stmt, jumps):
        return True
    if isinstance(stmt, _BOUNDARY) or not isinstance(stmt, cst.BaseCompoundStatement):
        return False
    is_loop = isinstance(stmt, (cst.For, cst.While))
    loop_else = body_of(stmt.orelse) if is_loop and stmt.orelse is not None else None
    for block in blocks_of(stmt):
        # a loop's body is inside the loop; its ``else`` runs outside it
        inside = in_loop or (is_loop and block is not loop_else)
        if any(_may_jump(s, jumps, inside) for s in small_statements(block)):
            return True
    return False


def _if_always(stmt: cst.If, names, ends: tuple[type, ...]) -> bool:
    if not _always(body_of(stmt), names, ends):
        return False
    orelse = stmt.orelse
    if orelse is None:
        return False
    if isinstance(orelse, cst.If):
        return _if_always(orelse, names, ends)
    return _always(body_of(orelse), names, ends)


def frame_body(frame: cst.CSTNode) -> Sequence[cst.CSTNode]:
    """The statements of a module, function or class body (a lambda has none)."""
    if isinstance(frame, cst.Module):
        return frame.body
    if isinstance(frame, (cst.FunctionDef, cst.ClassDef)):
        return body_of(frame)
    return ()


def retries_then_falls_back(
    frame: cst.CSTNode, guard: cst.CSTNode, handler: Sequence[cst.CSTNode], names=lambda n: None
) -> bool:
    """Whether a silent handler is the retry of a loop that falls back once every attempt failed::

        for attempt in range(3):
            try:
                return client.get(key)  # success leaves the loop: return, break (or raise)
            except ServiceError:
                continue                # a failure goes round again
        return DEFAULT                  # after the loop: the fallback

    The handler goes round with ``continue`` (a ``break`` gives up at once: no retry); every way
    through the ``try`` (its ``else`` and what follows it in the loop) leaves the loop, so the loop
    goes round only after a failure; the loop can end (not ``while True``); and the code that runs
    after it (its ``else``, then what follows the loop) returns, or binds a name the ``try`` binds,
    before it raises or exits. Anything less (a loop over items that skips the failed ones, nothing
    after the loop) is a handler that does nothing.
    """
    smalls = list(small_statements(handler))
    if not any(isinstance(s, cst.Continue) for s in smalls) or any(
        isinstance(s, cst.Break) for s in smalls
    ):
        return False
    body = frame_body(frame)
    loop = _innermost_loop(body, guard)
    if loop is None or (isinstance(loop, cst.While) and _always_true(loop.test)):
        return False
    rest = split_around(body_of(loop), guard)
    orelse = body_of(guard.orelse) if getattr(guard, "orelse", None) is not None else ()
    success = [*body_of(guard), *orelse, *(rest[1] if rest else ())]
    if not always_leaves_loop(success, names):
        return False
    outside = split_around(body, loop)
    after = [*(body_of(loop.orelse) if loop.orelse is not None else ()), *outside[1]]
    bound = _assigned(body_of(guard))
    for stmt in small_statements(after):
        if isinstance(stmt, cst.Return):
            return True
        if isinstance(stmt, (cst.Assign, cst.AnnAssign, cst.AugAssign)) and any(
            binds_name([stmt], name) for name in bound
        ):
            return True
        if isinstance(stmt, cst.Raise) or _is_exit_call(stmt, names):
            return False
    return False


def _innermost_loop(stmts: Sequence[cst.CSTNode], target: cst.CSTNode, loop=None):
    """The innermost ``for``/``while`` whose body holds ``target`` (a loop's ``else`` is outside
    it), in the same frame; None when there is none or ``target`` is not found."""
    for stmt in stmts:
        if stmt is target:
            return loop
        if isinstance(stmt, _BOUNDARY):
            continue
        is_loop = isinstance(stmt, (cst.For, cst.While))
        for block in blocks_of(stmt):
            inner = stmt if is_loop and block is body_of(stmt) else loop
            found = _innermost_loop(block, target, inner)
            if found is not None:
                return found
    return None


def _always_true(test: cst.BaseExpression) -> bool:
    """``while True`` or ``while 1``: the loop ends only through ``break``, ``return`` or ``raise``."""
    if isinstance(test, cst.Name):
        return test.value == "True"
    return isinstance(test, cst.Integer) and test.evaluated_value != 0


def _assigned(stmts: Sequence[cst.CSTNode]) -> set[str]:
    """The plain names the block assigns (not in nested functions)."""
    out: set[str] = set()
    for stmt in stmts:
        for node in [stmt, *walk(stmt)]:
            if isinstance(node, cst.AssignTarget):
                out.update(n.value for n in _stored_names(node.target))
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)):
                out.update(n.value for n in _stored_names(node.target))
    return out


def binds_name(stmts: Sequence[cst.CSTNode], name: str) -> bool:
    """Whether the block assigns ``name`` anywhere (not in nested functions)."""
    for stmt in stmts:
        for node in [stmt, *walk(stmt)]:
            targets = ()
            if isinstance(node, cst.Assign):
                targets = [t.target for t in node.targets]
            elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
                targets = [node.target]
            elif isinstance(node, (cst.For, cst.CompFor)):
                targets = [node.target]
            elif isinstance(node, cst.NamedExpr):
                targets = [node.target]
            elif isinstance(node, cst.AsName):
                targets = [node.name]
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                if node.name.value == name:
                    return True
            for target in targets:
                if any(
                    isinstance(n, cst.Name) and n.value == name for n in [target, *walk(target)]
                ):
                    return True
    return False


def reads_name(stmts: Sequence[cst.CSTNode], name: str) -> bool:
    """Whether the block loads ``name`` (a conservative test: any use of the bare name counts)."""
    for stmt in stmts:
        for node in [stmt, *_walk_all(stmt)]:
            if isinstance(node, cst.Name) and node.value == name:
                return True
            if isinstance(node, cst.Attribute):
                continue
    return False


def _walk_all(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below that can read a name, entering nested functions too (a closure that reads
    the name reads it later)."""
    skip: set = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in skip:
            continue
        if isinstance(current, cst.Attribute):
            # ``obj.name`` reads ``obj``, not ``name``.
            stack.append(current.value)
            continue
        if current is not node:
            yield current
        skip.update(id(n) for n in _stored_names(_spelled(current)))
        stack.extend(children(current))


def _spelled(node: cst.CSTNode):
    """The target ``node`` stores to, or the keyword it spells, if any.

    ``cap = None`` binds ``cap`` and ``render(cap=None)`` names a keyword: neither reads ``cap``,
    so neither is the read after the ``try`` that CL006 looks for.
    """
    if isinstance(node, (cst.AssignTarget, cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr)):
        return node.target
    if isinstance(node, cst.AsName):
        return node.name
    if isinstance(node, cst.Arg):
        return node.keyword
    if isinstance(node, cst.Param):
        return node.name
    return None


def _stored_names(target) -> Iterator[cst.CSTNode]:
    """The plain names a target binds (``a`` and ``b`` in ``a, *b = ...``); ``x[i]`` and ``x.y`` read ``x``."""
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _stored_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _stored_names(target.value)


def split_around(stmts: Sequence[cst.CSTNode], target: cst.CSTNode):
    """Find ``target`` in nested blocks; return (statements before it, statements after it) along the path.

    Statements after include, for each enclosing block, the siblings that follow; a ``try``'s
    ``finally`` and the ``else`` of a loop run after its body too.
    """
    before: list = []
    after: list = []
    if _split(stmts, target, before, after):
        return before, after
    return None


def blocks_of(stmt: cst.CSTNode):
    """The nested statement blocks of a compound statement, in source order."""
    if isinstance(stmt, cst.If):
        yield body_of(stmt)
        if stmt.orelse is not None:
            if isinstance(stmt.orelse, cst.If):
                yield [stmt.orelse]
            else:
                yield body_of(stmt.orelse)
    elif isinstance(stmt, (cst.For, cst.While)):
        yield body_of(stmt)
        if stmt.orelse is not None:
            yield body_of(stmt.orelse)
    elif isinstance(stmt, cst.With):
        yield body_of(stmt)
    elif isinstance(stmt, (cst.Try, cst.TryStar)):
        yield body_of(stmt)
        for handler in stmt.handlers:
            yield body_of(handler)
        if stmt.orelse is not None:
            yield body_of(stmt.orelse)
        if stmt.finalbody is not None:
            yield body_of(stmt.finalbody)
    elif isinstance(stmt, cst.Match):
        for case in stmt.cases:
            yield body_of(case)


def _split(stmts, target, before, after) -> bool:
    for i, stmt in enumerate(stmts):
        if stmt is target:
            after.extend(stmts[i + 1 :])
            return True
        for block in blocks_of(stmt):
            inner_before: list = []
            inner_after: list = []
            if _split(block, target, inner_before, inner_after):
                before.extend(inner_before)
                after.extend(inner_after)
                after.extend(stmts[i + 1 :])
                return True
        before.append(stmt)
    return False
