"""The analysis against real code: which calls reach the service (imports, instances, rebinding),
the findings and states of one call, and the examples of the rule catalogue.

Every snippet is a small Python file; findings are compared by (code, line, column), the
position of the call expression (1-based), so a finding at the wrong place fails too.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from analysing import CAP, CHECK, IMPORTS, analyse, calls, found, only

from contractlint.model import RULES

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
# The examples of the rule catalogue
# ---------------------------------------------------------------------------------------------

# The rules the analysis of one file decides; acceptances and reviews are the engine's
# (tests/acceptance/test_acceptance.py runs their examples).
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
        "from capability_client import CapabilityClient, CapabilityError, "
        "CapabilityTimeout, Capability\n"
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
        "from capability_client import CapabilityClient, CapabilityError, "
        "CapabilityTimeout, Capability\n"
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
