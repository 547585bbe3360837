"""The per-file cache: used when the key matches, never when any input of the key changed, and
never a crash. Each test plants a marker entry over every real one, so "the cache was read" and
"the cache was not read" are both visible in the findings."""

from __future__ import annotations

import dataclasses
import enum
import multiprocessing
import os
import pickle
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from contractlint.cli import main
from contractlint.config import Config
from contractlint.contracts import build_contract, load_contracts
from contractlint.engine import check_paths
from contractlint.model import Finding, Severity, Span, State
from contractlint.run import cache as cache_module
from contractlint.run import runcache
from contractlint.tomlfile import tomllib

SERVICE = """\
version = 1
[contract]
name = "svc"
summary = "A service"
owner = "svc-team"
[errors]
"svc.Error" = ["Exception"]
[[calls]]
match = ["svc.Client.*"]
policy = "fail-open"
"""
APP = """\
import svc

def load(user):
    return svc.Client().fetch(user)
"""
OTHER = """\
import svc

def store(user):
    try:
        svc.Client().save(user)
    except svc.Error:
        pass
"""
MARK = "planted by the test"


def contract(text: str = SERVICE):
    return build_contract(tomllib.loads(text), "svc.toml", text)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "load.py").write_text(APP)
    (root / "app" / "store.py").write_text(OTHER)
    (root / "app" / "plain.py").write_text("import os\n")
    return root


def check(root: Path, contracts=None, config=None, cache_dir=None, **options):
    """A run through the per-file entries: the entry of the whole run, which would answer first when
    nothing changed (tests/run/test_runcache.py), is dropped."""
    config = config or Config(root=str(root))
    cache_dir = Path(cache_dir or root / ".contractlint_cache")
    shutil.rmtree(cache_dir / "runs", ignore_errors=True)
    return check_paths(
        [str(root / "app")], config, contracts or [contract()], cache_dir=str(cache_dir), **options
    )


def entries(cache_dir: Path):
    return sorted(p for p in (cache_dir / "v1").rglob("*") if p.is_file())


def plant(cache_dir: Path) -> int:
    """Overwrite every entry with one CL004 finding that no analysis would produce."""
    marker = Finding(
        path="somewhere.py",
        span=Span(1, 1, 1, 1),
        code="CL004",
        name="silent-handler",
        severity="error",
        message=MARK,
    )
    found = entries(cache_dir)
    for path in found:
        path.write_bytes(pickle.dumps((cache_module.FORMAT, [marker], [], None), protocol=4))
    return len(found)


def marked(report):
    return sorted(f.path.rsplit("/", 1)[-1] for f in report.findings if f.message == MARK)


def plain(report):
    return [(f.path, f.span, f.code, f.message) for f in report.findings], [
        (c.path, c.span, c.callee, c.state) for c in report.calls
    ]


def test_entries_are_written_for_parsed_files_only_and_read_back(project):
    cache_dir = project / ".contractlint_cache"
    first = check(project)
    assert len(entries(cache_dir)) == first.files_parsed == 2  # plain.py never reaches the analysis
    assert (
        (cache_dir / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (cache_dir / ".gitignore").read_text().endswith("*\n")
    again = check(project)
    assert plain(again) == plain(first)
    assert plant(cache_dir) == 2
    # The planted entries are what a warm run reports, under each file's own path.
    assert marked(check(project)) == ["load.py", "store.py"]


def test_a_changed_file_misses(project):
    cache_dir = project / ".contractlint_cache"
    check(project)
    plant(cache_dir)
    (project / "app" / "load.py").write_text(APP + "\n# edited\n")
    report = check(project)
    assert marked(report) == ["store.py"]
    assert [f.code for f in report.findings if f.path.endswith("load.py")] == ["CL001"]


def test_a_changed_contract_misses(project):
    cache_dir = project / ".contractlint_cache"
    check(project)
    plant(cache_dir)
    report = check(
        project,
        contracts=[contract(SERVICE.replace('policy = "fail-open"', 'policy = "fail-closed"'))],
    )
    assert marked(report) == []
    # fail-closed: store.py's handler finishes without raising
    assert [f.code for f in report.findings if f.path.endswith("store.py")] == ["CL003"]


def test_the_same_contract_loaded_from_another_folder_still_hits(project, tmp_path):
    cache_dir = project / ".contractlint_cache"
    check(project)
    plant(cache_dir)
    moved = dataclasses.replace(contract(), source=str(tmp_path / "elsewhere" / "svc.toml"))
    assert marked(check(project, contracts=[moved])) == ["load.py", "store.py"]


def test_a_changed_configuration_misses(project):
    cache_dir = project / ".contractlint_cache"
    check(project)
    plant(cache_dir)
    config = Config(root=str(project), exclude=("migrations/",))
    assert marked(check(project, config=config)) == []


def test_another_root_gives_other_module_names_and_misses(project):
    cache_dir = project / ".contractlint_cache"
    check(project)
    plant(cache_dir)
    assert (
        marked(check(project, config=Config(root=str(project / "app")), cache_dir=cache_dir)) == []
    )


def test_another_tool_version_or_other_tool_code_misses(project, monkeypatch):
    cache_dir = project / ".contractlint_cache"
    check(project)
    plant(cache_dir)
    monkeypatch.setattr(cache_module, "__version__", "99.0.0")
    assert marked(check(project)) == []
    monkeypatch.undo()
    plant(cache_dir)
    assert marked(check(project)) == ["load.py", "store.py"]
    monkeypatch.setattr(cache_module, "code_digest", lambda: "an edited checkout")
    assert marked(check(project)) == []


def test_date_dependent_results_are_computed_on_every_run(project):
    # An acceptance that expires between two runs: the cache holds the analysis, not the verdict.
    (project / "app" / "load.py").write_text(
        APP.replace(
            "    return svc",
            "    # contractlint: accept CL001 until=2030-01-01 owner=ops -- "
            "cosmetic\n    return svc",
        )
    )
    import datetime as dt

    before = check(project, today=dt.date(2029, 12, 31))
    after = check(project, today=dt.date(2030, 1, 2))
    assert [f.code for f in before.findings if f.path.endswith("load.py")] == []
    assert sorted(f.code for f in after.findings if f.path.endswith("load.py")) == [
        "CL001",
        "CL101",
    ]


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not a pickle at all",
        pickle.dumps(("contractlint-cache-0", [], [])),
        pickle.dumps((cache_module.FORMAT, ["not a finding"], [], None)),
        pickle.dumps((cache_module.FORMAT, [], [], None))[:-3],
    ],
)
def test_a_damaged_entry_is_recomputed_never_a_crash(project, damage):
    cache_dir = project / ".contractlint_cache"
    reference = check(project, cache_dir=project / "elsewhere")
    check(project)
    for path in entries(cache_dir):
        path.write_bytes(damage)
    assert plain(check(project)) == plain(reference)
    # and the recomputed entries are good again
    assert plain(check(project)) == plain(reference)


def test_entries_read_back_where_python_pickles_an_enum_member_by_its_name(project, monkeypatch):
    """Some releases of Python 3.11 (Debian 12's 3.11.2) pickle an Enum member as
    ``getattr(Class, "NAME")``, which the cache's unpickler refuses (it calls a builtin): the words
    of our data (a call site's state, a finding's severity) are pickled by value all the same, so
    that a warm run reads the per-file entries and the entry of the whole run."""

    def by_name(member, protocol):
        return getattr, (member.__class__, member._name_)

    monkeypatch.setattr(enum.Enum, "__reduce_ex__", by_name)
    cache_dir = project / ".contractlint_cache"
    cold = check(project)
    found = [cache_module._load(str(path)) for path in entries(cache_dir)]
    assert len(found) == cold.files_parsed == 2
    assert {c.state for _, _, calls, _ in found for c in calls} == {State.BROKEN}
    assert {f.severity for _, findings, _, _ in found for f in findings} == {Severity.ERROR}
    (run,) = (cache_dir / "runs").iterdir()
    assert cache_module._load(str(run))[0] == runcache.FORMAT
    assert plain(check(project)) == plain(cold)


class _Planted:
    """An entry that would run code when loaded by a plain pickle.load."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (os.mkdir, (self.target,))


def test_an_entry_cannot_run_code(project, tmp_path):
    cache_dir = project / ".contractlint_cache"
    reference = check(project, cache_dir=project / "elsewhere")
    check(project)
    target = tmp_path / "pwned"
    for path in entries(cache_dir):
        path.write_bytes(pickle.dumps((cache_module.FORMAT, [_Planted(str(target))], [], None)))
    assert plain(check(project)) == plain(reference)
    assert not target.exists()


def test_a_cache_that_cannot_be_written_is_skipped(project):
    blocker = project / "blocked"
    blocker.write_text("a file where the cache folder should be")
    reference = check(project, cache_dir=project / "elsewhere")
    assert plain(check(project, cache_dir=blocker)) == plain(reference)


def test_writes_leave_no_temporary_files(project):
    cache_dir = project / ".contractlint_cache"
    check(project)
    check(project)
    assert not [p for p in cache_dir.rglob(".tmp-*")]


def _race(args):
    root, cache_dir = args
    report = check_paths(
        [str(Path(root) / "app")], Config(root=root), [contract()], cache_dir=cache_dir
    )
    return plain(report)


def test_concurrent_runs_share_a_cache_safely(project):
    for i in range(30):
        (project / "app" / f"more{i}.py").write_text(APP.replace("load", f"load{i}"))
    cache_dir = str(project / ".contractlint_cache")
    reference = plain(check(project, cache_dir=project / "elsewhere"))
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_race, [(str(project), cache_dir)] * 8)
    assert all(r == reference for r in results)
    assert not list(Path(cache_dir).rglob(".tmp-*"))
    assert plain(check(project)) == reference


def test_workers_write_the_entries_the_parent_reads(project, monkeypatch):
    from contractlint.run import schedule

    monkeypatch.setattr(schedule, "POOL_MIN_FILES", 1)
    for i in range(12):
        (project / "app" / f"more{i}.py").write_text(APP.replace("load", f"load{i}"))
    cold = check(project, jobs=2)
    assert len(entries(project / ".contractlint_cache")) == cold.files_parsed == 14
    assert plain(check(project, jobs=2)) == plain(cold) == plain(check(project, jobs=1))


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def consumer(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent("""\
        [tool.contractlint]
        contracts = ["svc.toml"]
        """)
    )
    (tmp_path / "svc.toml").write_text(SERVICE)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "load.py").write_text(APP)
    monkeypatch.chdir(tmp_path / "app")
    return tmp_path


def test_the_cache_lives_under_the_project_root_by_default(consumer):
    first = CliRunner().invoke(main, ["check", "."])
    assert first.exit_code == 1
    assert (consumer / ".contractlint_cache" / "CACHEDIR.TAG").is_file()
    assert not (consumer / "app" / ".contractlint_cache").exists()
    second = CliRunner().invoke(main, ["check", "."])
    assert second.stdout == first.stdout


def test_no_cache_and_cache_dir(consumer, tmp_path):
    result = CliRunner().invoke(main, ["check", "--no-cache", "."])
    assert result.exit_code == 1
    assert not (consumer / ".contractlint_cache").exists()
    elsewhere = tmp_path / "ci-cache"
    result = CliRunner().invoke(main, ["check", "--cache-dir", str(elsewhere), "."])
    assert result.exit_code == 1
    assert entries(elsewhere) and not (consumer / ".contractlint_cache").exists()


def test_the_builtin_contracts_hit_too(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "a.py").write_text(
        "import requests\n\ndef f():\n    return requests.get('u')\n"
    )
    contracts = load_contracts(["requests"])
    first = check(tmp_path, contracts=contracts)
    plant(tmp_path / ".contractlint_cache")
    assert marked(check(tmp_path, contracts=load_contracts(["requests"]))) == ["a.py"]
    assert first.findings


def test_a_cache_folder_holds_runs_once_a_run_kept_its_entry(tmp_path):
    from sample_project import CONTRACTS, many, run

    from contractlint.run.cache import holds_runs

    assert not holds_runs(None)
    assert not holds_runs(str(tmp_path / "none"))
    (tmp_path / "empty" / "runs").mkdir(parents=True)
    assert not holds_runs(str(tmp_path / "empty"))
    many(tmp_path / "project", 6)
    run(tmp_path / "project", CONTRACTS, cache_dir=str(tmp_path / "cache"))
    assert holds_runs(str(tmp_path / "cache"))
