"""``contractlint report --from``: the owners' report, merged from many projects' inventories.

Per contract: a table of projects by state, the risk register (every project's accepted risks,
by expiry, expired first), each project's call sites; stale inventories and projects that ran an
older version of the contract are flagged; with ``--since``, what changed per project. Three
renderings of one ``Merged`` (``contractlint.model.owners``): Markdown, HTML (one self-contained
page) and JSON (``contractlint/schemas/owners-report-v1.schema.json``).

A merge may hold hundreds of thousands of calls, so each renderer yields its text in pieces, to
be written as they come. Every text that consumers or contracts wrote (project and file names,
paths, callees, scopes, owners, reasons) goes through ``md_text``/``md_code`` or ``html.escape``.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Iterable, Iterator
from typing import Any

from contractlint import __version__
from contractlint.model.owners import (
    STATES,
    Call,
    Change,
    Changes,
    Merged,
    MergedContract,
    Project,
    ProjectRisk,
    Violation,
)
from contractlint.output.escape import markdown, markdown_code
from contractlint.output.inventory import COLOURS, LABELS, STYLE, state_bar

#: html.escape, remembered: the same paths, callees and scopes recur thousands of times.
_escape = functools.lru_cache(maxsize=8192)(html.escape)
#: One encoder for every value (``json.dumps`` with options builds a new one per call).
_dumps = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode

#: ``kind`` and ``version`` of the merged JSON, which ``--since`` reads back.
KIND = "contractlint-owners-report"
SCHEMA_VERSION = 1

_COLOUR: dict[str, str] = {LABELS[s]: COLOURS[s] for s in LABELS}


@functools.lru_cache(maxsize=8192)
def md_text(value: Any) -> str:
    """``escape.markdown`` of a value, remembered: a fleet's reports repeat the same names."""
    return markdown(str(value))


@functools.lru_cache(maxsize=8192)
def md_code(value: Any) -> str:
    """``escape.markdown_code`` of a value ("" for an empty one), remembered."""
    text = str(value)
    return markdown_code(text) if text.strip() else ""


def _place(path: str, line: int) -> str:
    return f"{path}:{line}"


def _commit(project: Project) -> str:
    return project.commit[:12] if project.commit else "—"


def _version(version: str | None) -> str:
    return version if version is not None else "—"


def _source(source: dict[str, str] | None) -> str:
    if not source:
        return "—"
    kind = source.get("kind", "")
    if kind == "path":
        return source.get("path", "path")
    if kind == "distribution":
        return f"{source.get('name', '?')} {source.get('version', '')}".strip()
    return kind


def _ran(source: dict[str, str] | None, version: str | None) -> str:
    """The contract a project ran: where from, and its version when it has one (once: a
    distribution's version is most often its contract's)."""
    given = source or {}
    if version is None or (given.get("kind") == "distribution" and given.get("version") == version):
        return _source(source)
    return f"{_source(source)} {version}"


def _flags(stale: bool, older: bool) -> list[str]:
    return (["stale data"] if stale else []) + (["older contract"] if older else [])


def _acceptance_text(call: Call) -> str:
    a = call.acceptance
    if a is None:
        return ""
    return f" (until {a.until or 'no date'}, {a.owner or 'no owner'}: {a.reason or 'no reason'})"


def _summary_line(merged: Merged) -> str:
    n, c = len(merged.projects), len(merged.contracts)
    line = (
        f"{n} project{'' if n == 1 else 's'} · {c} contract{'' if c == 1 else 's'} · "
        f"contractlint {__version__}"
    )
    if merged.stale_after is not None:
        line += f" · stale after {merged.stale_after} days"
    return line


def _change_counts(change: Change) -> str:
    if change.status != "changed":
        return change.status
    parts = [
        (len(change.new_violations), "new violation", "new violations"),
        (len(change.fixed), "fixed", "fixed"),
        (len(change.newly_accepted), "newly accepted risk", "newly accepted risks"),
        (len(change.expired), "expired acceptance", "expired acceptances"),
    ]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)


def _changed_violations(since: Changes) -> list[tuple[str, str, Violation]]:
    return [
        (what, change.project, v)
        for change in since.projects
        for what, items in (("new violation", change.new_violations), ("fixed", change.fixed))
        for v in items
    ]


def _changed_risks(since: Changes) -> list[tuple[str, ProjectRisk]]:
    return [
        (what, r)
        for change in since.projects
        for what, items in (("newly accepted", change.newly_accepted), ("expired", change.expired))
        for r in items
    ]


# --- Markdown -------------------------------------------------------------------------------------


def render_markdown(merged: Merged) -> Iterator[str]:
    yield f"# contractlint owners' report — {merged.date.isoformat()}\n\n"
    yield _summary_line(merged) + "\n\n"
    yield "## Projects\n\n"
    yield (
        "| project | inventory of | age | commit | contractlint | flags "
        "|\n|---|---|---|---|---|---|\n"
    )
    for p in merged.projects:
        flag = "**stale data**" if p.stale else ""
        yield (
            f"| {md_text(p.name)} | {p.date.isoformat()} | {p.age_days} days | "
            f"{md_code(_commit(p))} | {md_text(p.tool_version)} | {flag} |\n"
        )
    yield "\n"
    if merged.since is not None:
        yield from _md_since(merged.since)
    for contract in merged.contracts:
        yield from _md_contract(contract)


def _md_since(since: Changes) -> Iterator[str]:
    yield f"## Changes since {since.date.isoformat()}\n\n"
    if not since.projects:
        yield "Nothing changed.\n\n"
        return
    for change in since.projects:
        yield f"- {md_text(change.project)}: {_change_counts(change)}\n"
    yield "\n"
    rows = _changed_violations(since)
    if rows:
        yield (
            "| change | project | contract | code | where | call | in "
            "|\n|---|---|---|---|---|---|---|\n"
        )
        for what, project, v in rows:
            yield (
                f"| {what} | {md_text(project)} | {md_text(v.contract)} | {md_text(v.code or '—')} "
                f"| {md_code(_place(v.path, v.line))} | {md_code(v.callee)} | "
                f"{md_text(v.scope or 'module level')} |\n"
            )
        yield "\n"
    risks = _changed_risks(since)
    if risks:
        yield from _md_risks(risks)


def _md_risks(rows: Iterable[tuple[str | None, ProjectRisk]]) -> Iterator[str]:
    """The risk register (``what`` None), or the risks that changed (``what`` says how)."""
    rows = list(rows)
    change = any(what for what, _ in rows)
    head = ["expires", "status", "project", "owner", "codes", "where", "reason"]
    head = ["change", *head] if change else head
    yield f"| {' | '.join(head)} |\n" + "|---" * len(head) + "|\n"
    for what, r in rows:
        status = "**expired**" if r.expired else r.status
        yield (
            (f"| {what} " if change else "")
            + f"| {r.risk.until or '—'} | {status} | {md_text(r.project)} | "
            f"{md_text(r.risk.owner or '—')} | {md_text(', '.join(r.risk.codes))} | "
            f"{md_code(_place(r.risk.path, r.risk.line))} | {md_text(r.risk.reason or '—')} |\n"
        )
    yield "\n"


def _md_contract(c: MergedContract) -> Iterator[str]:
    review = c.review_by or "not set"
    if c.review_overdue:
        review += " (**overdue**)"
    yield f"## {md_text(c.name)}\n\n{md_text(c.summary)}\n\n"
    yield (
        f"Owner: {md_text(c.owner)} · review by: {review} · newest version: "
        f"{md_text(_version(c.latest_version))}\n\n"
    )
    yield f"### Projects by state\n\n| project | {' | '.join(STATES)} | contract | flags |\n"
    yield "|---" * (len(STATES) + 3) + "|\n"
    for use in c.uses:
        flags = ", ".join(f"**{f}**" for f in _flags(use.stale, use.older))
        yield (
            f"| {md_text(use.project)} | {' | '.join(str(use.counts[s]) for s in STATES)} | "
            f"{md_text(_ran(use.source, use.version))} | {flags} |\n"
        )
    yield f"| **all** | {' | '.join(str(c.counts[s]) for s in STATES)} |  |  |\n\n"
    yield f"### Risk register of {md_text(c.name)}, by expiry\n\n"
    if c.risks:
        yield from _md_risks((None, r) for r in c.risks)
    else:
        yield "No accepted risks.\n\n"
    yield f"### Call sites of {md_text(c.name)}\n\n"
    for use in c.uses:
        yield f"#### {md_text(use.project)}\n\n"
        if not use.calls:
            yield "No calls.\n\n"
            continue
        yield "| state | where | call | in |\n|---|---|---|---|\n"
        for call in use.calls:
            yield (
                f"| {md_text(call.state + _acceptance_text(call))} | "
                f"{md_code(_place(call.path, call.line))} | {md_code(call.callee)} | "
                f"{md_text(call.scope or 'module level')} |\n"
            )
        yield "\n"


# --- HTML -----------------------------------------------------------------------------------------

_OWNERS_STYLE = """
.flag{display:inline-block;padding:0 .4rem;border-radius:.2rem;background:#fff3e0;color:#8a4b00;
font-size:.8rem;margin-right:.3rem}
details{margin:.3rem 0}summary{cursor:pointer}.n{text-align:right}
"""


def render_html(merged: Merged) -> Iterator[str]:
    e = _escape
    date = merged.date.isoformat()
    yield (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>contractlint owners' report {date}</title>"
        f"<style>{STYLE}{_OWNERS_STYLE}</style></head><body>\n"
        f'<h1>contractlint owners\' report</h1><p class="meta">{date} · '
        f"{e(_summary_line(merged))}</p>\n"
    )
    yield (
        '<p class="legend">'
        + "".join(
            f'<span><span class="state" style="background:{_COLOUR[s]}">&nbsp;</span> {s}</span>'
            for s in STATES
        )
        + "</p>\n"
    )
    yield (
        "<h2>Projects</h2><table><thead><tr><th>project</th><th>inventory of</th><th>age</th>"
        "<th>commit</th><th>contractlint</th><th>flags</th></tr></thead><tbody>\n"
    )
    for p in merged.projects:
        yield (
            f'<tr><td>{e(p.name)}</td><td>{p.date.isoformat()}</td><td class="n">{p.age_days} '
            "days</td>"
            f"<td><code>{e(_commit(p))}</code></td><td>{e(p.tool_version)}</td>"
            f"<td>{_html_flags(p.stale, False)}</td></tr>\n"
        )
    yield "</tbody></table>\n"
    if merged.since is not None:
        yield from _html_since(merged.since)
    for contract in merged.contracts:
        yield from _html_contract(contract)
    yield "</body></html>\n"


def _html_flags(stale: bool, older: bool) -> str:
    return "".join(f'<span class="flag">{f}</span>' for f in _flags(stale, older))


def _html_since(since: Changes) -> Iterator[str]:
    e = _escape
    yield f"<h2>Changes since {since.date.isoformat()}</h2>\n"
    if not since.projects:
        yield "<p>Nothing changed.</p>\n"
        return
    yield (
        "<ul>"
        + "".join(f"<li>{e(c.project)}: {e(_change_counts(c))}</li>" for c in since.projects)
        + "</ul>\n"
    )
    rows = _changed_violations(since)
    if rows:
        yield (
            "<table><thead><tr><th>change</th><th>project</th><th>contract</th><th>code</th>"
            "<th>where</th><th>call</th><th>in</th></tr></thead><tbody>\n"
        )
        for what, project, v in rows:
            yield _html_violation(what, project, v)
        yield "</tbody></table>\n"
    risks = _changed_risks(since)
    if risks:
        yield from _html_risks(risks)


def _html_violation(what: str, project: str, v: Violation) -> str:
    e = _escape
    cls = ' class="expired"' if what == "new violation" else ""
    return (
        f"<tr><td{cls}>{what}</td><td>{e(project)}</td><td>{e(v.contract)}</td>"
        f"<td>{e(v.code or '—')}</td><td><code>{e(_place(v.path, v.line))}</code></td>"
        f"<td><code>{e(v.callee)}</code></td><td>{e(v.scope or 'module level')}</td></tr>\n"
    )


def _html_risks(rows: Iterable[tuple[str | None, ProjectRisk]]) -> Iterator[str]:
    e = _escape
    rows = list(rows)
    change = any(what for what, _ in rows)
    yield (
        "<table><thead><tr>"
        + ("<th>change</th>" if change else "")
        + "<th>expires</th><th>status</th><th>project</th><th>owner</th><th>codes</th>"
        "<th>where</th><th>reason</th></tr></thead><tbody>\n"
    )
    for what, r in rows:
        cls = ' class="expired"' if r.expired else ""
        yield (
            "<tr>"
            + (f"<td>{e(what or '')}</td>" if change else "")
            + f"<td{cls}>{e(r.risk.until or '—')}</td><td{cls}>{e(r.status)}</td>"
            f"<td>{e(r.project)}</td><td>{e(r.risk.owner or '—')}</td>"
            f"<td>{e(', '.join(r.risk.codes))}</td>"
            f"<td><code>{e(_place(r.risk.path, r.risk.line))}</code></td>"
            f"<td>{e(r.risk.reason or '—')}</td></tr>\n"
        )
    yield "</tbody></table>\n"


#: A project's call sites are shown open when there are this few; else folded under its name.
_OPEN_UP_TO = 25


def _html_contract(c: MergedContract) -> Iterator[str]:
    e = _escape
    review = e(c.review_by or "not set")
    if c.review_overdue:
        review = f'<span class="expired">{review} (overdue)</span>'
    yield (
        f"<h2>{e(c.name)}</h2><p>{e(c.summary)}</p>"
        f'<p class="meta">Owner: {e(c.owner)} · review by: {review} · newest version: '
        f"{e(_version(c.latest_version))}</p>\n"
    )
    yield state_bar(c.counts) + "\n"
    yield (
        "<h3>Projects by state</h3><table><thead><tr><th>project</th>"
        + "".join(f"<th>{s}</th>" for s in STATES)
        + "<th>contract</th><th>flags</th></tr></thead><tbody>\n"
    )
    for use in c.uses:
        yield (
            f"<tr><td>{e(use.project)}</td>"
            + "".join(f'<td class="n">{use.counts[s]}</td>' for s in STATES)
            + f"<td>{e(_ran(use.source, use.version))}</td>"
            f"<td>{_html_flags(use.stale, use.older)}</td></tr>\n"
        )
    yield (
        "<tr><th>all</th>"
        + "".join(f'<th class="n">{c.counts[s]}</th>' for s in STATES)
        + "<th></th><th></th></tr></tbody></table>\n"
    )
    yield f"<h3>Risk register of {e(c.name)}, by expiry</h3>\n"
    if c.risks:
        yield from _html_risks((None, r) for r in c.risks)
    else:
        yield "<p>No accepted risks.</p>\n"
    yield f"<h3>Call sites of {e(c.name)}</h3>\n"
    for use in c.uses:
        is_open = " open" if len(use.calls) <= _OPEN_UP_TO else ""
        yield f"<details{is_open}><summary>{e(use.project)}: {len(use.calls)} calls</summary>\n"
        if use.calls:
            yield (
                "<table><thead><tr><th>state</th><th>where</th><th>call</th><th>in</th></tr>"
                "</thead><tbody>\n"
            )
            for call in use.calls:
                yield (
                    f'<tr><td><span class="state" style="background:{_COLOUR[call.state]}">'
                    f"{call.state}</span>{e(_acceptance_text(call))}</td>"
                    f"<td><code>{e(_place(call.path, call.line))}</code></td>"
                    f"<td><code>{e(call.callee)}</code></td>"
                    f"<td>{e(call.scope or 'module level')}</td></tr>\n"
                )
            yield "</tbody></table>\n"
        yield "</details>\n"


# --- JSON -----------------------------------------------------------------------------------------


class _Line(dict):
    """A JSON object written on one line (a call, a risk): the file stays readable, and small."""


def _call(call: Call) -> _Line:
    a = call.acceptance
    return _Line(
        path=call.path,
        line=call.line,
        column=call.column,
        callee=call.callee,
        scope=call.scope,
        state=call.state,
        acceptance=(
            {"line": a.line, "reason": a.reason, "owner": a.owner, "until": a.until} if a else None
        ),
        findings=[{"code": code, "fingerprint": fp} for code, fp in call.findings],
    )


def _risk(r: ProjectRisk) -> _Line:
    risk = r.risk
    return _Line(
        project=r.project,
        path=risk.path,
        line=risk.line,
        codes=list(risk.codes),
        reason=risk.reason,
        owner=risk.owner,
        until=risk.until,
        expired=r.expired,
        status=r.status,
        file_level=risk.file_level,
        contracts=list(risk.contracts),
    )


def _violation(v: Violation) -> _Line:
    return _Line(v._asdict())


def _document(merged: Merged) -> dict[str, Any]:
    """The merged report as JSON values; the calls are generated as they are written."""
    since = merged.since
    return {
        "kind": KIND,
        "version": SCHEMA_VERSION,
        "tool": {"name": "contractlint", "version": __version__},
        "date": merged.date.isoformat(),
        "stale_after": merged.stale_after,
        "projects": [
            {
                "name": p.name,
                "file": p.file,
                "date": p.date.isoformat(),
                "commit": p.commit,
                "tool_version": p.tool_version,
                "inventory_version": p.schema,
                "age_days": p.age_days,
                "stale": p.stale,
            }
            for p in merged.projects
        ],
        "contracts": [
            {
                "name": c.name,
                "owner": c.owner,
                "summary": c.summary,
                "review_by": c.review_by,
                "review_overdue": c.review_overdue,
                "latest_version": c.latest_version,
                "counts": c.counts,
                "projects": [
                    {
                        "name": use.project,
                        "source": use.source,
                        "version": use.version,
                        "older_version": use.older,
                        "stale": use.stale,
                        "counts": use.counts,
                        "calls": (_call(call) for call in use.calls),
                    }
                    for use in c.uses
                ],
                "risks": [_risk(r) for r in c.risks],
            }
            for c in merged.contracts
        ],
        "risks": [_risk(r) for r in merged.risks],
        "since": None
        if since is None
        else {
            "date": since.date.isoformat(),
            "file": since.file,
            "projects": [
                {
                    "name": change.project,
                    "status": change.status,
                    "new_violations": [_violation(v) for v in change.new_violations],
                    "fixed": [_violation(v) for v in change.fixed],
                    "newly_accepted": [_risk(r) for r in change.newly_accepted],
                    "expired": [_risk(r) for r in change.expired],
                }
                for change in since.projects
            ],
        },
    }


def _encode(value: Any, indent: str = "") -> Iterator[str]:
    """Indented JSON with sorted keys, in pieces; a ``_Line`` on one line."""
    inner = indent + "  "
    if isinstance(value, dict) and not isinstance(value, _Line) and value:
        yield "{"
        for i, key in enumerate(sorted(value)):
            yield f"{',' if i else ''}\n{inner}{_dumps(key)}: "
            yield from _encode(value[key], inner)
        yield f"\n{indent}}}"
    elif isinstance(value, (list, tuple, Iterator)):
        empty = True
        lines: list[str] = []  # a run of one-line objects (a project's calls): one piece
        for item in value:
            if isinstance(item, _Line):
                lines.append(f"{'[' if empty else ','}\n{inner}{_dumps(item)}")
            else:
                if lines:
                    yield "".join(lines)
                    lines = []
                yield f"{'[' if empty else ','}\n{inner}"
                yield from _encode(item, inner)
            empty = False
        if lines:
            yield "".join(lines)
        yield "[]" if empty else f"\n{indent}]"
    else:
        yield _dumps(value)


def render_json(merged: Merged) -> Iterator[str]:
    yield from _encode(_document(merged))
    yield "\n"


RENDERERS = {"markdown": render_markdown, "json": render_json, "html": render_html}
