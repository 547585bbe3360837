"""Discovery (``contractlint.run.discovery``): which files a run checks. The walk carries each
folder's answers down to its subfolders; it must select what asking every pattern alone, of every
file, selects (``plain_discover``), on random trees and on this repository."""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractlint.config import DEFAULT_EXCLUDE, Config
from contractlint.run.discovery import Selection, discover
from contractlint.run.patterns import path_matches

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "rel, excluded",
    [
        (".venv/lib/python3.11/site-packages/x.py", True),
        ("venv/x.py", True),
        ("build/lib/x.py", True),
        ("src/pkg/__pycache__/mod.py", True),
        ("src/pkg.egg-info/x.py", True),
        (".git/hooks/x.py", True),
        (".tox/py311/x.py", True),
        ("node_modules/x.py", True),
        ("src/app.py", False),
        ("src/building.py", False),
        ("src/builder/x.py", False),
        ("src/venvs.py", False),
    ],
)
def test_default_excludes(tmp_path, rel, excluded):
    selection = Selection(Config(root=str(tmp_path)))
    assert selection.excludes(str(tmp_path / rel)) is excluded


def test_folder_only_exclude_on_disk(tmp_path):
    selection = Selection(Config(root=str(tmp_path), exclude=("generated/",)))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "generated").write_text("a file, not a folder\n")
    (tmp_path / "out" / "generated").mkdir(parents=True)
    (tmp_path / "out" / "generated" / "x.py").write_text("x = 1\n")
    assert not selection.excludes(str(tmp_path / "src" / "generated"))
    assert selection.excludes(str(tmp_path / "out" / "generated"))
    assert selection.excludes(str(tmp_path / "out" / "generated" / "x.py"))


def plain_discover(paths, config: Config):
    """What discovery means: the files under each folder path (folders that are links not
    entered, named pipes and devices left out) in the order of a top-down walk, each selected
    when an include pattern matches it and no exclude pattern does; a path that is not a folder
    is taken unless an exclude pattern matches it."""
    exclude = (*DEFAULT_EXCLUDE, *config.exclude)

    def excluded(path):
        rel = config.relative(path)
        return any(path_matches(rel, p, os.path.isdir(path)) for p in exclude)

    def included(path):
        return any(path_matches(config.relative(path), p) for p in config.include)

    def under(folder):
        if excluded(folder):
            return  # only saves time: every file under an excluded folder is excluded
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            broken = entry.is_symlink() and not os.path.exists(entry.path)
            if not entry.is_dir() and (entry.is_file() or broken):
                yield entry.path
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                yield from under(entry.path)

    seen = set()
    for path in paths:
        if os.path.isdir(path):
            found = [f for f in under(path) if included(f) and not excluded(f)]
        else:
            found = [path] if not excluded(path) else []
        for file in found:
            if file not in seen:
                seen.add(file)
                yield file


NAMES = ["a", "b", "pkg", "build", "tests", "x.py", "__init__.py", "m.py", "n.pyi", "gen", "sub"]
NAMES += [".hidden", "z_y.py", "docs", "a..py", "node_modules", "keep.txt"]
INCLUDES = ["*.py", "*.pyi", "gen/", "/pkg/*", "a/b", "tests"]
EXCLUDES = ["build", "build/", "/build", "gen/", "tests/", "/pkg/gen", "pkg/*.py", "*_*", "x.py"]
EXCLUDES += ["sub/", "a/b", "./docs", "*.pyi", "z*", "/a/", "**/m.py", "a/*/", "*.py/"]
PATHS = [".", "pkg", "a", "./a", "a/", "..", "../proj", "x.py", "gone", "pkg/x.py", "a/link0"]


def random_tree(root: Path, rng: random.Random, depth: int = 0) -> None:
    """Files and folders named alike (a folder may be called x.py), links to either, links that
    lead nowhere, named pipes."""
    for name in rng.sample(NAMES, rng.randint(1, 5)):
        path = root / name
        if depth < 3 and rng.random() < 0.45:
            path.mkdir(exist_ok=True)
            random_tree(path, rng, depth + 1)
        elif not path.exists():
            path.write_text("x = 1\n")
    if rng.random() < 0.3:
        target = rng.choice(sorted(root.iterdir()))
        link = root / f"link{rng.randint(0, 2)}"
        if not link.exists() and not link.is_symlink():
            link.symlink_to(target.resolve())
    if rng.random() < 0.1 and not (root / "broken.py").is_symlink():
        (root / "broken.py").symlink_to(root / "nowhere")
    if rng.random() < 0.05 and hasattr(os, "mkfifo") and not (root / "pipe.py").exists():
        os.mkfifo(root / "pipe.py")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.data())
def test_the_walk_selects_what_every_pattern_alone_selects(rng, data):
    with tempfile.TemporaryDirectory() as tmp:
        top = Path(tmp) / "proj"
        top.mkdir()
        random_tree(top, rng)
        cwd = os.getcwd()
        os.chdir(top)
        try:
            root = data.draw(st.sampled_from([".", "pkg", "a", ".."]), label="root")
            include = data.draw(st.lists(st.sampled_from(INCLUDES), min_size=1, max_size=2))
            exclude = data.draw(st.lists(st.sampled_from(EXCLUDES), max_size=3))
            paths = data.draw(st.lists(st.sampled_from([*PATHS, str(top)]), min_size=1, max_size=3))
            config = Config(
                root=os.path.abspath(root), include=tuple(include), exclude=tuple(exclude)
            )
            assert list(discover(paths, config)) == list(plain_discover(paths, config))
        finally:
            os.chdir(cwd)


@pytest.mark.parametrize("exclude", [(), ("tests/", "*_*", "/contractlint/run")])
def test_the_walk_of_this_repository_selects_what_every_pattern_alone_selects(exclude, monkeypatch):
    monkeypatch.chdir(ROOT)
    config = Config(root=str(ROOT), exclude=exclude)
    for paths in (["."], [str(ROOT)], ["contractlint", "tests/../contractlint/run"]):
        found = list(discover(paths, config))
        assert found and found == list(plain_discover(paths, config))


def test_a_changed_file_is_selected_by_the_includes_and_a_named_one_only_by_the_excludes(tmp_path):
    (tmp_path / "tool").write_text("import requests\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "x.py").write_text("import requests\n")
    config = Config(root=str(tmp_path))
    selection = Selection(config)
    assert not selection.includes(str(tmp_path / "tool"))  # --changed leaves it out
    assert list(discover([str(tmp_path / "tool")], config)) == [str(tmp_path / "tool")]
    assert list(discover([str(tmp_path / "build" / "x.py")], config)) == []
