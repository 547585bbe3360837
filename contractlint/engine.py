"""Files in, findings out: discovery, the prefilter, analysis, and the filters of the configuration."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import (
    TYPE_CHECKING,
)

from contractlint.config import Config
from contractlint.model import Contract, Finding, Report, Span, rule_by_code, select_codes
from contractlint.tomlfile import locate
from contractlint.workers import FileOutcome, Job, check_files, display_path, finisher, read_file

if TYPE_CHECKING:
    from contractlint.baseline import Entry
    from contractlint.model.project import Reach


def discover(paths: Sequence[str], config: Config) -> Iterator[str]:
    """Python files under ``paths``, sorted. Excludes apply to files named explicitly too, so that
    pre-commit, which names every staged file, honours them."""
    seen = set()
    for path in paths:
        if not _is_folder(path):  # a file, or what is not one: reading it says which (CL900)
            if not config.is_excluded(path) and path not in seen:
                seen.add(path)
                yield path
            continue
        for full in _walk(path, config):
            if full not in seen:
                seen.add(full)
                yield full


def _is_folder(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _walk(top: str, config: Config) -> Iterator[str]:
    """The files under the folder ``top`` that ``config`` includes and does not exclude, in the order
    of a top-down walk: a folder's files sorted by name, then each of its subfolders the same way,
    in the order of their names; folders that are symbolic links are not entered, unreadable ones
    are skipped, excluded ones are not listed at all.

    This is ``config.select_files`` applied to every folder of ``os.walk``, with the work done once
    per folder rather than once per name: a folder's path relative to the root is its parent's
    plus its name (``config.TreeFilter``), whether a part of the folders matches a pattern is
    carried down the tree, and the folder entries already say which entries are folders and which
    are links, so no entry costs a ``stat``.

    Only regular files are listed, and links to them: a named pipe, a socket or a device (called
    ``x.py`` or not) holds no code and is skipped, as git skips it. A link that leads nowhere (or
    in a loop) is listed, so that reading it reports it (CL900).
    """
    walk = config.tree_filter()
    stack = [walk.top(top)]
    while stack:
        folder = stack.pop()
        if folder.excluded:  # every file and subfolder of an excluded folder is excluded
            continue
        dirs, files = [], []
        try:
            with os.scandir(folder.path) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if not is_dir:
                        if _regular_or_broken(entry):
                            files.append(entry.name)
                    elif (
                        not entry.is_symlink()
                    ):  # a linked folder is listed by os.walk, never entered
                        dirs.append(entry.name)
        except OSError:
            continue
        if files:
            yield from sorted(walk.files(folder, files))
        if dirs:
            dirs.sort(reverse=True)  # popped from the end: the first name is walked first
            stack.extend(walk.folders(folder, dirs))


def _regular_or_broken(entry: os.DirEntry) -> bool:
    """Whether a folder entry that is not a folder is a regular file or a link that leads to none.

    The entry's type comes with the folder listing (a link's target was looked up by ``is_dir``):
    only a link to something that is neither a folder nor a regular file costs a ``stat``."""
    try:
        if entry.is_file():
            return True
        if not entry.is_symlink():
            return False  # a named pipe, a socket or a device
        os.stat(entry.path)
    except (OSError, ValueError):
        return True  # a link that leads nowhere, or in a loop
    return False  # a link to a named pipe, a socket or a device


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
) -> Report:
    """Check every file under ``paths``; ``today`` is the one date acceptances and reviews are judged by.
    ``sources`` gives the content of some files instead of the disk (``--diff`` checks fixed text).
    ``jobs`` worker processes analyse the files (1: this process; see ``contractlint.workers``), through
    the cache in ``cache_dir`` when given. ``use_prefilter=False`` parses every file: the prefilter's
    soundness tests compare the two."""
    today = today or dt.date.today()
    report = Report(contracts=contracts)
    codes = select_codes(
        [*config.select, *select] if select else config.select, [*config.ignore, *ignore]
    )
    job = Job(
        tuple(contracts),
        config,
        frozenset(codes),
        today,
        cache_dir=cache_dir,
        use_prefilter=use_prefilter,
        project=project_names(config.root) if config.follow_calls else frozenset(),
        raw=config.follow_calls,
    )
    if job.raw:
        finish = finisher(job)
        outcomes: Iterable = (
            _finished(o, finish, sources) for o in _followed(paths, job, contracts, jobs, sources)
        )
    else:
        outcomes = check_files(discover(paths, config), job, jobs=jobs, sources=sources)
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


def _followed(
    paths: Sequence[str],
    job: Job,
    contracts: Sequence[Contract],
    jobs: int,
    sources: dict[str, bytes] | None,
) -> list[FileOutcome]:
    """The raw outcomes of the files under ``paths``, once service errors are followed through the
    project: from the run's cache entry when nothing it depends on changed (``contractlint.runcache``),
    else checked and kept there."""
    files = list(discover(paths, job.config))
    run = None
    if job.cache_dir and sources is None and any(os.path.isdir(p) for p in paths):
        from contractlint.runcache import RunCache  # a run over named files (pre-commit) keeps none

        run = RunCache(job, paths)
        outcomes = run.replay(files)
        if outcomes is not None:
            return outcomes
    outcomes, searched = _follow(
        list(check_files(files, job, jobs=jobs, sources=sources)), job, contracts, jobs, sources
    )
    if run is not None:
        run.record(files, outcomes, searched)
    return outcomes


def _follow(
    outcomes: list[FileOutcome],
    job: Job,
    contracts: Sequence[Contract],
    jobs: int,
    sources: dict[str, bytes] | None,
) -> tuple[list[FileOutcome], Reach | None]:
    """Raw outcomes in, raw outcomes with the findings and calls of the whole project out, and what
    the rounds searched for (every round's names together; None when nothing was parsed).

    The prefilter keeps only files that import a service's module; a file that only calls the
    project's own helpers is parsed here, in rounds, once a helper it may call is known to carry an
    error (or to make a client): the names of those helpers join the search."""
    if not any(o.facts is not None for o in outcomes):  # nothing parsed: nothing to follow
        return outcomes, None
    from contractlint.model.project import Reach, names_enough
    from contractlint.propagation import interesting_names, propagate

    unparsed = {o.source: i for i, o in enumerate(outcomes) if not o.parsed and o.source}
    searched = Reach()
    #: For each file not parsed yet: whether it named a carrier method, and a name that reaches one,
    #: in any round so far (``names_enough``: each round searches only the names it adds).
    named: dict[str, list[bool]] = {}
    follow = None  # the fixpoint of the facts as they stand, while no file is added
    while unparsed:
        wanted, follow = interesting_names(
            {o.path: o.facts for o in outcomes if o.facts is not None}, contracts
        )
        new = wanted - searched
        if not (new.plain or new.methods or new.reach):
            break  # what no file matched last round, none matches now
        searched = searched | wanted
        patterns = new.patterns()
        more = []
        for path in unparsed:
            try:
                data = sources[path] if sources is not None and path in sources else read_file(path)
            except OSError:
                continue
            if names_enough(patterns, data, named.setdefault(path, [False, False])):
                more.append(path)
        if not more:
            break
        again = replace(job, use_prefilter=False)
        for path, outcome in zip(more, check_files(more, again, jobs=jobs, sources=sources)):
            outcomes[unparsed.pop(path)] = outcome
        follow = None
    facts = {o.path: o.facts for o in outcomes if o.facts is not None}
    findings = {o.path: list(o.findings) for o in outcomes}
    calls = {o.path: list(o.calls) for o in outcomes}
    if facts:
        findings, calls = propagate(facts, findings, calls, contracts, job.config.propagate, follow)
    return (
        [
            replace(o, findings=findings.get(o.path, ()), calls=calls.get(o.path, ()), facts=None)
            for o in outcomes
        ],
        searched,
    )


def _finished(outcome: FileOutcome, finish, sources: dict[str, bytes] | None) -> FileOutcome:
    """A raw outcome with its file's acceptances and ignores applied."""
    if not outcome.findings and not outcome.calls and not outcome.marked:
        return FileOutcome(outcome.path, parsed=outcome.parsed)  # most files: nothing to apply
    given = sources.get(outcome.source) if sources is not None else None
    return finish(outcome, given)


def _overdue_reviews(contracts: Sequence[Contract], today: dt.date) -> list[Finding]:
    rule = rule_by_code("CL201")
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
            Finding(
                path=display_path(contract.source),
                span=Span(line, 1, line, 1),
                code=rule.code,
                name=rule.name,
                severity=rule.severity,
                contract=contract.name,
                statement_line=line,
                message=(
                    f"the contract {contract.name} was due for review on {contract.review_by.isoformat()} "
                    f"(owner {contract.owner}): decide again whether its policy still holds, then move review_by"
                ),
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
    for path in discover(paths, config):
        shown = display_path(path)
        if shown not in fixable:
            continue
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
                **{**options, "sources": {path: text}, "jobs": 1, "cache_dir": None},
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
