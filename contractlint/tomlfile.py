"""Reading TOML files people write, with errors that say where."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Union

from contractlint.errors import UserError


def __getattr__(name: str) -> Any:
    """``tomllib`` (or tomli before Python 3.11), imported when first used: ``explain`` never needs
    it."""
    if name == "tomllib":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on Python < 3.11 only
            import tomli as tomllib  # type: ignore[import-not-found,no-redef,unused-ignore]  # installed on 3.10 and older only
        globals()["tomllib"] = tomllib
        return tomllib
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


KeyPath = Sequence[Union[str, int]]

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_AT_END = "(at end of document)"
_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
# A header is the whole line (bar a comment): a line of a multi-line array such as `["a", "b"],` is
# not one.
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED})\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_PARTS = re.compile(r""""((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+)""")


def read_toml(path: str) -> dict[str, Any]:
    """Parse ``path``; any failure is a ``UserError`` naming the file and, when known, the line and
    column."""
    return read_toml_text(path)[0]


def read_toml_text(path: str) -> tuple[dict[str, Any], str]:
    """The parsed table and the text it came from: one read, so the lines in messages are those
    parsed."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise UserError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    try:
        # utf-8-sig: editors on Windows may start the file with a byte-order mark, which TOML
        # parsers reject.
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
            bad = bad_date_at(text, int(m.group(1)), int(m.group(2)))
            if bad:
                raise UserError([f"{path}:{m.group(1)}:{bad}"]) from None
            message = _POSITION.sub("", message).strip()
            raise UserError(
                [f"{path}:{m.group(1)}:{m.group(2)}: invalid TOML: {message}"]
            ) from None
        if _AT_END in message:
            # An unclosed array or string: the end of the file is a position too, and editors can
            # jump to it.
            message = message.replace(_AT_END, "").strip()
            line, column = text.count("\n") + 1, len(text) - text.rfind("\n")
            raise UserError(
                [f"{path}:{line}:{column}: invalid TOML: {message} at the end of the file"]
            ) from None
        raise UserError([f"{path}: invalid TOML: {message}"]) from None


#: A date or date-time as TOML writes one, with room for the mistakes people make (one-digit parts).
_DATE_SHAPE = re.compile(
    r"(?<![\w.:+-])(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)?(?![\w:-])"
)
_MONTHS = (
    "January February March April May June July August September October November December".split()
)


def date_problem(text: str) -> str | None:
    """Why ``text``, shaped like a date (``2027-13-01``, maybe with a time), is none: ``month 13``,
    ``February 2026 has 28 days``, ``write it YYYY-MM-DD``. None when it is a real date or not
    shaped like one: the parsers say only "Invalid date" or, for a month of 13, "Expected
    newline"."""
    m = _DATE_SHAPE.fullmatch(text.strip())
    if m is None:
        return None
    year, month, day = (int(m.group(i)) for i in (1, 2, 3))
    if not 1 <= month <= 12:
        return f"month {month}"
    import calendar

    days = calendar.monthrange(year, month)[1] if year else 31
    if not 1 <= day <= days:
        return f"day {day}" if day < 1 else f"{_MONTHS[month - 1]} {year} has {days} days"
    if m.group(4) is not None:
        for value, unit, top in ((m.group(4), "hour", 23), (m.group(5), "minute", 59)):
            if int(value) > top:
                return f"{unit} {int(value)}"
        if m.group(6) is not None and int(m.group(6)) > 59:
            return f"second {int(m.group(6))}"
    if year == 0:
        return "year 0"
    if len(m.group(2)) != 2 or len(m.group(3)) != 2 or (m.group(4) and len(m.group(4)) != 2):
        return "write it YYYY-MM-DD, with two digits for the month and the day"
    return None


def bad_date_at(text: str, line: int, column: int) -> str | None:
    """``column: key: 2027-13-01 is not a date (month 13)`` when the parser stopped (at 1-based
    ``line`` and ``column``) on a date that does not exist, or None: tomllib names neither the key
    nor the date, and for a month of 13 it even speaks of a missing newline."""
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    for m in _DATE_SHAPE.finditer(lines[line - 1]):
        if not m.start() < column <= m.end() + 1:
            continue
        problem = date_problem(m.group(0))
        if problem is None:
            return None
        kind = "date-time" if m.group(4) is not None else "date"
        key = format_key(key_at(text, line, m.start()))
        where = f"{key}: " if key else ""
        return f"{m.start() + 1}: {where}{m.group(0)} is not a {kind} ({problem})"
    return None


def key_at(text: str, line: int, column: int = 0) -> tuple[str | int, ...]:
    """The key path of the value at ``line`` (1-based) and ``column`` (0-based): the table it sits
    in, the key of its line (or of the array it continues) and, inside an inline table, the key just
    before ``column``. Arrays of tables count from 0, as ``format_key`` expects."""
    table: tuple[str | int, ...] = ()
    seen: dict[tuple[str, ...], int] = {}
    key: tuple[str, ...] = ()
    for number, header, found in _statements(text):
        if number >= line:
            if number == line and found is not None:
                key = _split(found.group(1))
            break
        if header is not None:
            parts = _split(header.group(2))
            if header.group(1) == "[[":
                seen[parts] = seen.get(parts, -1) + 1
                table = (".".join(parts), seen[parts])
            else:
                table = (".".join(parts),)
            key = ()
        elif found is not None:
            key = _split(found.group(1))
    inner = re.search(rf"[{{,]\s*({_DOTTED})\s*=\s*$", text.splitlines()[line - 1][:column])
    if inner:
        key = (*key, *_split(inner.group(1)))
    return (*table, *key)


def _statements(text: str) -> Iterator[tuple[int, re.Match | None, re.Match | None]]:
    """(1-based line, its table header, its key) for each line that opens a table or sets a key; the
    lines of a multi-line string are skipped, whatever they look like."""
    in_string = None  # the delimiter of a multi-line string we are inside, if any
    for number, line in enumerate(text.splitlines(), 1):
        if in_string:
            if line.count(in_string) % 2:
                in_string = None
            continue
        header = _HEADER.match(line)
        if header:
            yield number, header, None
            continue
        key = _KEY.match(line)
        if key:
            yield number, None, key
            value = line[key.end() :]
            for quotes in ('"""', "'''"):
                if value.count(quotes) % 2:
                    in_string = quotes


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
    """``tool."contractlint" . x`` -> ``("tool", "contractlint", "x")`` (quoted parts keep their
    dots)."""
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

    Each line that opens a table or sets a key gets its full dotted path; the answer is the line
    whose path is the longest prefix of the wanted one (the key itself, else its table, else the
    table's header), so a missing key points at the table that should hold it. In ``("calls", 1,
    ...)`` the 1 selects the second ``[[calls]]``: lines of the other ``[[calls]]`` tables never
    count. A first part written with dots (``"tool.contractlint"``) is the dotted table name.
    """
    if not keypath:
        return None
    head, *rest = keypath
    table = _split(str(head)) if "." in str(head) else (str(head),)
    occurrence = rest.pop(0) if rest and isinstance(rest[0], int) else None
    wanted = table + tuple(p for p in rest if isinstance(p, str))

    current: tuple[str, ...] = ()
    arrays_seen = -1  # how many [[table]] headers so far, minus one: the index of the one we are in
    best, best_len = None, 0
    for number, header, key in _statements(text):
        if header is not None:
            current = _split(header.group(2))
            if header.group(1) == "[[" and current == table:
                arrays_seen += 1
            path = current
        elif key is not None:  # _statements gives one of the two
            path = current + _split(key.group(1))
        n = _common(path, wanted)
        if n < len(path) or n <= best_len:
            continue
        if occurrence is not None and n >= len(table) and arrays_seen != occurrence:
            # Another element of the array, or an inline array (``calls = [{...}]``) when no header
            # was seen.
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
    """Messages are one line each: a value with a newline in it must not start a fake second
    message."""
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
