"""The cache of a whole run (``contractlint.run.runcache``): a warm run over an unchanged tree
answers from one entry without analysing a file or following errors again; any change that could
change the answer (a parsed file's bytes, a file the rounds would now parse, the files of the run,
the contracts, the configuration) makes it run again; changes that cannot (a comment in a file
nobody parses, a touched file) keep it; and a damaged entry is never a crash."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import textwrap
from pathlib import Path

import pytest
from test_cache import SERVICE, contract  # the same small service: client.py calls it
from trees import write

from contractlint.config import Config
from contractlint.engine import check_paths
from contractlint.run import follow, runcache

FILES = {
    # calls the service and lets its error out: a carrier
    "app/client.py": """\
        import svc

        def fetch(user):
            return svc.Client().fetch(user)
        """,
    # never names svc: parsed only in a round of the prefilter, because it calls fetch
    "app/view.py": """\
        from app.client import fetch

        def show(user):
            return fetch(user)
        """,
    "app/plain.py": "import os\n",
    "app/__init__.py": "",
}
LONG_AGO = 1_000_000_000  # 2001: far from any racy window


def age(root: Path) -> None:
    """Give every file a modification time long past (its change time stays now)."""
    for path in (root / "app").rglob("*.py"):
        os.utime(path, ns=(LONG_AGO * 10**9, LONG_AGO * 10**9))


@pytest.fixture
def root(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in FILES.items():
        write(tmp_path, {name: text})
    return tmp_path


@pytest.fixture
def later(monkeypatch):
    """The run's clock, moved past the racy window of files written by the test."""
    real = runcache._now
    monkeypatch.setattr(runcache, "_now", lambda: real() + 10 * runcache.RACY_NS)


def check(root: Path, contracts=None, config=None, paths=("app",), **options):
    options.setdefault("cache_dir", str(root / ".contractlint_cache"))
    return check_paths(
        list(paths), config or Config(root=str(root)), contracts or [contract()], **options
    )


def plain(report):
    return (
        [(f.path, f.span, f.code, f.message, f.via) for f in report.findings],
        [(c.path, c.span, c.callee, c.state) for c in report.calls],
        report.files_checked,
        report.files_parsed,
    )


@pytest.fixture
def no_analysis(monkeypatch):
    """Any file analysed, or errors followed again, fails the test: the run entry must answer."""

    def refuse(*args, **kwargs):
        raise AssertionError("the run analysed files: the run entry did not answer")

    def arm():
        monkeypatch.setattr(follow, "check_files", refuse)
        monkeypatch.setattr(follow, "follow", refuse)

    return arm


def runs(root: Path):
    folder = root / ".contractlint_cache" / "runs"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_warm_run_answers_from_the_run_entry_alone(root, later, no_analysis):
    cold = check(root)
    assert [(f.path, f.code) for f in cold.findings] == [("app/view.py", "CL001")]
    assert cold.files_parsed == 2  # client.py by the prefilter, view.py in a round
    assert plain(check(root, cache_dir=str(root / ".elsewhere"))) == plain(cold)
    assert len(runs(root)) == 1
    for entry in (root / ".contractlint_cache" / "v1").rglob("*"):
        if entry.is_file():
            entry.unlink()  # the per-file entries are not what answers
    no_analysis()
    assert plain(check(root)) == plain(cold)


def test_the_same_answer_with_workers_and_without(root, later):
    cold = check(root, jobs=2)
    assert plain(check(root, jobs=1)) == plain(check(root, jobs=2)) == plain(cold)


def test_a_comment_in_a_file_nobody_parses_keeps_the_entry(root, later, no_analysis):
    cold = check(root)
    write(root, {"app/plain.py": "import os\n# a comment that names nothing of the project\n"})
    no_analysis()
    assert plain(check(root)) == plain(cold)


def test_an_acceptance_added_to_a_file_nobody_parses_is_seen(root, later, no_analysis):
    check(root)
    write(
        root,
        {
            "app/plain.py": "import os  # contractlint: accept CL001 "
            "until=2030-01-01 owner=ops -- why\n"
        },
    )
    no_analysis()
    warm = check(root, today=dt.date(2026, 1, 1))
    assert [(f.path, f.code) for f in warm.findings] == [
        ("app/plain.py", "CL103"),
        ("app/view.py", "CL001"),
    ]


def test_a_touched_file_is_read_once_then_trusted_again(root, later, no_analysis, monkeypatch):
    cold = check(root)
    age(root)  # every stamp moves: each file is read and found the same
    reads = []
    real = runcache.read_stamped
    monkeypatch.setattr(runcache, "read_stamped", lambda path: reads.append(path) or real(path))
    no_analysis()
    assert plain(check(root)) == plain(cold)
    assert len(reads) == len(FILES)
    reads.clear()
    assert plain(check(root)) == plain(cold)
    assert reads == []  # the entry was written again with the new stamps


def test_files_changed_just_before_the_run_keep_no_stamp(root):
    check(root)  # the files were written a moment ago: racy
    (_, _, kept, _, _) = pickle.loads(runs(root)[0].read_bytes())
    assert [stamp for (_, stamp, _, _, _) in kept.values()] == [None] * len(FILES)
    path = str(root / "app" / "plain.py")
    assert runcache.stamp(path, runcache._now()) is None
    os.utime(path, ns=(LONG_AGO * 10**9, LONG_AGO * 10**9))
    assert runcache.stamp(path, runcache._now()) is None  # its change time is still now
    st = os.stat(path)
    assert runcache.stamp(path, runcache._now() + 10 * runcache.RACY_NS) == (
        st.st_size,
        st.st_mtime_ns,
        st.st_ctime_ns,
        st.st_ino,
        st.st_dev,
    )


def test_a_parsed_file_changed_with_its_size_and_times_kept_is_analysed_again(root, later):
    check(root)
    path = root / "app" / "client.py"
    before = os.stat(path)
    renamed = path.read_text().replace(
        "def fetch(user)", "def fetcz(user)"
    )  # view.py calls nothing now
    assert len(renamed) == before.st_size
    path.write_text(renamed)
    os.utime(
        path, ns=(before.st_atime_ns, before.st_mtime_ns)
    )  # a tool that keeps the modification time
    warm = check(root)
    assert [(f.path, f.code) for f in warm.findings] == [("app/client.py", "CL001")]
    assert plain(warm) == plain(check(root, cache_dir=str(root / ".elsewhere")))


@pytest.mark.parametrize(
    "change",
    [
        "guard the call in the carrier",
        "a file nobody parsed starts calling the carrier",
        "a file nobody parsed starts importing the service",
        "a new file",
        "a file removed",
    ],
)
def test_changes_that_change_the_answer_are_analysed(root, later, change):
    check(root)
    if change == "guard the call in the carrier":
        write(
            root,
            {
                "app/client.py": """\
            import svc

            def fetch(user):
                try:
                    return svc.Client().fetch(user)
                except svc.Error:
                    return None
            """
            },
        )
    elif change == "a file nobody parsed starts calling the carrier":
        write(
            root,
            {"app/plain.py": "from app.client import fetch\n\ndef again():\n    return fetch(1)\n"},
        )
    elif change == "a file nobody parsed starts importing the service":
        write(
            root, {"app/plain.py": "import svc\n\ndef direct():\n    return svc.Client().get(1)\n"}
        )
    elif change == "a new file":
        write(root, {"app/more.py": "from app.view import show\n\nshow(1)\n"})
    else:
        (root / "app" / "view.py").unlink()
    warm = check(root)
    fresh = check(root, cache_dir=str(root / ".fresh"))
    assert plain(warm) == plain(fresh)
    expected = {
        "guard the call in the carrier": [],
        "a file nobody parsed starts calling the carrier": [
            ("app/plain.py", "CL001"),
            ("app/view.py", "CL001"),
        ],
        "a file nobody parsed starts importing the service": [
            ("app/plain.py", "CL001"),
            ("app/view.py", "CL001"),
        ],
        "a new file": [("app/more.py", "CL001")],
        "a file removed": [("app/client.py", "CL001")],
    }[change]
    assert [(f.path, f.code) for f in warm.findings] == expected


def _analysed(monkeypatch) -> list[str]:
    """The files the next runs check (read, prefilter, per-file cache, analysis), in order."""
    seen: list[str] = []
    real = follow.check_files

    def counting(paths, *args, **kwargs):
        paths = list(paths)
        seen.extend(os.path.relpath(p) for p in paths)
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(follow, "check_files", counting)
    return seen


def test_a_run_where_a_parsed_file_changed_checks_that_file_alone(root, later, monkeypatch):
    write(root, {"app/other.py": "def unrelated():\n    return 1\n"})
    check(root)
    write(
        root,
        {
            "app/client.py": textwrap.dedent(FILES["app/client.py"])
            + "\n\ndef more(user):\n    return 2\n"
        },
    )
    seen = _analysed(monkeypatch)
    warm = check(root)
    # client.py changed; view.py, parsed in a round, is searched and its analysis taken from the
    # per-file cache; the files nobody parsed are not read: they name nothing new
    assert seen == [os.path.join("app", "client.py"), os.path.join("app", "view.py")]
    assert plain(warm) == plain(check(root, cache_dir=str(root / ".fresh")))


def test_what_each_file_was_kept_for_survives_an_entry_written_again(root, later, monkeypatch):
    check(root)
    (root / "app" / "plain.py").write_text("import os\n# touched\n")
    check(root)  # answered from the entry, which is written again with the new stamp
    (_, _, kept, _, _) = pickle.loads(runs(root)[0].read_bytes())
    states = {os.path.relpath(path): row[2] for path, row in kept.items()}
    assert states[os.path.join("app", "view.py")] == runcache.ROUND
    assert states[os.path.join("app", "client.py")] == runcache.KEPT
    # so a later run still asks whether view.py calls a carrier, as a run from scratch does
    write(root, {"app/view.py": "def show(user):\n    return user\n"})
    write(root, {"app/client.py": textwrap.dedent(FILES["app/client.py"]) + "\n# edited\n"})
    warm = check(root)
    assert plain(warm) == plain(check(root, cache_dir=str(root / ".fresh")))
    assert warm.files_parsed == 1


def test_a_new_carrier_makes_the_files_nobody_parsed_searched_again(root, later, monkeypatch):
    write(
        root, {"app/other.py": "from app.client import store\n\ndef keep(user):\n    store(user)\n"}
    )
    cold = check(root)
    assert [f.path for f in cold.findings] == ["app/view.py"]  # store is no carrier yet
    write(
        root,
        {
            "app/client.py": textwrap.dedent(FILES["app/client.py"])
            + "\n\ndef store(user):\n    return svc.Client().save(user)\n"
        },
    )
    seen = _analysed(monkeypatch)
    warm = check(root)
    assert os.path.join("app", "other.py") in seen  # read again, then parsed in a round
    assert [f.path for f in warm.findings] == ["app/other.py", "app/view.py"]
    assert plain(warm) == plain(check(root, cache_dir=str(root / ".fresh")))


def test_a_round_decides_to_parse_the_rest_as_a_run_from_scratch_would(root, later, monkeypatch):
    """A round that takes one in ``WIDE_SHARE`` of the files it searched parses every file left.
    A warm run skips the files the last run searched (they name nothing searched for): each
    still counts as searched, so a warm run where view.py changed takes one file of 23, as the
    cold run did, and parses no more."""
    monkeypatch.setattr(follow, "WIDE_LEFT", 10)
    write(root, {f"app/quiet{i}.py": f"def q{i}():\n    return {i}\n" for i in range(20)})
    cold = check(root)
    assert cold.files_parsed == 2  # client.py, then view.py in a round, of the 23 searched
    write(root, {"app/view.py": textwrap.dedent(FILES["app/view.py"]) + "\n# edited\n"})
    warm = check(root)
    assert plain(warm) == plain(check(root, cache_dir=str(root / ".fresh")))
    assert warm.files_parsed == 2


def test_other_contracts_configuration_or_prefilter_are_other_entries(root, later):
    check(root)
    closed = contract(SERVICE.replace('policy = "fail-open"', 'policy = "fail-closed"'))
    assert plain(check(root, contracts=[closed])) == plain(
        check(root, contracts=[closed], cache_dir=str(root / ".x"))
    )
    assert [f.code for f in check(root, contracts=[closed]).findings] == ["CL001"]
    excluded = Config(root=str(root), exclude=("app/view.py",))
    assert [f.path for f in check(root, config=excluded).findings] == ["app/client.py"]
    assert [f.path for f in check(root).findings] == ["app/view.py"]
    every = check(root, use_prefilter=False)
    assert plain(every)[:2] == plain(check(root))[:2] and every.files_parsed == 4
    assert len(runs(root)) == 4


def test_other_paths_are_other_entries(root, later):
    whole = check(root)
    part = check(root, paths=("app/client.py", "app"))
    assert plain(part)[0] == plain(whole)[0]
    assert len(runs(root)) == 2


def test_runs_over_named_files_only_keep_no_run_entry(root, later):
    report = check(root, paths=("app/client.py", "app/view.py"))
    assert [f.path for f in report.findings] == ["app/view.py"]
    assert runs(root) == []


def test_acceptances_are_judged_on_the_day_of_each_run(root, later, no_analysis):
    write(
        root,
        {
            "app/view.py": textwrap.dedent(FILES["app/view.py"]).replace(
                "    return fetch",
                "    # contractlint: accept CL001 until=2030-01-01 owner=ops -- "
                "cosmetic\n    return fetch",
            )
        },
    )
    before = check(root, today=dt.date(2029, 12, 31))
    assert before.findings == []
    no_analysis()
    after = check(root, today=dt.date(2030, 1, 2))
    assert sorted(f.code for f in after.findings) == ["CL001", "CL101"]


class _Planted:
    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (os.mkdir, (self.target,))


@pytest.mark.parametrize(
    "damage",
    [
        "empty",
        "not a pickle",
        "other format",
        "truncated",
        "wrong shapes",
        "runs code",
        "bad rows",
        "bad results",
    ],
)
def test_a_damaged_run_entry_is_run_again_never_a_crash(root, later, tmp_path, damage):
    reference = plain(check(root))
    entry = runs(root)[0]
    blob = entry.read_bytes()
    target = tmp_path / "pwned"
    entry.write_bytes(
        {
            "empty": b"",
            "not a pickle": b"not a pickle at all",
            "other format": pickle.dumps(("contractlint-run-0",) + pickle.loads(blob)[1:]),
            "truncated": blob[: len(blob) // 2],
            "wrong shapes": pickle.dumps(
                (runcache.FORMAT, pickle.loads(blob)[1], "files", None, [])
            ),
            "runs code": pickle.dumps(
                (runcache.FORMAT, _Planted(str(target)), [], frozenset(), {})
            ),
            "bad rows": pickle.dumps(
                pickle.loads(blob)[:2]
                + ({"app/__init__.py": ("app/__init__.py",)},)
                + pickle.loads(blob)[3:]
            ),
            "bad results": pickle.dumps(
                pickle.loads(blob)[:4]
                + ({path: (["not a finding"], []) for path in pickle.loads(blob)[2]},)
            ),
        }[damage]
    )
    assert plain(check(root)) == reference
    assert not target.exists()
    assert plain(check(root)) == reference  # and the entry written again is good


def test_no_entry_is_kept_when_a_file_cannot_be_read(root, later):
    if os.geteuid() == 0:
        os.symlink(root / "nowhere.py", root / "app" / "dangling.py")
    else:
        (root / "app" / "secret.py").write_text("import svc\n")
        (root / "app" / "secret.py").chmod(0)
    report = check(root)
    assert "CL900" in {f.code for f in report.findings}
    assert runs(root) == []


def test_an_edited_tool_does_not_read_what_an_older_one_wrote(root, later, monkeypatch):
    from contractlint.run import cache as cache_module

    check(root)
    monkeypatch.setattr(cache_module, "code_digest", lambda: "an edited checkout")
    check(root)
    assert len(runs(root)) == 2
    made_by = set(cache_module.producer_files())
    assert {"engine.py", "run/runcache.py", "run/follow.py", "run/filecheck.py"} <= made_by
    assert any(name.startswith("propagation") for name in made_by)


def test_another_root_is_another_entry(tmp_path, monkeypatch, later):
    # the same paths from the same folder, with the root one level down: other module names
    monkeypatch.chdir(tmp_path)
    for name, text in {
        "pkg/pkg/__init__.py": "",
        "pkg/pkg/client.py": "import svc\n\ndef fetch(user):\n"
        "    return svc.Client().fetch(user)\n",
        "pkg/pkg/user.py": "from pkg.client import fetch\n\ndef show(user):\n"
        "    return fetch(user)\n",
    }.items():
        write(tmp_path, {name: text})
    cache_dir = str(tmp_path / ".shared-cache")
    outer = check_paths(["pkg"], Config(root=str(tmp_path)), [contract()], cache_dir=cache_dir)
    inner = check_paths(
        ["pkg"], Config(root=str(tmp_path / "pkg")), [contract()], cache_dir=cache_dir
    )
    assert [f.path for f in outer.findings] == [
        "pkg/pkg/client.py"
    ]  # ``pkg.client`` is not a module there
    assert [f.path for f in inner.findings] == ["pkg/pkg/user.py"]
    assert plain(inner) == plain(
        check_paths(["pkg"], Config(root=str(tmp_path / "pkg")), [contract()])
    )
