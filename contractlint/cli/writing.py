"""What a command writes: its text to standard output or a file, its errors and notes to
standard error, with colour and the progress line only where a terminal shows them."""

from __future__ import annotations

import sys

import click

from contractlint.errors import UserError
from contractlint.output.escape import terminal

#: A name that is not UTF-8 (bytes a file system allows) is written as an escape (``\\udcff``), as
#: on standard output.
_ESCAPED = "backslashreplace"


def fail(exc: UserError) -> None:
    for message in exc.messages:
        click.echo(f"contractlint: error: {terminal(message)}", err=True)
    sys.exit(2)


def write(text: str, target: str | None) -> None:
    if target is None:
        click.echo(text, nl=False)
        return
    try:
        with open(target, "w", encoding="utf-8", errors=_ESCAPED, newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise UserError([f"{target}: cannot write: {exc.strerror or exc}"]) from None


def write_pieces(pieces, target: str | None) -> None:
    """Write text that comes in pieces; a file is replaced only once it is whole."""
    import os

    if target is None:
        for piece in pieces:
            click.echo(piece, nl=False)
        return
    tmp = os.path.join(os.path.dirname(os.path.abspath(target)), f".{os.path.basename(target)}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", errors=_ESCAPED, newline="\n") as fh:
            for piece in pieces:
                fh.write(piece)
        os.replace(tmp, target)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise UserError([f"{target}: cannot write: {exc.strerror or exc}"]) from None


def progress_line(quiet: bool = False):
    """The one-line display of a long run's progress on standard error, or None where it has no
    place: not a terminal, CI, ``--quiet``, ``TERM=dumb`` (``contractlint.output.progress``)."""
    from contractlint.output.progress import open_progress

    return open_progress(sys.stderr, quiet=quiet)


def stop(progress) -> None:
    """Erase the progress line: before anything else is written."""
    if progress is not None:
        progress.close()


def color() -> bool:
    """ANSI colours on a terminal only, and never when NO_COLOR is set (https://no-color.org)."""
    import os

    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")
