"""Command line: parse options, call the engine, pick a formatter, set the exit status.

Exit status: 0 no error findings, 1 error findings, 2 usage, configuration or contract error.

The commands live one to a module (check, report, explain, draft, contracts); the options they
share, the run of the engine, where outputs go and how they are written have a module each.
"""

from __future__ import annotations

import sys

import click

from contractlint import __version__
from contractlint.output.escape import terminal

from .check import check
from .contracts import contracts
from .draft import draft
from .explain import explain
from .report import report


class _Main(click.Group):
    """Usage errors as one line, ``contractlint: error: ...``, exit 2, like every other error
    (click's own print the usage text over several lines). ``contractlint`` alone prints its help,
    as any click group does (click 8.2 and later: on standard error, exit 2)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        _escaping_stdout()
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
        except OSError as exc:  # standard output on a full disk, say (a broken pipe is click's)
            where = f"{terminal(str(exc.filename))}: " if exc.filename else ""
            click.echo(f"contractlint: error: {where}{exc.strerror or exc}", err=True)
            code = 2
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


#: What click 8.2 and later raise for a group called without a command (older ones print the help).
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _escaping_stdout() -> None:
    """A character that standard output's encoding lacks (a Japanese path on a latin-1 terminal or
    a Windows pipe in cp1252) is written as an escape, ``\\u65e5``, as Python writes it on standard
    error: never an error."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # a stream that cannot change now
            pass


#: The command's help (a string, not its docstring: ``python -OO`` drops docstrings).
HELP = """\
Check that every call to a backend service handles its failures the way the service's owners
intend.

A service team publishes a contract (a TOML file: which calls reach the service, what they
raise, and whether callers must fail open with a fallback or fail closed); contractlint finds
every such call in your code and checks its guard and its handler. An error your own helpers
let through is followed to their callers and reported where it leaves your code
(`follow-calls` and `propagate` in [tool.contractlint]; docs/propagation.md).
"""


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]}, help=HELP)
@click.version_option(__version__, prog_name="contractlint")
def main() -> None:
    pass


for _command in (check, report, explain, draft, contracts):
    main.add_command(_command)
