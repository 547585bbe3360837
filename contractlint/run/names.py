"""What a run calls a file: the path people see in the output, and the dotted name of its module.

A module is named as Python imports it. Inside one of the project's import roots (``Config.src``,
``.`` and ``src`` by default), it is named from the deepest root that holds it, every folder on
the way a package, with an ``__init__.py`` or without one (PEP 420): ``src/app/http.py`` is
``app.http``. Outside them (a file with no project, a root that does not hold it), its package is
found by walking up through the folders that hold an ``__init__.py`` (and through a namespace
package inside one): ``pkg/sub/x.py`` is ``pkg.sub.x``, a loose script is its own name.

``display_path`` and ``module_of`` say it for one path. ``FileNames`` says the same for every
file of a run, with the work on a folder done once per folder (discovery gives each folder's files
one after the other); the test-suite compares the two on random paths (tests/run/test_run_names.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractlint.config import Config


def display_path(path: str) -> str:
    """A path as people see it in output: relative to the working directory, with forward
    slashes."""
    if not os.path.isabs(path) and ".." not in path:
        return os.path.normpath(path).replace(os.sep, "/")  # what relpath says, without its cost
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    if rel.startswith(".." + os.sep) and os.path.isabs(path):
        rel = path
    return rel.replace(os.sep, "/")


def module_name(rel: str) -> str:
    """The dotted module name of a path relative to its import root."""
    if rel.endswith(".py"):
        rel = rel[:-3]
    if rel.endswith("/__init__"):
        rel = rel[: -len("/__init__")]
    return ".".join(p for p in rel.split("/") if p not in ("", ".", ".."))


def import_roots(config: Config) -> tuple[str, ...]:
    """The absolute import roots ``config.src`` names (relative to ``config.root``), deepest
    first."""
    base = os.path.abspath(config.root)
    found = {
        os.path.normpath(os.path.join(base, folder)).rstrip(os.sep) or os.sep
        for folder in config.src
    }
    return tuple(sorted(found, key=lambda r: (-len(r), r)))


def _holding(full: str, roots: Sequence[str], itself: bool = False) -> str | None:
    """The deepest of ``roots`` (deepest first) that holds the absolute path ``full`` (or, when
    ``itself``, is it)."""
    for root in roots:
        if itself and full == root:
            return root
        if full.startswith(root) and (
            full[len(root) : len(root) + 1] == os.sep or (root.endswith(os.sep) and full != root)
        ):
            return root
    return None


def _package(folder: str) -> list[str] | None:
    """The dotted parts of the package the absolute ``folder`` is, walking up through the folders
    that hold an ``__init__.py``, and through those that do not (PEP 420 namespace packages) to a
    package above them: ``airflow/providers/amazon`` is ``airflow.providers.amazon`` when
    ``airflow`` holds an ``__init__.py`` and ``providers`` does not. The walk stops at a folder
    whose name Python cannot import. None when ``folder`` holds no ``__init__.py`` (not a
    package)."""
    if not os.path.isfile(os.path.join(folder, "__init__.py")):
        return None
    parts: list[str] = []
    pending: list[str] = []  # folders without an __init__.py, kept once a package above holds them
    while True:
        parent, name = os.path.split(folder)
        if not name or not name.isidentifier():
            break
        pending.append(name)
        if os.path.isfile(os.path.join(folder, "__init__.py")):
            parts += pending
            pending = []
        if parent == folder:
            break
        folder = parent
    return parts[::-1]


def module_of(path: str, roots: Sequence[str]) -> str:
    """The dotted module name of ``path``, from the import ``roots`` (absolute, deepest first)."""
    full = os.path.abspath(path)
    root = _holding(full, roots)
    if root is not None:
        return module_name(os.path.relpath(full, root).replace(os.sep, "/"))
    folder, name = os.path.split(full)
    package = _package(folder) or []
    return module_name("/".join([*package, name]))


class FileNames:
    """``(display_path(path), module_of(path, roots))``, with the work on the folder done once per
    folder.

    A file's folder is cut off at its last separator. For a relative path without ``..``,
    ``display_path`` is ``normpath``, and ``normpath(folder + sep + name)`` is ``normpath(folder)``
    joined with ``name`` when the name is one plain part; ``module_of`` is the folder's dotted name
    joined with the name's. Any other path (absolute, with ``..``, at the top, on a system with two
    separators) takes the functions themselves.
    """

    def __init__(self, roots: Sequence[str]):
        self.roots = tuple(roots)
        self.folders: dict[str, tuple[str | None, str | None]] = {}
        self.fast = os.altsep is None
        #: Each path's names, once asked for: the rounds ask for those of every file left.
        self.paths: dict[str, tuple[str, str]] = {}

    def __call__(self, path: str) -> tuple[str, str]:
        known = self.paths.get(path)
        if known is None:
            known = self.paths[path] = self._names(path)
        return known

    def _names(self, path: str) -> tuple[str, str]:
        folder, _, name = path.rpartition(os.sep)
        if not self.fast or not folder or folder.endswith(os.sep) or name in ("", ".", ".."):
            return display_path(path), module_of(path, self.roots)
        known = self.folders.get(folder)
        if known is None:
            known = self.folders[folder] = self._folder(folder)
        shown, dotted = known
        if shown is None or ".." in name:
            shown = display_path(path)
        else:
            shown += name
        if dotted is None:
            return shown, module_of(path, self.roots)
        stem = name[:-3] if name.endswith(".py") else name
        if stem == "__init__" or stem in ("", ".", ".."):
            return shown, dotted  # a package's __init__ is the package; an empty part is no part
        return shown, f"{dotted}.{stem}" if dotted else stem

    def _folder(self, folder: str) -> tuple[str | None, str | None]:
        """The display prefix of the folder's files and its dotted name (None: ask per file)."""
        shown = None
        if not os.path.isabs(folder) and ".." not in folder:
            normal = os.path.normpath(folder)
            shown = "" if normal == "." else normal + "/"
        full = os.path.abspath(folder)
        root = _holding(full, self.roots, itself=True)
        if root is None:
            package = _package(full)
            return shown, ".".join(package) if package else None
        if root == full:
            return shown, None  # a file at the root itself: ask per file
        rel = os.path.relpath(full, root).replace(os.sep, "/")
        if rel == ".":
            return shown, None  # the root under another spelling (``//`` for ``/``): per file
        return shown, ".".join(p for p in rel.split("/") if p not in ("", ".", ".."))
