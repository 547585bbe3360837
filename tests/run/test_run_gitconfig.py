"""``core.excludesFile`` read from git's configuration files (``contractlint.run.gitconfig``),
next to ``git config --path --get core.excludesFile`` itself in real temporary repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from trees import git

from contractlint.run import gitconfig, gitignore

pytestmark = pytest.mark.usefixtures("clean_git_env")


def asked_git(top: Path) -> str:
    found = subprocess.run(
        ["git", "config", "--path", "--get", "core.excludesFile"],
        cwd=top,
        capture_output=True,
        text=True,
    )
    return found.stdout.rstrip("\n") if found.returncode == 0 else ""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    (tmp_path / "home").mkdir()
    top = tmp_path / "repo"
    top.mkdir()
    git(top, "init", "-q")
    return top


#: Configuration texts that the files alone answer.
READ = {
    "plain": "[core]\n\texcludesFile = /x/ignore\n",
    "any case": "[CoRe]\n\tEXCLUDESFILE=/x/ignore\n",
    "comment after": "[core] ; c\n  excludesfile = /x/ig nore  # trailing\n",
    "quoted": '[core]\n excludesfile = " /x/\\"q\\" ;#\\\\ "\n',
    "tabs inside": "[core]\n excludesfile = a\tb  c\n",
    "home": "[core]\n excludesfile = ~/ignore\n",
    "relative": "[core]\n excludesfile = rel/ignore\n",
    "last wins": "[core]\nexcludesfile=/a\n[user]\nname=x\n[core]\nexcludesfile=/b\n",
    "subsection is not core": '[core "x"]\nexcludesfile=/a\n[core.y]\nexcludesfile=/b\n',
    "empty": "[core]\nexcludesfile =\n",
    "none": "[user]\n\tname = someone\n",
    "crlf and bom": "\ufeff[core]\r\n\texcludesFile = /x/ignore\r\n",
}

#: Texts where git is asked: only it can say.
UNSURE = {
    "include": "[include]\n\tpath = other\n[core]\nexcludesfile=/a\n",
    "includeIf": '[includeIf "gitdir:/x/"]\n\tpath = other\n',
    "continued": "[core]\nexcludesfile = /a\\\n/b\n",
    "key after header": "[core] excludesfile = /a\n",
    "no value": "[core]\nexcludesfile\n",
    "unknown escape": "[core]\nexcludesfile = /a\\q\n",
    "other user's home": "[core]\nexcludesfile = ~root/ignore\n",
}


@pytest.mark.parametrize("where", ["global", "xdg", "home", "repository"])
@pytest.mark.parametrize("name", sorted(READ))
def test_the_files_give_what_git_config_gives(repo, monkeypatch, where, name):
    home, xdg = Path(repo.parent / "home"), Path(repo.parent / "xdg")
    if where != "global":
        monkeypatch.delenv("GIT_CONFIG_GLOBAL")
    path = {
        "global": repo.parent / "gitconfig",
        "xdg": xdg / "git" / "config",
        "home": home / ".gitconfig",
        "repository": repo / ".git" / "config",
    }[where]
    path.parent.mkdir(parents=True, exist_ok=True)
    before = path.read_text() if path.exists() else ""
    text = READ[name].lstrip("\ufeff") if before else READ[name]  # a BOM only opens a file
    path.write_bytes((before + text).encode())  # as written: no newline translation
    assert gitconfig.configured(str(repo)) == asked_git(repo)


def test_the_order_of_the_files_is_gits(repo, monkeypatch):
    monkeypatch.delenv("GIT_CONFIG_GLOBAL")
    xdg = repo.parent / "xdg" / "git"
    xdg.mkdir(parents=True)
    (xdg / "config").write_text("[core]\nexcludesfile=/from-xdg\n")
    assert gitconfig.configured(str(repo)) == asked_git(repo) == "/from-xdg"
    (repo.parent / "home" / ".gitconfig").write_text("[core]\nexcludesfile=/from-home\n")
    assert gitconfig.configured(str(repo)) == asked_git(repo) == "/from-home"
    with open(repo / ".git" / "config", "a") as fh:
        fh.write("[core]\nexcludesfile=/from-repo\n")
    assert gitconfig.configured(str(repo)) == asked_git(repo) == "/from-repo"
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(repo.parent / "global"))
    (repo.parent / "global").write_text("[core]\nexcludesfile=/from-global\n")
    (repo / ".git" / "config").write_text("[core]\nbare = false\n")
    assert gitconfig.configured(str(repo)) == asked_git(repo) == "/from-global"


def test_a_linked_work_tree_reads_the_shared_configuration(repo, tmp_path):
    git(repo, "commit", "-q", "--allow-empty", "-m", "first")
    with open(repo / ".git" / "config", "a") as fh:
        fh.write("[core]\nexcludesfile=/shared\n")
    git(repo, "worktree", "add", "-q", str(tmp_path / "linked"))
    assert gitconfig.configured(str(tmp_path / "linked")) == asked_git(tmp_path / "linked")
    assert asked_git(tmp_path / "linked") == "/shared"


@pytest.mark.parametrize("name", sorted(UNSURE))
def test_git_is_asked_where_the_files_cannot_say(repo, name):
    other = repo.parent / "other"
    other.write_text("[core]\nexcludesfile=/included\n")
    (repo.parent / "gitconfig").write_text(UNSURE[name].replace("other", str(other)))
    assert gitconfig.configured(str(repo)) is None
    expected = asked_git(repo)
    found = gitignore.global_excludes(str(repo))
    assert found == (str(repo / expected) if expected else str(repo.parent / "xdg/git/ignore"))


@pytest.mark.parametrize(
    "variable, value",
    [("GIT_CONFIG_PARAMETERS", "'core.excludesfile'='/env'"), ("GIT_CONFIG_COUNT", "1")],
)
def test_settings_from_the_environment_are_left_to_git(repo, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.excludesfile")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "/env")
    assert gitconfig.configured(str(repo)) is None
    assert gitignore.global_excludes(str(repo)) == "/env" == asked_git(repo)


@pytest.mark.parametrize("value", ["true ", " 1", "2"])
def test_an_unusual_nosystem_is_left_to_git(repo, monkeypatch, value):
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", value)
    assert gitconfig.configured(str(repo)) is None


def test_the_files_answer_without_starting_git(repo, monkeypatch):
    (repo.parent / "gitconfig").write_text("[core]\nexcludesfile=/x\n")
    monkeypatch.setattr(subprocess, "run", None)  # any call fails
    assert gitignore.global_excludes(str(repo)) == "/x"
