"""Applying fixes to a file's text, and writing the file back without ever damaging it.

``fix_source`` applies the safe fixes of one file in rounds: the fixes whose edits do not
overlap are applied together, the text is parsed again (a fix that would not parse is dropped,
with a message), the file is checked again, and the fixes that were left out (they overlapped)
are tried on the new text, until nothing is left or the rounds run out. What could not be
applied is reported, never dropped in silence.

``write_atomic`` writes through a temporary file in the same folder and ``os.replace``, keeping
the file's mode; the text is encoded back with the file's own encoding and byte-order mark, and
no line ending is ever translated (the edits carry the file's own).
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Callable

from contractlint.fixes.edits import Offsets, apply_ranges, overlap
from contractlint.model import Edit, Finding
from contractlint.model.checked import parse_code

#: Rounds of apply-and-check for one file: each applies at least one fix.
MAX_ROUNDS = 10


@dataclass
class FileFix:
    """What fixing one file did."""

    path: str
    before: bytes
    after: bytes
    #: Findings whose fix was applied.
    fixed: list[Finding] = field(default_factory=list)
    #: One line each: ``path:line:col: CODE fix not applied: why``.
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.after != self.before


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) as Python reads the file: a coding cookie or a BOM (``utf-8-sig``), else
    UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding), encoding


def parses(text: str, before: str | None = None) -> bool:
    """Whether libcst parses ``text``, and Python too when it parsed the text ``before`` the fix."""
    import libcst as cst

    try:
        cst.parse_module(text)
    except Exception:
        return False
    if before is not None:
        try:
            parse_code(before)
        except (SyntaxError, ValueError):
            return True
        try:
            parse_code(text)
        except (SyntaxError, ValueError):
            return False
    return True


def _where(finding: Finding) -> str:
    return f"{finding.path}:{finding.span.line}:{finding.span.column}: {finding.code}"


def _edits(finding: Finding) -> Sequence[Edit]:
    return finding.fix.edits if finding.fix is not None else ()


def _key(finding: Finding) -> tuple[str, str]:
    """A fix is known again after the text around it moved: by its rule and its main edit."""
    return finding.code, finding.fix.edits[0].text if finding.fix and finding.fix.edits else ""


def fix_source(
    path: str, data: bytes, check: Callable[[bytes], Sequence[Finding]], rounds: int = MAX_ROUNDS
) -> FileFix:
    """Apply the safe fixes that ``check`` reports for ``data`` (the file's bytes), in rounds."""
    outcome = FileFix(path, data, data)
    try:
        text, encoding = decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        outcome.problems.append(f"{path}: fixes not applied: cannot decode the file: {exc}")
        return outcome
    applied: set[tuple[str, str]] = set()
    dropped: set[tuple[str, str]] = set()
    findings = list(check(data))
    for _ in range(rounds):
        pending = [
            f
            for f in findings
            if f.fix is not None and f.fix.safe and f.fix.edits and _key(f) not in dropped
        ]
        for finding in pending:
            if _key(finding) in applied:
                # Applied once already and reported again: applying it twice would damage the file.
                dropped.add(_key(finding))
                outcome.problems.append(
                    f"{_where(finding)} fix not applied again: it did not resolve the finding"
                )
        pending = [f for f in pending if _key(f) not in dropped]
        if not pending:
            break
        chosen, new_text = _apply_round(text, pending, outcome, dropped)
        if not chosen:
            break
        try:
            new_data = new_text.encode(encoding)
        except UnicodeEncodeError as exc:
            for finding in chosen:
                dropped.add(_key(finding))
            outcome.problems.append(
                f"{path}: fixes not applied: the new code cannot be written as {encoding}: {exc}"
            )
            continue
        text, data = new_text, new_data
        outcome.fixed.extend(chosen)
        applied.update(_key(f) for f in chosen)
        findings = list(check(data))
    else:
        pending = [
            f for f in findings if f.fix is not None and f.fix.safe and _key(f) not in dropped
        ]
        for finding in pending:
            outcome.problems.append(
                f"{_where(finding)} fix not applied: it overlaps other fixes still after {rounds} "
                "rounds"
            )
    outcome.after = data
    return outcome


def _apply_round(
    text: str, pending: Sequence[Finding], outcome: FileFix, dropped: set[tuple[str, str]]
) -> tuple[list[Finding], str]:
    """Apply every fix whose edits overlap no fix taken before it (identical edits are shared);
    the others wait for the next round. A round whose result would not parse is retried one
    fix at a time, and the fixes that break the parse are dropped."""
    offsets = Offsets(text)
    chosen: list[Finding] = []
    taken: dict[tuple[int, int, str], None] = {}
    ordered = sorted(pending, key=lambda f: (f.span.line, f.span.column, f.code))
    for finding in ordered:
        try:
            ranges = [(*offsets.range(e), e.text) for e in _edits(finding)]
        except ValueError as exc:
            dropped.add(_key(finding))
            outcome.problems.append(f"{_where(finding)} fix not applied: {exc}")
            continue
        if any(
            r not in taken and any(overlap(r[:2], t[:2]) or (r[:2] == t[:2]) for t in taken)
            for r in ranges
        ):
            continue
        for r in ranges:
            taken[r] = None
        chosen.append(finding)
    if not chosen:
        return [], text
    new_text = apply_ranges(text, taken)
    if parses(new_text, text):
        return chosen, new_text
    kept: list[Finding] = []
    current = text
    for finding in chosen:
        offsets = Offsets(current)
        try:
            candidate = apply_ranges(
                current, [(*offsets.range(e), e.text) for e in _edits(finding)]
            )
        except ValueError:
            candidate = None
        if candidate is not None and parses(candidate, current):
            kept.append(finding)
            current = candidate
            continue
        dropped.add(_key(finding))
        outcome.problems.append(
            f"{_where(finding)} fix not applied: the fixed code would not parse"
        )
    return kept, current


def write_atomic(path: str, data: bytes) -> None:
    """Replace the file's content in one step: a temporary file beside it, then ``os.replace``.

    A symbolic link is followed (the file it points to is written, the link stays a link) and
    the file keeps its permission bits.
    """
    target = os.path.realpath(path)
    folder = os.path.dirname(target) or "."
    mode = stat.S_IMODE(os.stat(target).st_mode)
    fd, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".contractlint", dir=folder
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
