"""What a run reports of a project it checked whole (``contractlint.run.plan``).

The findings, calls and acceptances of the files it was given, and under ``--changed`` also the
findings elsewhere whose error passes through a function the change touched: a helper that now
lets an error out is reported at its callers, in files the change did not touch. A finding names
the functions its error passes through (``Finding.via``, as ``Class.method``); a function is
touched when a changed line lies between its first decorator and its last line, as Python's own
parser reads the changed file. What a partial run reports is thus always what a full run of the
project reports, or a part of it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from contractlint.model.checked import parse_code
from contractlint.run.reading import read_file

if TYPE_CHECKING:
    from contractlint.changes import Changes
    from contractlint.model import Finding


def changed_functions(paths: Iterable[str], changes: Changes) -> frozenset[str]:
    """The functions and methods (``Class.method``, ``outer.inner``) of the files ``paths`` that
    a changed line lies in; a file Python cannot parse has none."""
    found = set()
    for path in paths:
        try:
            tree = parse_code(read_file(path))
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for name, first, last in _functions(tree):
            if changes.touches(path, first, last):
                found.add(name)
    return frozenset(found)


def _functions(tree: ast.AST) -> Iterator[tuple[str, int, int]]:
    """Each function of ``tree`` as the analysis names it within its module, with its lines."""
    stack: list[tuple[ast.AST, str]] = [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    yield name, first, getattr(child, "end_lineno", None) or child.lineno
                stack.append((child, name))
            else:
                stack.append((child, prefix))


def passes_through(findings: Sequence[Finding], functions: frozenset[str]) -> list[Finding]:
    """The findings whose error passes through one of ``functions`` (the last name of ``via`` is
    the service call's, outside the project)."""
    if not functions:
        return []
    return [f for f in findings if any(name in functions for name in f.via[:-1])]
