"""What a fault session tells the person: its header line, and its summary, the map of blind spots.

The summary lists, per contract and call group, each call site with its state: run under fault
(passed, or failed and how), only reached, or found by ``contractlint check`` and never reached by a
test. That last list needs the static analysis, which the caller runs and hands in as
``StaticSites``: the sites found, or why they are unknown (the map is a bonus: it never fails the
run).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from contractlint.faults.ledger import Ledger, SiteKey, SiteRecord
from contractlint.faults.runs import Mode
from contractlint.faults.targets import Resolution
from contractlint.model import CallGroup, Contract


class StaticSite(NamedTuple):
    """A call site as the static analysis found it: its enclosing scope, and its last line."""

    scope: str
    end_line: int


@dataclass(frozen=True)
class StaticSites:
    """Every call site ``contractlint check`` finds in the project, or why it could not say."""

    found: Mapping[SiteKey, StaticSite] = field(default_factory=dict)
    #: Set when the check failed: the sites no test reached are then unknown, and this says why.
    error: str | None = None


def shown(path: str, cwd: str) -> str:
    """``path`` relative to ``cwd`` when it is below it, with forward slashes; else as it is."""
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def header(contracts: Sequence[Contract], mode: Mode, seed: int, cwd: str) -> str:
    names = ", ".join(
        f"{c.name} ({c.origin if c.builtin or c.distribution else shown(c.source, cwd)})"
        for c in contracts
    )
    replay = (
        f", seed {seed} (--contract-faults-seed {seed} replays it)" if mode is Mode.RANDOM else ""
    )
    return f"contract faults: {names}; mode {mode}{replay}"


def summary(
    contracts: Sequence[Contract],
    resolutions: Sequence[Resolution],
    mode: Mode,
    ledger: Ledger,
    static: StaticSites,
    cwd: str,
    verbose: bool,
) -> list[str]:
    """The lines of the terminal's "contract faults" section."""
    lines = []
    for contract in contracts:
        resolution = next((r for r in resolutions if r.contract is contract), None)
        lines.extend(_contract(contract, resolution, mode, ledger, static, cwd))
    names = ", ".join(c.name for c in contracts)
    for title, nodeids in (
        (f"not exercised: reached no call of {names}", ledger.not_exercised),
        ("not run under fault: they fail without one", ledger.failing_plain),
        ("fault runs that reached no call this time (skipped)", ledger.unreached_runs),
    ):
        if not nodeids:
            continue
        lines.append(f"{title} ({len(nodeids)} test{'s' if len(nodeids) > 1 else ''}):")
        listed = nodeids if verbose or len(nodeids) <= 10 else nodeids[:10]
        lines.extend(f"  {nodeid}" for nodeid in listed)
        if len(listed) < len(nodeids):
            lines.append(f"  ... and {len(nodeids) - len(listed)} more (-v lists them)")
    return lines


def _contract(
    contract: Contract,
    resolution: Resolution | None,
    mode: Mode,
    ledger: Ledger,
    static: StaticSites,
    cwd: str,
) -> list[str]:
    verdicts = ledger.verdicts(contract.name)
    failed = sum(1 for v in verdicts if not v.ok)
    lines = [
        f"{contract.name} (mode {mode}): {len(verdicts)} run{'' if len(verdicts) == 1 else 's'} "
        f"under fault: {len(verdicts) - failed} passed, {failed} failed"
    ]
    library = library_files(resolution)
    for group in contract.calls:
        lines.append(f"  [[calls]][{group.index}] {group.policy}: {', '.join(group.match)}")
        rows = _rows(contract, group, ledger, static, library)
        if not rows:
            lines.append("    no call site found")
        for (path, line), (scope, state) in sorted(rows.items()):
            where = f"{shown(path, cwd)}:{line}"
            lines.append(f"    {where:<40} {scope or '<module>':<28} {state}")
    if static.error is not None:
        lines.append(f"  call sites no test reached: unknown ({static.error})")
    if resolution is not None and resolution.unmatched:
        lines.append(f"  nothing to patch at run time for: {', '.join(resolution.unmatched)}")
    return lines


def _rows(
    contract: Contract, group: CallGroup, ledger: Ledger, static: StaticSites, library: set[str]
) -> dict[tuple[str, int], tuple[str, str]]:
    """(path, line) -> (scope, state) for each call site of one group."""
    rows: dict[tuple[str, int], tuple[str, str]] = {}
    for key, record in sorted(ledger.sites.items()):
        if key.contract == contract.name and key.group == group.index:
            rows[(key.path, key.line)] = (record.site.function, _state(record))
    for key, found in sorted(static.found.items()):
        if key.contract != contract.name or key.group != group.index or key.path in library:
            continue
        if not any(p == key.path and key.line <= ran <= found.end_line for (p, ran) in rows):
            rows[(key.path, key.line)] = (found.scope, "never reached by a test")
    return rows


def _state(record: SiteRecord) -> str:
    if not record.faulted:
        return "reached, never under fault"
    bad = sorted({f.word for f in record.faulted if not f.ok})
    runs = len(record.faulted)
    if runs == 1:
        return f"under fault: failed ({bad[0]})" if bad else "under fault: passed"
    failed = sum(1 for f in record.faulted if not f.ok)
    return f"under fault: {runs} runs, " + (
        f"{failed} failed ({', '.join(bad)})" if bad else "all passed"
    )


def library_files(resolution: Resolution | None) -> set[str]:
    """Files of the service's client itself: its calls to itself are not the consumers' call
    sites."""
    out = set()
    for target in resolution.targets if resolution else ():
        owner = target.owner
        module = (
            owner
            if hasattr(owner, "__file__")
            else sys.modules.get(getattr(owner, "__module__", ""))
        )
        path = getattr(module, "__file__", None)
        if path:
            out.add(os.path.abspath(path))
    return out
