"""The outcome of each file of a run, in the order of the paths whatever the number of workers,
and with memory that does not grow with the number of files.

The parent reads every file once, as bytes, and triages it (``FileCheck.triage``): a file that
cannot hold a service call, or whose analysis is cached, is finished there, never parsed. Only
the files left are analysed: in this process when they are few, else by worker processes
(``contractlint.run.pool``, started only then, so a small run never pays for them) that read the
file again, analyse it, store the entry and send back the outcome. The parent keeps no source
text beyond the few files it holds at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from contractlint.run.filecheck import FileCheck, FileOutcome, Job, Task
from contractlint.run.names import FileNames
from contractlint.run.pool import Workers

if TYPE_CHECKING:
    from contractlint.output.progress import Progress
    from contractlint.run.pool import Pool

#: Below this much work (files, or bytes of source in two files or more) to analyse, a pool costs
#: more than it saves. One file alone is analysed here, however big: a worker would only add a
#: second process holding the outcome while this one waits for it.
POOL_MIN_FILES = 12
POOL_MIN_BYTES = 192 * 1024
#: Outcomes held back behind a slow file before the parent stops reading and waits for it.
WINDOW = 4096


def check_files(
    paths: Iterable[str],
    job: Job,
    jobs: int = 1,
    sources: Mapping[str, bytes] | None = None,
    progress: Progress | None = None,
    names: FileNames | None = None,
    turned_away: Callable[[str, bytes], object] | None = None,
    workers: Workers | None = None,
) -> Iterator[FileOutcome]:
    """The outcome of each path, in the order given, checked by up to ``jobs`` worker processes
    (1: all in this process). ``sources`` gives the text of some paths instead of the disk.
    ``progress`` counts each file read and each outcome handed on. ``names``: the run's
    ``FileNames``, when it has one. ``turned_away`` is given the path and text of each file the
    prefilter turns away. ``workers``: the run's pool, when it checks files in several steps (its
    workers serve any number of files once started); else a pool of this call's own."""
    check = FileCheck(job)
    names = names if names is not None else FileNames(job.import_roots)
    left = _Left(check, jobs, progress, workers)
    done = left.done
    try:
        for seq, path in enumerate(paths):
            shown, module = names(path)
            given = sources.get(path) if sources is not None else None
            found = check.triage(seq, path, shown, module, given, turned_away)
            if progress is not None:
                progress.read(type(found) is not FileOutcome or found.parsed)
            if isinstance(found, FileOutcome):
                done[seq] = found
                if left.pool is not None and not seq % 16:
                    left.feed()  # keep the workers fed while files go by unparsed
            elif jobs <= 1:
                done[seq] = check.check(found)
            else:
                left.add(found)
            if left.next in done:
                yield from left.ready()
            while len(done) > WINDOW and left:  # a slow file holds the outcomes behind it back
                left.step()
                yield from left.ready()
        if progress is not None:
            progress.ended()
        while left:
            left.step()
            yield from left.ready()
    finally:
        left.close()


class _Left:
    """The files left to analyse, and the outcomes not yet handed out: a file is analysed in this
    process until there are enough of them to pay for a pool, then by the pool."""

    def __init__(
        self,
        check: FileCheck,
        jobs: int,
        progress: Progress | None = None,
        workers: Workers | None = None,
    ):
        self.check = check
        self.jobs = jobs
        self.progress = progress
        #: Whether the pool is this call's own, closed at its end.
        self.own = workers is None
        self.workers = workers if workers is not None else Workers(jobs)
        #: Outcomes by place in the run, until every earlier one is out.
        self.done: dict[int, FileOutcome] = {}
        self.next = 0
        self.waiting: deque[Task] = deque()
        self.waiting_bytes = 0
        self.pool: Pool | None = None

    def __bool__(self) -> bool:
        """Whether a file is still to analyse, here or in the pool."""
        return bool(self.waiting) or (self.pool is not None and self.pool.busy())

    def ready(self) -> Iterator[FileOutcome]:
        """The outcomes that are next in the order of the paths."""
        done, progress = self.done, self.progress
        while self.next in done:
            outcome = done.pop(self.next)
            if progress is not None:
                progress.checked(outcome.parsed)
            yield outcome
            self.next += 1

    def add(self, task: Task) -> None:
        self.waiting.append(task)
        self.waiting_bytes += len(task.data or b"")
        if self.pool is None and (
            self.workers.pool is not None  # started by an earlier step: it costs nothing more
            or len(self.waiting) >= POOL_MIN_FILES
            or (len(self.waiting) > 1 and self.waiting_bytes >= POOL_MIN_BYTES)
        ):
            self.pool = self.workers.pool_for(self.check.job)
        if self.pool is not None:
            for queued in self.waiting:
                if not queued.given:
                    queued.data = None  # the worker reads it again: the parent holds no text
            self.waiting_bytes = 0
            self.feed()

    def feed(self) -> None:
        """Send the pool what it can take, and take what it has done, without waiting."""
        if self.pool is not None:  # none yet: the files wait for enough of them to start one
            self.pool.dispatch(self.waiting)
            self.pool.collect(self.done, self.waiting, block=False)

    def step(self) -> None:
        """Move the work on: the next file analysed here, or the pool's next outcomes waited for."""
        if self.pool is None:
            task = self.waiting.popleft()
            self.waiting_bytes -= len(task.data or b"")
            self.done[task.seq] = self.check.check(task)
        else:
            self.pool.dispatch(self.waiting)
            self.pool.collect(self.done, self.waiting, block=True)

    def close(self) -> None:
        if self.own:
            self.workers.close()
        elif self.pool is not None:
            self.workers.release(self.pool)  # kept for the run's next step
