"""Edits as text: spans to offsets, applying non-overlapping edits, and diffs for people.

Plain string work, no libcst: lines end at ``\\n``, ``\\r\\n`` or ``\\r`` only, as Python's
tokenizer (and libcst's positions) count them, so that a span computed by the analysis
lands on the same characters here. Columns count characters, not bytes.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterable, Sequence

from contractlint.model import Edit

_NEWLINE = re.compile(r"\r\n|\r|\n")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def split_lines(text: str) -> list[str]:
    """The lines of ``text``, each with its own line ending (the last may have none)."""
    lines: list[str] = []
    start = 0
    for match in _NEWLINE.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def content(line: str) -> str:
    """A line without its line ending."""
    if line.endswith("\r\n"):
        return line[:-2]
    if line.endswith(("\n", "\r")):
        return line[:-1]
    return line


class Offsets:
    """Turns 1-based (line, column) positions into offsets in one text."""

    def __init__(self, text: str):
        self.text = text
        self.lines = split_lines(text)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def __call__(self, line: int, column: int) -> int:
        if line == len(self.lines) + 1 and column == 1:
            return len(self.text)
        if not 1 <= line <= len(self.lines):
            raise ValueError(f"line {line} is outside the file ({len(self.lines)} lines)")
        if not 1 <= column <= len(content(self.lines[line - 1])) + 1:
            raise ValueError(f"column {column} is outside line {line}")
        return self.starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of an offset: the inverse of calling the object."""
        line = bisect.bisect_right(self.starts, offset, hi=len(self.lines))
        return line, offset - self.starts[line - 1] + 1

    def range(self, edit: Edit) -> tuple[int, int]:
        span = edit.span
        start, end = self(span.line, span.column), self(span.end_line, span.end_column)
        if end < start:
            raise ValueError(f"the edit at line {span.line} ends before it starts")
        return start, end


def overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two ranges touch the same text. Two insertions at one place overlap (their order is
    unknown); an insertion at the edge of a replacement does not."""
    if a[0] == a[1] and b[0] == b[1]:
        return a[0] == b[0]
    if a[0] == a[1]:
        return b[0] < a[0] < b[1]
    if b[0] == b[1]:
        return a[0] < b[0] < a[1]
    return a[0] < b[1] and b[0] < a[1]


def apply_ranges(text: str, changes: Iterable[tuple[int, int, str]]) -> str:
    """Apply (start, end, replacement) changes that do not overlap; identical ones count once."""
    unique = sorted(set(changes), key=lambda c: (c[0], c[1]))
    for first, second in zip(unique, unique[1:]):
        if overlap(first[:2], second[:2]):
            raise ValueError("two edits overlap")
    out = text
    for start, end, replacement in reversed(unique):
        out = out[:start] + replacement + out[end:]
    return out


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    offsets = Offsets(text)
    return apply_ranges(text, [(*offsets.range(e), e.text) for e in edits])


def hunk(text: str, edits: Sequence[Edit], offsets: Offsets | None = None, context: int = 1) -> str:
    """A short unified diff (hunks only, no file header) of ``edits`` on ``text``, for people."""
    offsets = offsets or Offsets(text)
    lines = offsets.lines
    changes = sorted((*offsets.range(e), e.text) for e in edits)
    touched = []
    for start, end, replacement in changes:
        first = _line_of(offsets, start)
        last = _line_of(offsets, max(start, end - 1)) if end > start else first
        touched.append((first, last, start, end, replacement))
    clusters: list[list[tuple]] = []
    for item in touched:
        if clusters and item[0] - clusters[-1][-1][1] <= 2 * context + 1:
            clusters[-1].append(item)
        else:
            clusters.append([item])
    out: list[str] = []
    shift = 0
    for cluster in clusters:
        lo = max(1, cluster[0][0] - context)
        hi = min(len(lines), max(c[1] for c in cluster) + context)
        base = offsets.starts[lo - 1]
        window = text[base : offsets.starts[hi]]
        new = apply_ranges(window, [(s - base, e - base, r) for _, _, s, e, r in cluster])
        old_lines = [content(part) for part in lines[lo - 1 : hi]]
        new_lines = [content(part) for part in split_lines(new)]
        diff = None
        if context == 1 and all(c[0] == c[1] == cluster[0][0] for c in cluster):
            diff = one_line_diff(old_lines, new_lines, cluster[0][0] - lo)
        if diff is None:
            diff = list(difflib.unified_diff(old_lines, new_lines, n=context, lineterm=""))
        for line in diff:
            if line.startswith(("---", "+++")):
                continue
            found = _HUNK.match(line)
            if found:
                a, b = int(found.group(1)), int(found.group(3))
                line = (
                    f"@@ -{a + lo - 1},{found.group(2) or 1} "
                    f"+{b + lo - 1 + shift},{found.group(4) or 1} @@"
                )
            out.append(line)
        shift += len(new_lines) - len(old_lines)
    return "\n".join(out)


def one_line_diff(old: list[str], new: list[str], at: int) -> list[str] | None:
    """What ``difflib.unified_diff(old, new, n=1, lineterm="")`` gives where line ``at`` of
    ``old`` alone became lines of ``new`` and one line at most is on each side (the common fix: a
    statement put in a ``try``), without its cost; None where difflib might pair the lines
    otherwise. With the changed line unlike the lines beside it and every new line unlike the old
    ones, difflib's only matches are the lines beside it, each with itself (or, the two alike,
    the first with the first and the last with the last): it keeps them and replaces the line."""
    if not 0 <= at < len(old):
        return None
    before, line, after = old[:at], old[at], old[at + 1 :]
    end = len(new) - len(after)
    middle = new[at:end]
    if (
        len(before) > 1
        or len(after) > 1
        or not middle
        or new[:at] != before
        or new[end:] != after
        or line in before
        or line in after
        or any(part in old for part in middle)
    ):
        return None
    return [
        "--- ",
        "+++ ",
        f"@@ -{_range(len(old))} +{_range(len(new))} @@",
        *(" " + part for part in before),
        "-" + line,
        *("+" + part for part in middle),
        *(" " + part for part in after),
    ]


def _range(length: int) -> str:
    """A hunk's range from the first line, as difflib writes it (its length only when not 1)."""
    return "1" if length == 1 else f"1,{length}"


def _line_of(offsets: Offsets, offset: int) -> int:
    """1-based line holding ``offset`` (the last line for the end of the text)."""
    lo, hi = 0, len(offsets.lines) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets.starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def unified_diff(path: str, old: str, new: str) -> str:
    """The whole-file unified diff that ``patch -p1`` applies; line endings stay the file's own."""
    out = []
    for line in difflib.unified_diff(split_lines(old), split_lines(new), f"a/{path}", f"b/{path}"):
        if not line.endswith(("\n", "\r")):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)
