"""Fix machinery without files: spans, overlapping edits, rounds, dropped fixes,
positions, imports."""

from __future__ import annotations

import subprocess
import sys
from textwrap import dedent

import pytest

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.contracts import load_contracts
from contractlint.fixes.apply import fix_source, write_atomic
from contractlint.fixes.edits import Offsets, apply_edits, hunk, split_lines, unified_diff
from contractlint.model import Edit, Finding, Fix, Span

CAP = ContractIndex(load_contracts(["capability-server"]))


def findings(code: str):
    return analyse_source(dedent(code), "x.py", CAP).findings


def edit(line, column, end_line, end_column, text):
    return Edit(Span(line, column, end_line, end_column), text)


# -- text ------------------------------------------------------------------------------------------


def test_lines_end_where_python_ends_them():
    assert split_lines("a\r\nb\rc\nd\x0ce") == ["a\r\n", "b\r", "c\n", "d\x0ce"]
    offsets = Offsets("ab\r\ncd")
    assert offsets(1, 3) == 2 and offsets(2, 1) == 4 and offsets(3, 1) == 6
    with pytest.raises(ValueError):
        offsets(1, 5)


def test_edits_apply_from_the_end_and_identical_ones_once():
    text = "one\ntwo\nthree\n"
    assert (
        apply_edits(text, [edit(1, 1, 1, 4, "1"), edit(3, 1, 3, 6, "3"), edit(3, 1, 3, 6, "3")])
        == "1\ntwo\n3\n"
    )
    assert apply_edits(text, [edit(2, 1, 2, 1, "x"), edit(2, 1, 2, 4, "2")]) == "one\nx2\nthree\n"
    with pytest.raises(ValueError):
        apply_edits(text, [edit(1, 1, 2, 2, "a"), edit(2, 1, 2, 3, "b")])


def test_a_hunk_shows_each_change_with_a_line_of_context():
    text = "a\nb\nc\nd\ne\nf\ng\nh\n"
    assert hunk(text, [edit(2, 1, 2, 2, "B\nB2"), edit(7, 1, 7, 2, "G")]).splitlines() == [
        "@@ -1,3 +1,4 @@",
        " a",
        "-b",
        "+B",
        "+B2",
        " c",
        "@@ -6,3 +7,3 @@",
        " f",
        "-g",
        "+G",
        " h",
    ]


def test_a_whole_file_diff_keeps_crlf_and_says_when_a_newline_is_missing():
    diff = unified_diff("m.py", "a\r\nb", "a\r\nc")
    assert diff.startswith("--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n a\r\n")
    assert diff.endswith("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n")


# -- rounds ----------------------------------------------------------------------------------------


def finding(line: int, *edits: Edit, safe: bool = True, code: str = "CL001") -> Finding:
    return Finding(
        "m.py", Span(line, 1, line, 2), code, "n", "error", "m", fix=Fix("f", tuple(edits), safe)
    )


def test_overlapping_fixes_are_applied_over_rounds_not_dropped():
    data = b"a = 1\nb = 2\n"
    first = finding(1, edit(1, 1, 1, 6, "a = 10"))
    overlapping = finding(1, edit(1, 5, 1, 6, "11"), code="CL002")
    calls = []

    def check(current: bytes):
        calls.append(current)
        if current == data:
            return [first, overlapping]
        if current == b"a = 10\nb = 2\n":
            return [finding(1, edit(1, 5, 1, 7, "11"), code="CL002")]
        return []

    outcome = fix_source("m.py", data, check)
    assert outcome.after == b"a = 11\nb = 2\n"
    assert [f.code for f in outcome.fixed] == ["CL001", "CL002"]
    assert outcome.problems == []


def test_a_fix_that_would_not_parse_is_dropped_with_a_message():
    data = b"a = 1\nb = 2\n"
    broken = finding(1, edit(1, 1, 1, 6, "a = ("))
    good = finding(2, edit(2, 5, 2, 6, "3"))
    outcome = fix_source("m.py", data, lambda d: [broken, good] if d == data else [broken])
    assert outcome.after == b"a = 1\nb = 3\n"
    assert outcome.problems == ["m.py:1:1: CL001 fix not applied: the fixed code would not parse"]


def test_a_fix_that_does_not_resolve_its_finding_is_applied_once():
    data = b"a = 1\n"
    grows = finding(1, edit(1, 1, 1, 1, "#"))
    outcome = fix_source("m.py", data, lambda d: [grows])
    assert outcome.after == b"#a = 1\n"
    assert outcome.problems == [
        "m.py:1:1: CL001 fix not applied again: it did not resolve the finding"
    ]


def test_unsafe_fixes_are_never_applied():
    data = b"a = 1\n"
    outcome = fix_source("m.py", data, lambda d: [finding(1, edit(1, 1, 1, 2, "b"), safe=False)])
    assert outcome.after == data and outcome.fixed == []


def test_an_edit_outside_the_file_is_reported():
    outcome = fix_source("m.py", b"a = 1\n", lambda d: [finding(1, edit(9, 1, 9, 2, "b"))])
    assert outcome.after == b"a = 1\n"
    assert outcome.problems == [
        "m.py:1:1: CL001 fix not applied: line 9 is outside the file (1 lines)"
    ]


def test_a_file_in_a_legacy_encoding_stays_in_it(tmp_path):
    source = (
        "# -*- coding: latin-1 -*-\nimport capability_client as cc\ndef f(u):\n"
        "    return cc.check_capability(u, 'é')\n"
    )
    data = source.encode("latin-1")
    check = lambda d: analyse_source(d, "x.py", CAP).findings  # noqa: E731
    after = fix_source("x.py", data, check).after
    assert b"'\xe9'" in after and b"except cc.CapabilityError:" in after
    path = tmp_path / "x.py"
    path.write_bytes(data)
    write_atomic(str(path), after)
    assert path.read_bytes() == after


# -- analysis: fixes only where there are findings -------------------------------------------------


def test_clean_code_has_no_fix_and_every_finding_has_a_suggestion():
    assert (
        findings("""\
        import capability_client as cc
        def f(c: cc.CapabilityClient):
            try:
                return c.check(1)
            except cc.CapabilityError:
                return cc.Capability.static_only()
        """)
        == []
    )
    for f in findings("""\
        import capability_client as cc
        def f(c: cc.CapabilityClient):
            x = [c.check(i) for i in range(3)]
            try:
                return c.check(1)
            except:
                return None
        """):
        assert f.suggestion.startswith("try:")


def test_the_fallback_is_only_imported_when_the_handler_uses_it():
    (found,) = findings("""\
        import logging
        from capability_client import CapabilityClient
        log = logging.getLogger(__name__)
        def f(c: CapabilityClient):
            c.check(1)
        """)
    assert found.fix.safe
    assert [e.text for e in found.fix.edits][
        1
    ] == "from capability_client import CapabilityClient, CapabilityError\n"


# -- what other linters say of the fixed code ------------------------------------------------------


def fixed(code: str) -> str:
    """The text after ``--fix``, every safe fix applied."""
    outcome = fix_source(
        "x.py", dedent(code).encode(), lambda data: analyse_source(data, "x.py", CAP).findings
    )
    assert outcome.problems == []
    return outcome.after.decode()


def ruff(text: str, *rules: str) -> str:
    """What ruff (a test dependency, pinned) says of ``text`` under ``rules``: "" when nothing."""
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", ",".join(rules)]
        + ["--output-format", "concise", "--stdin-filename", "x.py", "-"],
        input=text,
        capture_output=True,
        text=True,
    )
    return "" if result.returncode == 0 else result.stdout


CALL = "\n\n\ndef f(c: CapabilityClient, user):\n    cap = c.check(user)\n    return cap\n"


@pytest.mark.parametrize(
    "before, after",
    [
        (
            "from capability_client import CapabilityClient, get_client",
            "from capability_client import Capability, CapabilityClient, "
            "CapabilityError, get_client",
        ),
        (
            "from capability_client import (\n"
            "    CapabilityClient,  # the client\n    get_client,\n)",
            "from capability_client import (\n    Capability,\n"
            "    CapabilityClient,  # the client\n"
            "    CapabilityError,\n    get_client,\n)",
        ),
        (
            "from capability_client import (\n    CapabilityClient,\n    get_client  # last\n)",
            "from capability_client import (\n    Capability,\n    CapabilityClient,\n"
            "    CapabilityError,\n    get_client  # last\n)",
        ),
        # Sorted without types (isort's and ruff's order-by-type = false): still sorted that way.
        (
            "from capability_client import call_with_fallback, CapabilityClient",
            "from capability_client import call_with_fallback, Capability, CapabilityClient, "
            "CapabilityError",
        ),
    ],
    ids=["one line", "parentheses", "no trailing comma", "case-insensitive"],
)
def test_a_name_joins_a_sorted_import_in_its_sorted_place(before, after):
    text = fixed(before + CALL)
    assert text.startswith(after + "\n"), text
    # An import block ruff's isort accepted (its default settings) is still accepted.
    if ruff(before + CALL, "I001") == "":
        assert ruff(text, "I001") == ""


def test_an_import_nobody_sorted_is_not_sorted_by_a_fix():
    text = fixed("from capability_client import get_client, CapabilityClient, CAPS" + CALL)
    assert text.startswith(
        "from capability_client import get_client, CapabilityClient, CAPS, "
        "Capability, CapabilityError\n"
    )


def test_a_subclass_makes_way_for_its_base_and_its_import_goes_with_its_last_use():
    """Every handler of the file catches CapabilityUnavailable, a CapabilityError: each fix puts
    CapabilityError in its place, and the fixes are applied together with the import's removal."""
    text = fixed("""\
        from capability_client import Capability, CapabilityClient, CapabilityUnavailable


        def f(c: CapabilityClient, user):
            try:
                cap = c.check(user)
            except CapabilityUnavailable:
                cap = Capability.static_only()
            return cap


        def g(c: CapabilityClient, user):
            try:
                cap = c.check(user)
            except (ValueError, CapabilityUnavailable):
                cap = Capability.static_only()
            return cap
        """)
    assert "CapabilityUnavailable" not in text
    assert "except (ValueError, CapabilityError):" in text
    assert ruff(text, "I001", "F401", "F821", "B014") == ""


def test_a_name_the_file_uses_for_something_else_is_not_imported_over():
    (found,) = findings("""\
        from capability_client import CapabilityClient
        def f(c: CapabilityClient, CapabilityError):
            x = c.check(1)
            return x
        """)
    assert found.fix.safe
    assert "except capability_client.CapabilityError:" in found.fix.diff
    assert "\nimport capability_client\n" in found.fix.edits[-1].text
    (found,) = findings("""\
        from capability_client import CapabilityClient
        def f(c: CapabilityClient, CapabilityError, capability_client):
            x = c.check(1)
            return x
        """)
    assert not found.fix.safe
    assert "already used for something else" in found.fix.description


def test_a_local_logger_name_is_not_the_module_logger():
    (found,) = findings("""\
        import logging
        import capability_client as cc
        log = logging.getLogger(__name__)
        def f(c: cc.CapabilityClient, log):
            c.check(1)
        """)
    assert not found.fix.safe


def test_any_policy_without_a_fallback_leaves_the_choice_to_a_person():
    index = ContractIndex(load_contracts(["redis"]))
    found = analyse_source(
        dedent("""\
        import logging
        import redis
        log = logging.getLogger(__name__)
        r = redis.Redis()
        def f(k):
            r.delete(k)
            return r.get(k)
        """),
        "x.py",
        index,
    ).findings
    assert [(f.code, f.fix.safe) for f in found] == [("CL001", False), ("CL001", False)]
    assert 'policy "any"' in found[0].fix.description
    assert "no fallback" in found[1].fix.description


def test_a_surprise_while_writing_the_advice_keeps_the_finding(monkeypatch):
    from contractlint.analysis import suggest

    def boom(self, record):
        raise RuntimeError("surprise")

    monkeypatch.setattr(suggest.Advisor, "_plan", boom)
    (found,) = findings("""\
        import capability_client as cc
        def f(c: cc.CapabilityClient):
            return c.check(1)
        """)
    assert found.code == "CL001" and found.fix is None
    assert (
        "could not write the recommended handling for this call (RuntimeError: surprise)"
        in found.suggestion
    )
