"""Contracts that installed distributions ship: the entry points of the group
``contractlint.contracts``.

A client package declares its contract in its own metadata::

    [project.entry-points."contractlint.contracts"]
    capability-server = "capability_client:contract.toml"

The entry point's name is the contract's ``[contract].name``; its value names a package and a file
in that package's folder. Nothing is imported to find it:

- The distributions are the ``*.dist-info`` and ``*.egg-info`` folders in the folders of
  ``sys.path``, where ``importlib.metadata`` finds them, the first of a name winning as there. Of
  each, only ``entry_points.txt`` is read, and only one that names the group is parsed (as
  ``importlib.metadata`` parses it), with the distribution's name and version from its metadata.
  Importing ``importlib.metadata`` would cost every run about 20 ms, a large part of what a
  pre-commit run spends starting; the test-suite checks that both find the same entry points.
  Distributions inside zip files on ``sys.path`` are not looked at.
- The package's folder is the one beside the distribution's metadata (a wheel installed), else
  the one ``import`` would find on ``sys.path`` (``contractlint.findmodule``, which runs no code:
  an editable install whose ``.pth`` file puts the project's folder there, as hatchling's does),
  else the one in the project folder that an editable install records in its
  ``direct_url.json`` (editable installs through an import hook, as setuptools makes them).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from contractlint.errors import UserError
from contractlint.findmodule import find

GROUP = "contractlint.contracts"


@dataclass(frozen=True)
class Shipped:
    """One entry point of the group: a contract an installed distribution ships."""

    #: The entry point's name: the contract's name.
    name: str
    #: ``package:file.toml``
    value: str
    distribution: str
    version: str
    #: The distribution's metadata folder (``capability_client-1.0.0.dist-info``).
    metadata: str

    @property
    def label(self) -> str:
        """``capability-client 1.0.0``: how messages and ``contractlint contracts`` name it."""
        return f"{self.distribution} {self.version}"

    @property
    def declared(self) -> str:
        """The entry point as its distribution declares it, for messages."""
        return f'{self.label}, entry point {self.name} = "{self.value}" in [{GROUP}]'


#: The scans of this process, by search path and the modification times of its folders (a
#: distribution installed or removed changes its folder's).
_scans: dict[tuple, tuple[Shipped, ...]] = {}


def installed(path: Sequence[str] | None = None) -> tuple[Shipped, ...]:
    """Every contract the distributions on ``path`` (default: ``sys.path``) ship, in path order."""
    folders = [p or "." for p in (sys.path if path is None else path)]
    key = tuple((folder, _mtime(folder)) for folder in folders)
    found = _scans.get(key)
    if found is None:
        found = _scans[key] = tuple(_scan(folders))
    return found


def _mtime(folder: str) -> int | None:
    try:
        return os.stat(folder).st_mtime_ns
    except OSError:
        return None


def _scan(folders: Sequence[str]) -> Iterator[Shipped]:
    seen: set[str] = set()
    for folder in folders:
        try:
            children = sorted(os.listdir(folder))
        except OSError:  # missing, unreadable, or a file (a zip on sys.path)
            continue
        for child in children:
            stem, dot, kind = child.rpartition(".")
            if not dot or kind.lower() not in ("dist-info", "egg-info"):
                continue
            name = _normalize(stem.partition("-")[0])
            if name in seen:
                continue  # an earlier folder of the path holds this distribution: that one is used
            seen.add(name)
            yield from _entries(os.path.join(folder, child))


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _entries(metadata: str) -> Iterator[Shipped]:
    try:
        with open(os.path.join(metadata, "entry_points.txt"), "rb") as fh:
            data = fh.read()
    except OSError:  # none (most distributions), or an .egg-info file rather than a folder
        return
    if GROUP.encode() not in data:
        return
    pairs = list(_group(data.decode("utf-8", "replace")))
    if pairs:
        distribution, version = _identity(metadata)
        for name, value in pairs:
            yield Shipped(name, value, distribution, version, metadata)


def _group(text: str) -> Iterator[tuple[str, str]]:
    """The (name, value) pairs of the group, read the way ``importlib.metadata`` reads the file."""
    section = None
    for line in map(str.strip, text.splitlines()):
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
        elif section == GROUP and "=" in line:
            name, value = line.split("=", 1)
            yield name.strip(), value.strip()


def _identity(metadata: str) -> tuple[str, str]:
    """The distribution's name and version, from the headers of its METADATA (PKG-INFO for an
    egg)."""
    headers = _headers(os.path.join(metadata, "METADATA")) or _headers(
        os.path.join(metadata, "PKG-INFO")
    )
    stem = os.path.basename(metadata).rpartition(".")[0]
    name, _, version = stem.partition("-")
    return headers.get("Name") or name, headers.get("Version") or version.partition("-")[0] or "?"


def _headers(path: str) -> dict[str, str]:
    found: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.strip():
                    break  # the headers end at the first blank line
                key, sep, value = line.partition(":")
                if sep and key in ("Name", "Version"):
                    found.setdefault(key, value.strip())
    except OSError:
        pass
    return found


def contract_file(entry: Shipped, path: Sequence[str] | None = None) -> str:
    """The file ``entry`` names, found without importing its package; a ``UserError`` naming the
    distribution when there is none."""
    module, sep, filename = (part.strip() for part in entry.value.partition(":"))
    parts = module.split(".")
    if (
        not sep
        or not all(part.isidentifier() for part in parts)
        or not filename
        or filename in (".", "..")
        or any(c in filename for c in "/\\")
    ):
        raise UserError(
            [
                f'{entry.declared}: expected "package:file.toml", a file in the folder of an '
                "importable package"
            ]
        )
    looked: list[str] = []
    for folder in _package_folders(entry, module, path):
        candidate = os.path.join(folder, filename)
        if os.path.isfile(candidate):
            return candidate
        looked.append(candidate)
    if not looked:
        raise UserError(
            [f"{entry.declared}: no package {module} is installed (nothing was imported)"]
        )
    raise UserError([f"{entry.declared}: the contract file is missing (looked for {looked[0]})"])


def _package_folders(entry: Shipped, module: str, path: Sequence[str] | None) -> Iterator[str]:
    seen: set[str] = set()

    def new(folders: Sequence[str]) -> Iterator[str]:
        for folder in folders:
            real = os.path.realpath(folder)
            if real not in seen:
                seen.add(real)
                yield folder

    beside = os.path.join(os.path.dirname(entry.metadata), *module.split("."))
    if os.path.isdir(beside):
        yield from new([beside])
    search = list(sys.path if path is None else path)
    found = find(module, search)
    if found is not None:
        yield from new(found.folders)
    root = _editable_project(entry.metadata)
    if root is not None:
        found = find(module, [root, os.path.join(root, "src")])
        if found is not None:
            yield from new(found.folders)


def _editable_project(metadata: str) -> str | None:
    """The project folder of an editable install (PEP 610's ``direct_url.json``), or None."""
    import json

    try:
        with open(os.path.join(metadata, "direct_url.json"), encoding="utf-8") as fh:
            info = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("dir_info"), dict):
        return None
    url = info.get("url")
    if not info["dir_info"].get("editable") or not isinstance(url, str):
        return None
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    parsed = urlparse(url)
    return url2pathname(parsed.path) if parsed.scheme == "file" else None
