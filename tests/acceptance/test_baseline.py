"""The baseline: adopt contractlint on a codebase with findings, then report only new ones.

A baseline is only useful if its fingerprints survive the edits a codebase sees every day
(lines inserted above, variables renamed elsewhere, functions reordered) while a genuinely new
finding, even in a function that already had one, is still reported. The file lives in git, so
it must be byte-stable, and a broken one must stop the run with a clear one-line error.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
from clirun import run
from exampleclient import CONFIG

from contractlint import baseline
from contractlint.config import load_config
from contractlint.contracts import load_contracts
from contractlint.engine import check_paths
from contractlint.errors import UserError

TODAY = "2026-11-28"

# Two functions with a finding each, one compliant call, and a module variable unrelated to them.
ORIGINAL = """\
from capability_client import CapabilityClient, CapabilityError, Capability

client = CapabilityClient()
RETRIES = 3


def send(user, sticker):
    cap = client.check(user, sticker)
    return cap.animated


def preview(user, sticker):
    try:
        return client.check(user, sticker)
    except CapabilityError:
        pass


def safe(user, sticker):
    try:
        return client.check(user, sticker)
    except CapabilityError:
        return Capability.static_only()
"""

# The same with preview's finding (CL004) fixed.
PREVIEW_FIXED = ORIGINAL.replace(
    "    except CapabilityError:\n        pass\n",
    "    except CapabilityError:\n        return False\n",
)


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "stickers.py").write_text(ORIGINAL)
    return tmp_path


def edit(proj: Path, text: str) -> None:
    (proj / "app" / "stickers.py").write_text(textwrap.dedent(text))


def write_baseline(proj: Path, name: str = "baseline.json"):
    result = run("check", ".", "--today", TODAY, "--write-baseline", name, cwd=proj)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result


def check_against(proj: Path, *extra: str):
    return run(
        "check", ".", "--today", TODAY, "--baseline", "baseline.json", "-q", *extra, cwd=proj
    )


def test_without_a_baseline_the_project_has_two_findings(proj):
    """What the baseline below records: a CL001 in send and a CL004 in preview."""
    result = run("check", ".", "--today", TODAY, "-q", cwd=proj)
    assert result.exit_code == 1
    assert [
        line.split(": ")[0] + " " + line.split(": ")[1].split(" ")[0]
        for line in result.stdout.splitlines()
    ] == ["app/stickers.py:8:11 CL001", "app/stickers.py:14:16 CL004"]


def test_write_baseline_records_every_finding_and_exits_0(proj):
    result = write_baseline(proj)
    assert result.stderr.strip() == "contractlint: wrote 2 findings to baseline.json"
    doc = json.loads((proj / "baseline.json").read_text())
    assert doc["version"] == 1 and doc["tool"] == "contractlint"
    assert [
        (e["path"], e["code"], e["scope"], e["callee"], e["occurrence"]) for e in doc["findings"]
    ] == [
        ("app/stickers.py", "CL001", "send", "capability_client.CapabilityClient.check", 0),
        ("app/stickers.py", "CL004", "preview", "capability_client.CapabilityClient.check", 0),
    ]
    # No line numbers anywhere: they are what unrelated edits change.
    assert all(
        set(e) == {"path", "code", "scope", "callee", "occurrence", "fingerprint"}
        for e in doc["findings"]
    )


def test_the_baseline_reads_back_what_was_written(proj):
    write_baseline(proj)
    entries = baseline.read(str(proj / "baseline.json"))
    assert baseline.dumps(entries) == (proj / "baseline.json").read_text()
    assert len({e.fingerprint for e in entries}) == 2


def test_with_the_baseline_nothing_is_reported_and_the_calls_show_as_baselined(proj):
    write_baseline(proj)
    result = run("check", ".", "--today", TODAY, "--baseline", "baseline.json", cwd=proj)
    assert result.exit_code == 0, result.stdout
    assert "capability-server: 3 calls, 1 kept, 2 baselined, 0 broken" in result.stdout
    assert "All checked: 1 file, no findings." in result.stdout
    assert result.stderr == ""


def test_the_engine_separates_new_baselined_and_gone(proj):
    write_baseline(proj)
    entries = baseline.read(str(proj / "baseline.json"))
    config = load_config(str(proj / "pyproject.toml"))
    contracts = load_contracts(["capability-server"])
    report = check_paths(
        [str(proj)], config, contracts, today=dt.date(2026, 11, 28), baseline=entries[:1]
    )
    assert [f.code for f in report.baselined] == ["CL001"]
    assert [f.code for f in report.findings] == ["CL004"]
    assert report.baseline_gone == []
    assert sorted(c.state for c in report.calls) == ["baselined", "broken", "kept"]


def test_survives_inserted_lines(proj):
    write_baseline(proj)
    edit(
        proj,
        '"""Stickers: now with a docstring."""\n\nimport logging\n\n# a comment\n\n\n'
        + ORIGINAL.replace(
            "    cap = client.check(user, sticker)\n",
            "    logging.info('checking')\n\n\n    cap = client.check(user, sticker)\n",
        ),
    )
    result = check_against(proj)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_survives_renamed_variables_elsewhere(proj):
    write_baseline(proj)
    renamed = (
        ORIGINAL.replace("RETRIES", "MAX_RETRIES")
        .replace("def safe(user, sticker):", "def safe(person, item):")
        .replace(
            "        return client.check(user, sticker)\n    except CapabilityError:\n"
            "        return Capability",
            "        return client.check(person, item)\n    except CapabilityError:\n"
            "        return Capability",
        )
    )
    assert renamed.count("MAX_RETRIES") == 1 and "check(person, item)" in renamed
    edit(proj, renamed)
    result = check_against(proj)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_survives_a_function_moved_within_the_file(proj):
    write_baseline(proj)
    head, send, preview, safe = _split(ORIGINAL)
    moved = head + safe + preview + send
    assert moved.index("def send") > moved.index("def preview") > moved.index("def safe")
    assert sorted(moved.splitlines()) == sorted(ORIGINAL.splitlines())
    edit(proj, moved)
    result = check_against(proj)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def _split(source: str):
    """The module's header and its three functions, each with the blank lines before it."""
    parts = source.split("\n\n\ndef ")
    head, rest = parts[0] + "\n", parts[1:]
    return (head, *("\n\ndef " + p.rstrip("\n") + "\n" for p in rest))


def test_a_new_finding_in_the_same_function_is_reported(proj):
    """Same file, function, code and callee as a baselined one: the occurrence index
    tells them apart."""
    write_baseline(proj)
    edit(
        proj,
        ORIGINAL.replace(
            "    cap = client.check(user, sticker)\n    return cap.animated\n",
            "    cap = client.check(user, sticker)\n    again = client.check(user, sticker)\n"
            "    return again.animated\n",
        ),
    )
    result = check_against(proj)
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.stdout.splitlines()] == ["app/stickers.py:9:13"]
    assert ": CL001 " in result.stdout
    assert result.stderr == ""


def test_a_new_kind_of_finding_in_a_baselined_function_is_reported(proj):
    write_baseline(proj)
    edit(
        proj,
        ORIGINAL.replace(
            "    except CapabilityError:\n        pass\n",
            "    except BaseException:\n        pass\n",
        ),
    )
    result = check_against(proj)
    assert result.exit_code == 1
    assert [line.split(": ")[1].split(" ")[0] for line in result.stdout.splitlines()] == ["CL005"]


def test_a_new_file_is_reported(proj):
    write_baseline(proj)
    (proj / "app" / "other.py").write_text(ORIGINAL)
    result = check_against(proj)
    assert result.exit_code == 1
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {"app/other.py"}


def test_a_fixed_finding_is_listed_as_no_longer_found(proj):
    write_baseline(proj)
    edit(proj, PREVIEW_FIXED)
    result = check_against(proj)
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.splitlines() == [
        "contractlint: baseline entry no longer found: app/stickers.py CL004 in preview "
        "(capability_client.CapabilityClient.check); remove it from baseline.json"
    ]


def test_rewriting_the_baseline_drops_what_is_gone(proj):
    write_baseline(proj)
    edit(proj, PREVIEW_FIXED)
    result = run(
        "check", ".", "--baseline", "baseline.json", "--write-baseline", "baseline.json", cwd=proj
    )
    assert result.exit_code == 0
    doc = json.loads((proj / "baseline.json").read_text())
    assert [e["code"] for e in doc["findings"]] == ["CL001"]


def test_the_file_is_sorted_stable_json(proj):
    """Writing twice, even from another directory, gives the same bytes: no churn in review."""
    (proj / "app" / "more.py").write_text(ORIGINAL.replace("def send", "def a_send"))
    write_baseline(proj)
    first = (proj / "baseline.json").read_bytes()
    write_baseline(proj)
    assert (proj / "baseline.json").read_bytes() == first
    (proj / "app" / "sub").mkdir()
    result = run(
        "check",
        "..",
        "--today",
        TODAY,
        "--write-baseline",
        str(proj / "again.json"),
        cwd=proj / "app" / "sub",
    )
    assert result.exit_code == 0
    assert (proj / "again.json").read_bytes() == first
    text = first.decode("utf-8")
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    keys = [
        (e["path"], e["code"], e["scope"], e["callee"], e["occurrence"]) for e in doc["findings"]
    ]
    assert keys == sorted(keys) and len(keys) == 4


def test_fingerprints_do_not_depend_on_the_working_directory(proj):
    write_baseline(proj)
    result = run(
        "check",
        ".",
        "--today",
        TODAY,
        "--baseline",
        str(proj / "baseline.json"),
        "-q",
        cwd=proj / "app",
    )
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


@pytest.mark.parametrize(
    "content, message",
    [
        (
            '{"version": 1, "findings": [',
            "baseline.json:1:29: the baseline is not valid JSON: Expecting value",
        ),
        ("", "baseline.json:1:1: the baseline is not valid JSON: Expecting value"),
        (
            "[]",
            'baseline.json: not a contractlint baseline (expected {"version": '
            '1, "findings": [...]}); '
            "write one with `contractlint check --write-baseline FILE`",
        ),
        (
            '{"version": 2, "findings": []}',
            'baseline.json: not a contractlint baseline (expected {"version": 1, '
            '"findings": [...]}); write one with `contractlint check --write-baseline FILE`',
        ),
        (
            '{"version": 1, "findings": [{"path": "a.py"}]}',
            "baseline.json: findings[1]: expected the keys path, code, scope, callee, "
            "occurrence, fingerprint",
        ),
        (
            '{"version": 1, "findings": [{"path": 1, "code": "CL001", "scope": "", '
            '"callee": "", "occurrence": 0, '
            '"fingerprint": "abc"}]}',
            "baseline.json: findings[1].path: expected a string, got 1",
        ),
        (
            '{"version": 1, "findings": [{"path": "a.py", "code": "CL001", "scope": "", '
            '"callee": "", "occurrence": "0", '
            '"fingerprint": "abc"}]}',
            "baseline.json: findings[1].occurrence: expected a whole number, got '0'",
        ),
    ],
)
def test_a_broken_baseline_is_one_line_with_the_file_and_exit_2(proj, content, message):
    (proj / "baseline.json").write_text(content)
    result = check_against(proj)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"contractlint: error: {message}"]


def test_a_missing_or_binary_baseline_is_one_line_too(proj):
    result = run("check", ".", "--baseline", "nowhere.json", cwd=proj)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "contractlint: error: nowhere.json: cannot read the baseline: No such file or directory"
    ]
    (proj / "baseline.json").write_bytes(b"\xff\xfe\x00")
    result = check_against(proj)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("contractlint: error: baseline.json: the baseline is not valid JSON")


def test_an_unwritable_baseline_is_a_usage_error(proj):
    result = run("check", ".", "--write-baseline", "no/such/folder/baseline.json", cwd=proj)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(
        "contractlint: error: no/such/folder/baseline.json: cannot write the baseline:"
    )


def test_read_rejects_what_write_would_never_produce(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "findings": [
                    {
                        "path": "a.py",
                        "code": "CL001",
                        "scope": "",
                        "callee": "",
                        "occurrence": True,
                        "fingerprint": "x",
                    }
                ],
            }
        )
    )
    with pytest.raises(UserError) as caught:
        baseline.read(str(path))
    assert caught.value.messages == [
        f"{path}: findings[1].occurrence: expected a whole number, got True"
    ]
