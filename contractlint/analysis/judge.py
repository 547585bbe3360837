"""The rules CL001–CL006: judge one recorded service call against its call group."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Callable

from contractlint.analysis.handlers import (
    always_leaves,
    always_raises,
    contains_raise,
    frame_body,
    is_silent,
    raised_expressions,
    reraises,
    retries_then_falls_back,
    returns_sentinel,
    split_around,
)
from contractlint.analysis.names import binds_name, reads_name
from contractlint.analysis.records import CallRecord, Guard, Handler, HandlerNode
from contractlint.analysis.tree import FUNCTION, WITH, parameters
from contractlint.model import Policy, Severity
from contractlint.model.project import HandlerFacts, handler_problems

LineOf = Callable[[ast.AST], int]


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    #: Builds the message once positions are known (handlers are named by their line).
    message: Callable[[LineOf], str]
    #: The handler a fix works on (CL002: the clause to widen; CL006: where to bind the name).
    target: Handler | None = None
    #: The handler at fault, if one is (an acceptance may stand on its line).
    handler: HandlerNode | None = None
    #: It is about errors leaving the function (CL001, CL002, a re-raise under fail-open): a caller
    #: in the project that handles them makes it moot (``contractlint.propagation``).
    escape: bool = False
    #: A fail-closed handler that returns a sentinel: moot if every caller tests it and raises.
    sentinel: bool = False


def _names(errors: Sequence[str]) -> str:
    return ", ".join(errors)


def caught_as(handler: Handler) -> str | None:
    """The name an ``except ... as err`` clause binds."""
    return handler.node.name if isinstance(handler.node, ast.ExceptHandler) else None


def escaping(record: CallRecord) -> tuple[tuple[str, ...], HandlerNode | None]:
    """The errors of the call's group that leave its function: those no handler catches, and (unless
    the group fails closed, where raising is the handling) those a handler raises again. Also the
    first handler that raises one again."""
    if record.approved:
        return (), None
    covering, _, _ = _coverage(record)
    out: list[str] = []
    again: HandlerNode | None = None
    for error in record.group.raises:
        found = covering.get(error)
        if found is None:
            out.append(error)
            continue
        handler = found[1]
        if (
            record.group.policy != Policy.FAIL_CLOSED
            and not handler.suppress
            and reraises(handler.body, caught_as(handler))
        ):
            out.append(error)
            again = again or handler.node
    return tuple(out), again


def _coverage(record: CallRecord):
    group = record.group
    hierarchy = record.contract.errors
    covering: dict = {}
    guarding: Guard | None = None  # the innermost guard that catches some of the errors
    # Every handler an error of the group can reach, in the order Python tries them: one that
    # catches only a subclass (``except CapabilityTimeout: raise``) decides for that subclass.
    reached: list[tuple[Guard, Handler]] = []
    for guard in reversed(record.guards):
        for handler in guard.handlers:
            if len(covering) == len(group.raises):
                break
            whole = False
            for error in group.raises:
                if error not in covering and _catches(handler, error, hierarchy):
                    covering[error] = (guard, handler)
                    guarding = guarding or guard
                    whole = True
            if whole or _catches_part(handler, group.raises, hierarchy):
                guarding = guarding or guard
                reached.append((guard, handler))
    return covering, guarding, reached


def judge(record: CallRecord, exit_names: Callable[[ast.AST], str | None], source) -> list[Problem]:
    """Every problem of one call; an empty list means the call keeps its contract. ``source``
    reads the module's text where a node's spelling decides (``positions.Positions``)."""
    if record.approved:
        return []
    group = record.group
    callee = f"{record.callee}()"
    covering, guarding, reached = _coverage(record)
    if guarding is None:
        return [
            Problem(
                "CL001",
                Severity.ERROR,
                lambda line: (
                    f"{callee} is not guarded: {_names(group.raises)} "
                    f"{'escapes' if len(group.raises) == 1 else 'escape'}; "
                    f"the contract says {group.policy.asks}"
                ),
                escape=True,
            )
        ]
    problems: list[Problem] = []
    uncovered = [e for e in group.raises if e not in covering]
    if uncovered:
        guard_node = guarding.node
        keyword = "with" if isinstance(guard_node, WITH) else "try"
        widest = next((h for g, h in reached if g is guarding), None)
        problems.append(
            Problem(
                "CL002",
                Severity.ERROR,
                lambda line: (
                    f"{callee} is guarded by the {keyword} at line {line(guard_node)}, "
                    f"but {_names(uncovered)} {'is' if len(uncovered) == 1 else 'are'} not caught"
                ),
                target=widest,
            )
        )
    for guard, handler in reached:
        problems.extend(_judge_handler(record, guard, handler, callee, exit_names, source))
    return problems


def _catches(handler: Handler, error: str, hierarchy) -> bool:
    if handler.names is None:
        return True
    return any(hierarchy.catches(name, error) for name in handler.names)


def _catches_part(handler: Handler, errors: Sequence[str], hierarchy) -> bool:
    """Whether ``handler`` catches some subclasses of the ``errors`` but not the errors themselves.

    Either it names a subclass (``except CapabilityTimeout``), or it names a base of a subclass the
    contract lists: ``except ConnectionError`` catches CapabilityUnavailable (a CapabilityError and
    a ConnectionError), so it guards the call in part although CapabilityError does not derive from
    it.
    """
    if not handler.names:
        return False
    if any(error in hierarchy.ancestors(name) for name in handler.names for error in errors):
        return True
    subclasses = [
        known for known in hierarchy.bases if any(e in hierarchy.ancestors(known) for e in errors)
    ]
    return any(hierarchy.catches(name, sub) for name in handler.names for sub in subclasses)


def handler_facts(
    handler: Handler, exit_names, line: int = 0, guard: Guard | None = None
) -> HandlerFacts:
    """What a handler does, without its code: what the rules and the project-wide pass read. A
    handler that only goes round a retry loop whose code after it falls back is not silent."""
    body: Sequence[ast.stmt] = () if handler.suppress else handler.body
    caught = None if handler.suppress else caught_as(handler)
    silent = handler.suppress or (
        is_silent(body)
        and not (
            guard is not None
            and guard.frame is not None
            and retries_then_falls_back(guard.frame, guard.node, body, exit_names)
        )
    )
    return HandlerFacts(
        names=handler.names,
        line=line,
        suppress=handler.suppress,
        silent=silent,
        always_raises=(not handler.suppress) and always_raises(body, exit_names),
        raises=contains_raise(body),
        reraises=(not handler.suppress) and reraises(body, caught),
        raised=tuple(exit_names(e) or "" for e in raised_expressions(body, caught)),
    )


def _judge_handler(
    record: CallRecord, guard: Guard, handler: Handler, callee: str, exit_names, source
) -> list[Problem]:
    group = record.group
    node = handler.node
    what = "contextlib.suppress" if handler.suppress else "handler"
    body: Sequence[ast.stmt] = () if handler.suppress else handler.body
    facts = handler_facts(handler, exit_names, guard=guard)
    problems: list[Problem] = []

    def at_handler(text: str) -> Callable[[LineOf], str]:
        return lambda line: f"{callee}: the {what} at line {line(node)} {text}"

    for code, severity, text in handler_problems(group, facts, group.raises):
        problems.append(
            Problem(
                code,
                severity,
                at_handler(text),
                # a re-raise under fail-open passes the error on (a caller may handle it); a
                # fail-closed handler that returns a constant is fine if every caller tests it
                escape=code == "CL003" and group.policy == Policy.FAIL_OPEN and facts.reraises,
                sentinel=code == "CL003"
                and group.policy == Policy.FAIL_CLOSED
                and returns_sentinel(body, source),
            )
        )
    if group.policy in (Policy.FAIL_OPEN, Policy.ANY) and record.bound_name:
        problem = _unbound_fallback(record, guard, handler, body, callee, exit_names)
        if problem is not None:
            problems.append(problem)
    return [replace(p, handler=node) for p in problems]


def _params(frame: ast.AST) -> tuple[str, ...]:
    if not isinstance(frame, FUNCTION):
        return ()
    return tuple(param.arg for param in parameters(frame.args))


def _unbound_fallback(record, guard, handler, body, callee, exit_names) -> Problem | None:
    name = record.bound_name
    # ``sys.exit()`` leaves too: ``exit_names`` resolves it as the file imports it.
    if not handler.suppress and (binds_name(body, name) or always_leaves(body, exit_names)):
        return None
    split = split_around(frame_body(record.frame), guard.node)
    if split is None:
        return None
    before, after = split
    if name in _params(record.frame) or binds_name(before, name):
        return None
    finalbody = getattr(guard.node, "finalbody", None)
    if finalbody:
        after = [*finalbody, *after]
    if not reads_name(after, name):
        return None
    node, try_node = handler.node, guard.node
    what = "contextlib.suppress" if handler.suppress else "handler"
    # An unbound name in a module or class body is a NameError; only a function has locals.
    error = "UnboundLocalError" if isinstance(record.frame, FUNCTION) else "NameError"
    return Problem(
        "CL006",
        Severity.ERROR,
        lambda line: (
            f"{callee}: `{name}` is read after the {'with' if handler.suppress else 'try'} at line "
            f"{line(try_node)}, but the {what} at line {line(node)} neither binds it nor leaves: "
            f"{error} when {record.contract.name} is down"
        ),
        target=handler,
    )
