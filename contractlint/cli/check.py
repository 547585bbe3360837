"""``contractlint check``: find the calls that break their contract, report them in the chosen
formats, or apply (``--fix``) or show (``--diff``) the safe fixes; the exit status says whether an
error remains."""

from __future__ import annotations

import dataclasses
import sys

import click

from contractlint.errors import UserError
from contractlint.output import FORMATS, OutputOptions, plural
from contractlint.output.escape import terminal

from .options import Selection, selection_options
from .running import common_root, run
from .targets import output_targets
from .writing import color, fail, progress_line, stop, write

#: The command's help (a string, not its docstring: ``python -OO`` drops docstrings).
HELP = """\
Check PATHS (files or folders; default: the current folder) against the contracts in force:
those of [tool.contractlint], else the default builtin set (requests, httpx, redis, boto3).

Each file belongs to the project of the nearest pyproject.toml above it, configured by the
nearest [tool.contractlint] table at or above that; a run over any part of a project follows
errors through the whole of it and reports what lies under PATHS (docs/projects.md).

Prints `path:line:col: CODE [contract] message` for each finding, the recommended handling for
that call, and a summary per contract. Exits 0 when no error is found, 1 when one is (0 with
--exit-zero), and 2 on a usage, configuration or contract error.

For CI: --format json|sarif|github|junit|gitlab|markdown (the json schema ships as
contractlint/schemas/report-v1.schema.json), and --changed to check only what a branch or a
commit changes. Findings go to standard output, diagnostics to standard error.

--fix writes the safe fixes to the files and reports what remains; --diff prints them as a
unified diff and writes nothing. Both count the findings fixed and remaining on standard
error, and exit as a check would on what remains (--diff also exits 1 when it prints a diff);
`contractlint explain CODE` says whether a rule is fixable.

On a terminal, a run that takes more than a second or two shows its progress on standard
error: one line (the phase, the files read and parsed, the time so far), erased before
anything else is written. Never in a pipe or a file, in CI (CI set), with --quiet, or when
TERM=dumb.
"""


@click.command(help=HELP)
@selection_options
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print the findings only: no recommended handling, no summary, no progress line.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(sorted(FORMATS)),
    metavar="FORMAT",
    help=f"Output format: {', '.join(sorted(FORMATS))} (default: text). Repeatable, paired in "
    "order with --output.",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the output of the matching --format to FILE instead of standard output; an "
    "--output past the last --format takes the format its extension names: .json, .sarif, .xml "
    "(junit), .md (markdown), .txt (text).",
)
@click.option(
    "--write-baseline",
    "write_baseline",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Record every current finding in FILE (sorted JSON) and exit 0: adopt the tool, then "
    "shrink it.",
)
@click.option(
    "--output-root",
    "output_root",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Make the paths in sarif and gitlab output relative to DIR (default: the folder of "
    "pyproject.toml). In CI, give the repository root. Refused when neither format is written.",
)
@click.option(
    "--changed",
    is_flag=True,
    help="Check only the files that changed, as git sees them: since the merge base with --base, "
    "or the staged files (with --staged, or when run by pre-commit). Untracked files count as "
    "changed. Each is checked as part of its whole project, and the findings elsewhere whose error "
    "passes through a function they changed are reported too.",
)
@click.option(
    "--base",
    metavar="REF",
    help="With --changed: compare with the merge base of REF and HEAD (default: origin/HEAD, else "
    "main or master).",
)
@click.option(
    "--staged",
    is_flag=True,
    help="With --changed: the staged files (the default under pre-commit).",
)
@click.option(
    "--only-changed-lines",
    "only_changed_lines",
    is_flag=True,
    help="With --changed: report only findings on changed lines (from the statement that holds the "
    "call to the call's end); a file that cannot be parsed is always reported.",
)
@click.option(
    "--exit-zero",
    "exit_zero",
    is_flag=True,
    help="Exit 0 even when errors are found; usage and configuration errors still exit 2.",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Apply the safe fixes (the contract's recommended handling where it decides everything) "
    "to the files, then report what remains. Suggestion-only fixes are never applied.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the safe fixes as a unified diff instead of writing them (not with --fix, --format "
    "or --output); exit 1 if there is a diff or error findings remain (0 with --exit-zero).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show the trace of an internal error (CL999), to report it.",
)
def check(
    selection: Selection,
    quiet,
    formats,
    outputs,
    write_baseline,
    output_root,
    changed,
    base,
    staged,
    only_changed_lines,
    exit_zero,
    fix=False,
    diff=False,
    verbose=False,
) -> None:
    progress = progress_line(quiet)
    try:
        targets = output_targets(formats, outputs, output_root, fix, diff)
        changes = _changes(changed, base, staged, only_changed_lines, write_baseline)
        if write_baseline and (fix or diff):
            raise UserError(
                [
                    "--write-baseline records the findings as they are: it cannot go with --fix or "
                    "--diff"
                ]
            )
        fixing: list = []
        projects, report = run(
            selection,
            quiet,
            changed=changes,
            fixing=fixing if (fix or diff) else None,
            write=not diff,
            only_changed_lines=only_changed_lines,
            progress=progress,
        )
        if not verbose:
            report.findings = [
                dataclasses.replace(f, suggestion="") if f.code == "CL999" else f
                for f in report.findings
            ]
        if diff:
            stop(progress)
            changed = _report_diff(fixing, report)
            sys.exit(1 if (changed or report.errors()) and not exit_zero else 0)
        notes = []
        if changes is not None:
            if not quiet:
                from contractlint.changes import describe_selection

                notes.append(describe_selection(changes, len(report.files)))
        if write_baseline:
            from contractlint import baseline

            baseline.write(
                write_baseline,
                baseline.entries(report.findings + report.baselined, projects.relative),
            )
            count = len(report.findings) + len(report.baselined)
            stop(progress)
            for note in notes:
                click.echo(note, err=True)
            click.echo(
                f"contractlint: wrote {plural(count, 'finding')} to {write_baseline}",
                err=True,
            )
            sys.exit(0)
        for entry in report.baseline_gone:
            notes.append(
                terminal(
                    f"contractlint: baseline entry no longer found: {entry.path} {entry.code} in "
                    f"{entry.scope or '<module>'} ({entry.callee or 'no call'}); remove it from "
                    f"{selection.baseline_path}"
                )
            )
        if progress is not None:
            progress.phase("writing the report")
        options = OutputOptions(quiet=quiet, root=output_root or common_root(projects))
        texts = [
            (
                FORMATS[fmt](
                    report, dataclasses.replace(options, color=target is None and color())
                ),
                target,
            )
            for fmt, target in targets
        ]
        stop(progress)
        for note in notes:
            click.echo(note, err=True)
        for text, target in texts:
            write(text, target)
        if fix:
            _report_fixed(fixing, report)
    except UserError as exc:
        stop(progress)
        fail(exc)
    finally:
        stop(progress)
    sys.exit(1 if report.errors() and not exit_zero else 0)


def _changes(
    changed: bool,
    base: str | None,
    staged: bool,
    only_changed_lines: bool,
    write_baseline: str | None,
):
    """What ``--changed`` asks git, or None without it; pre-commit (``PRE_COMMIT`` set) means the
    staged files."""
    import os

    if not changed:
        given = [
            name
            for name, value in (
                ("--base", base),
                ("--staged", staged),
                ("--only-changed-lines", only_changed_lines),
            )
            if value
        ]
        if given:
            raise UserError([f"{given[0]} needs --changed"])
        return None
    if base is not None and staged:
        raise UserError(
            ["--base and --staged cannot go together: compare with a commit, or the staged files"]
        )
    if write_baseline:
        raise UserError(
            ["--write-baseline records every finding of the project: it cannot go with --changed"]
        )
    from contractlint.changes import Git
    from contractlint.changes import changed as ask_git

    return ask_git(
        Git("."), base=base, staged=staged or (base is None and bool(os.environ.get("PRE_COMMIT")))
    )


def _problems(fixing: list) -> None:
    for outcome in fixing:
        for problem in outcome.problems:
            click.echo(f"contractlint: {terminal(problem)}", err=True)


def _report_diff(fixing: list, report) -> bool:
    """``--diff``: the unified diff of every safe fix on standard output, the counts on standard
    error; whether there is a diff."""
    from contractlint.fixes.apply import decode
    from contractlint.fixes.edits import unified_diff

    changed = [f for f in fixing if f.changed]
    for outcome in changed:
        click.echo(
            unified_diff(outcome.path, decode(outcome.before)[0], decode(outcome.after)[0]),
            nl=False,
        )
    _problems(fixing)
    fixed = sum(len(f.fixed) for f in fixing)
    click.echo(
        f"Would fix {plural(fixed, 'finding')} ({len(report.findings)} remaining).", err=True
    )
    return bool(changed)


def _report_fixed(fixing: list, report) -> None:
    """``--fix``: what could not be applied, and the counts, on standard error (as ruff does)."""
    _problems(fixing)
    fixed = sum(len(f.fixed) for f in fixing)
    remaining = len(report.findings)
    click.echo(
        f"Found {plural(fixed + remaining, 'finding')} ({fixed} fixed, {remaining} remaining).",
        err=True,
    )
