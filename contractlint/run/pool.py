"""Worker processes that check the files sent to them, each fed through its own pipe, so that the
file a dead worker was on is known: it costs that file a CL999 finding, and a new worker takes up
the rest. A run that checks files in several steps (the first check, then each round that follows
errors through the project) keeps its workers from one step to the next (``Workers``).

Between two files, a worker also reads the words of the files the prefilter turned away, for the
rounds to search (``Pool.hash_words``): the parent, which turns them away, has no time to spare
in a large run's first check, and the workers have some."""

from __future__ import annotations

import sys
from array import array
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contractlint.model.project import word_hashes, words_of
from contractlint.run.failures import internal_error, worker_died
from contractlint.run.filecheck import FileCheck, FileOutcome, Job, Task, selected_codes
from contractlint.run.reading import read_file

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

#: Files sent to a worker at once, and how many sends a worker may have waiting.
CHUNK = 4
AHEAD = 2
#: Files whose words a worker hashes at once, and how many such batches it may have waiting (its
#: pipe never fills: the parent never waits to send).
WORDS_BATCH = 64
WORDS_AHEAD = 2
#: A run whose walks find this many files starts its workers then, while they look for more
#: (``Workers.warm``): the workers load the analysis meanwhile, not once the first file needs it.
EARLY_FILES = 2000


def context():
    """How worker processes start: fork where it is safe, spawn elsewhere."""
    import multiprocessing

    # fork starts a worker in milliseconds and shares what the parent imported; macOS and Windows
    # cannot fork safely, and spawn re-imports this module there.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context(
        "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"
    )


def _worker_main(conn, job: Job | None) -> None:
    """Check the files the parent sends, for ``job``; None: the job comes later, and the worker
    loads the analysis while it waits (``warm``)."""
    import gc
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # A forked worker holds what the parent held (the facts of every file parsed so far): its
    # collections leave those alone (they would walk them all, and copy every page they touch),
    # and run whether or not the parent had them paused.
    gc.freeze()
    gc.enable()
    if job is None:
        warm()
    check = FileCheck(job) if job is not None else None
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if type(message) is tuple:
            if message[0] == "words":  # ("words", paths, the most words kept)
                conn.send(("words", [(path, _hashes(path, message[2])) for path in message[1]]))
            else:  # ("job", the job of the files that follow)
                check = FileCheck(message[1])
            continue
        assert check is not None, "a worker is told its job before its first files"
        for seq, path, shown, module, data, stamp in message:
            task = Task(seq, path, shown, module, data, data is not None, stamp)
            try:
                outcome = check.check(task)
            except (
                Exception
            ) as exc:  # past the analysis (which reports its own): one file's problem
                outcome = FileOutcome(
                    path=shown, findings=[internal_error(shown, exc)], parsed=True
                )
            conn.send((seq, outcome))


def _hashes(path: str, most: int) -> array | None:
    """The hashes of the distinct words of the file at ``path`` (``model.project.word_hashes``);
    None when it holds more than ``most`` or cannot be read (the parent reads it when it must)."""
    try:
        hashes = word_hashes(words_of(read_file(path)))
    except OSError:
        return None
    return hashes if len(hashes) <= most else None


def warm() -> None:
    """Load what checking a file needs: the analysis, and libcst, which writes the suggestions of a
    finding (a large tree has some)."""
    import contractlint.analysis
    import contractlint.analysis.suggest  # noqa: F401


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    outstanding: deque[Task] = field(default_factory=deque)
    #: Whether it was ever sent a file (else it may still be loading the analysis).
    used: bool = False
    #: The batches of files whose words it was sent and has not answered.
    words: int = 0


class Pool:
    """``size`` worker processes for ``job`` (None: told later, by ``use``, before any file).
    ``dispatch`` sends them files, ``collect`` takes their outcomes; a worker that died is replaced
    there."""

    def __init__(self, job: Job | None, size: int):
        self.job = job
        self.ctx = context()
        self.workers: list[_Worker] = [self._start() for _ in range(size)]
        #: The files whose words are to hash (``hash_words``), and those hashed so far.
        self._to_hash: deque[str] = deque()
        self._most = 0
        self.hashed: dict[str, array | None] = {}

    def _start(self) -> _Worker:
        parent_end, child_end = self.ctx.Pipe(duplex=True)
        process = self.ctx.Process(
            target=_worker_main, args=(child_end, self.job), daemon=True, name="contractlint-worker"
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def use(self, job: Job) -> None:
        """Check the files sent from now on for ``job``: the workers are told before the first
        (none may be waiting for an outcome)."""
        if job == self.job:
            return
        self.job = job
        for worker in self.workers:
            try:
                worker.conn.send(("job", job))
            except (OSError, ValueError):
                pass  # it died: collect() finds out, and its replacement starts with ``job``

    def busy(self) -> bool:
        return any(w.outstanding for w in self.workers)

    def hash_words(self, paths: Iterable[str], most: int) -> None:
        """Have the workers hash the distinct words of the files at ``paths`` (a file of more
        than ``most`` has none) between the files they check: ``hashed`` holds each once a
        worker answers (``collect`` and ``gather_words`` take the answers)."""
        self._to_hash.extend(paths)
        self._most = most
        self._send_words()

    def gather_words(self) -> dict[str, array | None]:
        """Every file's hashes asked for, once the workers have answered (when no file is out for
        checking); those a dead worker took are not there (they are read when needed).
        ``hashed`` is emptied."""
        self._send_words()
        while any(w.words for w in self.workers):
            self.collect({}, deque(), block=True)  # no outcome comes: no file is out
        hashed, self.hashed = self.hashed, {}
        return hashed

    def _send_words(self) -> None:
        """Send each worker batches of files to hash, up to ``WORDS_AHEAD`` waiting."""
        waiting = self._to_hash
        while waiting:
            sent = False
            for worker in self.workers:
                if not waiting or worker.words >= WORDS_AHEAD:
                    continue
                batch = [waiting.popleft() for _ in range(min(WORDS_BATCH, len(waiting)))]
                try:
                    worker.conn.send(("words", batch, self._most))
                except (OSError, ValueError):
                    continue  # it died: collect() finds out; these files are read when needed
                worker.words += 1
                sent = True
            if not sent:
                return

    def dispatch(self, waiting: deque[Task]) -> None:
        """Keep every worker fed: up to ``AHEAD`` chunks sent and not yet done. The workers take
        turns, and a chunk is smaller when few files wait (a level of five files between two
        rounds goes to both workers, not all of it to the first)."""
        size = min(CHUNK, max(1, len(waiting) // (2 * len(self.workers))))
        dead: set[int] = set()
        while waiting:
            sent = False
            for at, worker in enumerate(self.workers):
                if not waiting or at in dead or len(worker.outstanding) >= CHUNK * AHEAD:
                    continue
                chunk = [waiting.popleft() for _ in range(min(size, len(waiting)))]
                worker.outstanding.extend(chunk)
                worker.used = True
                try:
                    worker.conn.send(
                        [
                            (t.seq, t.path, t.shown, t.module, t.data if t.given else None, t.stamp)
                            for t in chunk
                        ]
                    )
                except (OSError, ValueError):
                    dead.add(at)  # it died: collect() finds out and hands its files on
                    continue
                sent = True
            if not sent:
                return

    def collect(self, done: dict[int, FileOutcome], waiting: deque[Task], block: bool) -> None:
        """The outcomes the workers have sent, into ``done`` by place in the run; the files of a
        worker that died go back to the front of ``waiting``, but the one it died on."""
        from multiprocessing.connection import wait

        active = [w for w in self.workers if w.outstanding or w.words]
        if not active:
            return
        handles = [w.conn for w in active] + [w.process.sentinel for w in active]
        ready = set(wait(handles, timeout=None if block else 0))
        for worker in active:
            dead = False
            if worker.conn in ready:
                dead = not self._receive(worker, done)
            if dead or worker.process.sentinel in ready:
                if not dead:
                    self._receive(worker, done)  # what it sent before it died
                if not worker.process.is_alive() or dead:
                    self._replace(worker, done, waiting)

    def _receive(self, worker: _Worker, done: dict[int, FileOutcome]) -> bool:
        """Every outcome waiting in the worker's pipe; False when the pipe is closed."""
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if type(message[0]) is str:  # ("words", [(path, hashes), ...])
                    worker.words -= 1
                    self.hashed.update(message[1])
                    self._send_words()
                    continue
                seq, outcome = message
                while worker.outstanding and worker.outstanding[0].seq != seq:
                    worker.outstanding.popleft()  # cannot happen: a worker answers in order
                if worker.outstanding:
                    worker.outstanding.popleft()
                done[seq] = outcome
        except Exception:  # closed, or cut short by the worker's death
            return False
        return True

    def _replace(self, worker: _Worker, done: dict[int, FileOutcome], waiting: deque[Task]) -> None:
        process = worker.process
        process.join(timeout=5)
        if worker.outstanding:
            culprit = worker.outstanding.popleft()
            done[culprit.seq] = self._died_on(culprit, process.exitcode)
            waiting.extendleft(reversed(worker.outstanding))
        try:
            worker.conn.close()
        except OSError:
            pass
        fresh = self._start()
        self.workers[self.workers.index(worker)] = fresh

    def _died_on(self, task: Task, exitcode: int | None) -> FileOutcome:
        """A worker died on this file: CL999 (when selected) and the run goes on."""
        finding = worker_died(task.shown, exitcode)
        job = self.job
        kept = (
            [finding] if job is not None and finding.code in selected_codes(job, task.path) else []
        )
        return FileOutcome(path=task.shown, findings=kept, parsed=True)

    def close(self) -> None:
        for worker in self.workers:
            if not worker.used:  # it holds nothing, and may be loading the analysis still
                worker.process.terminate()
                continue
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=2)
            try:
                worker.conn.close()
            except OSError:
                pass


class Workers:
    """The pool of a run that checks files in several steps, ``size`` workers: started by the first
    step that has enough files for one, kept for the next steps (each would fork workers of its
    own, which import libcst again to write their suggestions), closed with the run. A step that
    stops with files still out (an error, a generator left unfinished) closes it: their outcomes
    must not reach the next step."""

    def __init__(self, size: int):
        self.size = size
        self.pool: Pool | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def share_hashes(self) -> bool:
        """Whether the workers can hash words for this process (``Pool.hash_words``): there are
        some, and they are forked (a worker's ``hash`` is then this process's)."""
        return self.size > 1 and context().get_start_method() == "fork"

    def warm(self) -> None:
        """Start the workers now, with no job yet (``Pool.use`` tells them): the run will need them
        (its walks have found ``EARLY_FILES`` files), and they load the analysis while the walks go
        on. Workers a step never uses are stopped at once when the run ends."""
        if self.size > 1 and self.pool is None:
            self.pool = Pool(None, self.size)

    def pool_for(self, job: Job) -> Pool:
        """The run's pool, started if need be, checking files for ``job``."""
        if self.pool is None:
            self.pool = Pool(job, self.size)
        else:
            self.pool.use(job)
        return self.pool

    def release(self, pool: Pool) -> None:
        """A step is done with ``pool``: kept for the next, unless files are still out."""
        if pool is self.pool and pool.busy():
            self.close()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None
