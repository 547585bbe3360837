"""The terminal format: ``path:line:col: CODE [contract] message``, the recommended handling, a
summary.

Every text that comes from checked code or contracts goes through ``escape.terminal``: a control
character in a file name, a message or a line of the diff is shown as its escape, never sent raw;
and the whole through ``escape.log_lines``, so that no line of it is a GitHub workflow command.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import groupby

from contractlint.model import Finding, Report, Severity, State
from contractlint.output import plural
from contractlint.output.escape import log_lines, terminal, terminal_lines


def _indent(text: str, prefix: str) -> list[str]:
    return [prefix + line if line else line for line in terminal_lines(text)]


_COLORS = {"+": "\x1b[32m", "-": "\x1b[31m", "@": "\x1b[36m"}


def _hunk(diff: str, color: bool) -> list[str]:
    out = []
    for line in terminal_lines(diff):
        paint = _COLORS.get(line[:1]) if color else None
        out.append(f"      {paint}{line}\x1b[0m" if paint else f"      {line}")
    return out


def _help(group: Sequence[Finding], color: bool = False) -> list[str]:
    """Each fix of the call as a diff hunk (said whether ``--fix`` applies it), else the recommended
    handling as text."""
    lines: list[str] = []
    shown = set()
    for f in group:
        if f.fix is None or not f.fix.diff or f.fix.diff in shown:
            continue
        shown.add(f.fix.diff)
        how = "fix (applied by --fix)" if f.fix.safe else "suggested fix"
        lines.append(f"  help: {how}: {terminal(f.fix.description)}")
        lines.extend(_hunk(f.fix.diff, color))
    suggestion = group[-1].suggestion
    if not lines and suggestion:
        lines.append("  help: recommended handling for this call:")
        lines.extend(_indent(suggestion, "      "))
    return lines


def format_findings(report: Report, show_help: bool = True, color: bool = False) -> list[str]:
    lines: list[str] = []
    for _, same in groupby(report.findings, key=lambda f: (f.path, f.span, f.contract)):
        group = list(same)
        for f in group:
            contract = f" [{f.contract}]" if f.contract else ""
            level = "" if f.severity == Severity.ERROR else f" ({f.severity})"
            lines.append(
                f"{terminal(f.path)}:{f.span.line}:{f.span.column}: {f.code}{terminal(contract)}"
                f"{level} {terminal(f.message)}"
            )
        last = group[-1]
        if show_help:
            lines.extend(_help(group, color))
        if show_help and last.remediation:
            first, *rest = terminal_lines(last.remediation) or [""]
            lines.append(f"  note: {first}")
            lines.extend(f"        {line}" for line in rest)
    return lines


def format_summary(report: Report) -> list[str]:
    lines: list[str] = []
    for contract in report.contracts:
        states = report.states(contract.name)
        approved = states[State.APPROVED]
        approved_text = f" ({approved} through approved wrappers or decorators)" if approved else ""
        total = sum(states.values())
        parts = [
            plural(total, "call"),
            f"{states[State.KEPT] + approved} kept{approved_text}",
        ]
        parts += [f"{states[s]} {s}" for s in (State.ACCEPTED, State.BASELINED) if states[s]]
        parts.append(f"{states[State.BROKEN]} broken")
        lines.append(f"{contract.name}: {', '.join(parts)}")
    counts = Counter(f.code for f in report.findings)
    for code in sorted(counts):
        name = next(f.name for f in report.findings if f.code == code)
        lines.append(f"  {code} {name}: {counts[code]}")
    errors = len(report.errors())
    warnings = len(report.findings) - errors
    files = len({f.path for f in report.findings})
    if report.findings:
        lines.append(
            f"Found {plural(len(report.findings), 'finding')} ({plural(errors, 'error')}, "
            f"{plural(warnings, 'warning')}) in {plural(files, 'file')}; "
            f"{plural(report.files_checked, 'file')} checked."
        )
    else:
        lines.append(f"All checked: {plural(report.files_checked, 'file')}, no findings.")
    return lines


def format_text(report: Report, quiet: bool = False, color: bool = False) -> str:
    lines = format_findings(report, show_help=not quiet, color=color)
    if not quiet:
        if lines:
            lines.append("")
        lines.extend(format_summary(report))
    return log_lines("\n".join(lines) + ("\n" if lines else ""))
