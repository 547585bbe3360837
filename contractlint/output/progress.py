"""The progress of a long run on a terminal: one line on standard error, rewritten in place,
saying the phase, the files read and parsed, and the time since the run started.

A run of a few seconds never shows it: the line is first drawn ``AFTER`` seconds after the start,
then redrawn at most every ``EVERY`` seconds, by a thread of its own, so that a long step with no
file to count (the project-wide pass over every parsed file) still shows the time go by. The run
only counts (``phase``, ``read``, ``found``, ``checked``, ``step``): attribute updates in the
parent process, where the workers' outcomes arrive; with the display off it gets None and counts
nothing.

The line is erased (``close``) before anything else is written, so the findings and the
diagnostics that follow are clean. ``open_progress`` decides whether there is a display at all:
only on a terminal, never in CI (``CI`` set), with ``--quiet``, or on a terminal that cannot move
its cursor (``TERM=dumb``). ``NO_COLOR`` does not matter: the line has no colour.

``CONTRACTLINT_PROGRESS_AFTER`` (seconds) replaces ``AFTER``: for the tests, which run a
small tree through a pseudo-terminal with ``0``; not a setting for users.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Callable, TextIO

#: Seconds after the start before the line is first drawn, and between two draws.
AFTER = 1.5
EVERY = 0.1
#: Moves to the start of the line; erases from the cursor to its end.
_START = "\r"
_ERASE = "\x1b[K"


class Progress:
    """What the run has done so far, drawn on ``stream``: ``tick`` draws when it is time (the
    thread ``start`` begins calls it), ``close`` erases the line for good.

    The line goes straight to the stream's file descriptor, as one ``os.write``: the drawing
    thread never holds the lock of the stream's buffer, so a worker process forked while it
    draws (``contractlint.run.pool``) does not inherit that lock taken, and can still write to
    standard error.

    ``clock`` gives seconds (``time.monotonic``); ``width`` the columns of the terminal, asked at
    each draw so that a narrowed window never wraps the line (a wrapped line cannot be erased)."""

    def __init__(
        self,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        after: float = AFTER,
        every: float = EVERY,
        width: Callable[[], int] | None = None,
    ):
        self.stream = stream
        self._fd = _descriptor(stream)
        self.clock = clock
        self.after = after
        self.every = every
        self.width = width or _width_of(stream)
        self.started = clock()
        #: No line before ``_first``, and none before ``_next`` but at a change of phase.
        self._first = self._next = self.started + after
        self._live = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._shown = False
        self._closed = False
        self.phase("starting")

    # What the run calls: plain updates, read by the thread that draws.

    def phase(
        self, name: str, unit: str | None = None, total: int | None = None, note: str = ""
    ) -> None:
        """A new phase: its counts start at zero. ``unit`` names what ``read`` and ``step``
        count ("read", "found", "searched"); None shows no count. ``total``: how many there are,
        when known. ``note``: what else the line says of it ("34 more files")."""
        self.name = name
        self.note = note
        self.unit = unit
        self.total = total
        self.count = 0
        self.kept = 0
        self.parsed = 0
        if self._live:
            self.tick(now=True)

    def step(self) -> None:
        """One more file of the phase (found, searched)."""
        self.count += 1

    def read(self, kept: bool) -> None:
        """One more file read; ``kept``: it is to be parsed (or its analysis was in the cache)."""
        self.count += 1
        self.kept += kept

    def found(self) -> None:
        """One more file to parse, found by a search (``checked`` counts it once parsed)."""
        self.kept += 1

    def checked(self, parsed: bool) -> None:
        """One more file's outcome handed on; ``parsed``: it was parsed (or came from the cache)."""
        self.parsed += parsed

    def ended(self) -> None:
        """Every file of the phase is counted: the count is the total (a walk's end)."""
        self.total = self.count

    def counted(self, items: Iterable[str]) -> Iterator[str]:
        """``items``, each counted (``step``) as it goes by: a walk's paths, as they are found."""
        for item in items:
            self.count += 1
            yield item

    # The display.

    def line(self, elapsed: float, width: int = 0) -> str:
        """The line as it stands, ``elapsed`` seconds after the start; cut to ``width``
        characters (when given), the time kept whole."""
        parts = [self.note] if self.note else []
        if self.unit is not None:
            count, total = self.count, self.total
            parts.append(
                f"{count:,}/{total:,} {self.unit}"
                if total is not None
                else f"{count:,} {self.unit}"
            )
        if self.kept:
            parts.append(f"{self.parsed:,}/{self.kept:,} parsed")
        text = f"contractlint: {self.name}{': ' if parts else ''}{', '.join(parts)}"
        spent = f" ({elapsed:.1f} s)"
        if width and len(text) + len(spent) > width:
            text = text[: max(width - len(spent) - 3, 0)] + "..."
        return text + spent

    def tick(self, now: bool = False) -> None:
        """Draw the line if it is time: ``after`` seconds since the start, and ``every`` since the
        last draw unless ``now`` (a new phase is shown at once)."""
        with self._lock:
            at = self.clock()
            if self._closed or at < (self._first if now else self._next):
                return
            self._next = at + self.every
            text = self.line(at - self.started, max(self.width() - 1, 1))
            self._write(_START + text + _ERASE)
            self._shown = True

    def start(self, thread: bool = True) -> Progress:
        """Start the clock, and draw: at each new phase, and from a thread of its own (unless not
        ``thread``: the tests call ``tick``) until ``close``."""
        self.started = self.clock()
        self._first = self._next = self.started + self.after
        try:
            self.stream.flush()  # what was written before comes before the line
        except (OSError, ValueError):
            pass
        self._live = True
        if thread:
            self._thread = threading.Thread(
                target=self._run, name="contractlint-progress", daemon=True
            )
            self._thread.start()
        return self

    def _run(self) -> None:
        wait = self._next - self.clock()
        while not self._stop.wait(max(wait, 0.0)):
            self.tick()
            wait = self._next - self.clock()

    def close(self) -> None:
        """Erase the line (if it was drawn) and draw no more; again, it does nothing."""
        self._stop.set()
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._live = False
            if self._shown:
                self._write(_START + _ERASE)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _write(self, text: str) -> None:
        try:
            if self._fd is None:
                self.stream.write(text)
                self.stream.flush()
                return
            data = text.encode(getattr(self.stream, "encoding", None) or "utf-8", "replace")
            while data:
                data = data[os.write(self._fd, data) :]
        except (OSError, ValueError):  # the terminal went away: the run goes on without it
            self._closed = True


def _descriptor(stream: TextIO) -> int | None:
    """The file descriptor under ``stream``, or None (a stream in memory)."""
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _width_of(stream: TextIO) -> Callable[[], int]:
    def width() -> int:
        try:
            return os.get_terminal_size(stream.fileno()).columns or 80
        except (AttributeError, OSError, ValueError):
            return 80

    return width


def wanted(stream: TextIO, environ: Mapping[str, str], quiet: bool = False) -> bool:
    """Whether a run shows its progress on ``stream``: a terminal that can move its cursor, not in
    CI, not ``quiet``."""
    if quiet or environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    if environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def open_progress(
    stream: TextIO, environ: Mapping[str, str] | None = None, quiet: bool = False
) -> Progress | None:
    """The display of a run's progress on ``stream``, to ``start`` when the run does; None when
    there is none (``wanted``)."""
    environ = os.environ if environ is None else environ
    if not wanted(stream, environ, quiet):
        return None
    after = AFTER
    given = environ.get("CONTRACTLINT_PROGRESS_AFTER")
    if given:
        try:
            after = max(float(given), 0.0)
        except ValueError:
            pass
    return Progress(stream, after=after)
