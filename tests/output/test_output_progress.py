"""The progress line of a long run (``contractlint.output.progress``): what it draws and when, on a
clock the tests set; where it is never drawn; what the run tells it; and the command on a
pseudo-terminal. Never timings."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sample_project import CONTRACTS, many, run, snapshot
from trees import write

from contractlint.config import Config
from contractlint.engine import check_paths
from contractlint.output import progress as progress_module
from contractlint.output.progress import Progress, open_progress, wanted
from contractlint.run import pool, schedule

REPO = Path(__file__).resolve().parents[2]
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


# -- the line, on a clock the test sets ------------------------------------------------------------


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


# -- where it is never drawn -----------------------------------------------------------------------


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


# -- what the run tells it -------------------------------------------------------------------------


class Recorder(Progress):
    """Each phase as it ended: name, note, unit, total, count, kept, parsed."""

    def __init__(self) -> None:
        self.phases: list[tuple] = []
        super().__init__(io.StringIO(), clock=Clock())

    def phase(self, name, unit=None, total=None, note=""):
        self.end()
        super().phase(name, unit, total, note)

    def end(self) -> None:
        if getattr(self, "name", "starting") != "starting":  # the display's own first phase
            self.phases.append(
                (self.name, self.note, self.unit, self.total, self.count, self.kept, self.parsed)
            )

    def names(self) -> list[str]:
        return [p[0] for p in self.phases]


def test_a_run_counts_every_file_read_and_parsed_and_finds_the_same(tmp_path):
    many(tmp_path, 30)
    quiet = run(tmp_path, jobs=1)
    seen = Recorder()
    report = run(tmp_path, jobs=1, progress=seen)
    seen.end()
    assert snapshot(report) == snapshot(quiet)
    assert seen.names()[:2] == ["discovering files", "checking files"]
    found, checked = seen.phases[:2]
    assert found[2:5] == ("found", 30, 30)
    assert checked[2:] == ("read", 30, 30, report.files_parsed, report.files_parsed)
    assert seen.names()[-1] == "following errors through the project"


def test_a_run_that_does_not_follow_calls_counts_the_files_found_then_those_read(tmp_path):
    many(tmp_path, 20)
    seen = Recorder()
    config = Config(root=str(tmp_path), follow_calls=False)
    report = check_paths([str(tmp_path)], config, CONTRACTS, progress=seen)
    seen.end()
    assert seen.names() == ["discovering files", "checking files"]
    parsed = report.files_parsed
    assert seen.phases[0][2:5] == ("found", 20, 20)
    assert seen.phases[1][2:] == ("read", 20, 20, parsed, parsed) and parsed > 0


def test_outcomes_of_the_workers_are_counted_in_the_parent(tmp_path, monkeypatch):
    monkeypatch.setattr(schedule, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(pool, "CHUNK", 2)
    many(tmp_path, 40)
    seen = Recorder()
    report = run(tmp_path, jobs=2, progress=seen)
    seen.end()
    checked = seen.phases[seen.names().index("checking files")]
    assert checked[2:] == ("read", 40, 40, report.files_parsed, report.files_parsed)


def helper_project(root: Path) -> None:
    """A helper that calls the capability client, and a caller that names only the helper: the
    caller is parsed in the second round."""
    shutil.copytree(
        REPO / "examples" / "capability-client" / "capability_client",
        root / "capability_client",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    files = {
        "app/__init__.py": "",
        "app/client.py": """
            from capability_client import CapabilityClient


            def fetch(user, sticker):
                return CapabilityClient().check(user, sticker)
            """,
        "app/views.py": """
            from .client import fetch


            def show(user, sticker):
                return fetch(user, sticker)
            """,
        "app/plain.py": "import os\n",
    }
    write(root, files, lstrip=True)


def test_the_rounds_that_follow_errors_are_told(tmp_path, monkeypatch):
    from contractlint.contracts import load_contracts

    helper_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    seen = Recorder()
    report = check_paths(
        ["app"], Config(root=str(tmp_path)), load_contracts(["capability-server"]), progress=seen
    )
    seen.end()
    assert [f.path for f in report.findings] == ["app/views.py"]
    rounds = [p for p in seen.phases if p[0] == "following errors, round 2"]
    # the names the files are searched for, then the search of the files not parsed yet, with the
    # file it finds parsed as it goes
    assert [p[1:] for p in rounds] == [
        ("", None, None, 0, 0, 0),
        ("", "searched", 3, 3, 1, 1),
    ]
    assert seen.names()[-1] == "following errors through the project"


def test_the_safe_fixes_are_counted(tmp_path):
    from test_fixes_cli import UNGUARDED

    from contractlint.engine import fix_paths

    shutil.copytree(
        REPO / "examples" / "capability-client" / "capability_client",
        tmp_path / "capability_client",
    )
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(UNGUARDED)
    seen = Recorder()
    paths = [str(tmp_path / "a.py"), str(tmp_path / "b.py")]
    _, fixed = fix_paths(paths, Config(root=str(tmp_path)), CONTRACTS, progress=seen)
    seen.end()
    assert len(fixed) == 2
    fixing = [p for p in seen.phases if p[0] == "applying the safe fixes"]
    assert [p[2:5] for p in fixing] == [("files", 2, 2)]


# -- the command, on a pseudo-terminal -------------------------------------------------------------


def on_terminal(root: Path, *args: str, **environ: str) -> tuple[str, str, int]:
    """``contractlint ARGS`` in ``root`` with standard error on a pseudo-terminal and
    standard output on a pipe: what each received, and the exit status."""
    import pty  # POSIX only

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "TERM")}
    env.update({"TERM": "xterm", "CONTRACTLINT_PROGRESS_AFTER": "0", **environ})
    env = {k: v for k, v in env.items() if v}
    parent, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "contractlint", *args],
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=child,
    )
    os.close(child)
    received = []
    while True:
        try:
            chunk = os.read(parent, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        received.append(chunk)
    os.close(parent)
    out = proc.stdout.read()
    proc.stdout.close()
    return out.decode(), b"".join(received).decode(), proc.wait()


@pytest.fixture
def project(tmp_path):
    helper_project(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.contractlint]\ncontracts = ["capability-server"]\n'
    )
    return tmp_path


pseudo_terminal = pytest.mark.skipif(
    sys.platform == "win32", reason="pseudo-terminals are POSIX (the pty module)"
)


@pseudo_terminal
def test_check_on_a_terminal_shows_each_phase_then_erases_it(project):
    out, err, status = on_terminal(project, "check", "--no-cache", "app")
    assert status == 1
    assert out.startswith("app/views.py:5:12: CL001 ") and "\r" not in out and "\x1b" not in out
    lines = drawn(err)
    every = len(list(project.rglob("*.py")))  # a run over app/ checks the whole project
    first = [
        next((i for i, line in enumerate(lines) if line.startswith(start)), None)
        for start in (
            "contractlint: discovering files: 0 found (",
            f"contractlint: checking files: 0/{every} read (",
            "contractlint: following errors, round 2: 0/",  # its search, then what it parses
            "contractlint: following errors through the project (",
            "contractlint: writing the report (",
        )
    ]
    assert None not in first and first == sorted(first), lines
    assert err.endswith(ERASE) and err.count(ERASE) == 1


@pseudo_terminal
@pytest.mark.parametrize(
    "args, environ",
    [
        (("--quiet",), {}),
        ((), {"CI": "true"}),
        ((), {"TERM": "dumb"}),
    ],
    ids=["quiet", "ci", "dumb-terminal"],
)
def test_check_on_a_terminal_shows_nothing_when_quiet_in_ci_or_on_a_dumb_terminal(
    project, args, environ
):
    out, err, status = on_terminal(project, "check", "--no-cache", *args, "app", **environ)
    assert status == 1 and out.startswith("app/views.py:5:12: CL001 ")
    assert "\r" not in err and "\x1b" not in err and "contractlint: checking" not in err


@pseudo_terminal
def test_diagnostics_come_after_the_line_is_erased(project):
    out, err, status = on_terminal(
        project, "check", "--no-cache", "--write-baseline", "b.json", "app"
    )
    assert status == 0 and out == ""
    drawing, erase, rest = err.rpartition(ERASE)
    assert drawing.startswith("\rcontractlint: ") and erase
    assert (
        rest == "contractlint: wrote 1 finding to b.json\r\n"
    )  # the terminal ends lines with \r\n


@pseudo_terminal
def test_report_on_a_terminal_erases_its_line_before_writing(project):
    out, err, status = on_terminal(project, "report", "--no-cache", "app")
    assert status == 0 and "app/client.py:5" in out and "\r" not in out
    assert "contractlint: writing the report" in err and err.endswith(ERASE)


def test_not_a_terminal_under_the_test_runner_nothing_on_standard_error(project, monkeypatch):
    from clirun import invoke

    monkeypatch.setenv("CONTRACTLINT_PROGRESS_AFTER", "0")
    monkeypatch.delenv("CI", raising=False)
    result = invoke("check", "--no-cache", "app", cwd=project)
    assert result.exit_code == 1
    assert "\r" not in result.stderr and "contractlint: checking" not in result.stderr
