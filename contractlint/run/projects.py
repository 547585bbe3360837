"""Which project each file belongs to: the files a run follows errors through together, named
and configured alike.

A file's project is the folder of the nearest ``pyproject.toml`` above it. Its configuration is
the nearest ``[tool.contractlint]`` table at or above that folder (ruff's rule: a
``pyproject.toml`` without the table is passed over for settings), else the defaults with that
file's ``requires-python``; ``--config FILE`` gives every project that one. A ``pyproject.toml``
without the table still makes a project of its own below one with it: a service of a monorepo
is a distribution of its own, whose modules are named from its own folder, configured by the
table above. Its import roots are the configuration's ``src`` (``.`` and ``src`` by default),
from the project's folder (``contractlint.run.names``).

A file with no ``pyproject.toml`` above it belongs to the run's defaults: its modules are named
by the packages their ``__init__.py`` files make, whatever the folder the run starts in, and the
project is what the run names (there is no folder to bound it).

The answer for a folder is kept, so that every file of a folder costs a lookup; a folder's
``pyproject.toml`` is looked for once, and each configuration file is read once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Callable

from contractlint.config import Config, configures_contractlint, load_config, unconfigured
from contractlint.model import Contract
from contractlint.run.discovery import PYPROJECT
from contractlint.run.names import import_roots

#: What a loaded configuration becomes for the run: the command line's settings applied to it, and
#: the contracts it puts in force.
Configure = Callable[[Config], "tuple[Config, Sequence[Contract]]"]


@dataclass(frozen=True, eq=False)
class Project:
    """One project of a run (compared by identity: the map makes one per folder)."""

    #: The absolute folder of its ``pyproject.toml``; None for the run's defaults.
    root: str | None
    config: Config
    contracts: tuple[Contract, ...]
    #: Absolute import roots, deepest first; empty: modules are named by their packages alone.
    roots: tuple[str, ...]
    cache_dir: str | None = None

    @property
    def bounded(self) -> bool:
        """Whether the project is a folder's, so that a run over any of its files sees all of
        them."""
        return self.root is not None


#: ``cache_dir`` that means: the ``.contractlint_cache`` in the folder of each configuration.
BESIDE_CONFIG = "<beside the configuration>"


class Projects:
    """The projects of a run, found from the files' folders.

    ``configure`` turns each configuration read into the one in force and its contracts;
    ``forced``, the path of a configuration every project takes (``--config``); ``cache_dir``, the
    cache folder of every project (None: no cache; ``BESIDE_CONFIG``: the default)."""

    def __init__(
        self,
        configure: Configure,
        forced: str | None = None,
        cache_dir: str | None = BESIDE_CONFIG,
    ):
        self.configure = configure
        self.forced = forced
        self.cache_dir = cache_dir
        #: Absolute folder -> the folder of the project it is in ("" for none).
        self._owner: dict[str, str] = {}
        self._projects: dict[str, Project] = {}
        #: Configuration file (None: the defaults) -> the configuration in force and its contracts.
        self._configured: dict[str | None, tuple[Config, tuple[Contract, ...]]] = {}
        self._tables: dict[str, bool] = {}

    @classmethod
    def single(
        cls, config: Config, contracts: Sequence[Contract], cache_dir: str | None = None
    ) -> Projects:
        """Every file in one project, ``config``'s, bounded by nothing: what a caller of the engine
        that gives the configuration means (its modules named from ``config.src``)."""
        projects = cls(lambda given: (given, contracts), cache_dir=cache_dir)
        projects.one = Project(None, config, tuple(contracts), import_roots(config), cache_dir)
        return projects

    #: The one project of ``single``; None when projects are found from the files' folders.
    one: Project | None = None

    def of(self, path: str) -> Project:
        """The project of ``path``: a file, or a folder (a folder with a ``pyproject.toml`` is its
        own project's)."""
        if self.one is not None:
            return self.one
        full = os.path.abspath(path)
        folder = full if os.path.isdir(full) else os.path.dirname(full)
        return self.at(self._find(folder))

    def starts(self, folder: str) -> bool:
        """Whether a project starts at ``folder``, which holds a ``pyproject.toml`` (not when every
        file is one project's: ``single``). Its configuration is read once the run asks for it."""
        if self.one is not None:
            return False
        full = os.path.abspath(folder)
        self._owner[full] = full
        return True

    def at(self, root: str) -> Project:
        """The project whose folder is ``root`` ("": the run's defaults)."""
        if self.one is not None:
            return self.one
        project = self._projects.get(root)
        if project is None:
            project = self._projects[root] = self._make(root)
        return project

    def relative(self, path: str) -> str:
        """``path`` relative to the folder of its project's configuration, as baselines keep it."""
        return self.of(path).config.relative(path)

    def used(self) -> list[Project]:
        """The projects found so far, in the order of their folders."""
        if self.one is not None:
            return [self.one]
        return sorted(self._projects.values(), key=lambda p: p.root or "")

    def _find(self, folder: str) -> str:
        """The folder of the nearest ``pyproject.toml`` at or above ``folder`` ("" for none)."""
        owner = self._owner
        seen = []
        found = ""
        current = folder
        while True:
            known = owner.get(current)
            if known is not None:
                found = known
                break
            seen.append(current)
            if os.path.lexists(os.path.join(current, PYPROJECT)):
                found = current  # a folder of that name, or a broken link: its error is reported
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for one in seen:
            owner[one] = found
        return found

    def _make(self, root: str) -> Project:
        if self.forced is not None:
            source: str | None = self.forced
        elif root:
            source = self._table_above(root) or os.path.join(root, PYPROJECT)
        else:
            source = None
        config, contracts = self._configuration(source)
        if root:
            roots = import_roots(replace(config, root=root))
        elif source is not None:
            roots = import_roots(config)
        else:
            roots = ()
        if self.cache_dir != BESIDE_CONFIG:
            cache_dir = self.cache_dir
        else:
            cache_dir = os.path.join(config.root, ".contractlint_cache")
        return Project(root or None, config, contracts, roots, cache_dir)

    def _configuration(self, source: str | None) -> tuple[Config, tuple[Contract, ...]]:
        known = self._configured.get(source)
        if known is None:
            if source is None:
                loaded = load_config(None)
            elif source == self.forced or self._configures(source):
                loaded = load_config(source)
            else:
                loaded = unconfigured(source)
            config, contracts = self.configure(loaded)
            known = self._configured[source] = (config, tuple(contracts))
        return known

    def _table_above(self, folder: str) -> str | None:
        """The nearest ``pyproject.toml`` at or above ``folder`` with a [tool.contractlint] table
        (or one that cannot say: its error is reported, not skipped)."""
        current = folder
        while True:
            candidate = os.path.join(current, PYPROJECT)
            if os.path.lexists(candidate) and self._configures(candidate):
                return candidate
            parent = os.path.dirname(current)
            if parent == current:
                return None
            current = parent

    def _configures(self, path: str) -> bool:
        known = self._tables.get(path)
        if known is None:
            known = self._tables[path] = not os.path.isfile(path) or configures_contractlint(path)
        return known
