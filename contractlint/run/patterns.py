"""Path patterns in the manner of gitignore, as ``include``, ``exclude`` and ``per-file-ignores``
write them: whether a path relative to the project root matches.

``path_matches`` says it for one pattern. ``PathPatterns`` says it for a setting's patterns at
once, with the patterns that hold no ``/`` (most of them, the default excludes included) joined
into one regex tried on each part of the path; the test-suite compares the two on random paths
and patterns (tests/run/test_run_patterns.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from fnmatch import fnmatchcase, translate


def path_matches(rel: str, pattern: str, is_dir: bool | None = None) -> bool:
    """gitignore-like: a pattern without ``/`` matches any part of the path; one with ``/`` the path
    from the root.

    A leading ``/`` (or ``./``) anchors a pattern at the root like an inner ``/`` does; a trailing
    ``/`` matches folders only: a part that has more parts after it, or the last part when
    ``is_dir`` is not False (None: unknown, as for a path that does not exist yet).
    """
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = "/" + pattern[2:]
    folder_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    if not pattern:
        return False
    parts = rel.split("/")
    last_ok = not folder_only or is_dir is not False
    if not anchored:
        return any(fnmatchcase(part, pattern) for part in parts[:-1]) or (
            last_ok and fnmatchcase(parts[-1], pattern)
        )
    depth = pattern.count("/") + 1
    for cut in range(depth, len(parts) + 1):
        if cut == len(parts) and not last_ok:
            break
        if fnmatchcase("/".join(parts[:cut]), pattern):
            return True
    return False


class PathPatterns:
    """``any(path_matches(rel, p, is_dir) for p in patterns)``, asked as a walk asks it: of a
    folder's parts once (``in_folder``), then of each name in it (``name_matches``)."""

    def __init__(self, patterns: Iterable[str]):
        plain: list[str] = []
        folders: list[str] = []
        anchored: list[str] = []
        for raw in patterns:
            pattern = raw.strip()
            if pattern.startswith("./"):
                pattern = "/" + pattern[2:]
            folder_only = pattern.endswith("/")
            pattern = pattern.rstrip("/")
            if "/" in pattern:
                anchored.append(raw)
            elif pattern:
                (folders if folder_only else plain).append(translate(pattern))
        #: The patterns with a ``/``: matched against the whole relative path by ``path_matches``.
        self.anchored = tuple(anchored)
        self._plain = re.compile("|".join(plain)).match if plain else None
        self._folders = re.compile("|".join(folders)).match if folders else None

    def matches(self, rel: str, is_dir: bool | None = None) -> bool:
        parts = rel.split("/")
        return self.in_folder(parts[:-1]) or self.name_matches(parts[-1], rel, is_dir)

    def in_folder(self, parts: Iterable[str]) -> bool:
        """Whether a pattern without ``/`` matches one of a path's folders (given as their
        names): the same answer for every file in them."""
        return any(self.folder_matches(part) for part in parts)

    def folder_matches(self, name: str) -> bool:
        """Whether a pattern without ``/`` matches ``name``, the name of a folder."""
        return (self._plain is not None and self._plain(name) is not None) or (
            self._folders is not None and self._folders(name) is not None
        )

    def name_matches(self, name: str, rel: str, is_dir: bool | None = None) -> bool:
        """Whether a pattern matches the last part, ``name``, of ``rel``, the path relative to the
        root, or (for a pattern with ``/``) the whole path."""
        if self._plain is not None and self._plain(name):
            return True
        if self._folders is not None and is_dir is not False and self._folders(name):
            return True
        return bool(self.anchored) and any(path_matches(rel, p, is_dir) for p in self.anchored)
