"""One inventory file in, one compact and validated record out.

The owners merge thousands of inventories, so a file is parsed, checked and reduced to tuples
(strings interned: the same paths, callees and codes recur) before the next one is opened; the
parsed JSON is dropped at once. Validation is by hand, key by key, for what the merge reads:
a file that is not an inventory, a damaged one, or one of a newer schema is a one-line
``UserError`` naming the file and the key, never a traceback. The shipped JSON Schema
(``contractlint/schemas/inventory-v2.schema.json``) describes the same document for others.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, Callable, NoReturn

from contractlint.errors import UserError
from contractlint.model import InventoryState
from contractlint.model.owners import (
    STATES,
    Acceptance,
    Call,
    ContractUse,
    Earlier,
    Inventory,
    Risk,
    Violation,
    call_violations,
)

#: The inventory schema versions this contractlint reads (``report --format json`` writes the last).
VERSIONS = (1, 2)
#: ``kind`` of the merged document (``report --from ... --format json``), which ``--since`` reads.
MERGED_KIND = "contractlint-owners-report"
SOURCES = ("builtin", "path", "distribution")


def expand(patterns: Sequence[str]) -> list[str]:
    """The files ``--from`` names: globs expanded (sorted, ``**`` crosses folders), each file
    once."""
    out: list[str] = []
    seen: set[str] = set()
    missing = []
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            found = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
            if not found:
                missing.append(f"--from {pattern}: no file matches")
        else:
            found = [pattern]
        for path in found:
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                out.append(path)
    if missing:
        raise UserError(missing)
    return out


def load_json(
    path: str, what: str, object_hook: Callable[[dict[str, Any]], Any] | None = None
) -> Any:
    """The parsed file; unreadable, not UTF-8 or not JSON is a one-line error naming ``path``."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise UserError([f"{path}: cannot read {what}: {exc.strerror or exc}"]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError([f"{path}: not {what}: not UTF-8 text (byte {exc.start})"]) from None
    del data  # a merged report may be a hundred megabytes: keep one copy of it
    try:
        return json.loads(text, object_hook=object_hook)
    except ValueError as exc:
        line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
        where = f"{path}:{line}:{col}" if line else path
        raise UserError(
            [
                f"{where}: {what} that is not valid JSON (damaged or cut short?): "
                f"{getattr(exc, 'msg', exc)}"
            ]
        ) from None
    except RecursionError:
        raise UserError([f"{path}: not {what}: nested too deeply"]) from None


def read_inventory(path: str) -> Inventory:
    doc = load_json(path, "an inventory")
    version = _kind(path, doc)
    check = _Check(path)
    tool = check.table(doc, "tool")
    project = check.table(doc, "project") if version >= 2 else {}
    name = check.text(project, "project.name", "name") if version >= 2 else None
    date = check.date(doc, "date")
    contracts = tuple(
        _contract(check, c, f"contracts[{i}]", version)
        for i, c in check.items(doc, "contracts", "contracts")
    )
    risks = tuple(_risk(check, r, f"risks[{i}]") for i, r in check.items(doc, "risks", "risks"))
    return Inventory(
        file=path,
        schema=version,
        project=name or os.path.splitext(os.path.basename(path))[0],
        commit=check.optional_text(project, "project.commit", "commit") if version >= 2 else None,
        date=dt.date.fromisoformat(date),
        tool_version=check.text(tool, "tool.version", "version"),
        contracts=contracts,
        risks=risks,
    )


def _kind(path: str, doc: Any) -> int:
    """The inventory's schema version, or a one-line error saying what the file is instead."""
    hint = "write one with `contractlint report --format json`"
    if not isinstance(doc, dict):
        raise UserError([f"{path}: not a contractlint inventory ({hint})"])
    if doc.get("kind") == MERGED_KIND:
        raise UserError(
            [f"{path}: a merged owners' report, not an inventory: give it to --since, not --from"]
        )
    tool = doc.get("tool")
    if tool == "contractlint" and "findings" in doc:
        raise UserError([f"{path}: a contractlint baseline, not an inventory ({hint})"])
    if not isinstance(tool, dict) or tool.get("name") != "contractlint":
        raise UserError([f"{path}: not a contractlint inventory ({hint})"])
    if "schema_version" in doc and "findings" in doc:
        raise UserError([f"{path}: the JSON of `contractlint check`, not an inventory ({hint})"])
    return _version(path, doc, "a contractlint inventory", "an inventory", VERSIONS[-1], hint)


def _version(path: str, doc: dict, kind: str, short: str, newest: int, hint: str) -> int:
    """The document's schema version: a whole number this contractlint reads."""
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UserError([f"{path}: not {kind}: no schema version ({hint})"])
    if version > newest:
        from contractlint import __version__

        raise UserError(
            [
                f"{path}: {short} of schema version {version}, newer than contractlint "
                f"{__version__} reads (up to {newest}): upgrade contractlint"
            ]
        )
    return version


def _contract(check: _Check, c: Any, where: str, version: int) -> ContractUse:
    check.is_table(c, where)
    calls = tuple(
        _plain_call(call, version) or _call(check, call, f"{where}.calls[{i}]", version)
        for i, call in check.items(c, f"{where}.calls", "calls")
    )
    source = None
    if version >= 2:
        raw = c.get("source")
        if not isinstance(raw, dict) or raw.get("kind") not in SOURCES:
            check.fail(f"{where}.source", "a table with kind builtin, path or distribution", raw)
        source = {k: v for k, v in raw.items() if isinstance(v, str)}
    return ContractUse(
        name=sys.intern(check.text(c, f"{where}.name", "name")),
        owner=check.text(c, f"{where}.owner", "owner"),
        summary=check.text(c, f"{where}.summary", "summary", empty=True),
        review_by=check.optional_date(c, f"{where}.review_by", "review_by"),
        source=source,
        version=(
            check.optional_text(c, f"{where}.version", "version", number=True)
            if version >= 2
            else None
        ),
        calls=calls,
    )


def _plain_call(c: Any, version: int) -> Call | None:
    """The common call at full speed: every key of its type, no acceptance. None sends the call
    to ``_call``, which checks each key and says what is wrong."""
    if type(c) is not dict:
        return None
    path, line, column = c.get("path"), c.get("line"), c.get("column")
    callee, scope, state = c.get("callee"), c.get("scope"), c.get("state")
    if not (
        type(path) is str
        and path
        and type(line) is int
        and line > 0
        and type(column) is int
        and column > 0
        and type(callee) is str
        and callee
        and type(scope) is str
        and state in STATES
        and c.get("acceptance") is None
    ):
        return None
    findings: tuple[tuple[str, str], ...] = ()
    if version >= 2:
        raw = c.get("findings")
        if type(raw) is not list:
            return None
        if raw:
            found = []
            for f in raw:
                code = f.get("code") if type(f) is dict else None
                fingerprint = f.get("fingerprint") if type(f) is dict else None
                if not (type(code) is str and code and type(fingerprint) is str and fingerprint):
                    return None
                found.append((sys.intern(code), fingerprint))
            findings = tuple(found)
    intern = sys.intern
    return Call(
        intern(path), line, column, intern(callee), intern(scope), intern(state), None, findings
    )


def _call(check: _Check, c: Any, where: str, version: int) -> Call:
    check.is_table(c, where)
    state = c.get("state")
    if state not in STATES:
        check.fail(f"{where}.state", "one of " + ", ".join(STATES), state)
    a = c.get("acceptance")
    acceptance = None
    if a is not None:
        check.is_table(a, f"{where}.acceptance")
        acceptance = Acceptance(
            check.position(a, f"{where}.acceptance.line", "line"),
            check.optional_text(a, f"{where}.acceptance.reason", "reason"),
            check.optional_text(a, f"{where}.acceptance.owner", "owner"),
            check.optional_date(a, f"{where}.acceptance.until", "until"),
        )
    findings: tuple[tuple[str, str], ...] = ()
    if version >= 2:
        found = []
        for i, f in check.items(c, f"{where}.findings", "findings"):
            check.is_table(f, f"{where}.findings[{i}]")
            found.append(
                (
                    sys.intern(check.text(f, f"{where}.findings[{i}].code", "code")),
                    check.text(f, f"{where}.findings[{i}].fingerprint", "fingerprint"),
                )
            )
        findings = tuple(found)
    return Call(
        path=sys.intern(check.text(c, f"{where}.path", "path")),
        line=check.position(c, f"{where}.line", "line"),
        column=check.position(c, f"{where}.column", "column"),
        callee=sys.intern(check.text(c, f"{where}.callee", "callee")),
        scope=sys.intern(check.text(c, f"{where}.scope", "scope", empty=True)),
        state=sys.intern(state),
        acceptance=acceptance,
        findings=findings,
    )


def _risk(check: _Check, r: Any, where: str) -> Risk:
    check.is_table(r, where)
    codes = [
        check.text(r, f"{where}.codes[{i}]", None, value=code)
        for i, code in check.items(r, f"{where}.codes", "codes")
    ]
    contracts = [
        check.text(r, f"{where}.contracts[{i}]", None, value=name)
        for i, name in check.items(r, f"{where}.contracts", "contracts")
    ]
    file_level = r.get("file_level", False)
    if not isinstance(file_level, bool):
        check.fail(f"{where}.file_level", "true or false", file_level)
    return Risk(
        path=sys.intern(check.text(r, f"{where}.path", "path")),
        line=check.position(r, f"{where}.line", "line"),
        codes=tuple(sys.intern(code) for code in codes),
        reason=check.optional_text(r, f"{where}.reason", "reason"),
        owner=check.optional_text(r, f"{where}.owner", "owner"),
        until=check.optional_date(r, f"{where}.until", "until"),
        file_level=file_level,
        contracts=tuple(sys.intern(name) for name in contracts),
    )


class _Check:
    """Typed reads of one file's keys; the first wrong one is a ``UserError`` naming file and
    key."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, expected: str, got: Any) -> NoReturn:
        shown = repr(got)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise UserError([f"{self.path}: {where}: expected {expected}, got {shown}"])

    def is_table(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            self.fail(where, "an object", value)

    def table(self, doc: dict, key: str) -> dict:
        value = doc.get(key)
        if not isinstance(value, dict):
            self.fail(key, "an object", value)
        return value

    def items(self, table: dict, where: str, key: str) -> Iterator[tuple[int, Any]]:
        value = table.get(key)
        if not isinstance(value, list):
            self.fail(where, "a list", value)
        return enumerate(value, 1)

    def text(
        self,
        table: dict | None,
        where: str,
        key: str | None,
        empty: bool = False,
        value: Any = None,
    ) -> str:
        if key is not None:
            value = table.get(key) if isinstance(table, dict) else None
        if not isinstance(value, str) or not (empty or value):
            self.fail(where, "a string" if empty else "a non-empty string", value)
        return value

    def optional_text(self, table: dict, where: str, key: str, number: bool = False) -> str | None:
        value = table.get(key)
        if number and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if value is not None and not isinstance(value, str):
            self.fail(where, "a string or null", value)
        return value

    def position(self, table: dict, where: str, key: str) -> int:
        value = table.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail(where, "a whole number from 1", value)
        return value

    def date(self, table: dict, where: str) -> str:
        value = table.get(where.rsplit(".", 1)[-1])
        if not isinstance(value, str) or not _is_date(value):
            self.fail(where, "a date like 2026-11-28", value)
        return value

    def optional_date(self, table: dict, where: str, key: str) -> str | None:
        value = table.get(key)
        if value is not None and not _is_date(value):
            self.fail(where, "a date like 2026-11-28 or null", value)
        return value


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 10 or value[4] != "-" or value[7] != "-":
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


#: The merged document's schema versions this contractlint reads with ``--since``.
MERGED_VERSIONS = (1,)


def read_merged(path: str) -> Earlier:
    """What ``--since`` compares with: an earlier ``report --from ... --format json``. Calls that
    were not violating are dropped as they are parsed: only the violations are kept."""

    def drop_kept(obj: dict) -> Any:
        if "callee" not in obj:
            return obj
        if obj.get("state") == InventoryState.VIOLATING:
            return _plain_call(obj, 2) or obj  # compact at once; a wrong one is told below
        return None if obj.get("state") in STATES else obj

    doc = load_json(path, "a merged owners' report", object_hook=drop_kept)
    hint = "give --since the JSON of an earlier `contractlint report --from ... --format json`"
    if not isinstance(doc, dict) or doc.get("kind") != MERGED_KIND:
        if isinstance(doc, dict) and isinstance(doc.get("tool"), dict) and "contracts" in doc:
            raise UserError([f"{path}: an inventory, not a merged owners' report ({hint})"])
        raise UserError([f"{path}: not a merged owners' report ({hint})"])
    _version(
        path, doc, "a merged owners' report", "a merged owners' report", MERGED_VERSIONS[-1], hint
    )
    check = _Check(path)
    date = dt.date.fromisoformat(check.date(doc, "date"))
    projects = frozenset(
        check.text(p if isinstance(p, dict) else None, f"projects[{i}].name", "name")
        for i, p in check.items(doc, "projects", "projects")
    )
    violations: dict[str, list[Violation]] = {}
    for i, c in check.items(doc, "contracts", "contracts"):
        where = f"contracts[{i}]"
        check.is_table(c, where)
        contract = check.text(c, f"{where}.name", "name")
        for j, use in check.items(c, f"{where}.projects", "projects"):
            check.is_table(use, f"{where}.projects[{j}]")
            name = check.text(use, f"{where}.projects[{j}].name", "name")
            for k, call in check.items(use, f"{where}.projects[{j}].calls", "calls"):
                if call is None:  # not violating: dropped while parsing
                    continue
                parsed = (
                    call
                    if isinstance(call, Call)
                    else _call(check, call, f"{where}.projects[{j}].calls[{k}]", 2)
                )
                violations.setdefault(name, []).extend(call_violations(contract, parsed))
    risks: dict[str, list[tuple[Risk, bool]]] = {}
    for i, r in check.items(doc, "risks", "risks"):
        where = f"risks[{i}]"
        check.is_table(r, where)
        expired = r.get("expired")
        if not isinstance(expired, bool):
            check.fail(f"{where}.expired", "true or false", expired)
        risks.setdefault(check.text(r, f"{where}.project", "project"), []).append(
            (_risk(check, r, where), expired)
        )
    return Earlier(path, date, projects, violations, risks)
