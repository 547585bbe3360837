"""The handling the analysis suggests for a finding: the code of the recommended ``try``, its
fallback and its imports.

Every snippet is a small Python file; findings are compared by (code, line, column), the
position of the call expression (1-based), so a finding at the wrong place fails too.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from analysing import CHECK, IMPORTS, only

from contractlint.analysis import ContractIndex
from contractlint.contracts import build_contract

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


@pytest.mark.parametrize(
    "before", ["x = 1; type Key = str", "type Key = str; type Row = list[Key]"]
)
def test_suggestion_for_a_call_after_type_statements_on_its_line(before):
    # Before Python 3.12 such a line is read through libcst (``analysis.newer``), which placed a
    # ``type`` statement with the ``;`` after it: the statements of the line were not found again.
    code = IMPORTS + dedent(f"""\
        def f(client: CapabilityClient, user):
            {before}; cap = client.check(user)
            return cap
        """)
    found = only(code)
    handling = [
        "try:",
        "    cap = client.check(user)",
        "except CapabilityError:",
        "    cap = Capability.static_only()",
    ]
    assert found.suggestion.splitlines() == handling
    assert found.fix is not None and found.fix.safe
    # The fix keeps the statements before the call on their line, and puts the call's under it.
    assert [e.text.splitlines() for e in found.fix.edits] == [
        [before, *("    " + line for line in handling)]
    ]


def test_finding_carries_the_remediation():
    code = IMPORTS + dedent("""\
        def f(client: CapabilityClient, user):
            return client.check(user)
        """)
    assert "Capability.static_only()" in only(code).remediation
