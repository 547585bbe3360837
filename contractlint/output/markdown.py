"""``--format markdown``: a short summary for a pull request or a CI job page
(``$GITHUB_STEP_SUMMARY``).

A table per contract says how many calls keep it, then the findings as a table of their own. Both
are GitHub-flavoured Markdown, and every text from checked code or contracts goes through
``escape.markdown``: code in a message can neither end a cell nor open an HTML tag, a link or an
image, and an ``@name`` in it notifies nobody. Long lists are cut (a step summary holds 1 MiB at
most); the other formats carry every finding.
"""

from __future__ import annotations

from contractlint.model import Report, State
from contractlint.model.report import STATES
from contractlint.output import OutputOptions, plural
from contractlint.output.escape import markdown, markdown_code

#: How many findings the table lists before it says how many more there are.
MAX_ROWS = 200


def format_markdown(report: Report, options: OutputOptions) -> str:
    errors = len(report.errors())
    warnings = len(report.findings) - errors
    lines: list[str] = ["## contractlint", ""]
    if report.findings:
        files = len({f.path for f in report.findings})
        lines.append(
            f"**{plural(len(report.findings), 'finding')}** ({plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}) in {plural(files, 'file')}; "
            f"{plural(report.files_checked, 'file')} checked."
        )
    else:
        lines.append(f"No findings: {plural(report.files_checked, 'file')} checked.")
    lines.append("")
    if report.contracts:
        shown = [
            s
            for s in STATES
            if s in (State.KEPT, State.APPROVED, State.BROKEN)
            or any(report.states(c.name)[s] for c in report.contracts)
        ]
        lines.append("| contract | owner | calls | " + " | ".join(shown) + " |")
        lines.append("|---|---|---:|" + "---:|" * len(shown))
        for contract in report.contracts:
            states = report.states(contract.name)
            counts = " | ".join(str(states[s]) for s in shown)
            lines.append(
                f"| {markdown(contract.name)} | {markdown(contract.owner)} | "
                f"{sum(states.values())} | {counts} |"
            )
        lines.append("")
    if report.findings and not options.quiet:
        lines += ["| location | code | contract | message |", "|---|---|---|---|"]
        for f in report.findings[:MAX_ROWS]:
            where = f"{f.path}:{f.span.line}:{f.span.column}"
            lines.append(
                f"| {markdown_code(where)} | {f.code} {markdown(f.name)} | "
                f"{markdown(f.contract or '')} | {markdown(f.message)} |"
            )
        if len(report.findings) > MAX_ROWS:
            rest = len(report.findings) - MAX_ROWS
            lines += [
                "",
                f"… and {plural(rest, 'more finding')}: see the job's log or the SARIF report.",
            ]
        lines.append("")
    return "\n".join(lines)
