"""``--format junit``: JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure,
...).

One ``testcase`` per checked file, named by its path, with one ``failure`` per finding: a file
that keeps every contract is a passing test. A file contractlint itself failed on (CL999) holds an
``error`` instead, as JUnit separates a failed check from a check that could not run. ``failures``
and ``errors`` count test cases, as the JUnit schema defines them (a case with an error is not also
counted as failed); no time is measured, so ``time`` is 0.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from contractlint.model import Finding, Report
from contractlint.output import OutputOptions

SUITE = "contractlint"
_INTERNAL_ERROR = "CL999"
#: Characters XML 1.0 cannot carry at all, even as character references.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (a form feed in code, a surrogate in a path):
    each becomes a visible ``\\xNN``/``\\uNNNN`` escape."""
    return _NOT_XML.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def format_junit(report: Report, options: OutputOptions) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_file[finding.path].append(finding)
    paths = list(dict.fromkeys([*report.files, *sorted(by_file)]))
    errored = {p for p in paths if any(f.code == _INTERNAL_ERROR for f in by_file[p])}
    failed = {p for p in paths if by_file[p]} - errored
    counts = {
        "tests": str(len(paths)),
        "failures": str(len(failed)),
        "errors": str(len(errored)),
        "time": "0",
    }
    suites = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": SUITE, **counts, "skipped": "0"})
    for path in paths:
        case = ET.SubElement(
            suite, "testcase", {"name": xml_text(path), "classname": SUITE, "time": "0"}
        )
        for finding in by_file[path]:
            tag = "error" if finding.code == _INTERNAL_ERROR else "failure"
            element = ET.SubElement(
                case, tag, {"message": xml_text(_headline(finding)), "type": finding.code}
            )
            element.text = xml_text(_body(finding, options.quiet))
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def _headline(finding: Finding) -> str:
    contract = f" [{finding.contract}]" if finding.contract else ""
    return f"{finding.span.line}:{finding.span.column}: {finding.code}{contract} {finding.message}"


def _body(finding: Finding, quiet: bool) -> str:
    lines = [f"{finding.path}:{_headline(finding)}"]
    if not quiet and finding.suggestion:
        lines += ["", "recommended handling for this call:", finding.suggestion.rstrip("\n")]
    if not quiet and finding.remediation:
        lines += ["", finding.remediation]
    return "\n".join(lines) + "\n"
