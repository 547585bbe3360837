"""Where a node is, as findings say it: 1-based lines, columns counted in characters.

CPython's ``ast`` counts columns in UTF-8 bytes of the line (whatever the file's encoding); a line
of ASCII text needs no conversion, any other is measured in its characters. Lines end at ``\\n``,
``\\r\\n`` or a lone ``\\r``, as Python's tokenizer (and ``contractlint.fixes.edits``) counts them.
Before Python 3.12 the nodes inside an f-string's replacement fields are placed by a separate
parse, off at times; ``contractlint.analysis.fstrings`` places them again.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from typing import TYPE_CHECKING

from contractlint.model import Span

if TYPE_CHECKING:
    from contractlint.analysis.tree import Located

_NEWLINE = re.compile(r"\r\n|\r|\n")

#: Whether this Python places the nodes inside f-strings itself (3.12 tokenizes f-strings).
EXACT_FSTRINGS = sys.version_info >= (3, 12)


class Positions:
    """The spans of the nodes of one module's tree, from the module's text. ``in_characters``:
    the tree counts characters already (a tree built from libcst's: ``analysis.newer``)."""

    def __init__(self, text: str, in_characters: bool = False):
        self.text = text
        self.identity = in_characters or text.isascii()
        #: Whether the nodes inside f-strings are in their places already.
        self.exact = EXACT_FSTRINGS or in_characters
        self._starts: list[int] | None = None
        #: Nodes inside an f-string -> the f-string, where this Python may misplace them.
        self.fstrings: dict[int, ast.JoinedStr] = {}
        self._placed: dict[int, tuple[int, int, int, int]] = {}

    def _column(self, line: int, column: int) -> int:
        if self.identity:
            return column
        starts = self._starts
        if starts is None:
            starts = self._starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        text = self.text[starts[line - 1] : starts[line] if line < len(starts) else None]
        if text.isascii():
            return column
        return len(text.encode("utf-8")[:column].decode("utf-8", "replace"))

    def span(self, node: Located) -> Span:
        if not self.exact and id(node) in self.fstrings:
            placed = self._fstring_place(node)
            if placed is not None:
                return Span(*placed)
        line, end_line = node.lineno, node.end_lineno
        end_column = node.end_col_offset
        if end_line is None or end_column is None:  # only a node built by hand has no end
            end_line, end_column = line, node.col_offset
        return Span(
            line,
            self._column(line, node.col_offset) + 1,
            end_line,
            self._column(end_line, end_column) + 1,
        )

    def _fstring_place(self, node: Located) -> tuple[int, int, int, int] | None:
        """Where a node inside an f-string is (None: not found again, CPython's place stands)."""
        fstring = self.fstrings[id(node)]
        if id(fstring) not in self._placed:
            from contractlint.analysis.fstrings import place

            start = self.span(fstring)
            lines = self.lines(start.line, start.end_line)
            self._placed[id(fstring)] = (0, 0, 0, 0)
            self._placed.update(place(fstring, lines, start.line, start.column - 1))
        return self._placed.get(id(node))

    def lines(self, first: int, last: int) -> list[str]:
        """The text of lines ``first`` to ``last``, each with its line ending."""
        text = self.text
        starts = self._starts
        if starts is None:
            starts = self._starts = [0, *(m.end() for m in _NEWLINE.finditer(text))]
        end = starts[last] if last < len(starts) else len(text)
        chunk = text[starts[first - 1] : end]
        return [m.group(0) for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", chunk)]

    def snippet(self, node: Located) -> str:
        """The text of ``node``."""
        span = self.span(node)
        lines = self.lines(span.line, span.end_line)
        if len(lines) == 1:
            return lines[0][span.column - 1 : span.end_column - 1]
        return "".join(
            [lines[0][span.column - 1 :], *lines[1:-1], lines[-1][: span.end_column - 1]]
        )

    def parenthesized(self, node: ast.expr) -> bool:
        """Whether ``node`` (a tuple: ``ast`` places it with its parentheses) is written in
        parentheses of its own: ``(A, B)``, not ``(A), (B)``."""
        noted = getattr(node, "parenthesized", None)  # a tree built from libcst's says
        if noted is not None:
            return noted
        text = self.snippet(node)
        if not text.startswith("("):
            return False
        tokens = _tokens(text)
        depth = 0
        for i, token in enumerate(tokens):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
                if depth == 0:
                    return i == len(tokens) - 1
        return False

    def concatenated(self, node: ast.expr) -> bool:
        """Whether a string constant is written as several literals (``"a" "b"``)."""
        noted = getattr(node, "concatenated", None)
        if noted is not None:
            return noted
        return len([t for t in _tokens(f"({self.snippet(node)})") if t.type == tokenize.STRING]) > 1


_SKIPPED = (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.ENDMARKER, tokenize.INDENT)


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    """The tokens of ``text`` that are code (not line breaks, comments, indentation)."""
    out = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type not in _SKIPPED and token.type != tokenize.DEDENT:
                out.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    return out
