"""Accepted risks: written down in the code, with a reason, an owner and a date to look again."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class Acceptance:
    """One ``# contractlint: accept …`` (or ``accept-file``) comment."""

    path: str
    line: int
    column: int
    codes: Tuple[str, ...]
    reason: Optional[str] = None
    owner: Optional[str] = None
    until: Optional[dt.date] = None
    file_level: bool = False
    #: Alone on its line: it covers the statement on the next line.
    standalone: bool = False

    def expired(self, today: dt.date) -> bool:
        """Past its ``until`` date (an acceptance is still good on the day itself)."""
        return self.until is not None and self.until < today
