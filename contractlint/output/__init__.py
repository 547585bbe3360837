"""Formatters: pure functions from a report to text, one module per format.

``FORMATS`` maps each ``--format`` name to its formatter; a formatter takes the report and the
``OutputOptions`` and returns the whole text to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict

from contractlint.model import Report


@dataclass(frozen=True)
class OutputOptions:
    #: Findings only: no recommended handling, no summary (text formats).
    quiet: bool = False
    #: ANSI colours (only ever for a terminal, and never when NO_COLOR is set).
    color: bool = False
    #: The folder paths are made relative to in formats that want a root (SARIF's %SRCROOT%).
    root: str = "."


Formatter = Callable[[Report, OutputOptions], str]


def _text(report: Report, options: OutputOptions) -> str:
    from contractlint.output.text import format_text

    return format_text(report, quiet=options.quiet)


FORMATS: Dict[str, Formatter] = {
    "text": _text,
}
