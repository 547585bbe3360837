"""CPython's ``ast`` as the analysis reads it: node kinds by role, and each node's children.

The children come in the order of libcst's fields, which the findings, calls and facts follow
(the rules were first written on libcst's tree) and the fixes rely on to find a call in libcst's
tree again: source order, block by block (a ``try``'s body, its handlers, its ``else``, its
``finally``), but for an ``except`` clause's body before the error it names, a ``case``'s body
before its guard, a ``type`` statement's value before its type parameters, a class's body before
its bases, and each parameter with its default (positional-only ones last). Keyword arguments and
dictionary keys sit where they are written (``ast`` lists them apart).

Node classes that the running Python lacks (``match`` before 3.10, ``except*`` before 3.11,
``type`` statements before 3.12) are stand-ins, so that a tree built for newer code
(``contractlint.analysis.newer``) is read with the same code.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Callable, Union


def _class(name: str, base: type, fields: tuple[str, ...]) -> Any:
    """The ``ast`` class ``name``, or a stand-in with its fields where this Python lacks it (``Any``
    to the type checker, which knows the classes of one Python only)."""
    found = getattr(ast, name, None)
    if found is not None:
        return found
    return type(name, (base,), {"_fields": fields, "__module__": __name__})


def made(kind: type[ast.AST], **fields) -> ast.AST:
    """A node of ``kind``; a field this Python's class lacks (``type_params`` before 3.12) is set
    as an attribute."""
    made = kind(**{k: v for k, v in fields.items() if k in kind._fields})
    for name, value in fields.items():
        if name not in kind._fields:
            setattr(made, name, value)
    return made


if TYPE_CHECKING:
    from typing import TypeGuard

    #: A node with a place in the code: ``lineno``, ``col_offset``, ``end_lineno``,
    #: ``end_col_offset``.
    Located = Union[
        ast.stmt, ast.expr, ast.excepthandler, ast.arg, ast.keyword, ast.alias, ast.pattern
    ]

_pattern = getattr(ast, "pattern", ast.AST)
_type_param = getattr(ast, "type_param", ast.AST)

Match = _class("Match", ast.stmt, ("subject", "cases"))
match_case = _class("match_case", ast.AST, ("pattern", "guard", "body"))
MatchValue = _class("MatchValue", _pattern, ("value",))
MatchSingleton = _class("MatchSingleton", _pattern, ("value",))
MatchSequence = _class("MatchSequence", _pattern, ("patterns",))
MatchMapping = _class("MatchMapping", _pattern, ("keys", "patterns", "rest"))
MatchClass = _class("MatchClass", _pattern, ("cls", "patterns", "kwd_attrs", "kwd_patterns"))
MatchStar = _class("MatchStar", _pattern, ("name",))
MatchAs = _class("MatchAs", _pattern, ("pattern", "name"))
MatchOr = _class("MatchOr", _pattern, ("patterns",))
TryStar = _class("TryStar", ast.stmt, ("body", "handlers", "orelse", "finalbody"))
TypeAlias = _class("TypeAlias", ast.stmt, ("name", "type_params", "value"))
TypeVar = _class("TypeVar", _type_param, ("name", "bound", "default_value"))
ParamSpec = _class("ParamSpec", _type_param, ("name", "default_value"))
TypeVarTuple = _class("TypeVarTuple", _type_param, ("name", "default_value"))
TemplateStr = _class("TemplateStr", ast.expr, ("values",))
Interpolation = _class("Interpolation", ast.expr, ("value", "str", "conversion", "format_spec"))

FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)
#: Code that runs later, if at all: its statements are not the enclosing block's.
BOUNDARY = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
FOR = (ast.For, ast.AsyncFor)
LOOP = (ast.For, ast.AsyncFor, ast.While)
WITH = (ast.With, ast.AsyncWith)
TRY = (ast.Try, TryStar)
COMPOUND = (ast.If, *LOOP, *WITH, *TRY, Match, *FUNCTION, ast.ClassDef)
#: Statements that hold their expressions on their own line(s): a ``try`` can go around them.
SMALL = (
    ast.Assign,
    ast.AnnAssign,
    ast.AugAssign,
    ast.Expr,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Delete,
)
#: Comprehensions: their code runs once per item, in a scope of its own.
COMPREHENSION = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
#: Operators and contexts: shared singletons, never code.
_NOT_CODE = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def is_located(node: ast.AST) -> TypeGuard[Located]:
    """Whether ``node`` has a place in the code (operators and contexts have none)."""
    return hasattr(node, "end_lineno")


def _call_children(node: ast.Call) -> list[ast.AST]:
    return [node.func, *arguments(node)]


def arguments(node: ast.Call) -> list[ast.expr | ast.keyword]:
    """A call's positional (``*x`` as a ``Starred``) and keyword arguments, as written."""
    args, keywords = node.args, node.keywords
    if not keywords:
        return list(args)
    if not args or _before(args[-1], keywords[0]):
        return [*args, *keywords]
    return sorted([*args, *keywords], key=lambda a: (a.lineno, a.col_offset))


def argument_values(node: ast.Call) -> list[ast.expr]:
    """What each argument passes: ``x`` of ``*x``, ``**x`` and ``key=x``."""
    return [a.value if isinstance(a, (ast.Starred, ast.keyword)) else a for a in arguments(node)]


def _before(a: Located, b: Located) -> bool:
    return (a.lineno, a.col_offset) < (b.lineno, b.col_offset)


def _dict_children(node: ast.Dict) -> list[ast.AST]:
    out: list[ast.AST] = []
    for key, value in zip(node.keys, node.values):
        if key is not None:
            out.append(key)
        out.append(value)
    return out


def _mapping_children(node) -> list[ast.AST]:
    out: list[ast.AST] = []
    for key, pattern in zip(node.keys, node.patterns):
        out.extend((key, pattern))
    return out


def _handler_children(node: ast.ExceptHandler) -> list[ast.AST]:
    return [*node.body, node.type] if node.type is not None else list(node.body)


def _case_children(node) -> list[ast.AST]:
    out: list[ast.AST] = [node.pattern, *node.body]
    if node.guard is not None:
        out.append(node.guard)
    return out


def _alias_children(node) -> list[ast.AST]:
    return [n for n in (node.name, node.value, *node.type_params) if n is not None]


def _class_children(node: ast.ClassDef) -> list[ast.AST]:
    return [
        *node.body,
        *node.bases,
        *node.keywords,
        *node.decorator_list,
        *getattr(node, "type_params", ()),
    ]


def _arguments_children(node: ast.arguments) -> list[ast.AST]:
    """Each parameter and then its default: ordinary, ``*args``, keyword-only, ``**kwargs``,
    then positional-only parameters."""
    positional = [*node.posonlyargs, *node.args]
    pairs = dict.fromkeys(map(id, positional))
    for param, default in zip(positional[len(positional) - len(node.defaults) :], node.defaults):
        pairs[id(param)] = default
    for keyword_only, given in zip(node.kwonlyargs, node.kw_defaults):
        pairs[id(keyword_only)] = given
    out: list[ast.AST] = []
    for each in [*node.args, node.vararg, *node.kwonlyargs, node.kwarg, *node.posonlyargs]:
        if each is not None:
            out.append(each)
            value = pairs.get(id(each))
            if value is not None:
                out.append(value)
    return out


_SPECIAL: dict[type, Callable[[Any], list[ast.AST]]] = {
    ast.Call: _call_children,
    ast.Dict: _dict_children,
    MatchMapping: _mapping_children,
    ast.ExceptHandler: _handler_children,
    match_case: _case_children,
    TypeAlias: _alias_children,
    ast.ClassDef: _class_children,
    ast.arguments: _arguments_children,
}
_FIELDS: dict[type, tuple[str, ...]] = {}
#: Fields that hold no node of code: contexts and operators, and names, numbers and flags.
_PLAIN = frozenset(
    ("ctx", "op", "ops", "type_comment", "kind", "id", "attr", "arg", "asname", "name", "module")
    + ("level", "conversion", "simple", "is_async", "rest", "kwd_attrs", "tag")
)
#: Fields that hold no node in some kinds only (``names`` of ``import`` statements hold nodes).
_PLAIN_OF = {
    ast.Constant: ("value",),
    MatchSingleton: ("value",),
    ast.Global: ("names",),
    ast.Nonlocal: ("names",),
}


def children(node: ast.AST) -> list[ast.AST]:
    """The nodes directly below ``node``, in the order described above."""
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        special = _SPECIAL.get(kind)
        if special is not None:
            return special(node)
        plain = _PLAIN_OF.get(kind, ())
        fields = tuple(f for f in kind._fields if f not in _PLAIN and f not in plain)
        if kind in (ast.FunctionDef, ast.AsyncFunctionDef) and "type_params" not in fields:
            fields += ("type_params",)  # set by ``newer`` where this Python's class lacks it
        _FIELDS[kind] = fields
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            out.extend(v for v in value if isinstance(v, ast.AST) and not isinstance(v, _NOT_CODE))
        elif isinstance(value, ast.AST) and not isinstance(value, _NOT_CODE):
            out.append(value)
    return out


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node``, not entering nested functions, lambdas or classes (depth first,
    the last child first). A ``node`` that is itself one is not entered either: a ``raise`` or an
    assignment in a ``def``'s body does not run where the ``def`` stands."""
    if isinstance(node, BOUNDARY):
        return
    stack = children(node)
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, BOUNDARY):
            stack.extend(children(current))


def blocks_of(stmt: ast.AST) -> Iterator[Sequence[ast.stmt]]:
    """The nested statement blocks of a compound statement, in source order (an ``elif`` is the
    one-statement ``else`` block it stands for)."""
    if isinstance(stmt, (ast.If, *LOOP)):
        yield stmt.body
        if stmt.orelse:
            yield stmt.orelse
    elif isinstance(stmt, WITH):
        yield stmt.body
    elif isinstance(stmt, TRY):
        yield stmt.body
        for handler in stmt.handlers:
            yield handler.body
        if stmt.orelse:
            yield stmt.orelse
        if stmt.finalbody:
            yield stmt.finalbody
    elif isinstance(stmt, Match):
        for case in stmt.cases:
            yield case.body


def parameters(args: ast.arguments) -> list[ast.arg]:
    """Every parameter: positional-only, ordinary, keyword-only, then ``*args`` and ``**kwargs``."""
    out = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg is not None:
        out.append(args.vararg)
    if args.kwarg is not None:
        out.append(args.kwarg)
    return out


def defaults(args: ast.arguments) -> list[ast.expr]:
    """The default values, in source order."""
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def is_keyword_constant(node: ast.AST) -> bool:
    """``None``, ``True`` or ``False``: names in the concrete tree, constants here."""
    return isinstance(node, ast.Constant) and (
        node.value is None or node.value is True or node.value is False
    )


def decorated_start(node: ast.stmt) -> int:
    """The first line of a statement, its decorators included."""
    decorators = getattr(node, "decorator_list", None)
    return min(node.lineno, *(d.lineno for d in decorators)) if decorators else node.lineno


def default_of(args: ast.arguments, param: ast.arg) -> ast.expr | None:
    """The default value of one parameter, if it has one."""
    positional = [*args.posonlyargs, *args.args]
    if param in positional:
        i = positional.index(param) - (len(positional) - len(args.defaults))
        return args.defaults[i] if i >= 0 else None
    if param in args.kwonlyargs:
        return args.kw_defaults[args.kwonlyargs.index(param)]
    return None


def nested_statements(stmts: Sequence[ast.stmt]):
    """The statements of a block and of the blocks nested in it (not in nested functions)."""
    for stmt in stmts:
        yield stmt
        for block in blocks_of(stmt):
            yield from nested_statements(block)


def within(node: ast.AST, lines: list[int]) -> bool:
    """Whether one of ``lines`` (in order) is within ``node``'s (a node without lines, a case of
    a ``match``, may hold any): a walk that looks for those lines goes into no other node."""
    first = getattr(node, "lineno", None)
    if first is None:
        return True
    at = bisect.bisect_left(lines, first)
    return at < len(lines) and lines[at] <= (getattr(node, "end_lineno", None) or first)
