"""Every --format, checked against its own specification on the example consumer and on
hostile input.

SARIF is validated with the official 2.1.0 schema (a copy in ``tests/schemas/``, with its source),
JSON with the schema we ship, JUnit with an XML parser, GitHub workflow commands with a parser that
unescapes them the way the Actions runner does.
"""

from __future__ import annotations

import copy
import json
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from collections import Counter
from importlib import resources
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from clirun import invoke as run  # in the current folder, which each test sets
from formats import parse_workflow_command, sarif_validator

from contractlint.contracts import load_contracts
from contractlint.model import RULES, Edit, Finding, Fix, Report, Span
from contractlint.output import FORMATS, OutputOptions
from contractlint.output.github import format_github
from contractlint.output.gitlab import format_gitlab
from contractlint.output.json import format_json
from contractlint.output.junit import format_junit
from contractlint.output.markdown import format_markdown
from contractlint.output.sarif import format_sarif
from contractlint.output.text import format_text

ROOT = Path(__file__).resolve().parents[2]
GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


@pytest.fixture
def in_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def example() -> dict[str, str]:
    """Every format's output for ``check examples/``, written by the command itself to files."""
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            names = sorted(FORMATS)
            args = ["check", "examples/"]
            for name in names:
                args += ["--format", name, "--output", os.path.join(tmp, name)]
            result = run(*args)
            assert result.exit_code == 1, result.stdout + result.stderr
            assert result.stdout == ""
            texts = {}
            for name in names:
                with open(os.path.join(tmp, name), encoding="utf-8") as fh:
                    texts[name] = fh.read()
            return texts
    finally:
        os.chdir(old)


@pytest.fixture(scope="module")
def example_findings(example) -> list[tuple[str, int, int, str]]:
    """(path, line, column, code) of each finding, read from the text format: what every
    other format must say."""
    out = []
    for line in example["text"].splitlines():
        m = re.match(r"^(\S+\.py):(\d+):(\d+): (CL\d{3}) ", line)
        if m:
            out.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4)))
    assert len(out) >= 7  # the gallery breaks each rule once
    return out


def contracts():
    return load_contracts(["capability-server"])


def finding(
    path="app/views.py", line=4, column=12, end_line=4, end_column=40, code="CL001", **extra
) -> Finding:
    rule = next(r for r in RULES if r.code == code)
    fields = dict(
        path=path,
        span=Span(line, column, end_line, end_column),
        code=code,
        name=rule.name,
        severity=rule.severity,
        message="capability_client.CapabilityClient.check() is not guarded",
        contract="capability-server",
        callee="capability_client.CapabilityClient.check",
        suggestion="try:\n    x = client.check(u, s)\nexcept CapabilityError:\n"
        "    x = fallback()\n",
        remediation="Catch CapabilityError.",
        scope="show",
    )
    fields.update(extra)
    return Finding(**fields)


FIX = Fix(
    description="Wrap the call in try/except CapabilityError",
    edits=(
        Edit(Span(4, 5, 4, 5), "try:\n        "),
        Edit(Span(4, 40, 4, 40), "\n    except CapabilityError:\n        x = fallback()"),
    ),
    safe=False,
)


def report_of(*findings: Finding, files=None) -> Report:
    report = Report(contracts=contracts(), findings=list(findings))
    report.files = list(files) if files is not None else sorted({f.path for f in findings})
    report.files_checked = len(report.files)
    return report


# --- json -----------------------------------------------------------------------------------------


def report_schema() -> dict:
    return json.loads(
        (resources.files("contractlint") / "schemas" / "report-v1.schema.json").read_text("utf-8")
    )


def validate_report(data) -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)


def test_json_of_the_example_is_valid_against_the_shipped_schema_and_says_what_the_text_says(
    example, example_findings
):
    data = json.loads(example["json"])
    validate_report(data)
    assert [
        (f["path"], f["line"], f["column"], f["code"]) for f in data["findings"]
    ] == example_findings
    from contractlint import __version__

    assert data["tool"] == {"name": "contractlint", "version": __version__}
    summary = {c["name"]: c for c in data["contracts"]}
    # The text summary says "capability-server: 13 calls, 5 kept (2 through approved
    # ...), ..., 7 broken".
    line = next(ln for ln in example["text"].splitlines() if ln.startswith("capability-server: "))
    calls, kept = (
        int(n) for n in re.match(r"capability-server: (\d+) calls, (\d+) kept", line).groups()
    )
    cs = summary["capability-server"]
    assert (cs["calls"], cs["kept"] + cs["approved"]) == (calls, kept)
    assert cs["broken"] == int(re.search(r"(\d+) broken", line).group(1))
    assert cs["calls"] == sum(
        cs[s] for s in ("kept", "approved", "accepted", "baselined", "broken")
    )
    assert data["counts"]["findings"] == len(data["findings"]) == len(example_findings)
    assert all(f["fingerprint"] for f in data["findings"])  # the engine fills them
    assert len({f["fingerprint"] for f in data["findings"]}) == len(data["findings"])


def test_json_serialises_fixes_suggestions_and_fingerprints_as_given():
    plain = finding(line=9, fingerprint="")
    fixed = finding(fix=FIX, fingerprint="abc123")
    data = json.loads(format_json(report_of(plain, fixed), OutputOptions(version="9.9.9")))
    validate_report(data)
    first, second = data["findings"]
    assert first["fix"] is None and first["fingerprint"] == ""
    assert second["fingerprint"] == "abc123"
    assert second["suggestion"] == fixed.suggestion
    assert second["fix"] == {
        "description": FIX.description,
        "safe": False,
        "edits": [
            {"line": 4, "column": 5, "end_line": 4, "end_column": 5, "content": "try:\n        "},
            {
                "line": 4,
                "column": 40,
                "end_line": 4,
                "end_column": 40,
                "content": "\n    except CapabilityError:\n        x = fallback()",
            },
        ],
    }
    assert (second["line"], second["column"], second["end_line"], second["end_column"]) == (
        4,
        12,
        4,
        40,
    )
    assert data["tool"]["version"] == "9.9.9"


def test_json_is_deterministic_with_sorted_keys(example):
    data = json.loads(example["json"])
    assert example["json"] == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    report = report_of(finding(line=9), finding(fix=FIX))
    assert format_json(report, OutputOptions()) == format_json(report, OutputOptions())


@pytest.mark.parametrize(
    "breakage",
    [
        lambda d: d["findings"][0].update(line=0),
        lambda d: d["findings"][0].pop("fingerprint"),
        lambda d: d["findings"][0].update(severity="fatal"),
        lambda d: d["contracts"][0].pop("broken"),
        lambda d: d.update(schema_version=2),
        lambda d: d["findings"][0].update(
            fix={"description": "x", "safe": True, "edits": [{"line": 1}]}
        ),
    ],
)
def test_the_shipped_schema_rejects_what_it_does_not_describe(breakage):
    data = json.loads(format_json(report_of(finding()), OutputOptions()))
    validate_report(data)
    breakage(data)
    with pytest.raises(jsonschema.ValidationError):
        validate_report(data)


# --- sarif ----------------------------------------------------------------------------------------


# RFC 3986 relative-path reference: unreserved, sub-delims, ':' and '@' in segments, or
# percent-encoded octets.
_URI_PATH = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})+$")


def assert_relative_uri(uri: str, expected_path: str) -> None:
    assert _URI_PATH.match(uri), uri
    assert not uri.startswith("/") and ":" not in uri.split("/")[0], f"{uri} would read as absolute"
    assert unquote(uri) == expected_path


def test_sarif_of_the_example_is_valid_sarif_2_1_0_with_what_code_scanning_needs(
    example, example_findings
):
    log = json.loads(example["sarif"])
    sarif_validator().validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        r.code for r in RULES
    ]  # every rule, whatever was selected or found
    for rule, spec in zip(rules, RULES):
        assert rule["name"] == spec.name
        assert rule["shortDescription"]["text"] == spec.summary
        assert rule["fullDescription"]["text"] == spec.what
        assert rule["help"]["markdown"] == spec.page() and rule["help"]["text"] == spec.page()
        assert rule["helpUri"].startswith("https://")
        assert (
            rule["defaultConfiguration"]["level"]
            == {"error": "error", "warning": "warning"}[spec.severity]
        )
    assert "%SRCROOT%" in run_["originalUriBaseIds"]
    examples_root = "examples/"  # examples/pyproject.toml makes examples/ the project root
    seen = []
    for result in run_["results"]:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        artifact = location["artifactLocation"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        region = location["region"]
        assert {"startLine", "startColumn", "endLine", "endColumn"} <= set(region)
        assert result["level"] == "error"
        assert result["message"]["text"]
        assert result["partialFingerprints"]["contractlint/v1"]
        seen.append(
            (
                examples_root + unquote(artifact["uri"]),
                region["startLine"],
                region["startColumn"],
                result["ruleId"],
            )
        )
        assert_relative_uri(artifact["uri"], unquote(artifact["uri"]))
    assert seen == example_findings


def test_sarif_paths_are_relative_to_the_root_percent_encoded_and_never_absolute(tmp_path):
    root = tmp_path / "repo"
    odd = root / "src" / "naïve dir" / "50% off,#1.py"
    report = report_of(finding(path=str(odd)), finding(path=str(tmp_path / "outside.py")))
    log = json.loads(format_sarif(report, OutputOptions(root=str(root))))
    sarif_validator().validate(log)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris[0] == "src/na%C3%AFve%20dir/50%25%20off%2C%231.py"
    assert_relative_uri(uris[0], "src/naïve dir/50% off,#1.py")
    assert uris[1] == "../outside.py"
    assert str(tmp_path) not in json.dumps(log)


def test_sarif_fixes_become_replacements_and_fingerprints_partial_fingerprints():
    report = report_of(
        finding(fix=FIX, fingerprint="f00d"), finding(line=9, end_line=9, fingerprint="")
    )
    log = json.loads(format_sarif(report, OutputOptions()))
    sarif_validator().validate(log)
    with_fix, without = log["runs"][0]["results"]
    assert with_fix["partialFingerprints"] == {"contractlint/v1": "f00d"}
    assert "partialFingerprints" not in without and "fixes" not in without
    (fix,) = with_fix["fixes"]
    assert fix["description"]["text"] == FIX.description
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "app/views.py"
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 4, "startColumn": 5, "endLine": 4, "endColumn": 5},
            "insertedContent": {"text": "try:\n        "},
        },
        {
            "deletedRegion": {"startLine": 4, "startColumn": 40, "endLine": 4, "endColumn": 40},
            "insertedContent": {"text": "\n    except CapabilityError:\n        x = fallback()"},
        },
    ]
    assert "```python\ntry:\n    x = client.check(u, s)" in with_fix["message"]["markdown"]


def test_sarif_levels_follow_severity_and_brackets_in_messages_are_escaped():
    warn = finding(severity="warning", message="see [the docs](1) and a[0]")
    log = json.loads(format_sarif(report_of(warn), OutputOptions()))
    sarif_validator().validate(log)
    (result,) = log["runs"][0]["results"]
    assert result["level"] == "warning"
    assert result["message"]["text"] == "see \\[the docs\\](1) and a\\[0\\]"


def test_sarif_rule_metadata_is_the_same_whatever_was_selected(in_root):
    full = json.loads(run("check", "examples/", "--format", "sarif").stdout)
    narrow = json.loads(run("check", "examples/", "--format", "sarif", "--select", "CL003").stdout)
    assert full["runs"][0]["tool"] == narrow["runs"][0]["tool"]
    assert {r["ruleId"] for r in narrow["runs"][0]["results"]} == {"CL003"}


def test_the_sarif_schema_check_is_not_vacuous():
    log = json.loads(format_sarif(report_of(finding()), OutputOptions()))
    validator = sarif_validator()
    validator.validate(log)
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


# --- github ---------------------------------------------------------------------------------------


def test_github_annotations_of_the_example_point_at_each_finding(example, example_findings):
    lines = example["github"].splitlines()
    assert len(lines) == len(example_findings)
    for line, (path, row, col, code) in zip(lines, example_findings):
        command, props, message = parse_workflow_command(line)
        assert command == "error"
        assert (props["file"], int(props["line"]), int(props["col"])) == (path, row, col)
        assert int(props["endLine"]) >= row and "endColumn" in props
        assert props["title"].startswith(code + " ")
        assert message


@pytest.mark.parametrize(
    "path", ["src/a,b:c.py", "src/100%/ünïcødé,x.py", "weird::name=1,line=99.py"]
)
def test_github_escaping_survives_hostile_messages_and_file_names(path):
    message = "50% of calls, e.g. a:b,c\r\nraise:: ::error file=x.py::injected %0A %25"
    hostile = finding(
        path=path,
        message=message,
        contract="capability-server",
        suggestion="try:\n    x()\n",
        remediation="::warning::not a command",
    )
    warning = finding(path=path, line=7, end_line=7, severity="warning", message="w,a:r%n")
    out = format_github(report_of(hostile, warning), OutputOptions())
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) == 3  # one line per finding, nothing injected
    command, props, data = parse_workflow_command(lines[0])
    assert command == "error"
    assert props["file"] == path and props["line"] == "4" and props["col"] == "12"
    assert props["title"] == "CL001 unguarded-call [capability-server]"
    assert data.startswith(message + "\n")
    assert "try:\n    x()" in data and data.endswith("::warning::not a command")
    command, props, data = parse_workflow_command(lines[1])
    assert command == "warning" and props["file"] == path and data.startswith("w,a:r%n")
    quiet = format_github(report_of(hostile), OutputOptions(quiet=True))
    assert parse_workflow_command(quiet.rstrip("\n"))[2] == message


# --- junit ----------------------------------------------------------------------------------------


def test_junit_of_the_example_has_a_test_case_per_checked_file_and_a_failure_per_finding(
    example, example_findings
):
    root = ET.fromstring(example["junit"].encode("utf-8"))
    assert example["junit"].startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert root.tag == "testsuites"
    (suite,) = list(root)
    assert suite.tag == "testsuite"
    cases = list(suite)
    assert all(case.tag == "testcase" for case in cases)
    names = [case.get("name") for case in cases]
    assert (
        len(set(names)) == len(names) == json.loads(example["json"])["files_checked"]
    )  # the same run
    assert all(name.startswith("examples/") and name.endswith(".py") for name in names)
    assert {"examples/chat_server/stickers.py", "examples/sticker_gallery/gallery.py"} <= set(names)
    failures = {case.get("name"): [f for f in case if f.tag == "failure"] for case in cases}
    assert Counter({n: len(f) for n, f in failures.items() if f}) == Counter(
        p for p, *_ in example_findings
    )
    for case in cases:
        assert case.get("classname") and float(case.get("time")) >= 0
        for failure in case:
            assert (
                failure.tag == "failure"
                and failure.get("type").startswith("CL")
                and failure.get("message")
            )
            assert failure.text.startswith(case.get("name") + ":")
    failed = sum(1 for f in failures.values() if f)
    for element in (root, suite):
        assert int(element.get("tests")) == len(cases)
        assert int(element.get("failures")) == failed
        assert int(element.get("errors")) == 0
        assert float(element.get("time")) >= 0
        assert element.get("name")


def test_junit_is_well_formed_with_characters_xml_cannot_hold_and_internal_errors_are_errors():
    hostile = finding(
        path="a&b<c>.py",
        message='ends "]]>" & has \x0c form feed and \x1b escape',
        suggestion="x = 1\x0c\n",
    )
    crash = finding(
        path="z.py",
        code="CL999",
        line=1,
        column=1,
        end_line=1,
        end_column=1,
        contract=None,
        callee=None,
        message="contractlint failed: KeyError: 'x'",
    )
    report = report_of(hostile, crash, files=["a&b<c>.py", "clean.py", "z.py"])
    root = ET.fromstring(format_junit(report, OutputOptions()).encode("utf-8"))
    suite = root.find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["a&b<c>.py", "clean.py", "z.py"]
    (failure,) = cases["a&b<c>.py"].findall("failure")
    assert 'ends "]]>" & has \\x0c form feed and \\x1b escape' in failure.get("message")
    assert "x = 1\\x0c" in failure.text
    assert list(cases["clean.py"]) == []
    assert [e.tag for e in cases["z.py"]] == ["error"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "1")


# --- markdown, gitlab -----------------------------------------------------------------------------


def table_rows(markdown: str, header_start: str) -> list[list[str]]:
    lines = markdown.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(header_start))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_markdown_summary_has_a_row_per_contract_and_cells_that_stay_cells(example):
    rows = table_rows(example["markdown"], "| contract |")
    header, rule, *body = rows
    assert header[:3] == ["contract", "owner", "calls"] and "broken" in header
    assert [r[0] for r in body] == ["capability-server", "profile-service"]
    assert all(len(r) == len(header) for r in body)
    data = json.loads(example["json"])
    for row, contract in zip(body, data["contracts"]):
        values = dict(zip(header, row))
        assert (
            int(values["calls"]) == contract["calls"]
            and int(values["broken"]) == contract["broken"]
        )
    pipes = finding(message="a | b <script>x</script>\nsecond line")
    findings = table_rows(format_markdown(report_of(pipes), OutputOptions()), "| location |")
    assert len(findings[2]) == 4
    assert findings[2][3] == "a \\| b \\<script\\>x\\</script\\> second line"


@pytest.mark.parametrize(
    "findings, files, text, markdown",
    [
        ([], 1, "All checked: 1 file, no findings.", "No findings: 1 file checked."),
        ([], 2, "All checked: 2 files, no findings.", "No findings: 2 files checked."),
        (
            [finding()],
            1,
            "Found 1 finding (1 error, 0 warnings) in 1 file; 1 file checked.",
            "**1 finding** (1 error, 0 warnings) in 1 file; 1 file checked.",
        ),
        (
            [finding(), finding(line=9, severity="warning"), finding(path="b.py")],
            3,
            "Found 3 findings (2 errors, 1 warning) in 2 files; 3 files checked.",
            "**3 findings** (2 errors, 1 warning) in 2 files; 3 files checked.",
        ),
    ],
)
def test_counts_say_one_file_and_two_files(findings, files, text, markdown):
    report = report_of(*findings, files=[f"f{i}.py" for i in range(files)])
    assert format_text(report).splitlines()[-1] == text
    assert markdown in format_markdown(report, OutputOptions()).splitlines()


def test_gitlab_code_quality_report_has_the_required_fields_and_unique_fingerprints(
    example, example_findings
):
    issues = json.loads(example["gitlab"])
    assert isinstance(issues, list) and len(issues) == len(example_findings)
    for issue, (path, line, _, code) in zip(issues, example_findings):
        assert issue["description"] and issue["check_name"].startswith(code)
        assert issue["severity"] in GITLAB_SEVERITIES
        assert issue["location"]["path"] == path[len("examples/") :]  # relative to the project root
        assert issue["location"]["lines"]["begin"] == line
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    twice = report_of(
        finding(fingerprint=""), finding(fingerprint=""), finding(line=30, fingerprint="")
    )
    again = json.loads(format_gitlab(twice, OutputOptions()))
    assert len({i["fingerprint"] for i in again}) == 3
    assert json.loads(format_gitlab(twice, OutputOptions())) == again


def test_gitlab_paths_follow_the_output_root(in_root, tmp_path):
    out = tmp_path / "gl.json"
    result = run(
        "check", "examples/", "--format", "gitlab", "--output", str(out), "--output-root", "."
    )
    assert result.exit_code == 1
    paths = {i["location"]["path"] for i in json.loads(out.read_text())}
    assert "examples/sticker_gallery/gallery.py" in paths


@pytest.mark.parametrize("format_used", [[], ["--format", "sarif", "--output", "first.sarif"]])
def test_an_output_without_a_format_takes_the_one_its_extension_names(
    in_root, tmp_path, example, format_used
):
    names = {"x.json": "json", "x.sarif": "sarif", "x.sarif.json": "sarif", "x.xml": "junit"}
    names.update({"x.md": "markdown", "x.txt": "text"})
    args = [arg if arg != "first.sarif" else str(tmp_path / arg) for arg in format_used]
    for name in names:
        args += ["--output", str(tmp_path / name)]
    result = run("check", "examples/", *args)
    assert (result.exit_code, result.stdout) == (1, ""), result.stderr
    for name, fmt in names.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == example[fmt], name


@pytest.mark.parametrize("name", ["report.pdf", "report", "report.html"])
def test_an_output_whose_extension_names_no_format_is_refused(in_root, tmp_path, name):
    result = run("check", "examples/", "--output", str(tmp_path / name))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(
        f"contractlint: error: --output {tmp_path / name}: give --format"
    )
    assert result.stderr.count("\n") == 1 and not (tmp_path / name).exists()


def test_report_takes_its_format_from_the_output_extension(in_root, tmp_path):
    for name, start in [("r.html", "<!DOCTYPE html>"), ("r.json", "{"), ("r.md", "# contractlint")]:
        assert run("report", "examples/", "--output", str(tmp_path / name)).exit_code == 0
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(start)
    assert run("report", "examples/").stdout.startswith("# contractlint report")
    bad = run("report", "examples/", "--output", str(tmp_path / "r.csv"))
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1


def test_output_root_is_refused_where_no_format_uses_it(in_root, tmp_path):
    for args in ([], ["--format", "json"], ["--format", "github", "--output", str(tmp_path / "x")]):
        result = run("check", "examples/", "--output-root", ".", *args)
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr == (
            "contractlint: error: --output-root changes the paths of sarif and gitlab output only: "
            "add --format sarif or gitlab, or leave it out\n"
        )
    sarif = run("check", "examples/", "--output-root", "examples", "--format", "sarif")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(sarif.stdout)["runs"][0]["results"]
    }
    assert "sticker_gallery/gallery.py" in uris


# --- streams and exit status ----------------------------------------------------------------------


def test_findings_go_to_stdout_and_diagnostics_to_stderr(tmp_path, monkeypatch):
    (tmp_path / "bad.py").write_text(
        textwrap.dedent("""\
        import requests
        def show(u, s):
            return requests.get(u)
        """)
    )
    monkeypatch.chdir(tmp_path)
    result = run("check", "bad.py", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["findings"][0]["code"] == "CL001"
    assert result.stderr.startswith("contractlint: no contracts configured")


def test_exit_zero_keeps_findings_but_not_usage_errors(in_root):
    result = run("check", "examples/", "--exit-zero", "-q")
    assert result.exit_code == 0
    assert "CL001" in result.stdout
    bad = run("check", "examples/", "--exit-zero", "--select", "CL07")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("contractlint: error: --select")
    missing = run("check", "nowhere/", "--exit-zero")
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr


def test_every_format_writes_to_stdout_when_alone(in_root):
    for name in sorted(FORMATS):
        result = run("check", "examples/", "--format", name)
        assert result.exit_code == 1, (name, result.stderr)
        assert result.stdout, name
        assert "Traceback" not in result.stderr


def test_the_schema_is_package_data_and_describes_the_version_it_checks():
    schema = report_schema()
    assert schema["properties"]["schema_version"] == {
        "const": json.loads(format_json(report_of(), OutputOptions()))["schema_version"]
    }


def test_formatters_are_pure():
    report = report_of(finding(fix=FIX, fingerprint="f"), finding(line=20, severity="warning"))
    before = copy.deepcopy(report)
    for name, formatter in FORMATS.items():
        assert formatter(report, OutputOptions()) == formatter(report, OutputOptions()), name
    assert report == before
