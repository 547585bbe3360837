"""Plain data shared by every layer: contracts, rules and findings."""

from contractlint.model.acceptance import REQUIRABLE, Acceptance, AcceptancePolicy
from contractlint.model.contract import (
    BROAD,
    BUILTIN_ALIASES,
    BUILTIN_EXCEPTIONS,
    POLICIES,
    CallGroup,
    Contract,
    ErrorHierarchy,
    canonical_name,
    glob_to_regex,
)
from contractlint.model.finding import CallSite, Edit, Finding, Fix, Span
from contractlint.model.report import STATES, Report, Risk
from contractlint.model.rules import (
    RULES,
    Rule,
    code_for,
    known_rule,
    new_finding,
    rule_by_code,
    select_codes,
)
from contractlint.model.vocabulary import InventoryState, Policy, Severity, State, Word

__all__ = [
    "Acceptance",
    "AcceptancePolicy",
    "REQUIRABLE",
    "BROAD",
    "BUILTIN_ALIASES",
    "BUILTIN_EXCEPTIONS",
    "POLICIES",
    "Policy",
    "RULES",
    "CallGroup",
    "CallSite",
    "Contract",
    "Edit",
    "ErrorHierarchy",
    "Finding",
    "InventoryState",
    "Fix",
    "Report",
    "Risk",
    "STATES",
    "Severity",
    "State",
    "Rule",
    "Span",
    "canonical_name",
    "code_for",
    "glob_to_regex",
    "new_finding",
    "known_rule",
    "rule_by_code",
    "select_codes",
    "Word",
]
