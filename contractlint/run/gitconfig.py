"""``core.excludesFile`` read from git's configuration files, without starting git.

A run respecting .gitignore needs one setting of git's: the user's global excludes file. Asking
``git config`` costs a process (a fork and an exec, more under load) on every run, a good part of a
pre-commit run over a few files; so this module reads the files ``git config --path --get
core.excludesFile`` reads, in its order, the last value winning: the system file
(``/etc/gitconfig``, unless ``GIT_CONFIG_NOSYSTEM``), the global ones (``GIT_CONFIG_GLOBAL``, else
``$XDG_CONFIG_HOME/git/config`` or ``~/.config/git/config``, then ``~/.gitconfig``) and the
repository's ``config`` (in the folder a linked work tree shares with the others).

It answers only where it is sure to answer as git does; ``configured`` returns None, and the caller
asks git itself, wherever git could read more or otherwise: an ``[include]`` or ``[includeIf]``
section, a per-work-tree configuration, a value continued on the next line or that git would
refuse, a path starting ``~user/`` or ``%(prefix)/``, settings from the environment
(``GIT_CONFIG_PARAMETERS``, ``GIT_CONFIG_COUNT``, ``GIT_DIR``…), a repository owned by someone
else (git reads its configuration only if ``safe.directory`` allows it), a system file other
than ``/etc/gitconfig`` (a git not installed in ``/usr/bin`` or ``/bin``, or on macOS or
Windows).
"""

from __future__ import annotations

import os
import re
import sys

#: Variables under which git reads other files, or settings from the environment.
_ENVIRONMENT = (
    "GIT_DIR",
    "GIT_COMMON_DIR",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_SYSTEM",
)
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")

_SECTION = re.compile(
    r'[ \t]*\[([A-Za-z0-9.-]+)(?:[ \t]+"((?:[^"\\\n]|\\.)*)")?\][ \t]*(?:[#;].*)?'
)
_KEY = re.compile(r"[ \t]*([A-Za-z][A-Za-z0-9-]*)[ \t]*")


class _Unsure(Exception):
    """What git would read there is not certain: ask git."""


def configured(top: str) -> str | None:
    """``git config --path --get core.excludesFile`` as run in the repository whose work tree is
    ``top`` (whose ``.git`` is ``git``): the value ("" when none is set), or None when only git can
    tell."""
    try:
        value = ""
        for path in _files(top):
            value = _last(path, value)
        return _expanded(value)
    except _Unsure:
        return None


def _files(top: str) -> list[str]:
    if os.name != "posix" or sys.platform == "darwin" or any(v in os.environ for v in _ENVIRONMENT):
        raise _Unsure
    files = []
    nosystem = os.environ.get("GIT_CONFIG_NOSYSTEM", "").lower()  # git reads other values too
    if nosystem not in _TRUE + _FALSE:
        raise _Unsure
    if nosystem in _FALSE:
        if _git_program() not in ("/usr/bin/git", "/bin/git"):
            raise _Unsure
        files.append("/etc/gitconfig")
    home = os.environ.get("HOME")
    if home == "":
        raise _Unsure
    own = os.environ.get("GIT_CONFIG_GLOBAL")
    if own is not None:
        if not os.path.isabs(own):  # git reads it from the repository's top
            raise _Unsure
        files.append(own)
    else:
        xdg = os.environ.get("XDG_CONFIG_HOME")
        if xdg:
            if not os.path.isabs(xdg):
                raise _Unsure
            files.append(os.path.join(xdg, "git", "config"))
        elif home:
            files.append(os.path.join(home, ".config", "git", "config"))
        if home:
            files.append(os.path.join(home, ".gitconfig"))
    common = common_dir(top)
    if common is None:
        raise _Unsure
    try:
        uid = os.geteuid()
        if os.stat(top).st_uid != uid or os.stat(common).st_uid != uid:  # safe.directory
            raise _Unsure
    except OSError:
        raise _Unsure from None
    files.append(os.path.join(common, "config"))
    return files


def _git_program() -> str | None:
    """The git a subprocess would start: the first on ``PATH``."""
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        path = os.path.join(folder, "git")
        if folder and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def common_dir(top: str) -> str | None:
    """The git folder of the repository whose work tree is ``top``: its ``.git``, or, for a linked
    work tree (``.git`` a file saying ``gitdir: …``), the folder the work trees share."""
    git = os.path.join(top, ".git")
    if not os.path.isfile(git):
        return git
    try:
        with open(git, encoding="utf-8", errors="surrogateescape") as fh:
            line = fh.readline().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    git = os.path.join(top, line[len("gitdir:") :].strip())
    try:
        with open(os.path.join(git, "commondir"), encoding="utf-8") as fh:
            git = os.path.join(git, fh.read().strip())
    except OSError:
        pass
    return git


def _last(path: str, value: str) -> str:
    """The last ``core.excludesFile`` in the file ``path`` (``value``, the one before, when it
    sets none or does not exist)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, NotADirectoryError):
        return value
    except OSError:
        raise _Unsure from None
    text = data.decode("utf-8", "surrogateescape").removeprefix("\ufeff")
    section: str | None = None
    for line in text.split("\n"):
        line = line[:-1] if line.endswith("\r") else line
        body = line.lstrip(" \t")
        if not body or body[0] in "#;":
            continue
        if body[0] == "[":
            found = _SECTION.fullmatch(line)
            if found is None:
                raise _Unsure
            name = found.group(1).lower()
            if name in ("include", "includeif"):
                raise _Unsure
            plain = found.group(2) is None and "." not in name
            section = name if plain else None
            continue
        key = _KEY.match(line)
        if key is None:
            raise _Unsure
        name, rest = key.group(1).lower(), line[key.end() :]
        if section == "extensions" and name == "worktreeconfig":
            raise _Unsure
        if not rest or rest[0] in "#;":  # a name alone: true, no path
            if section == "core" and name == "excludesfile":
                raise _Unsure
            continue
        if rest[0] != "=":
            raise _Unsure
        parsed = _value(rest[1:])
        if section == "core" and name == "excludesfile":
            value = parsed
    return value


_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "\\": "\\", '"': '"'}


def _value(text: str) -> str:
    """A value as git reads it: whitespace at either end dropped, inside kept (each a space), a
    comment dropped, quotes and escapes (``\\t``, ``\\b``, ``\\n``, ``\\\\``, ``\\"``) undone."""
    out: list[str] = []
    spaces = 0
    quoted = False
    chars = iter(text)
    for c in chars:
        if c in " \t" and not quoted:
            spaces += 1 if out else 0
            continue
        if not quoted and c in "#;":
            break
        if spaces:
            out.append(" " * spaces)
            spaces = 0
        if c == "\\":
            escaped = _ESCAPES.get(next(chars, ""))
            if escaped is None:  # a continued line, or an escape git refuses
                raise _Unsure
            out.append(escaped)
        elif c == '"':
            quoted = not quoted
        else:
            out.append(c)
    if quoted:
        raise _Unsure
    return "".join(out)


def _expanded(value: str) -> str:
    """The value as ``--path`` gives it: ``~/`` at the start is the home folder."""
    if value.startswith("~/"):
        home = os.environ.get("HOME")
        if not home:
            raise _Unsure
        return home + value[1:]
    if value.startswith("~") or value.startswith("%(prefix)/"):
        raise _Unsure
    return value
