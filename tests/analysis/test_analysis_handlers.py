"""What a handler does with the error: the rules CL003 (policy-violation), CL004 (silent-handler),
CL005 (overbroad-handler) and CL006 (unbound-fallback).

Every snippet is a small Python file; findings are compared by (code, line, column), the
position of the call expression (1-based), so a finding at the wrong place fails too.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from analysing import GRANT, IMPORTS, analyse, block, calls, found, make_index, only

# ---------------------------------------------------------------------------------------------
# CL003 policy-violation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "handler",
    [
        "raise",
        "raise RuntimeError('down') from exc",
        "log.warning('down')\nraise",
        "if user:\n    raise ValueError(user)\nreturn Capability.static_only()",
        "try:\n    log.warning('down')\nexcept KeyError:\n    raise",
    ],
)
def test_fail_open_handler_that_raises(handler):
    code = IMPORTS + dedent("""\
        import logging
        log = logging.getLogger(__name__)
        def f(client: CapabilityClient, user):
            try:
                return client.check(user)
            except CapabilityError as exc:
                {handler}
        """).format(handler=block(handler, 8))
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL003", 6, 16)
    assert "handler at line 7 raises" in finding.message
    assert "fail open" in finding.message


def test_fail_open_handler_with_a_raise_in_a_nested_function_is_fine():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user, later):
            try:
                return client.check(user)
            except CapabilityError:
                def complain():
                    raise RuntimeError("down")
                later(complain)
                return Capability.static_only()
        """)
    assert found(code) == []


@pytest.mark.parametrize(
    "handler",
    [
        "raise PurchaseFailed(user) from exc",
        "raise",
        "log.error('down')\nraise",
        "sys.exit(1)",
        "if user.vip:\n    raise PurchaseFailed('vip')\nelse:\n    raise PurchaseFailed('user')",
        "if user.vip:\n    raise PurchaseFailed('vip')\nelif user.new:\n"
        "    raise\nelse:\n    sys.exit(1)",
        "for attempt in range(3):\n    if attempt:\n        break\nraise PurchaseFailed(user)",
        "try:\n    log.error('down')\nfinally:\n    raise PurchaseFailed(user)",
        "with lock:\n    raise PurchaseFailed(user)",
        "match user.kind:\n    case 'vip':\n        raise PurchaseFailed('vip')\n"
        "    case _:\n        raise PurchaseFailed('user')",
    ],
)
def test_fail_closed_handler_that_always_raises(handler):
    code = IMPORTS + dedent("""\
        import logging, sys
        log = logging.getLogger(__name__)
        class PurchaseFailed(Exception):
            pass
        def buy(client: CapabilityClient, user, sticker, lock):
            try:
                client.grant(user, sticker)
            except CapabilityError as exc:
                {handler}
        """).format(handler=block(handler, 8))
    assert found(code) == []
    assert calls(code) == [(GRANT, 8, 9, "kept")]


@pytest.mark.parametrize(
    "handler",
    [
        "log.error('down')",
        "pass",
        "return False",
        "if user.vip:\n    raise PurchaseFailed('vip')",
        "if user.vip:\n    raise PurchaseFailed('vip')\nelse:\n    log.error('down')",
        "if user.vip:\n    return None\nraise PurchaseFailed('user')",
        "for _ in range(3):\n    raise PurchaseFailed(user)",
        "try:\n    raise PurchaseFailed(user)\nexcept PurchaseFailed:\n    log.error('down')",
    ],
)
def test_fail_closed_handler_that_can_finish(handler):
    code = IMPORTS + dedent("""\
        import logging
        log = logging.getLogger(__name__)
        class PurchaseFailed(Exception):
            pass
        def buy(client: CapabilityClient, user, sticker):
            try:
                client.grant(user, sticker)
            except CapabilityError as exc:
                {handler}
            return True
        """).format(handler=block(handler, 8))
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL003", 8, 9)
    assert "handler at line 9 can finish without raising" in finding.message
    assert "fail closed" in finding.message


def test_fail_closed_overbroad_handler_under_broad_deny_is_an_error():
    code = IMPORTS + dedent("""\
        def buy(client: CapabilityClient, user):
            try:
                client.grant(user)
            except Exception:
                return False
        """)
    result = analyse(code)
    assert sorted((f.code, f.severity, f.span.line, f.span.column) for f in result.findings) == [
        ("CL003", "error", 4, 9),
        ("CL005", "error", 4, 9),
    ]


def test_fail_closed_bare_except_that_reraises_is_fine():
    code = IMPORTS + dedent("""\
        def buy(client: CapabilityClient, user, log):
            try:
                client.grant(user)
            except:
                log.error("purchase failed")
                raise
        """)
    assert found(code) == []


def test_policy_any_allows_raising():
    index = make_index(policy="any")
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                return client.check(user)
            except CapabilityError as exc:
                raise LookupError(user) from exc
        """)
    assert found(code, index) == []


# ---------------------------------------------------------------------------------------------
# CL004 silent-handler
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["pass", "...", "continue", "break", "pass\ncontinue"])
def test_silent_handler(body):
    code = IMPORTS + dedent("""\
        def warm(client: CapabilityClient, user, stickers):
            for sticker in stickers:
                try:
                    client.check(user, sticker)
                except CapabilityError:
                    {body}
        """).format(body=block(body, 12))
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL004", 5, 13)
    assert "handler at line 6 swallows" in finding.message


@pytest.mark.parametrize(
    "body",
    [
        "log.warning('down')",
        "metrics.incr('capability.down')\ncontinue",
        "cached[sticker] = Capability.static_only()",
        "return None",
    ],
)
def test_handler_that_does_something_is_not_silent(body):
    code = IMPORTS + dedent("""\
        import logging
        log = logging.getLogger(__name__)
        def warm(client: CapabilityClient, user, stickers, metrics, cached):
            for sticker in stickers:
                try:
                    client.check(user, sticker)
                except CapabilityError:
                    {body}
        """).format(body=block(body, 12))
    assert found(code) == []


RETRY = IMPORTS + dedent("""\
    def f(client: CapabilityClient, user):
        {loop}
            {before}try:
                {call}
            except CapabilityError:
                {handler}
            {rest}
        {after}
    """)


RETRY_PARTS = {
    "loop": "for attempt in range(3):",
    "before": "",
    "call": "return client.check(user)",
    "handler": "continue",
    "rest": "",
    "after": "return Capability.static_only()",
}


def retry(**parts: str) -> str:
    """A loop around a guarded call (line 5), the handler at line 6: ``RETRY_PARTS``
    but ``parts``."""
    return RETRY.format(**{**RETRY_PARTS, **parts})


@pytest.mark.parametrize(
    "code",
    [
        retry(),
        retry(loop="while attempts < 3:", before="attempts += 1\n        "),
        retry(after="logging.warning('gave up')\n    return None"),
        # success leaves through break; the loop's else (every attempt failed) binds the name
        retry(
            call="cap = client.check(user)\n            break",
            after="else:\n        cap = None\n    return cap",
        ),
        retry(
            call="cap = client.check(user)",
            rest="break",
            after="else:\n        cap = None\n    return cap",
        ),
        retry(
            call="cap = client.check(user)\n            break",
            after="cap = Capability.static_only()\n    return cap",
        ),
        retry(handler="pass\n            continue"),
    ],
    ids=[
        "return",
        "while",
        "log-then-return",
        "break-else",
        "break-after-try",
        "assign-after",
        "pass-continue",
    ],
)
def test_a_retry_loop_that_falls_back_after_the_loop_is_not_silent(code):
    """``continue`` tries again; once every attempt failed, the code after the loop falls back."""
    assert found(code) == []


@pytest.mark.parametrize(
    "code",
    [
        retry(after=""),  # nothing after the loop: the error is swallowed
        retry(
            after="raise LookupError(user)"
        ),  # no fallback (a raise under fail-open: not a recovery)
        retry(after="print('gave up')"),
        retry(handler="break"),  # gives up at once: no retry
        retry(handler="pass"),
        retry(
            loop="while True:",
            call="cap = client.check(user)\n            break",
            after="return cap",
        ),
        # a loop over items that skips the failed ones: success goes round too
        retry(loop="for user in [user]:", call="client.check(user)", after="return None"),
        retry(call="cap = client.check(user)", after="return cap"),
    ],
    ids=["nothing", "raise", "no-return", "break", "pass", "while-true", "items", "success-stays"],
)
def test_a_loop_whose_handler_only_continues_without_a_fallback_is_silent(code):
    assert [(rule, line) for rule, line, _ in found(code)] == [("CL004", 5)]


def test_silent_handler_under_policy_any():
    index = make_index(policy="any")
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                client.check(user)
            except CapabilityError:
                pass
        """)
    assert found(code, index) == [("CL004", 4, 9)]


def test_silent_handler_under_fail_closed_is_a_policy_violation():
    code = IMPORTS + dedent("""\
        def buy(client: CapabilityClient, user):
            try:
                client.grant(user)
            except CapabilityError:
                pass
        """)
    assert found(code) == [("CL003", 4, 9)]


# ---------------------------------------------------------------------------------------------
# CL005 overbroad-handler
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clause, severity, words",
    [
        ("except:", "error", "bare `except:`"),
        ("except BaseException:", "error", "catches BaseException"),
        ("except builtins.BaseException:", "error", "catches BaseException"),
        ("except Exception:", "warning", "catches Exception"),
        ("except (CapabilityError, Exception):", "warning", "catches Exception"),
    ],
)
def test_overbroad_handler(clause, severity, words):
    code = IMPORTS + dedent("""\
        import builtins
        def f(client: CapabilityClient, user):
            try:
                return client.check(user)
            {clause}
                return Capability.static_only()
        """).format(clause=clause)
    finding = only(code)
    assert (finding.code, finding.severity, finding.span.line, finding.span.column) == (
        "CL005",
        severity,
        5,
        16,
    )
    assert (
        f"handler at line 6 {words}" in finding.message or f"line 6 is a {words}" in finding.message
    )


@pytest.mark.parametrize(
    "broad, expected",
    [("allow", []), ("warn", [("CL005", "warning")]), ("deny", [("CL005", "error")])],
)
def test_except_exception_follows_broad(broad, expected):
    index = make_index(broad=broad)
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                return client.check(user)
            except Exception:
                return Capability.static_only()
        """)
    assert [(f.code, f.severity) for f in analyse(code, index).findings] == expected


def test_precise_clause_is_not_overbroad():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                return client.check(user)
            except CapabilityError:
                return Capability.static_only()
            except Exception:
                return None
        """)
    assert found(code) == []


def test_bare_except_and_silent():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                client.check(user)
            except:
                pass
        """)
    assert found(code) == [("CL004", 4, 9), ("CL005", 4, 9)]


# ---------------------------------------------------------------------------------------------
# CL006 unbound-fallback
# ---------------------------------------------------------------------------------------------


def test_unbound_fallback():
    code = IMPORTS + dedent("""\
        import logging
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except CapabilityError:
                logging.warning("down")
            return cap.animated
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL006", 5, 15)
    assert "`cap` is read after the try at line 4" in finding.message
    assert "handler at line 6" in finding.message
    assert "UnboundLocalError" in finding.message


def test_unbound_fallback_at_module_level_is_a_name_error():
    code = IMPORTS + dedent("""\
        import logging
        CLIENT = CapabilityClient()
        try:
            CAP = CLIENT.check("boot")
        except CapabilityError:
            logging.warning("down")
        print(CAP)
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL006", 5, 11)
    assert "NameError" in finding.message


def test_unbound_fallback_in_a_class_body_is_a_name_error():
    code = IMPORTS + dedent("""\
        import logging
        CLIENT = CapabilityClient()
        class Settings:
            try:
                cap = CLIENT.check("boot")
            except CapabilityError:
                logging.warning("down")
            animated = cap.animated
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL006", 6, 15)
    assert "NameError" in finding.message and "UnboundLocalError" not in finding.message


def test_unbound_fallback_annotated_and_awaited():
    code = IMPORTS + dedent("""\
        import logging
        async def f(client: CapabilityClient, user):
            try:
                cap: Capability = await client.check_async(user)
            except CapabilityError:
                logging.warning("down")
            return cap
        """)
    assert found(code) == [("CL006", 5, 33)]


def test_unbound_fallback_read_after_an_enclosing_block_or_in_finally():
    code = IMPORTS + dedent("""\
        import logging
        def f(client: CapabilityClient, user, fresh):
            if fresh:
                try:
                    cap = client.check(user)
                except CapabilityError:
                    logging.warning("down")
            return cap
        def g(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except CapabilityError:
                logging.warning("down")
            finally:
                print(cap)
        """)
    assert found(code) == [("CL006", 6, 19), ("CL006", 12, 15)]


@pytest.mark.parametrize(
    "before, handler, after",
    [
        # bound before the try
        ("cap = Capability.static_only()", "logging.warning('down')", "return cap"),
        # the handler leaves
        ("", "logging.warning('down')\nreturn Capability.static_only()", "return cap"),
        ("", "logging.warning('down')\nreturn", "return cap"),
        ("", "logging.error('down')\nsys.exit(1)", "return cap"),
        # the handler rebinds it
        ("", "logging.warning('down')\ncap = Capability.static_only()", "return cap"),
        ("", "cap = None", "return cap"),
        # not read after the try
        ("", "logging.warning('down')", "return None"),
        ("", "logging.warning('down')", "return user.cap"),
        ("", "logging.warning('down')", "return render(user, cap=None)"),
        ("", "logging.warning('down')", "cap = None"),
        ("", "logging.warning('down')", "cap, other = None, None"),
        ("", "logging.warning('down')", "for cap in user.caps:\n        pass"),
    ],
)
def test_no_unbound_fallback(before, handler, after):
    code = IMPORTS + dedent("""\
        import logging, sys
        def f(client: CapabilityClient, user, render):
            {before}
            try:
                cap = client.check(user)
            except CapabilityError:
                {handler}
            {after}
        """).format(before=before or "pass", handler=block(handler, 8), after=after)
    assert found(code) == []


def test_unbound_fallback_after_a_retry_loop():
    code = IMPORTS + dedent("""\
        import logging
        def f(client: CapabilityClient, user):
            for attempt in range(3):
                try:
                    cap = client.check(user)
                except CapabilityError:
                    logging.warning("attempt %d failed", attempt)
                else:
                    break
            return cap
        """)
    assert found(code) == [("CL006", 6, 19)]


def test_no_unbound_fallback_for_a_parameter_or_in_the_else_clause():
    code = IMPORTS + dedent("""\
        import logging
        def f(client: CapabilityClient, user, cap=None):
            try:
                cap = client.check(user)
            except CapabilityError:
                logging.warning("down")
            return cap
        def g(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except CapabilityError:
                logging.warning("down")
            else:
                return cap
            return None
        """)
    assert found(code) == []


def test_no_unbound_fallback_in_a_loop_that_continues():
    code = IMPORTS + dedent("""\
        import logging
        def f(client: CapabilityClient, user, stickers):
            out = []
            for sticker in stickers:
                try:
                    cap = client.check(user, sticker)
                except CapabilityError:
                    logging.warning("down")
                    continue
                out.append(cap)
            return out
        """)
    assert found(code) == []


def test_unbound_fallback_under_policy_any_but_not_fail_closed():
    code = IMPORTS + dedent("""\
        import logging
        def f(client: CapabilityClient, user):
            try:
                ok = client.check(user)
            except CapabilityError:
                logging.warning("down")
            return ok
        """)
    assert found(code, make_index(policy="any")) == [("CL006", 5, 14)]
    assert [c for c, _, _ in found(code, make_index(policy="fail-closed"))] == ["CL003"]


def test_unbound_fallback_with_a_raising_handler_is_only_a_policy_violation():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except CapabilityError:
                raise
            return cap
        """)
    assert found(code) == [("CL003", 4, 15)]
