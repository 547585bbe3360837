"""The findings about a file that contractlint could not check: one it cannot read or parse
(CL900), one whose analysis went past its budget (CL901), and one it failed on itself (CL999).
Each stands at the top of the file."""

from __future__ import annotations

import os

from contractlint import __version__
from contractlint.model import Finding, Span, new_finding

#: Where a finding about a whole file stands.
TOP = Span(1, 1, 1, 1)


def cannot_check(path: str, message: str) -> Finding:
    return new_finding("CL900", path, TOP, message)


def unreadable(path: str, exc: OSError) -> Finding:
    return cannot_check(path, f"cannot read: {exc.strerror or exc}")


def cut_short(path: str, budget: int, line: int, where: str) -> Finding:
    """CL901 for a file whose analysis walked more than ``budget`` syntax nodes: where it stopped
    (``line``, in the function ``where``; "" for module-level code)."""
    return new_finding(
        "CL901",
        path,
        TOP,
        f"analysis cut short: the file holds more than its budget of {budget:,} syntax nodes "
        f"(analysis-budget); the walk stopped at line {line}, in {where or 'module-level code'}, "
        "and none of the file's calls were checked",
    )


def internal_error(path: str, exc: BaseException) -> Finding:
    """CL999 for an exception raised while checking the file: where it was raised, and the last
    frames of its trace as the suggestion (shown under ``--verbose``)."""
    import traceback

    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {os.path.basename(where.filename)}:{where.lineno}" if where else ""
    frames = traceback.extract_tb(exc.__traceback__)[-8:] if exc.__traceback__ else []
    trace = "\n".join(
        f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}: {f.line or ''}".rstrip(": ")
        for f in frames
    )
    text = " ".join(str(exc).split())[:200]
    return new_finding(
        "CL999",
        path,
        TOP,
        f"contractlint {__version__} failed on this file: {type(exc).__name__}: {text}{at}; "
        "please report it with the file (--verbose shows the trace)",
        suggestion=f"trace (most recent call last):\n{trace}" if trace else "",
    )


def worker_died(path: str, exitcode: int | None) -> Finding:
    """CL999 for a file whose worker process died (a crash in a native extension, the
    out-of-memory killer): how it died."""
    if exitcode is not None and exitcode < 0:
        import signal

        try:
            how = f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed by signal {-exitcode}"
    else:
        how = f"exited with status {exitcode}"
    return new_finding(
        "CL999",
        path,
        TOP,
        f"contractlint {__version__} failed on this file: the worker process checking it "
        f"{how}; please report it with the file",
    )
