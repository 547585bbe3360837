"""The statements the fixes rewrite, parsed alone, must be the very nodes of the whole file's tree.

The recommended handling and the fixes write code with libcst, on statements parsed one at a time
(``contractlint.analysis.units``). Here every small statement, call and ``except`` clause of real
files and of awkward samples is looked up that way and compared with libcst's parse of the whole
file: the same nodes (``deep_equals``: whitespace, comments and parentheses included), at the same
places, with the same module-wide indentation, line ending and imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from contractlint.analysis import units
from contractlint.analysis.parsing import Parsed, parse
from contractlint.analysis.positions import Positions
from contractlint.analysis.tree import COMPOUND
from contractlint.analysis.units import Units
from contractlint.fixes.imports import import_head

ROOT = Path(__file__).resolve().parents[2]

SAMPLES = {
    "suites": "if x: a = f()  # c\nelif y: pass\nelse: b = 1; c = g(2)\n",
    "semicolons": "import os; import sys\nx = f(1); y = (g(\n  2)); \\\n  z = 3\n",
    "def-suite": "def f(a,\n      b): return (g(\n    a))\nclass C: x = h()\n",
    "tabs": "class C:\n\ttry:\n\t\tx = f(1)\n\texcept (A,\n\t        B,) as e: pass\n\telse: g()\n",
    "decorated": "@d(f())\ndef f():\n    for i in x: g(i)\n    else: h()\n",
    "crlf": "x = 1\r\ntry:\r\n    y = (f(1),\r\n         2)\r\nexcept (E):\r\n    pass",
    "while": "while f():\n    # c\n    try: g()\n    except E: pass\n    finally: h()\n",
    "with": "async def f():\n    async with a() as b, c(): await d(e())\n    with x: y(); z()\n",
    "nested-if": "if a:\n    pass\nelse:\n    if b: c()\n    elif d(): e()\n",
    "comments": "import x\n\n# one\n\n\n# two\ndef f():\n    x.f()  # here\n\n    # after\n",
    "no-imports": "# header\n\n'''doc'''\nx = f()\n",
    "only-imports": "import a\nfrom b import (c,\n  d)  # e\n",
    "lambda-and-comprehension": "x = [f(i) for i in g()]\ny = lambda: h(1)\n"
    "z = {k(): v() for k in m()}\n",
}
MATCH = {
    "match": "match f():\n    case 1: g()\n    case (\n      2): h()\n    case _:\n        i()\n",
}


def sources():
    yield from SAMPLES.items()
    if hasattr(ast, "Match"):
        yield from MATCH.items()
    for path in [
        *sorted((ROOT / "examples").rglob("*.py")),
        *sorted((ROOT / "tests" / "golden").rglob("*.py")),
        ROOT / "contractlint" / "analysis" / "collect.py",
        ROOT / "contractlint" / "fixes" / "transform.py",
        ROOT / "contractlint" / "cli" / "check.py",
    ]:
        text = path.read_text()
        if text.strip():
            yield str(path.relative_to(ROOT)), text


class Whole:
    """libcst's tree of the whole file, and its nodes by kind and place."""

    def __init__(self, text: str):
        self.module = cst.parse_module(text)
        found = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider)
        self.places = {
            id(n): ((p.start.line, p.start.column), (p.end.line, p.end.column))
            for n, p in found.items()
        }
        self.at: dict = {}
        for node, p in found.items():
            self.at.setdefault((type(node), (p.start.line, p.start.column)), []).append(node)

    def node(self, kind: type, start, end=None) -> cst.CSTNode:
        """The outermost node of ``kind`` that starts at ``start`` (and ends at ``end``)."""
        return next(
            n for n in self.at[(kind, start)] if end is None or self.places[id(n)][1] == end
        )


@pytest.mark.parametrize("name,text", list(sources()), ids=[n for n, _ in sources()])
def test_units_are_the_whole_files_nodes(name, text):
    check_units(name, text)


@pytest.mark.parametrize("name", ["tabs", "examples/chat_server/stickers.py"])
def test_units_dropped_and_parsed_again_are_the_same(monkeypatch, name):
    """Only the latest units are kept: one parsed again gives the same nodes and places."""
    monkeypatch.setattr(units, "KEPT", 1)
    check_units(name, dict(sources())[name])


def check_units(name: str, text: str) -> None:
    parsed = parse(text, name)
    assert isinstance(parsed, Parsed)
    positions = Positions(parsed.text)
    units = Units(parsed.tree, positions)
    whole = Whole(parsed.text)
    assert (units.indent, units.newline) == (
        whole.module.default_indent,
        whole.module.default_newline,
    )
    assert import_head(units.imports()).deep_equals(import_head(whole.module))
    checked = 0
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.stmt) and not isinstance(node, COMPOUND):
            small, container, owner = units.small(node)
            start, end = units.where(container)
            theirs = whole.node(type(container), start)
            assert end[0] == whole.places[id(theirs)][1][0]
            assert (
                container.with_changes(leading_lines=[]).deep_equals(
                    theirs.with_changes(leading_lines=[])
                )
                if isinstance(container, cst.SimpleStatementLine)
                else container.deep_equals(theirs)
            )
            assert small.deep_equals(theirs.body[list(container.body).index(small)])
            if owner is not None:
                line = units.where(owner)[0][0]
                assert any(
                    isinstance(n, type(owner)) and whole.places[id(n)][0][0] == line
                    for n in _owners(whole.module)
                )
            checked += 1
        elif isinstance(node, ast.Call):
            mine = units.expression(node)
            span = positions.span(node)
            theirs = whole.node(
                cst.Call, (span.line, span.column - 1), (span.end_line, span.end_column - 1)
            )
            assert mine is not None and mine.deep_equals(theirs), ast.dump(node)[:80]
            checked += 1
        elif isinstance(node, ast.ExceptHandler):
            mine = units.handler(node)
            theirs = whole.node(type(mine), (node.lineno, positions.span(node).column - 1))
            assert units.where(mine) == whole.places[id(theirs)]
            if mine.type is not None:
                assert mine.type.deep_equals(theirs.type)
                assert units.where(mine.type) == whole.places[id(theirs.type)]
            for a, b in zip(mine.body.body, theirs.body.body):
                assert a.deep_equals(b) and units.where(a) == whole.places[id(b)]
            checked += 1
    assert checked


def _owners(module: cst.Module):
    """Every compound statement and ``case`` of a module."""
    stack = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.BaseCompoundStatement, getattr(cst, "MatchCase", ()))):
            yield node
        stack.extend(node.children)


def test_libcst_parses_only_the_statements_the_advice_rewrites(monkeypatch):
    """A file without findings is never parsed by libcst; a file with one, only the statement
    that holds the call (and none of the rest, however big), and none when the statement stands
    alone on one line (``analysis.oneline`` writes its ``try`` from the line's text)."""
    from contractlint.analysis import ContractIndex, analyse_source
    from contractlint.contracts import load_contracts

    parsed: list[str] = []
    real = cst.parse_module

    def recording(source, *args, **kwargs):
        parsed.append(source if isinstance(source, str) else source.decode())
        return real(source, *args, **kwargs)

    monkeypatch.setattr(cst, "parse_module", recording)
    index = ContractIndex(load_contracts(["requests"]))
    filler = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(200))
    guarded = (
        "import requests\n"
        + filler
        + "def g(u):\n    try:\n        return requests.get(u)\n"
        + "    except requests.RequestException:\n        return None\n"
    )
    assert analyse_source(guarded, "g.py", index).findings == []
    assert parsed == []
    unguarded = guarded + "def h(u):\n    data = requests.get(u).json()\n    return data\n"
    (finding,) = analyse_source(unguarded, "h.py", index).findings
    assert finding.fix is not None and "data = requests.get(u).json()" in finding.suggestion
    assert parsed == []
    statement = "    data = requests.get(\n        u\n    ).json()\n"
    unguarded = guarded + "def h(u):\n" + statement + "    return data\n"
    (finding,) = analyse_source(unguarded, "h.py", index).findings
    assert finding.fix is not None and "data = requests.get(" in finding.suggestion
    assert parsed == ["if 1:\n" + statement]
