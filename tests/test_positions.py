"""Our one-pass positions must equal libcst's PositionProvider for every node kind we report on."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from contractlint.analysis.positions import positions

ROOT = Path(__file__).resolve().parent.parent
KINDS = (
    cst.Call,
    cst.Attribute,
    cst.Name,
    cst.Try,
    cst.TryStar,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.With,
)

TRICKY = {
    "crlf": "import x\r\ntry:\r\n    a = x.f(\r\n        1)\r\nexcept E:\r\n    pass\r\n",
    "lone-cr": "import x\rtry:\r    x.f()\rexcept E:\r    pass\r",
    "tabs": "def f():\n\ttry:\n\t\treturn (x.f())\n\texcept (A, B):\n\t\treturn 1\n",
    "unicode": "s = 'héllo wörld ☃'; t = x.f(s, '☃☃')\n",
    "parens": "y = ((x.f)(1)\n     .g())\n",
    "strings": 's = """\nline\n""" + x.f()\nz = f"{x.g(1)!r:>{w}}"\n',
    "decorated": "@d(x.f())\nclass C:\n    @staticmethod\n    def m(a=x.g()):\n        with x.h() as y, x.i():\n            pass\n",
    "star": "try:\n    x.f()\nexcept* (A, B) as e:\n    x.g()\nfinally:\n    x.h()\n",
    "continuation": "v = x.f(1, \\\n      2)\n",
}


def sources():
    for name, text in TRICKY.items():
        yield name, text
    for path in sorted((ROOT / "examples").rglob("*.py")) + sorted(
        (ROOT / "contractlint").rglob("*.py")
    ):
        text = path.read_text()
        if "(" in text:
            yield str(path.relative_to(ROOT)), text


@pytest.mark.parametrize("name,source", list(sources()), ids=[n for n, _ in sources()])
def test_positions_match_libcst(name, source):
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [node for node in expected if isinstance(node, KINDS)]
    assert nodes, "the sample holds nodes of the kinds we report on"
    ours = positions(module, nodes)
    for node in nodes:
        want = expected[node]
        assert ours[id(node)] == (
            (want.start.line, want.start.column),
            (want.end.line, want.end.column),
        ), (name, module.code_for_node(node)[:60])
