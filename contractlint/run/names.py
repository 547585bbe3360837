"""What a run calls a file: the path people see in the output, and the dotted name of its module.

``display_path`` and ``module_name`` say it for one path. ``FileNames`` says the same for every
file of a run, with the work on a folder done once per folder (discovery gives each folder's files
one after the other); the test-suite compares the two on random paths (tests/test_run_names.py).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from contractlint.config import Config


def display_path(path: str) -> str:
    """A path as people see it in output: relative to the working directory, with forward slashes."""
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
    """The dotted module name of a path relative to the project root (``Config.relative``)."""
    if rel.endswith(".py"):
        rel = rel[:-3]
    if rel.endswith("/__init__"):
        rel = rel[: -len("/__init__")]
    return ".".join(p for p in rel.split("/") if p not in ("", ".", ".."))


class FileNames:
    """``(display_path(path), module_name(config.relative(path)))``, with the work on the folder
    done once per folder.

    A file's folder is cut off at its last separator. For a relative path without ``..``,
    ``display_path`` is ``normpath``, and ``normpath(folder + sep + name)`` is ``normpath(folder)``
    joined with ``name`` when the name is one plain part; ``config.relative`` is the folder's path
    relative to the root joined with the name when the folder is inside the root; ``module_name``
    of that is the folder's dotted name joined with the name's. Any other path (absolute, with
    ``..``, at the top, outside the root, on a system with two separators) takes the functions
    themselves.
    """

    def __init__(self, config: Config):
        self.config = config
        self.folders: dict[str, tuple[str | None, str | None]] = {}
        self.fast = os.altsep is None

    def __call__(self, path: str) -> tuple[str, str]:
        folder, _, name = path.rpartition(os.sep)
        if not self.fast or not folder or folder.endswith(os.sep) or name in ("", ".", ".."):
            return display_path(path), module_name(self.config.relative(path))
        known = self.folders.get(folder)
        if known is None:
            known = self.folders[folder] = self._folder(folder)
        shown, dotted = known
        if shown is None or ".." in name:
            shown = display_path(path)
        else:
            shown += name
        if dotted is None:
            return shown, module_name(self.config.relative(path))
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
        base = self.config.relative(folder)
        dotted = None
        if base != "." and base != ".." and not base.startswith("../"):
            dotted = ".".join(p for p in base.split("/") if p not in ("", ".", ".."))
        return shown, dotted
