"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message`` (``::warning`` for
warnings). The runner reads a command up to the end of the line, ends the properties at ``::``
and splits them on ``,``; so every value is escaped the way the runner unescapes it: ``%``, CR and
LF in the message, and those and ``:`` and ``,`` in properties. A file named ``a,b:c.py`` or a
message on several lines arrives whole. The job's log reads ANSI sequences: other control
characters are shown as their escapes (``escape.terminal``), as in the text format.
"""

from __future__ import annotations

from contractlint.model import Finding, Report, Severity
from contractlint.output import OutputOptions
from contractlint.output.escape import terminal


def escape_data(text: str) -> str:
    text = terminal(text, lines=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report, options: OutputOptions) -> str:
    lines = [annotation(f, with_help=not options.quiet) for f in report.findings]
    return "".join(line + "\n" for line in lines)


def annotation(finding: Finding, with_help: bool = True) -> str:
    command = "error" if finding.severity == Severity.ERROR else "warning"
    span = finding.span
    title = f"{finding.code} {finding.name}" + (
        f" [{finding.contract}]" if finding.contract else ""
    )
    properties = [
        ("file", finding.path),
        ("line", str(span.line)),
        ("col", str(span.column)),
        ("endLine", str(span.end_line)),
        ("endColumn", str(span.end_column)),
        ("title", title),
    ]
    message: list[str] = [finding.message]
    if with_help and finding.suggestion:
        message += ["", "recommended handling for this call:", finding.suggestion.rstrip("\n")]
    if with_help and finding.remediation:
        message += ["", finding.remediation]
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command} {props}::{escape_data(chr(10).join(message))}"
