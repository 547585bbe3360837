"""What a name means at a point of a module: modules, qualified names and instances.

Light bookkeeping of our own, as the module's names are bound, one statement after the other.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import NamedTuple

from contractlint.analysis.tree import (
    FUNCTION,
    default_of,
    is_keyword_constant,
    nested_statements,
    parameters,
)

BUILTIN_NAMES = frozenset(dir(builtins))


class Value(NamedTuple):
    """``kind`` is "module", "name" (a function, class or other object), "instance",
    "tuple" (of names, for ``ERRORS = (A, B)``), "self" (of the class ``qual``), "items" (a
    collection of instances of ``qual``) or "fields" (an annotated tuple: the class of each
    element). A tuple: the walk makes one for nearly every name and call it reads."""

    kind: str
    qual: str = ""
    items: tuple[str, ...] = ()
    #: Other things an "instance" or "name" may be: ``pipe if pipe is not None else redis``
    #: is a pipeline or a client, and a call on it reaches the service if either does.
    alternatives: tuple[Value, ...] = ()

    def candidates(self) -> tuple[Value, ...]:
        """This value and its alternatives, each on its own."""
        if not self.alternatives:
            return (self,)
        return (Value(self.kind, self.qual, self.items), *self.alternatives)


UNKNOWN = None


@dataclass
class ClassInfo:
    qual: str
    bases: list[str] = field(default_factory=list)
    attrs: dict[str, Value | None] = field(default_factory=dict)
    members: set = field(default_factory=set)

    def bind_attr(self, name: str, value: Value | None) -> None:
        """``self.name = value`` in some method.

        Methods run in any order, so the attribute may hold whatever any of them binds: a client
        made in ``connect()``, a class set on the class and replaced in ``__init__``. A placeholder
        (``self._client = None``, something unknown) adds nothing.
        """
        current = self.attrs.get(name)
        if value is None or (value.kind == "name" and value.qual == "None"):
            if current is None:
                self.attrs[name] = value
            return
        if current is None or (current.kind == "name" and current.qual == "None"):
            self.attrs[name] = value
            return
        self.attrs[name] = _union([current, value])


class Scope:
    def __init__(self, kind: str, parent: Scope | None = None, cls: ClassInfo | None = None):
        self.kind = kind
        self.parent = parent
        self.cls = cls
        self.bindings: dict[str, Value | None] = {}
        #: Every function or class a name was bound to in this scope, in order (``func =
        #: show_queues`` in one branch, ``func = show_workers`` in another): what a callback may be.
        self.named: dict[str, list[Value]] = {}
        #: A classmethod's first parameter, as bound: ``cls(...)`` may make a subclass.
        self.cls_param: Value | None = None

    def bind(self, name: str, value: Value | None) -> None:
        self.bindings[name] = value
        if value is not None and value.kind == "name":
            self.named.setdefault(name, []).append(value)

    def named_values(self, name: str) -> list[Value]:
        """The functions and classes ``name`` may hold here: every one bound to it in the innermost
        scope that binds it."""
        scope: Scope | None = self
        while scope is not None:
            if name in scope.bindings:
                return scope.named.get(name, [])
            scope = scope.parent
        return []

    def makes_subclass(self, name: str) -> bool:
        """Whether ``name`` here is a classmethod's first parameter (``cls``): calling it may make
        an instance of any subclass, and run its ``__init__``."""
        scope: Scope | None = self
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bindings:
                value = scope.bindings[name]
                return value is not None and value is scope.cls_param
            first = False
            scope = scope.parent
        return False

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope.bindings[name]
            first = False
            scope = scope.parent
        if name in BUILTIN_NAMES:
            return Value("name", name)
        return UNKNOWN

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` as text, or None for anything that is not a plain dotted name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class Resolver:
    """Evaluates expressions to ``Value``s in a scope; knows the module's classes."""

    def __init__(self, module_name: str, types: dict[str, str], canonical, source=None):
        self.module_name = module_name
        self.types = types
        self.canonical = canonical
        self.classes: dict[str, ClassInfo] = {}
        #: The module's text, where a node's own spelling decides (``Source``).
        self.source = source

    def value_of(self, node: ast.AST, scope: Scope) -> Value | None:
        kind = type(node)
        if kind is ast.Name:
            return scope.lookup(node.id)
        if kind is ast.Attribute:
            base = self.value_of(node.value, scope)
            return self.attribute(base, node.attr)
        if kind is ast.Call:
            func = self.value_of(node.func, scope)
            return self.call_result(func)
        if kind is ast.Constant:
            # ``None``, ``True`` and ``False`` are names of the builtins.
            return scope.lookup(str(node.value)) if is_keyword_constant(node) else UNKNOWN
        if kind is ast.Await or kind is ast.NamedExpr:
            return self.value_of(node.value, scope)
        if kind is ast.Tuple or kind is ast.List:
            items = []
            for element in node.elts:
                if isinstance(element, ast.Starred):
                    inner = self.value_of(element.value, scope)
                    if inner is not None and inner.kind == "tuple":
                        items.extend(inner.items)
                    continue
                value = self.value_of(element, scope)
                if value is not None and value.kind == "name":
                    items.append(value.qual)
                elif value is not None and value.kind == "tuple":
                    items.extend(value.items)
            return Value("tuple", items=tuple(items))
        if kind is ast.ListComp or kind is ast.SetComp or kind is ast.GeneratorExp:
            # ``[self.queue_class(name) for name in names]``: its items (the loop's own names are
            # not bound here, so only what the element makes without them is known).
            made = self.value_of(node.elt, scope)
            items = (
                [c for c in made.candidates() if c.kind == "instance"] if made is not None else []
            )
            if items:
                return Value(
                    "items",
                    items[0].qual,
                    alternatives=tuple(Value("items", c.qual) for c in items[1:]),
                )
            return UNKNOWN
        if kind is ast.BoolOp:
            # ``client or Client()``: either side may be the value (``a or b or c`` is read as
            # ``(a or b) or c``).
            value = self.value_of(node.values[0], scope)
            for side in node.values[1:]:
                value = _either([value, self.value_of(side, scope)])
            return value
        if kind is ast.IfExp:
            # ``a if cond else Client()``: either side may be the value.
            return _either([self.value_of(node.body, scope), self.value_of(node.orelse, scope)])
        return UNKNOWN

    def self_attributes(self, node: ast.ClassDef, info: ClassInfo, outer: Scope) -> None:
        """Bind in ``info`` what each method of the class ``node`` (in the scope ``outer``) sets
        on ``self``: ``self.client = Client()`` in one method makes ``self.client`` a client in
        every method."""
        for stmt in node.body:
            if not isinstance(stmt, FUNCTION) or not stmt.args.args:
                continue
            self_name = stmt.args.args[0].arg
            children = list(nested_statements(stmt.body))
            # The method's own names matter only to the ``self.x = ...`` after them.
            last = max((i for i, c in enumerate(children) if _sets_self(c, self_name)), default=-1)
            if last < 0:
                continue
            scope = self.function_scope(stmt, outer, info)
            for child in children[: last + 1]:
                if isinstance(child, ast.Assign):
                    targets, value = child.targets, child.value
                    resolved = self.value_of(value, scope)
                elif isinstance(child, ast.AnnAssign):
                    targets, value = [child.target], child.value
                    resolved = self.annotation(child.annotation, scope)
                    if resolved is None and value is not None:
                        resolved = self.value_of(value, scope)
                else:
                    continue
                pairs = []
                for target in targets:
                    if isinstance(target, (ast.Tuple, ast.List)):
                        pairs.extend(zip(target.elts, unpacked(target, resolved)))
                    else:
                        pairs.append((target, resolved))
                for target, value in pairs:
                    if isinstance(target, ast.Name):
                        scope.bind(target.id, value)
                    elif (
                        isinstance(target, ast.Attribute)
                        and isinstance(target.value, ast.Name)
                        and target.value.id == self_name
                        and value is not None
                    ):
                        info.bind_attr(target.attr, value)

    def function_scope(self, node, parent: Scope, cls: ClassInfo | None) -> Scope:
        """The scope of a function's (or a lambda's) body: what its parameters hold, from their
        annotations and defaults; the first of a method is the instance (the class, for a
        classmethod)."""
        scope = Scope("function", parent)
        kinds = {d.id for d in getattr(node, "decorator_list", ()) if isinstance(d, ast.Name)}
        for i, param in enumerate(parameters(node.args)):
            if (
                i == 0
                and cls is not None
                and "staticmethod" not in kinds
                and isinstance(node, FUNCTION)
            ):
                # ``cls`` of a classmethod is the class itself: ``cls.client`` is its class
                # attribute.
                first = (
                    Value("name", cls.qual) if "classmethod" in kinds else Value("self", cls.qual)
                )
                scope.bind(param.arg, first)
                if first.kind == "name":
                    scope.cls_param = first
                continue
            value = self.annotation(param.annotation, parent) if param.annotation else UNKNOWN
            if value is None:
                default = default_of(node.args, param)
                if default is not None:
                    default = self.value_of(default, parent)
                    value = (
                        default if default is not None and default.kind == "instance" else UNKNOWN
                    )
            scope.bind(param.arg, value)
        return scope

    def attribute(self, base: Value | None, attr: str) -> Value | None:
        if base is None:
            return UNKNOWN
        if base.alternatives:
            return _union([self._attribute(b, attr) for b in base.candidates()])
        return self._attribute(base, attr)

    def _attribute(self, base: Value, attr: str) -> Value | None:
        if base.kind == "name" and base.qual in self.classes:
            # ``Stickers.client``: a class attribute of a class of this module, as through ``self``.
            known = self.classes[base.qual].attrs.get(attr)
            if known is not None:
                return known
        if base.kind in ("module", "name"):
            return Value("name", f"{base.qual}.{attr}")
        if base.kind in ("instance", "self"):
            info = self.classes.get(base.qual)
            if info is not None:
                seen = set()
                while info is not None and info.qual not in seen:
                    seen.add(info.qual)
                    if attr in info.attrs:
                        return info.attrs[attr]
                    if attr in info.members or not info.bases:
                        return Value("name", f"{info.qual}.{attr}")
                    # A project class that derives from a client: inherited methods are the
                    # client's.
                    base_qual = info.bases[0]
                    if base_qual not in self.classes:
                        return Value("name", f"{base_qual}.{attr}")
                    info = self.classes[base_qual]
            return Value("name", f"{base.qual}.{attr}")
        return UNKNOWN

    def call_result(self, func: Value | None) -> Value | None:
        if func is not None and func.alternatives:
            return _union([self.call_result(f) for f in func.candidates() if f.kind == "name"])
        if func is None or func.kind != "name":
            return UNKNOWN
        qual = self.canonical(func.qual)
        made = self.types.get(qual)
        if made is not None:
            return Value("instance", made)
        return Value("instance", func.qual)

    def dotted_value(self, name: str, scope: Scope) -> Value | None:
        """What ``a.b.c`` (a dotted name written in a docstring) stands for here."""
        head, *rest = name.split(".")
        value = scope.lookup(head)
        for attr in rest:
            value = self.attribute(value, attr)
        return value

    def annotation(self, node: ast.AST | None, scope: Scope) -> Value | None:
        """The class an annotation promises: ``C``, ``Optional[C]``, ``C | None``, ``"C"``."""
        if node is None:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            if not isinstance(node.value, str) or self.source is None:
                return UNKNOWN
            if self.source.concatenated(node):  # ``"Optional" "[C]"``: not read
                return UNKNOWN
            try:
                inner = ast.parse(node.value, mode="eval").body
            except Exception:  # a string annotation that is not an expression names no class
                return UNKNOWN
            return self.annotation(inner, scope)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return _union(
                [self.annotation(side, scope) for side in (node.left, node.right)], drop_none=True
            )
        if isinstance(node, ast.Subscript):
            head = self.value_of(node.value, scope)
            name = self.canonical(head.qual) if head is not None and head.kind == "name" else ""
            head_name = name.rsplit(".", 1)[-1]
            elements = self._elements(node.slice)
            first = elements[0]
            if head_name in ("type", "Type") and not isinstance(first, ast.Slice):
                # ``worker_class: type[Worker]``: the class itself; calling it makes a Worker.
                item = self.annotation(_unstarred(first), scope)
                return (
                    Value("name", item.qual)
                    if item is not None and item.kind == "instance"
                    else UNKNOWN
                )
            if (
                head_name in ("Tuple", "tuple")
                and len(elements) > 1
                and not any(isinstance(e, ast.Constant) and e.value is Ellipsis for e in elements)
            ):
                # ``-> tuple[type[Redis], dict]``: what each element is (a class and its instances
                # share their methods' names, so both are the class), "" where unknown.
                parts = []
                for element in elements:
                    value = (
                        self.annotation(_unstarred(element), scope)
                        if not isinstance(element, ast.Slice)
                        else None
                    )
                    parts.append(
                        self.canonical(value.qual)
                        if value is not None and value.kind in ("instance", "name")
                        else ""
                    )
                return Value("fields", items=tuple(parts))
            if head_name in _CONTAINERS and not isinstance(first, ast.Slice):
                # ``List[Job]``, ``Iterator[Job]``: iterating it gives Jobs (``Dict[str, Job]``
                # gives keys).
                item = self.annotation(_unstarred(first), scope)
                return (
                    Value("items", item.qual)
                    if item is not None and item.kind == "instance"
                    else UNKNOWN
                )
            if head_name in ("Optional", "Union", "Annotated", "Final", "ClassVar"):
                # ``Union[type[Job], str]``: any of them; ``Annotated[C, ...]``: only the first.
                values = [_unstarred(e) for e in elements if not isinstance(e, ast.Slice)]
                if head_name in ("Annotated", "Final", "ClassVar"):
                    values = values[:1]
                return _union([self.annotation(e, scope) for e in values], drop_none=True)
            return UNKNOWN
        value = self.value_of(node, scope)
        if value is not None and value.kind == "name" and value.qual != "None":
            return Value("instance", value.qual)
        return UNKNOWN

    def _elements(self, index: ast.AST) -> list[ast.AST]:
        """The elements of a subscript: ``a[b, c]`` has two, ``a[(b, c)]`` one (a tuple)."""
        if (
            isinstance(index, ast.Tuple)
            and index.elts
            and (self.source is None or not self.source.parenthesized(index))
        ):
            return list(index.elts)
        return [index]


def _unstarred(node: ast.AST) -> ast.AST:
    """``Ts`` of ``*Ts`` in a subscript."""
    return node.value if isinstance(node, ast.Starred) else node


def _either(values: list[Value | None]) -> Value | None:
    """Either of two values: the instances, and what an attribute of something unknown
    (``worker.connection``) names, which may be an instance too."""
    return _union(
        [
            c
            for v in values
            if v is not None
            for c in v.candidates()
            if c.kind == "instance" or (c.kind == "name" and "." in c.qual)
        ]
    )


#: Annotations of what gives its first type parameter when iterated.
_CONTAINERS = frozenset(
    {
        "List",
        "list",
        "Set",
        "set",
        "FrozenSet",
        "frozenset",
        "Sequence",
        "MutableSequence",
        "Iterable",
        "Iterator",
        "Generator",
        "AsyncIterator",
        "AsyncIterable",
        "AsyncGenerator",
        "Collection",
        "Tuple",
        "tuple",
        "Deque",
        "deque",
        "AbstractSet",
        "MutableSet",
    }
)

#: The part of a name that stands for an item of what a function returns: ``Group.all.<item>``.
ITEM = "<item>"


def item_of(value: Value | None) -> Value | None:
    """What iterating ``value`` gives: the items of an annotated container, or of a call's
    result."""
    if value is None:
        return UNKNOWN
    items = []
    for one in value.candidates():
        if one.kind == "items":
            items.append(Value("instance", one.qual))
        elif one.kind == "instance":
            items.append(Value("instance", f"{one.qual}.{ITEM}"))
    return _union(items)


def _union(values, drop_none: bool = False) -> Value | None:
    """One value standing for all of ``values`` (the unknown ones dropped, the first one first)."""
    seen = []
    for value in values:
        for one in value.candidates() if value is not None else ():
            if drop_none and one.qual == "None":
                continue
            plain = Value(one.kind, one.qual, one.items)
            if plain not in seen:
                seen.append(plain)
    if not seen:
        return UNKNOWN
    first, *rest = seen
    return Value(first.kind, first.qual, first.items, tuple(rest))


def unpacked(target, value: Value | None) -> list[Value | None]:
    """What each name of ``a, b = <value>`` gets. ``cls, pool = parse_connection(c)``: element i of
    what the call returns (the project's facts tell what that is: ``contractlint.propagation``)."""
    made = [c for c in (value.candidates() if value is not None else ()) if c.kind == "instance"]
    starred = any(isinstance(e, ast.Starred) for e in target.elts)
    return [
        Value("name", f"{made[0].qual}.<{i}>")
        if made and not starred and isinstance(element, (ast.Name, ast.Attribute))
        else UNKNOWN
        for i, element in enumerate(target.elts)
    ]


def _sets_self(stmt: ast.stmt, self_name: str) -> bool:
    """Whether ``stmt`` assigns an attribute of ``self_name`` (``self.x = ...``, ``self.x: T``,
    ``self.a, self.b = ...``)."""
    if isinstance(stmt, ast.Assign):
        targets = stmt.targets
    elif isinstance(stmt, ast.AnnAssign):
        targets = [stmt.target]
    else:
        return False
    for target in targets:
        for one in target.elts if isinstance(target, (ast.Tuple, ast.List)) else (target,):
            if (
                isinstance(one, ast.Attribute)
                and isinstance(one.value, ast.Name)
                and one.value.id == self_name
            ):
                return True
    return False
