"""Checked code read by Python's own parser, which says nothing of it.

Python warns about some code it reads (an invalid escape sequence, ``is`` with a literal): a
``SyntaxWarning`` printed on stderr from 3.12 on, a ``DeprecationWarning`` before, and an error
under ``-W error`` or ``PYTHONWARNINGS=error``. The code is the user's: what is wrong with it is
said by findings, and a valid file must not become one that cannot be parsed.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def unwarned() -> Iterator[None]:
    """No warning from Python while checked code is read."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def parse_code(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse`` of a module of checked code, ``unwarned``."""
    with unwarned():
        return ast.parse(source, filename)
