"""Hostile inputs: a file, a path or an option that is wrong in any way gives one line that says
what and where, the rest of the run goes on, and nothing crashes, hangs or is damaged."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest
from clirun import run
from trees import write

from contractlint.run import filecheck, schedule

CALL = b"import requests\nr = requests.get('x')\n"
#: A call with a safe fix under the builtin capability-server contract.
FIXABLE = (
    b"import capability_client as cc\n\nclient = cc.CapabilityClient()\n\n\n"
    b"def show(user, sticker):\n    capability = client.check(user, sticker)\n"
    b"    return capability.animated\n"
)
CONTRACTLINT = str(Path(sys.executable).parent / "contractlint")
GOOD = "good.py:2:5: CL001"


def check(tmp_path, *args):
    return run(
        "check", "--no-cache", "-j", "1", "--contract", "requests", "-q", *args, cwd=tmp_path
    )


def one_file(tmp_path, name: str, data: bytes):
    (tmp_path / "good.py").write_bytes(CALL)
    (tmp_path / name).write_bytes(data)
    return check(tmp_path, ".")


BAD = [
    ("syntax", b"import requests\ndef f(:\n    pass\n", "bad.py:2:7: CL900 cannot parse"),
    ("undecodable", b"import requests\nx = '\xff'\n", "bad.py:2:6: CL900 cannot decode: utf-8"),
    (
        "lying-cookie",
        b"# -*- coding: ascii -*-\nimport requests\nx = '\xc3\xa9'\n",
        "bad.py:3:6: CL900 cannot decode: ascii",
    ),
    (
        "unknown-cookie",
        b"# -*- coding: nosuch -*-\nimport requests\n",
        "bad.py:1:1: CL900 cannot decode: unknown encoding",
    ),
    (
        "nul-byte",
        b"import requests\nx = 1\x00\n",
        "bad.py:2:6: CL900 cannot parse: the file holds a NUL byte",
    ),
    (
        "binary",
        b"\x7fELF\x02\x01\x01\x00\x00import requests\xff\xfe",
        "bad.py:1:8: CL900 cannot parse: the file holds a NUL",
    ),
    ("mixed-tabs", b"import requests\ndef f():\n\tx = 1\n        return x\n", "bad.py:4:"),
    (
        "deep-parens",
        b"import requests\nx = " + b"(" * 10000 + b"1" + b")" * 10000 + b"\n",
        "bad.py:2:205: CL900 cannot parse: too many nested parentheses",
    ),
    (
        "deep-lists",
        b"import requests\nx = " + b"[" * 10000 + b"1" + b"]" * 10000 + b"\n",
        "bad.py:2:205: CL900 cannot parse: too many nested parentheses",
    ),
    (
        "long-chain",
        b"import requests\nx = requests.get('x')" + b" + 1" * 10000 + b"\n",
        "bad.py:1:1: CL900 cannot parse: the code is nested too deeply",
    ),
    (
        "long-attribute-chain",
        b"import requests\nx = requests" + b".get()" * 10000 + b"\n",
        "bad.py:1:1: CL900 cannot parse: the code is nested too deeply",
    ),
    (
        "deep-not",
        b"import requests\nx = " + b"not " * 10000 + b"1\n",
        "bad.py:1:1: CL900 cannot parse: the code is",
    ),
    (
        "deep-indent",
        b"import requests\n"
        + b"".join(b" " * i + b"if x:\n" for i in range(200))
        + b" " * 200
        + b"pass\n",
        "bad.py:102:",
    ),
]


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in BAD])
def test_bad_file_is_one_line_and_the_run_goes_on(tmp_path, data, expected):
    result = one_file(tmp_path, "bad.py", data)
    lines = result.output.splitlines()
    assert result.exit_code == 1, result.output
    bad = [line for line in lines if line.startswith("bad.py")]
    assert len(bad) == 1 and bad[0].startswith(expected), lines
    assert any(line.startswith(GOOD) for line in lines)
    assert "Traceback" not in result.output + result.stderr


GOOD_VARIANTS = [
    ("bom", b"\xef\xbb\xbf" + CALL, "v.py:2:5: CL001"),
    ("crlf", CALL.replace(b"\n", b"\r\n"), "v.py:2:5: CL001"),
    ("lone-cr", CALL.replace(b"\n", b"\r"), "v.py:2:5: CL001"),
    (
        "tabs",
        b"import requests\ndef f():\n\tr = requests.get('x')\n\treturn r\n",
        "v.py:3:6: CL001",
    ),
    (
        "latin-1-cookie",
        b"# -*- coding: latin-1 -*-\nimport requests\nx = '\xe9'; r = requests.get('x')\n",
        "v.py:3:14: CL001",
    ),
    (
        "non-ascii-before",
        "import requests\nx = 'ééé'; r = requests.get('x')\n".encode(),
        "v.py:2:16: CL001",
    ),
    ("empty", b"", None),
    ("only-bom", b"\xef\xbb\xbf", None),
    ("no-final-newline", CALL.rstrip(), "v.py:2:5: CL001"),
]


@pytest.mark.parametrize("data, expected", [pytest.param(d, e, id=i) for i, d, e in GOOD_VARIANTS])
def test_unusual_but_valid_files_are_checked_at_the_right_place(tmp_path, data, expected):
    result = one_file(tmp_path, "v.py", data)
    mine = [line for line in result.output.splitlines() if line.startswith("v.py")]
    assert mine == (
        [] if expected is None else [line for line in mine if line.startswith(expected)]
    ), mine
    if expected is not None:
        assert len(mine) == 1
    assert any(line.startswith(GOOD) for line in result.output.splitlines())


def fix(tmp_path, *args):
    return run(
        "check",
        "--no-cache",
        "-j",
        "1",
        "--contract",
        "capability-server",
        "-q",
        "--fix",
        *args,
        cwd=tmp_path,
    )


def test_fix_keeps_bom_crlf_and_tabs(tmp_path):
    data = b"\xef\xbb\xbf" + FIXABLE.replace(b"    ", b"\t").replace(b"\n", b"\r\n")
    (tmp_path / "f.py").write_bytes(data)
    first = fix(tmp_path, "f.py")
    after = (tmp_path / "f.py").read_bytes()
    assert "Traceback" not in first.output + first.stderr
    assert after.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in after.replace(b"\r\n", b"")
    assert b"\n    " not in after  # the file's own tabs
    assert b"try:" in after
    compile(after.decode("utf-8-sig"), "f.py", "exec")
    fix(tmp_path, "f.py")
    assert (tmp_path / "f.py").read_bytes() == after  # idempotent


def test_pythons_warnings_about_the_checked_code_are_neither_printed_nor_errors(tmp_path):
    """Python warns about some valid code (an invalid escape sequence, ``is`` with a literal): on
    stderr from 3.12 on, as an error under ``-W error``. The file is checked and fixed all the
    same, and nothing of it is printed."""
    quirks = b'\nPATTERN = "\\d+"\nSAME = PATTERN is "x"\n'
    (tmp_path / "f.py").write_bytes(FIXABLE + quirks)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checked = check(tmp_path, "--contract", "capability-server", ".")
        fixed = fix(tmp_path, "f.py")
    assert "Warning" not in checked.stderr + fixed.stderr
    assert "CL001" in checked.stdout and "CL9" not in checked.stdout + fixed.stdout
    after = (tmp_path / "f.py").read_bytes()
    assert b"try:" in after and after.endswith(quirks)


def test_deep_nesting_in_a_fresh_process_neither_crashes_nor_hangs(tmp_path):
    """libcst's native parser overflows its stack on deep nesting: a crash no except can catch."""
    for i, text in enumerate(
        [
            b"(" * 10000 + b"requests.get()" + b")" * 10000,
            b"requests.get()" + b" + 1" * 20000,
            b"-" * 50000 + b"1",
        ]
    ):
        (tmp_path / f"deep{i}.py").write_bytes(b"import requests\nx = " + text + b"\n")
    proc = subprocess.run(
        [CONTRACTLINT, "check", "--no-cache", "-j", "1", "--contract", "requests", "."],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
    )
    out = proc.stdout.decode()
    assert proc.returncode == 1, (proc.returncode, proc.stderr.decode()[-2000:])
    assert sorted(line.split(":")[0] for line in out.splitlines() if ": CL900 " in line) == [
        "deep0.py",
        "deep1.py",
        "deep2.py",
    ]


def test_deep_but_valid_code_is_checked(tmp_path):
    """Deeper than the recursion limit (libcst nests each operand, each part of an
    implicit string concatenation), valid for Python (pydoc_data/topics.py is one):
    checked, neither CL900 nor CL999."""
    (tmp_path / "deep.py").write_bytes(
        b"import requests\nx = requests.get('x')" + b" + 1" * 1500 + b"\n"
    )
    (tmp_path / "strings.py").write_bytes(
        b"import requests\nx = (requests.get('x'),\n" + b" 'a'\n" * 3000 + b")\n"
    )
    result = check(tmp_path, ".")
    assert [line.split(" [")[0] for line in result.output.splitlines() if ": CL" in line] == [
        "deep.py:2:5: CL001",
        "strings.py:2:6: CL001",
    ]


def test_a_50000_line_generated_file(tmp_path):
    body = b"".join(b"x%d = %d\n" % (i, i) for i in range(50000))
    (tmp_path / "gen.py").write_bytes(b"import requests\n" + body + b"r = requests.get('x')\n")
    result = check(tmp_path, "gen.py")
    assert result.output.splitlines()[0].startswith("gen.py:50002:5: CL001")


def test_a_file_that_disappears_or_becomes_unreadable_during_the_run(tmp_path, monkeypatch):
    for name in ("a.py", "b.py", "good.py"):
        (tmp_path / name).write_bytes(CALL)
    real = filecheck.read_stamped

    def flaky(path):
        name = os.path.basename(path)
        if name == "a.py":
            os.unlink(path)
        if name == "b.py":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(filecheck, "read_stamped", flaky)
    result = check(tmp_path, ".")
    lines = result.output.splitlines()
    assert "a.py:1:1: CL900 cannot read: No such file or directory" in lines
    assert "b.py:1:1: CL900 cannot read: Permission denied" in lines
    assert any(line.startswith(GOOD) for line in lines)
    assert result.exit_code == 1


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_symlinks_dangling_looping_and_folder_loops(tmp_path):
    (tmp_path / "good.py").write_bytes(CALL)
    os.symlink("nowhere.py", tmp_path / "dangling.py")
    os.symlink("loop2.py", tmp_path / "loop1.py")
    os.symlink("loop1.py", tmp_path / "loop2.py")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "up")  # a folder loop: not followed
    os.symlink("../good.py", tmp_path / "sub" / "link.py")
    result = check(tmp_path, ".")
    lines = result.output.splitlines()
    assert "dangling.py:1:1: CL900 cannot read: No such file or directory" in lines
    assert any(line.startswith("loop1.py:1:1: CL900 cannot read:") for line in lines)
    assert any(line.startswith("sub/link.py:2:5: CL001") for line in lines)
    assert not any("sub/up" in line for line in lines)


def _special_files(folder: Path) -> list[str]:
    """A named pipe, a socket and links to them and to a device, all called ``*.py``."""
    import socket

    os.mkfifo(folder / "pipe.py")
    old = os.getcwd()
    os.chdir(folder)  # a socket's address is short: bind it by a relative name
    try:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind("sock.py")
    finally:
        os.chdir(old)
    os.symlink("pipe.py", folder / "to_pipe.py")
    os.symlink(os.devnull, folder / "to_null.py")
    return ["pipe.py", "sock.py", "to_pipe.py", "to_null.py"]


def _contractlint(*args, cwd):
    """contractlint in a process of its own, which a test can stop when it hangs."""
    return subprocess.run(
        [CONTRACTLINT, *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_pipes_sockets_and_devices_in_a_folder_are_skipped_and_never_wait(tmp_path):
    (tmp_path / "good.py").write_bytes(CALL)
    (tmp_path / "fixable.py").write_bytes(FIXABLE)
    _special_files(tmp_path)
    for args in (
        ["check", "--contract", "requests", "--no-cache", "-j", "1", "."],
        ["check", "--contract", "requests", "-j", "2", "."],  # with the cache, twice
        ["check", "--contract", "requests", "-j", "2", "."],
        ["check", "--contract", "capability-server", "--diff", "."],
        ["check", "--contract", "capability-server", "--fix", "."],
        ["report", "--contract", "requests", "--no-cache", "."],
    ):
        proc = _contractlint(*args, cwd=tmp_path)
        assert "Traceback" not in proc.stderr and "CL900" not in proc.stdout, (args, proc)
    proc = _contractlint("check", "--contract", "requests", "-q", ".", cwd=tmp_path)
    assert [line.split(" [")[0] for line in proc.stdout.splitlines()] == ["good.py:2:5: CL001"]
    assert b"try:" in (tmp_path / "fixable.py").read_bytes()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_pipe_socket_or_device_named_on_the_command_line_is_one_cl900(tmp_path):
    (tmp_path / "good.py").write_bytes(CALL)
    names = _special_files(tmp_path)
    proc = _contractlint(
        "check", "--contract", "requests", "-q", "good.py", *names, os.devnull, cwd=tmp_path
    )
    assert proc.returncode == 1
    assert sorted(proc.stdout.splitlines()) == sorted(
        [
            f"{os.devnull}:1:1: CL900 cannot read: not a regular file (a character device)",
            "pipe.py:1:1: CL900 cannot read: not a regular file (a named pipe)",
            "sock.py:1:1: CL900 cannot read: not a regular file (a socket)",
            "to_pipe.py:1:1: CL900 cannot read: not a regular file (a named pipe)",
            "to_null.py:1:1: CL900 cannot read: not a regular file (a character device)",
            *[line for line in proc.stdout.splitlines() if line.startswith(GOOD)][:1],
        ]
    ), proc.stdout


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_fix_through_a_symlink_writes_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real.py").write_bytes(FIXABLE)
    os.symlink("real.py", tmp_path / "link.py")
    fix(tmp_path, "link.py")
    assert os.path.islink(tmp_path / "link.py")
    assert b"try:" in (tmp_path / "real.py").read_bytes()


@pytest.mark.parametrize("name", ["with space.py", "naïve_ünïcode.py", "-weird.py", "--also.py"])
def test_odd_file_names(tmp_path, name):
    (tmp_path / name).write_bytes(CALL)
    result = check(tmp_path, "--", name)
    assert result.output.splitlines()[0].startswith(f"{name}:2:5: CL001"), result.output
    assert result.exit_code == 1


def test_missing_path_is_one_line(tmp_path):
    result = check(tmp_path, "nope.py")
    assert result.exit_code == 2
    assert (
        result.stderr.strip().splitlines()[-1]
        == "contractlint: error: nope.py: no such file or folder"
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["check", "--format", "nope"],
            "contractlint: error: check: Invalid value for '--format': 'nope' is not one of",
        ),
        (
            ["check", "--today", "soon"],
            "contractlint: error: check: Invalid value for '--today': 'soon' is not a date",
        ),
        (["check", "--jobs", "0"], "contractlint: error: check: Invalid value for '-j' / '--jobs'"),
        (["check", "--no-such-option"], "contractlint: error: check: No such option"),
        (
            ["report", "--format", "pdf"],
            "contractlint: error: report: Invalid value for '--format'",
        ),
        (["nope"], "contractlint: error: No such command 'nope'"),
        (["check", "--config"], "contractlint: error: Option '--config' requires an argument"),
    ],
)
def test_usage_errors_are_one_line(tmp_path, args, expected):
    result = run(*args, cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(expected), result.stderr


def test_usage_error_in_a_real_process(tmp_path):
    proc = subprocess.run(
        [CONTRACTLINT, "check", "--format", "nope"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("contractlint: error: check: Invalid value for '--format'")
    assert proc.stderr.count("\n") == 1


def test_help_and_version_still_exit_0(tmp_path):
    assert run("--version", cwd=tmp_path).exit_code == 0
    assert "Usage:" in run("check", "--help", cwd=tmp_path).output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
def test_a_full_disk_under_standard_output_is_one_line(tmp_path):
    (tmp_path / "good.py").write_bytes(CALL)
    args = [CONTRACTLINT, "check", "--no-cache", "-j", "1", "--contract", "requests", "."]
    with open("/dev/full", "w") as full:
        proc = subprocess.run(args, cwd=tmp_path, stdout=full, stderr=subprocess.PIPE, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.decode() == "contractlint: error: No space left on device\n"


def test_a_file_name_that_is_not_utf8_is_checked_and_reported_in_every_format(tmp_path):
    """Linux allows any bytes in a name: ``bad\\xff.py`` is reported, with an escape, in every
    format and in a baseline that reads back."""
    try:
        with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.py"), "wb") as fh:
            fh.write(CALL)
    except OSError:  # macOS's file systems, for one
        pytest.skip("this file system takes only names in UTF-8")
    base = [CONTRACTLINT, "check", "--no-cache", "-j", "1", "--contract", "requests", "."]

    def cli(*args):
        proc = subprocess.run([*base, *args], cwd=tmp_path, capture_output=True, timeout=60)
        assert b"Traceback" not in proc.stderr, proc.stderr.decode()
        return proc

    assert cli().stdout.startswith(b"bad\\udcff.py:2:5: CL001")
    for fmt in ("json", "junit", "markdown", "gitlab", "github", "text"):
        assert cli("--format", fmt, "--output", f"out.{fmt}").returncode == 1, fmt
        assert "bad\\udcff.py" in (tmp_path / f"out.{fmt}").read_text(encoding="utf-8"), fmt
    assert cli("--format", "sarif", "--output", "out.sarif").returncode == 1
    assert '"uri": "bad%FF.py"' in (tmp_path / "out.sarif").read_text(encoding="utf-8")
    assert cli("--write-baseline", "baseline.json").returncode == 0
    again = cli("--baseline", "baseline.json")
    assert again.returncode == 0 and b"no findings" in again.stdout


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_a_name_the_outputs_encoding_lacks_is_escaped_not_a_crash(tmp_path, encoding):
    """A terminal in latin-1, a Windows pipe in cp1252: a Japanese folder's name is written as an
    escape, as Python writes it on standard error."""
    (tmp_path / "日本").mkdir()
    (tmp_path / "日本" / "grüße.py").write_bytes(CALL)
    args = [CONTRACTLINT, "check", "--no-cache", "-j", "1", "--contract", "requests", "."]
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    proc = subprocess.run(args, cwd=tmp_path, capture_output=True, env=env, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert b"Traceback" not in proc.stderr
    assert proc.stdout.startswith("\\u65e5\\u672c/grüße.py:2:5: CL001".encode(encoding))


@pytest.mark.parametrize(
    "command", [[], ["check"], ["contracts"], ["draft"], ["explain"], ["report"]]
)
def test_help_is_the_same_under_python_OO(tmp_path, command):
    """``python -OO`` drops docstrings: the help of each command is not one."""

    def help_text(*flags):
        args = [sys.executable, *flags, "-m", "contractlint", *command, "--help"]
        proc = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    plain = help_text()
    assert len(plain.split("\n\n")[1]) > 40  # a description after the usage line
    assert help_text("-OO") == plain


# -- internal errors ----------------------------------------------------------------------------


def _explode_on(monkeypatch, name):
    import contractlint.analysis as analysis

    real = analysis.analyse_source

    def analyse(source, path, *args, **kwargs):
        if path.endswith(name):
            raise KeyError("boom")
        return real(source, path, *args, **kwargs)

    monkeypatch.setattr(analysis, "analyse_source", analyse)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_internal_error_is_one_cl999_and_the_others_are_kept(tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(schedule, "POOL_MIN_FILES", 1)
    _explode_on(monkeypatch, "bad.py")
    for i in range(6):
        (tmp_path / f"ok{i}.py").write_bytes(CALL)
    (tmp_path / "bad.py").write_bytes(CALL)
    result = run("check", "--no-cache", "-j", jobs, "--contract", "requests", ".", cwd=tmp_path)
    lines = result.output.splitlines()
    cl999 = [line for line in lines if ": CL999 " in line]
    assert len(cl999) == 1 and cl999[0].startswith("bad.py:1:1: CL999"), lines
    assert (
        "KeyError: 'boom'" in cl999[0] and "contractlint 0." in cl999[0] and "--verbose" in cl999[0]
    )
    assert sum(1 for line in lines if ": CL001 " in line) == 6
    assert "trace (most recent call last)" not in result.output
    assert result.exit_code == 1

    verbose = run(
        "check", "--no-cache", "-j", jobs, "--contract", "requests", "--verbose", ".", cwd=tmp_path
    )
    assert "trace (most recent call last)" in verbose.output
    assert "test_hostile.py" in verbose.output  # the frame that raised


# -- no code of the checked project runs --------------------------------------------------------


def test_no_code_of_the_checked_project_runs(tmp_path):
    marker = tmp_path / "RAN"
    plant = f"open({str(marker)!r}, 'a').write(__file__ + '\\n')\n"
    files = {
        "pkg/__init__.py": plant + "import requests\n",
        "pkg/mod.py": plant + FIXABLE.decode(),
        "conftest.py": plant,
        "sitecustomize.py": plant,
        "usercustomize.py": plant,
        "setup.py": plant,
        "capability_client.py": plant,  # a module shadowing the service's
        "contractlint.py": plant,
        "hooks/build.py": plant,
        "pyproject.toml": textwrap.dedent("""
            [build-system]
            requires = []
            build-backend = "build"
            backend-path = ["hooks"]
            [tool.contractlint]
            contracts = ["capability-server"]
        """),
    }
    write(tmp_path, files, dedent=False)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["PYTHONPATH"] = ""
    for args in (
        ["check", "."],
        ["check", "--fix", "."],
        ["check", "--diff", "."],
        ["report", "."],
        ["contracts"],
        ["check", "-j", "2", "--no-cache", "."],
    ):
        proc = subprocess.run(
            [CONTRACTLINT, *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert "Traceback" not in proc.stderr, (args, proc.stderr)
        assert not marker.exists(), (args, marker.read_text())
    assert b"try:" in (tmp_path / "pkg" / "mod.py").read_bytes()  # --fix did run


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_fix_never_writes_through_a_link_out_of_the_tree(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_bytes(FIXABLE)
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.contractlint]\ncontracts = ["capability-server"]\n'
    )
    os.symlink(outside, project / "link.py")
    result = fix(project, "link.py")
    assert outside.read_bytes() == FIXABLE
    assert f"link.py: fixes not written: it links to {outside}" in result.stderr
    assert "Traceback" not in result.stderr


# -- the target version -------------------------------------------------------------------------

NEWER = [
    ("match x:\n    case 1:\n        r = requests.get('x')\n", (3, 10), "2:1", "a match statement"),
    ("try:\n    r = requests.get('x')\nexcept* ValueError:\n    pass\n", (3, 11), "2:1", "except*"),
    ("type Alias = int\nr = requests.get('x')\n", (3, 12), "2:1", "a type statement"),
    ("def f[T](x: T) -> T:\n    return requests.get(x)\n", (3, 12), "2:1", "a type parameter list"),
    (
        "try:\n    r = requests.get('x')\nexcept ValueError, TypeError:\n    pass\n",
        (3, 14),
        "4:1",
        "except without",
    ),
]


@pytest.mark.parametrize("code, needs, where, what", NEWER, ids=[n[3] for n in NEWER])
def test_target_version_refuses_newer_syntax(tmp_path, code, needs, where, what):
    (tmp_path / "good.py").write_bytes(CALL)
    (tmp_path / "new.py").write_text("import requests\n" + code)
    older = f"{needs[0]}.{needs[1] - 1}"
    result = check(tmp_path, "--target-version", older, ".")
    mine = [line for line in result.output.splitlines() if line.startswith("new.py")]
    assert mine == [
        f"new.py:{where}: CL900 cannot parse for Python {older}: {what}" + mine[0].split(what, 1)[1]
    ]
    assert f"needs Python {needs[0]}.{needs[1]}" in mine[0]
    assert any(line.startswith(GOOD) for line in result.output.splitlines())
    ok = check(tmp_path, "--target-version", f"{needs[0]}.{needs[1]}", "new.py")
    assert "CL900" not in ok.output and ": CL001 " in ok.output


@pytest.mark.parametrize(
    "spec, refused",
    [
        (">=3.9", True),
        (">=3.10", False),
        ("~=3.9.2", True),
        (">=3.8,<4", True),
        ("==3.12.*", False),
        (None, False),
    ],
)
def test_requires_python_sets_the_target(tmp_path, spec, refused):
    project = f'[project]\nname = "x"\nrequires-python = "{spec}"\n' if spec else ""
    (tmp_path / "pyproject.toml").write_text(
        project + '[tool.contractlint]\ncontracts = ["requests"]\n'
    )
    (tmp_path / "m.py").write_text(
        "import requests\nmatch x:\n    case 1:\n        requests.get('x')\n"
    )
    result = run("check", "--no-cache", "-q", ".", cwd=tmp_path)
    assert ("m.py:2:1: CL900 cannot parse for Python" in result.output) == refused, result.output
    assert "Traceback" not in result.stderr


def test_requires_python_that_is_not_a_string(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nrequires-python = 3.9\n[tool.contractlint]\n"
    )
    (tmp_path / "m.py").write_text("import requests\n")
    result = run("check", "--no-cache", ".", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"contractlint: error: {tmp_path / 'pyproject.toml'}:2: "
        "[project].requires-python: expected a version "
        'specifier like ">=3.10", got float 3.9'
    ]
