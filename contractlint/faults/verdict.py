"""Whether a test run under an injected error did what the call group's policy asks.

What the test itself asserts is about the healthy path; under a fault the question is another one:
did the code degrade (``fail-open``), did it refuse (``fail-closed``), did it at least catch the
error (``any``)? So the verdict reads what escaped from the test, and how it relates to the errors
that were injected: the very instance (it escaped), an error raised from it (``raise X from exc``,
or raised while handling it), or something unrelated (a crash of another type, or the test's own
assertion failing on the degraded result, which is not the code's fault).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

from contractlint.faults.inject import Call, Site
from contractlint.model import Policy

ESCAPED = "escaped"
DERIVED = "raised from it"
DURING = "raised while handling it"
UNRELATED = "unrelated"


@dataclass(frozen=True)
class Verdict:
    ok: bool
    #: One or two words for the summary: "degraded", "failed closed", "escaped", "crashed",
    #: "swallowed", ...
    word: str
    #: One line for a person: what was injected where, what came out, what the contract asks.
    message: str
    #: The injected call the verdict is about (the one that escaped, else the first).
    call: Call | None = None


def relation(raised: BaseException, injected: Sequence[Call]) -> tuple[str, Call | None]:
    """How ``raised`` relates to the injected errors.

    ESCAPED: it is one of them (or an exception group carries one). DERIVED: one is reached through
    ``raise ... from`` links alone, the way a handler says "this failure is that one". DURING: only
    through an implicit ``__context__``, which Python sets for any exception raised while handling
    another, a ``KeyError`` in a broken handler as much as a deliberate ``raise``: a crash, not a
    refusal.
    """
    by_id = {id(c.error): c for c in injected if c.error is not None}
    if id(raised) in by_id:
        return ESCAPED, by_id[id(raised)]
    for member in (
        getattr(raised, "exceptions", None) or ()
    ):  # asyncio.TaskGroup: it escaped all the same
        if id(member) in by_id:
            return ESCAPED, by_id[id(member)]
    best: tuple[str, Call | None] = (UNRELATED, None)
    seen = {id(raised)}
    stack: list[tuple[BaseException, bool]] = [(raised, True)]
    while stack:
        current, explicit = stack.pop()
        links = [(current.__cause__, explicit)]
        if not current.__suppress_context__:
            links.append((current.__context__, False))
        links.extend((member, explicit) for member in getattr(current, "exceptions", None) or ())
        for nxt, still_explicit in links:
            if not isinstance(nxt, BaseException):
                continue
            if id(nxt) in by_id:
                if still_explicit:
                    return DERIVED, by_id[id(nxt)]
                best = (DURING, by_id[id(nxt)])
                continue
            if id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append((nxt, still_explicit))
    return best


def judge(
    policy: str,
    raised: BaseException | None,
    injected: Sequence[Call],
    own_failure: bool = False,
    fallback: str | None = None,
    show: Callable[[Site], str] = str,
) -> Verdict:
    """The verdict for one run of one test with one error injected.

    ``own_failure``: ``raised`` came from the test's own code (an ``assert`` on the result, a
    ``pytest.fail``), so it says the degraded result differs from the healthy one, not that the code
    crashed.
    """
    injected = [c for c in injected if c.error is not None]
    if not injected:
        return Verdict(
            True,
            "not exercised",
            "no call of the target was reached in this run, so nothing was injected",
        )
    first = injected[0]

    def where(call: Call) -> str:
        scope = (
            f" ({call.site.function})"
            if call.site.function and not call.site.function.startswith("<")
            else ""
        )
        return (
            f"{call.error_name} injected into the call to {call.target.qualname} at "
            f"{show(call.site)}{scope}"
        )

    times = f" ({len(injected)} calls raised it)" if len(injected) > 1 else ""
    kind, related = (UNRELATED, None) if raised is None else relation(raised, injected)
    # the injected call the error relates to; unrelated, the first (the branches below say
    # ``first``)
    call = related if related is not None else first
    name = type(raised).__name__ if raised is not None else ""

    if kind == DURING:
        advice = (
            "the contract says fail closed: raise from the error (raise X from exc)"
            if policy == Policy.FAIL_CLOSED
            else recover_advice(policy, fallback)
        )
        return Verdict(
            False, "crashed", f"{name} was raised while handling {where(call)}; {advice}", call
        )
    if policy == Policy.FAIL_CLOSED:
        if kind in (ESCAPED, DERIVED):
            what = "it propagated" if kind == ESCAPED else f"{name} was raised from it"
            return Verdict(True, "failed closed", f"failed closed: {where(call)}: {what}", call)
        if raised is None:
            return Verdict(
                False,
                "swallowed",
                f"{where(first)} was swallowed and the test went on{times}; "
                "the contract says fail closed: let it propagate, or raise from it",
                first,
            )
        if own_failure:
            return Verdict(
                False,
                "swallowed",
                f"{where(first)} was swallowed{times}, then the test failed with "
                f"{name}; the contract says fail closed: let it propagate, or raise from it",
                first,
            )
        return Verdict(
            False,
            "crashed",
            f"{name}, neither {first.error_name} nor an error raised from it, came out "
            f"after {where(first)}; the contract says fail closed: raise from the error",
            first,
        )

    recover = recover_advice(policy, fallback)
    if kind == ESCAPED:
        return Verdict(False, "escaped", f"{where(call)} escaped; {recover}", call)
    if kind == DERIVED and policy == Policy.FAIL_OPEN:
        return Verdict(
            False,
            "raised from it",
            f"{name} was raised from {where(call)}; {recover}, instead of raising",
            call,
        )
    if kind == DERIVED:
        return Verdict(True, "failed closed", f"caught: {name} was raised from {where(call)}", call)
    if raised is None:
        return Verdict(True, "degraded", f"degraded: {where(first)} did not escape{times}", first)
    if own_failure:
        return Verdict(
            True,
            "degraded",
            f"degraded: {where(first)} did not escape{times}; the test's own check "
            f"then failed on the degraded result ({name}), which is the test's business",
            first,
        )
    return Verdict(
        False,
        "crashed",
        f"{name} after {where(first)}{times}: the code did not degrade, it crashed; {recover}",
        first,
    )


def recover_advice(policy: str, fallback: str | None) -> str:
    if policy != Policy.FAIL_OPEN:
        return 'the contract (policy "any") says catch it'
    return "the contract says fail open: catch it and recover" + (
        f" with {fallback}" if fallback else ""
    )
