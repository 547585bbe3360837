"""What the walk of a module records: each service call with its guards and handlers, the calls
that may reach the project's own functions, and the functions themselves."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Union

from contractlint.analysis.scope import Scope, Value
from contractlint.model import CallGroup, Contract

#: What handles errors: an ``except`` clause, or the ``with`` of a ``contextlib.suppress``.
HandlerNode = Union[ast.ExceptHandler, ast.With, ast.AsyncWith]


@dataclass(frozen=True)
class Handler:
    node: HandlerNode
    names: tuple[str, ...] | None  # canonical names caught; None for a bare ``except:``
    suppress: bool = False

    @property
    def body(self) -> Sequence[ast.stmt]:
        return self.node.body


@dataclass(frozen=True)
class Guard:
    node: ast.stmt  # the Try, TryStar or With
    handlers: tuple[Handler, ...]
    #: The Module, FunctionDef, Lambda or ClassDef it runs in.
    frame: ast.AST | None = field(default=None, compare=False)


@dataclass
class Frame:
    """A body that runs as a unit: the module, a class body, a function or a lambda."""

    node: ast.AST
    scope: Scope
    approved: str | None = None
    guards: list[Guard] = field(default_factory=list)
    #: ``Class.method``, ``outer.inner``, ``func.<lambda>``; "" for the module.
    qualname: str = ""
    #: What its ``return`` statements give (a function's).
    returns: list[Value | None] = field(default_factory=list)


class PendingLink(NamedTuple):
    """A call that may reach a function of the project; judged once the project is known. A
    tuple: a module has hundreds."""

    node: ast.expr
    callee: tuple[str, ...]
    frame: str  # module-qualified
    scope: str
    guards: tuple[Guard, ...]
    statement: ast.stmt | None
    #: Not a call: an attribute read, which runs the callee only if it is a property.
    attribute: bool = False
    frame_node: ast.AST | None = None


@dataclass
class FunctionRecord:
    qual: str
    node: ast.AST
    returns: str | None = None
    declared: tuple[str, ...] = ()
    is_property: bool = False


@dataclass(frozen=True)
class CallRecord:
    node: ast.expr  # the Call, or a callable passed to an approved wrapper
    callee: str
    contract: Contract
    group: CallGroup
    guards: tuple[Guard, ...]  # innermost last
    frame: ast.AST  # Module, FunctionDef, Lambda or ClassDef
    statement: ast.stmt | None  # the small statement holding the call, if any
    bound_name: str | None  # ``name = <call>``: the name
    approved: str | None  # why it complies without a guard (approved wrapper or decorator)
    scope: str = ""  # the qualified name of the enclosing function or class, "" at module level


def bound_name(statement: ast.stmt | None, call: ast.expr) -> str | None:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target, value = statement.targets[0], statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        target, value = statement.target, statement.value
    else:
        return None
    if isinstance(value, ast.Await):
        value = value.value
    if value is call and isinstance(target, ast.Name):
        return target.id
    return None


def qualified(outer: str, name: str) -> str:
    """``name`` inside ``outer`` (a module, a class, a function), as a dotted name; either may be
    empty (module-level code, the module itself)."""
    if not outer or not name:
        return outer or name
    return f"{outer}.{name}"
