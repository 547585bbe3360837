"""What git ignores, asked as a walk asks it: folder by folder, of each name in the folder.

The patterns come from the ``.gitignore`` file of every folder from the top of the repository
down, the repository's ``info/exclude``, and the user's global excludes file
(``core.excludesFile``; without one ``$XDG_CONFIG_HOME/git/ignore``, or
``~/.config/git/ignore``). Outside a repository the ``.gitignore`` files from the project root
down still apply, as an unpacked sdist or an export keeps them; the other two belong to a
repository and do not. A folder holding ``.git`` starts a repository of its own: the
``.gitignore`` files above it no longer apply there, as in git.

pathspec compiles each pattern (its globs, escapes, brackets, ``**``, ``!``, trailing ``/`` and
spaces) into a regular expression; this module keeps git's order: the nearest ``.gitignore``
first, then those of the folders above, then ``info/exclude``, then the global file, and within a
file the last pattern that matches decides. A pattern is asked about a path itself, never about
the folders above it: the walk never enters an ignored folder, so nothing under one is asked
(and, as in git, no ``!`` pattern brings it back). pathspec's own verdict on a whole path
(``GitIgnoreSpec``) can differ from git's where a later ``!`` pattern names a folder above
(after ``build/`` and ``!src/``, git ignores ``src/build/x.py``, pathspec 1.1 keeps it); asking
each pattern about the path itself is git's own rule.

A pattern with no ``/`` but a trailing one matches a name at any depth, so it is asked about the
entry's name; one with a ``/`` is anchored at its file's folder and asked about the path from
there. Each file's patterns are also joined into one expression that says at once, for most
names, that none of them matches.

A ``.gitignore`` that is a symbolic link is not read, as git (2.32 and later) does not read it.

Importing pathspec costs ~20 ms of CPU, a tenth of a warm pre-commit run; its expression for a
line depends on the line alone. So a run with a cache keeps the expressions it asked pathspec for
(``Translations``, in the cache folder once it exists, named after pathspec's installed files), and
the next run, whose ignore files hold the same lines, reads them there and never imports pathspec.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Callable, Optional

from contractlint.run.gitconfig import common_dir, configured

#: The group pathspec's expressions name the ``/`` after a folder with: present, the pattern
#: matched a folder (the whole path, when the ``/`` ends it; a folder above it, otherwise).
_FOLDER_MARK = "ps_d"
_NOTHING = re.compile(r"(?!)").match

#: One pattern: its place in its file, whether it ignores (False: ``!``, it keeps), and the
#: searches that say it matches a file (the path as is) or a folder (the path and a ``/``).
_Rule = tuple[int, bool, Callable[[str], object], Optional[Callable[[str], object]]]


class Patterns:
    """The patterns of one ignore file, anchored at its folder."""

    __slots__ = ("names", "paths", "reach")

    def __init__(self, lines: Iterable[str], translate: Callable[[str], Translation] | None = None):
        translate = translate or _translate
        names: list[tuple[int, bool, str]] = []
        paths: list[tuple[int, bool, str]] = []
        reach: int | None = 0
        for index, line in enumerate(lines):
            if not line or line.startswith("#"):
                continue
            found = translate(line)
            if found is None:
                continue
            include, regex = found
            parts = _parts(line)
            if parts == 0:
                names.append((index, include, regex))
            else:
                paths.append((index, include, regex))
                reach = None if reach is None or parts is None else max(reach, parts)
        #: Last pattern first: the first that matches decides.
        self.names = _Rules(names[::-1], names=True) if names else None
        self.paths = _Rules(paths[::-1], names=False) if paths else None
        #: The most parts a path that a path pattern matches has (None: any number, ``**``).
        self.reach = reach

    def __bool__(self) -> bool:
        return self.names is not None or self.paths is not None

    def scope(self) -> tuple[Patterns, str | None]:
        """The patterns, in force for the entries of their own folder."""
        return self, None if self.paths is None else ""

    def decide(self, prefix: str | None, name: str, is_dir: bool) -> bool | None:
        """Whether the file's patterns ignore the entry ``name`` (True), keep it (False, a ``!``
        pattern) or say nothing (None); ``prefix + name`` is its path from the file's folder
        (None: no path pattern reaches so deep)."""
        found = None
        names = self.names
        if names is not None and (names.any_folder(name + "/") if is_dir else names.any_file(name)):
            found = names.last(name, is_dir)
        if prefix is not None:
            path, paths = prefix + name, self.paths
            if paths.any_folder(path + "/") if is_dir else paths.any_file(path):  # type: ignore[union-attr]
                other = paths.last(path, is_dir)  # type: ignore[union-attr]
                if other is not None and (found is None or other[0] > found[0]):
                    found = other
        return None if found is None else found[1]


#: What a pattern line says: whether it ignores (False: ``!``, it keeps), and pathspec's expression;
#: None for a line that says nothing (git skips a pattern it cannot read: "!", "[z-a]").
Translation = Optional[tuple[bool, str]]


def _translate(line: str) -> Translation:
    """pathspec's reading of the pattern ``line``."""
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    try:
        pattern = GitIgnoreSpecPattern(line)
    except (ValueError, re.error):
        return None
    if pattern.regex is None or pattern.include is None:
        return None
    return pattern.include, pattern.regex.pattern


class Translations:
    """The expressions pathspec gave for pattern lines, kept in the cache folder ``directory``
    between runs (JSON: a line and its translation, or null), in a file named after the pathspec
    installed (the path, size and modification time of its package's ``__init__``): another version
    of pathspec translates every line again. Only a cache folder that exists is written to (the
    cache marks its folder when it makes it); a file that cannot be read, or holds anything but
    lines and their translations, counts as empty; one that cannot be written is skipped."""

    #: Past this many lines (edited ignore files over many runs), the file starts afresh.
    LIMIT = 5000

    def __init__(self, directory: str):
        self.directory = directory
        self.known: dict[str, Translation] | None = None
        self.added = False

    def __call__(self, line: str) -> Translation:
        if self.known is None:
            self.known = self._load()
        if line in self.known:
            return self.known[line]
        found = self.known[line] = _translate(line)
        self.added = True
        return found

    def path(self) -> str | None:
        import hashlib
        import importlib.util

        try:
            spec = importlib.util.find_spec("pathspec")
            origin = spec.origin if spec is not None else None
            info = os.stat(origin) if origin else None
        except (ImportError, ValueError, OSError):
            return None
        if info is None:
            return None
        name = f"{origin}\0{info.st_size}\0{info.st_mtime_ns}".encode("utf-8", "surrogateescape")
        digest = hashlib.blake2b(name, digest_size=16).hexdigest()
        return os.path.join(self.directory, "gitignore", f"{digest}.json")

    def _load(self) -> dict[str, Translation]:
        import json

        path = self.path()
        try:
            with open(path or "", encoding="utf-8", errors="surrogateescape") as fh:
                stored = json.load(fh)
        except (OSError, ValueError):  # missing, truncated, planted: translate again
            return {}
        if not isinstance(stored, dict) or len(stored) > self.LIMIT:
            return {}
        known: dict[str, Translation] = {}
        for line, found in stored.items():
            if found is None:
                known[line] = None
            elif (
                isinstance(found, list)
                and len(found) == 2
                and isinstance(found[0], bool)
                and isinstance(found[1], str)
            ):
                known[line] = (found[0], found[1])
            else:
                return {}
        return known

    def save(self) -> None:
        """Keep what this run translated, when it translated anything."""
        path = self.path() if self.added and self.known is not None else None
        if path is None or not os.path.isdir(self.directory):
            return
        import json

        self.added = False
        folder = os.path.dirname(path)
        temp = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
        try:
            os.makedirs(folder, exist_ok=True)
            with open(temp, "x", encoding="utf-8", errors="surrogateescape") as fh:
                json.dump(self.known, fh)
            os.replace(temp, path)
        except OSError:
            try:
                os.remove(temp)
            except OSError:
                pass


def _parts(line: str) -> int | None:
    """How many parts a path the pattern matches has, from its file's folder: None for any
    number (a ``**``); 0 for a pattern with no ``/`` but a trailing one, which git matches
    against the name at any depth."""
    body = line if line.endswith("\\ ") else line.rstrip()  # spaces end it unless escaped
    body = body[1:] if body.startswith("!") else body
    body = body[:-1] if body.endswith("/") else body
    if "/" not in body:
        return 0
    if "**" in body:
        return None
    return body.lstrip("/").count("/") + 1


class _Rules:
    """Patterns of one kind (names, or paths from the file's folder), last first, each asked
    about a path itself: pathspec's expression matches the path or a folder above it, and marks
    with ``ps_d`` the ``/`` after the folder it matched, so a match of the path itself is one
    without that mark (or, for a folder, asked with a ``/`` after it, with the mark at the end).

    All of them are joined into one expression per question (``any_file``, ``any_folder``), which
    says in a single match that no pattern matches, the answer for nearly every path; each
    pattern's own expressions are compiled only when one does."""

    __slots__ = ("rules", "any_file", "any_folder", "_compiled")

    def __init__(self, rules: Sequence[tuple[int, bool, str]], names: bool):
        self.rules = rules
        self._compiled: list[_Rule] | None = None
        as_files, as_folders = [], []
        for i, (_index, _include, regex) in enumerate(rules):
            renamed = regex.replace(f"(?P<{_FOLDER_MARK}>", f"(?P<m{i}>")  # one name per group
            marked = renamed != regex
            as_files.append(_itself(renamed, f"m{i}", "(?!)") if marked else renamed)
            as_folders.append(_itself(renamed, f"m{i}", "$|(?!)") if marked else renamed)
        self.any_file = _joined(as_files, names)
        self.any_folder = _joined(as_folders, names)

    def last(self, path: str, is_dir: bool) -> tuple[int, bool] | None:
        """The place and verdict of the last pattern that matches ``path`` itself, or None."""
        if self._compiled is None:
            self._compiled = [_compiled(*rule) for rule in self.rules]
        folder = path + "/" if is_dir else ""
        for index, include, as_file, as_folder in self._compiled:
            if as_file(path) or (is_dir and as_folder is not None and as_folder(folder)):
                return index, include
        return None


def _compiled(index: int, include: bool, regex: str) -> _Rule:
    if f"(?P<{_FOLDER_MARK}>" not in regex:  # "a/**", "*": whatever it finds is the path itself
        return index, include, re.compile(regex).search, None
    as_file = re.compile(_itself(regex, _FOLDER_MARK, "(?!)")).search
    return index, include, as_file, re.compile(_itself(regex, _FOLDER_MARK, "$|(?!)")).search


def _itself(regex: str, mark: str, then: str) -> str:
    """``regex`` followed by a test of the group ``mark``: ``(?!)`` when it took part, a match of
    a folder above, fails; ``$|(?!)``, only a match that ends with it (the folder itself) holds."""
    return f"{regex}(?({mark}){then})"


#: What pathspec puts before a pattern that matches at any depth: nothing to match in a name.
_ANY_DEPTH = "^(?:.+/)?"


def _joined(expressions: Sequence[str], names: bool) -> Callable[[str], object]:
    """A match at the start of a path (a name, when ``names``) that succeeds wherever one of
    ``expressions`` finds a match. Only ever a shortcut: if they cannot be joined, it succeeds
    everywhere, which costs speed and changes nothing."""
    if not expressions:
        return _NOTHING
    alternatives = []
    for expression in expressions:
        if names and expression.startswith(_ANY_DEPTH):
            alternatives.append(expression[len(_ANY_DEPTH) :])
        elif expression.startswith("^"):
            alternatives.append(expression[1:])
        else:
            alternatives.append(f".*?(?:{expression})")  # a search, as a match from the start
    try:
        return re.compile(f"(?:{'|'.join(alternatives)})").match
    except re.error:
        return _EVERYTHING


def _EVERYTHING(text: str) -> bool:
    return True


#: The ignore files in force for a folder's entries, nearest first: each file's patterns and the
#: path from its folder to this one ("" in its own folder, else ending with ``/``; None when none
#: of its path patterns reaches so deep, or it has none).
Scopes = tuple[tuple[Patterns, Optional[str]], ...]


def ignored(scopes: Scopes, name: str, is_dir: bool) -> bool:
    """Whether git ignores the entry ``name`` of a folder whose ignore files are ``scopes``."""
    for patterns, prefix in scopes:
        verdict = patterns.decide(prefix, name, is_dir)
        if verdict is not None:
            return verdict
    return False


def below(scopes: Scopes, name: str) -> Scopes:
    """The scopes of the subfolder ``name``."""
    if all(prefix is None for _, prefix in scopes):
        return scopes
    out = []
    for patterns, prefix in scopes:
        if prefix is not None:
            prefix = f"{prefix}{name}/"
            if patterns.reach is not None and prefix.count("/") >= patterns.reach:
                prefix = None
        out.append((patterns, prefix))
    return tuple(out)


class GitIgnores:
    """The ignore files of one run, each read once; ``project`` is the project root, where the
    ``.gitignore`` files above a checked folder outside any repository start."""

    def __init__(self, project: str, cache_dir: str | None = None):
        self.project = os.path.abspath(project)
        self._files: dict[str, Patterns | None] = {}
        self._repositories: dict[str, Scopes] = {}
        #: pathspec's expressions kept by earlier runs (``Translations``), with a cache.
        self.translations = Translations(cache_dir) if cache_dir else None

    def enter(self, path: str, scopes: Scopes, dirs: Sequence[str], files: Sequence[str]) -> Scopes:
        """The scopes of the folder ``path`` (listed as ``dirs`` and ``files``) from those it
        inherits: at the top of a repository its ``info/exclude`` and global file replace what
        came from above; its own ``.gitignore`` comes first."""
        if ".git" in dirs or ".git" in files:
            scopes = self.repository(path)
        if ".gitignore" in files:
            own = self.read(os.path.join(path, ".gitignore"))
            if own is not None:
                scopes = (own.scope(), *scopes)
        return scopes

    def above(self, path: str) -> Scopes:
        """The scopes the folder ``path`` inherits from the folders above it (its own ``.git``
        and ``.gitignore`` count when it is listed)."""
        steps = self._steps(path)
        return below(*steps[-1]) if steps else ()

    def ignores(self, path: str) -> bool:
        """Whether git ignores ``path`` (a file or a folder named on the command line), or a
        folder above it up to the top of its repository (outside one, the project root)."""
        steps = self._steps(path)
        last = len(steps) - 1
        return any(
            ignored(scopes, name, is_dir=i < last or os.path.isdir(path))
            for i, (scopes, name) in enumerate(steps)
        )

    def _steps(self, path: str) -> list[tuple[Scopes, str]]:
        """From the top of the repository holding ``path`` (outside one, the project root above
        it; else ``path`` itself) down to ``path``: each name on the way, with the scopes of the
        folder that holds it."""
        target = os.path.abspath(path)
        top = _repository_top(target)
        if top is None:
            top = self.project if _inside(target, self.project) else target
        rel = os.path.relpath(target, top)
        names = [] if rel == "." else rel.split(os.sep)
        steps = []
        folder, scopes = top, self._listed(top, ())
        for i, name in enumerate(names):
            steps.append((scopes, name))
            if i < len(names) - 1:
                folder = os.path.join(folder, name)
                scopes = self._listed(folder, below(scopes, name))
        return steps

    def _listed(self, folder: str, scopes: Scopes) -> Scopes:
        """``enter`` for a folder nobody listed: its ``.git`` and ``.gitignore`` looked up."""
        git = ".git" if os.path.lexists(os.path.join(folder, ".git")) else ""
        own = ".gitignore" if os.path.isfile(os.path.join(folder, ".gitignore")) else ""
        return self.enter(folder, scopes, (), (git, own))

    def repository(self, top: str) -> Scopes:
        """The scopes at the top of the repository ``top``: its ``info/exclude``, then the global
        excludes file."""
        if top not in self._repositories:
            scopes = []
            for path in (_info_exclude(top), global_excludes(top)):
                patterns = self.read(path, follow=True) if path else None
                if patterns is not None:
                    scopes.append(patterns.scope())
            self._repositories[top] = tuple(scopes)
        return self._repositories[top]

    def read(self, path: str, follow: bool = False) -> Patterns | None:
        """The patterns of the ignore file ``path``; None when it has none or cannot be read, or
        is a symbolic link and ``follow`` is False (a ``.gitignore`` in the tree)."""
        if path not in self._files:
            self._files[path] = _read(path, follow, self.translations)
        return self._files[path]

    def save(self) -> None:
        """Keep the expressions pathspec gave for this run's patterns for the next run."""
        if self.translations is not None:
            self.translations.save()


def _read(
    path: str, follow: bool, translate: Callable[[str], Translation] | None = None
) -> Patterns | None:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # a named pipe is not waited on
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    # lines end at "\n" only, as git reads them, and a "\r" before it is dropped
    lines = (line[:-1] if line.endswith("\r") else line for line in text.split("\n"))
    patterns = Patterns(lines, translate)
    return patterns if patterns else None


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([folder, path]) == folder
    except ValueError:  # another drive on Windows
        return False


def _repository_top(path: str) -> str | None:
    """The nearest folder holding ``.git`` (a folder, or a file naming one), from ``path`` up."""
    current = path
    while True:
        if os.path.lexists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _info_exclude(top: str) -> str | None:
    """``info/exclude`` of the repository whose work tree is ``top``: in its git folder, or, for
    a linked work tree, in the folder they share."""
    common = common_dir(top)
    return None if common is None else os.path.join(common, "info", "exclude")


def global_excludes(top: str) -> str | None:
    """The user's global excludes file, as git run in ``top`` finds it: ``core.excludesFile``,
    else ``$XDG_CONFIG_HOME/git/ignore``, else ``~/.config/git/ignore``. The setting is read
    from git's configuration files (``gitconfig``); git is asked only where they cannot say."""
    value = configured(top)
    if value is None:
        value = _asked(top)
    if value.strip():
        return os.path.join(top, value)
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg:
        return os.path.join(xdg, "git", "ignore")
    home = os.path.expanduser("~")
    return None if home == "~" else os.path.join(home, ".config", "git", "ignore")


def _asked(top: str) -> str:
    """``git config --path --get core.excludesFile`` run in ``top`` ("" when it fails)."""
    import subprocess

    try:
        found = subprocess.run(
            ["git", "config", "--path", "--get", "core.excludesFile"],
            cwd=top,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    except OSError:  # no git: its default
        found = None
    if found is not None and found.returncode == 0 and found.stdout.strip():
        return os.fsdecode(found.stdout.rstrip(b"\r\n"))
    return ""
