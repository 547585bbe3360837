"""``contractlint contracts``: the contracts in force (or the builtin and installed ones), where
each comes from, validated."""

from __future__ import annotations

import click

from contractlint import __version__
from contractlint.contracts import GROUP, builtin_contracts, default_names, installed_contracts
from contractlint.errors import UserError
from contractlint.output.escape import terminal

from .options import CONTRACT_HELP
from .running import setup
from .writing import fail

#: The command's help (a string, not its docstring: ``python -OO`` drops docstrings).
HELP = """\
List the contracts in force (for PATHS, default: here), where each comes from, and validate
them.

Each contract's source is shown: builtin, the distribution and version that ship it
(capability-client 1.0.0), or its file; and its own version where it declares one
([contract] version). Exits 2 and names every problem, file and key, when a contract is not
valid.
"""


@click.command(help=HELP)
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
    try:
        if builtin or installed:
            found = [
                *(builtin_contracts() if builtin else ()),
                *(installed_contracts() if installed else ()),
            ]
        else:
            _, found = setup(list(paths) or ["."], config_path, contract_specs)
    except UserError as exc:
        fail(exc)
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
                    f"  [[calls]][{group.index}] {group.policy}: {', '.join(group.match)} -> "
                    f"{raises}"
                )
            )
    click.echo(f"Contracts: {len(found)} valid.")
    if builtin:
        click.echo(f"Default set, used when nothing is configured: {', '.join(sorted(defaults))}.")
