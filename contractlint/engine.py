"""Files in, findings out: discovery, the prefilter, analysis, and the filters of the configuration."""

from __future__ import annotations

import datetime as dt
import os
import re
import traceback
from dataclasses import replace
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from contractlint import __version__, acceptance
from contractlint.baseline import Entry, with_fingerprints
from contractlint.config import Config
from contractlint.model import Contract, Finding, Report, Risk, Span, rule_by_code, select_codes
from contractlint.tomlfile import locate


def discover(paths: Sequence[str], config: Config) -> Iterator[str]:
    """Python files under ``paths``, sorted. Excludes apply to files named explicitly too, so that
    pre-commit, which names every staged file, honours them."""
    seen = set()
    for path in paths:
        if os.path.isfile(path) or not os.path.exists(path):
            if not config.is_excluded(path) and path not in seen:
                seen.add(path)
                yield path
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not config.is_excluded(os.path.join(folder, d)))
            for name in sorted(files):
                full = os.path.join(folder, name)
                if config.is_included(full) and not config.is_excluded(full) and full not in seen:
                    seen.add(full)
                    yield full


def display_path(path: str) -> str:
    """A path as people see it in output: relative to the working directory, with forward slashes."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    if rel.startswith(".." + os.sep) and os.path.isabs(path):
        rel = path
    return rel.replace(os.sep, "/")


def prefilter(contracts: Sequence[Contract]) -> "re.Pattern[bytes]":
    """A file can only hold a call we resolve if it names a top-level module of a contract."""
    roots = sorted({r for c in contracts for r in c.roots()})
    if not roots:
        return re.compile(rb"(?!)")
    return re.compile(rb"\b(?:" + b"|".join(re.escape(r.encode()) for r in roots) + rb")\b")


def module_name(path: str, root: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if rel.endswith(".py"):
        rel = rel[:-3]
    if rel.endswith("/__init__"):
        rel = rel[: -len("/__init__")]
    return ".".join(p for p in rel.split("/") if p not in ("", ".", ".."))


def check_paths(paths: Sequence[str], config: Config, contracts: Sequence[Contract],
                select: Iterable[str] = (), ignore: Iterable[str] = (), today: Optional[dt.date] = None,
                baseline: Optional[Sequence[Entry]] = None) -> Report:
    """Check every file under ``paths``; ``today`` is the one date acceptances and reviews are judged by."""
    from contractlint.analysis import ContractIndex, FileResult, analyse_source  # libcst only when there is work

    today = today or dt.date.today()
    report = Report(contracts=contracts)
    index = ContractIndex(contracts)
    wanted = re.compile(b"(?!)") if not contracts else prefilter(contracts)
    codes = select_codes([*config.select, *select] if select else config.select, [*config.ignore, *ignore])
    for path in discover(paths, config):
        shown = display_path(path)
        report.files_checked += 1
        report.files.append(shown)
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            report.findings.append(_cl900(shown, f"cannot read: {exc.strerror or exc}"))
            continue
        result = FileResult()
        if wanted.search(data):
            report.files_parsed += 1
            try:
                result = analyse_source(data, shown, index, module_name(path, config.root))
            except RecursionError:
                result = FileResult([_cl900(shown, "cannot check: the code is nested too deeply")])
            except Exception as exc:  # one file's surprise must not lose the others' results
                result = FileResult([_internal_error(shown, exc)])
        file_codes = codes - set(_expand(config.ignored_codes(path)))
        findings = [f for f in result.findings if f.code in file_codes]
        parsed = acceptance.parse(data, shown) if b"contractlint" in data else acceptance.Parsed()
        applied = acceptance.apply(parsed, findings, result.calls, today, set(file_codes))
        for i, accepted in enumerate(parsed.acceptances):
            covered = applied.used[i]
            report.risks.append(Risk(accepted, tuple(sorted({f.contract for f in covered if f.contract})),
                                     len(covered), accepted.expired(today)))
        report.findings.extend(applied.findings)
        report.calls.extend(applied.calls)
    if "CL201" in codes:
        report.findings.extend(_overdue_reviews(contracts, today))
    findings = [replace(f, severity=config.severity.get(f.code, f.severity)) for f in report.findings]
    findings = with_fingerprints(findings, config.relative)
    if baseline is not None:
        known = {entry.fingerprint for entry in baseline}
        report.baselined = [f for f in findings if f.fingerprint in known]
        findings = [f for f in findings if f.fingerprint not in known]
        present = {f.fingerprint for f in report.baselined}
        report.baseline_gone = [entry for entry in baseline if entry.fingerprint not in present]
        left = {(f.path, f.span, f.contract) for f in findings}
        report.calls = [
            replace(call, state="baselined")
            if call.state == "broken" and (call.path, call.span, call.contract) not in left else call
            for call in report.calls
        ]
    report.findings = sorted(findings, key=Finding.sort_key)
    return report


def _overdue_reviews(contracts: Sequence[Contract], today: dt.date) -> List[Finding]:
    rule = rule_by_code("CL201")
    out = []
    for contract in contracts:
        if contract.review_by is None or contract.review_by >= today:
            continue
        line = 1
        try:
            with open(contract.source, encoding="utf-8") as fh:
                line = locate(fh.read(), ["contract", "review_by"]) or 1
        except OSError:
            pass
        out.append(Finding(
            path=display_path(contract.source), span=Span(line, 1, line, 1), code=rule.code, name=rule.name,
            severity=rule.severity, contract=contract.name, statement_line=line,
            message=(f"the contract {contract.name} was due for review on {contract.review_by.isoformat()} "
                     f"(owner {contract.owner}): decide again whether its policy still holds, then move review_by"),
        ))
    return out


def _expand(prefixes: Iterable[str]) -> List[str]:
    return sorted(select_codes(list(prefixes), [])) if prefixes else []


def _cl900(path: str, message: str) -> Finding:
    rule = rule_by_code("CL900")
    return Finding(path=path, span=Span(1, 1, 1, 1), code=rule.code, name=rule.name, severity=rule.severity,
                   message=message)


def _internal_error(path: str, exc: BaseException) -> Finding:
    rule = rule_by_code("CL999")
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {os.path.basename(where.filename)}:{where.lineno}" if where else ""
    return Finding(path=path, span=Span(1, 1, 1, 1), code=rule.code, name=rule.name, severity=rule.severity,
                   message=(f"contractlint {__version__} failed on this file: {type(exc).__name__}: {exc}{at}; "
                            "please report it with the file"))
