"""What a handler body does: raise, recover, stay silent, leave, bind a name.

Pure functions over statements; nested functions, lambdas and classes are boundaries (their code
runs later, if at all).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from contractlint.analysis.names import binds_name, own_names, stored_names
from contractlint.analysis.tree import (
    BOUNDARY,
    COMPOUND,
    FUNCTION,
    LOOP,
    TRY,
    WITH,
    Match,
    MatchAs,
    blocks_of,
    is_keyword_constant,
    walk,
)

_EXIT_CALLS = frozenset({"sys.exit", "exit", "quit", "os._exit", "os.abort"})


def contains_raise(stmts: Sequence[ast.stmt]) -> bool:
    for stmt in stmts:
        if isinstance(stmt, ast.Raise) or any(isinstance(n, ast.Raise) for n in walk(stmt)):
            return True
    return False


def raise_statements(stmts: Sequence[ast.stmt]) -> Iterator[ast.Raise]:
    """Every ``raise`` of a block (not in nested functions)."""
    for stmt in stmts:
        if isinstance(stmt, ast.Raise):
            yield stmt
        for node in walk(stmt):
            if isinstance(node, ast.Raise):
                yield node


def reraises(stmts: Sequence[ast.stmt], caught: str | None) -> bool:
    """Whether some ``raise`` of a handler raises the caught error again: a bare ``raise``, or
    ``raise err`` of the name the handler binds (a retry loop's ``if last: raise``)."""
    for node in raise_statements(stmts):
        if node.exc is None:
            return True
        if caught and isinstance(node.exc, ast.Name) and node.exc.id == caught:
            return True
    return False


def raised_expressions(stmts: Sequence[ast.stmt], caught: str | None) -> Iterator[ast.expr]:
    """What a handler raises instead of the caught error: ``Unavailable`` of ``raise Unavailable()
    from err``."""
    for node in raise_statements(stmts):
        exc = node.exc
        if exc is None or (caught and isinstance(exc, ast.Name) and exc.id == caught):
            continue
        yield exc.func if isinstance(exc, ast.Call) else exc


def returns_sentinel(stmts: Sequence[ast.stmt], source) -> bool:
    """Every way through the block returns, and every ``return`` gives a constant (``None``,
    ``False``, a number, a string): a sentinel its caller can test."""
    if not always_leaves(stmts):
        return False
    returns = [n for stmt in stmts for n in [stmt, *walk(stmt)] if isinstance(n, ast.Return)]
    breaks = [
        n
        for stmt in stmts
        for n in [stmt, *walk(stmt)]
        if isinstance(n, (ast.Continue, ast.Break, ast.Raise))
    ]
    return bool(returns) and not breaks and all(_constant(r.value, source) for r in returns)


def _constant(node, source) -> bool:
    """``None``, ``True``, ``False``, a number that is not imaginary, or one string literal."""
    if node is None:
        return True
    if not isinstance(node, ast.Constant):
        return False
    value = node.value
    if is_keyword_constant(node) or isinstance(value, (int, float)):
        return True
    return isinstance(value, (str, bytes)) and not source.concatenated(node)


def raising_tests(frame_body: Sequence[ast.stmt], names) -> tuple[set, set]:
    """What the ``if`` statements whose body always raises test: the ids of every node of their
    tests, and every name they spell (``fields`` of ``opts.fields`` too). A call among those nodes,
    or whose result is bound to one of those names, has its result tested before the code goes on
    (``if not check(user): raise``, ``ok = check(user)`` then ``if ok is None: raise``): a
    fail-closed sentinel check."""
    ids: set = set()
    read: set = set()
    for stmt in frame_body:
        for node in [stmt, *walk(stmt)]:
            if isinstance(node, ast.If) and always_raises(node.body, names):
                for part in [node.test, *walk(node.test)]:
                    ids.add(id(part))
                    read.update(name for name, _ in own_names(part))
    return ids, read


def is_silent(stmts: Sequence[ast.stmt]) -> bool:
    """Only ``pass``, ``...``, ``continue`` or ``break``."""
    for stmt in stmts:
        if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and stmt.value.value is Ellipsis
        ):
            continue
        return False
    return True


def _is_exit_call(stmt: ast.stmt, names) -> bool:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        return names(stmt.value.func) in _EXIT_CALLS
    return False


_JUMPS = (ast.Return, ast.Continue, ast.Break)


def always_raises(stmts: Sequence[ast.stmt], names=lambda node: None) -> bool:
    """Every path through the block ends in ``raise`` (or ``sys.exit``)."""
    return _always(stmts, names, ends=())


def always_leaves(stmts: Sequence[ast.stmt], names=lambda node: None) -> bool:
    """Every path ends in ``return``, ``raise``, ``continue`` or ``break``."""
    return _always(stmts, names, ends=_JUMPS)


def always_leaves_loop(stmts: Sequence[ast.stmt], names=lambda node: None) -> bool:
    """Every path ends in ``return``, ``raise`` or ``break``: none goes round its loop again."""
    return _always(stmts, names, ends=(ast.Return, ast.Break))


def _always(stmts, names, ends: tuple[type, ...]) -> bool:
    """Every path ends in ``raise`` (or ``sys.exit``) or in one of the jumps ``ends``; a path that
    takes another jump (``if x: return None`` when only raising counts) fails."""
    others = tuple(kind for kind in _JUMPS if kind not in ends)
    for stmt in stmts:
        if isinstance(stmt, ast.Raise) or _is_exit_call(stmt, names):
            return True
        if isinstance(stmt, ends):
            return True
        if isinstance(stmt, others):
            return False
        if isinstance(stmt, ast.If) and _if_always(stmt, names, ends):
            return True
        if isinstance(stmt, WITH) and _always(stmt.body, names, ends):
            return True
        if isinstance(stmt, TRY):
            if stmt.finalbody and _always(stmt.finalbody, names, ends):
                return True
            branches = [[*stmt.body, *stmt.orelse]] + [h.body for h in stmt.handlers]
            if all(_always(b, names, ends) for b in branches):
                return True
        if isinstance(stmt, Match):
            cases = stmt.cases
            has_default = any(
                isinstance(c.pattern, MatchAs) and c.pattern.pattern is None and c.guard is None
                for c in cases
            )
            if has_default and all(_always(c.body, names, ends) for c in cases):
                return True
        if others and _may_jump(stmt, others, in_loop=False):
            return False
    return False


def _may_jump(stmt: ast.stmt, jumps: tuple[type, ...], in_loop: bool) -> bool:
    """Whether a path through ``stmt`` takes one of ``jumps`` out of the block.

    ``if x: return None`` followed by ``raise`` can finish without raising; a ``break`` or
    ``continue`` only leaves the block when it is not inside a loop of its own.
    """
    if isinstance(stmt, (ast.Break, ast.Continue)):
        return isinstance(stmt, jumps) and not in_loop
    if isinstance(stmt, jumps):
        return True
    if isinstance(stmt, BOUNDARY) or not isinstance(stmt, COMPOUND):
        return False
    is_loop = isinstance(stmt, LOOP)
    for block in blocks_of(stmt):
        # a loop's body is inside the loop; its ``else`` runs outside it
        inside = in_loop or (is_loop and block is stmt.body)
        if any(_may_jump(s, jumps, inside) for s in block):
            return True
    return False


def _if_always(stmt: ast.If, names, ends: tuple[type, ...]) -> bool:
    if not _always(stmt.body, names, ends):
        return False
    return bool(stmt.orelse) and _always(stmt.orelse, names, ends)


def frame_body(frame: ast.AST) -> Sequence[ast.stmt]:
    """The statements of a module, function or class body (a lambda has none)."""
    if isinstance(frame, (ast.Module, *FUNCTION, ast.ClassDef)):
        return frame.body
    return ()


def retries_then_falls_back(
    frame: ast.AST, guard: ast.stmt, handler: Sequence[ast.stmt], names=lambda n: None
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
    if not any(isinstance(s, ast.Continue) for s in handler) or any(
        isinstance(s, ast.Break) for s in handler
    ):
        return False
    body = frame_body(frame)
    loop = _innermost_loop(body, guard)
    if loop is None or (isinstance(loop, ast.While) and _always_true(loop.test)):
        return False
    rest = split_around(loop.body, guard)
    tried = next(blocks_of(guard), ())  # the try's (or the with's) own body: its first block
    success = [*tried, *getattr(guard, "orelse", ()), *(rest[1] if rest else ())]
    if not always_leaves_loop(success, names):
        return False
    outside = split_around(body, loop)
    after = [*loop.orelse, *outside[1]]
    bound = _assigned(tried)
    for stmt in after:
        if isinstance(stmt, ast.Return):
            return True
        if isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and any(
            binds_name([stmt], name) for name in bound
        ):
            return True
        if isinstance(stmt, ast.Raise) or _is_exit_call(stmt, names):
            return False
    return False


def _innermost_loop(stmts: Sequence[ast.stmt], target: ast.stmt, loop=None):
    """The innermost ``for``/``while`` whose body holds ``target`` (a loop's ``else`` is outside
    it), in the same frame; None when there is none or ``target`` is not found."""
    for stmt in stmts:
        if stmt is target:
            return loop
        if isinstance(stmt, BOUNDARY):
            continue
        for block in blocks_of(stmt):
            inner = stmt if isinstance(stmt, LOOP) and block is stmt.body else loop
            found = _innermost_loop(block, target, inner)
            if found is not None:
                return found
    return None


def _always_true(test: ast.expr) -> bool:
    """``while True`` or ``while 1``: the loop ends only through ``break``, ``return`` or
    ``raise``."""
    if not isinstance(test, ast.Constant):
        return False
    value = test.value
    return value is True or (type(value) is int and value != 0)


def _assigned(stmts: Sequence[ast.stmt]) -> set[str]:
    """The plain names the block assigns (not in nested functions)."""
    out: set[str] = set()
    for stmt in stmts:
        for node in [stmt, *walk(stmt)]:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    out.update(stored_names(target))
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
                out.update(stored_names(node.target))
    return out


def split_around(stmts: Sequence[ast.stmt], target: ast.stmt):
    """Find ``target`` in nested blocks; return (statements before it, statements after it) along
    the path.

    Statements after include, for each enclosing block, the siblings that follow; a ``try``'s
    ``finally`` and the ``else`` of a loop run after its body too.
    """
    before: list = []
    after: list = []
    if _split(stmts, target, before, after):
        return before, after
    return None


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
