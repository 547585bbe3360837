"""The places of the nodes inside an f-string's replacement fields, before Python 3.12.

Older parsers parse each field apart and shift its nodes by a guess, wrong on the later lines of a
triple-quoted f-string (3.9) and after a line break in a field. Here each field is found in the
f-string's own text, parsed again, and its nodes placed from where the field stands.
"""

from __future__ import annotations

import ast
import io
import tokenize

from contractlint.analysis.positions import Positions
from contractlint.analysis.tree import is_located

Place = tuple[int, int, int, int]  # line, column, end line, end column: 1-based, in characters
#: (expression start, expression end, nested fields) of a replacement field of an f-string's body.
Field = tuple[int, int, list["Field"]]


def place(fstring: ast.JoinedStr, lines: list[str], line: int, column: int) -> dict[int, Place]:
    """``id(node)`` -> its place, for the nodes inside ``fstring``'s fields. ``lines``: the text
    of the lines it spans, the first of which is line ``line``, where it starts at ``column``
    (0-based, in characters); the places count lines the same way."""
    fields = []
    for row, col, token in _string_tokens("".join(lines)[column:]):
        quote_at = len(token) - len(token.lstrip("rRbBuUfF"))
        if "f" not in token[:quote_at].lower():
            continue
        quote = token[quote_at] * (
            3 if token[quote_at] * 3 == token[quote_at : quote_at + 3] else 1
        )
        body = token[quote_at + len(quote) : len(token) - len(quote)]
        start = (line, column + col) if row == 0 else (line + row, col)
        for field in _fields(body):
            fields.append((token, quote_at + len(quote), start, field))
    values = [v for v in fstring.values if isinstance(v, ast.FormattedValue)]
    out: dict[int, Place] = {}
    if len(values) == len(fields):
        for value, (token, offset, start, field) in zip(values, fields):
            _place_field(value, token, offset, start, field, out)
    return out


def _place_field(value: ast.FormattedValue, token: str, offset: int, start, field, out) -> None:
    begin, end, nested = field
    at = _position(token, offset + begin, start)
    _place_expression(value.value, token[offset + begin : offset + end], at, out)
    spec = value.format_spec
    inner = (
        [v for v in spec.values if isinstance(v, ast.FormattedValue)]
        if isinstance(spec, ast.JoinedStr)
        else []
    )
    if len(inner) == len(nested):
        for one, sub in zip(inner, nested):
            _place_field(one, token, offset, start, sub, out)


def _position(token: str, at: int, start: tuple[int, int]) -> tuple[int, int]:
    """The line and 0-based column of ``token[at]``, for a token that starts at ``start``."""
    before = token[:at]
    breaks = before.count("\n") + before.count("\r") - before.count("\r\n")
    if not breaks:
        return start[0], start[1] + at
    return start[0] + breaks, at - max(before.rfind("\n"), before.rfind("\r")) - 1


def _place_expression(node: ast.AST, text: str, at: tuple[int, int], out) -> None:
    """Place the nodes of ``node``, the expression ``text`` that starts at ``at``."""
    wrapped = f"({text})"
    try:
        again = ast.parse(wrapped, mode="eval").body
    except SyntaxError:
        return
    found, parsed = list(ast.walk(node)), list(ast.walk(again))
    if len(found) != len(parsed) or any(type(a) is not type(b) for a, b in zip(found, parsed)):
        return
    positions = Positions(wrapped)
    for original, copy in zip(found, parsed):
        if is_located(copy):
            span = positions.span(copy)
            out[id(original)] = (
                *_shift(span.line, span.column, at),
                *_shift(span.end_line, span.end_column, at),
            )
    for original, copy in zip(found, parsed):
        if isinstance(original, ast.JoinedStr) and isinstance(copy, ast.JoinedStr):
            # an f-string in a field: placed the same way
            span = positions.span(copy)
            lines = positions.lines(span.line, span.end_line)
            for key, (a, b, c, d) in place(original, lines, span.line, span.column - 1).items():
                out[key] = (*_shift(a, b, at), *_shift(c, d, at))


def _shift(line: int, column: int, at: tuple[int, int]) -> tuple[int, int]:
    """A place in ``(text)`` (1-based column) as a place in the file, where ``text`` starts at
    ``at`` (0-based column): the parenthesis stands before the text's first character."""
    if line == 1:
        return at[0], at[1] + column - 1
    return at[0] + line - 1, column


def _string_tokens(text: str) -> list[tuple[int, int, str]]:
    """(row, column, text) of each string literal at the start of ``text``: the literals of one
    implicit concatenation. Rows count from 0; columns on row 0 from the start of ``text``."""
    out = []
    try:
        tokens = tokenize.generate_tokens(io.StringIO(f"({text}").readline)
        next(tokens)  # the parenthesis
        for token in tokens:
            if token.type == tokenize.STRING:
                row, col = token.start
                out.append((row - 1, col - 1 if row == 1 else col, token.string))
            elif token.type not in (tokenize.NL, tokenize.COMMENT):
                break
    except (tokenize.TokenError, SyntaxError):
        pass
    return out


def _fields(body: str) -> list[Field]:
    """(expression start, expression end, nested fields) of each replacement field of an
    f-string's ``body``."""
    out: list[Field] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "{" and body.startswith("{{", i):
            i += 2
        elif c == "{":
            start = i + 1
            stop = _expression_end(body, start)
            j = stop
            if j < len(body) and body[j] == "=":
                j += 1
                while j < len(body) and body[j] in " \t\r\n\f":
                    j += 1
            if j < len(body) and body[j] == "!":
                j += 2
            nested: list[Field] = []
            if j < len(body) and body[j] == ":":
                nested, j = _spec(body, j + 1)
            out.append((start, stop, nested))
            i = j + 1
        elif c == "}":
            i += 2 if body.startswith("}}", i) else 1
        else:
            i += 1
    return out


def _spec(body: str, i: int) -> tuple[list[Field], int]:
    """The nested fields of a format spec starting at ``i``, and where the spec ends (its ``}``)."""
    nested: list[Field] = []
    while i < len(body) and body[i] != "}":
        if body[i] == "{":
            start = i + 1
            stop = _expression_end(body, start)
            j = stop
            if j < len(body) and body[j] == "!":
                j += 2
            if j < len(body) and body[j] == ":":
                _, j = _spec(body, j + 1)
            nested.append((start, stop, []))
            i = j + 1
        else:
            i += 1
    return nested, i


def _expression_end(body: str, i: int) -> int:
    """Where the expression of a field starting at ``i`` ends: at its ``}``, or at the ``!``,
    ``:`` or ``=`` that starts its conversion, spec or self-documenting text."""
    depth = 0
    while i < len(body):
        c = body[i]
        if c in "'\"":
            quote = c * 3 if body.startswith(c * 3, i) else c
            close = body.find(quote, i + len(quote))
            if close < 0:
                return len(body)
            i = close + len(quote)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0:
            if c == "!" and not body.startswith("!=", i):
                return i
            if c == ":":
                return i
            if c == "=" and not body.startswith("==", i) and (i == 0 or body[i - 1] not in "=!<>"):
                return i
            if c == "=" and body.startswith("==", i):
                i += 2
                continue
        i += 1
    return i
