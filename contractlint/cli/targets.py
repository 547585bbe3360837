"""Where each output goes: ``--format`` and ``--output`` paired, a format named by a file's
extension, the options a run would ignore refused."""

from __future__ import annotations

from collections.abc import Sequence

from contractlint.errors import UserError
from contractlint.output import ROOTED

#: The format an ``--output`` file without a ``--format`` of its own takes from its extension.
CHECK_EXTENSIONS = {
    ".json": "json",
    ".sarif": "sarif",
    ".xml": "junit",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}
REPORT_EXTENSIONS = {
    ".json": "json",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


def format_of(target: str, extensions: dict[str, str]) -> str:
    """The format the extension of ``target`` names (``x.sarif.json`` is SARIF), or a UserError."""
    import os

    name = os.path.basename(target).lower()
    if name.endswith(".sarif.json") and "sarif" in extensions.values():
        return "sarif"
    extension = os.path.splitext(name)[1]
    if extension in extensions:
        return extensions[extension]
    known = ", ".join(f"{ext} ({fmt})" for ext, fmt in extensions.items())
    raise UserError([f"--output {target}: give --format before it, or a name ending in {known}"])


def output_targets(
    formats: Sequence[str], outputs: Sequence[str], output_root: str | None, fix: bool, diff: bool
) -> list[tuple[str, str | None]]:
    """Where each format goes (``_pair_outputs``); a UserError for an option the run would
    ignore."""
    if fix and diff:
        raise UserError(
            ["--diff prints the safe fixes and --fix writes them: give one or the other"]
        )
    if diff and (formats or outputs):
        raise UserError(["--diff prints a unified diff: it cannot go with --format or --output"])
    targets = _pair_outputs(formats, outputs)
    if output_root and not any(fmt in ROOTED for fmt, _ in targets):
        raise UserError(
            [
                "--output-root changes the paths of sarif and gitlab output only: "
                "add --format sarif or gitlab, or leave it out"
            ]
        )
    return targets


def _pair_outputs(formats: Sequence[str], outputs: Sequence[str]) -> list[tuple[str, str | None]]:
    """``--format`` and ``--output`` pair in order; a format without an output goes to standard
    output, an output without a format takes the one its extension names (``CHECK_EXTENSIONS``)."""
    pairs = [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)]
    pairs += [(format_of(target, CHECK_EXTENSIONS), target) for target in outputs[len(formats) :]]
    if not pairs:
        return [("text", None)]
    if sum(1 for _, target in pairs if target is None) > 1:
        raise UserError(
            ["only one --format can go to standard output; give the others an --output FILE"]
        )
    return pairs
