"""The files a run checks: the Python files under the checked paths that the configuration's
``include`` selects and its ``exclude`` (with the default excludes) leaves.

One ``Selection`` answers for every way a file comes in: a folder's walk, a file named on the
command line or by pre-commit (only the excludes apply: the file was named), a file ``--changed``
found (the includes too). The walk asks it once per folder and once per name, a folder's answers
carried down to its subfolders; the test-suite compares the walk with a plain one that asks
``path_matches`` of every pattern for every file (tests/test_run_discovery.py).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from typing import Callable

from contractlint.config import DEFAULT_EXCLUDE, Config
from contractlint.run.patterns import PathPatterns

#: The file that makes a folder a project's (``contractlint.run.projects``).
PYPROJECT = "pyproject.toml"


def discover(
    paths: Sequence[str], config: Config, stop: Callable[[str], bool] | None = None
) -> Iterator[str]:
    """Python files under ``paths``, sorted. Excludes apply to files named explicitly too, so that
    pre-commit, which names every staged file, honours them. ``stop``: asked of each folder below a
    path that holds a ``pyproject.toml``; when it says so (another project starts there,
    ``contractlint.run.projects``), the folder is left out."""
    selection = Selection(config)
    seen = set()
    for path in paths:
        if not _is_folder(path):  # a file, or what is not one: reading it says which (CL900)
            if not selection.excludes(path) and path not in seen:
                seen.add(path)
                yield path
            continue
        for full in _walk(path, selection, stop):
            if full not in seen:
                seen.add(full)
                yield full


class Folder:
    """A folder of a walk: its path, its path relative to the root, and whether one of the parts
    of that relative path matches an include or an exclude pattern."""

    __slots__ = ("path", "prefix", "rel", "inside", "included", "excluded")

    def __init__(self, path: str, rel: str, included: bool, excluded: bool):
        self.path = path
        # prefix + name is os.path.join(path, name); on POSIX without its cost
        if os.name == "posix":
            self.prefix = path if not path or path.endswith("/") else path + "/"
        else:
            self.prefix = os.path.join(path, "")
        self.rel = rel
        # Inside the root, a child's relative path is this one plus its name; outside, ".." may cancel
        # a name (the root's parent, walked from "..", holds the root itself), so it is asked again.
        self.inside = rel != ".." and not rel.startswith("../")
        self.included = included
        self.excluded = excluded


class Selection:
    """Which paths ``config`` selects: its ``include`` patterns, and its ``exclude`` patterns with
    the default ones. A folder-only pattern (``build/``) asks the file system whether a path is a
    folder, and only when the name matches."""

    def __init__(self, config: Config):
        self.config = config
        self.include = PathPatterns(config.include)
        self.exclude = PathPatterns((*DEFAULT_EXCLUDE, *config.exclude))

    def includes(self, path: str) -> bool:
        return self.include.matches(self.config.relative(path))

    def excludes(self, path: str) -> bool:
        rel = self.config.relative(path)
        return self.exclude.matches(rel) and self.exclude.matches(rel, os.path.isdir(path))

    def top(self, path: str) -> Folder:
        """The folder ``path``, where a walk starts."""
        rel = self.config.relative(path)
        parts = [] if rel == "." else rel.split("/")
        return Folder(path, rel, self.include.in_folder(parts), self.exclude.in_folder(parts))

    def files(self, folder: Folder, names: Iterable[str]) -> list[str]:
        """The paths of the files ``names`` of ``folder`` (not excluded as a whole) that are
        included and not excluded."""
        include, exclude = self.include, self.exclude
        base, prefix = folder.rel, folder.prefix
        out = []
        for name in names:
            rel = name if base == "." else f"{base}/{name}"
            if not (folder.included or include.name_matches(name, rel)):
                continue
            if exclude.name_matches(name, rel) and exclude.name_matches(
                name, rel, os.path.isdir(prefix + name)
            ):
                continue
            out.append(prefix + name)
        return out

    def folders(self, folder: Folder, names: Iterable[str]) -> list[Folder]:
        """The subfolders ``names`` of ``folder`` (not excluded as a whole) that are not excluded."""
        include, exclude = self.include, self.exclude
        base, prefix = folder.rel, folder.prefix
        out = []
        for name in names:
            rel = name if base == "." else f"{base}/{name}"
            path = prefix + name
            if exclude.name_matches(name, rel) and exclude.name_matches(
                name, rel, os.path.isdir(path)
            ):
                continue
            if folder.inside:  # its parts are its parent's and its name: only the name is new
                included = folder.included or include.folder_matches(name)
                out.append(Folder(path, rel, included, excluded=False))
            else:
                out.append(self.top(path))
        return out


def _is_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _walk(
    top: str, selection: Selection, stop: Callable[[str], bool] | None = None
) -> Iterator[str]:
    """The files under the folder ``top`` that ``selection`` selects, in the order of a top-down
    walk: a folder's files sorted by name, then each of its subfolders the same way, in the order
    of their names; folders that are symbolic links are not entered, unreadable ones are skipped,
    excluded ones are not listed at all. The folder entries say which entries are folders and
    which are links, so no entry costs a ``stat``.

    Only regular files are listed, and links to them: a named pipe, a socket or a device (called
    ``x.py`` or not) holds no code and is skipped, as git skips it. A link that leads nowhere (or
    in a loop) is listed, so that reading it reports it (CL900).
    """
    stack = [selection.top(top)]
    while stack:
        folder = stack.pop()
        if folder.excluded:  # every file and subfolder of an excluded folder is excluded
            continue
        dirs, files = [], []
        try:
            with os.scandir(folder.path) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if not is_dir:
                        if _regular_or_broken(entry):
                            files.append(entry.name)
                    elif (
                        not entry.is_symlink()
                    ):  # a linked folder is listed by os.walk, never entered
                        dirs.append(entry.name)
        except OSError:
            continue
        if stop is not None and folder.path != top and PYPROJECT in files and stop(folder.path):
            continue  # another project's folder: walked as that project
        if files:
            yield from sorted(selection.files(folder, files))
        if dirs:
            dirs.sort(reverse=True)  # popped from the end: the first name is walked first
            stack.extend(selection.folders(folder, dirs))


def _regular_or_broken(entry: os.DirEntry) -> bool:
    """Whether a folder entry that is not a folder is a regular file or a link that leads to none.

    The entry's type comes with the folder listing (a link's target was looked up by ``is_dir``):
    only a link to something that is neither a folder nor a regular file costs a ``stat``."""
    try:
        if entry.is_file():
            return True
        if not entry.is_symlink():
            return False  # a named pipe, a socket or a device
        os.stat(entry.path)
    except (OSError, ValueError):
        return True  # a link that leads nowhere, or in a loop
    return False  # a link to a named pipe, a socket or a device
