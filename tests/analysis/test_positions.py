"""The places the analysis gives nodes (CPython's tree, columns in characters) must be libcst's."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from contractlint.analysis.parsing import Parsed, parse
from contractlint.analysis.positions import Positions

ROOT = Path(__file__).resolve().parents[2]
# CPython's kinds and libcst's: the nodes findings and facts are placed on.
KINDS = {
    ast.Call: cst.Call,
    ast.Attribute: cst.Attribute,
    ast.Compare: cst.Comparison,
    ast.Try: cst.Try,
    ast.ExceptHandler: (cst.ExceptHandler, cst.ExceptStarHandler),
    ast.With: cst.With,
    ast.AsyncWith: cst.With,
}

TRICKY = {
    "crlf": "import x\r\ntry:\r\n    a = x.f(\r\n        1)\r\nexcept E:\r\n    pass\r\n",
    "lone-cr": "import x\rtry:\r    x.f()\rexcept E:\r    pass\r",
    "tabs": "def f():\n\ttry:\n\t\treturn (x.f())\n\texcept (A, B):\n\t\treturn 1\n",
    "form-feed": "x.f()\n\x0c\ndef g():\n    \x0c  return x.g(1)\n",
    "unicode": "s = 'héllo wörld ☃'; t = x.f(s, '☃☃')\nπ = x.g(π=1).é\n",
    "parens": "y = ((x.f)(1)\n     .g())\nz = (a in\n     b)\n",
    "strings": 's = """\nline\n""" + x.f()\nz = f"{x.g(1)!r:>{w}}"\n',
    "f-strings": (
        'a = f"é {x.f(1)} {x.g(2)!r:>{x.h(3)}}"\n'
        'b = (f"{x.i()}"\n     "text" f"{x.j(1)}")\n'
        'c = f"""\n  {x.k(\n   1)} é {x.l()}\n"""\n'
        'd = f"{ x.m() = }" + rf"\\{x.n()}"\n'
        "e = f'{x.o({\"k\": 1})}' f'{f\"{x.p()}\"}'\n"
    ),
    "decorated": "@d(x.f())\nclass C:\n    @staticmethod\n    def m(a=x.g()):\n"
    "        with x.h() as y, x.i():\n            pass\n",
    "async": "async def f():\n    async with x.f() as y:\n        await x.g()\n",
    "star": "try:\n    x.f()\nexcept* (A, B) as e:\n    x.g()\nfinally:\n    x.h()\n",
    "continuation": "v = x.f(1, \\\n      2)\n",
}


def sources():
    yield from TRICKY.items()
    for path in sorted((ROOT / "examples").rglob("*.py")) + sorted(
        (ROOT / "contractlint").rglob("*.py")
    ):
        yield str(path.relative_to(ROOT)), path.read_text()


def _inside_fstrings(tree: ast.AST, positions: Positions) -> None:
    """What the collector notes as it walks: the nodes inside f-strings, for ``Positions``."""
    stack = [(tree, None)]
    while stack:
        node, fstring = stack.pop()
        if fstring is not None:
            positions.fstrings[id(node)] = fstring
        if isinstance(node, ast.JoinedStr) and fstring is None:
            fstring = node
        stack.extend((child, fstring) for child in ast.iter_child_nodes(node))


def _imported(module: cst.Module) -> set[int]:
    """libcst's nodes inside ``import`` statements (``a.b`` of ``import a.b`` is an attribute)."""
    out: set[int] = set()

    class Imports(cst.CSTVisitor):
        def visit_Import(self, node) -> bool:
            out.update(id(n) for n in _below(node))
            return False

        visit_ImportFrom = visit_Import

    module.visit(Imports())
    return out


def _below(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _below(child)


def _is(node, kind, theirs) -> bool:
    if not isinstance(node, theirs):
        return False
    if kind in (ast.With, ast.AsyncWith):
        return (node.asynchronous is not None) == (kind is ast.AsyncWith)
    return True


@pytest.mark.parametrize("name,source", list(sources()), ids=[n for n, _ in sources()])
def test_positions_match_libcst(name, source):
    if name == "star" and not hasattr(ast, "TryStar"):
        pytest.skip("except* is Python 3.11's")
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    imported = _imported(module)
    parsed = parse(source, name)
    assert isinstance(parsed, Parsed)
    positions = Positions(parsed.text)
    _inside_fstrings(parsed.tree, positions)
    for kind, theirs in KINDS.items():
        want = sorted(
            (p.start.line, p.start.column + 1, p.end.line, p.end.column + 1)
            for node, p in expected.items()
            if _is(node, kind, theirs) and id(node) not in imported
        )
        mine = sorted(
            tuple(positions.span(node)) for node in ast.walk(parsed.tree) if type(node) is kind
        )
        if kind in (ast.Try, ast.ExceptHandler, ast.With, ast.AsyncWith):  # their lines
            want, mine = [w[:2] for w in want], [m[:2] for m in mine]
        assert mine == want, (name, kind.__name__)


def test_a_call_in_an_f_string_is_found_where_it_is():
    """Before 3.12 CPython misplaces the nodes of an f-string's later lines; the finding's span,
    its recommended handling and its fix find the call where it is."""
    from contractlint.analysis import ContractIndex, analyse_source
    from contractlint.contracts import load_contracts

    source = (
        "import requests\n"
        "def f(u):\n"
        '    log(f"""fetched\n'
        "  é {requests.get(\n"
        "        u).status_code} {requests.post(u)!r:>{requests.head(u)}}\n"
        '""")\n'
    )
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    calls = sorted(
        (p.start.line, p.start.column + 1, p.end.line, p.end.column + 1)
        for node, p in expected.items()
        if isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("get", "post", "head")
    )
    result = analyse_source(source, "m.py", ContractIndex(load_contracts(["requests"])))
    assert sorted(tuple(f.span) for f in result.findings) == calls
    assert all("requests" in f.suggestion for f in result.findings)
