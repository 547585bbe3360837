"""``check --changed``: real git repositories with commits, branches, staged changes and
shallow clones."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from clirun import run
from exampleclient import CONFIG
from trees import git, write

from contractlint.changes import Changes, Git, changed, parse_diff, restrict, select, unquote
from contractlint.contracts import load_contracts
from contractlint.errors import UserError
from contractlint.model import Finding, Report, Span

IMPORT = "from capability_client import Capability, CapabilityClient, CapabilityError\n"
BAD = "def {name}(u, s):\n    return CapabilityClient().check(u, s)\n"
GOOD = (
    "def {name}(u, s):\n    try:\n        return CapabilityClient().check(u, s)\n"
    "    except CapabilityError:\n        return Capability.static_only()\n"
)


pytestmark = pytest.mark.usefixtures("clean_git_env")


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def move_main_on(repo: Path) -> None:
    """A commit on main after ``feature`` branched off (a second bad call in old.py), then
    back to ``feature``."""
    git(repo, "checkout", "-q", "main")
    write(
        repo,
        {"old.py": IMPORT + "\n" + BAD.format(name="old") + BAD.format(name="older")},
        dedent=False,
    )
    commit(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")


def reported(result) -> list:
    """(path, line, code) for each finding line of ``-q`` output."""
    out = []
    for line in result.stdout.splitlines():
        path, row, _, rest = line.split(":", 3)
        out.append((path, int(row), rest.split()[0]))
    return out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: old.py (one bad call), app.py (one bad call at line 4); then a branch
    ``feature`` that adds a second bad call to app.py (line 6), a new file, a text file and
    a module in an excluded folder."""
    repo = tmp_path / "consumer"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, {"pyproject.toml": CONFIG + 'exclude = ["generated/"]\n'}, dedent=False)
    write(repo, {"old.py": IMPORT + "\n" + BAD.format(name="old")}, dedent=False)
    write(repo, {"pkg/app.py": IMPORT + "\n" + BAD.format(name="first")}, dedent=False)
    commit(repo, "main")
    git(repo, "checkout", "-q", "-b", "feature")
    write(
        repo,
        {"pkg/app.py": IMPORT + "\n" + BAD.format(name="first") + BAD.format(name="second")},
        dedent=False,
    )
    write(repo, {"pkg/new.py": IMPORT + BAD.format(name="fresh")}, dedent=False)
    write(repo, {"notes.txt": "CapabilityClient().check()\n"}, dedent=False)
    write(repo, {"generated/gen.py": IMPORT + BAD.format(name="gen")}, dedent=False)
    commit(repo, "feature")
    return repo


def test_changed_checks_the_files_changed_since_the_merge_base_with_the_default_branch(repo: Path):
    result = run("check", "--changed", "-q", cwd=repo)
    assert result.exit_code == 1, result.stderr
    assert reported(result) == [
        ("pkg/app.py", 4, "CL001"),
        ("pkg/app.py", 6, "CL001"),
        ("pkg/new.py", 3, "CL001"),
    ]
    full = run("check", "-q", cwd=repo)
    assert ("old.py", 4, "CL001") in reported(full)  # what --changed leaves out is really there


def test_changed_says_what_it_compared_with_on_stderr(repo: Path):
    result = run("check", "--changed", "--format", "json", cwd=repo)
    base = git(repo, "merge-base", "main", "HEAD").strip()
    assert (
        result.stderr
        == f"contractlint: checking 2 changed Python files against main (merge base {base[:10]})\n"
    )
    assert result.stdout.startswith("{")


def test_only_changed_lines_reports_the_new_call_and_not_the_old_one(repo: Path):
    result = run("check", "--changed", "--only-changed-lines", "-q", cwd=repo)
    assert reported(result) == [("pkg/app.py", 6, "CL001"), ("pkg/new.py", 3, "CL001")]
    summary = run("check", "--changed", "--only-changed-lines", cwd=repo)
    assert "capability-server: 2 calls, 0 kept, 2 broken" in summary.stdout


def test_only_changed_lines_exits_0_when_only_old_lines_are_broken(repo: Path):
    write(
        repo,
        {"pkg/app.py": IMPORT + "\n" + BAD.format(name="first") + GOOD.format(name="second")},
        dedent=False,
    )
    write(repo, {"pkg/new.py": IMPORT + GOOD.format(name="fresh")}, dedent=False)
    commit(repo, "handle the new calls")
    assert (
        run("check", "--changed", "-q", cwd=repo).exit_code == 1
    )  # the old call in a changed file
    result = run("check", "--changed", "--only-changed-lines", "-q", cwd=repo)
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""


def test_the_default_branch_moving_on_does_not_count_as_a_change_of_the_branch(repo: Path):
    move_main_on(repo)
    paths = {p for p, _, _ in reported(run("check", "--changed", "-q", cwd=repo))}
    assert paths == {"pkg/app.py", "pkg/new.py"}


def test_base_names_the_commit_to_compare_with(repo: Path):
    write(repo, {"pkg/later.py": IMPORT + BAD.format(name="later")}, dedent=False)
    commit(repo, "later")
    result = run("check", "--changed", "--base", "HEAD~1", "-q", cwd=repo)
    assert reported(result) == [("pkg/later.py", 3, "CL001")]
    assert run("check", "--changed", "--base", "HEAD", "-q", cwd=repo).stdout == ""


def test_uncommitted_and_untracked_files_count_as_changed(repo: Path):
    write(
        repo,
        {"old.py": IMPORT + "\n" + BAD.format(name="old") + BAD.format(name="edited")},
        dedent=False,
    )
    write(repo, {"scratch.py": IMPORT + BAD.format(name="draft")}, dedent=False)
    result = run("check", "--changed", "--only-changed-lines", "-q", cwd=repo)
    assert ("old.py", 6, "CL001") in reported(result)
    assert ("old.py", 4, "CL001") not in reported(result)
    assert ("scratch.py", 3, "CL001") in reported(result)


def test_staged_checks_the_staged_files_only(repo: Path):
    write(
        repo,
        {"old.py": IMPORT + "\n" + BAD.format(name="old") + BAD.format(name="staged")},
        dedent=False,
    )
    git(repo, "add", "old.py")
    write(
        repo, {"pkg/app.py": IMPORT + "\n" + BAD.format(name="unstaged")}, dedent=False
    )  # changed, not staged
    result = run("check", "--changed", "--staged", "-q", cwd=repo)
    assert {p for p, _, _ in reported(result)} == {"old.py"}
    lines = run("check", "--changed", "--staged", "--only-changed-lines", "-q", cwd=repo)
    assert reported(lines) == [("old.py", 6, "CL001")]
    assert "against the staged changes" in run("check", "--changed", "--staged", cwd=repo).stderr


def test_under_pre_commit_changed_means_staged(repo: Path):
    write(
        repo,
        {"old.py": IMPORT + "\n" + BAD.format(name="old") + BAD.format(name="staged")},
        dedent=False,
    )
    git(repo, "add", "old.py")
    result = run(
        "check", "--changed", "--only-changed-lines", "-q", env={"PRE_COMMIT": "1"}, cwd=repo
    )
    assert reported(result) == [("old.py", 6, "CL001")]
    # pre-commit names the files itself: --changed keeps those that changed
    named = run(
        "check", "--changed", "old.py", "pkg/app.py", "-q", env={"PRE_COMMIT": "1"}, cwd=repo
    )
    assert {p for p, _, _ in reported(named)} == {"old.py"}
    # an explicit --base wins over the environment
    based = run("check", "--changed", "--base", "main", env={"PRE_COMMIT": "1"}, cwd=repo)
    assert "against main (merge base" in based.stderr
    assert "checking 3 changed Python files" in based.stderr


def test_staged_works_before_the_first_commit(tmp_path: Path):
    repo = tmp_path / "fresh"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, {"pyproject.toml": CONFIG}, dedent=False)
    write(repo, {"a.py": IMPORT + BAD.format(name="a")}, dedent=False)
    git(repo, "add", "a.py", "pyproject.toml")
    assert reported(run("check", "--changed", "--staged", "-q", cwd=repo)) == [("a.py", 3, "CL001")]
    result = run("check", "--changed", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.startswith("contractlint: error: --changed: no default branch found")


def test_paths_limit_the_changed_files_and_folders(repo: Path):
    result = run("check", "--changed", "pkg/new.py", "-q", cwd=repo)
    assert {p for p, _, _ in reported(result)} == {"pkg/new.py"}
    inside = run("check", "--changed", ".", "-q", cwd=repo / "pkg")
    assert {p for p, _, _ in reported(inside)} == {"app.py", "new.py"}
    none = run("check", "--changed", "old.py", cwd=repo)
    assert none.exit_code == 0
    assert "checking 0 changed Python files" in none.stderr


def test_a_clone_finds_the_default_branch_through_origin_head(repo: Path, tmp_path: Path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--branch", "feature", repo.as_uri(), str(clone))
    git(clone, "remote", "set-head", "origin", "main")  # the source had feature checked out
    assert "main" not in git(clone, "branch")  # so only origin/HEAD can lead to origin/main
    result = run("check", "--changed", "-q", cwd=clone)
    assert {p for p, _, _ in reported(result)} == {"pkg/app.py", "pkg/new.py"}
    assert "against origin/main (merge base" in run("check", "--changed", cwd=clone).stderr


def test_a_shallow_clone_without_the_base_exits_2_with_one_clear_line(repo: Path, tmp_path: Path):
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", repo.as_uri(), str(shallow))
    result = run("check", "--changed", "--base", "origin/main", cwd=shallow)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(
        'contractlint: error: --changed: the base "origin/main" is not a commit'
    )
    assert "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr
    default = run("check", "--changed", cwd=shallow)
    assert default.exit_code == 2 and len(default.stderr.splitlines()) == 1
    assert "no default branch found" in default.stderr and "shallow clone" in default.stderr
    assert "Traceback" not in result.stderr + default.stderr


def test_a_shallow_clone_with_the_base_but_not_the_merge_base_exits_2(repo: Path, tmp_path: Path):
    move_main_on(repo)
    shallow = tmp_path / "shallow"
    git(
        tmp_path,
        "clone",
        "-q",
        "--depth",
        "1",
        "--no-single-branch",
        "--branch",
        "feature",
        repo.as_uri(),
        str(shallow),
    )
    result = run("check", "--changed", "--base", "origin/main", cwd=shallow)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert (
        'contractlint: error: --changed: "origin/main" and HEAD have no common ancestor'
        in result.stderr
    )
    assert "shallow" in result.stderr


def test_outside_a_repository_and_misused_options_exit_2(tmp_path: Path, repo: Path):
    plain = tmp_path / "plain"
    plain.mkdir()
    write(plain, {"a.py": "x = 1\n"}, dedent=False)
    result = run("check", "--changed", cwd=plain)
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("contractlint: error: --changed: ")
        and "not in a git repository" in result.stderr
    )
    for args, said in (
        (["--base", "main"], "--base needs --changed"),
        (["--staged"], "--staged needs --changed"),
        (["--only-changed-lines"], "--only-changed-lines needs --changed"),
        (["--changed", "--staged", "--base", "main"], "cannot go together"),
        (["--changed", "--write-baseline", "b.json"], "cannot go with --changed"),
    ):
        result = run("check", *args, cwd=repo)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("contractlint: error: ") and said in result.stderr, (
            result.stderr
        )
    unknown = run("check", "--changed", "--base", "no-such-branch", cwd=repo)
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        'contractlint: error: --changed: the base "no-such-branch" is not a commit in this '
        "repository\n"
    )


def test_odd_file_names_are_found(repo: Path):
    name = "pkg/naïve, file\twith tab.py"
    write(repo, {name: IMPORT + BAD.format(name="odd")}, dedent=False)
    commit(repo, "odd name")
    result = run("check", "--changed", "--only-changed-lines", "-q", cwd=repo)
    assert any(
        line.startswith("pkg/naïve, file\twith tab.py:3:") for line in result.stdout.splitlines()
    )


# --- the parsing, on git's own words --------------------------------------------------------------


def test_parse_diff_reads_added_lines_renames_deletions_and_quoted_names():
    diff = textwrap.dedent("""\
        diff --git a/a.py b/a.py
        index 1..2 100644
        --- a/a.py
        +++ b/a.py
        @@ -3,0 +4,2 @@ def f():
        ++++ not a header
        +x
        @@ -10 +12 @@
        -old
        +new
        @@ -20,3 +21,0 @@
        -gone
        diff --git a/old name.py b/new name.py
        similarity index 100%
        rename from old name.py
        rename to new name.py
        diff --git "a/t\\tb.py" "b/t\\tb.py"
        --- "a/t\\tb.py"
        +++ "b/t\\tb.py"
        @@ -1 +1 @@
        -a
        +b
        diff --git "a/\\303\\251.py" "b/\\303\\251.py"
        new file mode 100644
        --- /dev/null
        +++ "b/\\303\\251.py"
        @@ -0,0 +1 @@
        +x
        """)
    assert parse_diff(diff) == {
        "a.py": frozenset({4, 5, 12}),
        "new name.py": frozenset(),
        "t\tb.py": frozenset({1}),
        "é.py": frozenset({1}),
    }


def test_unquote_follows_git_c_quoting():
    assert unquote("plain.py") == "plain.py"
    assert unquote('"a\\"b\\\\c.py"') == 'a"b\\c.py'
    assert unquote('"\\346\\227\\245.py"') == "日.py"
    assert unquote('"new\\nline.py"') == "new\nline.py"


def test_restrict_keeps_findings_that_touch_changed_lines_and_file_level_ones(
    tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("")
    (tmp_path / "b.py").write_text("")
    changes = Changes(
        against="test",
        files={
            os.path.realpath(tmp_path / "a.py"): frozenset({10}),
            os.path.realpath(tmp_path / "b.py"): None,
        },
    )

    def finding(path, line, end_line=None, statement_line=None, code="CL001", callee="m.f"):
        return Finding(
            path=path,
            span=Span(line, 5, end_line or line, 9),
            code=code,
            name="x",
            severity="error",
            message="m",
            callee=callee,
            statement_line=statement_line,
        )

    kept = [
        finding("a.py", 10),
        finding("a.py", 11, statement_line=10),
        finding("a.py", 9, end_line=12),
        finding("b.py", 99),
        finding("c.py", 1, code="CL900", callee=None),
    ]
    dropped = [finding("a.py", 11), finding("a.py", 9), finding("c.py", 10)]
    report = Report(contracts=load_contracts(["capability-server"]), findings=kept + dropped)
    assert restrict(report, changes).findings == kept
    assert report.findings == kept + dropped  # a new report; the old one is left alone


def test_select_keeps_existing_changed_files_under_the_paths(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("src/a.py", "src/b.py", "tests/t.py"):
        write(tmp_path, {name: ""}, dedent=False)
    files = {
        os.path.realpath(tmp_path / n): None for n in ("src/a.py", "tests/t.py", "src/gone.py")
    }
    changes = Changes(against="test", files=files)
    assert select(changes, ["src"]) == [os.path.join("src", "a.py")]
    assert select(changes, ["."]) == [os.path.join("src", "a.py"), os.path.join("tests", "t.py")]
    assert select(changes, ["src/b.py"]) == []


def test_changed_raises_user_errors_not_tracebacks(tmp_path: Path):
    with pytest.raises(UserError) as caught:
        changed(Git(str(tmp_path)))
    assert caught.value.messages[0].startswith("--changed: ")
