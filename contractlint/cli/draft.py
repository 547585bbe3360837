"""``contractlint draft``: a draft contract read from a client package's source."""

from __future__ import annotations

import click

from contractlint.errors import UserError

from .writing import fail, write

#: The command's help (a string, not its docstring: ``python -OO`` drops docstrings).
HELP = """\
Print a draft contract for PACKAGE, read from its source: it is never imported or run.

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


@click.command(help=HELP)
@click.argument("package")
@click.option(
    "--output", type=click.Path(dir_okay=False), metavar="FILE", help="Write the draft to FILE."
)
def draft(package: str, output: str | None) -> None:
    from contractlint.draft import draft_contract

    try:
        text, problems = draft_contract(package)
        for problem in problems:
            click.echo(f"contractlint: {problem}", err=True)
        write(text, output)
    except UserError as exc:
        fail(exc)
