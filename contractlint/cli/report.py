"""``contractlint report``: the inventory of every call site and its state for one project, or
(``--from``) the owners' report merged from many projects' saved inventories."""

from __future__ import annotations

import datetime as dt

import click

from contractlint.errors import UserError

from .options import Selection, selection_options
from .running import common_root, run
from .targets import REPORT_EXTENSIONS, format_of
from .writing import fail, progress_line, stop, write, write_pieces

#: The command's help (a string, not its docstring: ``python -OO`` drops docstrings).
HELP = """\
The inventory for service owners and reviewers: every call site of each contract and its
state.

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


@click.command(help=HELP)
@selection_options
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
    selection: Selection,
    fmt,
    output,
    project,
    inventories,
    since,
    stale_after,
) -> None:
    progress = None
    try:
        if fmt is None:
            fmt = format_of(output, REPORT_EXTENSIONS) if output else "markdown"
        if inventories:
            given = {
                "PATHS": selection.paths,
                "--contract": selection.contract_specs,
                "--select": selection.select,
                "--ignore": selection.ignore,
                "--exclude": selection.exclude,
                "--config": selection.config_path,
                "--baseline": selection.baseline_path,
                "--project": project,
            }
            clash = next((name for name, value in given.items() if value), None)
            if clash:
                raise UserError(
                    [
                        f"--from merges saved inventories: {clash} (for checking code) cannot go "
                        "with it"
                    ]
                )
            _merged_report(
                inventories, since, stale_after, selection.today or dt.date.today(), fmt, output
            )
            return
        unused = next(
            (n for n, v in (("--since", since), ("--stale-after", stale_after)) if v is not None),
            None,
        )
        if unused:
            raise UserError([f"{unused} needs --from"])
        progress = progress_line()
        projects, result = run(selection, quiet=True, progress=progress)
        from contractlint.output.inventory import RENDERERS
        from contractlint.owners.identity import head_commit, project_name

        if progress is not None:
            progress.phase("writing the report")
        config = projects.of(selection.checked[0]).config
        whose = {
            "project": project or project_name(config),
            "commit": head_commit(config.root),
            "root": common_root(projects),
        }
        text = RENDERERS[fmt](result, selection.today or dt.date.today(), **whose)
        stop(progress)
        write(text, output)
    except UserError as exc:
        stop(progress)
        fail(exc)
    finally:
        stop(progress)


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
    write_pieces(RENDERERS[fmt](merged), output)
