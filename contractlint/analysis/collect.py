"""One pass over a module: resolve names as they are bound, record every service call with its
guards."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import Callable

from contractlint.analysis.functions import declared_errors, returned_class
from contractlint.analysis.index import ContractIndex
from contractlint.analysis.records import (
    CallRecord,
    Frame,
    FunctionRecord,
    Guard,
    Handler,
    PendingLink,
    bound_name,
    qualified,
)
from contractlint.analysis.scope import (
    UNKNOWN,
    ClassInfo,
    Resolver,
    Scope,
    Value,
    dotted,
    item_of,
    unpacked,
)
from contractlint.analysis.tree import (
    FUNCTION,
    SMALL,
    argument_values,
    children,
    defaults,
)
from contractlint.model.budgets import UNBOUNDED, AnalysisCut
from contractlint.model.project import DUNDER_CALLS

#: Each node kind's (``visit_X``, ``leave_X``, is it a small statement), looked up once: functions
#: of the class, not bound methods, which the collector would hold in a cycle with itself (only
#: the cyclic garbage collector frees one, with the whole tree held from it).
_HOOKS: dict[type, tuple[Callable | None, Callable | None, bool]] = {}
#: Node kinds with nothing below them that the collector has no hook for: the walk counts them
#: without entering them.
_BARE = frozenset((ast.Name, ast.Constant))


class Collector:
    """Walks the tree in source order (``tree.children``); ``visit_X`` may return False to skip
    X's children, and walks what it wants itself, in the order its names are bound. Every node
    walked counts against ``budget`` (None: no bound): past it, the walk stops (``AnalysisCut``)."""

    def walk(self, node: ast.AST) -> None:
        self._left -= 1
        if self._left < 0:
            raise self._cut(node)
        kind = type(node)
        hooks = _HOOKS.get(kind)
        if hooks is None:
            hooks = _HOOKS[kind] = (
                getattr(Collector, f"visit_{kind.__name__}", None),
                getattr(Collector, f"leave_{kind.__name__}", None),
                issubclass(kind, SMALL),
            )
        visit, leave, small = hooks
        if small:
            self.statement = node
        if visit is None or visit(self, node) is not False:
            for child in children(node):
                if type(child) in _BARE:  # no hook, no children: only counted
                    self._left -= 1
                    if self._left < 0:
                        raise self._cut(child)
                    continue
                self.walk(child)
        if leave is not None:
            leave(self, node)
        if small:
            self.statement = None

    def __init__(
        self,
        index: ContractIndex,
        module_name: str,
        is_package: bool = False,
        project: frozenset[str] | None = None,
        source=None,
        budget: int | None = None,
    ):
        self.budget = budget
        #: The nodes the walk may still visit.
        self._left = budget if budget is not None else UNBOUNDED
        self.index = index
        self.module_name = module_name
        self.is_package = is_package
        #: Top-level names of the checked project's modules: a call into them is a link.
        self.project = frozenset(project or ()) | {module_name.split(".", 1)[0]}
        self.links: list[PendingLink] = []
        #: Attributes that are stored to, or called (their call makes its own link).
        self._stored: set[int] = set()
        self.functions: list[FunctionRecord] = []
        self.resolver = Resolver(module_name, index.types, index.canonical, source)
        self.source = source
        #: The outermost f-string being walked: older parsers misplace the nodes inside it.
        self.fstring: ast.JoinedStr | None = None
        self.module_scope = Scope("module")
        self.frames: list[Frame] = []
        self.class_stack: list[ClassInfo] = []
        self.deferred: list[tuple[ast.AST, Scope, ClassInfo | None, str | None, str]] = []
        self.records: list[CallRecord] = []
        self.statement: ast.stmt | None = None
        self.approved_lambdas: set[int] = set()

    def _cut(self, node: ast.AST) -> AnalysisCut:
        statement = self.statement
        line = getattr(node, "lineno", None) or getattr(statement, "lineno", None) or 1
        qualname = self.frames[-1].qualname if self.frames else ""
        where = qualified(self.module_name, qualname) if qualname else ""
        return AnalysisCut(self.budget or 0, line, where)

    # -- driving ---------------------------------------------------------------------------------
    def run(self, module: ast.Module) -> list[CallRecord]:
        self.frames.append(Frame(module, self.module_scope))
        for stmt in module.body:
            self.walk(stmt)
        self.frames.pop()
        while self.deferred:
            batch, self.deferred = self.deferred, []
            for func, parent, cls, approved, qualname in batch:
                self._run_function(func, parent, cls, approved, qualname)
        return self.records

    @property
    def frame(self) -> Frame:
        return self.frames[-1]

    @property
    def scope(self) -> Scope:
        return self.frames[-1].scope

    def value(self, node: ast.AST) -> Value | None:
        return self.resolver.value_of(node, self.scope)

    def qualname(self, node: ast.AST) -> str | None:
        value = self.value(node)
        if value is not None and value.kind == "name":
            return self.index.canonical(value.qual)
        return None

    # -- imports and bindings --------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> bool:
        for alias in node.names:
            if alias.asname is not None:
                self.scope.bind(alias.asname, Value("module", alias.name))
            else:
                top = alias.name.split(".", 1)[0]
                self.scope.bind(top, Value("module", top))
        return False

    def visit_ImportFrom(self, node: ast.ImportFrom) -> bool:
        if node.level:
            # ``from . import x`` in ``pkg/mod.py`` (or in ``pkg/__init__.py``) is ``pkg.x``.
            parts = (
                self.module_name.split(".") if self.is_package else self.module_name.split(".")[:-1]
            )
            up = node.level - 1
            parts = parts[: len(parts) - up] if up else parts
            if node.module is not None:
                parts = [*parts, node.module]
            base = (
                ".".join(p for p in parts if p)
                if parts and up < len(self.module_name.split("."))
                else None
            )
        else:
            base = node.module
        if node.names[0].name == "*":
            return False
        for alias in node.names:
            local = alias.asname if alias.asname is not None else alias.name
            self.scope.bind(local, Value("name", f"{base}.{alias.name}") if base else UNKNOWN)
        return False

    def _bind_target(self, target: ast.AST, value: Value | None) -> None:
        if isinstance(target, ast.Name):
            self.scope.bind(target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element, part in zip(target.elts, unpacked(target, value)):
                self._bind_target(element, part)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, UNKNOWN)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            owner = self.scope.lookup(target.value.id)
            if owner is not None and owner.kind == "self":
                info = self.resolver.classes.get(owner.qual)
                if info is not None:
                    info.bind_attr(target.attr, value)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._stored.update(id(t) for t in node.targets)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._stored.add(id(node.target))

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._stored.add(id(node.target))

    def visit_Compare(self, node: ast.Compare) -> None:
        """``job_id in registry`` runs ``registry.__contains__``."""
        for operator, comparator in zip(node.ops, node.comparators):
            if isinstance(operator, (ast.In, ast.NotIn)):
                self._dunder(node, comparator, "__contains__")

    def _dunder(self, node: ast.expr, operand: ast.expr, method: str) -> None:
        value = self.value(operand)
        for one in value.candidates() if value is not None else ():
            # "name": what a property or a function returns (``queue.started_job_registry``).
            if one.kind in ("instance", "self") or (one.kind == "name" and "." in one.qual):
                self._link(node, Value("name", f"{one.qual}.{method}"))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        """``job.is_finished``: reading a property runs it. Any read of a project name that is not a
        call or a store may be one; the project's facts tell (``contractlint.propagation``)."""
        if id(node) in self._stored:
            return
        value = self.value(node)
        if value is not None and value.kind == "name":
            self._link(node, value, attribute=True)

    def leave_Assign(self, node: ast.Assign) -> None:
        value = self.value(node.value)
        for target in node.targets:
            self._bind_target(target, value if len(node.targets) == 1 else UNKNOWN)

    def leave_AnnAssign(self, node: ast.AnnAssign) -> None:
        value = self.resolver.annotation(node.annotation, self.scope)
        if value is None and node.value is not None:
            value = self.value(node.value)
        if self.frame.scope.kind == "class" and isinstance(node.target, ast.Name):
            self.class_stack[-1].attrs[node.target.id] = value
        self._bind_target(node.target, value)

    def leave_AugAssign(self, node: ast.AugAssign) -> None:
        self._bind_target(node.target, UNKNOWN)

    def leave_NamedExpr(self, node: ast.NamedExpr) -> None:
        self._bind_target(node.target, self.value(node.value))

    def visit_For(self, node: ast.For) -> bool:
        self.walk(node.iter)
        self._bind_target(
            node.target,
            item_of(self.value(node.iter)) if isinstance(node.target, ast.Name) else UNKNOWN,
        )
        for stmt in [*node.body, *node.orelse]:
            self.walk(stmt)
        return False

    visit_AsyncFor = visit_For

    def leave_Return(self, node: ast.Return) -> None:
        self.frame.returns.append(
            self.value(node.value) if node.value is not None else Value("name", "None")
        )

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._bind_target(target, UNKNOWN)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name is not None:
            self.scope.bind(node.name, UNKNOWN)

    # -- statements ------------------------------------------------------------------------------
    def visit_With(self, node: ast.With) -> bool:
        handlers = []
        for item in node.items:
            self.walk(item.context_expr)
            if item.optional_vars is not None:
                value = self.value(item.context_expr)
                self._bind_target(
                    item.optional_vars,
                    value if value is not None and value.kind == "instance" else UNKNOWN,
                )
            call = item.context_expr
            if isinstance(call, ast.Call) and self.qualname(call.func) == "contextlib.suppress":
                names = self._caught(argument_values(call))
                handlers.append(Handler(node, names, suppress=True))
        if handlers:
            self.frame.guards.append(Guard(node, tuple(handlers), self.frame.node))
        for stmt in node.body:
            self.walk(stmt)
        if handlers:
            self.frame.guards.pop()
        return False

    visit_AsyncWith = visit_With

    def _caught(self, exprs: Sequence[ast.expr]) -> tuple[str, ...]:
        names: list[str] = []
        for expr in exprs:
            value = self.value(expr)
            if value is None:
                continue
            if value.kind == "name":
                names.append(self.index.canonical(value.qual))
            elif value.kind == "tuple":
                names.extend(self.index.canonical(q) for q in value.items)
        return tuple(names)

    def _handler(self, handler: ast.ExceptHandler) -> Handler:
        if handler.type is None:
            return Handler(handler, None)
        return Handler(handler, self._caught([handler.type]))

    def visit_Try(self, node: ast.Try) -> bool:
        guard = Guard(node, tuple(self._handler(h) for h in node.handlers), self.frame.node)
        self.frame.guards.append(guard)
        for stmt in node.body:
            self.walk(stmt)
        self.frame.guards.pop()
        for part in [*node.handlers, *node.orelse, *node.finalbody]:
            self.walk(part)
        return False

    visit_TryStar = visit_Try

    # -- definitions: boundaries -----------------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef) -> bool:
        for expr in [*node.decorator_list, *node.bases, *node.keywords]:
            self.walk(expr)
        outer = self.class_stack[-1].qual if self.class_stack else self.module_name
        info = ClassInfo(f"{outer}.{node.name}")
        for expr in node.bases:
            base = self.qualname(expr.value if isinstance(expr, ast.Starred) else expr)
            if base is not None:
                info.bases.append(base)
        for stmt in node.body:
            if isinstance(stmt, (*FUNCTION, ast.ClassDef)):
                info.members.add(stmt.name)
        self.resolver.classes[info.qual] = info
        self.class_stack.append(info)
        self.frames.append(
            Frame(
                node,
                Scope("class", self.scope, info),
                qualname=qualified(self.frame.qualname, node.name),
            )
        )
        for stmt in node.body:
            self.walk(stmt)
        frame = self.frames.pop()
        for name, value in frame.scope.bindings.items():
            info.attrs.setdefault(name, value)
            info.members.add(name)
        self.class_stack.pop()
        self.resolver.self_attributes(node, info, self.scope)
        self.scope.bind(node.name, Value("name", info.qual))
        return False

    def visit_FunctionDef(self, node: ast.FunctionDef) -> bool:
        for expr in [*node.decorator_list, *defaults(node.args)]:
            self.walk(expr)
        approved = None
        for expr in node.decorator_list:
            target = expr.func if isinstance(expr, ast.Call) else expr
            name = self.qualname(target)
            if name in self.index.decorators:
                approved = f"decorated with {name}"
        cls = self.class_stack[-1] if self.frame.scope.kind == "class" else None
        self.deferred.append(
            (node, self.scope, cls, approved, qualified(self.frame.qualname, node.name))
        )
        self.scope.bind(
            node.name, Value("name", f"{cls.qual if cls else self.module_name}.{node.name}")
        )
        return False

    visit_AsyncFunctionDef = visit_FunctionDef

    def _run_function(self, node, parent: Scope, cls, approved, qualname: str) -> None:
        scope = self.resolver.function_scope(node, parent, cls)
        self.frames.append(Frame(node, scope, approved=approved, qualname=qualname))
        saved_classes = self.class_stack
        self.class_stack = []
        for stmt in node.body:
            self.walk(stmt)
        self.class_stack = saved_classes
        frame = self.frames.pop()
        self.functions.append(
            FunctionRecord(
                qual=qualified(self.module_name, qualname),
                node=node,
                returns=returned_class(node, frame.returns, self.resolver, parent),
                declared=declared_errors(node, self.resolver, parent),
                is_property=any(
                    _decorator_name(d).endswith("property") for d in node.decorator_list
                ),
            )
        )

    def visit_Lambda(self, node: ast.Lambda) -> bool:
        for default in defaults(node.args):
            self.walk(default)
        scope = self.resolver.function_scope(node, self.scope, None)
        approved = "passed to an approved wrapper" if id(node) in self.approved_lambdas else None
        saved = self.statement
        self.frames.append(
            Frame(
                node, scope, approved=approved, qualname=qualified(self.frame.qualname, "<lambda>")
            )
        )
        self.walk(node.body)
        self.frames.pop()
        self.statement = saved
        return False

    # comprehensions bind their targets in a scope of their own
    def _enter_comprehension(self, node) -> None:
        self.frame.scope = Scope("comprehension", self.scope)

    def _leave_comprehension(self, node) -> None:
        self.frame.scope = self.frame.scope.parent

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _enter_comprehension
    leave_ListComp = leave_SetComp = leave_DictComp = leave_GeneratorExp = _leave_comprehension

    def visit_comprehension(self, node: ast.comprehension) -> bool:
        self.walk(node.iter)
        self._bind_target(
            node.target,
            item_of(self.value(node.iter)) if isinstance(node.target, ast.Name) else UNKNOWN,
        )
        for cond in node.ifs:
            self.walk(cond)
        return False

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if self.fstring is None:
            self.fstring = node

    def leave_JoinedStr(self, node: ast.JoinedStr) -> None:
        if self.fstring is node:
            self.fstring = None

    def _placed(self, node: ast.expr) -> None:
        """Note a node that findings or facts place, if it stands in an f-string."""
        if self.fstring is not None and self.source is not None:
            self.source.fstrings[id(node)] = self.fstring

    # -- calls -----------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        self._stored.add(id(node.func))  # the callee's own link is made below
        value = self.value(node.func)
        if value is None or value.kind != "name":
            return
        callee = self.index.canonical(value.qual)
        passed = argument_values(node)
        if callee in self.index.wrappers:
            for arg in passed:
                if isinstance(arg, ast.Lambda):
                    self.approved_lambdas.add(id(arg))
                elif not isinstance(arg, ast.Call):
                    # ``call_with_fallback(client.check, user)``: the wrapper makes the call.
                    self._record(arg, self.value(arg), "passed to an approved wrapper")
        if not self._record(node, value, self.frame.approved):
            if isinstance(node.func, ast.Name) and self.scope.makes_subclass(node.func.id):
                # ``cls()``: the ``__init__`` of the class or of any subclass, where a call of a
                # class runs only its own (or an inherited one)
                value = Value("name", f"{value.qual}.__init__")
            self._link(node, value)
        if (
            value.qual in DUNDER_CALLS
            and len(passed) == 1
            and self.scope.lookup(value.qual) == value
        ):
            self._dunder(node, passed[0], DUNDER_CALLS[value.qual])  # ``len(registry)``
        for arg in passed:
            # ``refresh(interval, show_workers)``: the callee calls it back, under this call's
            # guards.
            if isinstance(arg, ast.Name):
                for one in self.scope.named_values(arg.id):
                    self._link(node, one)
            elif isinstance(arg, ast.Attribute):
                one = self.value(arg)
                if one is not None and one.kind == "name":
                    self._link(node, one)

    def _link(self, node: ast.expr, value: Value, attribute: bool = False) -> None:
        callee = tuple(
            self.index.canonical(c.qual)
            for c in value.candidates()
            if c.kind == "name" and c.qual.split(".", 1)[0] in self.project and "." in c.qual
        )
        if callee:
            self._placed(node)
            frame = self.frame
            self.links.append(
                PendingLink(
                    node,
                    callee,
                    self.frame_name(frame),
                    frame.qualname,
                    tuple(frame.guards),
                    self.statement,
                    attribute,
                    frame.node,
                )
            )

    def frame_name(self, frame: Frame) -> str:
        """A frame as the project names it: ``pkg.mod.Class.method``; the module's name at module
        level."""
        return (
            qualified(self.module_name, frame.qualname)
            if isinstance(frame.node, FUNCTION)
            else self.module_name
        )

    def _record(self, node: ast.expr, value: Value | None, approved: str | None) -> bool:
        if value is None:
            return False
        matches: tuple = ()
        for candidate in value.candidates():
            if candidate.kind != "name":
                continue
            raw = candidate.qual
            callee = self.index.canonical(raw)
            matches = self.index.groups_for(callee) or (
                self.index.groups_for(raw) if raw != callee else ()
            )
            if matches:
                break
        if not matches:
            return False
        self._placed(node)
        frame = self.frame
        statement = self.statement
        bound = bound_name(statement, node)
        for contract, group in matches:
            self.records.append(
                CallRecord(
                    node=node,
                    callee=callee,
                    contract=contract,
                    group=group,
                    guards=tuple(frame.guards),
                    frame=frame.node,
                    statement=statement,
                    bound_name=bound,
                    approved=approved,
                    scope=frame.qualname,
                )
            )
        return True


def _decorator_name(decorator: ast.expr) -> str:
    expr = decorator.func if isinstance(decorator, ast.Call) else decorator
    return dotted(expr) or ""
