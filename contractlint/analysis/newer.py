"""Code newer than the running Python, read through libcst: its tree as CPython's ``ast``.

CPython's parser takes only the syntax of its own version; libcst's takes every version's. When
CPython refuses a file that libcst parses (a ``match`` statement on 3.9, ``except*`` before 3.11,
a ``type`` statement before 3.12, ``except A, B:`` before 3.14), libcst's tree is turned into the
tree CPython would build, node for node, so that one analysis reads both. Classes this Python
lacks are ``tree``'s stand-ins. The nodes are placed by libcst (in characters already), and a
tuple's parentheses and a string's parts, which ``ast`` leaves to the text, are noted on the node.
"""

from __future__ import annotations

import ast
from typing import TypeVar, cast

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from contractlint.analysis import tree as t
from contractlint.analysis.parsing import Parsed, parse_error, syntax_error
from contractlint.model import Finding


def parse_newer(source: str | bytes, text: str, path: str, err: SyntaxError) -> Parsed | Finding:
    """The tree of code CPython rejected with ``err``: libcst's, if libcst parses it, else the
    CL900 finding (worded by CPython)."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return syntax_error(path, err, exc)
    except (LookupError, SyntaxError, ValueError) as exc:
        return parse_error(path, f"cannot decode: {exc}")
    return Parsed(_Converter(module).module(), text, in_characters=True)


_LOAD, _STORE, _DEL = ast.Load(), ast.Store(), ast.Del()

_OPERATORS = {
    "Add": ast.Add,
    "Subtract": ast.Sub,
    "Multiply": ast.Mult,
    "Divide": ast.Div,
    "FloorDivide": ast.FloorDiv,
    "Modulo": ast.Mod,
    "Power": ast.Pow,
    "LeftShift": ast.LShift,
    "RightShift": ast.RShift,
    "BitOr": ast.BitOr,
    "BitAnd": ast.BitAnd,
    "BitXor": ast.BitXor,
    "MatrixMultiply": ast.MatMult,
}
_UNARY = {"Not": ast.Not, "BitInvert": ast.Invert, "Plus": ast.UAdd, "Minus": ast.USub}
_COMPARE = {
    "Equal": ast.Eq,
    "NotEqual": ast.NotEq,
    "LessThan": ast.Lt,
    "LessThanEqual": ast.LtE,
    "GreaterThan": ast.Gt,
    "GreaterThanEqual": ast.GtE,
    "Is": ast.Is,
    "IsNot": ast.IsNot,
    "In": ast.In,
    "NotIn": ast.NotIn,
}
_KEYWORDS = {"None": None, "True": True, "False": False}
_PLAIN = {"Pass": ast.Pass, "Break": ast.Break, "Continue": ast.Continue}
#: The nodes that have a place in the code.
_Made = TypeVar("_Made", bound="t.Located")


class _Converter:
    def __init__(self, module):
        self.root = module
        self.where = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

    def module(self) -> ast.Module:
        return ast.Module(body=self.block(self.root.body), type_ignores=[])

    def at(self, made: _Made, node) -> _Made:
        """``made`` placed where libcst places ``node``."""
        where = self.where[node]
        made.lineno, made.col_offset = where.start.line, where.start.column
        made.end_lineno, made.end_col_offset = where.end.line, where.end.column
        return made

    # -- statements ------------------------------------------------------------------------------
    def block(self, nodes) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for node in nodes:
            if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                out.extend(self.statement(small) for small in node.body)
            else:
                out.append(self.statement(node))
        return out

    def suite(self, suite) -> list[ast.stmt]:
        return self.block(suite.body)

    def statement(self, node) -> ast.stmt:
        kind = type(node).__name__
        plain = _PLAIN.get(kind)
        made = plain() if plain else getattr(self, f"s_{kind}")(node)
        if kind == "TypeAlias":  # libcst places it with the ``;`` after it (no other statement)
            value = node.value  # CPython ends it with its value, parentheses included
            return self._spanning(made, node, value.rpar[-1] if value.rpar else value)
        return self.at(made, node)

    def s_Expr(self, node):
        return ast.Expr(self.expr(node.value))

    def s_Assign(self, node):
        return ast.Assign(
            targets=[self.expr(t.target, _STORE) for t in node.targets],
            value=self.expr(node.value),
            type_comment=None,
        )

    def s_AnnAssign(self, node):
        simple = int(isinstance(node.target, cst.Name) and not node.target.lpar)
        return ast.AnnAssign(
            target=self.target(node.target),
            annotation=self.expr(node.annotation.annotation),
            value=self.optional(node.value),
            simple=simple,
        )

    def target(self, node) -> ast.Name | ast.Attribute | ast.Subscript:
        """The target of an annotated or augmented assignment, which libcst's grammar, as
        CPython's, keeps to a name, an attribute or a subscript."""
        return cast("ast.Name | ast.Attribute | ast.Subscript", self.expr(node, _STORE))

    def s_AugAssign(self, node):
        name = type(node.operator).__name__[: -len("Assign")]
        return ast.AugAssign(
            target=self.target(node.target),
            op=_OPERATORS[name](),
            value=self.expr(node.value),
        )

    def s_Return(self, node):
        return ast.Return(self.optional(node.value))

    def s_Raise(self, node):
        cause = node.cause.item if node.cause is not None else None
        return ast.Raise(exc=self.optional(node.exc), cause=self.optional(cause))

    def s_Assert(self, node):
        return ast.Assert(test=self.expr(node.test), msg=self.optional(node.msg))

    def s_Del(self, node):
        target = node.target
        if isinstance(target, cst.Tuple) and not target.lpar:
            return ast.Delete(targets=[self.expr(e.value, _DEL) for e in target.elements])
        return ast.Delete(targets=[self.expr(target, _DEL)])

    def s_Global(self, node):
        return ast.Global(names=[n.name.value for n in node.names])

    def s_Nonlocal(self, node):
        return ast.Nonlocal(names=[n.name.value for n in node.names])

    def s_Import(self, node):
        return ast.Import(names=[self.alias(a) for a in node.names])

    def s_ImportFrom(self, node):
        names = (
            [ast.alias(name="*", asname=None)]
            if isinstance(node.names, cst.ImportStar)
            else [self.alias(a) for a in node.names]
        )
        module = _dotted(node.module) if node.module is not None else None
        return ast.ImportFrom(module=module, names=names, level=len(node.relative))

    def alias(self, node) -> ast.alias:
        asname = node.asname.name.value if node.asname is not None else None
        return self.at(ast.alias(name=_dotted(node.name), asname=asname), node)

    def s_If(self, node):
        if isinstance(node.orelse, cst.If):
            orelse = [self.statement(node.orelse)]
        else:
            orelse = self.suite(node.orelse.body) if node.orelse is not None else []
        return ast.If(test=self.expr(node.test), body=self.suite(node.body), orelse=orelse)

    def s_For(self, node):
        kind = ast.AsyncFor if node.asynchronous is not None else ast.For
        return kind(
            target=self.expr(node.target, _STORE),
            iter=self.expr(node.iter),
            body=self.suite(node.body),
            orelse=self.suite(node.orelse.body) if node.orelse is not None else [],
            type_comment=None,
        )

    def s_While(self, node):
        return ast.While(
            test=self.expr(node.test),
            body=self.suite(node.body),
            orelse=self.suite(node.orelse.body) if node.orelse is not None else [],
        )

    def s_With(self, node):
        kind = ast.AsyncWith if node.asynchronous is not None else ast.With
        items = [
            ast.withitem(
                context_expr=self.expr(i.item),
                optional_vars=self.expr(i.asname.name, _STORE) if i.asname is not None else None,
            )
            for i in node.items
        ]
        return kind(items=items, body=self.suite(node.body), type_comment=None)

    def s_Try(self, node, kind=ast.Try):
        return kind(
            body=self.suite(node.body),
            handlers=[self.handler(h) for h in node.handlers],
            orelse=self.suite(node.orelse.body) if node.orelse is not None else [],
            finalbody=self.suite(node.finalbody.body) if node.finalbody is not None else [],
        )

    def s_TryStar(self, node):
        return self.s_Try(node, t.TryStar)

    def handler(self, node) -> ast.ExceptHandler:
        name = node.name.name.value if node.name is not None else None
        made = ast.ExceptHandler(
            type=self.optional(node.type), name=name, body=self.suite(node.body)
        )
        return self.at(made, node)

    def s_FunctionDef(self, node):
        kind = ast.AsyncFunctionDef if node.asynchronous is not None else ast.FunctionDef
        return t.made(
            kind,
            name=node.name.value,
            args=self.parameters(node.params),
            body=self.suite(node.body),
            decorator_list=[self.expr(d.decorator) for d in node.decorators],
            returns=self.expr(node.returns.annotation) if node.returns is not None else None,
            type_comment=None,
            type_params=self.type_params(node.type_parameters),
        )

    def s_ClassDef(self, node):
        return t.made(
            ast.ClassDef,
            name=node.name.value,
            bases=[self.positional(a) for a in node.bases],
            keywords=[self.keyword(a) for a in node.keywords],
            body=self.suite(node.body),
            decorator_list=[self.expr(d.decorator) for d in node.decorators],
            type_params=self.type_params(node.type_parameters),
        )

    def s_TypeAlias(self, node):
        return t.TypeAlias(
            name=self.expr(node.name, _STORE),
            type_params=self.type_params(node.type_parameters),
            value=self.expr(node.value),
        )

    def s_Match(self, node):
        cases = [
            t.match_case(
                pattern=self.pattern(c.pattern),
                guard=self.optional(c.guard),
                body=self.suite(c.body),
            )
            for c in node.cases
        ]
        return t.Match(subject=self.expr(node.subject), cases=cases)

    def type_params(self, node) -> list:
        if node is None:
            return []
        out = []
        for param in node.params:
            inner = param.param
            kind = type(inner).__name__
            default = self.optional(param.default)
            if kind == "TypeVar":
                made = t.TypeVar(
                    name=inner.name.value, bound=self.optional(inner.bound), default_value=default
                )
            elif kind == "TypeVarTuple":
                made = t.TypeVarTuple(name=inner.name.value, default_value=default)
            else:
                made = t.ParamSpec(name=inner.name.value, default_value=default)
            out.append(self.at(made, param))
        return out

    def parameters(self, node) -> ast.arguments:
        def arg(param) -> ast.arg:
            annotation = param.annotation.annotation if param.annotation is not None else None
            made = ast.arg(arg=param.name.value, annotation=self.optional(annotation))
            made.type_comment = None
            return self.at(made, param)

        positional = [*node.posonly_params, *node.params]
        return ast.arguments(
            posonlyargs=[arg(p) for p in node.posonly_params],
            args=[arg(p) for p in node.params],
            vararg=arg(node.star_arg) if isinstance(node.star_arg, cst.Param) else None,
            kwonlyargs=[arg(p) for p in node.kwonly_params],
            kw_defaults=[self.optional(p.default) for p in node.kwonly_params],
            kwarg=arg(node.star_kwarg) if node.star_kwarg is not None else None,
            defaults=[self.expr(p.default) for p in positional if p.default is not None],
        )

    # -- patterns --------------------------------------------------------------------------------
    def pattern(self, node) -> ast.AST:
        kind = type(node).__name__
        if kind == "MatchValue":
            made = t.MatchValue(value=self.expr(node.value))
        elif kind == "MatchSingleton":
            made = t.MatchSingleton(value=_KEYWORDS[node.value.value])
        elif kind in ("MatchList", "MatchTuple"):
            made = t.MatchSequence(patterns=[self.element(p) for p in node.patterns])
        elif kind == "MatchMapping":
            made = t.MatchMapping(
                keys=[self.expr(e.key) for e in node.elements],
                patterns=[self.pattern(e.pattern) for e in node.elements],
                rest=node.rest.value if node.rest is not None else None,
            )
        elif kind == "MatchClass":
            made = t.MatchClass(
                cls=self.expr(node.cls),
                patterns=[self.element(p) for p in node.patterns],
                kwd_attrs=[k.key.value for k in node.kwds],
                kwd_patterns=[self.pattern(k.pattern) for k in node.kwds],
            )
        elif kind == "MatchAs":
            made = t.MatchAs(
                pattern=self.pattern(node.pattern) if node.pattern is not None else None,
                name=node.name.value if node.name is not None else None,
            )
        elif kind == "MatchOr":
            made = t.MatchOr(patterns=[self.pattern(p.pattern) for p in node.patterns])
        else:  # MatchStar
            made = t.MatchStar(name=node.name.value if node.name is not None else None)
        return self.at(made, node)

    def element(self, node) -> ast.AST:
        if type(node).__name__ == "MatchStar":
            return self.pattern(node)
        return self.pattern(node.value)

    # -- expressions -----------------------------------------------------------------------------
    def optional(self, node, ctx=_LOAD) -> ast.expr | None:
        return self.expr(node, ctx) if node is not None else None

    def expr(self, node, ctx=_LOAD) -> ast.expr:
        return self.at(getattr(self, f"e_{type(node).__name__}")(node, ctx), node)

    def e_Name(self, node, ctx):
        if node.value in _KEYWORDS:
            return ast.Constant(value=_KEYWORDS[node.value], kind=None)
        return ast.Name(id=node.value, ctx=ctx)

    def e_Attribute(self, node, ctx):
        return ast.Attribute(value=self.expr(node.value), attr=node.attr.value, ctx=ctx)

    def e_Subscript(self, node, ctx):
        parts = [self.subscript(e.slice) for e in node.slice]
        if len(parts) == 1 and not (
            isinstance(node.slice[0].slice, cst.Index) and node.slice[0].slice.star
        ):
            index = parts[0]
        else:
            first, last = node.slice[0], node.slice[-1]
            index = _noted(self._spanning(ast.Tuple(elts=parts, ctx=_LOAD), first, last), False)
        return ast.Subscript(value=self.expr(node.value), slice=index, ctx=ctx)

    def _spanning(self, made: _Made, first, last) -> _Made:
        start, end = self.where[first], self.where[last]
        made.lineno, made.col_offset = start.start.line, start.start.column
        made.end_lineno, made.end_col_offset = end.end.line, end.end.column
        return made

    def subscript(self, node) -> ast.expr:
        if type(node).__name__ == "Slice":
            bounds = (self.optional(part) for part in (node.lower, node.upper, node.step))
            return self.at(ast.Slice(*bounds), node)
        if node.star:
            return self.at(ast.Starred(value=self.expr(node.value), ctx=_LOAD), node)
        return self.expr(node.value)

    def e_Call(self, node, ctx):
        args, keywords = [], []
        for arg in node.args:
            if arg.keyword is not None or arg.star == "**":
                keywords.append(self.keyword(arg))
            else:
                args.append(self.positional(arg))
        return ast.Call(func=self.expr(node.func), args=args, keywords=keywords)

    def positional(self, arg) -> ast.expr:
        if arg.star == "*":
            return self.at(ast.Starred(value=self.expr(arg.value), ctx=_LOAD), arg)
        return self.expr(arg.value)

    def keyword(self, arg) -> ast.keyword:
        name = arg.keyword.value if arg.keyword is not None else None
        return self.at(ast.keyword(arg=name, value=self.expr(arg.value)), arg)

    def e_Await(self, node, ctx):
        return ast.Await(value=self.expr(node.expression))

    def e_Yield(self, node, ctx):
        if isinstance(node.value, cst.From):
            return ast.YieldFrom(value=self.expr(node.value.item))
        return ast.Yield(value=self.optional(node.value))

    def e_NamedExpr(self, node, ctx):
        target = cast(ast.Name, self.expr(node.target, _STORE))  # libcst's NamedExpr takes a Name
        return ast.NamedExpr(target=target, value=self.expr(node.value))

    def e_BinaryOperation(self, node, ctx):
        op = _OPERATORS[type(node.operator).__name__]()
        return ast.BinOp(left=self.expr(node.left), op=op, right=self.expr(node.right))

    def e_UnaryOperation(self, node, ctx):
        op = _UNARY[type(node.operator).__name__]()
        return ast.UnaryOp(op=op, operand=self.expr(node.expression))

    def e_BooleanOperation(self, node, ctx):
        kind = type(node.operator)
        values = [self.expr(node.right)]
        left = node.left
        # ``a or b or c`` is one operation of three values; ``(a or b) or c`` two.
        while (
            isinstance(left, cst.BooleanOperation) and type(left.operator) is kind and not left.lpar
        ):
            values.append(self.expr(left.right))
            left = left.left
        values.append(self.expr(left))
        op = ast.And() if kind.__name__ == "And" else ast.Or()
        return ast.BoolOp(op=op, values=values[::-1])

    def e_Comparison(self, node, ctx):
        return ast.Compare(
            left=self.expr(node.left),
            ops=[_COMPARE[type(c.operator).__name__]() for c in node.comparisons],
            comparators=[self.expr(c.comparator) for c in node.comparisons],
        )

    def e_IfExp(self, node, ctx):
        return ast.IfExp(
            test=self.expr(node.test), body=self.expr(node.body), orelse=self.expr(node.orelse)
        )

    def e_Lambda(self, node, ctx):
        return ast.Lambda(args=self.parameters(node.params), body=self.expr(node.body))

    def _elements(self, node, ctx) -> list[ast.expr]:
        out: list[ast.expr] = []
        for element in node.elements:
            if type(element).__name__ == "StarredElement":
                out.append(
                    self.at(ast.Starred(value=self.expr(element.value, ctx), ctx=ctx), element)
                )
            else:
                out.append(self.expr(element.value, ctx))
        return out

    def e_Tuple(self, node, ctx):
        return _noted(ast.Tuple(elts=self._elements(node, ctx), ctx=ctx), bool(node.lpar))

    def e_List(self, node, ctx):
        return ast.List(elts=self._elements(node, ctx), ctx=ctx)

    def e_Set(self, node, ctx):
        return ast.Set(elts=self._elements(node, _LOAD))

    def e_StarredElement(self, node, ctx):
        return ast.Starred(value=self.expr(node.value, ctx), ctx=ctx)

    def e_Dict(self, node, ctx):
        keys: list[ast.expr | None] = []
        values: list[ast.expr] = []
        for element in node.elements:
            if type(element).__name__ == "StarredDictElement":
                keys.append(None)
            else:
                keys.append(self.expr(element.key))
            values.append(self.expr(element.value))
        return ast.Dict(keys=keys, values=values)

    def generators(self, node) -> list[ast.comprehension]:
        out = []
        while node is not None:
            out.append(
                ast.comprehension(
                    target=self.expr(node.target, _STORE),
                    iter=self.expr(node.iter),
                    ifs=[self.expr(i.test) for i in node.ifs],
                    is_async=int(node.asynchronous is not None),
                )
            )
            node = node.inner_for_in
        return out

    def e_ListComp(self, node, ctx):
        return ast.ListComp(elt=self.expr(node.elt), generators=self.generators(node.for_in))

    def e_SetComp(self, node, ctx):
        return ast.SetComp(elt=self.expr(node.elt), generators=self.generators(node.for_in))

    def e_GeneratorExp(self, node, ctx):
        return ast.GeneratorExp(elt=self.expr(node.elt), generators=self.generators(node.for_in))

    def e_DictComp(self, node, ctx):
        return ast.DictComp(
            key=self.expr(node.key),
            value=self.expr(node.value),
            generators=self.generators(node.for_in),
        )

    def _constant(self, value) -> ast.Constant:
        return ast.Constant(value=value, kind=None)

    def e_Integer(self, node, ctx):
        return self._constant(node.evaluated_value)

    e_Float = e_Imaginary = e_SimpleString = e_Integer

    def e_Ellipsis(self, node, ctx):
        return self._constant(Ellipsis)

    def e_ConcatenatedString(self, node, ctx):
        parts = self._string_parts(node)
        if all(isinstance(p, ast.Constant) for p in parts) and not any(
            type(s).__name__ == "FormattedString" for s in _strings(node)
        ):
            return _noted(self._constant(node.evaluated_value), concatenated=True)
        return ast.JoinedStr(values=parts)

    def _string_parts(self, node) -> list[ast.expr]:
        out: list[ast.expr] = []
        for string in _strings(node):
            if type(string).__name__ == "FormattedString":
                out.extend(self._formatted_parts(string.parts))
            else:
                out.append(self._constant(string.evaluated_value))
        return out

    def _formatted_parts(self, parts) -> list[ast.expr]:
        out: list[ast.expr] = []
        for part in parts:
            if type(part).__name__ in ("FormattedStringText", "TemplatedStringText"):
                out.append(self._constant(part.value))
                continue
            spec = part.format_spec
            made = ast.FormattedValue(
                value=self.expr(part.expression),
                conversion=ord(part.conversion) if part.conversion else -1,
                format_spec=ast.JoinedStr(values=self._formatted_parts(spec)) if spec else None,
            )
            out.append(self.at(made, part))
        return out

    def e_FormattedString(self, node, ctx):
        return ast.JoinedStr(values=self._formatted_parts(node.parts))

    def e_TemplatedString(self, node, ctx):
        return t.TemplateStr(values=self._formatted_parts(node.parts))


def _noted(made: _Made, parenthesized: bool | None = None, concatenated: bool = False) -> _Made:
    """``made`` with what ``ast`` leaves to the text noted on it, for ``Positions``: whether a
    tuple is in parentheses, whether a constant string is made of several."""
    if parenthesized is not None:
        made.parenthesized = parenthesized  # type: ignore[union-attr]  # a note of ours
    if concatenated:
        made.concatenated = True  # type: ignore[union-attr]  # a note of ours
    return made


def _strings(node):
    """The literals of an implicit concatenation, in order."""
    if type(node).__name__ == "ConcatenatedString":
        yield from _strings(node.left)
        yield from _strings(node.right)
    else:
        yield node


def _dotted(node) -> str:
    parts = []
    while type(node).__name__ == "Attribute":
        parts.append(node.attr.value)
        node = node.value
    parts.append(node.value)
    return ".".join(reversed(parts))
