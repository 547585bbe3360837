"""Following service errors through the project's own functions: the files the prefilter turned
away are parsed in rounds, once a helper they may call is known to carry an error, and the errors
are then followed through every parsed file (``contractlint.propagation``).

The prefilter keeps only files that import a service's module; a file that only calls the
project's own helpers is found here: each round searches the files not parsed yet for the names
that reach a carrier, as the files parsed so far tell them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from contractlint.run.filecheck import FileOutcome, Job
from contractlint.run.names import FileNames
from contractlint.run.reading import read_file
from contractlint.run.schedule import check_files

if TYPE_CHECKING:
    from contractlint.model.project import Reach
    from contractlint.output.progress import Progress


def project_names(root: str) -> frozenset[str]:
    """The top-level module names of the project under ``root``: a call into them may reach a
    function of the project, whose errors are followed."""
    names = set()
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                name = entry.name
                if name.startswith(".") or name in ("__pycache__", "node_modules"):
                    continue
                if name.endswith(".py"):
                    names.add(name[:-3])
                elif entry.is_dir() and name.isidentifier():
                    names.add(name)
    except OSError:
        pass
    return frozenset(n for n in names if n.isidentifier())


def followed(
    paths: Sequence[str],
    files: Sequence[str],
    job: Job,
    jobs: int,
    sources: Mapping[str, bytes] | None,
    progress: Progress | None = None,
) -> list[FileOutcome]:
    """The outcomes of ``files`` (discovered under ``paths``) once service errors are followed
    through the project, before acceptances: from the run's cache entry when nothing it depends
    on changed (``contractlint.run.runcache``), else checked and kept there. ``progress`` is told
    each phase and counts the files."""
    run = None
    if job.cache_dir and sources is None and any(os.path.isdir(p) for p in paths):
        from contractlint.run.runcache import RunCache  # a run over named files keeps none

        if progress is not None:
            progress.phase("reading the cache of the last run")
        run = RunCache(job, paths)
        outcomes = run.replay(files)
        if outcomes is not None:
            return outcomes
    if progress is not None:
        progress.phase("checking files", "read", len(files))
    checked = list(check_files(files, job, jobs=jobs, sources=sources, progress=progress))
    outcomes, searched = follow(checked, job, jobs, sources, progress)
    if run is not None:
        run.record(files, outcomes, searched)
    return outcomes


def follow(
    outcomes: list[FileOutcome],
    job: Job,
    jobs: int = 1,
    sources: Mapping[str, bytes] | None = None,
    progress: Progress | None = None,
) -> tuple[list[FileOutcome], Reach | None]:
    """Outcomes before acceptances in, the same with the findings and calls of the whole project
    out, and what the rounds searched for (every round's names together; None when nothing was
    parsed). ``progress`` is told each round (the first was the check of every file)."""
    if not any(o.facts is not None for o in outcomes):  # nothing parsed: nothing to follow
        return outcomes, None
    from contractlint.model.project import Reach
    from contractlint.propagation import interesting_names, propagate

    contracts = job.contracts
    unparsed = {o.source: i for i, o in enumerate(outcomes) if not o.parsed and o.source}
    searched = Reach()
    names = FileNames(job.config)
    fixpoint = None  # the fixpoint of the facts as they stand, while no file is added
    rounds = 1
    while unparsed:
        rounds += 1
        if progress is not None:
            progress.phase(f"following errors, round {rounds}")
        wanted, fixpoint = interesting_names(
            {o.path: o.facts for o in outcomes if o.facts is not None}, contracts, job.project
        )
        new = wanted - searched  # what no file matched last round, none matches now
        if not new:
            break
        searched = searched | wanted
        matches = new.matcher()
        more = []
        if progress is not None:
            progress.phase(f"following errors, round {rounds}", "searched", len(unparsed))
        for path in unparsed:
            if progress is not None:
                progress.step()
            try:
                data = sources[path] if sources is not None and path in sources else read_file(path)
            except OSError:
                continue
            if matches(data, names(path)[1]):
                more.append(path)
        if not more:
            break
        fixpoint = None  # files are added: freed before the workers start, not kept through them
        again = replace(job, use_prefilter=False)
        if progress is not None:
            more_files = f"{len(more):,} more file{'s' if len(more) > 1 else ''}"
            progress.phase(f"following errors, round {rounds}", note=more_files)
        checked = check_files(more, again, jobs=jobs, sources=sources, progress=progress)
        for path, outcome in zip(more, checked):
            outcomes[unparsed.pop(path)] = outcome
    facts = {o.path: o.facts for o in outcomes if o.facts is not None}
    findings = {o.path: list(o.findings) for o in outcomes}
    calls = {o.path: list(o.calls) for o in outcomes}
    if facts:
        if progress is not None:
            progress.phase("following errors through the project")
        findings, calls = propagate(
            facts, findings, calls, contracts, job.config.propagate, fixpoint
        )
    return (
        [
            o._replace(findings=findings.get(o.path, ()), calls=calls.get(o.path, ()), facts=None)
            for o in outcomes
        ],
        searched,
    )
