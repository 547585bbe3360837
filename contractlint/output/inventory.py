"""``contractlint report``: the inventory a service owner and a reviewer read.

For each contract: every call site and its state, the counts, the accepted risks sorted by
expiry (expired first), and the contract's review date. Three renderings of one document
(``inventory``): Markdown for CI summaries and pull requests, JSON with a versioned schema,
and one self-contained HTML page. The document says whose it is (project, commit, date, tool
and contract versions, each finding's fingerprint), so that the owners of a service can merge
the inventories of many repositories (``contractlint.owners``).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
from typing import Any

from contractlint import __version__
from contractlint.model import STATES, Acceptance, Report, Risk, State
from contractlint.output.escape import markdown, markdown_code
from contractlint.output.provenance import provenance

#: 2 added ``project``, each contract's ``source`` and ``version``, each call's ``findings``.
SCHEMA_VERSION = 2

#: The states in the words of the report's readers.
LABELS = {state: state.in_inventory for state in State}
COLOURS = {
    State.KEPT: "#2e7d32",
    State.APPROVED: "#66bb6a",
    State.ACCEPTED: "#f9a825",
    State.BASELINED: "#90a4ae",
    State.BROKEN: "#c62828",
}


def _risk(risk: Risk, today: dt.date) -> dict[str, Any]:
    a = risk.acceptance
    if risk.expired:
        status = "expired"
    elif a.until is None:
        status = "no expiry"
    else:
        left = (a.until - today).days
        status = f"{left} day{'' if left == 1 else 's'} left"
    return {
        "path": a.path,
        "line": a.line,
        "codes": list(a.codes),
        "reason": a.reason,
        "owner": a.owner,
        "until": a.until.isoformat() if a.until else None,
        "expired": risk.expired,
        "status": status,
        "file_level": a.file_level,
        "contracts": list(risk.contracts),
        "findings": risk.findings,
    }


def inventory(
    report: Report,
    today: dt.date,
    project: str = "",
    commit: str | None = None,
    root: str = ".",
) -> dict[str, Any]:
    """The report as plain data: what every rendering shows, in a stable order. ``project`` and
    ``commit`` say whose it is; contract files are named relative to ``root``."""
    risks = sorted(
        report.risks,
        key=lambda r: (
            r.acceptance.until is None,
            r.acceptance.until or dt.date.max,
            r.acceptance.path,
            r.acceptance.line,
        ),
    )
    found: dict[tuple, list[dict[str, str]]] = {}
    for f in (*report.findings, *report.baselined):
        if f.contract:
            found.setdefault((f.path, f.span, f.contract), []).append(
                {"code": f.code, "fingerprint": f.fingerprint}
            )
    contracts = []
    for contract in report.contracts:
        calls = sorted(
            (c for c in report.calls if c.contract == contract.name),
            key=lambda c: (c.path, c.span.line, c.span.column),
        )
        contracts.append(
            {
                "name": contract.name,
                **provenance(contract, root),
                "owner": contract.owner,
                "summary": contract.summary,
                "review_by": contract.review_by.isoformat() if contract.review_by else None,
                "review_overdue": bool(contract.review_by and contract.review_by < today),
                "counts": {LABELS[s]: n for s, n in report.states(contract.name).items()},
                "calls": [
                    {
                        "path": c.path,
                        "line": c.span.line,
                        "column": c.span.column,
                        "callee": c.callee,
                        "scope": c.scope,
                        "state": LABELS[c.state],
                        "acceptance": _acceptance(c.acceptance) if c.acceptance else None,
                        "findings": sorted(
                            found.get((c.path, c.span, c.contract), ()),
                            key=lambda f: (f["code"], f["fingerprint"]),
                        ),
                    }
                    for c in calls
                ],
                "risks": [_risk(r, today) for r in risks if contract.name in r.contracts],
            }
        )
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "contractlint", "version": __version__},
        "project": {"name": project or os.path.basename(os.path.abspath(root)), "commit": commit},
        "date": today.isoformat(),
        "contracts": contracts,
        "risks": [_risk(r, today) for r in risks],
    }


def _acceptance(a: Acceptance) -> dict[str, Any]:
    return {
        "line": a.line,
        "reason": a.reason,
        "owner": a.owner,
        "until": a.until.isoformat() if a.until else None,
    }


def render_json(report: Report, today: dt.date, **whose: Any) -> str:
    doc = inventory(report, today, **whose)
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _md(text: Any) -> str:
    return markdown(str(text)) if text is not None else "—"


def _where(path: str, line: int) -> str:
    return markdown_code(f"{path}:{line}")


def _whose(doc: dict[str, Any]) -> str:
    commit = doc["project"]["commit"]
    return doc["project"]["name"] + (f" at commit {commit[:12]}" if commit else "")


def render_markdown(report: Report, today: dt.date, **whose: Any) -> str:
    doc = inventory(report, today, **whose)
    out = [f"# contractlint report — {doc['date']}", "", f"Project: {_md(_whose(doc))}", ""]
    if doc["risks"]:
        out += ["## Accepted risks, by expiry", ""] + _md_risks(doc["risks"]) + [""]
    for c in doc["contracts"]:
        review = c["review_by"] or "not set"
        if c["review_overdue"]:
            review += " (**overdue**)"
        out += [
            f"## {_md(c['name'])}",
            "",
            f"{_md(c['summary'])}",
            "",
            f"Owner: {_md(c['owner'])} · review by: {review}",
            "",
        ]
        out += [
            "| " + " | ".join(LABELS[s] for s in STATES) + " |",
            "|" + "---|" * len(STATES),
            "| " + " | ".join(str(c["counts"][LABELS[s]]) for s in STATES) + " |",
            "",
        ]
        if c["risks"]:
            out += (
                [f"Accepted risks of {_md(c['name'])}, by expiry:", ""]
                + _md_risks(c["risks"])
                + [""]
            )
        if c["calls"]:
            out += ["| state | where | call | in |", "|---|---|---|---|"]
            for call in c["calls"]:
                state = call["state"]
                if call["acceptance"]:
                    a = call["acceptance"]
                    state += (
                        f" (until {a['until'] or 'no date'}, {a['owner'] or 'no owner'}: "
                        f"{a['reason'] or 'no reason'})"
                    )
                out.append(
                    f"| {_md(state)} | {_where(call['path'], call['line'])} | "
                    f"{markdown_code(call['callee'])} | {_md(call['scope'] or 'module level')} |"
                )
            out.append("")
    return "\n".join(out) + "\n"


def _md_risks(risks: list[dict[str, Any]]) -> list[str]:
    out = ["| expires | status | owner | codes | where | reason |", "|---|---|---|---|---|---|"]
    for r in risks:
        status = "**expired**" if r["expired"] else r["status"]
        out.append(
            f"| {_md(r['until'])} | {status} | {_md(r['owner'])} | {_md(', '.join(r['codes']))} | "
            f"{_where(r['path'], r['line'])} | {_md(r['reason'])} |"
        )
    return out


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;\
color:#1b1b1b;max-width:70rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;font-size:.9rem;vertical-align:top}
th{background:#f5f5f5}code{font-size:.85rem}
.expired{color:#c62828;font-weight:600}.meta{color:#555}
.state{display:inline-block;padding:0 .4rem;border-radius:.2rem;color:#fff;font-size:.8rem}
.legend span{margin-right:1rem;font-size:.85rem}
"""


def state_bar(counts: dict[str, int]) -> str:
    """A stacked bar of the states, as inline SVG: nothing to fetch, nothing to run."""
    total = sum(counts.values())
    width, height = 600, 22
    if not total:
        return f'<svg width="{width}" height="{height}" role="img" aria-label="no calls"></svg>'
    x = 0.0
    parts = []
    for state in STATES:
        n = counts[LABELS[state]]
        if not n:
            continue
        w = width * n / total
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}" fill="{COLOURS[state]}">'
            f"<title>{LABELS[state]}: {n}</title></rect>"
        )
        x += w
    label = ", ".join(f"{LABELS[s]} {counts[LABELS[s]]}" for s in STATES if counts[LABELS[s]])
    return (
        f'<svg width="{width}" height="{height}" role="img" '
        f'aria-label="{html.escape(label)}">{"".join(parts)}</svg>'
    )


def render_html(report: Report, today: dt.date, **whose: Any) -> str:
    doc = inventory(report, today, **whose)
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>contractlint report {e(doc['date'])}</title><style>{STYLE}</style></head><body>",
        f'<h1>contractlint report</h1><p class="meta">{e(_whose(doc))} · {e(doc["date"])} · '
        f"contractlint {e(__version__)}</p>",
    ]
    out.append(
        '<p class="legend">'
        + "".join(
            f'<span><span class="state" style="background:{COLOURS[s]}">&nbsp;</span> '
            f"{LABELS[s]}</span>"
            for s in STATES
        )
        + "</p>"
    )
    if doc["risks"]:
        out.append("<h2>Accepted risks, by expiry</h2>")
        out.extend(_html_risks(doc["risks"]))
    for c in doc["contracts"]:
        review = e(c["review_by"] or "not set")
        if c["review_overdue"]:
            review = f'<span class="expired">{review} (overdue)</span>'
        out.append(
            f"<h2>{e(c['name'])}</h2><p>{e(c['summary'])}</p>"
            f'<p class="meta">Owner: {e(c["owner"])} · review by: {review}</p>'
        )
        out.append(state_bar(c["counts"]))
        out.append(
            "<table><thead><tr>"
            + "".join(f"<th>{LABELS[s]}</th>" for s in STATES)
            + "</tr></thead>"
            "<tbody><tr>"
            + "".join(f"<td>{c['counts'][LABELS[s]]}</td>" for s in STATES)
            + "</tr></tbody></table>"
        )
        if c["risks"]:
            out.append(f"<p>Accepted risks of {e(c['name'])}, by expiry:</p>")
            out.extend(_html_risks(c["risks"]))
        if c["calls"]:
            out.append(
                "<table><thead><tr><th>state</th><th>where</th><th>call</th><th>in</th></tr></thead><tbody>"
            )
            for call in c["calls"]:
                state = next(s for s in STATES if LABELS[s] == call["state"])
                badge = (
                    '<span class="state" '
                    f'style="background:{COLOURS[state]}">{e(call["state"])}</span>'
                )
                if call["acceptance"]:
                    a = call["acceptance"]
                    badge += (
                        f" until {e(a['until'] or 'no date')}, {e(a['owner'] or 'no owner')}: "
                        f"{e(a['reason'] or '')}"
                    )
                out.append(
                    f"<tr><td>{badge}</td><td><code>{e(call['path'])}:{call['line']}</code></td>"
                    f"<td><code>{e(call['callee'])}</code></td>"
                    f"<td>{e(call['scope'] or 'module level')}</td></tr>"
                )
            out.append("</tbody></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _html_risks(risks: list[dict[str, Any]]) -> list[str]:
    e = html.escape
    out = [
        "<table><thead><tr><th>expires</th><th>status</th><th>owner</th><th>codes</th><th>where</th>"
        "<th>reason</th></tr></thead><tbody>"
    ]
    for r in risks:
        cls = ' class="expired"' if r["expired"] else ""
        out.append(
            f"<tr><td{cls}>{e(r['until'] or '—')}</td><td{cls}>{e(r['status'])}</td>"
            f"<td>{e(r['owner'] or '—')}</td><td>{e(', '.join(r['codes']))}</td>"
            f"<td><code>{e(r['path'])}:{r['line']}</code></td><td>{e(r['reason'] or '—')}</td></tr>"
        )
    out.append("</tbody></table>")
    return out


RENDERERS = {"markdown": render_markdown, "json": render_json, "html": render_html}
