"""``tree.children`` reads only the fields that may hold code: it must give every node of code a
node holds, whatever its kind (on older Pythons, newer syntax is read into stand-in classes:
those too)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import contractlint
from contractlint.analysis.parsing import Parsed, parse
from contractlint.analysis.tree import _NOT_CODE, _SPECIAL, children

#: Syntax older Pythons do not read (``contractlint.analysis.newer`` does).
NEWER = [
    "match x:\n    case {'k': 1, **rest}: pass\n    case Point(x=0) | [1, *others] if y: pass\n"
    "    case None | True: pass\n    case str() as s: pass\n",
    "try:\n    pass\nexcept* (ValueError, TypeError) as group:\n    pass\n",
    "type Pair[T: int, *Ts, **P] = tuple[T, T]\ndef f[T](x: T) -> T: return x\n",
    "class C[T](Base, metaclass=M):\n    pass\n",
    "x = f'{a!r:>{width}} {b=}'\n",
]


def _sources() -> list[str]:
    package = Path(contractlint.__file__).parent
    files = sorted(package.rglob("*.py"))
    files += [Path(ast.__file__), Path(sys.modules["asyncio"].__file__).parent / "tasks.py"]
    out = [path.read_text(encoding="utf-8") for path in files]
    return out + NEWER


def _code_in_fields(node: ast.AST) -> list[ast.AST]:
    """Every node of code held in ``node``'s fields, field by field (and in ``type_params``, which
    ``newer`` sets on the classes of a Python that lacks the field)."""
    fields = node._fields
    if "type_params" not in fields:
        fields = (*fields, "type_params")
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, ast.AST) and not isinstance(one, _NOT_CODE):
                out.append(one)
    return out


def test_children_are_every_node_of_code_below():
    kinds = set()
    for source in _sources():
        parsed = parse(source, "t.py")
        assert isinstance(parsed, Parsed)
        for node in _walk(parsed.tree):
            kinds.add(type(node))
            found, held = children(node), _code_in_fields(node)
            if type(node) in _SPECIAL:  # in the order of libcst's fields: the same nodes
                assert sorted(map(id, found)) == sorted(map(id, held)), ast.dump(node)
            else:
                assert [id(n) for n in found] == [id(n) for n in held], ast.dump(node)
    # the sources hold most kinds of node of code: a field left out would show
    assert len(kinds) > 65, sorted(k.__name__ for k in kinds)


def _walk(tree: ast.AST):
    """Every node below ``tree`` (``ast.walk`` knows the running Python's classes only)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_code_in_fields(node))
