"""``check --diff`` and ``check --fix`` end to end: on the example story and on small trees."""

from __future__ import annotations

import ast
import os
import shutil
import stat
import subprocess
import sys

import pytest
from clirun import ROOT, run
from exampleclient import CONFIG

EXAMPLES = ROOT / "examples"
TODAY = ("--today", "2026-11-28")

UNGUARDED = (
    "import capability_client as cc\n"
    "\n"
    "client = cc.CapabilityClient()\n"
    "\n"
    "\n"
    "def show(user, sticker):\n"
    "    capability = client.check(user, sticker)\n"
    "    return capability.animated\n"
)
FIXED = (
    "import capability_client as cc\n"
    "\n"
    "client = cc.CapabilityClient()\n"
    "\n"
    "\n"
    "def show(user, sticker):\n"
    "    try:\n"
    "        capability = client.check(user, sticker)\n"
    "    except cc.CapabilityError:\n"
    "        capability = cc.Capability.static_only()\n"
    "    return capability.animated\n"
)
NEEDS_A_PERSON = (
    "import capability_client as cc\n"
    "\n"
    "\n"
    "def buy(client: cc.CapabilityClient, user, sticker):\n"
    "    client.grant(user, sticker)\n"
)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "app.py").write_bytes(UNGUARDED.encode())
    (tmp_path / "shop.py").write_bytes(NEEDS_A_PERSON.encode())
    return tmp_path


def findings(result):
    return [line for line in result.stdout.splitlines() if ": CL" in line]


def test_check_shows_each_fix_as_a_plain_hunk_when_not_on_a_terminal(tree):
    result = run("check", ".", cwd=tree)
    assert result.exit_code == 1
    assert (
        "  help: fix (applied by --fix): wrap the statement in try/except cc.CapabilityError"
        in result.stdout
    )
    assert (
        "      -    capability = client.check(user, sticker)\n"
        "      +    try:\n"
        "      +        capability = client.check(user, sticker)\n"
    ) in result.stdout
    assert (
        "  help: suggested fix: wrap the statement in try/except cc.CapabilityError and "
        "re-raise (suggestion only: "
        "the contract says fail closed" in result.stdout
    )
    assert "\x1b[" not in result.stdout


def test_diff_prints_the_safe_fixes_writes_nothing_and_exits_1(tree):
    result = run("check", "--diff", ".", cwd=tree)
    assert result.exit_code == 1
    assert result.stdout.startswith("--- a/app.py\n+++ b/app.py\n@@ -4,5 +4,8 @@\n")
    assert (
        "+    except cc.CapabilityError:\n+        capability = cc.Capability.static_only()\n"
        in result.stdout
    )
    assert "shop.py" not in result.stdout  # a fail-closed call needs a person
    assert result.stderr.splitlines()[-1] == "Would fix 1 finding (1 remaining)."
    assert (tree / "app.py").read_text() == UNGUARDED
    # The diff applies with patch -p1, and gives what --fix writes.
    if shutil.which("patch"):
        copy = tree.parent / "patched"
        shutil.copytree(tree, copy)
        subprocess.run(["patch", "-p1", "-s"], input=result.stdout, text=True, cwd=copy, check=True)
        assert (copy / "app.py").read_text() == FIXED


def test_diff_exits_as_check_does_when_there_is_nothing_to_fix(tree):
    (tree / "app.py").write_text(FIXED)
    result = run("check", "--diff", ".", cwd=tree)
    assert result.exit_code == 1  # shop.py's error remains, as check says
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == "Would fix 0 findings (1 remaining)."
    assert run("check", "--diff", "--exit-zero", ".", cwd=tree).exit_code == 0
    (tree / "shop.py").unlink()
    assert run("check", "--diff", ".", cwd=tree).exit_code == 0


def test_diff_exit_zero_exits_0_even_with_a_diff(tree):
    result = run("check", "--diff", "--exit-zero", ".", cwd=tree)
    assert result.exit_code == 0 and result.stdout.startswith("--- a/app.py\n")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--diff", "--fix"], "--diff prints the safe fixes and --fix writes them"),
        (
            ["--diff", "--format", "json"],
            "--diff prints a unified diff: it cannot go with --format",
        ),
        (
            ["--diff", "--output", "x.json"],
            "--diff prints a unified diff: it cannot go with --format",
        ),
    ],
)
def test_diff_refuses_what_it_would_ignore(tree, args, message):
    result = run("check", *args, ".", cwd=tree)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"contractlint: error: {message}")
    assert result.stderr.count("\n") == 1
    assert (tree / "app.py").read_text() == UNGUARDED and not (tree / "x.json").exists()


def test_fix_writes_reports_what_remains_and_counts_on_stderr(tree):
    result = run("check", "--fix", ".", cwd=tree)
    assert result.exit_code == 1
    assert (tree / "app.py").read_text() == FIXED
    assert (tree / "shop.py").read_text() == NEEDS_A_PERSON
    assert [ln.split(": ")[1].split(" ")[0] for ln in findings(result)] == ["CL001"]
    assert "shop.py:5:5: CL001" in result.stdout
    assert result.stderr.splitlines()[-1] == "Found 2 findings (1 fixed, 1 remaining)."
    again = run("check", "--fix", ".", cwd=tree)
    assert (tree / "app.py").read_text() == FIXED
    assert again.stderr.splitlines()[-1] == "Found 1 finding (0 fixed, 1 remaining)."


def test_fix_exits_0_when_everything_is_fixed(tree):
    (tree / "shop.py").unlink()
    result = run("check", "--fix", ".", cwd=tree)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-1] == "Found 1 finding (1 fixed, 0 remaining)."
    assert run("check", ".", cwd=tree).exit_code == 0


def test_fix_respects_ignore_and_per_file_ignores(tree):
    assert run("check", "--fix", "--ignore", "CL001", ".", cwd=tree).exit_code == 0
    assert (tree / "app.py").read_text() == UNGUARDED
    (tree / "pyproject.toml").write_text(CONFIG + 'per-file-ignores = { "app.py" = ["CL001"] }\n')
    run("check", "--fix", ".", cwd=tree)
    assert (tree / "app.py").read_text() == UNGUARDED


def test_fix_keeps_mode_newlines_and_byte_order_mark(tree):
    path = tree / "app.py"
    path.write_bytes(b"\xef\xbb\xbf" + UNGUARDED.replace("\n", "\r\n").encode())
    path.chmod(0o751)
    run("check", "--fix", ".", cwd=tree)
    data = path.read_bytes()
    assert data == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o751
    assert [
        p.name for p in tree.iterdir() if p.name.startswith(".app.py")
    ] == []  # no temporary file left


def test_fix_writes_through_a_symbolic_link(tree):
    real = tree / "real.py"
    real.write_text(UNGUARDED)
    (tree / "app.py").unlink()
    os.symlink("real.py", tree / "app.py")
    run("check", "--fix", "app.py", cwd=tree)
    assert (tree / "app.py").is_symlink()
    assert real.read_text() == FIXED


def test_fix_and_write_baseline_do_not_go_together(tree):
    result = run("check", "--fix", "--write-baseline", "b.json", ".", cwd=tree)
    assert result.exit_code == 2
    assert result.stderr.startswith("contractlint: error: --write-baseline")


def test_colours_only_on_a_terminal_and_never_with_no_color(tree, monkeypatch):
    from contractlint.cli.writing import color

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not color()
    from contractlint.analysis import ContractIndex, analyse_source
    from contractlint.contracts import load_contracts
    from contractlint.model import Report
    from contractlint.output.text import format_text

    found = analyse_source(
        UNGUARDED, "app.py", ContractIndex(load_contracts(["capability-server"]))
    ).findings
    report = Report(contracts=[], findings=found)
    assert "\x1b[32m      +    try:\x1b[0m" not in format_text(report, color=True)
    assert "      \x1b[32m+    try:\x1b[0m" in format_text(report, color=True)
    assert "      \x1b[31m-    capability = client.check(user, sticker)\x1b[0m" in format_text(
        report, color=True
    )
    assert "\x1b[" not in format_text(report, color=False)


def test_help_documents_fix_and_diff():
    result = run("check", "--help")
    assert "--fix" in result.stdout and "--diff" in result.stdout
    assert "Suggestion-only fixes are never applied" in " ".join(result.stdout.split())


def test_explain_says_whether_a_rule_is_fixable():
    assert "Fix: safe, applied by `check --fix`" in run("explain", "CL002").stdout
    assert "Fix: none, a suggestion only" in run("explain", "CL003").stdout
    assert "Fix: none" in run("explain", "CL900").stdout


def test_the_example_story_fixes_and_then_shows_only_what_needs_a_person(tmp_path):
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy)
    before = run("check", "-q", ".", *TODAY, cwd=copy)
    codes_before = [ln.split(": ")[1].split(" ")[0] for ln in findings(before)]
    fixed = run("check", "--fix", ".", *TODAY, cwd=copy)
    for path in copy.rglob("*.py"):
        ast.parse(path.read_text())
    after = run("check", "-q", ".", *TODAY, cwd=copy)
    codes_after = [ln.split(": ")[1].split(" ")[0] for ln in findings(after)]
    # The gallery's CL001, CL002 and CL006 and the banner's CL001 are fixed; what is
    # left needs a person.
    assert len(codes_before) - len(codes_after) == 4
    assert "CL002" not in codes_after and "CL006" not in codes_after and "CL001" not in codes_after
    assert fixed.stderr.splitlines()[-1] == (
        f"Found {len(codes_before)} findings (4 fixed, {len(codes_after)} remaining)."
    )
    assert "sticker_gallery/gallery.py" in run("check", "-q", ".", *TODAY, cwd=copy).stdout
    assert run("check", "--diff", ".", *TODAY, cwd=copy).stdout == ""
