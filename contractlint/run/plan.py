"""The files a run checks, project by project, and which of them it reports.

A run over any file or folder of a project (``contractlint.run.projects``) checks the whole
project: its errors are followed through every one of its functions, as a run over the project's
folder would, and the run reports what lies under the paths it was given. So a run over named
files (pre-commit), a folder inside the project, or the files ``--changed`` finds knows what a
full run knows; the caches make it cost what changed (``contractlint.run.runcache``).

The walk of a project leaves out the folders of the projects inside it; one under a given folder
is walked as a project of its own. The run's defaults (files with no ``pyproject.toml`` above
them) have no folder to walk: their share is what the paths name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contractlint.run.discovery import Selection, discover
from contractlint.run.projects import Project, Projects

if TYPE_CHECKING:
    from contractlint.output.progress import Progress


@dataclass
class Part:
    """One project's share of a run."""

    project: Project
    #: Every file the run checks in the project, in the order discovery gives them.
    files: list[str] = field(default_factory=list)
    #: For each of ``files``, whether the run reports its findings, calls and acceptances.
    reports: list[bool] = field(default_factory=list)
    #: The paths the run was given that lie in the project.
    given: list[str] = field(default_factory=list)

    def reported(self) -> list[str]:
        return [f for f, shown in zip(self.files, self.reports) if shown]


def plan(
    paths: Sequence[str],
    projects: Projects,
    changed: bool = False,
    progress: Progress | None = None,
    found: Callable[[int, Project], object] | None = None,
) -> list[Part]:
    """The share of each project that ``paths`` touch, in the order of the projects' folders.
    ``changed``: the paths are the files ``--changed`` found, which the includes select too.
    ``progress`` counts the files the walks find; ``found`` is told how many so far after each, and
    the project of the walk."""
    return _Planner(paths, projects, changed, progress, found).run()


def _under(full: str, folders: Sequence[str]) -> bool:
    return any(full == f or full.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


def _spelled(folder: str, like: str) -> str:
    """``folder`` (absolute) as the paths of a run spell it: absolute when the given path ``like``
    is, else relative to the working folder."""
    if os.path.isabs(like):
        return folder
    try:
        return os.path.relpath(folder)
    except ValueError:  # another drive on Windows
        return folder


class _Planner:
    def __init__(
        self,
        paths: Sequence[str],
        projects: Projects,
        changed: bool,
        progress: Progress | None = None,
        found: Callable[[int, Project], object] | None = None,
    ):
        self.progress = progress
        self.found = found
        #: The files the walks have found so far.
        self.count = 0
        self.paths = list(paths)
        self.projects = projects
        self.changed = changed
        self.folders = [os.path.abspath(p) for p in self.paths if os.path.isdir(p)]
        self.parts: dict[int, Part] = {}
        self.walks: list[tuple[Project, str]] = []
        self.walked: set[tuple[int, str]] = set()
        #: For each project, each file's absolute path -> its place in the part.
        self.seen: dict[int, dict[str, int]] = {}
        #: Each folder as a walk spells it -> (its absolute path, whether the run reports it).
        self.places: dict[str, tuple[str, bool]] = {}

    def part(self, project: Project) -> Part:
        found = self.parts.get(id(project))
        if found is None:
            found = self.parts[id(project)] = Part(project)
            self.seen[id(project)] = {}
        return found

    def schedule(self, project: Project, top: str) -> None:
        key = (id(project), os.path.abspath(top))
        if key not in self.walked:
            self.walked.add(key)
            self.walks.append((project, top))

    def place(self, path: str) -> tuple[str, bool]:
        """The absolute path of a file, and whether it lies under a folder the run was given;
        worked out once per folder."""
        folder, sep, name = path.rpartition(os.sep)
        known = self.places.get(folder) if sep else None
        if known is None:
            full = os.path.abspath(folder if sep else ".")
            known = (full, _under(full, self.folders))
            if sep:
                self.places[folder] = known
        return os.path.join(known[0], name), known[1]

    def run(self) -> list[Part]:
        named: list[tuple[Project, str]] = []
        for path in self.paths:
            project = self.projects.of(path)
            self.part(project).given.append(path)
            folder = os.path.isdir(path)
            if not folder:
                named.append((project, path))
            if project.root is not None:  # bounded: the walk starts at its root
                self.schedule(project, _spelled(project.root, path))
            elif folder:
                self.schedule(project, path)
        while self.walks:
            project, top = self.walks.pop(0)
            part = self.part(project)
            seen = self.seen[id(project)]
            found = discover([top], project.config, self.stop, project.cache_dir)
            if self.progress is not None:
                found = self.progress.counted(found)
            for path in found:
                full, shown = self.place(path)
                if full not in seen:
                    seen[full] = len(part.files)
                    part.files.append(path)
                    part.reports.append(shown)
                    if self.found is not None:
                        self.count += 1
                        self.found(self.count, project)
        for project, path in named:
            part = self.part(project)
            selection = Selection(project.config)
            if (
                selection.excludes(path)
                or (self.changed and not selection.includes(path))
                or selection.forced(path)  # git ignores it, and force-exclude says that counts
            ):
                continue
            full = os.path.abspath(path)
            at = self.seen[id(project)].get(full)
            if at is None:
                self.seen[id(project)][full] = len(part.files)
                part.files.append(path)
                part.reports.append(True)
            else:
                part.reports[at] = True
        if self.progress is not None:
            self.progress.ended()
        return sorted(self.parts.values(), key=lambda p: p.project.root or "")

    def stop(self, folder: str) -> bool:
        """Whether a walk leaves out ``folder`` (it holds a ``pyproject.toml``): another project's,
        walked as that project when it lies under a folder the run was given."""
        if not self.projects.starts(folder):
            return False
        full = os.path.abspath(folder)
        if _under(full, self.folders):
            self.schedule(self.projects.at(full), folder)
        return True
