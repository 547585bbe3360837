"""One pass over a module: resolve names as they are bound, record every service call with its guards."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable

import libcst as cst

from contractlint.analysis.handlers import blocks_of, body_of, child_fields, small_statements
from contractlint.analysis.index import ContractIndex
from contractlint.analysis.scope import UNKNOWN, ClassInfo, Resolver, Scope, Value, dotted, item_of
from contractlint.model import CallGroup, Contract


@dataclass(frozen=True)
class Handler:
    node: cst.CSTNode  # an ExceptHandler, ExceptStarHandler, or the With of a contextlib.suppress
    names: tuple[str, ...] | None  # canonical names caught; None for a bare ``except:``
    suppress: bool = False

    @property
    def body(self) -> Sequence[cst.CSTNode]:
        return body_of(self.node)


@dataclass(frozen=True)
class Guard:
    node: cst.CSTNode  # the Try, TryStar or With
    handlers: tuple[Handler, ...]
    #: The Module, FunctionDef, Lambda or ClassDef it runs in.
    frame: cst.CSTNode | None = field(default=None, compare=False)


@dataclass
class Frame:
    """A body that runs as a unit: the module, a class body, a function or a lambda."""

    node: cst.CSTNode
    scope: Scope
    approved: str | None = None
    guards: list[Guard] = field(default_factory=list)
    #: ``Class.method``, ``outer.inner``, ``func.<lambda>``; "" for the module.
    qualname: str = ""
    #: What its ``return`` statements give (a function's).
    returns: list[Value | None] = field(default_factory=list)


@dataclass(frozen=True)
class PendingLink:
    """A call that may reach a function of the project; judged once the project is known."""

    node: cst.Call
    callee: tuple[str, ...]
    frame: str  # module-qualified
    scope: str
    guards: tuple[Guard, ...]
    statement: cst.CSTNode | None
    #: Not a call: an attribute read, which runs the callee only if it is a property.
    attribute: bool = False
    frame_node: cst.CSTNode | None = None


@dataclass
class FunctionRecord:
    qual: str
    node: cst.CSTNode
    returns: str | None = None
    declared: tuple[str, ...] = ()
    is_property: bool = False


@dataclass(frozen=True)
class CallRecord:
    node: cst.BaseExpression  # the Call, or a callable passed to an approved wrapper
    callee: str
    contract: Contract
    group: CallGroup
    guards: tuple[Guard, ...]  # innermost last
    frame: cst.CSTNode  # Module, FunctionDef, Lambda or ClassDef
    statement: cst.CSTNode | None  # the small statement holding the call, if any
    bound_name: str | None  # ``name = <call>``: the name
    approved: str | None  # why it complies without a guard (approved wrapper or decorator)
    scope: str = ""  # the qualified name of the enclosing function or class, "" at module level


_SMALL = (
    cst.Assign,
    cst.AnnAssign,
    cst.AugAssign,
    cst.Expr,
    cst.Return,
    cst.Raise,
    cst.Assert,
    cst.Del,
)


class Collector:
    """Walks the tree itself (libcst's own visitor machinery rebuilds every node and costs
    seven times more on real code); ``visit_X`` may return False to skip X's children."""

    def walk(self, node: cst.CSTNode) -> None:
        kind = type(node)
        hooks = self._hooks.get(kind)
        if hooks is None:
            hooks = self._hooks[kind] = (
                getattr(self, f"visit_{kind.__name__}", None),
                getattr(self, f"leave_{kind.__name__}", None),
                issubclass(kind, _SMALL),
            )
        visit, leave, small = hooks
        if small:
            self.statement = node
        if visit is None or visit(node) is not False:
            for name in child_fields(kind):
                value = getattr(node, name)
                if isinstance(value, cst.CSTNode):
                    self.walk(value)
                elif isinstance(value, (list, tuple)):
                    for item in value:
                        if isinstance(item, cst.CSTNode):
                            self.walk(item)
        if leave is not None:
            leave(node)
        if small:
            self.statement = None

    def __init__(
        self,
        index: ContractIndex,
        module_name: str,
        is_package: bool = False,
        project: frozenset[str] | None = None,
    ):
        self.index = index
        self.module_name = module_name
        self.is_package = is_package
        #: Top-level names of the checked project's modules: a call into them is a link.
        self.project = frozenset(project or ()) | {module_name.split(".", 1)[0]}
        self.links: list[PendingLink] = []
        #: Attributes that are stored to, or called (their call makes its own link).
        self._stored: set[int] = set()
        self.functions: list[FunctionRecord] = []
        self.resolver = Resolver(module_name, index.types, index.canonical)
        self.module_scope = Scope("module")
        self.frames: list[Frame] = []
        self.class_stack: list[ClassInfo] = []
        self.deferred: list[tuple[cst.CSTNode, Scope, ClassInfo | None, str | None, str]] = []
        self.records: list[CallRecord] = []
        self.statement: cst.CSTNode | None = None
        self.approved_lambdas: set[int] = set()
        self._hooks: dict[type, tuple[Callable | None, Callable | None, bool]] = {}

    # -- driving ---------------------------------------------------------------------------------
    def run(self, module: cst.Module) -> list[CallRecord]:
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

    def value(self, node: cst.BaseExpression) -> Value | None:
        return self.resolver.value_of(node, self.scope)

    def qualname(self, node: cst.BaseExpression) -> str | None:
        value = self.value(node)
        if value is not None and value.kind == "name":
            return self.index.canonical(value.qual)
        return None

    # -- imports and bindings --------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            full = cst.helpers.get_full_name_for_node(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(alias.asname.name.value, Value("module", full))
            else:
                top = full.split(".", 1)[0]
                self.scope.bind(top, Value("module", top))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if node.relative:
            # ``from . import x`` in ``pkg/mod.py`` (or in ``pkg/__init__.py``) is ``pkg.x``.
            parts = (
                self.module_name.split(".") if self.is_package else self.module_name.split(".")[:-1]
            )
            up = len(node.relative) - 1
            parts = parts[: len(parts) - up] if up else parts
            if node.module is not None:
                parts = [*parts, cst.helpers.get_full_name_for_node(node.module) or ""]
            base = (
                ".".join(p for p in parts if p)
                if parts and up < len(self.module_name.split("."))
                else None
            )
        else:
            base = cst.helpers.get_full_name_for_node(node.module) if node.module else None
        if isinstance(node.names, cst.ImportStar):
            return False
        for alias in node.names:
            name = cst.helpers.get_full_name_for_node(alias.name) or ""
            local = (
                alias.asname.name.value
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                else name
            )
            self.scope.bind(local, Value("name", f"{base}.{name}") if base else UNKNOWN)
        return False

    def _bind_target(self, target: cst.BaseExpression, value: Value | None) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element, part in zip(target.elements, _unpacked(target, value)):
                self._bind_target(element.value, part)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value, UNKNOWN)
        elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            owner = self.scope.lookup(target.value.value)
            if owner is not None and owner.kind == "self":
                info = self.resolver.classes.get(owner.qual)
                if info is not None:
                    info.bind_attr(target.attr.value, value)

    def visit_Assign(self, node: cst.Assign) -> None:
        self._stored.update(id(t.target) for t in node.targets)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._stored.add(id(node.target))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._stored.add(id(node.target))

    def visit_Comparison(self, node: cst.Comparison) -> None:
        """``job_id in registry`` runs ``registry.__contains__``."""
        for target in node.comparisons:
            if isinstance(target.operator, (cst.In, cst.NotIn)):
                self._dunder(node, target.comparator, "__contains__")

    def _dunder(self, node: cst.CSTNode, operand: cst.BaseExpression, method: str) -> None:
        value = self.value(operand)
        for one in value.candidates() if value is not None else ():
            # "name": what a property or a function returns (``queue.started_job_registry``).
            if one.kind in ("instance", "self") or (one.kind == "name" and "." in one.qual):
                self._link(node, Value("name", f"{one.qual}.{method}"))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """``job.is_finished``: reading a property runs it. Any read of a project name that is not a
        call or a store may be one; the project's facts tell (``contractlint.propagation``)."""
        if id(node) in self._stored:
            return
        value = self.value(node)
        if value is not None and value.kind == "name":
            self._link(node, value, attribute=True)

    def leave_Assign(self, node: cst.Assign) -> None:
        value = self.value(node.value)
        for target in node.targets:
            self._bind_target(target.target, value if len(node.targets) == 1 else UNKNOWN)

    def leave_AnnAssign(self, node: cst.AnnAssign) -> None:
        value = self.resolver.annotation(node.annotation, self.scope)
        if value is None and node.value is not None:
            value = self.value(node.value)
        if self.frame.scope.kind == "class" and isinstance(node.target, cst.Name):
            self.class_stack[-1].attrs[node.target.value] = value
        self._bind_target(node.target, value)

    def leave_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_target(node.target, UNKNOWN)

    def leave_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, self.value(node.value))

    def visit_For(self, node: cst.For) -> None:
        self.walk(node.iter)
        self._bind_target(
            node.target,
            item_of(self.value(node.iter)) if isinstance(node.target, cst.Name) else UNKNOWN,
        )
        self.walk(node.body)
        if node.orelse is not None:
            self.walk(node.orelse)
        return False

    def leave_Return(self, node: cst.Return) -> None:
        self.frame.returns.append(
            self.value(node.value) if node.value is not None else Value("name", "None")
        )

    def visit_Del(self, node: cst.Del) -> None:
        self._bind_target(node.target, UNKNOWN)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, UNKNOWN)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            self._bind_target(node.name.name, UNKNOWN)

    # -- statements ------------------------------------------------------------------------------
    def visit_With(self, node: cst.With) -> bool:
        handlers = []
        for item in node.items:
            self.walk(item.item)
            if item.asname is not None:
                value = self.value(item.item)
                self._bind_target(
                    item.asname.name,
                    value if value is not None and value.kind == "instance" else UNKNOWN,
                )
            call = item.item
            if isinstance(call, cst.Call) and self.qualname(call.func) == "contextlib.suppress":
                names = self._caught([a.value for a in call.args])
                handlers.append(Handler(node, names, suppress=True))
        if handlers:
            self.frame.guards.append(Guard(node, tuple(handlers), self.frame.node))
        self.walk(node.body)
        if handlers:
            self.frame.guards.pop()
        return False

    def _caught(self, exprs: Sequence[cst.BaseExpression]) -> tuple[str, ...]:
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

    def _handler(self, handler) -> Handler:
        if handler.type is None:
            return Handler(handler, None)
        return Handler(handler, self._caught([handler.type]))

    def visit_Try(self, node: cst.Try) -> bool:
        return self._visit_try(node)

    def visit_TryStar(self, node: cst.TryStar) -> bool:
        return self._visit_try(node)

    def _visit_try(self, node) -> bool:
        guard = Guard(node, tuple(self._handler(h) for h in node.handlers), self.frame.node)
        self.frame.guards.append(guard)
        self.walk(node.body)
        self.frame.guards.pop()
        for handler in node.handlers:
            self.walk(handler)
        if node.orelse is not None:
            self.walk(node.orelse)
        if node.finalbody is not None:
            self.walk(node.finalbody)
        return False

    # -- definitions: boundaries -----------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for decorator in node.decorators:
            self.walk(decorator)
        for arg in [*node.bases, *node.keywords]:
            self.walk(arg)
        outer = self.class_stack[-1].qual if self.class_stack else self.module_name
        info = ClassInfo(f"{outer}.{node.name.value}")
        for arg in node.bases:
            base = self.qualname(arg.value)
            if base is not None:
                info.bases.append(base)
        for stmt in body_of(node):
            if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                info.members.add(stmt.name.value)
        self.resolver.classes[info.qual] = info
        self.class_stack.append(info)
        self.frames.append(
            Frame(
                node,
                Scope("class", self.scope, info),
                qualname=_join(self.frame.qualname, node.name.value),
            )
        )
        self.walk(node.body)
        frame = self.frames.pop()
        for name, value in frame.scope.bindings.items():
            info.attrs.setdefault(name, value)
            info.members.add(name)
        self.class_stack.pop()
        self._prescan_self_attributes(node, info)
        self.scope.bind(node.name.value, Value("name", info.qual))
        return False

    def _prescan_self_attributes(self, node: cst.ClassDef, info: ClassInfo) -> None:
        """``self.client = Client()`` in one method makes ``self.client`` a client in every method."""
        for stmt in body_of(node):
            if not isinstance(stmt, cst.FunctionDef) or not stmt.params.params:
                continue
            scope = self._function_scope(stmt, self.scope, info)
            self_name = stmt.params.params[0].name.value
            for child in _statements(body_of(stmt)):
                if isinstance(child, cst.Assign):
                    targets, value = [t.target for t in child.targets], child.value
                    resolved = self.resolver.value_of(value, scope)
                elif isinstance(child, cst.AnnAssign):
                    targets, value = [child.target], child.value
                    resolved = self.resolver.annotation(child.annotation, scope)
                    if resolved is None and value is not None:
                        resolved = self.resolver.value_of(value, scope)
                else:
                    continue
                pairs = []
                for target in targets:
                    if isinstance(target, (cst.Tuple, cst.List)):
                        pairs.extend(
                            zip((e.value for e in target.elements), _unpacked(target, resolved))
                        )
                    else:
                        pairs.append((target, resolved))
                for target, value in pairs:
                    if isinstance(target, cst.Name):
                        scope.bind(target.value, value)
                    elif (
                        isinstance(target, cst.Attribute)
                        and isinstance(target.value, cst.Name)
                        and target.value.value == self_name
                        and value is not None
                    ):
                        info.bind_attr(target.attr.value, value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for decorator in node.decorators:
            self.walk(decorator)
        for param in _all_params(node.params):
            if param.default is not None:
                self.walk(param.default)
        approved = None
        for decorator in node.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            name = self.qualname(target)
            if name in self.index.decorators:
                approved = f"decorated with {name}"
        cls = self.class_stack[-1] if self.frame.scope.kind == "class" else None
        self.deferred.append(
            (node, self.scope, cls, approved, _join(self.frame.qualname, node.name.value))
        )
        self.scope.bind(
            node.name.value,
            Value("name", f"{cls.qual if cls else self.module_name}.{node.name.value}"),
        )
        return False

    def _function_scope(self, node, parent: Scope, cls: ClassInfo | None) -> Scope:
        scope = Scope("function", parent)
        params = _all_params(node.params)
        kinds = {
            d.decorator.value
            for d in getattr(node, "decorators", ())
            if isinstance(d.decorator, cst.Name)
        }
        for i, param in enumerate(params):
            if (
                i == 0
                and cls is not None
                and "staticmethod" not in kinds
                and isinstance(node, cst.FunctionDef)
            ):
                # ``cls`` of a classmethod is the class itself: ``cls.client`` is its class attribute.
                first = (
                    Value("name", cls.qual) if "classmethod" in kinds else Value("self", cls.qual)
                )
                scope.bind(param.name.value, first)
                continue
            value = (
                self.resolver.annotation(param.annotation, parent) if param.annotation else UNKNOWN
            )
            if value is None and param.default is not None:
                default = self.resolver.value_of(param.default, parent)
                value = default if default is not None and default.kind == "instance" else UNKNOWN
            scope.bind(param.name.value, value)
        return scope

    def _run_function(
        self, node: cst.FunctionDef, parent: Scope, cls, approved, qualname: str
    ) -> None:
        scope = self._function_scope(node, parent, cls)
        self.frames.append(Frame(node, scope, approved=approved, qualname=qualname))
        saved_classes = self.class_stack
        self.class_stack = []
        self.walk(node.body)
        self.class_stack = saved_classes
        frame = self.frames.pop()
        self.functions.append(
            FunctionRecord(
                qual=_join(self.module_name, qualname),
                node=node,
                returns=self._made(node, frame, parent),
                declared=self._declared(node, parent),
                is_property=any(_decorator_name(d).endswith("property") for d in node.decorators),
            )
        )

    def _made(self, node: cst.FunctionDef, frame: Frame, parent: Scope) -> str | None:
        """The class a function returns an instance of: its annotation's, or every ``return``'s."""
        if node.returns is not None:
            value = self.resolver.annotation(node.returns.annotation, parent)
            if value is not None and value.kind == "fields":
                return f"({','.join(value.items)})"
            if value is not None and value.kind == "items":
                return f"{self.index.canonical(value.qual)}[]"
            return (
                self.index.canonical(value.qual)
                if value is not None and value.kind == "instance"
                else None
            )
        made = sorted(
            {
                self.index.canonical(c.qual)
                for v in frame.returns
                if v is not None
                for c in v.candidates()
                if c.kind == "instance"
            }
        )
        unknown = any(
            v is None or (v.kind != "instance" and v.qual != "None") for v in frame.returns
        )
        if made and not unknown:
            return "|".join(made)  # any of them (``return self._client`` of a client or a pipeline)
        return None

    def _declared(self, node: cst.FunctionDef, parent: Scope) -> tuple[str, ...]:
        """The errors a docstring says the function raises, resolved as the module imports them."""
        doc = node.get_docstring(clean=True)
        if not doc or "aise" not in doc:
            return ()
        out = []
        for name in docstring_raises(doc):
            value = (
                self.resolver.value_of(cst.parse_expression(name), parent)
                if _DOTTED.match(name)
                else None
            )
            out.append(
                self.index.canonical(
                    value.qual if value is not None and value.kind == "name" else name
                )
            )
        return tuple(out)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        for param in _all_params(node.params):
            if param.default is not None:
                self.walk(param.default)
        scope = self._function_scope(node, self.scope, None)
        approved = "passed to an approved wrapper" if id(node) in self.approved_lambdas else None
        saved = self.statement
        self.frames.append(
            Frame(node, scope, approved=approved, qualname=_join(self.frame.qualname, "<lambda>"))
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

    def visit_CompFor(self, node: cst.CompFor) -> bool:
        self.walk(node.iter)
        self._bind_target(
            node.target,
            item_of(self.value(node.iter)) if isinstance(node.target, cst.Name) else UNKNOWN,
        )
        for cond in node.ifs:
            self.walk(cond)
        if node.inner_for_in is not None:
            self.walk(node.inner_for_in)
        return False

    # -- calls -----------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self._stored.add(id(node.func))  # the callee's own link is made below
        value = self.value(node.func)
        if value is None or value.kind != "name":
            return
        callee = self.index.canonical(value.qual)
        if callee in self.index.wrappers:
            for arg in node.args:
                if isinstance(arg.value, cst.Lambda):
                    self.approved_lambdas.add(id(arg.value))
                elif not isinstance(arg.value, cst.Call):
                    # ``call_with_fallback(client.check, user)``: the wrapper makes the call.
                    self._record(arg.value, self.value(arg.value), "passed to an approved wrapper")
        if not self._record(node, value, self.frame.approved):
            self._link(node, value)
        if (
            value.qual in _DUNDER_CALLS
            and len(node.args) == 1
            and self.scope.lookup(value.qual) == value
        ):
            self._dunder(node, node.args[0].value, _DUNDER_CALLS[value.qual])  # ``len(registry)``
        for arg in node.args:
            # ``refresh(interval, show_workers)``: the callee calls it back, under this call's guards.
            if isinstance(arg.value, cst.Name):
                for passed in self.scope.named_values(arg.value.value):
                    self._link(node, passed)
            elif isinstance(arg.value, cst.Attribute):
                passed = self.value(arg.value)
                if passed is not None and passed.kind == "name":
                    self._link(node, passed)

    def _link(self, node: cst.BaseExpression, value: Value, attribute: bool = False) -> None:
        callee = tuple(
            self.index.canonical(c.qual)
            for c in value.candidates()
            if c.kind == "name" and c.qual.split(".", 1)[0] in self.project and "." in c.qual
        )
        if callee:
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
        """A frame as the project names it: ``pkg.mod.Class.method``; the module's name at module level."""
        return (
            _join(self.module_name, frame.qualname)
            if isinstance(frame.node, cst.FunctionDef)
            else self.module_name
        )

    def _record(self, node: cst.BaseExpression, value: Value | None, approved: str | None) -> bool:
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


_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_SPHINX = re.compile(r":raises?\s+([A-Za-z_][\w.]*)\s*:")
_SECTION = re.compile(r"^(Raises|Raise|Exceptions)\s*:?\s*$")
_ENTRY = re.compile(r"^\s*:?(?:py:)?(?:exc:|class:)?`*~?([A-Za-z_][\w.]*)`*\s*(?::|$|\s)")


def docstring_raises(doc: str) -> list[str]:
    """The error names of a docstring's ``Raises:`` section (Google), ``Raises`` with an underline
    (NumPy), or ``:raises X:`` fields (Sphinx)."""
    names = _SPHINX.findall(doc)
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if not _SECTION.match(line.strip()):
            continue
        indent = len(line) - len(line.lstrip())
        j = i + 1
        if j < len(lines) and set(lines[j].strip()) == {"-"}:  # NumPy's underline
            j += 1
        entry_indent = None
        while j < len(lines):
            text = lines[j]
            if not text.strip():
                j += 1
                continue
            depth = len(text) - len(text.lstrip())
            if depth < indent or (
                depth == indent and entry_indent is not None and entry_indent > indent
            ):
                break
            if entry_indent is None:
                entry_indent = depth
            if j + 1 < len(lines) and lines[j + 1].strip() and set(lines[j + 1].strip()) == {"-"}:
                break  # the next NumPy section's header, over its underline
            if depth == entry_indent:
                found = _ENTRY.match(text)
                if found is None:
                    break
                names.append(found.group(1))
            j += 1
    return names


#: Builtins that call a method of their argument.
_DUNDER_CALLS = {
    "len": "__len__",
    "bool": "__bool__",
    "iter": "__iter__",
    "str": "__str__",
    "repr": "__repr__",
}


def _unpacked(target, value: Value | None) -> list[Value | None]:
    """What each name of ``a, b = <value>`` gets. ``cls, pool = parse_connection(c)``: element i of
    what the call returns (the project's facts tell what that is: ``contractlint.propagation``)."""
    made = [c for c in (value.candidates() if value is not None else ()) if c.kind == "instance"]
    starred = any(
        isinstance(e, cst.StarredElement) or isinstance(e.value, cst.StarredElement)
        for e in target.elements
    )
    return [
        Value("name", f"{made[0].qual}.<{i}>")
        if made and not starred and isinstance(element.value, (cst.Name, cst.Attribute))
        else UNKNOWN
        for i, element in enumerate(target.elements)
    ]


def _decorator_name(decorator: cst.Decorator) -> str:
    expr = decorator.decorator
    expr = expr.func if isinstance(expr, cst.Call) else expr
    return dotted(expr) or ""


def _join(outer: str, name: str) -> str:
    return f"{outer}.{name}" if outer else name


def _all_params(params: cst.Parameters) -> list[cst.Param]:
    out = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
    if isinstance(params.star_arg, cst.Param):
        out.append(params.star_arg)
    if params.star_kwarg is not None:
        out.append(params.star_kwarg)
    return out


def _statements(stmts: Sequence[cst.CSTNode]):
    """Small statements of a block and of the blocks nested in it (not in nested functions)."""
    for stmt in small_statements(stmts):
        yield stmt
        for block in blocks_of(stmt):
            yield from _statements(block)


def bound_name(statement: cst.CSTNode | None, call: cst.Call) -> str | None:
    if isinstance(statement, cst.Assign) and len(statement.targets) == 1:
        target, value = statement.targets[0].target, statement.value
    elif isinstance(statement, cst.AnnAssign) and statement.value is not None:
        target, value = statement.target, statement.value
    else:
        return None
    if isinstance(value, cst.Await):
        value = value.expression
    if value is call and isinstance(target, cst.Name):
        return target.value
    return None
