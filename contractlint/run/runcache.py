"""The cache of a whole run: what following errors through the project found, file by file, kept
so that a run over a tree where nothing changed reads one entry instead of every file's.

A run that follows errors (``Job.follow_calls``) parses the files the prefilter keeps, then, in rounds, the
files that name the project's helpers that carry an error, then works out the project's fixpoint.
With every file's analysis in the per-file cache, that last step and the reading of the entries
are still most of a warm run. The run's entry keeps the result: for each file of the run (in the
order discovery gives them), its stamp, whether it was parsed, the cache key of the text that was
analysed, whether its text mentions contractlint, and its findings and calls before acceptances
(those depend on the date, and are applied to the result as to any other).

The entry answers again only when the result would be the same:

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

A file's bytes are read only when its stamp (size, modification and change times in nanoseconds,
inode, device: what ``fstat`` says, as git's index keeps it) differs from the one kept. A stamp is
taken just before the file is read, and kept only for a file last changed at least ``RACY_NS``
before the run started: a file changed while the run read it, or within the same tick of the
file system's clock as the kept stamp, is read again next time. Any change to a file's bytes moves
its change time, which no program can set back, so a file with the kept stamp holds the bytes that
were analysed.

The entry is named by the run's salt, working directory and paths, so that two runs over
different parts of a tree (or different trees sharing a cache folder) keep one entry each; it is
written only when every file was read and every parsed file's analysis could be stored, and only
for runs over a folder (a pre-commit run names its files, a few at a time).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from contractlint.model import CallSite, Finding
from contractlint.model.project import Reach
from contractlint.run.filecheck import FileOutcome, Job, open_cache
from contractlint.run.names import FileNames
from contractlint.run.prefilter import Prefilter
from contractlint.run.reading import Stamp, read_stamped

if TYPE_CHECKING:
    from contractlint.run.cache import Cache

#: Bump when the layout or the meaning of an entry changes.
FORMAT = "contractlint-run-2"
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
    """``found``, unless the file changed less than ``RACY_NS`` before ``now_ns`` (when it was taken, or
    earlier): a later change could then fall in the same tick of the file system's clock."""
    if found is None or now_ns - max(found[1], found[2]) < RACY_NS:
        return None
    return found


class RunCache:
    """The entry of one run (``job``, over ``paths`` as given, from the working directory)."""

    def __init__(self, job: Job, paths: Sequence[str]):
        self.job = job
        self.cache: Cache = open_cache(job)
        self.salt = self.cache.salt.decode() + (
            "|prefilter" if job.use_prefilter else "|every file"
        )
        import hashlib  # a run over named files (pre-commit) never gets here

        digest = hashlib.blake2b(self.salt.encode(), digest_size=20)
        for part in (
            os.getcwd(),
            os.path.abspath(job.config.root),
            *paths,
        ):  # the root names the modules
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        self.name = digest.hexdigest()
        #: Before the run stamps (or reads) any file: what racy stamps are judged against.
        self.started = _now()

    def replay(self, files: Sequence[str]) -> list[FileOutcome] | None:
        """The raw outcomes of ``files`` (followed through the project, before acceptances) from the
        entry, or None when there is none or it would not answer as a run would."""
        entry = self.cache.get_run(self.name)
        if entry is None or len(entry) != 5 or entry[0] != FORMAT or entry[1] != self.salt:
            return None
        _, _, kept, searched, results = entry
        if (
            not isinstance(kept, list)
            or len(kept) != len(files)
            or not isinstance(results, dict)
            or not isinstance(searched, Reach)
        ):
            return None
        try:
            outcomes, renewed = self._replay(files, kept, searched, results)
        except (
            TypeError,
            ValueError,
            AttributeError,
        ):  # an entry of the right kind, with rows of another
            return None
        if (
            outcomes is not None and renewed
        ):  # stamps that were missing or moved (a touched file, one
            self.record(files, outcomes, searched)  # edited just before the last run): kept anew
        return outcomes

    def _replay(
        self, files: Sequence[str], kept: list, searched: Reach, results: dict
    ) -> tuple[list[FileOutcome] | None, bool]:
        checks = _Checks(self.job, searched)
        outcomes: list[FileOutcome] = []
        renewed = False
        for path, (source, shown, old, parsed, key, marked) in zip(files, kept):
            if path != source or not isinstance(shown, str) or not isinstance(key, str):
                return None, False
            new = stamp(path, self.started)
            if new is None or new != old:
                try:
                    data, new = read_stamped(path)
                except OSError:
                    return None, False
                if not checks.same(path, data, parsed, key):
                    return None, False
                marked, renewed = b"contractlint" in data, True
            findings, calls = results.get(len(outcomes), ((), ()))
            findings, calls = list(findings), list(calls)
            if not all(isinstance(f, Finding) for f in findings) or not all(
                isinstance(c, CallSite) for c in calls
            ):
                return None, False
            outcomes.append(
                FileOutcome(
                    path=shown,
                    findings=findings,
                    calls=calls,
                    parsed=bool(parsed),
                    marked=bool(marked),
                    source=path,
                    key=key,
                    stamp=new,
                )
            )
        return outcomes, renewed

    def record(
        self, files: Sequence[str], outcomes: Sequence[FileOutcome], searched: Reach | None
    ) -> None:
        """Keep the raw outcomes of a run over ``files``, when they can answer again (``searched``:
        what the prefilter's rounds searched for; None when they did not run)."""
        if len(outcomes) != len(files):
            return
        kept = []
        results: dict[int, tuple[list[Finding], list[CallSite]]] = {}
        for i, (path, outcome) in enumerate(zip(files, outcomes)):
            if outcome.source != path or (outcome.parsed and not outcome.key):
                return  # not analysed, or not stored: the next run must look at it
            if not outcome.parsed and outcome.findings:
                return  # it could not be read
            if any(f.code == "CL999" for f in outcome.findings):
                return  # an internal error, perhaps a worker killed by the system: not an answer to keep
            found = trusted(outcome.stamp, self.started)
            kept.append((path, outcome.path, found, outcome.parsed, outcome.key, outcome.marked))
            if outcome.findings or outcome.calls:
                results[i] = (list(outcome.findings), list(outcome.calls))
        self.cache.put_run(self.name, (FORMAT, self.salt, kept, searched or Reach(), results))


class _Checks:
    """Whether a file whose stamp moved still gives the result kept: built on first use."""

    def __init__(self, job: Job, searched: Reach):
        self.job = job
        self.searched = searched
        self._ready = False

    def same(self, path: str, data: bytes, parsed: bool, key: str) -> bool:
        if not self._ready:
            self._ready = True
            self.names = FileNames(self.job.config)
            self.prefilter = Prefilter(self.job.contracts) if self.job.use_prefilter else None
            self.matches = self.searched.matcher()
            self.cache = open_cache(self.job)
        module = self.names(path)[1]
        if parsed:
            return self.cache.key(data, module) == key
        if self.prefilter is None or self.prefilter.keeps(data, module):
            return False
        return not self.matches(data)
