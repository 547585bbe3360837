"""Files in, findings out: discovery, the prefilter, analysis, and the filters of the configuration."""

from __future__ import annotations

import os
import re
import traceback
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from contractlint import __version__
from contractlint.config import Config
from contractlint.model import CallSite, Contract, Finding, Report, Span, rule_by_code, select_codes


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
                select: Iterable[str] = (), ignore: Iterable[str] = ()) -> Report:
    from contractlint.analysis import ContractIndex, analyse_source  # libcst only when there is work

    report = Report(contracts=contracts)
    index = ContractIndex(contracts)
    wanted = re.compile(b"(?!)") if not contracts else prefilter(contracts)
    codes = select_codes([*config.select, *select] if select else config.select, [*config.ignore, *ignore])
    for path in discover(paths, config):
        shown = display_path(path)
        report.files_checked += 1
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            report.findings.append(_cl900(shown, f"cannot read: {exc.strerror or exc}"))
            continue
        if not wanted.search(data):
            continue
        report.files_parsed += 1
        try:
            result = analyse_source(data, shown, index, module_name(path, config.root))
        except RecursionError:
            report.findings.append(_cl900(shown, "cannot check: the code is nested too deeply"))
            continue
        except Exception as exc:  # one file's surprise must not lose the others' results
            report.findings.append(_internal_error(shown, exc))
            continue
        file_codes = codes - set(_expand(config.ignored_codes(path)))
        kept = [f for f in result.findings if f.code in file_codes]
        report.findings.extend(kept)
        broken = {(f.span, f.contract) for f in kept}
        for call in result.calls:
            if call.state == "broken" and (call.span, call.contract) not in broken:
                call = CallSite(call.path, call.span, call.contract, call.group, call.callee, "kept")
            report.calls.append(call)
    report.findings.sort(key=Finding.sort_key)
    return report


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
