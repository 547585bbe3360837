"""``# contractlint: accept …`` comments: read them, apply them, and report the ones that are wrong.

Syntax (users grep for it, so it is exact)::

    # contractlint: accept CL001[,CL004…] [until=YYYY-MM-DD] [owner=NAME] -- reason text
    # contractlint: accept-file CL001[,…] [until=…] [owner=…] -- reason text

A rule may be named instead of its code (``accept unguarded-call``), as with ``--select``.

An ``accept`` comment covers the statement it stands in (on any of its lines: a call spread over
several lines is one statement), or, alone on its line, the statement directly below it or below
the block of comments it is part of; the statement of a call, or the ``except`` line of a handler
at fault. ``accept-file`` stands in the file's header
(before the first statement) and covers the whole file. Comments are found with ``tokenize``,
so text that only looks like one inside a string is not taken for one.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tokenize
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Callable, NamedTuple

from contractlint.model import (
    Acceptance,
    AcceptancePolicy,
    CallSite,
    Finding,
    Span,
    State,
    code_for,
    known_rule,
    new_finding,
    rule_by_code,
)
from contractlint.tomlfile import date_problem, suggest

_MARK = re.compile(
    r"#\s*contractlint\s*:\s*(?P<kind>accept-file|accept)\b(?P<rest>.*)$", re.IGNORECASE
)
#: Any comment that means to be one, a missing colon included, so that a typo is reported rather
#: than ignored.
_ANY_MARK = re.compile(r"#\s*contractlint(?:\s*:|\s+accept)", re.IGNORECASE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_CODE = re.compile(r"CL\d{3}\Z")
#: Codes an acceptance may name: the findings about calls and files, not the ones about acceptances.
ACCEPTABLE = frozenset({"CL001", "CL002", "CL003", "CL004", "CL005", "CL006", "CL900"})


@dataclass
class Parsed:
    acceptances: list[Acceptance] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)


def _finding(
    path: str, line: int, column: int, code: str, message: str, end: int | None = None
) -> Finding:
    return new_finding(
        code, path, Span(line, column, line, end or column), message, statement_line=line
    )


class _Comment(NamedTuple):
    line: int
    column: int  # 0-based
    text: str
    alone: bool  # alone on its line
    header: bool  # before the first statement, the module docstring excepted
    #: The first and last line of the statement it stands in, or of the statement its block of
    #: comments stands directly above; None when it stands above no statement.
    statement: tuple[int, int] | None


def _comments(source: bytes) -> list[_Comment]:
    """Every comment of the file, with the statement it belongs to (``tokenize``'s logical lines:
    a call Black spread over several lines is one statement)."""
    try:
        tokens = list(tokenize.tokenize(io.BytesIO(source).readline))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError, ValueError):
        # A file tokenize cannot read is reported by the analysis (CL900); fall back to lines.
        return list(_comments_by_line(source))
    found: list[tuple[int, int, str, bool, bool, int | None]] = []
    statements: dict[int, int] = {}  # first line -> last line, for each statement
    header, docstring_seen, last_code_line = True, False, 0
    start: int | None = None  # the first line of the statement being read
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            alone = last_code_line != tok.start[0]
            found.append((tok.start[0], tok.start[1], tok.string, alone, header, start))
        elif tok.type == tokenize.NEWLINE:
            if start is not None:
                statements[start] = tok.start[0]
            start = None
        elif tok.type not in _LAYOUT:
            if start is None:
                start = tok.start[0]
            last_code_line = tok.end[0]
            if header and tok.type == tokenize.STRING and not docstring_seen:
                docstring_seen = True
            else:
                header = False
    # Lines that hold only a comment, between statements: a block of them stands above the next one.
    comment_lines = {line for line, _, _, alone, _, inside in found if alone and inside is None}
    out = []
    for line, column, text, alone, in_header, inside in found:
        statement: tuple[int, int] | None
        if inside is not None:
            statement = (inside, statements.get(inside, line))
        else:
            below = line + 1
            while below in comment_lines:
                below += 1
            statement = (below, statements[below]) if below in statements else None
        out.append(_Comment(line, column, text, alone, in_header, statement))
    return out


_LAYOUT = frozenset(
    {
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.ENCODING,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
)


def _comments_by_line(source: bytes) -> Iterator[_Comment]:
    """Without tokens, a comment alone on its line stands above the next line, another is on its
    own."""
    text = source.decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), 1):
        index = line.find("#")
        if index >= 0 and _ANY_MARK.match(line[index:]):
            alone = not line[:index].strip()
            below = number + 1 if alone else number
            yield _Comment(number, index, line[index:], alone, number <= 3, (below, below))


def parse(source: bytes, path: str) -> Parsed:
    """Every acceptance comment of a file, and a CL100 finding for each malformed one."""
    out = Parsed()
    if b"contractlint" not in source:
        return out
    for comment in _comments(source):
        line, column, text = comment.line, comment.column, comment.text
        if not _ANY_MARK.match(text):
            continue
        mark = _MARK.match(text)
        if mark is None:
            out.problems.append(
                _finding(
                    path,
                    line,
                    column + 1,
                    "CL100",
                    'unknown contractlint comment: expected "# contractlint: accept CODES ... -- '
                    'reason"',
                )
            )
            continue
        acceptance, problem = _parse_one(
            mark.group("kind").lower(), mark.group("rest"), path, comment
        )
        if problem:
            out.problems.append(_finding(path, line, column + 1, "CL100", problem))
        if acceptance is not None:
            out.acceptances.append(acceptance)
    return out


def _parse_one(kind: str, rest: str, path: str, comment: _Comment):
    head, sep, after = rest.partition("--")
    reason = after.strip() if sep else None
    codes: list[str] = []
    options: dict[str, str] = {}
    for token in re.split(r"[\s,]+", head.strip()):
        if not token:
            continue
        if "=" in token:
            key, _, value = token.partition("=")
            if key not in ("until", "owner"):
                return (
                    None,
                    f'unknown option "{key}=": an acceptance takes until=YYYY-MM-DD and owner=NAME',
                )
            if key in options:
                return None, f'"{key}=" is given twice'
            if not value:
                return None, f'"{key}=" has no value'
            options[key] = value
        elif _CODE.match(code_for(token).upper()):
            code = code_for(token).upper()
            if code not in ACCEPTABLE:
                known = rule_by_code(code)
                why = "is not a rule" if known is None else "cannot be accepted"
                return (
                    None,
                    f"{code} {why}; an acceptance names codes of findings about calls: "
                    f"{', '.join(sorted(ACCEPTABLE))}",
                )
            if code not in codes:
                codes.append(code)
        else:
            names = [known_rule(c).name for c in sorted(ACCEPTABLE)]
            return None, (
                f'"{token}" is not a rule code or name (like CL001 or unguarded-call) nor '
                f"until=/owner={suggest(token.lower(), names)}"
            )
    if not codes:
        return None, "names no rule code: write the codes it accepts, like `accept CL001,CL004`"
    until = None
    if "until" in options:
        # fromisoformat alone would also take 20270331 and 2027-W13-3 (Python 3.11+): the syntax is
        # exact.
        try:
            until = (
                dt.date.fromisoformat(options["until"]) if _DATE.match(options["until"]) else None
            )
        except ValueError:
            until = None
        if until is None:
            wrong = date_problem(options["until"]) if _DATE.match(options["until"]) else None
            return None, f"until={options['until']} is not a date " + (
                f"({wrong})" if wrong else "like 2027-03-31"
            )
    if kind == "accept-file" and not comment.header:
        return None, "accept-file must stand in the file's header, before the first statement"
    return Acceptance(
        path=path,
        line=comment.line,
        column=comment.column + 1,
        codes=tuple(codes),
        reason=reason or None,
        owner=options.get("owner"),
        until=until,
        file_level=kind == "accept-file",
        standalone=comment.alone,
        statement=None if kind == "accept-file" else comment.statement,
    ), None


def covers(acceptance: Acceptance, finding: Finding) -> bool:
    """Whether the acceptance names the finding's code and stands where the finding is: in the
    file's header, or in (or directly above) the statement that holds the call or the handler."""
    if finding.code not in acceptance.codes:
        return False
    if acceptance.file_level:
        return True
    if acceptance.statement is None:
        return False
    first, last = acceptance.statement
    return any(
        line is not None and first <= line <= last
        for line in (
            finding.span.line,
            finding.span.end_line,
            finding.statement_line,
            finding.handler_line,
        )
    )


#: The codes of a finding at a caller that an acceptance at the service call its error comes from
#: may accept, and the codes such an acceptance must name for each: the error let out unguarded
#: (CL001), or partly caught (CL002), both what ``accept CL001`` at the call accepts.
UPSTREAM = {"CL001": ("CL001",), "CL002": ("CL002", "CL001")}


def covers_line(acceptance: Acceptance, line: int) -> bool:
    """Whether the acceptance stands where a call on ``line`` is (its statement, or the file)."""
    if acceptance.file_level:
        return True
    return acceptance.statement is not None and (
        acceptance.statement[0] <= line <= acceptance.statement[1]
    )


@dataclass
class Upstream:
    """Findings at callers accepted where their error comes from (``accepted_upstream``)."""

    #: The findings that stay, by path.
    findings: dict[str, list[Finding]]
    #: By the path of a service call: each acceptance there (its index) and the findings it
    #: covers elsewhere, with the code it covers them by.
    used: dict[str, dict[int, list[tuple[str, Finding]]]]
    #: ``path:line:column`` of each service call whose error is reported nowhere now, and the
    #: acceptance that accepts it.
    accepted: dict[str, Acceptance]


def accepted_upstream(
    findings: dict[str, list[Finding]],
    marks: Callable[[str], Parsed | None],
    today: dt.date,
    selected: Callable[[str], frozenset[str]],
) -> Upstream:
    """An acceptance at a service call (the call's statement, or ``accept-file``) that names CL001
    accepts that call's error for every caller it reaches: a finding at a caller (CL001, CL002)
    whose every origin such an acceptance covers is not reported. ``marks``: the acceptances of a
    file (by its path as shown; None when it has none); ``selected``: the codes a file reports."""
    out = Upstream({}, {}, {})
    known: dict[tuple[str, str], tuple[str, int, Acceptance] | None] = {}
    covered: dict[str, Acceptance] = {}
    still: set[str] = set()

    def cover(origin: str, code: str) -> tuple[str, int, Acceptance] | None:
        """The acceptance (its file, index) at the service call ``origin`` that accepts ``code``."""
        if (origin, code) not in known:
            found = None
            place, _, _column = origin.rpartition(":")
            path, _, line = place.rpartition(":")
            parsed = marks(path) if path and line.isdigit() else None
            for i, acceptance in enumerate(parsed.acceptances if parsed is not None else ()):
                if any(c in acceptance.codes for c in UPSTREAM[code]) and covers_line(
                    acceptance, int(line)
                ):
                    found = (path, i, acceptance)
                    break
            known[(origin, code)] = found
        return known[(origin, code)]

    for path, items in findings.items():
        kept = out.findings[path] = []
        for finding in items:
            eligible = (
                finding.origins and finding.code in UPSTREAM and finding.code in selected(path)
            )
            found = [cover(o, finding.code) for o in finding.origins] if eligible else []
            covers = [f for f in found if f is not None]
            for where, i, acceptance in covers:
                # used, even when another origin keeps the finding: it is not stale
                code = next(c for c in UPSTREAM[finding.code] if c in acceptance.codes)
                out.used.setdefault(where, {}).setdefault(i, []).append((code, finding))
            if not found or len(covers) < len(found):
                kept.append(finding)
                still.update(finding.origins)
                continue
            if any(acceptance.expired(today) for _, _, acceptance in covers):
                kept.append(
                    finding
                )  # an expired acceptance covers nothing: CL101 asks for a review
                still.update(finding.origins)
                continue
            for origin, (_, _, acceptance) in zip(finding.origins, covers):
                covered.setdefault(origin, acceptance)
    out.accepted = {o: a for o, a in covered.items() if o not in still}
    return out


@dataclass
class Applied:
    findings: list[Finding]
    calls: list[CallSite]
    #: Each acceptance and the findings it covers.
    used: dict[int, list[Finding]]


def apply(
    parsed: Parsed,
    findings: Sequence[Finding],
    calls: Sequence[CallSite],
    today: dt.date,
    selected: set[str],
    policy: AcceptancePolicy | None = None,
    upstream: Mapping[int, Sequence[tuple[str, Finding]]] | None = None,
    accepted: Mapping[str, Acceptance] | None = None,
) -> Applied:
    """Drop the findings that a valid acceptance covers; add CL101–CL104 for the acceptances
    themselves.

    An expired acceptance covers nothing; one without a reason (CL102) or outside the
    configuration's ``policy`` (CL104) still covers, and fails the run. ``upstream``: for an
    acceptance (by its index), the findings at callers elsewhere it covers, and the code it covers
    them by; it is used as if they were here. ``accepted``: service calls (``path:line:column``)
    whose error an acceptance here accepts for every caller (``accepted_upstream``).
    """
    kept: list[Finding] = []
    used: dict[int, list[Finding]] = {i: [] for i in range(len(parsed.acceptances))}
    named: dict[int, set[str]] = {i: set() for i in range(len(parsed.acceptances))}
    for i, items in (upstream or {}).items():
        for code, finding in items:
            used[i].append(finding)
            named[i].add(code)
    accepted_at: dict[tuple[Span, str | None], Acceptance] = {}
    for finding in findings:
        cover = None
        for i, acceptance in enumerate(parsed.acceptances):
            if covers(acceptance, finding):
                used[i].append(finding)
                named[i].add(finding.code)
                if not acceptance.expired(today):
                    cover = acceptance
                    break
        if cover is None:
            kept.append(finding)
        else:
            accepted_at.setdefault((finding.span, finding.contract), cover)
    extra: list[Finding] = list(parsed.problems)
    for i, acceptance in enumerate(parsed.acceptances):
        codes = ",".join(acceptance.codes)
        unused = [c for c in acceptance.codes if c in selected and c not in named[i]]
        # An expired acceptance that still names a reported finding asks for a review (CL101); one
        # whose findings are all gone is simply stale (CL103), whatever its date.
        if acceptance.expired(today) and len(unused) < len(
            [c for c in acceptance.codes if c in selected]
        ):
            extra.append(
                _finding(
                    acceptance.path,
                    acceptance.line,
                    acceptance.column,
                    "CL101",
                    f"the acceptance of {codes} expired on {acceptance.until}"
                    f"{' (owner ' + acceptance.owner + ')' if acceptance.owner else ''}: "
                    "look at the risk again, then renew the date or handle the failure",
                )
            )
        if not acceptance.reason:
            extra.append(
                _finding(
                    acceptance.path,
                    acceptance.line,
                    acceptance.column,
                    "CL102",
                    f"the acceptance of {codes} gives no reason: write why the risk is accepted "
                    "after `--`",
                )
            )
        breaches = policy.breaches(acceptance, today) if policy is not None else []
        if breaches:
            extra.append(
                _finding(
                    acceptance.path,
                    acceptance.line,
                    acceptance.column,
                    "CL104",
                    f"the acceptance of {codes} is outside the acceptance policy: "
                    f"{'; '.join(breaches)}",
                )
            )
        if unused:
            where = "in this file" if acceptance.file_level else "here"
            extra.append(
                _finding(
                    acceptance.path,
                    acceptance.line,
                    acceptance.column,
                    "CL103",
                    f"the acceptance of {','.join(unused)} accepts nothing: no "
                    f"{'/'.join(unused)} finding is reported {where}; remove it",
                )
            )
    out_calls = []
    broken_left = {(f.span, f.contract) for f in kept}
    for call in calls:
        if call.state == State.BROKEN and call.reported_up and accepted:
            origin = accepted.get(f"{call.path}:{call.span.line}:{call.span.column}")
            if origin is not None:
                call = replace(call, state=State.ACCEPTED, acceptance=origin, reported_up=False)
        if (
            call.state == State.BROKEN
            and not call.reported_up
            and (call.span, call.contract) not in broken_left
        ):
            given = accepted_at.get((call.span, call.contract))
            call = replace(call, state=State.ACCEPTED if given else State.KEPT, acceptance=given)
        out_calls.append(call)
    return Applied(
        findings=kept + [f for f in extra if f.code in selected], calls=out_calls, used=used
    )
