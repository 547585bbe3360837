"""The per-file analysis cache: one entry per (file content, contracts, configuration, tool) in
``.contractlint_cache/`` under the project root (and, beside them, the entries of whole runs that
``contractlint.run.runcache`` keeps).

An entry holds what the analysis found in one file (findings and calls), before acceptances,
severity and the baseline: those depend on the date and the configuration, and stay cheap. The key
hashes everything the analysis reads, so an entry is never wrong: the file's bytes, its module
name, the contracts in force, the configuration, the tool's version and the text of the tool's own
code (so an edited checkout never reads what an older analysis wrote). Writes go to a temporary
file renamed over the entry, so concurrent runs never see half an entry; an entry that cannot be
read, for whatever reason, counts as missing.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Optional

from contractlint import __version__
from contractlint.model import CallSite, Contract, Finding

if TYPE_CHECKING:
    from contractlint.config import Config
    from contractlint.model.project import Facts

#: Bump when the layout or the meaning of an entry changes.
FORMAT = "contractlint-cache-2"
DEFAULT_DIR = ".contractlint_cache"

Entry = tuple[list[Finding], list[CallSite], Optional["Facts"]]

_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by contractlint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)


#: The code that makes an entry: the analysis, the model it fills, the run that checks files and
#: stores them, the project-wide pass and the engine that runs it. Each is a module or a package.
_PRODUCERS = ("analysis", "model", "run", "propagation", "engine")


#: The folder of the ``contractlint`` package.
_PACKAGE = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def producer_files() -> list[str]:
    """The source files of ``_PRODUCERS``, as paths from the package's folder ("/" between
    names), sorted. (``os`` rather than ``pathlib``: a warm run over a few files imports
    neither pathlib nor what it pulls in.)"""
    found: list[str] = []
    for name in _PRODUCERS:
        if os.path.isfile(os.path.join(_PACKAGE, f"{name}.py")):
            found.append(f"{name}.py")
            continue
        for folder, dirs, files in os.walk(os.path.join(_PACKAGE, name)):
            dirs.sort()
            rel = os.path.relpath(folder, _PACKAGE).replace(os.sep, "/")
            found += [f"{rel}/{file}" for file in files if file.endswith(".py")]
    return sorted(found)


@functools.cache
def code_digest() -> str:
    """A digest of the source of the code that makes an entry: any edit to it invalidates every
    entry.

    Contents rather than modification times, so that a cache restored on another machine (a CI
    cache) still hits when the installed code is the same. Worked out once per process (a run
    opens its caches several times; hashing the source costs ~10 ms each time): the code that
    runs is the code the process imported, whatever happens to the files after.
    """
    digest = hashlib.blake2b(digest_size=16)
    for rel in producer_files():
        try:
            with open(os.path.join(_PACKAGE, rel), "rb") as fh:
                digest.update(rel.encode() + b"\0" + fh.read() + b"\0")
        except OSError:
            continue
    return digest.hexdigest()


def run_digest(contracts: Sequence[Contract], config: Config, version: str | None = None) -> str:
    """What every entry of one run shares: the tool, the contracts and the configuration in force.

    Absolute paths (the contract files' and the project's) are left out, so the same checkout in
    another folder hits; the module name that the root gives a file is part of each file's key.
    """
    digest = hashlib.blake2b(digest_size=16)
    for part in (
        FORMAT,
        version if version is not None else __version__,
        code_digest(),
        repr([replace(c, source="") for c in contracts]),
        repr(replace(config, root="", source=None)),
    ):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


class _Unpickler(pickle.Unpickler):
    """Only the plain data of our model: an entry planted in the folder cannot run code."""

    def find_class(self, module: str, name: str):
        if module.startswith("contractlint.model") or (module, name) == ("datetime", "date"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")


def holds_runs(directory: str | None) -> bool:
    """Whether the cache folder ``directory`` holds the entry of some run: a run there may be
    answered from it without checking a file (``contractlint.run.runcache``)."""
    if directory is None:
        return False
    try:
        with os.scandir(os.path.join(directory, "runs")) as entries:
            return any(True for _ in entries)
    except OSError:
        return False


class Cache:
    """Entries under ``directory``; ``salt`` is the ``run_digest`` of the run that reads them."""

    def __init__(self, directory: str, salt: str):
        self.directory = directory
        self.salt = salt.encode()
        self.hits = 0
        self.misses = 0
        self._ready = False

    def key(self, data: bytes, module: str) -> str:
        digest = hashlib.blake2b(self.salt, digest_size=20)
        digest.update(module.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, "v1", key[:2], key[2:])

    def get(self, key: str, path: str) -> Entry | None:
        """The entry for ``key`` with its paths set to ``path``, or None when it is missing or
        unreadable."""
        from contractlint.model.project import (
            Facts,  # only for a run that parses, or reads what parsing found
        )

        try:
            tag, findings, calls, facts = _load(self._path(key))
            if (
                tag != FORMAT
                or not isinstance(findings, list)
                or not isinstance(calls, list)
                or not all(isinstance(f, Finding) for f in findings)
                or not all(isinstance(c, CallSite) for c in calls)
                or not (facts is None or isinstance(facts, Facts))
            ):
                raise ValueError("not an entry")
        except Exception:  # missing, truncated, planted, from another Python: recompute it
            self.misses += 1
            return None
        self.hits += 1
        return (
            [f if f.path == path else replace(f, path=path) for f in findings],
            [c if c.path == path else replace(c, path=path) for c in calls],
            facts,
        )

    def put(
        self,
        key: str,
        findings: Sequence[Finding],
        calls: Sequence[CallSite],
        facts: Facts | None = None,
    ) -> None:
        """Store an entry; a cache that cannot be written (read-only, full) is skipped silently."""
        self._store(self._path(key), (FORMAT, list(findings), list(calls), facts))

    def run_path(self, name: str) -> str:
        """Where the entry of a whole run named ``name`` lives (see
        ``contractlint.run.runcache``)."""
        return os.path.join(self.directory, "runs", name)

    def get_run(self, name: str) -> tuple | None:
        """The entry of a whole run, or None when it is missing or unreadable; the caller checks its
        shape."""
        try:
            entry = _load(self.run_path(name))
        except Exception:  # missing, truncated, planted, from another Python: run again
            return None
        return entry if isinstance(entry, tuple) else None

    def put_run(self, name: str, entry: tuple) -> None:
        self._store(self.run_path(name), entry)

    def _store(self, target: str, entry: tuple) -> None:
        """Write ``entry`` to ``target`` at once (a temporary file renamed over it); a cache that
        cannot be written (read-only, full) is skipped silently."""
        try:
            self._prepare()
            folder = os.path.dirname(target)
            os.makedirs(folder, exist_ok=True)
            blob = pickle.dumps(entry, protocol=4)
            temp = os.path.join(folder, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
            fd = os.open(
                temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
            )
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(blob)
                os.replace(temp, target)
            except BaseException:
                _remove(temp)
                raise
        except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
            pass

    def _prepare(self) -> None:
        """Mark the folder as a cache the first time we write: backups skip it, git ignores it."""
        if self._ready:
            return
        self._ready = True
        os.makedirs(self.directory, exist_ok=True)
        for name, text in (
            ("CACHEDIR.TAG", _TAG),
            (".gitignore", "# Created by contractlint\n*\n"),
        ):
            path = os.path.join(self.directory, name)
            if not os.path.exists(path):
                try:
                    with open(path, "w", encoding="utf-8") as fh:
                        fh.write(text)
                except OSError:
                    pass


def _load(path: str):
    with open(path, "rb") as fh:
        return _Unpickler(io.BytesIO(fh.read())).load()


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
