"""What git ignores (``contractlint.run.gitignore``), asked of real git repositories.

The walk leaves out what git itself ignores (``git ls-files --others --ignored
--exclude-standard``), on random trees and ignore files and on the cases that git's documentation
and other tools' bugs name: nested ``.gitignore`` files, ``!`` patterns, anchored and folder-only
patterns, ``**``, ``.git/info/exclude``, the global excludes file. A file or folder named on the
command line is checked even when ignored, unless --force-exclude; outside a repository the
``.gitignore`` files still apply; the run cache never replays a result that an edited
``.gitignore`` changed.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest
from clirun import invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_run_discovery import random_tree
from trees import git, write

from contractlint.config import Config
from contractlint.run import follow, gitignore
from contractlint.run.discovery import discover
from contractlint.run.gitignore import GitIgnores

CALL = textwrap.dedent("""\
    import requests

    def fetch():
        return requests.get("https://example.com")
    """)


pytestmark = pytest.mark.usefixtures("clean_git_env")


@pytest.fixture(autouse=True)
def global_excludes_here(monkeypatch, tmp_path):
    """git's default global excludes file is the one the test writes (the user's configuration
    is already out of the way: ``clean_git_env``)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))


def repository(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    write(root, files, dedent=False)
    return root


def found(root: Path, paths=(".",), **settings) -> list[str]:
    """The files a run over ``paths`` (from ``root``) checks, any name included, relative to it."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        config = Config(root=str(root), include=("*",), **settings)
        return sorted(os.path.relpath(p).replace(os.sep, "/") for p in discover(paths, config))
    finally:
        os.chdir(cwd)


def git_ignored(root: Path) -> set[str]:
    """Every untracked file git ignores, folders expanded."""
    out = git(root, "ls-files", "-z", "--others", "--ignored", "--exclude-standard")
    return set(filter(None, out.split("\0")))


def kept_by_git(root: Path, paths=(".",)) -> list[str]:
    """What a walk that does not look at git finds, less what git ignores."""
    ignored = git_ignored(root)
    return [f for f in found(root, paths, respect_gitignore=False) if f not in ignored]


# -- what git's documentation and other tools' bugs name ---------------------------------------

CASES = {
    "a nested .gitignore, its ! pattern over one from above": {
        ".gitignore": "*.gen.py\n",
        "pkg/a.gen.py": "",
        "pkg/b.py": "",
        "pkg/api/.gitignore": "!keep.gen.py\n",
        "pkg/api/keep.gen.py": "",
        "pkg/api/drop.gen.py": "",
    },
    "anchored, folder-only and ** patterns": {
        ".gitignore": "/gen\nout/\n**/tmp/*.py\nlogs/**\n!logs/keep.py\n",
        "gen/x.py": "",
        "src/gen/x.py": "",
        "out/x.py": "",
        "src/out": "a file named like a folder-only pattern\n",
        "src/tmp/x.py": "",
        "tmp/y.py": "",
        "logs/keep.py": "",
        "logs/a/keep.py": "",
        "logs/x.py": "",
    },
    "a ! pattern cannot bring back a file of an ignored folder": {
        ".gitignore": "build_out/\n!build_out/keep.py\n",
        "build_out/keep.py": "",
        "build_out/x.py": "",
    },
    "a later ! on a folder above leaves what matches below ignored (gen/ then !/src/)": {
        ".gitignore": "gen/\n!/src/\n*.tmp.py\n!**/lib/\n",
        "src/gen/x.py": "",
        "src/y.py": "",
        "pkg/lib/a.tmp.py": "",
        "pkg/lib/b.py": "",
    },
    "ignore everything, then bring back folders and Python files": {
        ".gitignore": "*\n!*/\n!*.py\n",
        "a/b/x.py": "",
        "a/b/notes.txt": "",
        "top.py": "",
    },
    "ignore everything but /src (ruff #8753)": {
        ".gitignore": "*\n!/src/\n!/src/**\n",
        "src/foo.py": "",
        "src/deep/bar.py": "",
        "other.py": "",
    },
    "a pattern of the top asked from a subfolder (ruff #17392)": {
        ".gitignore": "src/pkg/_version.py\n",
        "src/pkg/_version.py": "",
        "src/pkg/mod.py": "",
    },
    "comments, escapes, trailing spaces, brackets, a BOM and CRLF": {
        ".gitignore": "\ufeff# gen.py\n\\#hash.py\n\\!bang.py\nspace.py   \n[ab].py\r\n[z-a].py\n",
        "gen.py": "",
        "#hash.py": "",
        "!bang.py": "",
        "space.py": "",
        "a.py": "",
        "c.py": "",
    },
}


@pytest.mark.parametrize("files", CASES.values(), ids=CASES.keys())
def test_the_walk_leaves_what_git_ignores(tmp_path, files):
    root = repository(tmp_path / "repo", files)
    kept = found(root)
    assert kept == kept_by_git(root)
    assert len(kept) < len(found(root, respect_gitignore=False))  # the case ignores something
    for folder in {Path(f).parent.as_posix() for f in kept} - {"."}:
        assert found(root, [folder]) == kept_by_git(root, [folder])


def test_info_exclude_and_the_global_excludes_file(tmp_path):
    root = repository(tmp_path / "repo", {"a.py": "", "b.py": "", "c.py": "", "d.py": ""})
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("a.py\n")
    (tmp_path / "xdg" / "git").mkdir(parents=True)
    (tmp_path / "xdg" / "git" / "ignore").write_text("b.py\n")  # git's default global file
    assert found(root) == kept_by_git(root) == ["c.py", "d.py"]

    (tmp_path / "global-ignore").write_text("c.py\n")
    (tmp_path / "gitconfig").write_text(f"[core]\n\texcludesFile = {tmp_path / 'global-ignore'}\n")
    assert found(root) == kept_by_git(root) == ["b.py", "d.py"]  # the configured file replaces it


def test_a_nearer_file_wins_over_info_exclude_and_the_global_file(tmp_path):
    root = repository(tmp_path / "repo", {".gitignore": "!*.py\n", "a.py": "", "b.py": ""})
    (root / ".git" / "info" / "exclude").write_text("a.py\n")
    (tmp_path / "xdg" / "git").mkdir(parents=True)
    (tmp_path / "xdg" / "git" / "ignore").write_text("b.py\n")
    assert found(root) == kept_by_git(root) == [".gitignore", "a.py", "b.py"]


def test_a_repository_inside_another_keeps_its_own_rules(tmp_path):
    outer = repository(tmp_path / "outer", {".gitignore": "gen.py\n", "gen.py": "", "x.py": ""})
    inner = repository(outer / "vendored", {"gen.py": "", ".gitignore": "x.py\n", "x.py": ""})
    assert found(outer) == [".gitignore", "vendored/.gitignore", "vendored/gen.py", "x.py"]
    assert found(inner) == kept_by_git(inner)


def test_a_linked_work_tree_reads_the_shared_info_exclude(tmp_path):
    root = repository(tmp_path / "repo", {"a.py": "", "b.py": ""})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "files")
    (root / ".git" / "info" / "exclude").write_text("a.py\n")
    git(root, "worktree", "add", "-q", str(tmp_path / "linked"))
    assert (tmp_path / "linked" / ".git").is_file()
    assert found(tmp_path / "linked") == ["b.py"]


def test_a_linked_gitignore_is_not_read_as_git_does_not_read_it(tmp_path):
    root = repository(tmp_path / "repo", {"rules": "a.py\n", "a.py": "", "b.py": ""})
    (root / ".gitignore").symlink_to("rules")
    assert found(root) == kept_by_git(root)
    assert "a.py" in found(root)


def test_outside_a_repository_the_gitignore_files_of_the_project_still_apply(tmp_path):
    project = tmp_path / "sdist"
    write(
        project,
        {".gitignore": "_version.py\n", "pkg/_version.py": "", "pkg/mod.py": ""},
        dedent=False,
    )
    write(
        project,
        {"pkg/sub/.gitignore": "/local.py\n", "pkg/sub/local.py": "", "pkg/sub/x.py": ""},
        dedent=False,
    )
    assert not (tmp_path / ".git").exists()
    assert found(project) == [".gitignore", "pkg/mod.py", "pkg/sub/.gitignore", "pkg/sub/x.py"]
    assert found(project, ["pkg"]) == ["pkg/mod.py", "pkg/sub/.gitignore", "pkg/sub/x.py"]
    assert "pkg/_version.py" in found(project, respect_gitignore=False)


def test_a_named_folder_is_walked_even_when_ignored_and_its_patterns_apply_inside(tmp_path):
    root = repository(tmp_path / "repo", {".gitignore": "vendor/\n*.gen.py\n"})
    write(root, {"vendor/lib/a.py": "", "vendor/lib/b.gen.py": ""}, dedent=False)
    assert found(root) == [".gitignore"]
    assert found(root, ["vendor/lib"]) == ["vendor/lib/a.py"]
    assert found(root, ["vendor/lib"], force_exclude=True) == []


def test_named_files_are_checked_even_when_ignored_unless_force_exclude(tmp_path):
    root = repository(tmp_path / "repo", {".gitignore": "gen/\nlocal_*.py\n"})
    write(root, {"gen/client.py": "", "local_settings.py": "", "app.py": ""}, dedent=False)
    named = ["gen/client.py", "local_settings.py", "app.py"]
    assert found(root, named) == sorted(named)
    assert found(root, named, force_exclude=True) == ["app.py"]
    assert found(root, named, force_exclude=True, respect_gitignore=False) == sorted(named)


# -- random trees against git -------------------------------------------------------------------

#: Patterns naming what ``random_tree`` makes, in git's every form.
PATTERNS = [
    *("*.py", "!m.py", "m.py", "/gen", "gen/", "gen", "sub/", "**/x.py", "a/**", "!a/m.py"),
    *("a/**/b", "!a/", "*", "!*/", "!*.py", "b", "/a/b", "x*", "!x.py", "!sub/", "!sub/m.py"),
    *("**/sub", "a/*", "a/*/", "?.py", "[ab]", "[!a]*.py", "#gen", "", "m.py  ", "*.txt"),
    *("sub/**", "**/", "a/b/", "!/gen", "/*", "!/a", "sub/*.py", "!gen/x.py", "**/gen/**"),
    *("*/", "!b/", "pkg/", "!pkg/__init__.py", "link*", "broken.py", "docs/*", "!docs"),
    *("!**/a/", "!**/sub", "!a/**/b", "!**/pkg/"),
]


def random_repository(root: Path, rng) -> None:
    """``random_tree``, with a ``.gitignore`` in some of its folders, made a repository."""
    random_tree(root, rng)
    for folder, _dirs, _files in os.walk(root):
        if rng.random() < 0.4:
            ignore_file(Path(folder, ".gitignore"), rng.choices(PATTERNS, k=rng.randint(1, 4)))
    git(root, "init", "-q")


def ignore_file(path: Path, lines) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.data())
def test_on_random_trees_the_walk_leaves_what_git_ignores(rng, data):
    patterns = st.lists(st.sampled_from(PATTERNS), max_size=2)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        random_repository(root, rng)
        ignore_file(root / ".git" / "info" / "exclude", data.draw(patterns, label="info/exclude"))
        xdg = Path(os.environ["XDG_CONFIG_HOME"])
        ignore_file(xdg / "git" / "ignore", data.draw(patterns, label="global excludes"))

        kept = found(root)
        assert kept == kept_by_git(root)
        for folder in sorted({Path(f).parent.as_posix() for f in kept} - {"."})[:3]:
            assert found(root, [folder]) == kept_by_git(root, [folder])
        ignores, by_git = GitIgnores(str(root)), git_ignored(root)
        for file in found(root, respect_gitignore=False):  # each file as if named
            assert ignores.ignores(str(root / file)) == (file in by_git), file


# -- through the command line -------------------------------------------------------------------


def test_an_ignored_folder_holding_a_service_call_is_not_checked(tmp_path):
    root = repository(tmp_path / "repo", {".gitignore": "gen/\n", "gen/client.py": CALL})
    write(root, {"app.py": "import os\n"}, dedent=False)
    clean = invoke("check", "--no-cache", ".", cwd=root)
    assert clean.exit_code == 0, clean.output
    assert "gen/client.py" not in clean.output

    every = invoke("check", "--no-cache", "--no-respect-gitignore", ".", cwd=root)
    assert every.exit_code == 1 and "gen/client.py:4:12: CL001" in every.output

    write(
        root, {"pyproject.toml": "[tool.contractlint]\nrespect-gitignore = false\n"}, dedent=False
    )
    configured = invoke("check", "--no-cache", ".", cwd=root)
    assert configured.exit_code == 1 and "gen/client.py:4:12: CL001" in configured.output
    again = invoke("check", "--no-cache", "--respect-gitignore", ".", cwd=root)
    assert again.exit_code == 0, again.output


def test_a_named_ignored_file_is_checked_unless_force_exclude(tmp_path):
    root = repository(tmp_path / "repo", {".gitignore": "gen/\n", "gen/client.py": CALL})
    named = invoke("check", "--no-cache", "gen/client.py", cwd=root)
    assert named.exit_code == 1 and "gen/client.py:4:12: CL001" in named.output
    forced = invoke("check", "--no-cache", "--force-exclude", "gen/client.py", cwd=root)
    assert forced.exit_code == 0 and "CL001" not in forced.output

    write(root, {"pyproject.toml": "[tool.contractlint]\nforce-exclude = true\n"}, dedent=False)
    configured = invoke("check", "--no-cache", "gen/client.py", cwd=root)
    assert configured.exit_code == 0 and "CL001" not in configured.output


@pytest.mark.parametrize("key", ["respect-gitignore", "force-exclude"])
def test_a_setting_that_is_not_true_or_false_is_a_configuration_error(tree, cli, key):
    tree({"pyproject.toml": f'[tool.contractlint]\n{key} = "yes"\n', "a.py": ""}, dedent=False)
    result = cli("check", "--no-cache", ".")
    assert result.exit_code == 2
    assert f"[tool.contractlint].{key}: expected" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_an_edited_gitignore_never_replays_a_stale_result(tmp_path, monkeypatch):
    root = repository(tmp_path / "repo", {".gitignore": "gen/\n", "gen/client.py": CALL})
    write(root, {"app.py": "import os\n"}, dedent=False)
    cache = ["--cache-dir", str(tmp_path / "cache")]

    def check(replayed: bool = False) -> int:
        with monkeypatch.context() as patch:
            if replayed:  # the run's entry answers: no file is checked again
                patch.setattr(follow, "check_files", _not_called)
            result = invoke("check", *cache, ".", cwd=root)
        assert ("gen/client.py:4:12: CL001" in result.output) == (result.exit_code == 1)
        return result.exit_code

    assert check() == 0
    assert check(replayed=True) == 0
    (root / ".gitignore").write_text("build_out/\n")
    assert check() == 1
    assert check(replayed=True) == 1
    (root / ".gitignore").write_text("gen/\n")
    assert check() == 0
    (root / ".git" / "info" / "exclude").write_text("!gen/\n")  # a lower file cannot override
    assert check(replayed=True) == 0
    (root / ".gitignore").unlink()
    assert check() == 1
    (root / ".git" / "info" / "exclude").write_text("gen/\n")
    assert check() == 0
    assert check(replayed=True) == 0


def _not_called(*args, **kwargs):
    raise AssertionError("the run's cache entry should have answered")


# -- pathspec's expressions kept between runs --------------------------------------------------


def _walk_with_cache(root: Path, cache: Path) -> list[str]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        config = Config(root=str(root), include=("*",))
        return sorted(
            os.path.relpath(p).replace(os.sep, "/")
            for p in discover(["."], config, None, str(cache))
        )
    finally:
        os.chdir(cwd)


def _untranslated(line: str):
    raise AssertionError(f"pathspec was asked about {line!r} again")


def test_a_run_with_a_cache_reads_the_expressions_pathspec_gave_before(tmp_path, monkeypatch):
    files = CASES["anchored, folder-only and ** patterns"]
    root = repository(tmp_path / "repo", files)
    cache = tmp_path / "cache"
    first = _walk_with_cache(root, cache)
    assert not cache.exists()  # only a folder the cache made is written to
    cache.mkdir()
    assert _walk_with_cache(root, cache) == first == kept_by_git(root)
    with monkeypatch.context() as patch:
        patch.setattr(gitignore, "_translate", _untranslated)
        assert _walk_with_cache(root, cache) == first
    # an edited file: only its new line is asked about, and the walk still leaves what git ignores
    (root / ".gitignore").write_text(files[".gitignore"] + "/src/gen/\n")
    asked = []
    translate = gitignore._translate
    with monkeypatch.context() as patch:
        patch.setattr(gitignore, "_translate", lambda line: asked.append(line) or translate(line))
        assert _walk_with_cache(root, cache) == kept_by_git(root) != first
    assert asked == ["/src/gen/"]


@pytest.mark.parametrize(
    "planted",
    [b"not json", b'["gen/"]', b'{"out/": [true, 1]}'],
    ids=["garbage", "not a table", "not an expression"],
)
def test_a_damaged_store_of_expressions_is_translated_again(tmp_path, planted):
    root = repository(tmp_path / "repo", CASES["anchored, folder-only and ** patterns"])
    cache = tmp_path / "cache"
    cache.mkdir()
    first = _walk_with_cache(root, cache)
    (stored,) = (cache / "gitignore").iterdir()
    stored.write_bytes(planted)
    assert _walk_with_cache(root, cache) == first == kept_by_git(root)
