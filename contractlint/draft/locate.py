"""Where a module's source is, found without importing it or any package above it.

``importlib.util.find_spec("a.b")`` imports ``a`` to learn its ``__path__``; ``PathFinder`` given a
list of folders only looks at files. Each dotted part is looked for in the folders of the one
before it, so nothing of the package runs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.machinery import PathFinder

from contractlint.errors import UserError


@dataclass(frozen=True)
class Location:
    """A module found on the search path: its source file, and the folders of a package."""

    name: str
    #: The ``.py`` file (a package's ``__init__.py``); None for a namespace package or compiled code.
    source: str | None
    #: The folders its submodules are in; empty for a plain module.
    folders: tuple[str, ...] = ()

    @property
    def is_package(self) -> bool:
        return bool(self.folders)


def find(name: str, path: Sequence[str]) -> Location | None:
    """The module ``name`` as ``import name`` would find it on ``path``, or None."""
    parts = name.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    folders = list(path)
    spec = None
    for i in range(len(parts)):
        try:
            spec = PathFinder.find_spec(".".join(parts[: i + 1]), folders)
        except (ImportError, OSError, ValueError):
            return None
        if spec is None:
            return None
        if i < len(parts) - 1:
            folders = list(spec.submodule_search_locations or ())
            if not folders:
                return None
    origin = spec.origin if spec.has_location else None
    source = origin if origin and origin.endswith(".py") else None
    return Location(name, source, tuple(spec.submodule_search_locations or ()))


def search_path() -> list[str]:
    """Where ``python -c "import NAME"`` looks: the current folder, then ``sys.path``."""
    return [os.getcwd(), *(p for p in sys.path if p)]


def subject(spec: str) -> tuple[Location, list[str]]:
    """The package a user names (``redis``, ``redis.asyncio``, ``./src/capclient``) and the search path
    to read it and its dependencies with.

    A path (it has a separator or ends in ``.py``) is read as the module it is: the folders above it that hold an ``__init__.py`` make its
    dotted name, and the first one without is put first on the search path.
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
