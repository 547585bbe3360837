"""The cache of a whole run: what following errors through the project found, file by file, kept
so that a run over a project where nothing changed reads one entry instead of every file's, and
a run where a few files changed reads only those.

A run that follows errors (``Job.follow_calls``) parses the files the prefilter keeps, then, in
rounds, the files that name the project's helpers that carry an error, then works out the project's
fixpoint. With every file's analysis in the per-file cache, that last step and the reading of the
entries are still most of a warm run. The run's entry keeps the result: for each file of the run,
its stamp, whether it was parsed (kept by the prefilter, or by a round), the cache key of the text
that was analysed, whether its text mentions contractlint, and its findings and calls before
acceptances (those depend on the date, and are applied to the result as to any other); and what the
rounds searched for.

The entry answers again (``replay``) only when the result would be the same:

- the same tool, contracts, configuration and project modules (the per-file cache's salt), and
  the same prefilter setting;
- the same files, in the same order: discovery walks the folders anew every run, reading every
  ignore file of git it consults (``.gitignore``, ``info/exclude``, the global excludes file),
  so an edited one that brings a file back or leaves one out changes the files, and never
  replays a stale result; whether git's ignores count at all is part of the configuration;
- every parsed file has the same text: the cache key of its bytes is the one analysed;
- every file that was not parsed would still not be: the prefilter turns it away and it names none
  of the helpers the rounds searched for. (Its text may have changed: a file nobody parses adds
  nothing to the result.)

Otherwise it still says what did not change (``Entry.unchanged``): the follow then reads only the
files whose stamp moved, takes the analysis of the others from the per-file cache, and leaves
unread the files nobody parsed, which name none of what the rounds searched for, as long as the
rounds search for nothing more (``contractlint.run.follow``).

A file's bytes are read only when its stamp (size, modification and change times in nanoseconds,
inode, device: what ``fstat`` says, as git's index keeps it) differs from the one kept. A stamp is
taken just before the file is read, and kept only for a file last changed at least ``RACY_NS``
before the run started: a file changed while the run read it, or within the same tick of the
file system's clock as the kept stamp, is read again next time. Any change to a file's bytes moves
its change time, which no program can set back, so a file with the kept stamp holds the bytes that
were analysed.

The entry is named by the run's salt, working directory and what it covers (a project's folder and
import roots, or the paths of a run over files with no project), so that a run over any part of a
project, a few named files included, reads and keeps the project's entry; it is written only when
every file was read and every parsed file's analysis could be stored.
"""

from __future__ import annotations

import os
import time
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, NamedTuple

from contractlint.model import CallSite, Finding
from contractlint.model.project import Reach
from contractlint.run.filecheck import FileOutcome, Job, open_cache
from contractlint.run.names import FileNames
from contractlint.run.prefilter import Prefilter
from contractlint.run.reading import Stamp, read_stamped

if TYPE_CHECKING:
    pass

#: Bump when the layout or the meaning of an entry changes.
FORMAT = "contractlint-run-4"
#: A file changed less than this long (in nanoseconds) before the run looked at it keeps no stamp.
RACY_NS = 2_000_000_000

_now = time.time_ns


def stamp(path: str, now_ns: int) -> Stamp | None:
    """What ``os.stat`` says of the file, or None when it cannot say or the file changed lately."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return trusted((st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev), now_ns)


def trusted(found: Stamp | None, now_ns: int) -> Stamp | None:
    """``found``, unless the file changed less than ``RACY_NS`` before ``now_ns`` (when it was
    taken, or earlier): a later change could then fall in the same tick of the file system's
    clock."""
    if found is None or now_ns - max(found[1], found[2]) < RACY_NS:
        return None
    return found


#: What a run did with a file: not parsed, parsed as the prefilter kept it, parsed in a round.
UNPARSED, KEPT, ROUND = 0, 1, 2


class Row(NamedTuple):
    """What the entry keeps of one file."""

    shown: str
    stamp: Stamp | None
    state: int
    key: str
    marked: bool


class Entry:
    """A run's entry as read: its rows by path, what the rounds searched for, the results."""

    def __init__(self, rows: dict, searched: Reach, results: dict, started: int):
        self.rows = rows
        self.searched = searched
        self.results = results
        self.started = started

    def unchanged(self, path: str) -> Row | None:
        """The row of ``path``, when the file's stamp is still the one kept (its bytes were
        read)."""
        row = self.rows.get(path)
        if row is None or row.stamp is None or stamp(path, self.started) != row.stamp:
            return None
        return row


class RunCache:
    """The entry of the runs over one project (``job``; ``covers``: what names the entry)."""

    def __init__(self, job: Job, covers: Sequence[str]):
        self.job = job
        cache = open_cache(job)
        if cache is None:
            raise ValueError("the cache of a run needs the job's cache_dir")
        self.cache = cache
        self.salt = self.cache.salt.decode() + (
            "|prefilter" if job.use_prefilter else "|every file"
        )
        import hashlib

        digest = hashlib.blake2b(self.salt.encode(), digest_size=20)
        for part in (os.getcwd(), *covers):
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        self.name = digest.hexdigest()
        #: Before the run stamps (or reads) any file: what racy stamps are judged against.
        self.started = _now()

    def load(self) -> Entry | None:
        """The entry, or None when there is none or it is not of this run's kind."""
        entry = self.cache.get_run(self.name)
        if entry is None or len(entry) != 5 or entry[0] != FORMAT or entry[1] != self.salt:
            return None
        _, _, rows, searched, results = entry
        if (
            not isinstance(rows, dict)
            or not isinstance(results, dict)
            or not isinstance(searched, Reach)
        ):
            return None
        try:
            rows = {path: Row(*row) for path, row in rows.items() if isinstance(path, str)}
        except TypeError:
            return None
        if not all(isinstance(r.shown, str) and isinstance(r.key, str) for r in rows.values()):
            return None
        if not all(isinstance(path, str) and path in rows for path in results):
            return None
        return Entry(rows, searched, results, self.started)

    def replay(self, entry: Entry, files: Sequence[str]) -> list[FileOutcome] | None:
        """The raw outcomes of ``files`` (followed through the project, before acceptances) from
        ``entry``, or None when it would not answer as a run would."""
        if len(entry.rows) != len(files):
            return None
        try:
            outcomes, renewed = self._replay(entry, files)
        except (
            TypeError,
            ValueError,
            AttributeError,
        ):  # an entry of the right kind, with rows of another
            return None
        if outcomes is not None and renewed:
            # stamps that were missing or moved (a touched file, one edited just before the last
            # run): kept anew
            rounds = {path for path, row in entry.rows.items() if row.state == ROUND}
            self.record(files, outcomes, entry.searched, rounds)
        return outcomes

    def _replay(self, entry: Entry, files: Sequence[str]) -> tuple[list[FileOutcome] | None, bool]:
        checks = _Checks(self.job, entry.searched)
        outcomes: list[FileOutcome] = []
        renewed = False
        for path in files:
            row = entry.rows.get(path)
            if row is None:
                return None, False
            new = stamp(path, self.started)
            marked = row.marked
            if new is None or new != row.stamp:
                try:
                    data, new = read_stamped(path)
                except OSError:
                    return None, False
                if not checks.same(path, data, row.state != UNPARSED, row.key):
                    return None, False
                marked, renewed = b"contractlint" in data, True
            findings, calls = entry.results.get(path, ((), ()))
            findings, calls = list(findings), list(calls)
            if not all(isinstance(f, Finding) for f in findings) or not all(
                isinstance(c, CallSite) for c in calls
            ):
                return None, False
            outcomes.append(
                FileOutcome(
                    path=row.shown,
                    findings=findings,
                    calls=calls,
                    parsed=row.state != UNPARSED,
                    marked=bool(marked),
                    source=path,
                    key=row.key,
                    stamp=new,
                )
            )
        return outcomes, renewed

    def record(
        self,
        files: Sequence[str],
        outcomes: Sequence[FileOutcome],
        searched: Reach | None,
        rounds: Collection[str] = (),
    ) -> None:
        """Keep the raw outcomes of a run over ``files``, when they can answer again (``searched``:
        what the prefilter's rounds searched for, None when they did not run; ``rounds``: the
        files they parsed)."""
        if len(outcomes) != len(files):
            return
        rows = {}
        results: dict[str, tuple[list[Finding], list[CallSite]]] = {}
        for path, outcome in zip(files, outcomes):
            if outcome.source != path or (outcome.parsed and not outcome.key):
                return  # not analysed, or not stored: the next run must look at it
            if not outcome.parsed and outcome.findings:
                return  # it could not be read
            if any(f.code == "CL999" for f in outcome.findings):
                # an internal error, perhaps a worker killed by the system: not an answer to keep
                return
            state = ROUND if path in rounds else KEPT if outcome.parsed else UNPARSED
            found = trusted(outcome.stamp, self.started)
            rows[path] = tuple(Row(outcome.path, found, state, outcome.key, outcome.marked))
            if outcome.findings or outcome.calls:
                results[path] = (list(outcome.findings), list(outcome.calls))
        self.cache.put_run(self.name, (FORMAT, self.salt, rows, searched or Reach(), results))


class _Checks:
    """Whether a file whose stamp moved still gives the result kept: built on first use."""

    def __init__(self, job: Job, searched: Reach):
        self.job = job
        self.searched = searched
        self._ready = False

    def same(self, path: str, data: bytes, parsed: bool, key: str) -> bool:
        if not self._ready:
            self._ready = True
            self.names = FileNames(self.job.import_roots)
            self.prefilter = Prefilter(self.job.contracts) if self.job.use_prefilter else None
            self.matches = self.searched.matcher()
            self.cache = open_cache(self.job)
        module = self.names(path)[1]
        if parsed:
            return self.cache is not None and self.cache.key(data, module) == key
        if self.prefilter is None or self.prefilter.keeps(data, module):
            return False
        return not self.matches(data, module)
