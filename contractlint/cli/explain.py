"""``contractlint explain``: one rule's page, or the list of every rule."""

from __future__ import annotations

import sys

import click

from contractlint.model import RULES, rule_by_code
from contractlint.output.escape import terminal

#: The command's help (a string, not its docstring: ``python -OO`` drops docstrings).
HELP = """\
Explain a rule (CL001 or unguarded-call): what it checks, why, an example and the fix.

Without CODE, list every rule.
"""


@click.command(help=HELP)
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    if code is None:
        width = max(len(each.name) for each in RULES)
        for each in RULES:
            click.echo(f"{each.code}  {each.name:<{width}}  {each.severity:<7}  {each.summary}")
        return
    rule = rule_by_code(code)
    if rule is None:
        click.echo(
            f'contractlint: error: unknown rule "{terminal(code)}"; `contractlint explain` lists '
            "them",
            err=True,
        )
        sys.exit(2)
    click.echo(rule.page(), nl=False)
