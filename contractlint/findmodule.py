"""Where a module is on a search path, found without importing it or any package above it.

``importlib.util.find_spec("a.b")`` imports ``a`` to learn its ``__path__``; ``PathFinder`` given a
list of folders only looks at files. Each dotted part is looked for in the folders of the one
before it, so nothing of the package runs. ``contractlint draft`` reads a client's source this
way, and the contracts installed packages ship are found so (``contracts.packaged``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib.machinery import ModuleSpec, PathFinder


@dataclass(frozen=True)
class Location:
    """A module found on the search path: its source file, and the folders of a package."""

    name: str
    #: The ``.py`` file (a package's ``__init__.py``); None for a namespace package or compiled
    #: code.
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
    spec: ModuleSpec | None = None
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
    assert spec is not None  # the loop ran at least once and returned on a missing spec
    origin = spec.origin if spec.has_location else None
    source = origin if origin and origin.endswith(".py") else None
    return Location(name, source, tuple(spec.submodule_search_locations or ()))
