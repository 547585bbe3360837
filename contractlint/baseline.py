"""Fingerprints that survive unrelated edits, and the baseline file built from them.

A fingerprint is made of the path (relative to the project root), the code, the enclosing
function's qualified name, the callee's normalised name and an occurrence index among the
findings that share all of those: no line numbers, so inserting lines, renaming variables
elsewhere or moving a function within its file keeps it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from contractlint.errors import UserError
from contractlint.model import Finding

VERSION = 1


def _key(finding: Finding, rel_path: str) -> tuple[str, str, str, str]:
    return (rel_path, finding.code, finding.scope, finding.callee or "")


def _keyed(
    findings: Iterable[Finding], rel_path
) -> Iterator[tuple[Finding, tuple[str, str, str, str]]]:
    """The findings in order, each with its key; ``rel_path`` asked once per path (thousands of
    findings share one)."""
    relative: dict[str, str] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        rel = relative.get(finding.path)
        if rel is None:
            rel = relative[finding.path] = rel_path(finding.path)
        yield finding, _key(finding, rel)


def fingerprint(key: tuple[str, str, str, str], occurrence: int) -> str:
    text = "\0".join([*key, str(occurrence)])
    # a path that is not UTF-8 (bytes a file system allows) hashes as its own bytes
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:20]


def with_fingerprints(findings: Sequence[Finding], rel_path) -> list[Finding]:
    """The findings, in order, each with its fingerprint (``rel_path`` maps a finding's path to the
    root)."""
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    out = []
    for finding, key in _keyed(findings, rel_path):
        out.append(replace(finding, fingerprint=fingerprint(key, counts[key])))
        counts[key] += 1
    return out


@dataclass(frozen=True)
class Entry:
    path: str
    code: str
    scope: str
    callee: str
    occurrence: int
    fingerprint: str


def entries(findings: Iterable[Finding], rel_path) -> list[Entry]:
    counts: dict[tuple[str, str, str, str], int] = defaultdict(int)
    out = []
    for finding, key in _keyed(findings, rel_path):
        out.append(
            Entry(
                *key,
                occurrence=counts[key],
                fingerprint=finding.fingerprint or fingerprint(key, counts[key]),
            )
        )
        counts[key] += 1
    return sorted(out, key=lambda e: (e.path, e.code, e.scope, e.callee, e.occurrence))


def dumps(items: Sequence[Entry]) -> str:
    """Sorted, indented JSON with one finding per block: small diffs in review."""
    doc = {
        "version": VERSION,
        "tool": "contractlint",
        "findings": [
            {
                "path": e.path,
                "code": e.code,
                "scope": e.scope,
                "callee": e.callee,
                "occurrence": e.occurrence,
                "fingerprint": e.fingerprint,
            }
            for e in items
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(path: str, items: Sequence[Entry]) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)}.tmp")
    try:
        # a path that is not UTF-8 keeps its lone surrogates as JSON escapes (\\udcff): read back
        # as the same path
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace", newline="\n") as fh:
            fh.write(dumps(items))
        os.replace(tmp, path)
    except OSError as exc:
        raise UserError([f"{path}: cannot write the baseline: {exc.strerror or exc}"]) from None


def read(path: str) -> list[Entry]:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise UserError([f"{path}: cannot read the baseline: {exc.strerror or exc}"]) from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        where = f"{path}:{line}:{col}" if line else path
        raise UserError(
            [f"{where}: the baseline is not valid JSON: {getattr(exc, 'msg', exc)}"]
        ) from None
    if (
        not isinstance(doc, dict)
        or doc.get("version") != VERSION
        or not isinstance(doc.get("findings"), list)
    ):
        raise UserError(
            [
                f'{path}: not a contractlint baseline (expected {{"version": {VERSION}, '
                f'"findings": [...]}}); '
                "write one with `contractlint check --write-baseline FILE`"
            ]
        )
    out = []
    fields = ("path", "code", "scope", "callee", "occurrence", "fingerprint")
    for i, item in enumerate(doc["findings"]):
        if not isinstance(item, dict) or any(k not in item for k in fields):
            raise UserError([f"{path}: findings[{i + 1}]: expected the keys {', '.join(fields)}"])
        # A hand-edited entry of the wrong type would match nothing and be reported as "no longer
        # found".
        wrong = [k for k in fields if not _typed(k, item[k])]
        if wrong:
            raise UserError(
                [
                    f"{path}: findings[{i + 1}].{wrong[0]}: expected "
                    f"{'a whole number' if wrong[0] == 'occurrence' else 'a string'}, got "
                    f"{item[wrong[0]]!r}"
                ]
            )
        out.append(Entry(**{k: item[k] for k in fields}))
    return out


def _typed(key: str, value) -> bool:
    if key == "occurrence":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return isinstance(value, str) and (key in ("scope", "callee") or bool(value))
