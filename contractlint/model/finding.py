"""Findings: what the analysis reports, as plain data every output reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from contractlint.model.vocabulary import Severity, State

if TYPE_CHECKING:
    from contractlint.model.acceptance import Acceptance


class Span(NamedTuple):
    """1-based line and column of the first character, and of the character after the last. A
    tuple: every call a file's facts hold has one, and each goes from a worker to the parent (a
    tuple is pickled and unpickled in about half the time of a dataclass)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text of ``span`` (end exclusive; an insertion has an empty span) with
    ``text``."""

    span: Span
    text: str


@dataclass(frozen=True)
class Fix:
    """A change that resolves a finding. Only safe fixes are applied by ``--fix``."""

    description: str
    edits: tuple[Edit, ...]
    safe: bool = True
    #: The change as a short unified-diff hunk against the file as checked, for people (no header).
    diff: str = ""


@dataclass(frozen=True)
class Finding:
    path: str
    span: Span
    code: str
    name: str
    severity: Severity
    message: str
    contract: str | None = None
    callee: str | None = None
    #: The recommended handling for this call site, as code to read (may be empty).
    suggestion: str = ""
    #: The contract's remediation sentence, shown under the finding.
    remediation: str | None = None
    #: Qualified name of the enclosing function or class (``StickerSender.send``); "" at module
    #: level.
    scope: str = ""
    #: First line of the statement that holds the call (where an acceptance comment may stand).
    statement_line: int | None = None
    #: Line of the handler at fault, for findings about a handler.
    handler_line: int | None = None
    fix: Fix | None = None
    #: The functions of the project the error comes through, outermost first, ending with the
    #: service call (``TalkService._check``, ``CapabilityClient.check``); empty for a direct call.
    via: tuple[str, ...] = ()
    #: ``path:line:column`` of the service calls the error comes from, when they are not this call.
    origins: tuple[str, ...] = ()
    #: Stable identity across unrelated edits (see ``contractlint.fingerprint``); set by the engine.
    fingerprint: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.span.line, self.span.column, self.code, self.message)


@dataclass(frozen=True)
class CallSite:
    """One call that a contract's call group matched, and whether it complies."""

    path: str
    span: Span
    contract: str
    group: int
    callee: str
    state: State
    #: The acceptance that covers a broken call (state "accepted").
    acceptance: Acceptance | None = None
    #: Enclosing function or class, as in ``Finding.scope``.
    scope: str = ""
    #: Its error leaves the function it is made in and is reported at a caller
    #: (``Finding.origins``).
    reported_up: bool = False
