"""The words of the files the prefilter turned away, which the rounds of ``contractlint.run.follow``
search: kept as hashes as the first check reads each file (or by the workers, ``run.pool``), so
that a round reads again only a file that may name what it searches for (``Words``); and how many
files left hold some names (``Rare``)."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from typing import TYPE_CHECKING

from contractlint.model.project import word_hashes, words_of
from contractlint.run.reading import read_file

if TYPE_CHECKING:
    from contractlint.run.pool import Workers


def read_given(path: str, sources: Mapping[str, bytes] | None) -> bytes:
    """The bytes of ``path``: from ``sources`` when it holds them (a run on text given)."""
    return sources[path] if sources is not None and path in sources else read_file(path)


#: The most distinct words of a file whose hashes the rounds keep (``Words``): 32 KB.
MOST_WORDS = 4096


class Words(dict):
    """The words of each file not parsed yet, kept as the hashes of its distinct words (path →
    array): given by the first check as it turns the file away (``keep``, once ``wanted``: an error
    leaves a parsed file, so the rounds will search), else made the first time a round reads the
    file. A round tells from them, without reading the file again, that it holds none of its
    clauses (``Reach.matcher``'s ``may``: most files do not); a file that may is read and matched
    as before, so a hash two words share costs a read, never a file. A file's hashes are let go
    once it is parsed.

    With the run's workers (``workers``, forked: they hash as this process does), the first check
    notes the files it turns away before ``wanted``; once it is, the workers read and hash those
    between the files they check, while this process hashes the next ones as it reads them, and
    the rounds take what the workers hashed (``gather``). A file no one hashed is read by the
    round that needs it, as any other."""

    def __init__(self, sources: Mapping[str, bytes] | None, workers: Workers | None = None):
        super().__init__()
        self.sources = sources
        #: Whether ``keep`` keeps what it is given.
        self.wanted = False
        #: The run's pool, when its workers hash the words (else this process does).
        self.workers = workers if workers is not None and workers.share_hashes else None
        #: The files turned away whose words no worker was asked to hash yet.
        self.pending: list[str] = []

    def read(self, path: str) -> tuple[bytes, list[bytes], array]:
        """The file's bytes, its words, and the hashes of its distinct words (kept unless they are
        more than ``MOST_WORDS``: a file of long prose is read again instead)."""
        data = read_given(path, self.sources)
        split = words_of(data)
        hashes = self.get(path)
        if hashes is None:
            hashes = self._keep(path, split)
        return data, split, hashes

    def keep(self, path: str, data: bytes) -> None:
        """Keep the hashes of the words of ``data``, the text of ``path`` read elsewhere, once
        ``wanted``; a file turned away before is noted for the workers (not a text given
        instead of the disk's)."""
        if self.wanted:
            if self.pending:
                self._send()
            self._keep(path, words_of(data))
        elif self.workers is not None and (self.sources is None or path not in self.sources):
            self.pending.append(path)

    def _send(self) -> None:
        pool = self.workers.pool if self.workers is not None else None
        if pool is not None:  # else they wait for one
            pool.hash_words(self.pending, MOST_WORDS)
            self.pending = []

    def gather(self) -> None:
        """Keep what the workers hashed, once they have answered: before the rounds read the
        hashes, with no file out for checking. The files no worker hashed are read when needed."""
        if self.workers is None:
            return
        if self.wanted:
            self._send()
        self.pending = []
        pool = self.workers.pool
        if pool is not None:
            for path, hashes in pool.gather_words().items():
                if hashes is not None:
                    self[path] = hashes

    def _keep(self, path: str, split: list[bytes]) -> array:
        hashes = word_hashes(split)
        if len(hashes) <= MOST_WORDS:
            self[path] = hashes
        return hashes

    def of(self, path: str) -> array:
        known = self.get(path)
        return known if known is not None else self.read(path)[2]


class Rare:
    """How many files not parsed yet hold each of some names as words (a hash two words share
    counts for both: an upper bound). A name is counted once, over the files not parsed when it
    is first asked for: the files left only get fewer, and the answer is the same in a run that
    reuses the last one's work (``clean``) and in one from scratch."""

    def __init__(self, unparsed: Mapping[str, int], words: Words):
        self.unparsed = unparsed
        self.words = words
        self.counts: dict[str, int] = {}

    def __call__(self, names: set[str]) -> dict[str, int]:
        new = {hash(w.encode()): w for w in names if w not in self.counts}
        if new:
            counts = dict.fromkeys(new.values(), 0)
            wanted = frozenset(new)
            for path in self.unparsed:
                try:
                    found = wanted.intersection(self.words.of(path))
                except OSError:
                    continue
                for one in found:
                    counts[new[one]] += 1
            self.counts.update(counts)
        return {w: self.counts[w] for w in names}
