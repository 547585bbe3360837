"""Formatters: pure functions from a report to text, one module per format.

``FORMATS`` maps each ``--format`` name to its formatter; a formatter takes the report and the
``OutputOptions`` and returns the whole text to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from contractlint import __version__
from contractlint.model import Report


@dataclass(frozen=True)
class OutputOptions:
    #: Findings only: no recommended handling, no summary (text formats).
    quiet: bool = False
    #: ANSI colours (only ever for a terminal, and never when NO_COLOR is set).
    color: bool = False
    #: The folder paths are made relative to in formats that want a root (SARIF's %SRCROOT%).
    root: str = "."
    #: The tool version that machine-read formats (json, sarif) record.
    version: str = __version__


Formatter = Callable[[Report, OutputOptions], str]


def plural(count: int, word: str) -> str:
    """``1 file``, ``0 files``, ``2 files``: every count the formats and the commands print."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _text(report: Report, options: OutputOptions) -> str:
    from contractlint.output.text import format_text

    return format_text(report, quiet=options.quiet, color=options.color)


def _lazy(module: str, function: str) -> Formatter:
    """A formatter imported on first use: a run pays only for the formats it writes."""

    def formatter(report: Report, options: OutputOptions) -> str:
        import importlib

        return getattr(importlib.import_module(f"contractlint.output.{module}"), function)(
            report, options
        )

    return formatter


#: The formats whose paths are relative to ``OutputOptions.root`` (``--output-root``).
ROOTED = frozenset({"sarif", "gitlab"})

FORMATS: dict[str, Formatter] = {
    "text": _text,
    "json": _lazy("json", "format_json"),
    "sarif": _lazy("sarif", "format_sarif"),
    "github": _lazy("github", "format_github"),
    "junit": _lazy("junit", "format_junit"),
    "markdown": _lazy("markdown", "format_markdown"),
    "gitlab": _lazy("gitlab", "format_gitlab"),
}
