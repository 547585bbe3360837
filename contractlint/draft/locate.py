"""The package ``contractlint draft`` reads: a module name or a path, found without importing it
(``contractlint.findmodule``)."""

from __future__ import annotations

import os
import sys

from contractlint.errors import UserError
from contractlint.findmodule import Location, find


def search_path() -> list[str]:
    """Where ``python -c "import NAME"`` looks: the current folder, then ``sys.path``."""
    return [os.getcwd(), *(p for p in sys.path if p)]


def subject(spec: str) -> tuple[Location, list[str]]:
    """The package a user names (``redis``, ``redis.asyncio``, ``./src/capclient``) and the search
    path to read it and its dependencies with.

    A path (it has a separator or ends in ``.py``) is read as the module it is: the folders above it
    that hold an ``__init__.py`` make its dotted name, and the first one without is put first on the
    search path.
    """
    path = search_path()
    if _is_path(spec):
        return _from_path(spec, path)
    found = find(spec, path)
    if found is None:
        raise UserError(
            [f"{spec}: no module of that name on the Python path (nothing was imported)"]
        )
    if found.source is None and not found.folders:
        raise UserError([f"{spec}: no Python source to read (a compiled module)"])
    return found, path


def _is_path(spec: str) -> bool:
    return os.sep in spec or "/" in spec or spec.endswith(".py") or spec in (".", "..")


def _from_path(spec: str, path: list[str]) -> tuple[Location, list[str]]:
    target = os.path.abspath(spec)
    if os.path.isdir(target):
        folder, stem = (
            os.path.dirname(target.rstrip(os.sep)),
            os.path.basename(target.rstrip(os.sep)),
        )
    elif os.path.isfile(target) and target.endswith(".py"):
        folder, stem = os.path.dirname(target), os.path.basename(target)[: -len(".py")]
        if stem == "__init__":
            folder, stem = os.path.dirname(folder), os.path.basename(folder)
    else:
        raise UserError([f"{spec}: not a package folder nor a .py file"])
    parts = [stem]
    while os.path.isfile(os.path.join(folder, "__init__.py")):
        folder, parent = os.path.dirname(folder), os.path.basename(folder)
        parts.insert(0, parent)
    name = ".".join(parts)
    if not all(part.isidentifier() for part in parts):
        raise UserError([f"{spec}: {name!r} is not a Python module name"])
    path = [folder, *path]
    found = find(name, path)
    if found is None or (found.source is None and not found.folders):
        raise UserError([f"{spec}: no Python source to read"])
    return found, path
