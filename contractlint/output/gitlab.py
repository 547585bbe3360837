"""``--format gitlab``: GitLab's Code Quality report (a JSON array), for merge request widgets.

GitLab compares the report of a merge request with that of its target branch by ``fingerprint``,
which must therefore be unique within a report and stable across runs: it is the finding's own
fingerprint when it has one, else a hash of what identifies the finding without its line, and a
repeat gets its occurrence number hashed in. Paths are relative to the project root
(``OutputOptions.root``), as GitLab resolves them against the repository.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from contractlint.model import Finding, Report, Severity
from contractlint.output import OutputOptions
from contractlint.output.sarif import root_relative

#: contractlint severities -> GitLab's (info, minor, major, critical, blocker).
SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def format_gitlab(report: Report, options: OutputOptions) -> str:
    seen: set[str] = set()
    issues: list[dict[str, Any]] = []
    for finding in report.findings:
        path = root_relative(finding.path, options.root) or finding.path
        fingerprint = _unique(finding.fingerprint or _identity(finding, path), seen)
        issues.append(
            {
                "type": "issue",
                "check_name": f"{finding.code} {finding.name}",
                "description": (f"[{finding.contract}] " if finding.contract else "")
                + finding.message,
                "severity": SEVERITIES.get(finding.severity, "info"),
                "fingerprint": fingerprint,
                "location": {
                    "path": path,
                    "lines": {"begin": finding.span.line, "end": finding.span.end_line},
                },
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=True) + "\n"


def _identity(finding: Finding, path: str) -> str:
    text = "\0".join(
        [path, finding.code, finding.contract or "", finding.scope, finding.callee or ""]
    )
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _unique(fingerprint: str, seen: set[str]) -> str:
    candidate, n = fingerprint, 1
    while candidate in seen:
        candidate = hashlib.sha256(
            f"{fingerprint}\0{n}".encode("utf-8", "surrogateescape")
        ).hexdigest()
        n += 1
    seen.add(candidate)
    return candidate
