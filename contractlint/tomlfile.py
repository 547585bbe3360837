"""Reading TOML files people write, with errors that say where."""

from __future__ import annotations

import difflib
import re
import sys
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from contractlint.errors import UserError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

KeyPath = Sequence[Union[str, int]]

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


def read_toml(path: str) -> Dict[str, Any]:
    """Parse ``path``; any failure is a ``UserError`` naming the file and, when known, the line and column."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise UserError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _POSITION.search(message)
        if m:
            message = _POSITION.sub("", message).strip()
            raise UserError([f"{path}:{m.group(1)}:{m.group(2)}: invalid TOML: {message}"]) from None
        raise UserError([f"{path}: invalid TOML: {message}"]) from None


def format_key(keypath: KeyPath) -> str:
    """``("calls", 0, "policy")`` -> ``[[calls]][1].policy`` (arrays count from 1, as people do)."""
    if not keypath:
        return ""
    head, *rest = keypath
    if rest and isinstance(rest[0], int):
        out = f"[[{head}]][{rest[0] + 1}]"
        rest = rest[1:]
    elif rest:
        out = f"[{head}]"
    else:
        return _quote(str(head))
    for part in rest:
        out += f"[{part + 1}]" if isinstance(part, int) else f".{_quote(part)}"
    return out


def _quote(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def locate(text: str, keypath: KeyPath) -> Optional[int]:
    """Best-effort 1-based line of ``keypath`` in the TOML ``text`` (tomllib keeps no positions)."""
    if not keypath:
        return None
    table = keypath[0]
    rest = list(keypath[1:])
    occurrence = rest.pop(0) if rest and isinstance(rest[0], int) else 0
    key = next((p for p in rest if isinstance(p, str)), None)
    lines = text.splitlines()
    in_table = table is None
    seen = -1
    start = None
    for number, line in enumerate(lines, 1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2).strip().strip('"')
            in_table = name == table
            if in_table:
                seen += 1
                if seen == occurrence and start is None:
                    start = number
            elif start is not None:
                break
            continue
        if start is None:
            if table is not None:
                # A top-level key, or a dotted/inline table at the top.
                if re.match(rf"^\s*\"?{re.escape(str(table))}\"?\s*=", line) and key is None:
                    return number
            continue
        if key is not None and re.match(rf'^\s*["\']?{re.escape(key)}["\']?\s*=', line):
            return number
    if start is not None:
        return start
    return None


class Checker:
    """Collects every problem of one file, so the user sees them all at once."""

    def __init__(self, path: str, text: str = ""):
        self.path = path
        self.text = text
        self.problems: List[str] = []

    def error(self, keypath: KeyPath, message: str) -> None:
        line = locate(self.text, keypath) if self.text else None
        where = f"{self.path}:{line}" if line else self.path
        key = format_key(keypath)
        self.problems.append(f"{where}: {key}: {message}" if key else f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.problems:
            raise UserError(self.problems)

    def known_keys(self, table: Dict[str, Any], keypath: KeyPath, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in table:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f'; did you mean "{close[0]}"?' if close else f"; expected one of: {', '.join(allowed)}"
                self.error([*keypath, key], f'unknown key "{key}"{hint}')

    def typed(self, table: Dict[str, Any], keypath: KeyPath, key: str, kind: type, required: bool = False):
        if key not in table:
            if required:
                self.error([*keypath, key] if keypath else [key], f"required key is missing")
            return None
        value = table[key]
        if kind is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.error([*keypath, key], f"expected a list of strings, got {describe(value)}")
                return None
            return value
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.error([*keypath, key], f"expected {kind_name(kind)}, got {describe(value)}")
            return None
        return value


def kind_name(kind: type) -> str:
    return {str: "a string", int: "an integer", dict: "a table", bool: "true or false"}.get(kind, kind.__name__)


def describe(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array" if value else "an empty array"
    return f"{type(value).__name__} {value!r}"
