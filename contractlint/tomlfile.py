"""Reading TOML files people write, with errors that say where."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Union

from contractlint.errors import UserError


def __getattr__(name: str) -> Any:
    """``tomllib`` (or tomli before Python 3.11), imported when first used: ``explain`` never needs it."""
    if name == "tomllib":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on Python < 3.11 only
            import tomli as tomllib
        globals()["tomllib"] = tomllib
        return tomllib
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


KeyPath = Sequence[Union[str, int]]

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_AT_END = "(at end of document)"
_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
# A header is the whole line (bar a comment): a line of a multi-line array such as `["a", "b"],` is not one.
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_PARTS = re.compile(r""""((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+)""")


def read_toml(path: str) -> dict[str, Any]:
    """Parse ``path``; any failure is a ``UserError`` naming the file and, when known, the line and column."""
    return read_toml_text(path)[0]


def read_toml_text(path: str) -> tuple[dict[str, Any], str]:
    """The parsed table and the text it came from: one read, so the lines in messages are those parsed."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise UserError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    try:
        # utf-8-sig: editors on Windows may start the file with a byte-order mark, which TOML parsers reject.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise UserError([f"{path}:{line}:{column}: not UTF-8 text (byte {exc.start})"]) from None
    toml = __getattr__("tomllib")
    try:
        return toml.loads(text), text
    except toml.TOMLDecodeError as exc:
        message = one_line(str(exc))
        m = _POSITION.search(message)
        if m:
            message = _POSITION.sub("", message).strip()
            raise UserError(
                [f"{path}:{m.group(1)}:{m.group(2)}: invalid TOML: {message}"]
            ) from None
        if _AT_END in message:
            # An unclosed array or string: the end of the file is a position too, and editors can jump to it.
            message = message.replace(_AT_END, "").strip()
            line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
            raise UserError(
                [f"{path}:{line}:{column}: invalid TOML: {message} at the end of the file"]
            ) from None
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
    import json

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _split(dotted: str) -> tuple[str, ...]:
    """``tool."contractlint" . x`` -> ``("tool", "contractlint", "x")`` (quoted parts keep their dots)."""
    parts = []
    for m in _PARTS.finditer(dotted):
        basic, literal, bare = m.groups()
        if basic is not None:
            import json

            try:
                basic = json.loads(f'"{basic}"')
            except ValueError:
                pass
        parts.append(next(p for p in (basic, literal, bare) if p is not None))
    return tuple(parts)


def locate(text: str, keypath: KeyPath) -> int | None:
    """Best-effort 1-based line of ``keypath`` in the TOML ``text`` (tomllib keeps no positions).

    Each line that opens a table or sets a key gets its full dotted path; the answer is the line whose path
    is the longest prefix of the wanted one (the key itself, else its table, else the table's header), so a
    missing key points at the table that should hold it. In ``("calls", 1, ...)`` the 1 selects the second
    ``[[calls]]``: lines of the other ``[[calls]]`` tables never count. A first part written with dots
    (``"tool.contractlint"``) is the dotted table name.
    """
    if not keypath:
        return None
    head, *rest = keypath
    table = _split(str(head)) if "." in str(head) else (str(head),)
    occurrence = rest.pop(0) if rest and isinstance(rest[0], int) else None
    wanted = table + tuple(p for p in rest if isinstance(p, str))

    current: tuple[str, ...] = ()
    arrays_seen = -1  # how many [[table]] headers so far, minus one: the index of the one we are in
    in_string = None  # the delimiter of a multi-line string we are inside, if any
    best, best_len = None, 0
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        path = None
        header = _HEADER.match(line)
        if header:
            current = _split(header.group(2))
            if header.group(1) == "[[" and current == table:
                arrays_seen += 1
            path = current
        else:
            key = _KEY.match(line)
            if key:
                path = current + _split(key.group(1))
                value = line[key.end() :]
                for quotes in ('"""', "'''"):
                    if value.count(quotes) % 2:
                        in_string = quotes
        if path is None:
            continue
        n = _common(path, wanted)
        if n < len(path) or n <= best_len:
            continue
        if occurrence is not None and n >= len(table) and arrays_seen != occurrence:
            # Another element of the array, or an inline array (``calls = [{...}]``) when no header was seen.
            if not (arrays_seen == -1 and path == table):
                continue
        best, best_len = number, n
    return best


def _common(path: tuple[str, ...], wanted: tuple[str, ...]) -> int:
    n = 0
    for a, b in zip(path, wanted):
        if a != b:
            break
        n += 1
    return n


def one_line(message: str) -> str:
    """Messages are one line each: a value with a newline in it must not start a fake second message."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode()
        for ch in message
    )


def suggest(name: str, choices: Iterable[str]) -> str:
    """``; did you mean "x"?`` for a near miss among ``choices``, else nothing."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"; did you mean {describe(close[0])}?" if close else ""


class Checker:
    """Collects every problem of one file, so the user sees them all at once."""

    def __init__(self, path: str, text: str = ""):
        self.path = path
        self.text = text
        self.problems: list[str] = []

    def error(self, keypath: KeyPath, message: str) -> None:
        line = locate(self.text, keypath) if self.text else None
        where = f"{self.path}:{line}" if line else self.path
        key = format_key(keypath)
        self.problems.append(
            one_line(f"{where}: {key}: {message}" if key else f"{where}: {message}")
        )

    def raise_if_any(self) -> None:
        if self.problems:
            raise UserError(self.problems)

    def known_keys(self, table: dict[str, Any], keypath: KeyPath, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in table:
            if key not in allowed:
                hint = suggest(key, allowed) or f"; expected one of: {', '.join(allowed)}"
                self.error([*keypath, key], f"unknown key {describe(key)}{hint}")

    def typed(
        self, table: dict[str, Any], keypath: KeyPath, key: str, kind: type, required: bool = False
    ):
        if key not in table:
            if required:
                self.error([*keypath, key], "required key is missing")
            return None
        value = table[key]
        if kind is list:
            if not isinstance(value, list):
                self.error([*keypath, key], f"expected a list of strings, got {describe(value)}")
                return None
            wrong = [(i, v) for i, v in enumerate(value) if not isinstance(v, str)]
            for i, v in wrong:
                self.error([*keypath, key, i], f"expected a string, got {describe(v)}")
            return None if wrong else value
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.error([*keypath, key], f"expected {kind_name(kind)}, got {describe(value)}")
            return None
        return value


def kind_name(kind: type) -> str:
    return {str: "a string", int: "an integer", dict: "a table", bool: "true or false"}.get(
        kind, kind.__name__
    )


def describe(value: Any) -> str:
    """A value as the user wrote it, on one line: strings quoted and escaped, dates in ISO form."""
    if isinstance(value, str):
        import json

        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array" if value else "an empty array"
    if isinstance(value, dt.datetime):
        return f"the date-time {value.isoformat()}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, dt.time):
        return f"the time {value.isoformat()}"
    return f"{type(value).__name__} {value!r}"
