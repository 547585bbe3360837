"""The prefilter, the worker pool and the order of results: behaviour, never timings (bench/ measures those)."""

from __future__ import annotations

import os
import signal
import textwrap
from pathlib import Path

import pytest

from contractlint import workers
from contractlint.config import Config
from contractlint.contracts import build_contract, load_contracts
from contractlint.engine import check_paths
from contractlint.tomlfile import tomllib
from contractlint.workers import Prefilter, check_files

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = load_contracts(["capability-server", "requests", "redis"])

GUARDED = """\
import requests

def fetch(url):
    try:
        return requests.get(url, timeout=1)
    except requests.RequestException:
        return None
"""
UNGUARDED = """\
import requests as r

def fetch(url):
    return r.get(url, timeout=1)
"""
ACCEPTED = """\
from capability_client import CapabilityClient

def send(user, sticker):
    # contractlint: accept CL001 until=2099-01-01 owner=ops -- the sticker is cosmetic
    return CapabilityClient().check(user, sticker)
"""
PLAIN = """\
import os

def join(a):
    return os.path.join(a, "x")
"""


def contract(toml: str):
    return build_contract(tomllib.loads(toml), "svc.toml", toml)


def tree(root: Path, files: dict) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def many(root: Path, count: int = 40) -> Path:
    """A project of ``count`` files: service calls of every kind, acceptances, and files without any."""
    kinds = [GUARDED, UNGUARDED, ACCEPTED, PLAIN, "def broken(:\n    pass\nimport requests\n"]
    files = {f"pkg/sub{i % 3}/m{i:03d}.py": kinds[i % len(kinds)] for i in range(count)}
    return tree(root, files)


def snapshot(report):
    """Everything a formatter reads, in order."""
    return (
        [(f.path, f.span, f.code, f.message, f.severity, f.fingerprint) for f in report.findings],
        [(c.path, c.span, c.contract, c.callee, c.state) for c in report.calls],
        list(report.files),
        report.files_checked,
        report.files_parsed,
        [
            (r.acceptance.path, r.acceptance.line, r.contracts, r.findings, r.expired)
            for r in report.risks
        ],
    )


def run(root: Path, contracts=CONTRACTS, **options):
    return check_paths([str(root)], Config(root=str(root)), contracts, **options)


# -- the prefilter -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kept",
    [
        ("import requests\n", True),
        ("import os, requests.adapters as a\n", True),
        ("import café as c, requests\n", True),
        ("import os, \\\n    requests\n", True),
        ("from redis.client import Redis\n", True),
        ("from \\\n  redis import Redis\n", True),
        ("def f():\n    import requests\n    return requests.get('u')\n", True),
        ("x = 1; import requests\n", True),
        (
            "s = 'import requests'\n",
            True,
        ),  # text that only looks like an import is kept: never unsound
        ("from . import requests\n", True),
        ("# this module handles requests\n", False),  # a mention is not an import
        (
            "requests = make(); requests.get('u')\n",
            False,
        ),  # bound by no import: never resolved to the module
        ("from .requests import x\n", False),  # a relative import resolves to nothing
        ("import os # requests\n", False),
        ("import requests_toolbelt\n", False),  # a whole word, not a prefix
        ("import myrequests\n", False),
        ("x = 'no service here'\n", False),
    ],
)
def test_the_prefilter_keeps_files_that_import_a_contract_root(text, kept):
    assert Prefilter(CONTRACTS).keeps(text.encode(), "app.views") is kept


def test_a_module_of_a_contracts_own_package_is_kept_though_it_never_names_itself():
    # capability_client/__init__.py calls its own CapabilityClient.check() without writing "capability_client".
    prefilter = Prefilter(CONTRACTS)
    assert prefilter.keeps(b"def f():\n    pass\n", "capability_client")
    assert not prefilter.keeps(b"def f():\n    pass\n", "capability_client_extras")
    # Its own definitions are capability_client.helpers.X: no contract name starts so.
    assert not prefilter.keeps(b"def f():\n    pass\n", "capability_client.helpers")


def test_the_examples_stub_client_holds_calls_the_old_prefilter_hid(tmp_path):
    # The analysis resolves check_async() -> self.check() inside the client: with or without the
    # prefilter the findings are the same (examples/pyproject.toml excludes the stub clients as providers' code).
    root = ROOT / "examples" / "capability-client"
    contracts = load_contracts(["capability-server"])
    config = Config(root=str(root))
    with_filter = check_paths([str(root / "capability_client")], config, contracts)
    without = check_paths([str(root / "capability_client")], config, contracts, use_prefilter=False)
    assert snapshot(with_filter)[:2] == snapshot(without)[:2]
    assert [c.callee for c in with_filter.calls] == ["capability_client.CapabilityClient.check"] * 2


def test_an_alias_that_leads_to_a_contract_root_makes_its_own_root_count(tmp_path):
    # socket.timeout is Python's alias of TimeoutError: a contract over TimeoutError(...) calls must see it.
    svc = contract(
        textwrap.dedent("""\
        version = 1
        [contract]
        name = "timeouts"
        summary = "s"
        owner = "o"
        [errors]
        "TimeoutError" = ["OSError"]
        [[calls]]
        match = ["TimeoutError"]
        policy = "any"
        """)
    )
    tree(tmp_path, {"app.py": "import socket\n\ndef f():\n    return socket.timeout('x')\n"})
    assert "socket" in Prefilter([svc]).roots
    with_filter, without = run(tmp_path, [svc]), run(tmp_path, [svc], use_prefilter=False)
    assert snapshot(with_filter)[:2] == snapshot(without)[:2]
    assert [c.callee for c in with_filter.calls] == ["TimeoutError"]


def test_a_builtin_root_needs_no_import(tmp_path):
    svc = contract(
        textwrap.dedent("""\
        version = 1
        [contract]
        name = "files"
        summary = "s"
        owner = "o"
        [errors]
        "OSError" = ["Exception"]
        [[calls]]
        match = ["open"]
        policy = "any"
        """)
    )
    assert Prefilter([svc]).keeps(b"def f():\n    return open('x')\n", "app")
    tree(tmp_path, {"app.py": "def f():\n    return open('x').read()\n", "other.py": "import os\n"})
    with_filter, without = run(tmp_path, [svc]), run(tmp_path, [svc], use_prefilter=False)
    assert snapshot(with_filter)[:2] == snapshot(without)[:2]
    assert [c.callee for c in with_filter.calls] == ["open"] and with_filter.files_parsed == 1


def test_a_utf16_file_is_kept_since_its_bytes_say_nothing():
    assert Prefilter(CONTRACTS).keeps("import requests\n".encode("utf-16"), "app")


def test_a_match_that_starts_with_a_wildcard_keeps_every_file(tmp_path):
    svc = contract(
        textwrap.dedent("""\
        version = 1
        [contract]
        name = "anything"
        summary = "s"
        owner = "o"
        [errors]
        "svc.Error" = ["Exception"]
        [[calls]]
        match = ["**.fetch_remote"]
        policy = "any"
        """)
    )
    assert Prefilter([svc]).keeps(b"import os\n", "app")


def test_files_the_prefilter_turns_away_are_never_parsed_and_findings_do_not_change(
    tmp_path, monkeypatch
):
    many(tmp_path, 20)
    parsed = []
    original = workers._State.analyse

    def spy(self, data, task):
        parsed.append(task.shown)
        return original(self, data, task)

    monkeypatch.setattr(workers._State, "analyse", spy)
    with_filter = run(tmp_path)
    assert parsed and not any(Path(p).read_text().startswith("import os") for p in parsed)
    assert with_filter.files_parsed == len(parsed) < with_filter.files_checked == 20
    without = run(tmp_path, use_prefilter=False)
    assert without.files_parsed == 20
    assert snapshot(with_filter)[:3] == snapshot(without)[:3]


# -- workers ---------------------------------------------------------------------------------------


@pytest.fixture
def small_pool(monkeypatch):
    """A pool from the first file on, so that small trees exercise it."""
    monkeypatch.setattr(workers, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(workers, "CHUNK", 2)


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
    monkeypatch.setattr(workers, "POOL_MIN_FILES", 1)
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

    monkeypatch.setattr(workers, "_Pool", refuse)
    assert run(tmp_path, jobs=8).files_parsed > 0


def test_a_large_run_starts_one_pool(tmp_path, monkeypatch):
    many(tmp_path, 60)  # 48 files to parse
    started = []
    real = workers._Pool

    def counting(*args, **kwargs):
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(workers, "_Pool", counting)
    assert snapshot(run(tmp_path, jobs=2)) == snapshot(run(tmp_path, jobs=1))
    assert len(started) == 1


@pytest.mark.skipif(
    workers._context().get_start_method() != "fork",
    reason="the crash is planted by patching the parent, which only forked workers inherit",
)
def test_a_worker_that_dies_costs_one_file_a_cl999_and_the_run_goes_on(
    tmp_path, small_pool, monkeypatch
):
    many(tmp_path, 24)
    reference = run(tmp_path, jobs=1)
    victims = {"pkg/sub1/m001.py": signal.SIGKILL, "pkg/sub1/m016.py": signal.SIGSEGV}
    original = workers._State.analyse

    def fragile(self, data, task):
        for suffix, sig in victims.items():
            if task.path.endswith(suffix):
                import faulthandler

                faulthandler.disable()  # pytest's would print the worker's stack: a real crash is quieter
                os.kill(os.getpid(), sig)
        if task.path.endswith("pkg/sub0/m006.py"):
            os._exit(3)
        return original(self, data, task)

    monkeypatch.setattr(workers._State, "analyse", fragile)
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
        "failed on this file: KeyError: 'surprise' at test_workers.py:" in f.message for f in errors
    )
    assert all(
        f.message.endswith("please report it with the file (--verbose shows the trace)")
        for f in errors
    )


def test_outcomes_come_in_the_order_of_the_paths_even_when_a_slow_file_holds_them_back(
    tmp_path, small_pool, monkeypatch
):
    many(tmp_path, 30)
    monkeypatch.setattr(workers, "WINDOW", 3)
    paths = sorted(str(p) for p in tmp_path.rglob("*.py"))
    job = workers.Job(
        tuple(CONTRACTS),
        Config(root=str(tmp_path)),
        frozenset({"CL001", "CL002"}),
        __import__("datetime").date(2030, 1, 1),
    )
    shown = [o.path for o in check_files(paths, job, jobs=3)]
    assert shown == [workers.display_path(p) for p in paths]


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
