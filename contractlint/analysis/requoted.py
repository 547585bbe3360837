"""Python 3.12's f-strings (PEP 701) read by an older CPython.

Since Python 3.12 a replacement field of an f-string is code like any other: it may hold a string
in the f-string's own quotes (``f"{row["name"]}"``), a backslash (``f"{'\\n'.join(lines)}"``) or
an f-string in the same quotes. Older CPython refuses those, and libcst's reading, with the places
of its nodes, costs some twenty times CPython's. Each string inside a field is rewritten here so
that older CPython reads it, every character in its place (``contractlint.analysis.stripped``
reads the rest of the new syntax the same way): its quotes become the kind no f-string around it
uses, and each backslash escape in it two underscores. The tree CPython builds gets back the value
of each string so changed. An f-string this cannot rewrite leaves the file to libcst: a comment, a
backslash or a line break where an older CPython takes none, a string holding both kinds of quote,
a rewritten f-string over several lines (the older tokenizer cannot place the nodes of its fields
there), a self-documenting field (``{expr=}``, whose text is the rewritten code's), and any such
f-string before Python 3.10, which misplaces the nodes of fields.
"""

from __future__ import annotations

import ast
import bisect
import re
import sys

from contractlint.analysis.tree import within

#: Where a node stands, in the tree's terms: line, byte offset, end line, end byte offset.
NodePlace = tuple[int, int, int, int]

#: What may start a token the scan must see: a comment, or the quote of a string.
_START = re.compile(r"[#'\"]")
#: The end of a string from just after its opening quote (a backslash escapes what follows).
_ENDS = {
    q: re.compile(
        rf"(?:[^\\{q[0]}\r\n]|\\(?:\r\n|.))*{q}" if len(q) == 1 else rf"(?:[^\\]|\\.)*?{q}", re.S
    )
    for q in ("'", '"', "'''", '"""')
}
_PREFIXES = frozenset("rbuf")
#: A line break, as CPython counts lines.
_LINE_END = re.compile(r"[\r\n]")
#: A backslash and the character after it, in a string rewritten.
_ESCAPE = re.compile(r"\\(.)", re.S)


class _Refused(Exception):
    """An f-string this reading does not rewrite."""


def requote(lines: list[str]) -> dict[NodePlace, str] | None:
    """Rewrite in place, in ``lines`` (a file's lines, with their ends), every string inside a
    replacement field of an f-string that an older CPython refuses; the span of each string whose
    value changed, and its text as written. None when there is nothing to rewrite or something
    this reading does not take."""
    if sys.version_info < (3, 10):
        return None
    text = "".join(lines)
    scan = _Scan(text)
    try:
        scan.code()
    except _Refused:
        return None
    if not scan.edits:
        return None
    chars = list(text)
    for at, new in scan.edits:
        chars[at : at + len(new)] = new
    made = "".join(chars).splitlines(keepends=True)
    if len(made) != len(lines):
        return None
    lines[:] = made
    return {scan.span(at, end): text[at:end] for at, end in scan.changed}


def restore(module: ast.Module, changed: dict[NodePlace, str]) -> bool:
    """Give back to each string of ``changed`` (``requote``'s answer) its value as written; False
    where one is not found where it was rewritten."""
    left = dict(changed)
    lines = sorted({place[0] for place in changed})
    stack: list[ast.AST] = [module]
    while stack and left:
        node = stack.pop()
        if type(node) is ast.Constant:
            place = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
            written = left.pop(place, None)  # type: ignore[arg-type]
            if written is not None:
                try:  # an unknown escape (``'\:'``) warns nothing: the analysis runs ``unwarned``
                    node.value = ast.literal_eval(written)
                except (SyntaxError, ValueError):
                    return False
            continue
        stack.extend(child for child in ast.iter_child_nodes(node) if within(child, lines))
    return not left


class _Scan:
    """One pass over a file's text: every string and comment outside the f-strings' fields
    skipped, every f-string read as Python 3.12 reads it."""

    def __init__(self, text: str):
        self.text = text
        #: (offset, new text of the same length).
        self.edits: list[tuple[int, str]] = []
        #: (start, end) of each string whose value the rewrite changes.
        self.changed: list[tuple[int, int]] = []
        self._starts: list[int] | None = None

    def code(self) -> None:
        """Read the file: its comments skipped, its strings read (``string``)."""
        text = self.text
        at = 0
        while True:
            found = _START.search(text, at)
            if found is None:
                return
            at = found.start()
            if text[at] == "#":
                end = _LINE_END.search(text, at)
                at = len(text) if end is None else end.start()
                continue
            at = self.string(at, ())

    def string(self, quote_at: int, around: tuple[str, ...]) -> int:
        """Read the string whose opening quote is at ``quote_at``, inside f-strings whose quotes
        (as rewritten) are ``around``; where it ends."""
        text = self.text
        prefix = _prefix(text, quote_at)
        quote = (
            text[quote_at] * 3 if text.startswith(text[quote_at] * 3, quote_at) else text[quote_at]
        )
        body = quote_at + len(quote)
        if "f" in prefix.lower():
            return self.fstring(quote_at, quote, "r" in prefix.lower(), around)
        found = _ENDS[quote].match(text, body)
        if found is None:
            raise _Refused("an unterminated string")
        end = found.end()
        if not around:
            return end
        inner = text[body : end - len(quote)]
        if quote[0] not in around and "\\" not in inner:
            if any(q in inner for q in around):
                raise _Refused("a quote that would end an f-string around")
            return end
        new = self._quote(quote, around)
        rewritten = _ESCAPE.sub(lambda m: _escaped(m.group(1)), inner)
        if new[0] in rewritten or any(q in rewritten for q in around):
            raise _Refused("a string holding both kinds of quote")
        self.edits.append((quote_at, new + rewritten + new))
        if rewritten != inner:
            self.changed.append((quote_at - len(prefix), end))
        return end

    def fstring(self, quote_at: int, quote: str, raw: bool, around: tuple[str, ...]) -> int:
        text = self.text
        new = quote
        if around:
            new = self._quote(quote, around) if quote[0] in around else quote
            if new != quote:
                self.edits.append((quote_at, new))
        inside = (*around, new[0])
        edits = len(self.edits)
        i = quote_at + len(quote)
        n = len(text)
        while True:
            if i >= n:
                raise _Refused("an unterminated f-string")
            char = text[i]
            if text.startswith(quote, i):
                if new != quote:
                    self.edits.append((i, new))
                if not around and len(self.edits) > edits and _LINE_END.search(text, quote_at, i):
                    raise _Refused("a rewritten f-string over several lines")
                return i + len(quote)
            if char == "\\":
                if around:
                    raise _Refused("a backslash in an f-string in a field")
                if text.startswith(("{", "}"), i + 1):
                    i += 1  # a backslash of its own: the brace opens a field, or is doubled
                elif not raw and text.startswith("N{", i + 1):
                    close = text.find("}", i)
                    i = n if close < 0 else close + 1
                else:
                    i += 2
                continue
            if char in "\r\n" and len(quote) == 1:
                raise _Refused("a line break in an f-string")
            if (around and char in around) or (char == new[0] and new != quote):
                raise _Refused("a quote that would end an f-string around")
            if char == "{":
                if text.startswith("{{", i):
                    i += 2
                    continue
                i = self.field(i + 1, inside, len(quote) == 3)
                continue
            if char == "}":
                if text.startswith("}}", i):
                    i += 2
                    continue
                raise _Refused("a single '}'")
            i += 1

    def field(self, i: int, around: tuple[str, ...], triple: bool) -> int:
        """Read the replacement field whose code starts at ``i``; where it ends, after its
        ``}``."""
        text = self.text
        n = len(text)
        depth = 0
        edits = len(self.edits)
        while i < n:
            char = text[i]
            if char in "'\"":
                i = self.string(i, around)
                continue
            if (
                char == "="
                and depth == 0
                and len(self.edits) > edits
                and _self_documenting(text, i)
            ):
                raise _Refused("a self-documenting field holding a rewritten string")
            if char in "#\\" or (char in "\r\n" and not triple):
                raise _Refused("a comment, a backslash or a line break in a field")
            if char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    if char == "}":
                        return i + 1
                    raise _Refused("an unbalanced bracket")
                depth -= 1
            elif depth == 0 and char == "!" and not text.startswith("!=", i):
                if not text[i + 1 : i + 2].isalpha():
                    raise _Refused("a conversion without its letter")
                i += 2  # the conversion
                continue
            elif depth == 0 and char == ":":
                return self.spec(i + 1, around, triple)
            i += 1
        raise _Refused("an unterminated field")

    def spec(self, i: int, around: tuple[str, ...], triple: bool) -> int:
        """Read the format spec starting at ``i`` up to the ``}`` that ends its field."""
        text = self.text
        n = len(text)
        while i < n:
            char = text[i]
            if char == "{":
                i = self.field(i + 1, around, triple)
                continue
            if char == "}":
                return i + 1
            if char in "\\'\"" or (char in "\r\n" and not triple):
                raise _Refused("a quote, a backslash or a line break in a format spec")
            i += 1
        raise _Refused("an unterminated format spec")

    @staticmethod
    def _quote(quote: str, around: tuple[str, ...]) -> str:
        """The quote, as long as ``quote``, that no f-string ``around`` uses."""
        for char in "'\"":
            if char not in around:
                return char * len(quote)
        raise _Refused("both kinds of quote are taken")

    def span(self, start: int, end: int) -> NodePlace:
        """``(line, byte offset, end line, end byte offset)`` of ``text[start:end]``."""
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", self.text)]
        return (*self._place(start), *self._place(end))

    def _place(self, at: int) -> tuple[int, int]:
        assert self._starts is not None
        line = bisect.bisect_right(self._starts, at)
        begin = self._starts[line - 1]
        return line, len(self.text[begin:at].encode("utf-8"))


def _prefix(text: str, quote_at: int) -> str:
    """The letters of a string's prefix before its quote (none when they end a name: ``if"x"``)."""
    start = quote_at
    while start > 0 and quote_at - start < 2 and text[start - 1].lower() in _PREFIXES:
        start -= 1
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        return ""
    return text[start:quote_at]


def _escaped(char: str) -> str:
    """What stands for a backslash and ``char`` in a string rewritten: two characters of one
    line."""
    if char in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029":
        raise _Refused("a backslash before a line break")
    return "__"


def _self_documenting(text: str, at: int) -> bool:
    """Whether the ``=`` at ``at``, outside brackets in a field, ends its expression (``{x=}``,
    ``{x = !r}``) rather than standing in it (``{x == y}``, ``{x <= y}``, ``{x != y}``)."""
    if text.startswith("==", at) or text[at - 1 : at] in ("=", "!", "<", ">"):
        return False
    after = at + 1
    while after < len(text) and text[after] in " \t":
        after += 1
    return text[after : after + 1] in ("}", "!", ":")
