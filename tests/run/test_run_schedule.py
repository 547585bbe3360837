"""The order of outcomes and the worker pool (``contractlint.run.schedule``,
``contractlint.run.pool``): behaviour, never timings (bench/ measures those)."""

from __future__ import annotations

import datetime
import os
import signal
from collections import deque

import pytest
from sample_project import CONTRACTS, UNGUARDED, many, run, snapshot

from contractlint.config import Config
from contractlint.engine import check_paths
from contractlint.run import filecheck, pool, schedule
from contractlint.run.filecheck import Job
from contractlint.run.names import display_path
from contractlint.run.schedule import check_files

TODAY = datetime.date(2030, 1, 1)

# -- workers ---------------------------------------------------------------------------------------


@pytest.fixture
def small_pool(monkeypatch):
    """A pool from the first file on, so that small trees exercise it."""
    monkeypatch.setattr(schedule, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(pool, "CHUNK", 2)


def test_the_output_is_the_same_whatever_the_number_of_workers(tmp_path, small_pool):
    many(tmp_path, 45)
    reference = snapshot(run(tmp_path, jobs=1))
    assert reference[0] and reference[1] and reference[5]
    for jobs in (2, 3, 5):
        assert snapshot(run(tmp_path, jobs=jobs)) == reference, jobs


def test_cli_output_is_byte_identical_with_one_or_many_jobs(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from contractlint.cli import main

    many(tmp_path, 30)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(schedule, "POOL_MIN_FILES", 1)
    outputs = set()
    for jobs in ("1", "2", "4"):
        result = CliRunner().invoke(
            main,
            [
                "check",
                "--no-cache",
                "--jobs",
                jobs,
                "--today",
                "2030-01-01",
                "--contract",
                "requests",
                "--contract",
                "capability-server",
                "pkg",
            ],
        )
        assert result.exit_code == 1, result.output
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_a_small_run_never_starts_a_pool(tmp_path, monkeypatch):
    many(tmp_path, 8)

    def refuse(*args, **kwargs):
        raise AssertionError("a pool for a handful of files")

    monkeypatch.setattr(pool, "Pool", refuse)
    assert run(tmp_path, jobs=8).files_parsed > 0


def test_a_large_run_starts_one_pool(tmp_path, monkeypatch):
    many(tmp_path, 60)  # 48 files to parse
    started = []
    real = pool.Pool

    def counting(*args, **kwargs):
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pool, "Pool", counting)
    assert snapshot(run(tmp_path, jobs=2)) == snapshot(run(tmp_path, jobs=1))
    assert len(started) == 1


def _carrier_and_callers(root, callers: int) -> None:
    """A module whose function lets a requests error escape, and ``callers`` modules that call it
    without importing requests: the first check parses the one, a round the others."""
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "client.py").write_text(
        "import requests\n\ndef fetch(url):\n    return requests.get(url, timeout=1)\n"
    )
    for i in range(callers):
        (root / "app" / f"use{i:02d}.py").write_text(
            f"from app.client import fetch\n\ndef show{i}():\n    return fetch('u{i}')\n"
        )


def test_the_first_check_and_the_rounds_share_one_pool(tmp_path, monkeypatch, small_pool):
    """The round's files go to the workers the first check started, which check them with the
    round's job (a worker still on the first check's would turn them away, their calls unseen)."""
    _carrier_and_callers(tmp_path, 20)
    forked = []
    real_start = pool.Pool._start
    monkeypatch.setattr(pool.Pool, "_start", lambda self: forked.append(1) or real_start(self))
    started = _pools(monkeypatch)
    shared = run(tmp_path, jobs=2)
    assert len(started) == 1 and len(forked) == 2
    alone = run(tmp_path, jobs=1)
    assert snapshot(shared) == snapshot(alone)
    assert shared.files_parsed == 21  # the empty __init__.py is never parsed
    assert len([f for f in shared.findings if f.code == "CL001"]) == 20


def test_a_step_left_unfinished_closes_the_runs_workers(tmp_path, small_pool):
    """Outcomes still out when a step stops must not reach the next: the pool goes with them. A
    step that ran to its end leaves the pool to the next."""
    many(tmp_path, 30)
    job = Job(tuple(CONTRACTS), Config(root=str(tmp_path)), frozenset({"CL001"}), TODAY)
    assert not job.follow_calls  # each file's findings are its own
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    expected = [o.findings for o in check_files(paths, job, jobs=1)]
    with pool.Workers(2) as workers:
        started = workers.pool_for(job)
        out = [filecheck.Task(i, p, p, "", None, False, None) for i, p in enumerate(paths[:4])]
        started.dispatch(deque(out))
        assert started.busy()  # sent, and their outcomes not taken
        workers.release(started)
        assert workers.pool is None
        # A step stopped after its first outcome, whatever was still out then.
        step = check_files(paths, job, 2, workers=workers)
        next(step)
        step.close()
        assert [o.findings for o in check_files(paths, job, 2, workers=workers)] == expected
        kept = workers.pool
        assert kept is not None and not kept.busy()
        assert [o.findings for o in check_files(paths, job, 2, workers=workers)] == expected
        assert workers.pool is kept
    assert workers.pool is None


@pytest.mark.parametrize("count", [2, 5, 8, 20])
def test_a_few_files_go_to_every_worker(tmp_path, count):
    """A level of a few files between two rounds goes to both workers, not all to the first; a
    long list still goes in chunks."""
    many(tmp_path, count)
    job = Job(tuple(CONTRACTS), Config(root=str(tmp_path)), frozenset({"CL001"}), TODAY)
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))[:count]
    with pool.Workers(2) as workers:
        started = workers.pool_for(job)
        tasks = deque(filecheck.Task(i, p, p, "", None, False, None) for i, p in enumerate(paths))
        started.dispatch(tasks)
        held = [len(w.outstanding) for w in started.workers]
        room = 2 * pool.CHUNK * pool.AHEAD  # what two workers hold at once
        assert sum(held) == min(count, room) and len(tasks) == max(0, count - room)
        assert abs(held[0] - held[1]) <= 1
        done: dict = {}
        while started.busy() or tasks:
            started.dispatch(tasks)
            started.collect(done, tasks, block=True)
        assert sorted(done) == list(range(count))


def _big(count: int) -> str:
    """A module of ``count`` functions, each with an unguarded call (about 60 bytes each)."""
    body = "".join(
        f"\n\ndef fetch_{i}(url):\n    return r.get(url, timeout=1)\n" for i in range(count)
    )
    return "import requests as r\n" + body


def _pools(monkeypatch) -> list:
    started: list = []
    real = pool.Pool

    def counting(*args, **kwargs):
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(pool, "Pool", counting)
    return started


def test_one_big_file_alone_is_analysed_here(tmp_path, monkeypatch):
    """A worker for the one file of a run would only be a second process holding its outcome."""
    (tmp_path / "big.py").write_text(_big(4000))
    assert (tmp_path / "big.py").stat().st_size > schedule.POOL_MIN_BYTES
    started = _pools(monkeypatch)
    report = run(tmp_path, jobs=2)
    assert len(report.findings) == 4000
    assert started == []


def test_two_files_holding_enough_bytes_start_a_pool(tmp_path, monkeypatch):
    (tmp_path / "a.py").write_text(_big(2000))
    (tmp_path / "b.py").write_text(_big(2000))
    assert (tmp_path / "a.py").stat().st_size * 2 > schedule.POOL_MIN_BYTES
    started = _pools(monkeypatch)
    assert snapshot(run(tmp_path, jobs=2)) == snapshot(run(tmp_path, jobs=1))
    assert len(started) == 1


@pytest.mark.skipif(
    pool.context().get_start_method() != "fork",
    reason="the crash is planted by patching the parent, which only forked workers inherit",
)
def test_a_worker_that_dies_costs_one_file_a_cl999_and_the_run_goes_on(
    tmp_path, small_pool, monkeypatch
):
    many(tmp_path, 24)
    reference = run(tmp_path, jobs=1)
    victims = {"pkg/sub1/m001.py": signal.SIGKILL, "pkg/sub1/m016.py": signal.SIGSEGV}
    original = filecheck.FileCheck.analyse

    def fragile(self, data, task):
        for suffix, sig in victims.items():
            if task.path.endswith(suffix):
                import faulthandler

                # pytest's would print the worker's stack: a real crash is quieter
                faulthandler.disable()
                os.kill(os.getpid(), sig)
        if task.path.endswith("pkg/sub0/m006.py"):
            os._exit(3)
        return original(self, data, task)

    monkeypatch.setattr(filecheck.FileCheck, "analyse", fragile)
    report = run(tmp_path, jobs=2)
    crashed = {
        f.path.split(str(tmp_path) + "/")[-1]: f for f in report.findings if f.code == "CL999"
    }
    assert set(crashed) == {*victims, "pkg/sub0/m006.py"}
    assert "was killed by SIGKILL; please report it" in crashed["pkg/sub1/m001.py"].message
    assert "was killed by SIGSEGV" in crashed["pkg/sub1/m016.py"].message
    assert "exited with status 3" in crashed["pkg/sub0/m006.py"].message
    lost = {f.path for f in crashed.values()}
    expected = [f for f in snapshot(reference)[0] if f[0] not in lost]
    assert [f for f in snapshot(report)[0] if f[2] != "CL999"] == expected
    assert report.files_checked == 24


def test_an_exception_in_the_analysis_is_a_cl999_with_where_it_happened(
    tmp_path, small_pool, monkeypatch
):
    import contractlint.analysis

    many(tmp_path, 10)

    def broken(data, path, index, module_name="", **options):
        raise KeyError("surprise")

    monkeypatch.setattr(contractlint.analysis, "analyse_source", broken)
    reports = [run(tmp_path, jobs=jobs) for jobs in (1, 2)]
    assert snapshot(reports[0]) == snapshot(reports[1])
    errors = [f for f in reports[0].findings if f.code == "CL999"]
    assert len(errors) == reports[0].files_parsed > 0
    assert all(
        "failed on this file: KeyError: 'surprise' at test_run_schedule.py:" in f.message
        for f in errors
    )
    assert all(
        f.message.endswith("please report it with the file (--verbose shows the trace)")
        for f in errors
    )


def test_outcomes_come_in_the_order_of_the_paths_even_when_a_slow_file_holds_them_back(
    tmp_path, small_pool, monkeypatch
):
    many(tmp_path, 30)
    monkeypatch.setattr(schedule, "WINDOW", 3)
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    job = Job(
        contracts=tuple(CONTRACTS),
        config=Config(root=str(tmp_path)),
        codes=frozenset({"CL001", "CL002"}),
        today=TODAY,
    )
    shown = [o.path for o in check_files(paths, job, jobs=3)]
    assert shown == [display_path(p) for p in paths]


def test_text_given_instead_of_the_disk_reaches_the_workers(tmp_path, small_pool):
    many(tmp_path, 12)
    target = tmp_path / "pkg" / "sub0" / "m003.py"  # PLAIN on disk
    sources = {str(target): UNGUARDED.encode()}
    for jobs in (1, 2):
        report = check_paths(
            [str(tmp_path)], Config(root=str(tmp_path)), CONTRACTS, jobs=jobs, sources=sources
        )
        assert any(f.path.endswith("m003.py") and f.code == "CL001" for f in report.findings), jobs


def test_an_unreadable_file_is_cl900_in_any_mode(tmp_path, small_pool):
    many(tmp_path, 12)
    missing = str(tmp_path / "pkg" / "gone.py")
    for jobs in (1, 2):
        report = check_paths(
            [str(tmp_path), missing], Config(root=str(tmp_path)), CONTRACTS, jobs=jobs
        )
        assert [f.code for f in report.findings if f.path.endswith("gone.py")] == ["CL900"]


# -- workers started while the walks go on ---------------------------------------------------------


def _pools_started(monkeypatch) -> list:
    """The job each pool of the run is started with (None: before the run knows it)."""
    started: list = []
    real = pool.Pool

    def recording(job, size):
        started.append(job)
        return real(job, size)

    monkeypatch.setattr(pool, "Pool", recording)
    return started


def test_a_run_that_finds_many_files_starts_its_workers_while_it_walks(tmp_path, monkeypatch):
    """The walks reach ``EARLY_FILES`` files: the workers start then, with no job yet, and check
    the run's files once told it; the answer is the one of a run in this process alone."""
    from contractlint import engine

    _carrier_and_callers(tmp_path, 20)
    monkeypatch.setattr(engine, "EARLY_FILES", 5)
    walked: list[int] = []
    real_warm = pool.Workers.warm
    monkeypatch.setattr(
        pool.Workers, "warm", lambda self: walked.append(len(walked)) or real_warm(self)
    )
    started = _pools_started(monkeypatch)
    early = run(tmp_path, jobs=2)
    assert started == [None] and walked == [0]  # one pool, started before any job was known
    alone = run(tmp_path, jobs=1)
    assert snapshot(early) == snapshot(alone)
    assert early.files_parsed == 21 and len(started) == 1  # a run of one worker starts none


def test_a_run_with_fewer_files_starts_its_workers_when_it_needs_them(tmp_path, monkeypatch):
    from contractlint import engine

    _carrier_and_callers(tmp_path, 20)
    monkeypatch.setattr(engine, "EARLY_FILES", 500)
    monkeypatch.setattr(schedule, "POOL_MIN_FILES", 1)
    started = _pools_started(monkeypatch)
    run(tmp_path, jobs=2)
    assert len(started) == 1 and started[0] is not None


def test_a_run_the_last_runs_entry_may_answer_starts_no_worker_before_it_knows(
    tmp_path, monkeypatch
):
    """A cache folder that holds a run's entry may answer the run without a file checked (a warm
    run, a pre-commit run): its workers are not started by the walks."""
    from contractlint import engine

    (tmp_path / "project").mkdir()
    _carrier_and_callers(tmp_path / "project", 20)
    cache = tmp_path / "cache"
    monkeypatch.setattr(engine, "EARLY_FILES", 5)
    started = _pools_started(monkeypatch)
    first = run(tmp_path / "project", jobs=2, cache_dir=str(cache))
    assert started[0] is None  # no entry yet: started by the walks
    assert (cache / "runs").is_dir()
    started.clear()
    again = run(tmp_path / "project", jobs=2, cache_dir=str(cache))
    assert started == []  # answered from the entry: no worker at all
    assert snapshot(again) == snapshot(first)


def test_workers_started_with_no_job_check_files_once_told_it(tmp_path):
    many(tmp_path, 12)
    job = Job(tuple(CONTRACTS), Config(root=str(tmp_path)), frozenset({"CL001"}), TODAY)
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    expected = [o.findings for o in check_files(paths, job, jobs=1)]
    assert any(expected)
    with pool.Workers(2) as workers:
        workers.warm()
        warm = workers.pool
        assert warm is not None and warm.job is None
        assert [o.findings for o in check_files(paths, job, 2, workers=workers)] == expected
        assert workers.pool is warm and warm.job == job


def test_workers_never_sent_a_file_are_stopped_at_once_when_the_run_ends():
    """A worker that got no file holds nothing and may still be loading the analysis: it is
    stopped, not waited for; one that checked files is told to finish, and does."""
    with pool.Workers(2) as workers:
        workers.warm()
        warm = workers.pool
        assert warm is not None
        processes = [w.process for w in warm.workers]
        warm.workers[1].used = True  # as if it had been sent files
    assert workers.pool is None
    assert processes[0].exitcode == -signal.SIGTERM
    assert processes[1].exitcode == 0


def test_a_run_of_one_worker_starts_none_early():
    with pool.Workers(1) as workers:
        workers.warm()
        assert workers.pool is None


# -- words hashed by the workers -------------------------------------------------------------------


def test_the_workers_hash_the_words_of_files_as_this_process_does(tmp_path):
    from contractlint.model.project import word_hashes, words_of

    many(tmp_path, 150)
    (tmp_path / "prose.py").write_text(" ".join(f"w{i}" for i in range(50)))
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    gone = str(tmp_path / "gone.py")
    with pool.Workers(2) as workers:
        assert workers.share_hashes  # forked, on this machine
        workers.warm()
        started = workers.pool
        assert started is not None
        started.hash_words([*paths, gone], 40)
        hashed = started.gather_words()
        assert started.hashed == {} and not any(w.words for w in started.workers)
    assert set(hashed) == {*paths, gone}
    assert hashed[gone] is None  # cannot be read: the round that needs it reads it
    assert hashed[str(tmp_path / "prose.py")] is None  # more than 40 words
    for path in paths:
        if not path.endswith("prose.py"):
            expected = word_hashes(words_of(open(path, "rb").read()))
            assert sorted(hashed[path]) == sorted(expected), path


def test_hashing_outlives_a_worker_that_dies(tmp_path):
    """A worker killed with batches of files to hash: what it did not answer is missing, nothing
    waits for it, and its replacement checks files as before."""
    many(tmp_path, 200)
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    job = Job(tuple(CONTRACTS), Config(root=str(tmp_path)), frozenset({"CL001"}), TODAY)
    expected = [o.findings for o in check_files(paths, job, jobs=1)]
    with pool.Workers(2) as workers:
        workers.warm()
        started = workers.pool
        assert started is not None
        started.hash_words(paths * 20, 4096)  # enough to keep them busy
        os.kill(started.workers[0].process.pid, signal.SIGKILL)
        hashed = started.gather_words()
        assert set(hashed) <= set(paths)
        assert [o.findings for o in check_files(paths, job, 2, workers=workers)] == expected
