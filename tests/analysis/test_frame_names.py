"""The names of each frame worked out on demand (``names.FrameNames``), against ``frame_names``
worked out for every frame.

For each snippet, every frame the advice may ask about (the module, each function and lambda) is
asked about every word of the text, the words Python normalises its names to, and names the text
does not spell: both ways must answer alike. The snippets hold what could part a name from the
text's words: names glued to numbers and keywords, dotted imports, names that only a keyword
constant, a ``global``, a pattern or a type parameter spells, and names Python normalises (NFKC).
"""

from __future__ import annotations

import ast
import re
import unicodedata

import pytest

from contractlint.analysis.names import FrameNames, frame_names
from contractlint.analysis.parsing import Parsed, parse

CASES = [
    (
        "plain",
        "import requests\n\ndef f(u, *a, k=1, **kw):\n    r = requests.get(u)\n    return r\n",
    ),
    (
        "numbers and keywords glued",
        "def f(x):\n    y = 1if x else 0x1f\n    return [1for _ in x] or 1_000or None\n",
    ),
    (
        "imports",
        "import os.path as p, a.b.c\nfrom x.y import z as w\n\n"
        "def g():\n    import q.r\n    from .s import t\n    global G\n    return True, False\n",
    ),
    (
        "handlers, walrus, augmented",
        "def f(x):\n    try:\n        pass\n    except E as exc:\n        n += 1\n"
        "    if (m := x):\n        return lambda v=m: v + err\n",
    ),
    (
        "classes and nested functions",
        "class C(B, metaclass=M):\n    a: int = 1\n    def m(self):\n"
        "        def inner(logger):\n            return logger\n        return inner\n",
    ),
    (
        "patterns",
        "def f(v):\n    match v:\n        case P(x=1, y=y) | [*rest]:\n            return y\n"
        "        case {'k': k, **others}:\n            return k\n        case _ as got:\n"
        "            return got\n",
    ),
    (
        "f-strings and attributes",
        'def f(o):\n    return f"{o.attr!r:>{width}}" + o.exc.error\n',
    ),
    (
        "type parameters",
        "type Alias[T] = list[T]\n\ndef f[S, *Ts, **P](x: S) -> S:\n    return x\n",
    ),
    (
        "names Python normalises",
        "def f(\uff45\uff58\uff43):\n    \ufb01le = \u212b\n    return exc\n",
    ),
    ("not ascii elsewhere", "def f(u):\n    log = 'h\u00e9'\n    return err\n"),
]

OTHERS = ["exc", "error", "err", "exc_", "exc_1", "logger", "log", "requests", "Exception", "file"]


def _frames(tree: ast.Module) -> list[ast.AST]:
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    return [tree, *(node for node in ast.walk(tree) if isinstance(node, kinds))]


def _questions(text: str) -> set[str]:
    words = set(re.findall(r"\w+", text))
    return words | {unicodedata.normalize("NFKC", w) for w in words} | set(OTHERS)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # ``1if``: Python warns, and reads it
@pytest.mark.parametrize("source", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_frame_names_on_demand_are_frame_names(source):
    parsed = parse(source, "x.py")
    assert isinstance(parsed, Parsed), parsed
    names = FrameNames(parsed.text)
    asked = 0
    for frame in _frames(parsed.tree):
        used, bound = frame_names(frame)
        for name in _questions(parsed.text):
            assert (name in names.used(frame)) == (name in used), (name, frame)
            assert (name in names.bound(frame)) == (name in bound), (name, frame)
            asked += 1
        assert used, frame  # every frame spells a name: the questions are not all answered no
    assert asked


def test_a_normalised_name_is_found():
    """``ｅｘｃ`` is the name ``exc``, which the text does not spell: not a name to take."""
    source = "def f(\uff45\uff58\uff43):\n    return 1\n"
    parsed = parse(source, "x.py")
    assert isinstance(parsed, Parsed)
    frame = parsed.tree.body[0]
    assert "exc" in FrameNames(parsed.text).used(frame)
    assert "exc" in FrameNames(parsed.text).bound(frame)
