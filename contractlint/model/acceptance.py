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
    #: Alone on its line: it covers the statement on the next line.
    standalone: bool = False

    def expired(self, today: dt.date) -> bool:
        """Past its ``until`` date (an acceptance is still good on the day itself)."""
        return self.until is not None and self.until < today
