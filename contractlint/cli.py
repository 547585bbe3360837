"""Command line: parse options, call the engine, pick a formatter, set the exit status.

Exit status: 0 no error findings, 1 error findings, 2 usage, configuration or contract error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from collections.abc import Sequence

import click

from contractlint import __version__
from contractlint.config import (
    TARGET_VERSIONS,
    Config,
    check_codes,
    configured,
    find_pyproject,
    load_config,
    parse_target_version,
    split_codes,
)
from contractlint.contracts import (
    GROUP,
    builtin_contracts,
    default_names,
    installed_contracts,
    load_contracts,
)
from contractlint.errors import UserError
from contractlint.model import RULES, Contract, rule_by_code
from contractlint.output import FORMATS, ROOTED, OutputOptions, plural
from contractlint.output.escape import terminal

#: ``--contract`` of every command that reads contracts: one spec, one resolution (contracts/specs.py).
CONTRACT_HELP = (
    "A contract file (relative to the working folder), the name of a contract the configuration "
    "lists, a builtin contract name, or the name of a contract an installed package ships (see "
    "`contracts --installed`); repeatable. A configured contract wins over the others of its name. "
    "Replaces the configured set (without one: the default builtin set, see `contracts --builtin`)."
)


def _fail(exc: UserError) -> None:
    for message in exc.messages:
        click.echo(f"contractlint: error: {terminal(message)}", err=True)
    sys.exit(2)


def _setup(
    paths: Sequence[str],
    config_path: str | None,
    contract_specs: Sequence[str],
    quiet: bool = False,
) -> tuple[Config, list[Contract]]:
    source = config_path or find_pyproject(paths)
    config = load_config(source)
    return config, _contracts_for(config, contract_specs, quiet)


def _contracts_for(config: Config, contract_specs: Sequence[str], quiet: bool) -> list[Contract]:
    """The contracts ``config`` puts in force (``--contract`` replaces its set), with the project's
    own approved helpers; the note that the default set is used, unless ``quiet``."""
    known = configured(config)
    if contract_specs:
        # Paths typed on the command line are the shell's, read from here; names may be configured ones.
        contracts = load_contracts(contract_specs, base_dir=".", configured=known)
    elif config.contracts is not None:
        contracts = load_contracts(config.contracts, base_dir=config.root, configured=known)
    else:
        names = default_names()
        if not quiet:
            click.echo(
                f"contractlint: no contracts configured; using the default builtin ones: "
                f"{', '.join(names)}",
                err=True,
            )
        contracts = load_contracts(names, configured=known)
    # The project's own helpers that handle a contract's errors ([tool.contractlint.approved.NAME]).
    return [
        c.approving(*config.approved[c.name]) if c.name in config.approved else c for c in contracts
    ]


class _Main(click.Group):
    """Usage errors as one line, ``contractlint: error: ...``, exit 2, like every other error
    (click's own print the usage text over several lines). ``contractlint`` alone prints its help,
    as any click group does (click 8.2 and later: on standard error, exit 2)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except _NO_ARGS_IS_HELP as exc:
            exc.show()
            code = exc.exit_code
        except click.ClickException as exc:
            message = " ".join(exc.format_message().split())
            command = (
                exc.ctx.command_path.split(" ", 1)[1:]
                if isinstance(exc, click.UsageError) and exc.ctx
                else []
            )
            where = f"{command[0]}: " if command else ""
            click.echo(f"contractlint: error: {where}{terminal(message)}", err=True)
            code = 2 if isinstance(exc, click.UsageError) else exc.exit_code
        except click.Abort:
            click.echo("contractlint: error: aborted", err=True)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


#: What click 8.2 and later raise for a group called without a command (older ones print the help).
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contractlint")
def main() -> None:
    """Check that every call to a backend service handles its failures the way the service's owners intend.

    A service team publishes a contract (a TOML file: which calls reach the service, what they
    raise, and whether callers must fail open with a fallback or fail closed); contractlint finds
    every such call in your code and checks its guard and its handler. An error your own helpers
    let through is followed to their callers and reported where it leaves your code
    (`follow-calls` and `propagate` in [tool.contractlint]; docs/propagation.md).
    """


def _date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-28") from None


def _selection_options(command):
    """The options ``check`` and ``report`` share: what to check, against what, judged on which day."""
    for option in reversed(
        [
            click.argument("paths", nargs=-1, type=click.Path()),
            click.option(
                "--contract",
                "contract_specs",
                multiple=True,
                metavar="PATH|NAME",
                help=CONTRACT_HELP,
            ),
            click.option(
                "--select",
                multiple=True,
                metavar="CODES",
                help="Only these rule codes, prefixes or names (comma-separated).",
            ),
            click.option(
                "--ignore",
                multiple=True,
                metavar="CODES",
                help="Skip these rule codes, prefixes or names (comma-separated).",
            ),
            click.option(
                "--exclude",
                multiple=True,
                metavar="GLOB",
                help="Skip files and folders matching this pattern; repeatable.",
            ),
            click.option(
                "--respect-gitignore/--no-respect-gitignore",
                default=None,
                callback=_remember,
                expose_value=False,
                help="Skip what git ignores: .gitignore files, .git/info/exclude and the global "
                "excludes file (default: on, or respect-gitignore in [tool.contractlint]).",
            ),
            click.option(
                "--force-exclude/--no-force-exclude",
                default=None,
                callback=_remember,
                expose_value=False,
                help="Skip files and folders named on the command line when git ignores them "
                "(--exclude applies to them always; default: off, or force-exclude).",
            ),
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False),
                metavar="FILE",
                help="The pyproject.toml whose configuration every project takes, instead of the "
                "nearest [tool.contractlint] table above each file's project.",
            ),
            click.option(
                "--today",
                callback=_date,
                metavar="YYYY-MM-DD",
                help="The date acceptances and contract reviews are judged by (default: today).",
            ),
            click.option(
                "--baseline",
                "baseline_path",
                type=click.Path(dir_okay=False),
                metavar="FILE",
                help="Report only findings not recorded in this baseline (see --write-baseline).",
            ),
            click.option(
                "--target-version",
                type=click.Choice(TARGET_VERSIONS),
                callback=_remember,
                expose_value=False,
                metavar="3.N",
                help="The oldest Python the checked code must run on: newer syntax cannot be "
                "parsed (default: the lower bound of requires-python in pyproject.toml, else any version).",
            ),
            *_speed_options(),
        ]
    ):
        command = option(command)
    return command


def _remember(ctx, param, value):
    ctx.meta[f"contractlint.{param.name}"] = value


def _speed_options():
    """--jobs, --cache-dir, --no-cache: how the work is done, never what is found (kept in ctx.meta)."""

    def remember(ctx, param, value):
        ctx.meta[f"contractlint.{param.name}"] = value

    return [
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            callback=remember,
            expose_value=False,
            metavar="N",
            help="Worker processes that parse files (default: the number of CPUs; 1: this process only).",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            callback=remember,
            expose_value=False,
            metavar="DIR",
            help="Where the cache lives: each parsed file's analysis, and each run's "
            "result over a folder (default: .contractlint_cache in the folder of pyproject.toml).",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            callback=remember,
            expose_value=False,
            help="Neither read nor write the cache.",
        ),
    ]


def _speed() -> dict:
    """check_paths' jobs, and the cache folder of every project (``Projects``), from the options of
    the running command."""
    from contractlint.run.projects import BESIDE_CONFIG

    meta = click.get_current_context().meta
    jobs = meta.get("contractlint.jobs") or _cpu_count()
    cache_dir = (
        None
        if meta.get("contractlint.no_cache")
        else (meta.get("contractlint.cache_dir") or BESIDE_CONFIG)
    )
    return {"jobs": jobs, "cache_dir": cache_dir}


def _cpu_count() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _run(
    paths,
    contract_specs,
    select,
    ignore,
    exclude,
    config_path,
    today,
    baseline_path,
    quiet=False,
    changed=None,
    fixing: list | None = None,
    write: bool = True,
    only_changed_lines: bool = False,
    progress=None,
):
    """Load each project's configuration and contracts, check ``paths`` (only the ``changed`` files
    among them, when given), and return (the projects, the report). ``progress`` (``_progress``)
    starts once the contracts are loaded."""
    select, ignore = split_codes(select), split_codes(ignore)
    check_codes(select, "--select")
    check_codes(ignore, "--ignore")
    meta = click.get_current_context().meta
    gitignore = {  # --respect-gitignore/--no-respect-gitignore, --force-exclude
        key: meta[f"contractlint.{key}"]
        for key in ("respect_gitignore", "force_exclude")
        if meta.get(f"contractlint.{key}") is not None
    }
    target = click.get_current_context().meta.get("contractlint.target_version")
    version = parse_target_version(target) if target else None
    said: list[bool] = []  # whether the contracts were announced once

    def configure(config: Config) -> tuple[Config, list[Contract]]:
        if exclude:
            config = dataclasses.replace(config, exclude=(*config.exclude, *exclude))
        if version:
            config = dataclasses.replace(config, target_version=version)
        if gitignore:
            config = dataclasses.replace(config, **gitignore)
        # the note on the default set, once a run
        contracts = _contracts_for(config, contract_specs, quiet or bool(said))
        if config.contracts is None and not contract_specs:
            said.append(True)
        return config, contracts

    from contractlint.run.projects import Projects

    speed = _speed()
    projects = Projects(configure, forced=config_path, cache_dir=speed.pop("cache_dir"))
    projects.of(paths[0] if paths else ".")  # its configuration's errors before any other
    missing = [p for p in paths if not _exists(p)]
    if missing:
        raise UserError([f"{p}: no such file or folder" for p in missing])
    if progress is not None:
        progress.start()
    if changed is not None:
        from contractlint.changes import select as select_changed

        paths = select_changed(changed, paths)
    entries = None
    if baseline_path:  # json and hashlib only then
        from contractlint import baseline

        entries = baseline.read(baseline_path)
    options = dict(
        select=select,
        ignore=ignore,
        today=today,
        baseline=entries,
        projects=projects,
        changes=changed,
        only_changed_lines=only_changed_lines,
        progress=progress,
        **speed,
    )
    if (
        fixing is not None
    ):  # --fix, --diff: one FileFix per file with a safe fix lands in ``fixing``
        from contractlint.engine import fix_paths

        report, files = fix_paths(paths, write=write, **options)
        fixing.extend(files)
        return projects, report
    from contractlint.engine import check_paths

    return projects, check_paths(paths, **options)


def _root(projects) -> str:
    """The folder the paths of sarif and gitlab output are relative to: the folder of the
    configuration of the projects the run checked (the one they share)."""
    import os

    roots = sorted({os.path.abspath(p.config.root) for p in projects.used()}) or [os.getcwd()]
    try:
        return os.path.commonpath(roots)
    except ValueError:  # another drive on Windows
        return roots[0]


def _progress(quiet: bool = False):
    """The one-line display of a long run's progress on standard error, or None where it has no
    place: not a terminal, CI, ``--quiet``, ``TERM=dumb`` (``contractlint.output.progress``)."""
    from contractlint.output.progress import open_progress

    return open_progress(sys.stderr, quiet=quiet)


def _stop(progress) -> None:
    """Erase the progress line: before anything else is written."""
    if progress is not None:
        progress.close()


def _color() -> bool:
    """ANSI colours on a terminal only, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


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


@main.command()
@_selection_options
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
    help=f"Output format: {', '.join(sorted(FORMATS))} (default: text). Repeatable, paired in order with --output.",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the output of the matching --format to FILE instead of standard output; an --output "
    "past the last --format takes the format its extension names: .json, .sarif, .xml (junit), "
    ".md (markdown), .txt (text).",
)
@click.option(
    "--write-baseline",
    "write_baseline",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Record every current finding in FILE (sorted JSON) and exit 0: adopt the tool, then shrink it.",
)
@click.option(
    "--output-root",
    "output_root",
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Make the paths in sarif and gitlab output relative to DIR (default: the folder of pyproject.toml). "
    "In CI, give the repository root. Refused when neither format is written.",
)
@click.option(
    "--changed",
    is_flag=True,
    help="Check only the files that changed, as git sees them: since the merge base with --base, or the "
    "staged files (with --staged, or when run by pre-commit). Untracked files count as changed. "
    "Each is checked as part of its whole project, and the findings elsewhere whose error passes "
    "through a function they changed are reported too.",
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
    help="With --changed: report only findings on changed lines (from the statement that holds the call "
    "to the call's end); a file that cannot be parsed is always reported.",
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
    help="Apply the safe fixes (the contract's recommended handling where it decides everything) to the "
    "files, then report what remains. Suggestion-only fixes are never applied.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the safe fixes as a unified diff instead of writing them (not with --fix, --format or "
    "--output); exit 1 if there is a diff or error findings remain (0 with --exit-zero).",
)
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show the trace of an internal error (CL999), to report it.",
)
def check(
    paths,
    contract_specs,
    select,
    ignore,
    exclude,
    config_path,
    today,
    baseline_path,
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
    """Check PATHS (files or folders; default: the current folder) against the contracts in force:
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
    paths = list(paths) or ["."]
    progress = _progress(quiet)
    try:
        targets = _targets(formats, outputs, output_root, fix, diff)
        changes = _changes(changed, base, staged, only_changed_lines, write_baseline)
        if write_baseline and (fix or diff):
            raise UserError(
                [
                    "--write-baseline records the findings as they are: it cannot go with --fix or --diff"
                ]
            )
        fixing: list = []
        projects, report = _run(
            paths,
            contract_specs,
            select,
            ignore,
            exclude,
            config_path,
            today,
            baseline_path,
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
            _stop(progress)
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
            _stop(progress)
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
                    f"{entry.scope or '<module>'} ({entry.callee or 'no call'}); remove it from {baseline_path}"
                )
            )
        if progress is not None:
            progress.phase("writing the report")
        options = OutputOptions(quiet=quiet, root=output_root or _root(projects))
        texts = [
            (
                FORMATS[fmt](
                    report, dataclasses.replace(options, color=target is None and _color())
                ),
                target,
            )
            for fmt, target in targets
        ]
        _stop(progress)
        for note in notes:
            click.echo(note, err=True)
        for text, target in texts:
            _write(text, target)
        if fix:
            _report_fixed(fixing, report)
    except UserError as exc:
        _stop(progress)
        _fail(exc)
    finally:
        _stop(progress)
    sys.exit(1 if report.errors() and not exit_zero else 0)


def _changes(
    changed: bool,
    base: str | None,
    staged: bool,
    only_changed_lines: bool,
    write_baseline: str | None,
):
    """What ``--changed`` asks git, or None without it; pre-commit (``PRE_COMMIT`` set) means the staged files."""
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


def _format_of(target: str, extensions: dict[str, str]) -> str:
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


def _targets(
    formats: Sequence[str], outputs: Sequence[str], output_root: str | None, fix: bool, diff: bool
) -> list[tuple[str, str | None]]:
    """Where each format goes (``_pair_outputs``); a UserError for an option the run would ignore."""
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
    pairs += [(_format_of(target, CHECK_EXTENSIONS), target) for target in outputs[len(formats) :]]
    if not pairs:
        return [("text", None)]
    if sum(1 for _, target in pairs if target is None) > 1:
        raise UserError(
            ["only one --format can go to standard output; give the others an --output FILE"]
        )
    return pairs


def _write(text: str, target: str | None) -> None:
    if target is None:
        click.echo(text, nl=False)
        return
    try:
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise UserError([f"{target}: cannot write: {exc.strerror or exc}"]) from None


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)


@main.command()
@_selection_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json", "html"]),
    help="markdown fits a CI job summary or a pull-request comment; json has a "
    "versioned schema; html is one self-contained page (default: the format the extension of "
    "--output names, .md, .json or .html; else markdown).",
)
@click.option(
    "--output", type=click.Path(dir_okay=False), metavar="FILE", help="Write the report to FILE."
)
@click.option(
    "--project",
    metavar="NAME",
    help="The project the inventory is of (default: [project] name of pyproject.toml, else the "
    "folder's name).",
)
@click.option(
    "--from",
    "inventories",
    multiple=True,
    metavar="FILE|GLOB",
    help="Merge saved inventories (report --format json of each project) instead of checking "
    "code; repeatable, globs accepted ('inventories/*.json').",
)
@click.option(
    "--since",
    "since",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="With --from: what changed per project since this earlier merge (its --format json).",
)
@click.option(
    "--stale-after",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="With --from: flag inventories older than DAYS as stale data.",
)
def report(
    paths,
    contract_specs,
    select,
    ignore,
    exclude,
    config_path,
    today,
    baseline_path,
    fmt,
    output,
    project,
    inventories,
    since,
    stale_after,
) -> None:
    """The inventory for service owners and reviewers: every call site of each contract and its state.

    States: compliant, through an approved wrapper, accepted (with reason, owner and expiry),
    baselined, violating. Accepted risks are listed by expiry, expired first, with each contract's
    review date. The JSON (contractlint/schemas/inventory-v2.schema.json) also says whose it is:
    the project (--project), the date, the commit, the versions of contractlint and the contracts.

    With --from, the owners' report: the saved inventories of many projects merged into one. Per
    contract, the projects by state, every project's accepted risks by expiry, and each project's
    call sites; --stale-after and --since flag old data and say what changed (docs/owners.md).

    Exits 0 (the report is for reading; `check` is the gate), 2 on a usage, configuration,
    contract or inventory error.
    """
    progress = None
    try:
        if fmt is None:
            fmt = _format_of(output, REPORT_EXTENSIONS) if output else "markdown"
        if inventories:
            given = {
                "PATHS": paths,
                "--contract": contract_specs,
                "--select": select,
                "--ignore": ignore,
                "--exclude": exclude,
                "--config": config_path,
                "--baseline": baseline_path,
                "--project": project,
            }
            clash = next((name for name, value in given.items() if value), None)
            if clash:
                raise UserError(
                    [
                        f"--from merges saved inventories: {clash} (for checking code) cannot go with it"
                    ]
                )
            _merged_report(inventories, since, stale_after, today or dt.date.today(), fmt, output)
            return
        unused = next(
            (n for n, v in (("--since", since), ("--stale-after", stale_after)) if v is not None),
            None,
        )
        if unused:
            raise UserError([f"{unused} needs --from"])
        paths = list(paths) or ["."]
        progress = _progress()
        projects, result = _run(
            paths,
            contract_specs,
            select,
            ignore,
            exclude,
            config_path,
            today,
            baseline_path,
            quiet=True,
            progress=progress,
        )
        from contractlint.output.inventory import RENDERERS
        from contractlint.owners.identity import head_commit, project_name

        if progress is not None:
            progress.phase("writing the report")
        config = projects.of(paths[0]).config
        whose = {
            "project": project or project_name(config),
            "commit": head_commit(config.root),
            "root": _root(projects),
        }
        text = RENDERERS[fmt](result, today or dt.date.today(), **whose)
        _stop(progress)
        _write(text, output)
    except UserError as exc:
        _stop(progress)
        _fail(exc)
    finally:
        _stop(progress)


def _merged_report(inventories, since, stale_after, today: dt.date, fmt: str, output) -> None:
    """``report --from``: read the inventories one at a time, merge, render in pieces."""
    from contractlint.output.owners import RENDERERS
    from contractlint.owners.merge import collect, merge
    from contractlint.owners.read import expand, read_merged

    earlier = read_merged(since) if since else None
    found, notes = collect(expand(inventories))
    for note in notes:
        click.echo(f"contractlint: note: {note}", err=True)
    merged = merge(found, today, stale_after, earlier)
    del found
    _write_pieces(RENDERERS[fmt](merged), output)


def _write_pieces(pieces, target: str | None) -> None:
    """Write text that comes in pieces; a file is replaced only once it is whole."""
    import os

    if target is None:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    tmp = os.path.join(os.path.dirname(os.path.abspath(target)), f".{os.path.basename(target)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            for piece in pieces:
                fh.write(piece)
        os.replace(tmp, target)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise UserError([f"{target}: cannot write: {exc.strerror or exc}"]) from None


@main.command()
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    """Explain a rule (CL001 or unguarded-call): what it checks, why, an example and the fix.

    Without CODE, list every rule.
    """
    if code is None:
        width = max(len(rule.name) for rule in RULES)
        for each in RULES:
            click.echo(f"{each.code}  {each.name:<{width}}  {each.severity:<7}  {each.summary}")
        return
    rule = rule_by_code(code)
    if rule is None:
        click.echo(
            f'contractlint: error: unknown rule "{terminal(code)}"; `contractlint explain` lists them',
            err=True,
        )
        sys.exit(2)
    click.echo(rule.page(), nl=False)


@main.command()
@click.argument("package")
@click.option(
    "--output", type=click.Path(dir_okay=False), metavar="FILE", help="Write the draft to FILE."
)
def draft(package: str, output: str | None) -> None:
    """Print a draft contract for PACKAGE, read from its source: it is never imported or run.

    For the team that owns a service and ships its client. PACKAGE is a module name
    (capability_client, redis.asyncio), found the way `python -c "import PACKAGE"` would find it
    (the current folder, then the Python path), or the path of a package folder or a .py file.
    The draft lists the package's exception classes with their bases ([errors]), one call group
    per client class with its public methods ([[calls]]), the functions and methods whose return
    annotation names a client ([types]) and the other names users import them by ([aliases]).
    Every group says policy = "any", with a comment asking the owners to choose fail-open or
    fail-closed and a fallback. `contractlint contracts --contract FILE` validates it as you edit.

    Exits 2 when PACKAGE has no Python source to read. A file of the package that does not parse
    is skipped with one line on standard error; the draft is still written.
    """
    from contractlint.draft import draft_contract

    try:
        text, problems = draft_contract(package)
        for problem in problems:
            click.echo(f"contractlint: {problem}", err=True)
        _write(text, output)
    except UserError as exc:
        _fail(exc)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--contract",
    "contract_specs",
    multiple=True,
    metavar="PATH|NAME",
    help=CONTRACT_HELP,
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The pyproject.toml to read instead of searching upwards.",
)
@click.option(
    "--builtin",
    is_flag=True,
    help="List the builtin contracts that ship with contractlint, and which of them are the "
    "default set (used when nothing is configured).",
)
@click.option(
    "--installed",
    is_flag=True,
    help=f"List the contracts that installed packages ship (entry points of the group {GROUP}), "
    "with the distribution and version of each, and validate them; a project checks one when it "
    "names it (contracts = [...] or --contract).",
)
def contracts(paths, contract_specs, config_path, builtin, installed) -> None:
    """List the contracts in force (for PATHS, default: here), where each comes from, and validate them.

    Each contract's source is shown: builtin, the distribution and version that ship it
    (capability-client 1.0.0), or its file; and its own version where it declares one
    ([contract] version). Exits 2 and names every problem, file and key, when a contract is not
    valid.
    """
    try:
        if builtin or installed:
            found = [
                *(builtin_contracts() if builtin else ()),
                *(installed_contracts() if installed else ()),
            ]
        else:
            _, found = _setup(list(paths) or ["."], config_path, contract_specs)
    except UserError as exc:
        _fail(exc)
    defaults = set(default_names())
    for contract in found:
        origin = contract.origin
        if contract.version and contract.version not in (
            contract.distribution[1] if contract.distribution else None,
            __version__ if contract.builtin else None,
        ):
            origin += f", version {contract.version}"
        if builtin and contract.builtin and contract.name in defaults:
            origin += ", default"
        review = f", review by {contract.review_by.isoformat()}" if contract.review_by else ""
        click.echo(terminal(f"{contract.name} ({origin}) owner {contract.owner}{review}"))
        click.echo(f"  {terminal(contract.summary)}")
        for group in contract.calls:
            raises = ", ".join(group.raises)
            click.echo(
                terminal(
                    f"  [[calls]][{group.index}] {group.policy}: {', '.join(group.match)} -> {raises}"
                )
            )
    click.echo(f"Contracts: {len(found)} valid.")
    if builtin:
        click.echo(f"Default set, used when nothing is configured: {', '.join(sorted(defaults))}.")
