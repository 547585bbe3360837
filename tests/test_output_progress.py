"""The progress line of a long run (``contractlint.output.progress``): what it draws and when, on a
clock the tests set, and where it is never drawn. Never timings."""

from __future__ import annotations

import io
import os

import pytest

from contractlint.output import progress as progress_module
from contractlint.output.progress import Progress, open_progress, wanted

ERASE = "\r\x1b[K"


class Terminal(io.StringIO):
    """Standard error as a terminal, in memory."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def display(width: int = 100) -> tuple[Progress, Terminal, Clock]:
    """A started display that draws only when the test ticks it."""
    stream, clock = Terminal(), Clock()
    shown = Progress(stream, clock=clock, after=1.5, every=0.1, width=lambda: width)
    return shown.start(thread=False), stream, clock


def drawn(written: Terminal | str) -> list[str]:
    """Each line drawn, without the escapes that draw it ("" for an erased line)."""
    text = written if isinstance(written, str) else written.getvalue()
    return [part.replace("\x1b[K", "") for part in text.split("\r")[1:]]


# -- the line, on a clock the test sets --------------------------------------------------------------


def test_nothing_is_drawn_before_the_threshold_then_at_most_every_tenth_of_a_second():
    shown, stream, clock = display()
    shown.phase("checking files", "read")
    for _ in range(3):
        shown.read(kept=True)
    shown.checked(parsed=True)
    clock.now += 1.4
    shown.tick()
    assert stream.getvalue() == ""
    clock.now += 0.2
    shown.tick()
    assert drawn(stream) == ["contractlint: checking files: 3 read, 1/3 parsed (1.6 s)"]
    shown.read(kept=False)
    clock.now += 0.05
    shown.tick()  # too soon after the last
    assert len(drawn(stream)) == 1
    shown.ended()
    clock.now += 0.05
    shown.tick()
    assert drawn(stream)[-1] == "contractlint: checking files: 4/4 read, 1/3 parsed (1.7 s)"


def test_a_new_phase_is_drawn_at_once_once_the_threshold_is_past():
    shown, stream, clock = display()
    shown.phase("discovering files", "found")
    assert stream.getvalue() == ""  # before the threshold, not even a phase
    clock.now += 2
    shown.tick()
    shown.phase("following errors, round 2", note="34 more files")
    shown.read(kept=True)
    shown.phase("following errors through the project")
    assert drawn(stream) == [
        "contractlint: discovering files: 0 found (2.0 s)",
        "contractlint: following errors, round 2: 34 more files (2.0 s)",
        "contractlint: following errors through the project (2.0 s)",
    ]


def test_close_erases_the_line_and_nothing_is_drawn_after():
    shown, stream, clock = display()
    shown.phase("checking files", "read", total=8805)
    for _ in range(1234):
        shown.read(kept=False)
    clock.now += 12.34
    shown.tick()
    shown.close()
    assert stream.getvalue() == (
        "\rcontractlint: checking files: 1,234/8,805 read (12.3 s)\x1b[K" + ERASE
    )
    clock.now += 5
    shown.tick()
    shown.phase("writing the report")
    shown.close()
    assert stream.getvalue().endswith(ERASE)
    assert stream.getvalue().count("\r") == 2


def test_a_short_run_writes_nothing_at_all():
    shown, stream, clock = display()
    for name in ("discovering files", "checking files", "writing the report"):
        shown.phase(name, "read")
        shown.read(kept=True)
        clock.now += 0.4
        shown.tick()
    shown.close()
    assert stream.getvalue() == ""


def test_the_line_is_cut_to_the_terminal_keeping_the_time():
    shown, stream, clock = display(width=40)
    shown.phase("following errors, round 12", "searched", total=123456)
    clock.now += 3
    shown.tick()
    (line,) = drawn(stream)
    assert line == "contractlint: following erro... (3.0 s)"
    assert len(line) == 39


def test_the_thread_draws_while_the_run_only_counts_and_stops_at_close():
    stream = Terminal()
    shown = Progress(stream, after=0.0, every=0.01, width=lambda: 100).start()
    shown.phase("following errors through the project")
    for _ in range(500):  # waits for the thread, asserts nothing of the time it takes
        if stream.getvalue().count("\r") >= 3:
            break
        shown._stop.wait(0.01)
    shown.close()
    lines = drawn(stream)
    assert lines[-1] == "" and len(lines) >= 3
    assert all(line.startswith("contractlint: ") for line in lines[:-1])
    assert not shown._thread.is_alive()


def test_a_terminal_that_goes_away_stops_the_display():
    class Gone(Terminal):
        def write(self, text):
            raise OSError(5, "Input/output error")

    shown = Progress(Gone(), clock=Clock(), after=0.0, width=lambda: 80).start(thread=False)
    shown.phase("checking files")
    shown.tick()
    shown.close()  # no exception, and nothing more attempted


# -- where it is never drawn -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ, quiet, shown",
    [
        ({}, False, True),
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, False, True),  # the line has no colour
        ({"CI": "false"}, False, True),
        ({"CI": "true"}, False, False),
        ({"CI": "1"}, False, False),
        ({"TERM": "dumb"}, False, False),
        ({}, True, False),
    ],
)
def test_only_on_a_terminal_that_can_move_its_cursor_outside_ci_and_not_quiet(
    environ, quiet, shown
):
    assert wanted(Terminal(), environ, quiet) is shown
    assert (open_progress(Terminal(), environ, quiet) is not None) is shown


def test_never_in_a_pipe_or_a_file():
    assert not wanted(io.StringIO(), {})
    assert open_progress(io.StringIO(), {}) is None
    with open(os.devnull, "w") as null:
        assert open_progress(null, {}) is None


def test_the_threshold_can_be_set_for_the_tests():
    assert open_progress(Terminal(), {}).after == progress_module.AFTER == 1.5
    assert open_progress(Terminal(), {"CONTRACTLINT_PROGRESS_AFTER": "0"}).after == 0.0
    assert open_progress(Terminal(), {"CONTRACTLINT_PROGRESS_AFTER": "soon"}).after == 1.5
