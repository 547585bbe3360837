"""End to end: the commands as a user runs them, on the bundled example and on small trees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clirun import run
from exampleclient import CONFIG, CONTRACT
from trees import write

from contractlint.model import RULES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


UNGUARDED = """\
    from capability_client import CapabilityClient
    client = CapabilityClient()
    def show(user, sticker):
        return client.check(user, sticker)
    """
GUARDED = """\
    from capability_client import CapabilityClient, CapabilityError, Capability
    client = CapabilityClient()
    def show(user, sticker):
        try:
            return client.check(user, sticker)
        except CapabilityError:
            return Capability.static_only()
    """


def test_example_reports_each_rule_once_in_the_gallery_and_the_expired_banner_risk():
    result = run("check", "examples/", "--today", "2026-11-28")
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("examples/")]
    found = [
        (ln.split(":")[0], int(ln.split(":")[1]), ln.split(": ")[1].split(" ")[0]) for ln in lines
    ]
    gallery = "examples/sticker_gallery/gallery.py"
    assert found == [
        ("examples/banner_ads/banners.py", 16, "CL101"),
        ("examples/banner_ads/banners.py", 17, "CL001"),
        (gallery, 14, "CL001"),
        (gallery, 21, "CL002"),
        (gallery, 30, "CL003"),
        (gallery, 39, "CL004"),
        (gallery, 45, "CL005"),
        (gallery, 53, "CL006"),
        (gallery, 62, "CL003"),
    ]
    # The chat server keeps the contract; its one accepted risk (a best-effort prefetch) is counted.
    assert (
        "capability-server: 13 calls, 5 kept (2 through approved wrappers or "
        "decorators), 1 accepted, "
        "7 broken"
    ) in result.stdout
    assert "profile-service: 1 call, 0 kept, 1 broken" in result.stdout
    assert "  CL003 policy-violation: 2" in result.stdout
    # The recommended handling is written for the call site, with the file's own import names: as a
    # diff where contractlint can apply it, as text where a person must choose.
    assert (
        "      +    except cc.CapabilityError:\n"
        "      +        capability = cc.Capability.static_only()" in result.stdout
    )
    assert "      except cc.CapabilityError:\n          raise  # fail closed" in result.stdout
    assert "  note: Catch CapabilityError" in result.stdout


def test_the_chat_server_prefetch_acceptance_expires_in_february(tmp_path):
    result = run("check", "examples/chat_server", "--today", "2027-03-01", "-q")
    assert result.stdout.splitlines() == [
        "examples/chat_server/stickers.py:59:13: CL004 [capability-server] "
        "capability_client.CapabilityClient.check(): "
        "the handler at line 60 swallows capability_client.CapabilityError and does nothing; "
        "choose the fallback, or log it",
        "examples/chat_server/stickers.py:60:34: CL101 the acceptance of CL004 expired on "
        "2027-02-28 (owner chat-team): "
        "look at the risk again, then renew the date or handle the failure",
    ]


def test_exit_zero_when_every_call_keeps_the_contract(tmp_path):
    write(tmp_path, {"pyproject.toml": CONFIG, "app/ok.py": GUARDED})
    result = run("check", str(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert "capability-server: 1 call, 1 kept, 0 broken" in result.stdout
    assert "All checked: 1 file, no findings." in result.stdout


def test_select_ignore_and_quiet(tmp_path):
    write(tmp_path, {"pyproject.toml": CONFIG, "bad.py": UNGUARDED})
    assert run("check", str(tmp_path), "--ignore", "CL001").exit_code == 0
    assert run("check", str(tmp_path), "--select", "CL002,CL003").exit_code == 0
    quiet = run("check", str(tmp_path), "--select", "CL0", "-q")
    assert quiet.exit_code == 1
    assert quiet.stdout.splitlines() == [
        f"{tmp_path / 'bad.py'}:4:12: CL001 [capability-server] "
        "capability_client.CapabilityClient.check() is not guarded: "
        "capability_client.CapabilityError escapes; "
        "the contract says fail open"
    ]


def test_unknown_code_is_a_usage_error():
    result = run("check", "examples/", "--select", "CL07")
    assert result.exit_code == 2
    assert result.stderr.startswith('contractlint: error: --select: "CL07" is not a rule code')


def test_exclude_skips_folders_and_named_files(tmp_path):
    write(tmp_path, {"pyproject.toml": CONFIG, "gen/bad.py": UNGUARDED, "ok.py": GUARDED})
    assert run("check", str(tmp_path), "--exclude", "gen/").exit_code == 0
    assert run("check", str(tmp_path / "gen" / "bad.py"), "--exclude", "gen").exit_code == 0
    assert run("check", str(tmp_path)).exit_code == 1


def test_contract_option_replaces_the_configured_set(tmp_path):
    write(
        tmp_path,
        {"pyproject.toml": '[tool.contractlint]\ncontracts = ["requests"]\n', "bad.py": UNGUARDED},
    )
    assert run("check", str(tmp_path)).exit_code == 0
    assert run("check", str(tmp_path), "--contract", "capability-server").exit_code == 1
    assert run("check", str(tmp_path), "--contract", str(CONTRACT)).exit_code == 1


def test_without_configuration_the_default_builtin_contracts_are_used_and_said(tree, cli):
    tree({"bad.py": UNGUARDED, "web.py": "import requests\nrequests.get('x')\n"})
    result = cli("check", ".")
    assert result.exit_code == 1
    assert result.stderr == (
        "contractlint: no contracts configured; using the default builtin ones: "
        "boto3, httpx, redis, requests\n"
    )
    # The example's contract is not a default: a codebase that calls capability_client is not
    # held to it unless it asks, by name.
    found = [line for line in result.stdout.splitlines() if ": CL" in line]
    assert [line.split(" [")[1].split("]")[0] for line in found] == ["requests"]
    assert "capability-server" not in result.stdout
    named = cli("check", "-q", "--contract", "capability-server", ".")
    assert named.exit_code == 1 and named.stdout.startswith(
        "bad.py:4:12: CL001 [capability-server]"
    )
    tree({"pyproject.toml": CONFIG})
    configured = cli("check", "-q", ".")
    assert configured.stdout == named.stdout and configured.stderr == ""


def test_missing_path_and_unknown_contract_exit_2_without_traceback(tmp_path):
    result = run("check", str(tmp_path / "nope.py"))
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
    result = run("check", "examples/", "--contract", "no-such-service")
    assert result.exit_code == 2
    assert result.stderr.startswith('contractlint: error: unknown contract "no-such-service"')
    assert "Traceback" not in result.stderr + result.stdout


def test_unparsable_file_fails_the_run_and_the_others_are_still_checked(tmp_path):
    broken = "import capability_client\ndef f(:\n    pass\n"
    write(
        tmp_path,
        {
            "pyproject.toml": CONFIG,
            "a_broken.py": broken,
            "b_bad.py": UNGUARDED,
            "c_other.py": "def g(:\n",
        },
    )
    result = run("check", str(tmp_path), "-q")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].endswith("a_broken.py:2:7: CL900 cannot parse: invalid syntax")
    assert ":4:12: CL001 " in lines[1]
    # A file that names no contract's module cannot hold a call: it is not parsed at all.
    assert len(lines) == 2


def test_explain_every_rule_has_a_page():
    listing = run("explain")
    assert listing.exit_code == 0
    for rule in RULES:
        assert rule.code in listing.stdout
        page = run("explain", rule.code)
        assert page.exit_code == 0
        assert page.stdout.startswith(f"# {rule.code} {rule.name}\n")
        assert "## Why is this bad?" in page.stdout
    by_name = run("explain", "unbound-fallback")
    assert by_name.stdout.startswith("# CL006 unbound-fallback")
    assert "## Use instead" in by_name.stdout
    unknown = run("explain", "CL777")
    assert unknown.exit_code == 2


def test_explain_without_a_code_lines_up_every_column():
    lines = run("explain").stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [[rule.code, rule.name] for rule in RULES]
    # the severity and the summary start at the same column on every line, past the longest name
    severity = {
        line.index(f" {rule.severity} ", 7 + len(rule.name)) for line, rule in zip(lines, RULES)
    }
    summary = {line.index(rule.summary) for line, rule in zip(lines, RULES)}
    assert len(severity) == len(summary) == 1
    assert min(severity) > 7 + max(len(rule.name) for rule in RULES)


def test_contractlint_alone_prints_its_help():
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "contractlint")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    shown = proc.stdout + proc.stderr
    assert shown.startswith("Usage: contractlint [OPTIONS] COMMAND [ARGS]...\n\n")
    assert "\nCommands:\n  check " in shown and "contractlint: error" not in shown
    assert proc.returncode in (0, 2)  # click 8.2 and later: on standard error, exit 2


def test_contracts_lists_and_validates(tmp_path):
    result = run("contracts", "examples/")
    assert result.exit_code == 0
    assert (
        result.stdout.splitlines()[0]
        == "capability-server (capability-client 1.0.0) owner stickers-sre, review by 2027-03-31"
    )
    assert "[[calls]][2] fail-closed: capability_client.CapabilityClient.grant" in result.stdout
    builtin = run("contracts", "--builtin")
    assert builtin.exit_code == 0
    lines = builtin.stdout.splitlines()
    for name in ("requests", "httpx", "redis", "boto3"):
        assert any(line.startswith(f"{name} (builtin, default) ") for line in lines)
    assert not any(line.startswith("capability-server") for line in lines)
    assert (
        lines[-1] == "Default set, used when nothing is configured: boto3, httpx, redis, requests."
    )
    installed = run("contracts", "--installed")
    assert installed.exit_code == 0
    assert installed.stdout.splitlines()[0] == (
        "capability-server (capability-client 1.0.0) owner stickers-sre, review by 2027-03-31"
    )


def test_python_dash_m_runs_the_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "contractlint", "check", "examples/", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stdout.count("[capability-server]") == 7
    assert proc.stdout.count("[profile-service]") == 1
    assert proc.stderr == ""
