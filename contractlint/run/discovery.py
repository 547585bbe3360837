"""The files a run checks: the Python files under the checked paths that the configuration's
``include`` selects and its ``exclude`` (with the default excludes) leaves, and that git does not
ignore (``respect-gitignore``, said in ``gitignore``).

One ``Selection`` answers for every way a file comes in: a folder's walk, a file named on the
command line or by pre-commit (only the excludes apply: the file was named; git's ignores too
with ``force-exclude``), a file ``--changed`` found (the includes too). The walk asks it once per
folder and once per name, a folder's answers carried down to its subfolders; the test-suite
compares the walk with a plain one that asks ``path_matches`` of every pattern for every file
(tests/run/test_run_discovery.py), and what it leaves with what git itself ignores
(tests/run/test_run_gitignore.py).

A folder named on the command line is walked even when git ignores it, as ruff walks it: the
ignore files apply to what is under it, each pattern to a path itself.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from typing import Callable

from contractlint.config import DEFAULT_EXCLUDE, Config
from contractlint.run.gitignore import GitIgnores, Scopes, below, ignored
from contractlint.run.patterns import PathPatterns

#: The file that makes a folder a project's (``contractlint.run.projects``).
PYPROJECT = "pyproject.toml"


def discover(
    paths: Sequence[str],
    config: Config,
    stop: Callable[[str], bool] | None = None,
    cache_dir: str | None = None,
) -> Iterator[str]:
    """Python files under ``paths``, sorted. Excludes apply to files named explicitly too, so that
    pre-commit, which names every staged file, honours them; what git ignores applies to them
    only with ``force-exclude`` (pre-commit never names an ignored file). ``stop``: asked of each
    folder below a path that holds a ``pyproject.toml``; when it says so (another project starts
    there, ``contractlint.run.projects``), the folder is left out. ``cache_dir``: the cache
    folder where the expressions of git's ignore patterns are kept between runs."""
    selection = Selection(config, cache_dir)
    seen = set()
    for path in paths:
        if not _is_folder(path):  # a file, or what is not one: reading it says which (CL900)
            if not selection.excludes(path) and path not in seen and not selection.forced(path):
                seen.add(path)
                yield path
            continue
        if selection.forced(path):
            continue
        for full in _walk(path, selection, stop):
            if full not in seen:
                seen.add(full)
                yield full
    if selection.git is not None:
        selection.git.save()


class Folder:
    """A folder of a walk: its path, its path relative to the root, whether one of the parts
    of that relative path matches an include or an exclude pattern, and the ignore files in
    force for its entries (those it inherits until it is listed)."""

    __slots__ = ("path", "prefix", "rel", "inside", "included", "excluded", "ignores")

    def __init__(self, path: str, rel: str, included: bool, excluded: bool, ignores: Scopes = ()):
        self.path = path
        # prefix + name is os.path.join(path, name); on POSIX without its cost
        if os.name == "posix":
            self.prefix = path if not path or path.endswith("/") else path + "/"
        else:
            self.prefix = os.path.join(path, "")
        self.rel = rel
        # Inside the root, a child's relative path is this one plus its name; outside, ".." may
        # cancel a name (the root's parent, walked from "..", holds the root itself), so it is asked
        # again.
        self.inside = rel != ".." and not rel.startswith("../")
        self.included = included
        self.excluded = excluded
        self.ignores = ignores


class Selection:
    """Which paths ``config`` selects: its ``include`` patterns, and its ``exclude`` patterns with
    the default ones. A folder-only pattern (``build/``) asks the file system whether a path is a
    folder, and only when the name matches."""

    def __init__(self, config: Config, cache_dir: str | None = None):
        self.config = config
        self.include = PathPatterns(config.include)
        self.exclude = PathPatterns((*DEFAULT_EXCLUDE, *config.exclude))
        #: What git ignores, unless ``respect-gitignore = false``.
        self.git = GitIgnores(config.root, cache_dir) if config.respect_gitignore else None

    def includes(self, path: str) -> bool:
        return self.include.matches(self.config.relative(path))

    def excludes(self, path: str) -> bool:
        rel = self.config.relative(path)
        return self.exclude.matches(rel) and self.exclude.matches(rel, os.path.isdir(path))

    def forced(self, path: str) -> bool:
        """Whether ``path``, named on the command line, is left out for what git ignores: only
        with ``force-exclude``."""
        return self.config.force_exclude and self.git is not None and self.git.ignores(path)

    def top(self, path: str, ignores: Scopes | None = None) -> Folder:
        """The folder ``path``, where a walk starts (``ignores``: what it inherits, when the walk
        came down to it)."""
        rel = self.config.relative(path)
        parts = [] if rel == "." else rel.split("/")
        if ignores is None:
            ignores = self.git.above(path) if self.git is not None else ()
        return Folder(
            path, rel, self.include.in_folder(parts), self.exclude.in_folder(parts), ignores
        )

    def enter(self, folder: Folder, dirs: Sequence[str], files: Sequence[str]) -> None:
        """Take the folder's own ``.gitignore`` (and, at the top of a repository, its other ignore
        files) into what applies to its entries, now that it is listed."""
        if self.git is not None:
            folder.ignores = self.git.enter(folder.path, folder.ignores, dirs, files)

    def files(self, folder: Folder, names: Iterable[str]) -> list[str]:
        """The paths of the files ``names`` of ``folder`` (not excluded as a whole) that are
        included and not excluded."""
        include, exclude = self.include, self.exclude
        base, prefix, ignores = folder.rel, folder.prefix, folder.ignores
        out = []
        for name in names:
            rel = name if base == "." else f"{base}/{name}"
            if not (folder.included or include.name_matches(name, rel)):
                continue
            if exclude.name_matches(name, rel) and exclude.name_matches(
                name, rel, os.path.isdir(prefix + name)
            ):
                continue
            if ignores and ignored(ignores, name, is_dir=False):
                continue
            out.append(prefix + name)
        return out

    def folders(self, folder: Folder, names: Iterable[str]) -> list[Folder]:
        """The subfolders ``names`` of ``folder`` (not excluded as a whole) that are not
        excluded."""
        include, exclude = self.include, self.exclude
        base, prefix, ignores = folder.rel, folder.prefix, folder.ignores
        out = []
        for name in names:
            rel = name if base == "." else f"{base}/{name}"
            path = prefix + name
            if exclude.name_matches(name, rel) and exclude.name_matches(
                name, rel, os.path.isdir(path)
            ):
                continue
            inherited: Scopes = ()
            if ignores:
                if ignored(ignores, name, is_dir=True):
                    continue  # never entered: nothing under it can be kept again
                inherited = below(ignores, name)
            if folder.inside:  # its parts are its parent's and its name: only the name is new
                included = folder.included or include.folder_matches(name)
                out.append(Folder(path, rel, included, False, inherited))
            else:
                out.append(self.top(path, inherited))
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
        selection.enter(folder, dirs, files)
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
