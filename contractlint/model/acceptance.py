"""Accepted risks: written down in the code, with a reason, an owner and a date to look again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Acceptance:
    """One ``# contractlint: accept …`` (or ``accept-file``) comment."""

    path: str
    line: int
    column: int
    codes: tuple[str, ...]
    reason: str | None = None
    owner: str | None = None
    until: dt.date | None = None
    file_level: bool = False
    #: Alone on its line (above a statement, or on a line of its own inside one).
    standalone: bool = False
    #: The first and last line of the statement it covers (one it stands in, or directly above);
    #: None for ``accept-file``, or for a comment above no statement.
    statement: tuple[int, int] | None = None

    def expired(self, today: dt.date) -> bool:
        """Past its ``until`` date (an acceptance is still good on the day itself)."""
        return self.until is not None and self.until < today
