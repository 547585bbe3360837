"""What guards a service call: the ``try`` around it and its boundaries, ``except`` clauses (tuples,
aliases, bases, ``except*``), ``contextlib.suppress``, approved wrappers and decorators.

Every snippet is a small Python file; findings are compared by (code, line, column), the
position of the call expression (1-based), so a finding at the wrong place fails too.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from analysing import CHECK, ERROR, GRANT, IMPORTS, analyse, calls, found, make_index, only

# ---------------------------------------------------------------------------------------------
# Guards and boundaries
# ---------------------------------------------------------------------------------------------


def test_guarded_call_keeps_its_contract():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except CapabilityError:
                cap = Capability.static_only()
            return cap
        """)
    assert found(code) == []
    assert calls(code) == [(CHECK, 4, 15, "kept")]


def test_try_around_a_def_does_not_guard_the_call_inside():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                def later():
                    return client.check(user)
            except CapabilityError:
                return Capability.static_only()
            return later
        """)
    assert found(code) == [("CL001", 5, 20)]


def test_try_around_a_lambda_does_not_guard_the_call_inside():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                later = lambda: client.check(user)
            except CapabilityError:
                later = None
            return later
        """)
    assert found(code) == [("CL001", 4, 25)]


def test_try_around_a_class_does_not_guard_its_body():
    code = IMPORTS + dedent("""\
        CLIENT = CapabilityClient()
        try:
            class Settings:
                cap = CLIENT.check("boot")
        except CapabilityError:
            Settings = None
        """)
    assert found(code) == [("CL001", 5, 15)]


def test_try_inside_the_nested_function_guards_it():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            def later():
                try:
                    return client.check(user)
                except CapabilityError:
                    return Capability.static_only()
            return later
        """)
    assert found(code) == []


def test_defaults_and_decorators_run_where_the_def_is():
    code = IMPORTS + dedent("""\
        import functools
        CLIENT = CapabilityClient()
        try:
            def f(cap=CLIENT.check("boot")):
                return cap
            @functools.lru_cache(CLIENT.check_size("boot"))
            def g():
                return None
        except CapabilityError:
            f = g = None
        """)
    assert found(code) == []
    assert [c[3] for c in calls(code)] == ["kept", "kept"]


def test_comprehension_is_not_a_boundary():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, users):
            try:
                return [client.check(user) for user in users]
            except CapabilityError:
                return [Capability.static_only() for user in users]
        """)
    assert found(code) == []


def test_calls_in_handler_else_and_finally_are_not_guarded_by_that_try():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user, log):
            try:
                log.info("start")
            except CapabilityError:
                client.check(user)
            else:
                client.check_expiry(user)
            finally:
                client.check(user)
        """)
    assert found(code) == [("CL001", 6, 9), ("CL001", 8, 9), ("CL001", 10, 9)]


def test_outer_try_guards_nested_blocks():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, users):
            try:
                for user in users:
                    if user:
                        with open("x") as fh:
                            while True:
                                client.check(user)
            except CapabilityError:
                return Capability.static_only()
        """)
    assert found(code) == []


def test_unrelated_handler_is_unguarded():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                return client.check(user)
            except (ValueError, KeyError):
                return Capability.static_only()
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL001", 4, 16)
    assert ERROR in finding.message and "fail open" in finding.message


def test_grant_unguarded_message_says_fail_closed():
    code = IMPORTS + dedent("""\
        def buy(client: CapabilityClient, user, sticker):
            client.grant(user, sticker)
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL001", 3, 5)
    assert "fail closed" in finding.message
    assert finding.callee == GRANT


# ---------------------------------------------------------------------------------------------
# Except clauses: tuples, aliases, bases, except*, Python 3.14 tuples without parentheses
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "clause",
    [
        "CapabilityError",
        "cc.CapabilityError",
        "capability_client.CapabilityError",
        "CE",
        "(ValueError, CapabilityError)",
        "(ValueError, (KeyError, CapabilityError))",
        "ValueError, CapabilityError",
        "KeyError, cc.CapabilityError",
        "ERRORS",
        "MORE_ERRORS",
        "LOCAL_ERRORS",
    ],
)
def test_clauses_that_cover(clause):
    code = IMPORTS + dedent(f"""\
        import capability_client
        import capability_client as cc
        from capability_client import CapabilityError as CE
        ERRORS = (CapabilityError, TimeoutError)
        MORE_ERRORS = (*ERRORS, KeyError)
        def f(client: CapabilityClient, user):
            LOCAL_ERRORS = (cc.CapabilityError,)
            try:
                cap = client.check(user)
            except {clause}:
                cap = Capability.static_only()
            return cap
        """)
    assert found(code) == []


@pytest.mark.parametrize(
    "clause",
    [
        "ValueError",
        "(ValueError, KeyError)",
        "ValueError, KeyError",
        "ERRORS",
        "capability_client.Capability",
    ],
)
def test_clauses_that_do_not_cover(clause):
    code = IMPORTS + dedent(f"""\
        import capability_client
        ERRORS = (ValueError, KeyError)
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except {clause}:
                cap = Capability.static_only()
            return cap
        """)
    assert found(code) == [("CL001", 6, 15)]


def test_tuple_constant_on_the_class():
    code = IMPORTS + dedent("""\
        class Stickers:
            RETRYABLE = (CapabilityError, KeyError)
            client = CapabilityClient()

            def send(self, user):
                try:
                    return self.client.check(user)
                except self.RETRYABLE:
                    return Capability.static_only()

        def f(user):
            try:
                return Stickers.client.check(user)
            except Stickers.RETRYABLE:
                return Capability.static_only()
        """)
    assert found(code) == []
    assert [c[3] for c in calls(code)] == ["kept", "kept"]


def test_python_314_tuple_without_parentheses_is_a_tuple():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                return client.check(user)
            except ValueError, CapabilityError:
                return Capability.static_only()
        def g(client: CapabilityClient, user):
            try:
                return client.check(user)
            except ValueError, TypeError:
                return Capability.static_only()
        """)
    assert found(code) == [("CL001", 9, 16)]


@pytest.mark.parametrize(
    "clause",
    [
        "ConnectionError",
        "TimeoutError",
        "OSError",
        "IOError",
        "CapabilityTimeout",
        "asyncio.TimeoutError",
        "socket.timeout",
        "builtins.ConnectionError",
        "capability_client.CapabilityUnavailable",
        "(ConnectionError, TimeoutError)",
    ],
)
def test_subclass_or_sibling_base_is_only_partial(clause):
    """CapabilityUnavailable derives from ConnectionError, CapabilityTimeout from TimeoutError, but
    CapabilityError itself from neither: these clauses catch some of its subclasses only."""
    code = IMPORTS + dedent(f"""\
        import asyncio, builtins, capability_client, socket
        from capability_client import CapabilityTimeout
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except {clause}:
                cap = Capability.static_only()
            return cap
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL002", 6, 15)
    assert finding.message.endswith(f"{ERROR} is not caught")
    assert "the try at line 5" in finding.message


@pytest.mark.parametrize("clause", ["Exception", "BaseException", ""])
def test_bases_that_cover_everything(clause):
    code = IMPORTS + dedent(f"""\
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except {clause}:
                cap = Capability.static_only()
            return cap
        """).replace("except :", "except:")
    assert [code for code, _, _ in found(code)] == ["CL005"]


def test_partial_inner_and_covering_outer_try():
    code = IMPORTS + dedent("""\
        from capability_client import CapabilityTimeout
        def f(client: CapabilityClient, user):
            try:
                try:
                    cap = client.check(user)
                except CapabilityTimeout:
                    cap = Capability.static_only()
            except CapabilityError:
                cap = Capability.static_only()
            return cap
        """)
    assert found(code) == []


def test_partial_message_names_the_try_that_catches_part():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                try:
                    cap = client.check(user)
                except KeyError:
                    cap = None
            except TimeoutError:
                cap = Capability.static_only()
            return cap
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL002", 5, 19)
    assert "the try at line 3" in finding.message


def test_partial_handler_is_still_judged_when_another_covers():
    code = IMPORTS + dedent("""\
        from capability_client import CapabilityTimeout
        def f(client: CapabilityClient, user):
            try:
                return client.check(user)
            except CapabilityTimeout:
                return Capability.static_only()
            except CapabilityError:
                pass
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL004", 5, 16)
    assert "line 8" in finding.message


def test_except_star():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except* CapabilityError:
                cap = Capability.static_only()
            return cap
        def g(client: CapabilityClient, user):
            try:
                client.check(user)
            except* ValueError:
                pass
        def h(client: CapabilityClient, user):
            try:
                client.check(user)
            except* (ValueError, CapabilityError):
                pass
        def k(client: CapabilityClient, user):
            try:
                client.check(user)
            except* ValueError, CapabilityError:
                log(user)
        def m(client: CapabilityClient, user):
            try:
                client.check(user)
            except* ConnectionError:
                log(user)
        """)
    assert found(code) == [("CL001", 10, 9), ("CL002", 25, 9), ("CL004", 15, 9)]


def test_raises_tuple_of_errors():
    index = make_index(
        raises=["capability_client.CapabilityTimeout", "capability_client.CapabilityUnavailable"]
    )
    template = IMPORTS + dedent("""\
        from capability_client import CapabilityTimeout, CapabilityUnavailable
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except {}:
                cap = Capability.static_only()
            return cap
        """)
    assert found(template.format("(CapabilityTimeout, CapabilityUnavailable)"), index) == []
    assert found(template.format("CapabilityError"), index) == []
    # the builtin bases catch both
    assert found(template.format("(ConnectionError, TimeoutError)"), index) == []
    assert found(template.format("ValueError"), index) == [("CL001", 5, 15)]
    finding = only(template.format("ConnectionError"), index)
    assert (finding.code, finding.span.line) == ("CL002", 5)
    assert finding.message.endswith("capability_client.CapabilityTimeout is not caught")
    finding = only(template.format("TimeoutError"), index)
    assert finding.message.endswith("capability_client.CapabilityUnavailable is not caught")


def test_contract_aliases_for_callees_classes_and_errors():
    index = make_index(
        aliases={"capclient": "capability_client", "capclient.errors.Failure": ERROR}
    )
    code = dedent("""\
        import capclient
        from capclient.errors import Failure
        def f(user):
            try:
                return capclient.CapabilityClient().check(user)
            except capclient.CapabilityError:
                return None
        def g(user):
            try:
                return capclient.get_client().check(user)
            except Failure:
                return None
        def h(user):
            try:
                return capclient.CapabilityClient().check(user)
            except capclient.CapabilityTimeout:
                return None
        """)
    assert found(code, index) == [("CL002", 15, 16)]
    assert [c[0] for c in calls(code, index)] == [CHECK] * 3


# ---------------------------------------------------------------------------------------------
# contextlib.suppress
# ---------------------------------------------------------------------------------------------


def test_contextlib_suppress_is_a_silent_handler():
    code = IMPORTS + dedent("""\
        import contextlib
        def f(client: CapabilityClient, user):
            with contextlib.suppress(CapabilityError):
                client.check(user)
        """)
    finding = only(code)
    assert (finding.code, finding.span.line, finding.span.column) == ("CL004", 5, 9)
    assert "contextlib.suppress at line 4" in finding.message


def test_suppress_imported_by_name():
    code = IMPORTS + dedent("""\
        from contextlib import suppress
        def f(client: CapabilityClient, user):
            with suppress(KeyError, CapabilityError):
                client.check(user)
            with suppress(KeyError):
                client.check(user)
        """)
    assert found(code) == [("CL001", 7, 9), ("CL004", 5, 9)]


def test_partial_suppress_names_the_with():
    code = IMPORTS + dedent("""\
        from contextlib import suppress
        def f(client: CapabilityClient, user):
            with suppress(TimeoutError):
                client.check(user)
        """)
    # CapabilityError escapes, and the timeouts that suppress does catch vanish without a trace.
    assert found(code) == [("CL002", 5, 9), ("CL004", 5, 9)]
    finding = analyse(code).findings[0]
    assert "guarded by the with at line 4" in finding.message


def test_suppress_exception_is_also_overbroad():
    code = IMPORTS + dedent("""\
        from contextlib import suppress
        def f(client: CapabilityClient, user):
            with suppress(Exception):
                client.check(user)
        """)
    assert found(code) == [("CL004", 5, 9), ("CL005", 5, 9)]


def test_suppress_with_the_result_read_afterwards():
    code = IMPORTS + dedent("""\
        from contextlib import suppress
        def f(client: CapabilityClient, user):
            with suppress(CapabilityError):
                cap = client.check(user)
            return cap
        """)
    assert found(code) == [("CL004", 5, 15), ("CL006", 5, 15)]


def test_suppress_under_fail_closed():
    code = IMPORTS + dedent("""\
        from contextlib import suppress
        def buy(client: CapabilityClient, user):
            with suppress(CapabilityError):
                client.grant(user)
        """)
    assert found(code) == [("CL003", 5, 9)]


def test_a_with_that_is_not_suppress_does_not_guard():
    code = IMPORTS + dedent("""\
        import contextlib
        def f(client: CapabilityClient, user, lock):
            with lock, contextlib.nullcontext():
                client.check(user)
        """)
    assert found(code) == [("CL001", 5, 9)]


# ---------------------------------------------------------------------------------------------
# Approved wrappers and decorators
# ---------------------------------------------------------------------------------------------


def test_approved_wrapper_with_a_lambda():
    code = IMPORTS + dedent("""\
        from capability_client import call_with_fallback
        def f(client: CapabilityClient, user):
            return call_with_fallback(lambda: client.check(user))
        """)
    assert found(code) == []
    assert calls(code) == [(CHECK, 4, 39, "approved")]


def test_approved_wrapper_through_module_alias_and_keyword():
    code = IMPORTS + dedent("""\
        import capability_client as cc
        def f(client: CapabilityClient, user):
            return cc.call_with_fallback(fn=lambda: client.check(user), default=None)
        """)
    assert found(code) == []
    assert [c[3] for c in calls(code)] == ["approved"]


def test_approved_wrapper_with_the_method_as_callable():
    code = IMPORTS + dedent("""\
        from capability_client import call_with_fallback
        def f(client: CapabilityClient, user):
            return call_with_fallback(client.check, user)
        """)
    assert found(code) == []
    assert calls(code) == [(CHECK, 4, 31, "approved")]


def test_lambda_given_to_another_function_is_not_approved():
    code = IMPORTS + dedent("""\
        from capability_client import call_with_fallback
        def f(client: CapabilityClient, user, retry):
            return retry(lambda: client.check(user))
        """)
    assert found(code) == [("CL001", 4, 26)]


def test_call_in_argument_of_wrapper_is_not_approved():
    code = IMPORTS + dedent("""\
        from capability_client import call_with_fallback
        def f(client: CapabilityClient, user):
            return call_with_fallback(client.check(user))
        """)
    assert found(code) == [("CL001", 4, 31)]


@pytest.mark.parametrize(
    "decorator",
    [
        "fail_open",
        "fail_open()",
        "capability_client.fail_open",
        "cc.fail_open(default=None)",
        "degrade",
    ],
)
def test_approved_decorator(decorator):
    code = IMPORTS + dedent(f"""\
        import capability_client
        import capability_client as cc
        from capability_client import fail_open
        from capability_client import fail_open as degrade
        @{decorator}
        def f(client: CapabilityClient, user):
            return client.check(user)
        """)
    assert found(code) == []
    assert [c[3] for c in calls(code)] == ["approved"]


def test_approved_decorator_on_an_async_function():
    code = IMPORTS + dedent("""\
        from capability_client import fail_open
        @fail_open
        async def f(client: CapabilityClient, user):
            return await client.check_async(user)
        @other
        async def g(client: CapabilityClient, user):
            return await client.check_async(user)
        """)
    assert found(code) == [("CL001", 8, 18)]


def test_approved_decorator_on_a_method_and_other_decorators():
    code = IMPORTS + dedent("""\
        import functools
        from capability_client import fail_open
        class Stickers:
            client = CapabilityClient()

            @functools.cache
            @fail_open
            def send(self, user):
                return self.client.check(user)

            @functools.cache
            def other(self, user):
                return self.client.check(user)
        """)
    assert found(code) == [("CL001", 14, 16)]
