"""From a file's text to the tree the analysis reads: in pieces for a big file, through libcst for
code newer than the running Python; either way the tree CPython builds for the whole file."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from contractlint.analysis import parsing
from contractlint.analysis.newer import parse_newer
from contractlint.analysis.parsing import Parsed, parse
from contractlint.model import Finding

ROOT = Path(__file__).resolve().parents[2]

AWKWARD = '''\
"""A module docstring
def not_code():
    pass
"""
import os
@decorator(
1)
def f(a,
b):
    return (a +
b)
class C:
    x = """
class D:
"""
if x:
    pass
elif y:
    pass
else:
    pass
try:
    pass
except E:
    pass
finally:
    pass
values = [
1, 2,
]
# a comment
\\
y = 1
z = f"""
{f(
1)}
"""; w = 2
'''


def whole(text: str) -> str:
    return ast.dump(compile(text, "m.py", "exec", ast.PyCF_ONLY_AST), include_attributes=True)


@pytest.mark.parametrize("piece", [1, 16, 64, 200])
def test_a_big_file_parsed_in_pieces_is_the_whole_files_tree(monkeypatch, piece):
    monkeypatch.setattr(parsing, "PIECE", piece)
    text = AWKWARD * 3
    parsed = parse(text, "m.py")
    assert isinstance(parsed, Parsed)
    assert ast.dump(parsed.tree, include_attributes=True) == whole(text)


def test_a_syntax_error_in_a_piece_is_worded_as_for_the_whole_file(monkeypatch):
    text = AWKWARD * 3 + "def broken(:\n    pass\n" + AWKWARD
    monkeypatch.setattr(parsing, "PIECE", 10**9)
    expected = parse(text, "m.py")
    monkeypatch.setattr(parsing, "PIECE", 64)
    found = parse(text, "m.py")
    assert isinstance(found, Finding) and found == expected
    assert (found.code, found.span.line) == ("CL900", AWKWARD.count("\n") * 3 + 1)


def _shape(tree: ast.AST) -> str:
    """The tree without places and without the text between an f-string's fields (which ``ast``
    unescapes and merges, and the analysis never reads)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            node.values = [v for v in node.values if isinstance(v, ast.FormattedValue)]
        if isinstance(node, ast.Constant):
            node.kind = None
    return ast.dump(tree)


def samples():
    for path in [
        *sorted((ROOT / "contractlint").rglob("*.py")),
        *sorted((ROOT / "examples").rglob("*.py")),
        *sorted((ROOT / "tests" / "golden").rglob("*.py")),
    ]:
        yield str(path.relative_to(ROOT)), path.read_bytes()
    yield "awkward", AWKWARD.encode()
    for version, text in NEWER.items():
        if sys.version_info >= version:
            yield f"python-{version[0]}.{version[1]}", text.encode()


#: Syntax of each version the converter reads (each checked where this Python parses it too).
NEWER = {
    (3, 10): (
        "match command.split():\n"
        "    case [action, *rest] | {'k': action, **rest} if action:\n        go(action)\n"
        "    case Point(x=0, y=_) as p:\n        pass\n"
        "    case None | 1 | -2 | 'a' 'b' | b.c:\n        pass\n"
        "    case (_, [*_]):\n        pass\n"
        "    case _:\n        stop()\n"
        "with (open(a) as b, open(c)):\n    pass\n"
    ),
    (
        3,
        11,
    ): "try:\n    pass\nexcept* (A, B) as e:\n    raise\nx = t[*a, b]\ndef f(*args: *Ts): pass\n",
    (3, 12): (
        "type Alias[T] = list[T]\n"
        "def f[T: int, *Ts, **P](x: T) -> T:\n    return f'{x!r:{w}} {\"a\"}'\n"
        "class C[T](Base, metaclass=M):\n    pass\n"
    ),
}


#: ``type`` statements before a ``;``, which CPython reads (before 3.12, with ``stripped``'s help).
TYPE_BEFORE_SEMICOLON = [
    "type A = int; x = 1\n",
    "type A = (int) ; x = 1\n",
    "type A[T] = list[\n    T]; x = 1\n",
    "def f():\n    type A = int  ;  return 1\n",
    "type A = int \\\n ; x\n",
    "type A = int;\n",
]


@pytest.mark.parametrize("text", TYPE_BEFORE_SEMICOLON)
def test_a_type_statement_read_through_libcst_ends_where_cpythons_does(text):
    """libcst places a ``type`` statement with the ``;`` after it (and no other statement); the
    tree made from libcst's ends it with its value, as CPython's does."""
    theirs = parse(text, "m.py")
    assert isinstance(theirs, Parsed) and not theirs.in_characters  # not read through libcst
    mine = parse_newer(text, text, "m.py", SyntaxError("newer"))
    assert isinstance(mine, Parsed)
    assert _places(mine.tree) == _places(theirs.tree)


def _places(tree: ast.AST) -> list[tuple]:
    return [
        (type(n).__name__, n.lineno, n.col_offset, n.end_lineno, n.end_col_offset)
        for n in ast.walk(tree)
        if isinstance(n, ast.stmt)
    ]


@pytest.mark.parametrize("name,data", list(samples()), ids=[n for n, _ in samples()])
def test_libcsts_tree_read_as_cpythons_is_cpythons(name, data):
    """The tree made for code newer than this Python, made here for code this Python parses:
    CPython's own, node for node."""
    mine = parse_newer(data, "", name, SyntaxError("newer"))
    assert isinstance(mine, Parsed) and mine.in_characters
    assert _shape(mine.tree) == _shape(compile(data, name, "exec", ast.PyCF_ONLY_AST))
