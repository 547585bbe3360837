"""The check of one file: its bytes through the prefilter, the cache and the analysis to its
outcome, what it adds to the report.

``FileCheck.triage`` does what needs no analysis (reading the file, the prefilter, a cached
analysis) and says which files are left to analyse; ``FileCheck.check`` analyses one of those,
here or in a worker process. ``apply_acceptances`` is the last step for every file: its per-file
ignores and its acceptances, applied to what the analysis found (at once, or once the errors are
followed through the project when ``Job.follow_calls`` holds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from contractlint.model import Acceptance, CallSite, Contract, Finding, Risk, select_codes
from contractlint.run.failures import cannot_check, cut_short, internal_error, unreadable
from contractlint.run.names import import_roots
from contractlint.run.patterns import path_matches
from contractlint.run.prefilter import Prefilter
from contractlint.run.reading import Stamp, read_file, read_stamped

if TYPE_CHECKING:
    from contractlint.acceptance import Parsed
    from contractlint.analysis import ContractIndex, FileResult
    from contractlint.config import Config
    from contractlint.model.project import Facts
    from contractlint.run.cache import Cache


@dataclass(frozen=True)
class Job:
    """Everything a process needs to check a file, sent to each worker once."""

    contracts: tuple[Contract, ...]
    config: Config
    #: The codes selected for the run, before per-file ignores.
    codes: frozenset[str]
    today: dt.date
    cache_dir: str | None = None
    use_prefilter: bool = True
    #: Top-level names of the project's modules: calls into them are followed
    #: (``contractlint.run.follow``).
    project: frozenset[str] = frozenset()
    #: Follow service errors through the project's own functions: each file's outcome is then what
    #: the analysis found, with the file's facts, and the acceptances are applied once the whole
    #: project is followed (``contractlint.run.follow``).
    follow_calls: bool = False
    #: The project's import roots, absolute, deepest first (``contractlint.run.names``); None: those
    #: the configuration names.
    roots: tuple[str, ...] | None = None

    @property
    def import_roots(self) -> tuple[str, ...]:
        return self.roots if self.roots is not None else import_roots(self.config)


class FileOutcome(NamedTuple):
    """What one file adds to the report, built with keywords; a record made for every file of a
    tree, so a named tuple (a frozen dataclass costs three times as much to make). Before
    ``apply_acceptances``, in a run that follows calls, it also says what the follow and the run's
    cache need."""

    path: str
    findings: Sequence[Finding] = ()
    calls: Sequence[CallSite] = ()
    risks: Sequence[Risk] = ()
    #: Whether the prefilter kept the file (it was analysed, or its analysis came from the cache).
    parsed: bool = False
    #: What the file tells about the project (parsed files of a run that follows calls).
    facts: Facts | None = None
    #: Whether the text mentions contractlint (it may hold acceptances).
    marked: bool = False
    #: The path as discovered (``path`` is as shown).
    source: str = ""
    #: The cache key of the text that was analysed, for parsed files when the run has a cache and
    #: the analysis could be stored ("" otherwise): the run's own entry names it.
    key: str = ""
    #: What ``fstat`` said of the file just before it was read (``read_stamped``).
    stamp: Stamp | None = None


def open_cache(job: Job) -> Cache | None:
    """The cache of ``job`` (None when it has no ``cache_dir``): its entries are those of the same
    tool, contracts, configuration and project modules."""
    if not job.cache_dir:
        return None
    from contractlint.run.cache import Cache, run_digest

    return Cache(
        job.cache_dir, run_digest(job.contracts, job.config) + "|" + ",".join(sorted(job.project))
    )


class Task:
    """A file left to analyse: its place in the run, its path as discovered and as shown, its module
    name."""

    __slots__ = ("seq", "path", "shown", "module", "data", "given", "key", "stamp")

    def __init__(
        self,
        seq: int,
        path: str,
        shown: str,
        module: str,
        data: bytes | None = None,
        given: bool = False,
        stamp: Stamp | None = None,
    ):
        self.seq = seq
        self.path = path
        self.shown = shown
        self.module = module
        #: The text, while this process holds it (in-process work, or text given instead of the
        #: disk).
        self.data = data
        self.given = given
        #: The cache key of the text analysed (or found in the cache), once known.
        self.key = ""
        #: What ``fstat`` said of the file before the parent read it.
        self.stamp = stamp


class FileCheck:
    """One process's view of a job: the prefilter, the cache and the contract index, each built on
    first use (the index imports the analysis, and with it libcst)."""

    def __init__(self, job: Job):
        self.job = job
        self.prefilter = Prefilter(job.contracts) if job.use_prefilter else None
        self._index: ContractIndex | None = None
        self._cache: Cache | None = None
        self._cache_made = False

    @property
    def cache(self) -> Cache | None:
        if not self._cache_made:
            self._cache_made = True
            self._cache = open_cache(self.job)
        return self._cache

    def triage(
        self,
        seq: int,
        path: str,
        shown: str,
        module: str,
        given: bytes | None = None,
        turned_away: Callable[[str, bytes], object] | None = None,
    ) -> FileOutcome | Task:
        """The outcome of a file that needs no analysis (it cannot be read, the prefilter turns it
        away, or its analysis is in the cache), or the ``Task`` that analyses it, holding its text.
        ``given``: the file's text, instead of the disk's. ``turned_away`` is given the path and
        text of a file the prefilter turns away."""
        stamp = None
        if given is not None:
            data = given
        else:
            try:
                data, stamp = read_stamped(path)
            except OSError as exc:
                return FileOutcome(path=shown, findings=[unreadable(shown, exc)])
        if self.prefilter is not None and not self.prefilter.keeps(data, module):
            if turned_away is not None:
                turned_away(path, data)
            return self._outcome(data, path, shown, (), (), parsed=False, stamp=stamp)
        cache = self.cache
        if cache is not None:
            key = cache.key(data, module)
            entry = cache.get(key, shown)
            if entry is not None:
                return self._outcome(data, path, shown, *entry, parsed=True, key=key, stamp=stamp)
        return Task(seq, path, shown, module, data, given is not None, stamp)

    def check(self, task: Task) -> FileOutcome:
        """The outcome of a file ``triage`` left to analyse; a worker reads the text again."""
        data, task.data = task.data, None
        if data is None:
            try:
                data = read_file(task.path)
            except OSError as exc:
                return FileOutcome(path=task.shown, findings=[unreadable(task.shown, exc)])
            if self.prefilter is not None and not self.prefilter.keeps(data, task.module):
                # the file changed since the parent read it
                return self._outcome(data, task.path, task.shown, (), (), parsed=False)
        findings, calls, facts = self.analyse(data, task)
        return self._outcome(
            data,
            task.path,
            task.shown,
            findings,
            calls,
            facts,
            parsed=True,
            key=task.key,
            stamp=task.stamp,
        )

    def analyse(
        self, data: bytes, task: Task
    ) -> tuple[list[Finding], list[CallSite], Facts | None]:
        """The analysis of one file, stored in the cache; a failure is a finding, never an
        exception."""
        from contractlint.analysis import (  # libcst only when there is work
            AnalysisCut,
            ContractIndex,
            analyse_source,
        )

        if self._index is None:
            self._index = ContractIndex(self.job.contracts)
        index = self._index
        keep, facts = True, None
        config = self.job.config

        def analysed(analyse: Callable[..., FileResult]) -> FileResult:
            return analyse(
                data,
                task.shown,
                index,
                task.module,
                target_version=config.target_version or None,
                project=self.job.project,
                budget=config.analysis_budget,
            )

        deep = False
        try:
            try:
                result = analysed(analyse_source)
            except RecursionError:  # valid, but deeper than the recursion limit: again, with room
                from contractlint.analysis import analyse_deep

                deep = True
                result = analysed(analyse_deep)
            findings, calls, facts = result.findings, result.calls, result.facts
        except AnalysisCut as cut:  # a count of work: the same answer every time, so kept
            findings, calls = [cut_short(task.shown, cut.budget, cut.line, cut.where)], []
        except Exception as exc:  # one file's surprise must not lose the others' results
            if deep and isinstance(exc, (RecursionError, MemoryError)):
                failure = cannot_check(task.shown, "cannot check: the code is nested too deeply")
            else:
                failure = internal_error(task.shown, exc)
            findings, calls, keep = [failure], [], False
        cache = self.cache
        if keep and cache is not None and not task.given:  # a text the disk does not hold: not kept
            task.key = cache.key(data, task.module)
            cache.put(task.key, findings, calls, facts)
        return findings, calls, facts

    def _outcome(
        self,
        data: bytes,
        path: str,
        shown: str,
        findings: Sequence[Finding],
        calls: Sequence[CallSite],
        facts: Facts | None = None,
        *,
        parsed: bool,
        key: str = "",
        stamp: Stamp | None = None,
    ) -> FileOutcome:
        """What the analysis found in the file, with its acceptances applied unless the run follows
        calls (they are applied after the follow)."""
        found = FileOutcome(
            path=shown,
            findings=findings,
            calls=calls,
            parsed=parsed,
            facts=facts,
            marked=b"contractlint" in data,
            source=path,
            key=key,
            stamp=stamp,
        )
        return found if self.job.follow_calls else apply_acceptances(self.job, found, data)


def apply_acceptances(
    job: Job,
    found: FileOutcome,
    data: bytes | None = None,
    marks: Parsed | None = None,
    upstream: Mapping[int, Sequence[tuple[str, Finding]]] | None = None,
    accepted: Mapping[str, Acceptance] | None = None,
) -> FileOutcome:
    """The outcome the report takes: ``found``, what the analysis found in one file, with the
    file's per-file ignores and acceptances applied (cheap, and never cached: they depend on the
    date). ``data``, the file's text, is needed only when it mentions contractlint; it is read
    from the disk when not given. ``marks``: the file's acceptances, when read already;
    ``upstream`` and ``accepted``: what they accept at callers elsewhere
    (``contractlint.run.accepting``)."""
    if not found.findings and not found.calls and not found.marked:
        return FileOutcome(path=found.path, parsed=found.parsed)  # most files: nothing to apply
    from contractlint import acceptance  # only for a file with findings, calls or acceptances

    if marks is None:
        marks = read_marks(found, data)
    codes = selected_codes(job, found.source)
    kept = [f for f in found.findings if f.code in codes]
    applied = acceptance.apply(
        marks,
        kept,
        found.calls,
        job.today,
        set(codes),
        job.config.acceptance_policy,
        upstream,
        accepted,
    )
    risks = []
    for i, given in enumerate(marks.acceptances):
        covered = applied.used[i]
        risks.append(
            Risk(
                given,
                tuple(sorted({f.contract for f in covered if f.contract})),
                len(covered),
                given.expired(job.today),
            )
        )
    return FileOutcome(
        path=found.path,
        findings=applied.findings,
        calls=applied.calls,
        risks=risks,
        parsed=found.parsed,
    )


def read_marks(found: FileOutcome, data: bytes | None = None) -> Parsed:
    """The acceptances of the file of ``found`` (its text ``data``, read from the disk when not
    given and the file mentions contractlint)."""
    from contractlint import acceptance

    if data is None:
        data = b""
        if found.marked:
            try:
                data = read_file(found.source)
            except OSError:
                pass
    return acceptance.parse(data, found.path) if b"contractlint" in data else acceptance.Parsed()


def selected_codes(job: Job, path: str) -> frozenset[str]:
    """The codes of ``job`` that the configuration's ``per-file-ignores`` leave for ``path``."""
    config = job.config
    if not config.per_file_ignores:
        return job.codes
    rel = config.relative(path)
    ignored = [
        code
        for pattern, codes in config.per_file_ignores.items()
        if path_matches(rel, pattern)
        for code in codes
    ]
    return job.codes - select_codes(ignored, []) if ignored else job.codes
