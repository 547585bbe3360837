"""The findings at a call whose error comes from further down: at a call of a carrier, or of a
service found through the project's names. What each says, the path it names (``via``), the
service calls it comes from (``origins``) and the advice it gives.

The call's text is not at hand here (only the facts of its file are), so these findings carry
advice, never an automatic fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from contractlint.model import (
    CallGroup,
    Contract,
    Finding,
    Policy,
    Severity,
    new_finding,
)
from contractlint.model.budgets import Limits
from contractlint.model.project import Escape, handler_problems
from contractlint.propagation.calls import Site
from contractlint.propagation.guards import Judged
from contractlint.propagation.names import CHAIN, NAMES, short


@dataclass(frozen=True)
class At:
    """A call judged here, and what its findings are about."""

    site: Site
    contract: Contract
    group: CallGroup
    #: What is called: a carrier (``pkg.mod.fetch``) or the service (``requests.get``).
    callee: str
    #: The functions the error passes through after the callee, down to the service call.
    chain: tuple[str, ...] = ()
    #: Each error, and the service calls (path:line:column) it comes from.
    origins: Mapping[str, set[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{short(self.callee)}()"


def escape_findings(at: At, judged: Judged) -> list[Finding]:
    """The findings of errors that leave the project at this call: unguarded (CL001), or raised
    again by its handler (CL003 under fail-open, else CL001)."""
    contract, group, name = at.contract, at.group, at.name
    if judged.guard is None:
        errors = judged.escaping
        one = len(errors) == 1
        return [
            _finding(
                at,
                "CL001",
                (
                    f"{name} is not guarded: {contract.name} error {_names(errors)} "
                    f"{'escapes' if one else 'escape'} here{_via(at.chain)}, "
                    f"and nothing up the call chain "
                    f"handles {'it' if one else 'them'}; the contract says {group.policy.asks}"
                ),
                errors,
            )
        ]
    out = []
    reraised = [e for e in judged.reraised if e not in judged.uncaught]
    if reraised:
        handler = judged.covering[reraised[0]]
        code = "CL003" if group.policy == Policy.FAIL_OPEN else "CL001"
        what = (
            "but the contract says fail open: recover with a fallback"
            if code == "CL003"
            else ("and nothing up the call chain handles it")
        )
        out.append(
            _finding(
                at,
                code,
                (
                    f"{name}: the handler at line {handler.line} raises {contract.name} error "
                    f"{_names(reraised)} again{_via(at.chain)}, {what}"
                ),
                reraised,
                handler_line=handler.line,
            )
        )
    return out


def local_findings(at: At, judged: Judged) -> list[Finding]:
    """What is wrong with the handlers of a call whatever happens up the call chain
    (CL002–CL005)."""
    contract, name = at.contract, at.name
    out = []
    if judged.guard is not None and judged.uncaught:
        # A guard that catches some of the errors and misses others: a slip in that handler,
        # whatever happens to the rest further up (which is followed on).
        out.append(
            _finding(
                at,
                "CL002",
                (
                    f"{name} is guarded by the {judged.guard.keyword} at line {judged.guard.line}, "
                    f"but {contract.name} error {_names(judged.uncaught)} "
                    f"{'is' if len(judged.uncaught) == 1 else 'are'} not caught"
                    f"{_via(at.chain)}"
                ),
                judged.uncaught,
            )
        )
    for _guard, handler in judged.reached:
        what = "contextlib.suppress" if handler.suppress else "handler"
        where = f"the {what} at line {handler.line}"
        caught = [e for e, h in judged.covering.items() if h is handler]
        for code, severity, text in handler_problems(at.group, handler, caught):
            if code == "CL003" and at.group.policy == Policy.FAIL_OPEN and handler.reraises:
                continue  # raised again: it goes on up the chain (``escape_findings``)
            out.append(
                _finding(
                    at,
                    code,
                    f"{name}{_via(at.chain)}: {where} {text}",
                    caught,
                    handler_line=handler.line,
                    severity=severity,
                )
            )
    return out


def sentinel_finding(at: At, handler: str) -> Finding:
    """A call of a function whose fail-closed handler (at ``handler``, path:line) returns a value
    in place of raising, made by a caller that goes on without testing it (CL003)."""
    return _finding(
        at,
        "CL003",
        (
            f"{at.chain[0]}() returns a value in place of raising when {at.contract.name} fails "
            f"(the handler at {handler}), and this call goes on without testing it; the contract "
            f"says fail closed: test the result and raise"
        ),
        [""],
    )


def reraise_finding(path: str, escape: Escape, contract: Contract) -> Finding:
    """A service call under a policy that lets a handler raise (``any``) whose handler raises the
    error again, in a function nobody in the project calls: the error leaves the project."""
    group = contract.calls[escape.group - 1]
    return new_finding(
        "CL001",
        path,
        escape.span,
        (
            f"{escape.callee}(): the handler at line {escape.reraised_at} raises "
            f"{_names(escape.errors)} again, and nothing up the call chain handles "
            f"{'it' if len(escape.errors) == 1 else 'them'}; the contract says "
            f"{group.policy.asks}"
        ),
        contract=contract.name,
        callee=escape.callee,
        remediation=group.remediation or contract.remediation,
        scope="",
        handler_line=escape.reraised_at,
    )


def _finding(
    at: At,
    code: str,
    message: str,
    errors: Iterable[str],
    handler_line: int | None = None,
    severity: Severity | None = None,
) -> Finding:
    """A finding at ``at``; ``errors``: those it is about (their origins are named); ``severity``
    over the rule's own."""
    link = at.site.link
    where = tuple(sorted({o for e in errors for o in at.origins.get(e, ())}))
    return new_finding(
        code,
        at.site.path,
        link.span,
        message,
        severity,
        contract=at.contract.name,
        callee=at.callee,
        suggestion=_advice(code, at.group, at.chain),
        remediation=at.group.remediation or at.contract.remediation,
        scope=link.scope,
        statement_line=link.statement_line,
        handler_line=handler_line,
        via=at.chain,
        origins=where,
    )


def _advice(code: str, group: CallGroup, chain: tuple[str, ...]) -> str:
    """What to do at a call whose error comes from further down."""
    if code not in ("CL001", "CL002") or not chain:
        return ""
    caught = ", ".join(e.rsplit(".", 1)[-1] for e in group.raises)
    where = {
        Policy.FAIL_OPEN: f"and fall back to {group.fallback}"
        if group.fallback
        else "and fall back",
        Policy.FAIL_CLOSED: "and fail closed (raise your own error from it)",
        Policy.ANY: "and decide what the caller gets",
    }[group.policy]
    return (
        f"catch {caught} around this call {where}; or, if {chain[0]} should let it through, "
        f"declare it (a `Raises:` section in the docstring of this function, or `propagate` in "
        f"[tool.contractlint])"
    )


def _names(errors: Sequence[str]) -> str:
    return ", ".join(errors)


def _via(chain: tuple[str, ...]) -> str:
    return f" via {' -> '.join(chain)}" if chain else ""


def cut_finding(site: Site, name: str, limit: str, limits: Limits) -> Finding:
    """CL902 at a call whose resolution of ``name`` reached ``limit`` (``names.NAMES``...) of
    ``limits``: what it says was left out, and which setting bounds it."""
    shown = short(name)
    if limit == NAMES:
        what = (
            f"resolving {shown} looked at more than {limits.names:,} names "
            "(resolution-budget): what it may run past them was not followed"
        )
    elif limit == CHAIN:
        what = (
            f"{shown} leads through a chain of more than {limits.depth} names: "
            "what lies further down was not followed"
        )
    else:
        what = (
            f"{shown} may run more than {limits.targets:,} functions (resolution-targets): "
            f"those past the first {limits.targets:,} were not followed"
        )
    return new_finding(
        "CL902",
        site.path,
        site.link.span,
        f"the project-wide pass was cut short at this call: {what}; a service error that reaches "
        "this call through them is not reported",
        callee=name,
        scope=site.link.scope,
        statement_line=site.link.statement_line,
    )
