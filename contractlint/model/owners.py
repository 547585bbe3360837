"""The owners' view as plain data: inventories of many projects, merged, and what changed.

``contractlint.owners`` builds these from inventory files; ``contractlint.output.owners`` renders
them. Calls are tuples, not dictionaries: a merge holds hundreds of thousands of them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple

from contractlint.model.vocabulary import InventoryState

#: The states of a call in an inventory, from best to worst, in the report's words.
STATES = tuple(InventoryState)


class Acceptance(NamedTuple):
    line: int
    reason: str | None
    owner: str | None
    until: str | None


class Call(NamedTuple):
    path: str
    line: int
    column: int
    callee: str
    scope: str
    state: str
    acceptance: Acceptance | None
    #: (code, fingerprint) of each finding reported at the call (none in inventories of version 1).
    findings: tuple[tuple[str, str], ...]


class Risk(NamedTuple):
    path: str
    line: int
    codes: tuple[str, ...]
    reason: str | None
    owner: str | None
    until: str | None
    file_level: bool
    contracts: tuple[str, ...]


class ContractUse(NamedTuple):
    """One contract as one project ran it."""

    name: str
    owner: str
    summary: str
    review_by: str | None
    #: ``{"kind": "builtin"}`` or ``{"kind": "path", "path": ...}``; None before schema version 2.
    source: dict[str, str] | None
    #: The contract's own version, once contracts carry one; None until then.
    version: str | None
    calls: tuple[Call, ...]


class Inventory(NamedTuple):
    """One project's saved ``report --format json``, as the merge keeps it."""

    file: str
    schema: int
    project: str
    commit: str | None
    date: dt.date
    tool_version: str
    contracts: tuple[ContractUse, ...]
    risks: tuple[Risk, ...]


class ProjectRisk(NamedTuple):
    """An accepted risk in the register: whose, and how it stands on the merge's date."""

    project: str
    risk: Risk
    expired: bool
    status: str


class Violation(NamedTuple):
    """One finding at a violating call, as ``--since`` compares them."""

    contract: str
    code: str | None
    path: str
    line: int
    callee: str
    scope: str
    fingerprint: str | None


class Earlier(NamedTuple):
    """What ``--since`` needs of an earlier merge: per project, its violations and risks."""

    file: str
    date: dt.date
    projects: frozenset[str]
    violations: dict[str, list[Violation]]
    #: project -> [(risk, expired on the earlier merge's date)]
    risks: dict[str, list[tuple[Risk, bool]]]


@dataclass(frozen=True)
class Project:
    name: str
    file: str
    date: dt.date
    commit: str | None
    tool_version: str
    schema: int
    age_days: int
    #: Older than ``--stale-after`` days on the merge's date.
    stale: bool


@dataclass(frozen=True)
class Use:
    """One row of a contract's table: one project, its counts by state and its calls."""

    project: str
    source: dict[str, str] | None
    version: str | None
    #: It ran an older version of the contract than the newest any project ran.
    older: bool
    stale: bool
    counts: dict[str, int]
    calls: tuple[Call, ...]


@dataclass(frozen=True)
class MergedContract:
    name: str
    owner: str
    summary: str
    review_by: str | None
    review_overdue: bool
    latest_version: str | None
    counts: dict[str, int]
    uses: tuple[Use, ...]
    risks: tuple[ProjectRisk, ...]


@dataclass(frozen=True)
class Change:
    """What changed in one project since the earlier merge."""

    project: str
    #: "appeared", "disappeared" or "changed".
    status: str
    new_violations: tuple[Violation, ...] = ()
    fixed: tuple[Violation, ...] = ()
    newly_accepted: tuple[ProjectRisk, ...] = ()
    expired: tuple[ProjectRisk, ...] = ()


@dataclass(frozen=True)
class Changes:
    date: dt.date
    file: str
    projects: tuple[Change, ...]


@dataclass(frozen=True)
class Merged:
    date: dt.date
    stale_after: int | None
    projects: tuple[Project, ...]
    contracts: tuple[MergedContract, ...]
    #: Every project's accepted risks, by expiry: expired first, those without a date last.
    risks: tuple[ProjectRisk, ...]
    since: Changes | None = None


def call_violations(contract: str, call: Call) -> list[Violation]:
    """Each finding at ``call``; a call whose inventory names no finding is one violation."""
    where = (call.path, call.line, call.callee, call.scope)
    return [Violation(contract, code, *where, fp) for code, fp in call.findings or ((None, None),)]


def risk_status(until: str | None, today: dt.date) -> tuple[bool, str]:
    """(expired, "expired" | "no expiry" | "N days left"): an acceptance is good on its last day."""
    if until is None:
        return False, "no expiry"
    left = (dt.date.fromisoformat(until) - today).days
    if left < 0:
        return True, "expired"
    return False, f"{left} day{'' if left == 1 else 's'} left"


def version_key(version: str) -> tuple:
    """Natural order of versions: ``2026.10`` after ``2026.9``, ``2`` after ``1.5``."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|[A-Za-z]+", version)
    )
