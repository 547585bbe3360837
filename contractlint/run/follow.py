"""Following service errors through the project's own functions: the files the prefilter turned
away are parsed in rounds, once a helper they may call is known to carry an error, and the errors
are then followed through every parsed file (``contractlint.propagation``).

The prefilter keeps only files that import a service's module; a file that only calls the
project's own helpers is found here: each round searches the files not parsed yet for the names
that reach a carrier, as the files parsed so far tell them.

A run where a few files changed since the last one (a pre-commit run, which sees the whole
project) does the same work on what changed only: the files whose stamp did not move are taken
from the run's entry (``contractlint.run.runcache``), a parsed one's analysis from the per-file
cache, and one nobody parsed is not even read while the rounds search for nothing the last run
did not search it for. The files parsed, and so the result, are those of a run from scratch.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from contractlint.run.filecheck import FileOutcome, Job, open_cache
from contractlint.run.names import FileNames
from contractlint.run.pool import Workers
from contractlint.run.schedule import check_files
from contractlint.run.words import Rare, Words

if TYPE_CHECKING:
    from contractlint.model.project import Reach
    from contractlint.output.progress import Progress
    from contractlint.propagation.fixpoint import Follow
    from contractlint.propagation.names import Project
    from contractlint.run.runcache import Entry


#: A round that takes at least one in ``WIDE_SHARE`` of the files it searched, when at least
#: ``WIDE_LEFT`` files are left unparsed, parses every file left instead (``_rounds``): on a
#: plugin-style application, where most modules subclass the framework's classes, parsing them all
#: costs less than the rounds that would get to most of them one family at a time.
WIDE_SHARE = 6
WIDE_LEFT = 2000


def project_names(roots: Sequence[str], modules: Iterable[str] = ()) -> frozenset[str]:
    """The top-level module names of a project: what each of its import ``roots`` holds, and the
    first part of each of its ``modules`` (those named by their packages); a call into them may
    reach a function of the project, whose errors are followed."""
    names = {m.split(".", 1)[0] for m in modules}
    for root in roots:
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
    files: Sequence[str],
    job: Job,
    jobs: int,
    sources: Mapping[str, bytes] | None,
    covers: Sequence[str] | None = None,
    progress: Progress | None = None,
    names: FileNames | None = None,
    workers: Workers | None = None,
) -> list[FileOutcome]:
    """The outcomes of ``files`` once service errors are followed through the project, before
    acceptances: from the run's cache entry (named by ``covers``; None: keep none) when nothing it
    depends on changed (``contractlint.run.runcache``), else checked, with what did not change
    taken from the entry and the per-file cache, and kept there. ``progress`` is told each phase
    and counts the files. ``names``: the files' names under the job's import roots, when the
    caller has them. ``workers``: the run's pool, when it has one (else one of this call's own)."""
    run = entry = None
    if job.cache_dir and covers is not None:
        from contractlint.run.runcache import RunCache

        if progress is not None:
            progress.phase("reading the cache of the last run")
        run = RunCache(job, covers)
        entry = run.load()
        if entry is not None and sources is None:
            outcomes = run.replay(entry, files)
            if outcomes is not None:
                return outcomes
    clean: set[str] = set()
    if progress is not None:
        progress.phase("checking files", "read", len(files))
    # The rounds search the files the prefilter turns away by their words: those of each file are
    # kept as the first check reads it, once an error is known to leave a parsed file (``Words``).
    names = names if names is not None else FileNames(job.import_roots)
    # One pool of workers for the first check and the rounds.
    with Workers(jobs) if workers is None else nullcontext(workers) as workers:
        words = Words(sources, workers)
        outcomes = _first(files, job, jobs, sources, entry, clean, progress, names, words, workers)
        outcomes, searched, rounds = follow(
            outcomes,
            job,
            jobs,
            sources,
            clean,
            entry.searched if entry is not None else None,
            progress,
            names,
            words,
            workers,
        )
    if run is not None and sources is None:
        run.record(files, outcomes, searched, rounds)
    return outcomes


def _first(
    files: Sequence[str],
    job: Job,
    jobs: int,
    sources: Mapping[str, bytes] | None,
    entry: Entry | None,
    clean: set[str],
    progress: Progress | None = None,
    names: FileNames | None = None,
    words: Words | None = None,
    workers: Workers | None = None,
) -> list[FileOutcome]:
    """The outcome of each file before the rounds: what ``entry`` says of the files whose stamp
    did not move (a parsed one's analysis from the per-file cache; one nobody parsed joins
    ``clean``: it names nothing the entry's rounds searched for), every other file checked.
    ``words`` keeps the words of the files the prefilter turns away, from the first outcome on
    that lets an error escape (a run where none does has no round to search for it)."""
    away = words.keep if words is not None else None
    if entry is None:
        return [
            _seen(o, words)
            for o in check_files(files, job, jobs, sources, progress, names, away, workers)
        ]
    from contractlint.run.runcache import KEPT, UNPARSED

    cache = open_cache(job)
    outcomes: list[FileOutcome | None] = [None] * len(files)
    left = []
    for i, path in enumerate(files):
        row = entry.unchanged(path) if not (sources and path in sources) else None
        if row is None:
            left.append(i)
            continue
        known = FileOutcome(
            path=row.shown, marked=row.marked, source=path, key=row.key, stamp=row.stamp
        )
        if row.state == KEPT:
            found = cache.get(row.key, row.shown) if cache is not None else None
            if found is None:
                left.append(i)
                continue
            findings, calls, facts = found
            known = known._replace(findings=findings, calls=calls, facts=facts, parsed=True)
        elif row.state == UNPARSED:
            clean.add(path)
        outcomes[i] = known  # parsed in a round: the rounds decide again
    if progress is not None:
        progress.count += len(files) - len(left)  # known from the entry: counted as read
    checked = check_files(
        [files[i] for i in left], job, jobs, sources, progress, names, away, workers
    )
    for i, outcome in zip(left, checked):
        outcomes[i] = _seen(outcome, words)
    return outcomes  # type: ignore[return-value]


def _seen(outcome: FileOutcome, words: Words | None) -> FileOutcome:
    """``outcome``, after telling ``words`` to keep those of the files turned away from now on if
    an error leaves one of its functions: the rounds will search for their callers."""
    if words is not None and not words.wanted:
        facts = outcome.facts
        words.wanted = facts is not None and bool(facts.escapes or facts.sentinels)
    return outcome


def follow(
    outcomes: list[FileOutcome],
    job: Job,
    jobs: int = 1,
    sources: Mapping[str, bytes] | None = None,
    clean: set[str] | None = None,
    known: Reach | None = None,
    progress: Progress | None = None,
    names: FileNames | None = None,
    words: Words | None = None,
    workers: Workers | None = None,
) -> tuple[list[FileOutcome], Reach | None, set[str]]:
    """Outcomes before acceptances in, the same with the findings and calls of the whole project
    out (in the list given: its facts are freed), what the rounds searched for (every round's
    names together; None when nothing was parsed), and the files they parsed. ``clean``: files not
    parsed that name none of ``known`` (an earlier run searched them): read only once a round
    searches for a name outside it. ``progress`` is told each round (the first was the check of
    every file). ``names``, ``words``: the run's module names, and the words the first check kept
    of the files it turned away (let go once the rounds are over). ``workers``: the run's pool,
    closed once the rounds are over."""
    rounds: set[str] = set()
    if not any(o.facts is not None for o in outcomes):  # nothing parsed: nothing to follow
        return outcomes, None, rounds
    from contractlint.model.collector import uncollected
    from contractlint.model.project import Reach
    from contractlint.propagation import propagate

    # The rounds and the pass make many objects and free few: a collection would walk the facts
    # of every parsed file each time.
    with uncollected():
        searched, rounds, fixpoint = _rounds(
            outcomes,
            job,
            jobs,
            sources,
            clean if clean is not None else set(),
            known if known is not None else Reach(),
            progress,
            names if names is not None else FileNames(job.import_roots),
            words if words is not None else Words(sources),
            workers,
        )
        if workers is not None:
            workers.close()  # nothing is parsed after the rounds
        if words is not None:
            words.clear()  # the pass needs them no more
        # Only a parsed file's findings and calls change: the errors followed reach the calls
        # its facts hold.
        parsed = [o for o in outcomes if o.facts is not None]
        facts = {o.path: o.facts for o in parsed if o.facts is not None}
        findings = {o.path: list(o.findings) for o in parsed}
        calls = {o.path: list(o.calls) for o in parsed}
        del parsed
        if facts:
            if progress is not None:
                progress.phase("following errors through the project")
            findings, calls = propagate(
                facts,
                findings,
                calls,
                job.contracts,
                job.config.propagate,
                fixpoint,
                job.config.limits,
            )
        # In place, before the collector runs again: the facts are freed, not walked once more.
        outcomes[:] = [
            o
            if o.facts is None
            else o._replace(findings=findings[o.path], calls=calls[o.path], facts=None)
            for o in outcomes
        ]
        del facts, findings, calls, fixpoint
    return outcomes, searched, rounds


def _rounds(
    outcomes: list[FileOutcome],
    job: Job,
    jobs: int,
    sources: Mapping[str, bytes] | None,
    clean: set[str],
    known: Reach,
    progress: Progress | None,
    names: FileNames,
    words: Words,
    workers: Workers | None,
) -> tuple[Reach, set[str], Follow | None]:
    """``follow``'s rounds: each parses the files that name what the files parsed so far say leads
    to a carrier, into ``outcomes``. What they searched for, the files they parsed, and the
    fixpoint of the facts as they stand when no file was added in the last round."""
    from contractlint.model.project import Reach
    from contractlint.propagation import interesting_names
    from contractlint.propagation.calls import CallSites
    from contractlint.propagation.demand import Needs

    contracts = job.contracts
    rounds: set[str] = set()
    unparsed = {o.source: i for i, o in enumerate(outcomes) if not o.parsed and o.source}
    searched = Reach()
    modules: dict[str, list[str]] = {}
    for path in unparsed:  # two roots may hold a module of the same name: both are parsed
        modules.setdefault(names(path)[1], []).append(path)
    words.gather()  # what the workers hashed during the first check
    rare = Rare(unparsed, words)
    fixpoint = None  # the fixpoint of the facts as they stand, while no file is added
    sites = CallSites()  # the calls of the files parsed so far, grown round after round
    order = {o.path: place for place, o in enumerate(outcomes)}  # each file's place in the run
    grown: Project | None = None  # the names of the last round's files, grown by its levels
    number = 1  # the rounds so far: the first was the check of every file
    while unparsed:
        number += 1
        if progress is not None:
            progress.phase(f"following errors, round {number}")
        facts = {o.path: o.facts for o in outcomes if o.facts is not None}
        sites.add(facts)  # the calls of the files parsed since the last round
        wanted, fixpoint = interesting_names(
            facts, contracts, job.project, job.config.limits, rare, sites, order, grown
        )
        grown = None
        new = wanted - searched  # what no file matched last round, none matches now
        if not new:
            break
        searched = searched | wanted
        # The modules that hold a name the rounds need and no parsed file defines.
        demanded = {path for name in searched.unknown for path in _holders(name, modules)}
        clean -= demanded
        project: Project | None = None

        def release(grow: bool = bool(searched.methods)) -> None:
            """Files are added: the fixpoint is let go before the workers start, but for its names
            when the levels below grow them (``Needs``), with what it worked out of the classes'
            families and without its answers for names."""
            nonlocal fixpoint, project
            if fixpoint is not None and grow:
                project = fixpoint.project
                project.extend({})
            fixpoint = None

        # The files found go to the workers as the search finds them.
        search = _Found(
            list(unparsed), demanded, clean, known, searched, new, names, words, release
        )
        if progress is not None and new.clauses:  # else only modules are asked for
            progress.phase(f"following errors, round {number}", "searched", len(unparsed))
        again = replace(job, use_prefilter=False)
        more = search.found
        needs = None
        while more or more is search.found:
            if more is search.found:
                checked = check_files(
                    search.paths(progress), again, jobs, sources, None, names, None, workers
                )
            else:
                if progress is not None:
                    more_files = f"{len(more):,} more file{'s' if len(more) > 1 else ''}"
                    progress.phase(f"following errors, round {number}", note=more_files)
                # The biggest first, so that no worker is left alone with one at the end.
                more.sort(key=lambda path: _size(path, sources), reverse=True)
                checked = check_files(more, again, jobs, sources, progress, names, None, workers)
            at = []
            for k, outcome in enumerate(checked):
                path = more[k]
                place = unparsed.pop(path)
                outcomes[place] = outcome
                words.pop(path, None)
                rounds.add(path)
                if progress is not None and more is search.found:
                    progress.checked(outcome.parsed)
                if outcome.facts is not None:
                    at.append((place, outcome.path, outcome.facts))
            added = {shown: facts for _, shown, facts in sorted(at, key=lambda a: a[0])}
            # What the calls of the members searched for, and the classes that define one, need
            # of the files left (``demand``): parsed now, level by level, from the project's names
            # alone, before the next round works out the carriers again.
            if not more:
                break  # the search found nothing
            more = []
            if searched.methods:
                if needs is None:
                    facts = {o.path: o.facts for o in outcomes if o.facts is not None}
                    sites.add(facts)
                    needs = Needs(
                        facts,
                        contracts,
                        searched.methods,
                        job.project,
                        job.config.limits,
                        project,
                        sites,
                        order,
                    )
                    project = None
                needed = needs(added)
                more = [
                    p
                    for p in dict.fromkeys(p for n in needed for p in _holders(n, modules))
                    if p in unparsed
                ]
                clean -= set(more)
        # What the levels worked out of the classes' families holds for the next round's names.
        grown = needs.project if needs is not None else None
        project = needs = None
        if not search.found:
            break  # no file is added: the fixpoint stands
    return searched, rounds, fixpoint


@dataclass
class _Found:
    """One round's search of the files not parsed yet (``unparsed``, a copy: the round parses some
    as the search goes on), as the paths ``check_files`` takes: each module asked for by name, then
    each file whose words hold one of the ``new`` clauses as the search finds it, and every file
    left when the round spreads over the project (``WIDE_SHARE``). ``found`` lists them as they
    go. ``release`` is called before the first goes."""

    unparsed: list[str]
    demanded: set[str]
    clean: set[str]
    known: Reach
    searched: Reach
    new: Reach
    names: FileNames
    words: Words
    release: Callable[[], None]
    found: list[str] = field(default_factory=list)

    def paths(self, progress: Progress | None) -> Iterator[str]:
        unparsed, demanded, clean, words = self.unparsed, self.demanded, self.clean, self.words
        for path in unparsed:
            if path in demanded:
                yield self._give(path, progress)
        asked = len(self.found)  # not found by a search
        tried = 0
        unreadable = set()
        if self.new.clauses:  # else only modules are asked for: no file needs searching
            matches = self.new.matcher()
            # for the files an earlier run searched (``clean``): made once one of them is met
            every = None
            unknown = bool(clean) and bool(self.searched.clauses - self.known.clauses)
            for path in unparsed:
                if progress is not None:
                    progress.step()
                if path in demanded:
                    continue
                if path in clean:
                    if not unknown:
                        tried += 1  # searched, as from scratch: it names nothing searched for
                        continue
                    clean.discard(path)  # searched for everything at once, then as any other
                    every = every if every is not None else self.searched.matcher()
                    wanting = every
                else:
                    wanting = matches
                module = self.names(path)[1]
                hashed = words.get(path)
                if hashed is not None and not wanting.may(hashed, module):
                    tried += 1  # its words, as a round read them, hold no clause
                    continue
                try:
                    data, split, _ = words.read(path)
                except OSError:
                    unreadable.add(path)
                    continue
                tried += 1
                if wanting(data, module, split):
                    yield self._give(path, progress)
        found = len(self.found)
        if tried and len(unparsed) >= WIDE_LEFT and (found - asked) * WIDE_SHARE >= tried:
            # The rounds are spreading over the project: each would work out its names again over
            # more files than the last. Every file left is parsed at once, as a run without the
            # prefilter parses them (with the same findings), and no round follows.
            given = set(self.found)
            for path in unparsed:
                if path not in unreadable and path not in given:
                    yield self._give(path, progress)

    def _give(self, path: str, progress: Progress | None) -> str:
        if not self.found:
            self.release()
        self.found.append(path)
        if progress is not None:
            progress.found()
        return path


def _size(path: str, sources: Mapping[str, bytes] | None) -> int:
    """How many bytes ``path`` holds (0 when it cannot be told)."""
    if sources is not None and path in sources:
        return len(sources[path])
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _holders(name: str, modules: Mapping[str, list[str]]) -> list[str]:
    """The files of the longest head of ``name`` that is a module in ``modules`` (module → its
    files), if any: where a name such as ``app.client.Client.fetch`` is defined."""
    end = len(name)
    while end > 0:
        paths = modules.get(name[:end])
        if paths is not None:
            return paths
        end = name.rfind(".", 0, end)
    return []
