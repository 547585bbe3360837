"""``--format json``: the whole report as data, in the documented, versioned schema.

The schema ships with the package (``contractlint/schemas/report-v1.schema.json``) so that consumers
can validate what they read; keys are sorted and findings keep the report's order, so two runs on
the same code print the same bytes.
"""

from __future__ import annotations

import json
from typing import Any

from contractlint.model import Finding, Fix, Report
from contractlint.output import OutputOptions
from contractlint.output.provenance import provenance

SCHEMA_VERSION = 1
SCHEMA_FILE = "report-v1.schema.json"


def format_json(report: Report, options: OutputOptions) -> str:
    return (
        json.dumps(report_data(report, options), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    )


def report_data(report: Report, options: OutputOptions) -> dict[str, Any]:
    errors = len(report.errors())
    contracts = []
    for contract in report.contracts:
        states = report.states(contract.name)
        contracts.append(
            {
                "name": contract.name,
                "owner": contract.owner,
                **provenance(contract, options.root),
                "calls": sum(states.values()),
                **{state.value: n for state, n in states.items()},
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "contractlint", "version": options.version},
        "files_checked": report.files_checked,
        "files_parsed": report.files_parsed,
        "counts": {
            "findings": len(report.findings),
            "errors": errors,
            "warnings": len(report.findings) - errors,
        },
        "contracts": contracts,
        "findings": [finding_data(f) for f in report.findings],
    }


def finding_data(finding: Finding) -> dict[str, Any]:
    span = finding.span
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "contract": finding.contract,
        "callee": finding.callee,
        "scope": finding.scope,
        "path": finding.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "message": finding.message,
        "suggestion": finding.suggestion,
        "remediation": finding.remediation,
        "fix": _fix(finding.fix),
        "via": list(finding.via),
        "origins": list(finding.origins),
        "fingerprint": finding.fingerprint,
    }


def _fix(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "description": fix.description,
        "safe": fix.safe,
        "edits": [
            {
                "line": e.span.line,
                "column": e.span.column,
                "end_line": e.span.end_line,
                "end_column": e.span.end_column,
                "content": e.text,
            }
            for e in fix.edits
        ],
    }
