"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and every other SARIF viewer.

One run per invocation. The driver lists every rule, whatever ``--select`` says, so that rule
metadata and ``ruleIndex`` stay the same from one run to the next. Locations are relative to
``%SRCROOT%`` (``OutputOptions.root``), never absolute: code scanning resolves relative paths
against the repository root, and an absolute path from a CI machine matches nothing.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from typing import Any
from urllib.parse import quote

from contractlint.model import RULES, Finding, Report, Rule, Severity, Span
from contractlint.output import OutputOptions
from contractlint.output.escape import markdown

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/contractlint/contractlint"
#: Where each rule's page lives on the web (the same text as ``contractlint explain`` and ``help``).
HELP_URI = "https://github.com/contractlint/contractlint#rules"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "contractlint/v1"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning"}


def format_sarif(report: Report, options: OutputOptions) -> str:
    return json.dumps(sarif_log(report, options), indent=2, ensure_ascii=True) + "\n"


def sarif_log(report: Report, options: OutputOptions) -> dict[str, Any]:
    rules = list(RULES)
    known = {rule.code for rule in rules}
    for finding in report.findings:
        if finding.code not in known:
            known.add(finding.code)
            rules.append(
                Rule(
                    code=finding.code,
                    name=finding.name,
                    severity=finding.severity,
                    summary=finding.name,
                    what="",
                    why="",
                )
            )
    index = {rule.code: i for i, rule in enumerate(rules)}
    driver: dict[str, Any] = {
        "name": "contractlint",
        "informationUri": INFORMATION_URI,
        "rules": [_rule(rule) for rule in rules],
    }
    if options.version:
        driver["version"] = options.version
        driver["semanticVersion"] = options.version
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {
            SRCROOT: {
                "description": {
                    "text": "The project root: the folder of pyproject.toml, or --output-root."
                }
            },
        },
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.code], options.root) for f in report.findings],
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def level(severity: Severity) -> str:
    return _LEVELS.get(severity, "note")


def _rule(rule: Rule) -> dict[str, Any]:
    page = rule.page()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what or rule.summary},
        "help": {"text": page, "markdown": page},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": level(rule.severity)},
        "properties": {"tags": ["reliability", "error-handling"], "precision": "high"},
    }


def _result(finding: Finding, rule_index: int, root: str) -> dict[str, Any]:
    location = {"uri": artifact_uri(finding.path, root), "uriBaseId": SRCROOT}
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": _message(finding),
        "locations": [
            {"physicalLocation": {"artifactLocation": location, "region": region(finding.span)}}
        ],
    }
    if finding.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if finding.fix is not None and finding.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": _plain(finding.fix.description)},
                "artifactChanges": [
                    {
                        "artifactLocation": dict(location),
                        "replacements": [
                            {
                                "deletedRegion": region(edit.span),
                                "insertedContent": {"text": edit.text},
                            }
                            for edit in finding.fix.edits
                        ],
                    }
                ],
            }
        ]
    properties = {
        key: value
        for key, value in (
            ("contract", finding.contract),
            ("callee", finding.callee),
            ("scope", finding.scope),
        )
        if value
    }
    if properties:
        result["properties"] = properties
    return result


def region(span: Span) -> dict[str, int]:
    """A SARIF region: like our spans, its end column is the column after the last character, so an
    empty span (an insertion point, or a finding about a whole file) is an empty region."""
    return {
        "startLine": span.line,
        "startColumn": span.column,
        "endLine": span.end_line,
        "endColumn": span.end_column,
    }


def _message(finding: Finding) -> dict[str, str]:
    """The message as text, and as Markdown (which code scanning renders): every text from code or
    contracts escaped (``escape.markdown``), the suggestion in a fence no line of it can close."""
    parts = [markdown(finding.message)]
    if finding.suggestion:
        code = finding.suggestion.rstrip("\n")
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", code)), default=0))
        parts += ["Recommended handling for this call:", f"{fence}python\n{code}\n{fence}"]
    if finding.remediation:
        parts.append(markdown(finding.remediation))
    return {"text": _plain(finding.message), "markdown": "\n\n".join(parts)}


def _plain(text: str) -> str:
    """SARIF reads ``[text](target)`` in a message as a link: literal brackets are escaped."""
    return text.replace("[", "\\[").replace("]", "\\]")


def artifact_uri(path: str, root: str) -> str:
    """``path`` as a URI reference relative to ``root``: forward slashes, percent-encoded.

    A path outside the root climbs out of it with ``..``; only a path on another Windows drive,
    which no relative reference can reach, becomes an absolute ``file:`` URI. A name that is not
    UTF-8 (bytes a file system allows) is encoded as its own bytes.
    """
    rel = root_relative(path, root)
    if rel is None:
        absolute = os.path.abspath(path).replace(os.sep, "/")
        return "file:///" + quote(absolute.lstrip("/"), safe="/", errors="surrogateescape")
    return quote(rel, safe="/", errors="surrogateescape")


def root_relative(path: str, root: str) -> str | None:
    """``path`` relative to ``root``, with forward slashes; None when no relative path leads
    there."""
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive on Windows
        return None
    return posixpath.normpath(rel.replace(os.sep, "/"))
