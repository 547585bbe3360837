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


#: What ``acceptance-requires`` may ask of every acceptance (a reason is always required: CL102).
REQUIRABLE = ("until", "owner")


@dataclass(frozen=True)
class AcceptancePolicy:
    """What an organisation requires of every acceptance (``acceptance-requires``,
    ``acceptance-max-days`` in the configuration); an acceptance that falls short is a CL104."""

    #: Options every acceptance must give: ``until``, ``owner``.
    requires: tuple[str, ...] = ()
    #: How far ahead ``until`` may be, in days from the run's date; an acceptance without one,
    #: forever, is further.
    max_days: int | None = None

    def breaches(self, acceptance: Acceptance, today: dt.date) -> list[str]:
        """What the acceptance lacks, one phrase each; empty when it keeps the policy."""
        out = []
        if "owner" in self.requires and not acceptance.owner:
            out.append("no owner= (acceptance-requires)")
        if self.max_days is None:
            if "until" in self.requires and acceptance.until is None:
                out.append("no until= date (acceptance-requires)")
            return out
        latest = today + dt.timedelta(days=self.max_days)
        horizon = f"acceptance-max-days = {self.max_days}: until={latest.isoformat()} at the latest"
        if acceptance.until is None:
            out.append(f"no until= date ({horizon})")
        elif acceptance.until > latest:
            days = (acceptance.until - today).days
            out.append(f"until={acceptance.until.isoformat()} is {days} days away ({horizon})")
        return out
