"""Files in, a report out: ``check_paths`` checks the projects the given paths lie in, each with its
own configuration, contracts and cache, and reports what lies under the paths (``contractlint.run``
does the work), with each configuration's severities, then the baseline; ``fix_paths`` applies the
safe fixes of its findings."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from contractlint.config import Config
from contractlint.model import (
    Contract,
    Finding,
    Report,
    Severity,
    Span,
    State,
    new_finding,
    select_codes,
)
from contractlint.run.accepting import accepted
from contractlint.run.cache import holds_runs
from contractlint.run.filecheck import FileOutcome, Job
from contractlint.run.focus import changed_functions, passes_through
from contractlint.run.follow import followed, project_names
from contractlint.run.names import FileNames, display_path
from contractlint.run.plan import Part, plan
from contractlint.run.pool import EARLY_FILES, Workers
from contractlint.run.projects import Project, Projects
from contractlint.run.reading import read_file
from contractlint.run.schedule import check_files
from contractlint.tomlfile import locate

if TYPE_CHECKING:
    from contractlint.baseline import Entry
    from contractlint.changes import Changes
    from contractlint.output.progress import Progress


def check_paths(
    paths: Sequence[str],
    config: Config | None = None,
    contracts: Sequence[Contract] = (),
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    today: dt.date | None = None,
    baseline: Sequence[Entry] | None = None,
    sources: dict[str, bytes] | None = None,
    jobs: int = 1,
    cache_dir: str | None = None,
    use_prefilter: bool = True,
    projects: Projects | None = None,
    changes: Changes | None = None,
    only_changed_lines: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Check every file under ``paths``; ``today`` is the one date acceptances and reviews are
    judged by. ``sources`` gives the content of some files instead of the disk (``--diff`` checks
    fixed text). ``jobs`` worker processes analyse the files (1: this process; see
    ``contractlint.run.schedule``), through the cache in ``cache_dir`` when given.
    ``use_prefilter=False`` parses every file: the prefilter's soundness tests compare the two.

    ``projects`` says which project each file is in, with its configuration, contracts and cache
    (``contractlint.run.projects``): a run over any part of a project then checks all of it and
    reports that part (``contractlint.run.plan``). Without it, the files under ``paths`` are one
    project, with ``config``, ``contracts`` and ``cache_dir``. ``changes``: ``paths`` are the files
    git says changed, and the run also reports the findings elsewhere whose error passes through a
    function they changed; ``only_changed_lines``: of the changed files, only what stands on a
    changed line (``contractlint.changes.restrict``). ``progress`` is told each phase and counts
    the files (``contractlint.output.progress``)."""
    if projects is None:
        projects = Projects.single(_given(config), contracts, cache_dir)
    today = today or dt.date.today()
    if progress is not None:
        progress.phase("discovering files", "found")
    report = Report(contracts=[])
    if sources:
        sources = {os.path.abspath(path): text for path, text in sources.items()}
    through: list[Finding] = []
    #: Where the run looked, relative to each configuration: a baseline entry elsewhere is not gone.
    looked: list[tuple[Config, list[str]]] = []
    # One pool of workers for the run, started once the walks find enough files for one, unless
    # the last run's entry may answer this one: then as the first check needs them.
    with Workers(jobs) as workers:

        def walked(count: int, project: Project) -> None:
            if count == EARLY_FILES and not holds_runs(project.cache_dir):
                workers.warm()

        parts = plan(paths, projects, changes is not None, progress, walked)
        for part in parts:
            config = part.project.config
            looked.append((config, [config.relative(p) for p in part.given] or ["."]))
            found, more = _check_part(
                part,
                select,
                ignore,
                today,
                sources,
                jobs,
                use_prefilter,
                changes,
                progress,
                workers,
            )
            report.files_checked += found.files_checked
            report.files += found.files
            report.files_parsed += found.files_parsed
            report.risks += found.risks
            report.findings += found.findings
            report.calls += found.calls
            through += more
    # The contracts in force, and those due for review, once each (by name) over the projects.
    overdue: dict[tuple[str, str], Finding] = {}
    for project in [part.project for part in parts] or [projects.of(paths[0] if paths else ".")]:
        known = {c.name for c in report.contracts}
        report.contracts = [
            *report.contracts,
            *(c for c in project.contracts if c.name not in known),
        ]
        if "CL201" in _codes(project.config, select, ignore):
            for finding in _with_fingerprints(
                _overdue_reviews(project.contracts, today), project.config
            ):
                overdue.setdefault((finding.path, finding.message), finding)
    report.findings += overdue.values()
    findings = report.findings
    if baseline is not None:
        known = {entry.fingerprint for entry in baseline}
        report.baselined = [f for f in findings if f.fingerprint in known]
        findings = [f for f in findings if f.fingerprint not in known]
        present = {f.fingerprint for f in report.baselined}
        report.baseline_gone = [
            entry
            for entry in baseline
            if entry.fingerprint not in present
            and any(_inside(entry.path, where) for _, where in looked)
        ]
        left = {(f.path, f.span, f.contract) for f in findings}
        report.calls = [
            replace(call, state=State.BASELINED)
            if call.state == State.BROKEN and (call.path, call.span, call.contract) not in left
            else call
            for call in report.calls
        ]
        through = [f for f in through if f.fingerprint not in known]
    report.findings = sorted(findings, key=Finding.sort_key)
    if changes is not None and only_changed_lines:
        from contractlint.changes import restrict

        report = restrict(report, changes)
    if through:
        have = set(map(id, report.findings))
        report.findings = sorted(
            [*report.findings, *(f for f in through if id(f) not in have)], key=Finding.sort_key
        )
    return report


def _inside(path: str, where: Sequence[str]) -> bool:
    """Whether ``path`` (relative, with forward slashes) is one of ``where`` or lies under one."""
    return any(w == "." or path == w or path.startswith(w.rstrip("/") + "/") for w in where)


def _given(config: Config | None) -> Config:
    """The configuration of a run given no ``projects``, which needs one."""
    if config is None:
        raise TypeError("a run needs its projects or a config")
    return config


def _codes(config: Config, select: Iterable[str], ignore: Iterable[str]) -> frozenset[str]:
    select, ignore = list(select), list(ignore)
    return select_codes(
        [*config.select, *select] if select else config.select, [*config.ignore, *ignore]
    )


def _with_fingerprints(findings: list[Finding], config: Config) -> list[Finding]:
    """``findings`` with the configuration's severities, and fingerprinted from its root."""
    findings = [
        replace(f, severity=Severity(config.severity.get(f.code, f.severity))) for f in findings
    ]
    if findings:  # hashlib and json only when there is something to fingerprint
        from contractlint.baseline import with_fingerprints

        findings = with_fingerprints(findings, config.relative)
    return findings


def _check_part(
    part: Part,
    select: Iterable[str],
    ignore: Iterable[str],
    today: dt.date,
    sources: dict[str, bytes] | None,
    jobs: int,
    use_prefilter: bool,
    changes: Changes | None,
    progress: Progress | None = None,
    workers: Workers | None = None,
) -> tuple[Report, list[Finding]]:
    """What the run reports of one project (``part``), and the findings of its other files whose
    error passes through a function ``changes`` touched. ``workers``: the run's pool."""
    project = part.project
    config = project.config
    report = Report(contracts=project.contracts)
    files, reports = part.files, part.reports
    if not config.follow_calls:  # each function alone: the other files tell nothing
        files = part.reported()
        reports = [True] * len(files)
    given = None
    if sources:
        given = {f: sources[os.path.abspath(f)] for f in files if os.path.abspath(f) in sources}
    names = FileNames(project.roots)  # the job's import roots: the rounds use the same
    job = Job(
        contracts=tuple(project.contracts),
        config=config,
        codes=frozenset(_codes(config, select, ignore)),
        today=today,
        cache_dir=project.cache_dir,
        use_prefilter=use_prefilter,
        project=_names(project, files, names) if config.follow_calls else frozenset(),
        follow_calls=config.follow_calls,
        roots=project.roots,
    )
    outcomes: Iterable[FileOutcome]
    if job.follow_calls:
        raw = followed(files, job, jobs, given, _covers(part), progress, names, workers)
        outcomes = accepted(job, raw, given)
    else:
        if progress is not None:
            progress.phase("checking files", "read", len(files))
        outcomes = check_files(files, job, jobs, given, progress, workers=workers)
    touched: frozenset[str] = frozenset()
    if changes is not None and job.follow_calls:
        touched = changed_functions(part.reported(), changes)
    through: list[Finding] = []
    for shown, outcome in zip(reports, outcomes):
        if not shown:
            if touched and outcome.findings:
                whole = _with_fingerprints(list(outcome.findings), config)
                through += passes_through(whole, touched)
            continue
        report.files_checked += 1
        report.files.append(outcome.path)
        report.files_parsed += outcome.parsed
        report.risks.extend(outcome.risks)
        report.findings.extend(outcome.findings)
        report.calls.extend(outcome.calls)
    report.findings = _with_fingerprints(report.findings, config)
    through += passes_through(report.findings, touched)
    return report, through


def _names(project: Project, files: Sequence[str], names: FileNames) -> frozenset[str]:
    """The top-level module names of ``project``, whose calls are followed."""
    return project_names(project.roots, (names(f)[1] for f in files))


def _covers(part: Part) -> list[str] | None:
    """What names the run cache entry of ``part``: a project's folder and import roots, or the
    paths of a run over files with no project when it names a folder (None: keep none)."""
    project = part.project
    if project.root is not None:  # bounded
        return [project.root, *project.roots]
    if any(os.path.isdir(p) for p in part.given):
        return ["", os.path.abspath(project.config.root), *part.given]
    return None


def _overdue_reviews(contracts: Sequence[Contract], today: dt.date) -> list[Finding]:
    out = []
    for contract in contracts:
        if contract.review_by is None or contract.review_by >= today:
            continue
        line = 1
        try:
            with open(contract.source, encoding="utf-8") as fh:
                line = locate(fh.read(), ["contract", "review_by"]) or 1
        except OSError:
            pass
        out.append(
            new_finding(
                "CL201",
                display_path(contract.source),
                Span(line, 1, line, 1),
                f"the contract {contract.name} was due for review on "
                f"{contract.review_by.isoformat()} (owner {contract.owner}): decide again whether "
                "its policy still holds, then move review_by",
                contract=contract.name,
                statement_line=line,
            )
        )
    return out


def fix_paths(
    paths: Sequence[str],
    config: Config | None = None,
    contracts: Sequence[Contract] = (),
    write: bool = True,
    **options,
) -> tuple[Report, list]:
    """Apply the safe fixes of the findings ``check_paths`` reports (with the same ``options``),
    file by file, in rounds; write the files when ``write``. Returns the report of what remains
    (checked on the fixed text) and one ``FileFix`` per file that had a safe fix. Each file is
    checked again as part of its project, its text as the fix left it."""
    from contractlint.fixes.apply import fix_source, write_atomic

    projects = options.pop("projects", None)
    if projects is None:
        projects = Projects.single(_given(config), contracts, options.pop("cache_dir", None))
    options["projects"] = projects
    # every finding of the files checked is fixed; what remains is reported as the run asks
    whole = {**options, "only_changed_lines": False}
    first = check_paths(paths, **whole)
    whole["progress"] = None  # the checks of one file's fixed texts are steps of the fixes' phase
    fixable = {f.path for f in first.findings if f.fix is not None and f.fix.safe}
    outcomes = []
    fixed: dict[str, bytes] = {}
    progress = options.get("progress")
    if progress is not None:
        progress.phase("applying the safe fixes", "files", len(fixable))
    for part in plan(paths, projects, changed=options.get("changes") is not None):
        for path in part.reported():
            shown = display_path(path)
            if shown not in fixable:
                continue
            if progress is not None:
                progress.step()
            try:
                data = read_file(path)
            except OSError:
                continue

            def check(text: bytes, path: str = path, shown: str = shown) -> list[Finding]:
                # one file, its intermediate texts: in this process, and not kept in the cache
                report = check_paths([path], **{**whole, "sources": {path: text}, "jobs": 1})
                return [f for f in report.findings if f.path == shown]

            outcome = fix_source(shown, data, check)
            root = part.project.root or part.project.config.root
            target, tree = os.path.realpath(path), os.path.realpath(root)
            folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
            if (
                outcome.changed
                and write
                and all(os.path.commonpath([target, t]) != t for t in (tree, folder))
            ):
                # a symbolic link out of the project: the file it points to is someone else's
                outcome.problems.append(
                    f"{shown}: fixes not written: it links to {target}, outside {tree}"
                )
                outcome.after, outcome.fixed = outcome.before, []
            elif outcome.changed and write:
                try:
                    write_atomic(path, outcome.after)
                except OSError as exc:
                    outcome.problems.append(f"{shown}: fixes not written: {exc.strerror or exc}")
                    outcome.after, outcome.fixed = outcome.before, []
            if outcome.changed:
                fixed[path] = outcome.after
            outcomes.append(outcome)
    remaining = check_paths(paths, **{**options, "sources": None if write else fixed})
    return remaining, outcomes
