"""Many projects' inventories into one view per contract, and what changed since an earlier merge.

Inventories are read one at a time (``contractlint.owners.read``); a project met twice keeps its
newer inventory (the later file on a tie) and the merge says so in a note. Risks are judged again
on the merge's date: an acceptance that had days left when its project ran may have expired since.

``--since`` compares with an earlier merge, project by project. A violation is known across runs
by its finding's fingerprint (``contractlint.baseline``: path, code, enclosing function, callee and
occurrence, no line numbers) when the inventory carries it, else by contract, path, callee, code
and enclosing function (the two never match: see docs/owners.md); an accepted risk by its path,
codes and reason (not its line, owner or date: renewing an acceptance keeps it). Equal keys are told
apart by their order in the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from contractlint.errors import UserError
from contractlint.model import InventoryState
from contractlint.model.owners import (
    STATES,
    Change,
    Changes,
    Earlier,
    Inventory,
    Merged,
    MergedContract,
    Project,
    ProjectRisk,
    Risk,
    Use,
    Violation,
    call_violations,
    risk_status,
    version_key,
)
from contractlint.owners.read import read_inventory

T = TypeVar("T")


def collect(
    paths: Sequence[str], read: Callable[[str], Inventory] = read_inventory
) -> tuple[list[Inventory], list[str]]:
    """One inventory per project (the newest), sorted by project, and the notes on duplicates.
    Every unreadable file is named before anything is merged."""
    kept: dict[str, Inventory] = {}
    notes: list[str] = []
    errors: list[str] = []
    for path in paths:
        try:
            inventory = read(path)
        except UserError as exc:
            errors.extend(exc.messages)
            continue
        old = kept.get(inventory.project)
        if old is not None:
            keep, drop = (old, inventory) if old.date > inventory.date else (inventory, old)
            why = "the newer" if keep.date != drop.date else "given later, same date"
            notes.append(
                f"{drop.file} and {keep.file} are both inventories of project "
                f"{inventory.project!r}: using {keep.file} ({keep.date.isoformat()}, {why})"
            )
            inventory = keep
        kept[inventory.project] = inventory
    if errors:
        raise UserError(errors)
    return [kept[name] for name in sorted(kept)], notes


def merge(
    inventories: Sequence[Inventory],
    today: dt.date,
    stale_after: int | None = None,
    earlier: Earlier | None = None,
) -> Merged:
    projects = tuple(_project(inv, today, stale_after) for inv in inventories)
    stale = {p.name for p in projects if p.stale}
    risks = _sorted_risks(
        ProjectRisk(inv.project, r, *risk_status(r.until, today))
        for inv in inventories
        for r in inv.risks
    )
    names = sorted({c.name for inv in inventories for c in inv.contracts})
    contracts = tuple(_contract(name, inventories, today, stale, risks) for name in names)
    since = _changes(inventories, risks, earlier) if earlier is not None else None
    return Merged(today, stale_after, projects, contracts, risks, since)


def _project(inv: Inventory, today: dt.date, stale_after: int | None) -> Project:
    age = (today - inv.date).days
    return Project(
        name=inv.project,
        file=inv.file,
        date=inv.date,
        commit=inv.commit,
        tool_version=inv.tool_version,
        schema=inv.schema,
        age_days=age,
        stale=stale_after is not None and age > stale_after,
    )


def _sorted_risks(risks: Iterable[ProjectRisk]) -> tuple[ProjectRisk, ...]:
    """By expiry (expired first, undated last), then project and place."""
    return tuple(
        sorted(
            risks,
            key=lambda r: (
                r.risk.until is None,
                r.risk.until or "",
                r.project,
                r.risk.path,
                r.risk.line,
            ),
        )
    )


def _contract(
    name: str,
    inventories: Sequence[Inventory],
    today: dt.date,
    stale: set[str],
    risks: tuple[ProjectRisk, ...],
) -> MergedContract:
    ran = [(inv, c) for inv in inventories for c in inv.contracts if c.name == name]
    versions = [c.version for _, c in ran if c.version is not None]
    latest = max(versions, key=version_key) if versions else None
    # The contract's words (owner, summary, review date) as the newest version, then the newest
    # inventory, has them.
    _, newest = max(
        ran,
        key=lambda pair: (
            version_key(pair[1].version) if pair[1].version else (),
            pair[0].date,
            pair[0].project,
        ),
    )
    uses = []
    totals: dict[str, int] = dict.fromkeys(STATES, 0)
    for inv, c in ran:
        counts: dict[str, int] = dict.fromkeys(STATES, 0)
        for call in c.calls:
            counts[call.state] += 1
        for state, n in counts.items():
            totals[state] += n
        uses.append(
            Use(
                project=inv.project,
                source=c.source,
                version=c.version,
                older=(
                    latest is not None
                    and c.version is not None
                    and version_key(c.version) < version_key(latest)
                ),
                stale=inv.project in stale,
                counts=counts,
                calls=tuple(sorted(c.calls, key=lambda k: (k.path, k.line, k.column))),
            )
        )
    review = newest.review_by
    return MergedContract(
        name=name,
        owner=newest.owner,
        summary=newest.summary,
        review_by=review,
        review_overdue=bool(review and dt.date.fromisoformat(review) < today),
        latest_version=latest,
        counts=totals,
        uses=tuple(uses),
        risks=tuple(r for r in risks if name in r.risk.contracts),
    )


def violations(inventory: Inventory) -> list[Violation]:
    """Each finding at a violating call; a call whose inventory names no finding counts once."""
    return [
        v
        for c in inventory.contracts
        for call in c.calls
        if call.state == InventoryState.VIOLATING
        for v in call_violations(c.name, call)
    ]


def violation_key(v: Violation) -> tuple:
    if v.fingerprint:
        return (v.contract, v.fingerprint)
    return (v.contract, v.path, v.callee, v.code or "", v.scope)


def risk_key(r: Risk) -> tuple:
    return (r.path, r.codes, r.reason or "")


def keyed(items: Iterable[T], key: Callable[[T], Hashable]) -> dict[tuple, T]:
    """``items`` by key, equal keys told apart by their order."""
    seen: dict[Hashable, int] = {}
    out = {}
    for item in items:
        k = key(item)
        n = seen.get(k, 0)
        seen[k] = n + 1
        out[(k, n)] = item
    return out


def _changes(
    inventories: Sequence[Inventory], risks: tuple[ProjectRisk, ...], earlier: Earlier
) -> Changes:
    by_project: dict[str, list[ProjectRisk]] = {}
    for r in risks:
        by_project.setdefault(r.project, []).append(r)
    now = {inv.project: inv for inv in inventories}
    before = earlier.projects
    changes = []
    for name in sorted(set(now) | before):
        if name not in before:
            changes.append(Change(name, "appeared"))
            continue
        if name not in now:
            changes.append(Change(name, "disappeared"))
            continue
        new = keyed(violations(now[name]), violation_key)
        old = keyed(earlier.violations.get(name, ()), violation_key)
        current = keyed(by_project.get(name, ()), lambda r: risk_key(r.risk))
        past = keyed(earlier.risks.get(name, ()), lambda pair: risk_key(pair[0]))
        change = Change(
            name,
            "changed",
            new_violations=tuple(v for k, v in new.items() if k not in old),
            fixed=tuple(v for k, v in old.items() if k not in new),
            newly_accepted=tuple(r for k, r in current.items() if k not in past),
            expired=tuple(
                r for k, r in current.items() if r.expired and (k not in past or not past[k][1])
            ),
        )
        if change.new_violations or change.fixed or change.newly_accepted or change.expired:
            changes.append(change)
    return Changes(earlier.date, earlier.file, tuple(changes))
