"""The rules at work: a rule found by its code or name, the one factory of findings from a rule
(``new_finding``), and the codes a run selects. The rules themselves are the catalogue's
(``contractlint.model.catalogue``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from contractlint.model.catalogue import FIXES, RULES, Rule
from contractlint.model.finding import Finding, Span
from contractlint.model.vocabulary import Severity

__all__ = [
    "FIXES",
    "RULES",
    "Rule",
    "code_for",
    "known_rule",
    "new_finding",
    "rule_by_code",
    "select_codes",
]


_BY_CODE = {rule.code: rule for rule in RULES}
_BY_NAME = {rule.name: rule for rule in RULES}


def rule_by_code(code_or_name: str) -> Rule | None:
    key = code_or_name.strip()
    return _BY_CODE.get(key.upper()) or _BY_NAME.get(key.lower())


def known_rule(code: str) -> Rule:
    """The rule of the catalogue's ``code`` (a code of ours, not a user's spelling)."""
    return _BY_CODE[code]


def new_finding(
    code: str,
    path: str,
    span: Span,
    message: str,
    severity: Severity | None = None,
    **fields: Any,
) -> Finding:
    """A finding of the rule ``code``: its name and its severity come from the catalogue (a
    ``severity`` given overrides the rule's default); ``fields`` are the other fields of
    ``Finding``. The one way every layer makes a finding."""
    rule = known_rule(code)
    return Finding(
        path=path,
        span=span,
        code=code,
        name=rule.name,
        severity=severity or rule.severity,
        message=message,
        **fields,
    )


def code_for(word: str) -> str:
    """A rule's name (``unguarded-call``) as its code (``CL001``); any other word as it is (a code,
    a prefix, ``ALL``, or a mistake for the caller to report). Names work wherever codes do."""
    rule = _BY_NAME.get(word.strip().lower())
    return rule.code if rule is not None else word


def select_codes(select: Iterable[str], ignore: Iterable[str]) -> frozenset[str]:
    """Codes in force: ruff-style prefixes (``CL00`` selects CL001..CL009; ``ALL`` selects all), or
    rule names."""
    select = [code_for(p) for p in select] or ["ALL"]
    ignore = [code_for(p) for p in ignore]

    def hits(prefixes: Iterable[str], code: str) -> bool:
        return any(p == "ALL" or code.startswith(p.upper()) for p in prefixes)

    return frozenset(r.code for r in RULES if hits(select, r.code) and not hits(ignore, r.code))
