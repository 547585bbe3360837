"""Files in, a report out: ``check_paths`` checks the files under the given paths (``contractlint.run``
does the work), then applies the configuration's severities and the baseline; ``fix_paths`` applies
the safe fixes of its findings."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from contractlint.config import Config
from contractlint.model import Contract, Finding, Report, Span, new_finding, select_codes
from contractlint.run.discovery import discover
from contractlint.run.filecheck import FileOutcome, Job, apply_acceptances
from contractlint.run.follow import followed, project_names
from contractlint.run.names import display_path
from contractlint.run.reading import read_file
from contractlint.run.schedule import check_files
from contractlint.tomlfile import locate

if TYPE_CHECKING:
    from contractlint.baseline import Entry
    from contractlint.output.progress import Progress


def check_paths(
    paths: Sequence[str],
    config: Config,
    contracts: Sequence[Contract],
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    today: dt.date | None = None,
    baseline: Sequence[Entry] | None = None,
    sources: dict[str, bytes] | None = None,
    jobs: int = 1,
    cache_dir: str | None = None,
    use_prefilter: bool = True,
    progress: Progress | None = None,
) -> Report:
    """Check every file under ``paths``; ``today`` is the one date acceptances and reviews are judged by.
    ``sources`` gives the content of some files instead of the disk (``--diff`` checks fixed text).
    ``jobs`` worker processes analyse the files (1: this process; see ``contractlint.run.schedule``), through
    the cache in ``cache_dir`` when given. ``use_prefilter=False`` parses every file: the prefilter's
    soundness tests compare the two. ``progress`` is told each phase and counts the files
    (``contractlint.output.progress``)."""
    today = today or dt.date.today()
    report = Report(contracts=contracts)
    codes = select_codes(
        [*config.select, *select] if select else config.select, [*config.ignore, *ignore]
    )
    job = Job(
        contracts=tuple(contracts),
        config=config,
        codes=frozenset(codes),
        today=today,
        cache_dir=cache_dir,
        use_prefilter=use_prefilter,
        project=project_names(config.root) if config.follow_calls else frozenset(),
        follow_calls=config.follow_calls,
    )
    files = discover(paths, config)
    outcomes: Iterable[FileOutcome]
    if job.follow_calls:
        if progress is not None:
            progress.phase("discovering files", "found")
            files = progress.counted(files)
        given = sources or {}
        outcomes = (
            apply_acceptances(job, o, given.get(o.source))
            for o in followed(paths, list(files), job, jobs, sources, progress)
        )
    else:
        if progress is not None:
            # the walk goes on while the files are read: no total until it ends
            progress.phase("checking files", "read")
        outcomes = check_files(files, job, jobs=jobs, sources=sources, progress=progress)
    for outcome in outcomes:
        report.files_checked += 1
        report.files.append(outcome.path)
        report.files_parsed += outcome.parsed
        report.risks.extend(outcome.risks)
        report.findings.extend(outcome.findings)
        report.calls.extend(outcome.calls)
    if "CL201" in codes:
        report.findings.extend(_overdue_reviews(contracts, today))
    findings = [
        replace(f, severity=config.severity.get(f.code, f.severity)) for f in report.findings
    ]
    if findings:  # hashlib and json only when there is something to fingerprint
        from contractlint.baseline import with_fingerprints

        findings = with_fingerprints(findings, config.relative)
    if baseline is not None:
        known = {entry.fingerprint for entry in baseline}
        report.baselined = [f for f in findings if f.fingerprint in known]
        findings = [f for f in findings if f.fingerprint not in known]
        present = {f.fingerprint for f in report.baselined}
        report.baseline_gone = [entry for entry in baseline if entry.fingerprint not in present]
        left = {(f.path, f.span, f.contract) for f in findings}
        report.calls = [
            replace(call, state="baselined")
            if call.state == "broken" and (call.path, call.span, call.contract) not in left
            else call
            for call in report.calls
        ]
    report.findings = sorted(findings, key=Finding.sort_key)
    return report


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
                f"the contract {contract.name} was due for review on {contract.review_by.isoformat()} "
                f"(owner {contract.owner}): decide again whether its policy still holds, then move review_by",
                contract=contract.name,
                statement_line=line,
            )
        )
    return out


def fix_paths(
    paths: Sequence[str],
    config: Config,
    contracts: Sequence[Contract],
    write: bool = True,
    **options,
) -> tuple[Report, list]:
    """Apply the safe fixes of the findings ``check_paths`` reports (with the same ``options``),
    file by file, in rounds; write the files when ``write``. Returns the report of what remains
    (checked on the fixed text) and one ``FileFix`` per file that had a safe fix."""
    from contractlint.fixes.apply import fix_source, write_atomic

    first = check_paths(paths, config, contracts, **options)
    fixable = {f.path for f in first.findings if f.fix is not None and f.fix.safe}
    outcomes = []
    fixed: dict[str, bytes] = {}
    progress = options.get("progress")
    if progress is not None:
        progress.phase("applying the safe fixes", "files", len(fixable))
    for path in discover(paths, config):
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
            report = check_paths(
                [path],
                config,
                contracts,
                **{
                    **options,
                    "sources": {path: text},
                    "jobs": 1,
                    "cache_dir": None,
                    "progress": None,
                },
            )
            return [f for f in report.findings if f.path == shown]

        outcome = fix_source(shown, data, check)
        target, tree = os.path.realpath(path), os.path.realpath(config.root)
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
    remaining = check_paths(
        paths, config, contracts, **{**options, "sources": None if write else fixed}
    )
    return remaining, outcomes
