"""The analysis against real code: call-site resolution, guards, and the rules CL001-CL006.

Every snippet is a small Python file; findings are compared by (code, line, column), the
position of the call expression (1-based), so a finding at the wrong place fails too.
"""

from __future__ import annotations

from textwrap import dedent, indent

import pytest

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.contracts import build_contract, load_contracts
from contractlint.model import RULES

CAP = ContractIndex(load_contracts(["capability-server"]))

CHECK = "capability_client.CapabilityClient.check"
GRANT = "capability_client.CapabilityClient.grant"
ERROR = "capability_client.CapabilityError"
IMPORTS = "from capability_client import CapabilityClient, CapabilityError, Capability\n"


def block(text: str, spaces: int) -> str:
    """``text`` (written at column 0) indented by ``spaces``, without its first line's indent."""
    return indent(dedent(text), " " * spaces).lstrip(" ").rstrip("\n")


def analyse(code: str, index: ContractIndex = CAP):
    return analyse_source(dedent(code), "x.py", index)


def found(code: str, index: ContractIndex = CAP):
    """(code, line, column) of every finding, sorted."""
    return sorted((f.code, f.span.line, f.span.column) for f in analyse(code, index).findings)


def calls(code: str, index: ContractIndex = CAP):
    """(callee, line, column, state) of every matched call, in source order."""
    return [(c.callee, c.span.line, c.span.column, c.state) for c in analyse(code, index).calls]


def only(code: str, index: ContractIndex = CAP):
    """The one finding of a snippet."""
    findings = analyse(code, index).findings
    assert len(findings) == 1, [(f.code, f.span.line, f.message) for f in findings]
    return findings[0]


_ERRORS = {
    "capability_client.CapabilityError": ["Exception"],
    "capability_client.CapabilityUnavailable": [
        "capability_client.CapabilityError",
        "ConnectionError",
    ],
    "capability_client.CapabilityTimeout": ["capability_client.CapabilityError", "TimeoutError"],
}


def make_index(aliases=None, **group) -> ContractIndex:
    """A contract like capability-server's first group, with ``group``'s settings."""
    calls_group = {
        "match": ["capability_client.CapabilityClient.check*"],
        "raises": ["capability_client.CapabilityError"],
        "policy": "fail-open",
    }
    calls_group.update(group)
    raw = {
        "version": 1,
        "contract": {"name": "test-service", "summary": "A test contract.", "owner": "tests"},
        "errors": dict(_ERRORS),
        "calls": [calls_group],
        "types": {"capability_client.get_client": "capability_client.CapabilityClient"},
        "approved": {"wrappers": ["capability_client.call_with_fallback"]},
        "aliases": aliases or {},
    }
    return ContractIndex([build_contract(raw, "test.toml")])


# ---------------------------------------------------------------------------------------------
# Call-site resolution: imports
# ---------------------------------------------------------------------------------------------


def test_plain_import_module_function():
    code = """\
        import capability_client
        def f(user):
            return capability_client.check_capability(user)
        """
    assert found(code) == [("CL001", 3, 12)]
    assert calls(code) == [("capability_client.check_capability", 3, 12, "broken")]


def test_import_as_alias_and_constructor_chain():
    code = """\
        import capability_client as cc
        def f(user):
            return cc.CapabilityClient("host").check(user)
        """
    assert found(code) == [("CL001", 3, 12)]
    assert calls(code)[0][0] == CHECK


def test_from_import_as_alias():
    code = """\
        from capability_client import CapabilityClient as CC
        def f(user):
            client = CC()
            return client.check_expiry(user)
        """
    assert found(code) == [("CL001", 4, 12)]
    assert calls(code) == [("capability_client.CapabilityClient.check_expiry", 4, 12, "broken")]


def test_from_import_function_alias():
    code = """\
        from capability_client import check_capability as has_sticker
        def f(user):
            if has_sticker(user):
                return 1
        """
    assert found(code) == [("CL001", 3, 8)]


def test_module_attribute_chain_through_submodule_import():
    code = """\
        import os, capability_client.extras
        def f(user):
            client = capability_client.CapabilityClient(os.environ["HOST"])
            return client.check(user)
        """
    assert found(code) == [("CL001", 4, 12)]


def test_import_as_then_class_method_called_on_class():
    code = """\
        import capability_client as cc
        def f(client, user):
            return cc.CapabilityClient.check(client, user)
        """
    assert found(code) == [("CL001", 3, 12)]


def test_unrelated_names_are_not_calls():
    code = """\
        from other_client import CapabilityClient
        import capability_client
        def check_capability(user):
            return True
        def f(user):
            client = CapabilityClient()
            client.check(user)
            check_capability(user)
            capability_client.CapabilityClient().close()
            capability_client.CapabilityClient().grant_all(user)
        """
    assert found(code) == []
    assert calls(code) == []


def test_a_file_without_calls_has_no_result():
    result = analyse("import capability_client\nprint(capability_client.__name__)\n")
    assert result.findings == [] and result.calls == []


# ---------------------------------------------------------------------------------------------
# Call-site resolution: instances
# ---------------------------------------------------------------------------------------------


def test_local_instance():
    code = IMPORTS + dedent("""\
        def f(user):
            client = CapabilityClient()
            cap = client.check(user)
            return cap
        """)
    assert found(code) == [("CL001", 4, 11)]


def test_module_global_instance():
    code = IMPORTS + dedent("""\
        CLIENT = CapabilityClient()
        def f(user):
            return CLIENT.check(user)
        """)
    assert found(code) == [("CL001", 4, 12)]


def test_module_global_used_at_module_level():
    code = IMPORTS + dedent("""\
        CLIENT = CapabilityClient()
        CLIENT.check("warmup")
        """)
    assert found(code) == [("CL001", 3, 1)]


def test_self_attribute_set_in_init_used_in_another_method():
    code = IMPORTS + dedent("""\
        class Stickers:
            def send(self, user):
                return self.client.check(user)

            def __init__(self):
                self.client = CapabilityClient()
        """)
    assert found(code) == [("CL001", 4, 16)]


def test_self_attribute_set_in_any_method_wins_over_a_none_placeholder():
    code = IMPORTS + dedent("""\
        class Stickers:
            def __init__(self):
                self._client = None

            def send(self, user):
                return self._client.check(user)

            def connect(self):
                self._client = CapabilityClient()
        """)
    assert found(code) == [("CL001", 7, 16)]


def test_self_attribute_from_annotated_parameter():
    code = IMPORTS + dedent("""\
        class Stickers:
            def __init__(self, client: CapabilityClient):
                self.client = client

            def send(self, user):
                return self.client.check(user)
        """)
    assert found(code) == [("CL001", 7, 16)]


def test_self_attribute_annotated_assignment():
    code = IMPORTS + dedent("""\
        from typing import Optional
        class Stickers:
            def __init__(self):
                self.client: Optional[CapabilityClient] = None

            def send(self, user):
                return self.client.check(user)
        """)
    assert found(code) == [("CL001", 8, 16)]


def test_with_as_instance():
    code = IMPORTS + dedent("""\
        def f(user):
            with CapabilityClient() as client:
                client.check(user)
        """)
    assert found(code) == [("CL001", 4, 9)]


def test_async_with_factory_as_instance():
    code = IMPORTS + dedent("""\
        from capability_client import get_client
        async def f(user):
            async with get_client() as client:
                return await client.check_async(user)
        """)
    assert found(code) == [("CL001", 5, 22)]


@pytest.mark.parametrize(
    "annotation",
    [
        "CapabilityClient",
        "Optional[CapabilityClient]",
        "typing.Optional[CapabilityClient]",
        "Union[CapabilityClient, None]",
        "CapabilityClient | None",
        "None | CapabilityClient",
        '"CapabilityClient"',
        '"Optional[CapabilityClient]"',
        'Optional["CapabilityClient"]',
        '"cc.CapabilityClient | None"',
        "cc.CapabilityClient",
    ],
)
def test_annotated_parameter(annotation):
    code = IMPORTS + dedent(f"""\
        import typing
        from typing import Optional, Union
        import capability_client as cc
        def f(client: {annotation}, user):
            return client.check(user)
        """)
    assert found(code) == [("CL001", 6, 12)]


def test_annotated_keyword_only_and_defaulted_parameters():
    code = IMPORTS + dedent("""\
        def f(user, *, client: CapabilityClient = None):
            return client.check(user)
        def g(user, client=CapabilityClient()):
            return client.check(user)
        """)
    assert found(code) == [("CL001", 3, 12), ("CL001", 5, 12)]


def test_annotated_names_without_a_known_value():
    code = IMPORTS + dedent("""\
        client: CapabilityClient  # set by init()
        def init():
            global client
            client = CapabilityClient()
        def f(user):
            return client.check(user)
        def g(user, registry):
            local: "CapabilityClient" = registry["capability"]
            return local.check(user)
        """)
    assert found(code) == [("CL001", 7, 12), ("CL001", 10, 12)]


def test_class_attribute_annotation():
    code = IMPORTS + dedent("""\
        from typing import Optional
        class Stickers:
            client: CapabilityClient
            backup: Optional[CapabilityClient] = None

            def send(self, user):
                return self.client.check(user)

            def send_backup(self, user):
                return self.backup.check(user)
        """)
    assert found(code) == [("CL001", 8, 16), ("CL001", 11, 16)]


def test_class_attribute_instance_through_class_and_self():
    code = IMPORTS + dedent("""\
        class Stickers:
            client = CapabilityClient()

            def send(self, user):
                return self.client.check(user)

        def g(user):
            return Stickers.client.check(user)
        """)
    assert found(code) == [("CL001", 6, 16), ("CL001", 9, 12)]


def test_factory_from_types():
    code = IMPORTS + dedent("""\
        from capability_client import get_client
        import capability_client as cc
        def f(user):
            client = get_client()
            client.check(user)
            get_client().check(user)
            cc.get_client("eu").check(user)
        """)
    assert found(code) == [("CL001", 6, 5), ("CL001", 7, 5), ("CL001", 8, 5)]
    assert {c[0] for c in calls(code)} == {CHECK}


def test_chained_constructor_call():
    code = IMPORTS + dedent("""\
        def f(user):
            return CapabilityClient().check(user).animated
        """)
    assert found(code) == [("CL001", 3, 12)]


def test_subclass_of_client_inherits_its_methods():
    code = IMPORTS + dedent("""\
        class Client(CapabilityClient):
            def extra(self):
                return 1
        def f(user):
            return Client().check(user)
        """)
    assert found(code) == [("CL001", 6, 12)]
    assert calls(code)[0][0] == CHECK


def test_await_is_resolved():
    code = IMPORTS + dedent("""\
        async def f(client: CapabilityClient, user):
            cap = await client.check_async(user)
            return cap
        """)
    # The finding is at the call, after ``await ``.
    assert found(code) == [("CL001", 3, 17)]


def test_awaited_factory_result():
    code = IMPORTS + dedent("""\
        from capability_client import get_client
        async def f(user):
            return (await get_client()).check(user)
        """)
    assert found(code) == [("CL001", 4, 12)]


def test_two_calls_on_one_line_each_at_its_column():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            return client.check(user) or client.check_expiry(user)
        """)
    assert found(code) == [("CL001", 3, 12), ("CL001", 3, 34)]


def test_multi_line_call_is_reported_at_its_start():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            cap = (
                client
                .check(
                    user,
                )
            )
            return cap
        """)
    result = analyse(code)
    assert [(f.code, f.span.line, f.span.column, f.span.end_line) for f in result.findings] == [
        ("CL001", 4, 9, 7)
    ]


def test_type_checking_import_and_string_annotation():
    code = dedent("""\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from capability_client import CapabilityClient as CC
        def f(client: "CC", user):
            return client.check(user)
        """)
    assert found(code) == [("CL001", 5, 12)]


def test_classmethod_reaches_class_attribute_through_cls():
    code = IMPORTS + dedent("""\
        class Stickers:
            client: CapabilityClient

            @classmethod
            def send(cls, user):
                return cls.client.check(user)

            @staticmethod
            def other(cls, user):
                return cls.client.check(user)
        """)
    assert found(code) == [("CL001", 7, 16)]


def test_attribute_of_an_instance_of_a_project_class():
    code = IMPORTS + dedent("""\
        class Stickers:
            def __init__(self):
                self.client = CapabilityClient()
        def f(user):
            service = Stickers()
            return service.client.check(user)
        """)
    assert found(code) == [("CL001", 7, 12)]


# ---------------------------------------------------------------------------------------------
# Rebinding stops tracking
# ---------------------------------------------------------------------------------------------


def test_local_rebound_to_something_else():
    code = IMPORTS + dedent("""\
        def f(user, fake):
            client = CapabilityClient()
            client = fake
            client.check(user)
        def g(user):
            client = CapabilityClient()
            client = 42
            client.check(user)
        """)
    assert found(code) == []
    assert calls(code) == []


def test_parameter_rebound_to_something_else():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user, wrap):
            client = wrap(client)
            return client.check(user)
        """)
    assert found(code) == []


def test_rebound_only_after_the_call():
    code = IMPORTS + dedent("""\
        def f(user, fake):
            client = CapabilityClient()
            client.check(user)
            client = fake
            client.check(user)
        """)
    assert found(code) == [("CL001", 4, 5)]


def test_global_rebound_at_module_level():
    code = IMPORTS + dedent("""\
        import fakes
        CLIENT = CapabilityClient()
        CLIENT = fakes.FakeClient()
        def f(user):
            return CLIENT.check(user)
        """)
    assert found(code) == []


def test_global_shadowed_by_a_local_or_a_parameter():
    code = IMPORTS + dedent("""\
        CLIENT = CapabilityClient()
        def f(user, other):
            CLIENT = other
            return CLIENT.check(user)
        def g(CLIENT, user):
            return CLIENT.check(user)
        """)
    assert found(code) == []


def test_rebound_by_for_and_with():
    code = IMPORTS + dedent("""\
        def f(user, things, opener):
            client = CapabilityClient()
            for client in things:
                client.check(user)
            client = CapabilityClient()
            with opener() as client:
                client.check(user)
        """)
    assert found(code) == []


def test_class_name_rebound_by_later_import():
    code = IMPORTS + dedent("""\
        from fakes import CapabilityClient
        def f(user):
            return CapabilityClient().check(user)
        """)
    assert found(code) == []


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
        "if user.vip:\n    raise PurchaseFailed('vip')\nelif user.new:\n    raise\nelse:\n    sys.exit(1)",
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
    """A loop around a guarded call (line 5), the handler at line 6: ``RETRY_PARTS`` but ``parts``."""
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


# ---------------------------------------------------------------------------------------------
# Several findings for one call, call states
# ---------------------------------------------------------------------------------------------


def test_several_findings_for_one_call():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            try:
                cap = client.check(user)
            except Exception:
                pass
            return cap
        """)
    result = analyse(code)
    assert sorted((f.code, f.severity, f.span.line, f.span.column) for f in result.findings) == [
        ("CL004", "error", 4, 15),
        ("CL005", "warning", 4, 15),
        ("CL006", "error", 4, 15),
    ]
    assert all(f.contract == "capability-server" and f.callee == CHECK for f in result.findings)
    assert calls(code) == [(CHECK, 4, 15, "broken")]


def test_call_states():
    code = IMPORTS + dedent("""\
        from capability_client import call_with_fallback
        def f(client: CapabilityClient, user):
            client.check(user)
            try:
                client.check(user)
            except CapabilityError:
                return Capability.static_only()
            return call_with_fallback(lambda: client.check(user))
        """)
    assert calls(code) == [
        (CHECK, 4, 5, "broken"),
        (CHECK, 6, 9, "kept"),
        (CHECK, 9, 39, "approved"),
    ]


# ---------------------------------------------------------------------------------------------
# Suggestions
# ---------------------------------------------------------------------------------------------


def test_suggestion_with_names_imported_by_name():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            cap = client.check(user)
            return cap
        """)
    assert only(code).suggestion == (
        "try:\n"
        "    cap = client.check(user)\n"
        "except CapabilityError:\n"
        "    cap = Capability.static_only()"
    )


def test_suggestion_through_a_module_alias():
    code = dedent("""\
        import capability_client as cc
        def f(user):
            return cc.get_client().check(user)
        """)
    assert only(code).suggestion == (
        "try:\n"
        "    return cc.get_client().check(user)\n"
        "except cc.CapabilityError:\n"
        "    return cc.Capability.static_only()"
    )


def test_suggestion_names_what_the_file_does_not_import():
    code = dedent("""\
        from capability_client import CapabilityClient
        def f(client: CapabilityClient, user):
            cap = client.check(user)
            return cap
        """)
    # The names join the file's own ``from capability_client import ...``.
    suggestion = only(code).suggestion
    assert suggestion.splitlines() == [
        "from capability_client import Capability, CapabilityError",
        "try:",
        "    cap = client.check(user)",
        "except CapabilityError:",
        "    cap = Capability.static_only()",
    ]


def test_suggestion_imports_the_module_when_the_file_imports_no_name_from_it():
    code = dedent("""\
        from capability_client.sub import get_client
        def f(user):
            cap = get_client().check(user)
            return cap
        """)
    index = ContractIndex(
        [
            build_contract(
                {
                    "version": 1,
                    "contract": {"name": "cap", "summary": "s", "owner": "o"},
                    "errors": {"capability_client.CapabilityError": ["Exception"]},
                    "calls": [
                        {
                            "match": [CHECK],
                            "policy": "fail-open",
                            "fallback": "capability_client.Capability.static_only()",
                        }
                    ],
                    "types": {
                        "capability_client.sub.get_client": "capability_client.CapabilityClient"
                    },
                },
                "t.toml",
            )
        ]
    )
    assert only(code, index).suggestion.splitlines() == [
        "import capability_client",
        "try:",
        "    cap = get_client().check(user)",
        "except capability_client.CapabilityError:",
        "    cap = capability_client.Capability.static_only()",
    ]


def test_suggestion_uses_an_import_alias_of_the_error():
    code = dedent("""\
        import capability_client
        from capability_client import CapabilityClient, CapabilityError as CE
        def f(client: CapabilityClient, user):
            cap = client.check(user)
            return cap
        """)
    assert only(code).suggestion.splitlines() == [
        "try:",
        "    cap = client.check(user)",
        "except CE:",
        "    cap = capability_client.Capability.static_only()",
    ]


def test_suggestion_for_a_bare_call_logs_with_the_module_logger():
    code = IMPORTS + dedent("""\
        import logging
        log = logging.getLogger(__name__)
        def f(client: CapabilityClient, user):
            client.check(user)
        """)
    assert only(code).suggestion == (
        "try:\n"
        "    client.check(user)\n"
        "except CapabilityError as exc:\n"
        '    log.warning("capability-server unavailable: %s", exc)'
    )


def test_suggestion_for_fail_closed_reraises():
    code = IMPORTS + dedent("""\
        def buy(client: CapabilityClient, user):
            client.grant(user)
        """)
    suggestion = only(code).suggestion
    assert suggestion.splitlines()[:3] == [
        "try:",
        "    client.grant(user)",
        "except CapabilityError:",
    ]
    assert suggestion.splitlines()[3].startswith("    raise")


def test_finding_carries_the_remediation():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            return client.check(user)
        """)
    assert "Capability.static_only()" in only(code).remediation


# ---------------------------------------------------------------------------------------------
# The examples of the rule catalogue
# ---------------------------------------------------------------------------------------------

# The rules the analysis of one file decides; acceptances and reviews are the engine's
# (tests/test_acceptance.py runs their examples).
_ANALYSIS_RULES = [rule for rule in RULES if rule.code.startswith(("CL0", "CL9"))]
_INVALID = [
    (rule.code, i, snippet) for rule in _ANALYSIS_RULES for i, snippet in enumerate(rule.invalid)
]
_VALID = [
    (rule.code, i, snippet) for rule in _ANALYSIS_RULES for i, snippet in enumerate(rule.valid)
]


def _check_example(snippet: str, folder):
    """An example as `contractlint check` sees it: a file of a project, its errors followed."""
    from contractlint.config import Config
    from contractlint.engine import check_paths

    (folder / "example.py").write_text(snippet, encoding="utf-8")
    return check_paths(
        [str(folder / "example.py")], Config(root=str(folder)), CAP.contracts, use_prefilter=False
    )


@pytest.mark.parametrize(
    "code, number, snippet", _INVALID, ids=[f"{c}-{i}" for c, i, _ in _INVALID]
)
def test_rule_invalid_example_fires_its_rule(code, number, snippet, tmp_path):
    findings = _check_example(snippet, tmp_path).findings
    assert [f.code for f in findings] == [code], [(f.code, f.message) for f in findings]


@pytest.mark.parametrize("code, number, snippet", _VALID, ids=[f"{c}-{i}" for c, i, _ in _VALID])
def test_rule_valid_example_is_clean(code, number, snippet, tmp_path):
    report = _check_example(snippet, tmp_path)
    assert report.findings == []
    assert report.calls and all(c.state in ("kept", "approved") for c in report.calls)


def test_every_rule_with_an_analysis_has_examples():
    for rule in RULES:
        if rule.code.startswith("CL00"):
            assert rule.invalid and rule.valid, rule.code


def test_unparsable_file_position():
    source = "x = 1\ndef broken(:\n    pass\n"
    with pytest.raises(SyntaxError) as err:
        compile(source, "x.py", "exec")
    finding = only(source)
    assert finding.code == "CL900"
    assert (finding.span.line, finding.span.column) == (2, err.value.offset) == (2, 12)
    assert finding.message == f"cannot parse: {err.value.msg}"


def test_a_handler_for_a_subclass_that_raises_fails_closed_on_that_subclass():
    code = (
        "from capability_client import CapabilityClient, CapabilityError, CapabilityTimeout, Capability\n"
        "def send(client: CapabilityClient, user):\n"
        "    try:\n"
        "        return client.check(user)\n"
        "    except CapabilityTimeout:\n"
        "        raise\n"
        "    except CapabilityError:\n"
        "        return Capability.static_only()\n"
    )
    findings = analyse(code).findings
    assert [(f.code, f.span.line, f.span.column) for f in findings] == [("CL003", 4, 16)]
    assert "the handler at line 5 raises" in findings[0].message


def test_a_subclass_handler_after_the_covering_one_is_never_reached():
    code = (
        "from capability_client import CapabilityClient, CapabilityError, CapabilityTimeout, Capability\n"
        "def send(client: CapabilityClient, user):\n"
        "    try:\n"
        "        return client.check(user)\n"
        "    except CapabilityError:\n"
        "        return Capability.static_only()\n"
        "    except CapabilityTimeout:\n"
        "        raise\n"
    )
    assert analyse(code).findings == []


def test_either_side_of_a_conditional_may_be_the_client():
    # rq's idiom: a pipeline (which only queues commands) or the client itself.
    code = IMPORTS + dedent("""\
        class Pipeline:
            def check(self, user): ...
        def save(client: CapabilityClient, pipeline: "Pipeline | None", user):
            target = pipeline if pipeline is not None else client
            target.check(user)
            (pipeline or client).check(user)
        """)
    assert found(code) == [("CL001", 6, 5), ("CL001", 7, 5)]


def test_a_conditional_between_two_non_clients_is_no_call():
    code = IMPORTS + dedent("""\
        def save(a, b, user):
            target = a if a is not None else b
            target.check(user)
        """)
    assert found(code) == []


def test_policies_states_and_severities_are_typed_and_read_as_their_strings():
    import json

    from contractlint.model import Policy, Severity, State

    group = CAP.contracts[0].calls[0]
    result = analyse(
        IMPORTS + "def f(client: CapabilityClient):\n" + "    return client.check('x')\n"
    )
    [call] = result.calls
    [finding] = result.findings
    assert type(group.policy) is Policy
    assert call.state is State.BROKEN
    assert finding.severity is Severity.ERROR
    # Equal to, hashed, formatted and serialised as the strings they stand for, on every Python.
    for word, text in (
        (group.policy, group.policy.value),
        (call.state, "broken"),
        (finding.severity, "error"),
    ):
        assert word == text and {text: 1}[word] == 1
        assert (str(word), f"{word}", f"{word:>9}") == (text, text, f"{text:>9}")
        assert json.dumps({word: [word]}) == json.dumps({text: [text]})
