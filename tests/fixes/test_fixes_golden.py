"""Golden fixes: for each shape a fix handles, the input file and the expected output,
byte for byte.

``tests/golden/fixes/<case>.in.py`` is fixed with the builtin capability-server contract and must
equal ``<case>.out.py`` exactly: indentation (spaces or tabs), line endings (LF or CRLF), the
byte-order mark, the coding cookie and a missing final newline are the file's own. Fixing the
output again must change nothing. ``CONTRACTLINT_REGOLD=1`` rewrites the outputs (review the diff).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.contracts import load_contracts
from contractlint.fixes.apply import decode, fix_source

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "fixes"
CASES = sorted(p.name[: -len(".in.py")] for p in GOLDEN.glob("*.in.py"))
INDEX = ContractIndex(load_contracts(["capability-server"]))


def check(data: bytes):
    return analyse_source(data, "case.py", INDEX, "case").findings


def fix(data: bytes) -> bytes:
    outcome = fix_source("case.py", data, check)
    assert outcome.problems == []
    return outcome.after


@pytest.mark.parametrize("case", CASES)
def test_fix_matches_the_golden_output(case):
    before = (GOLDEN / f"{case}.in.py").read_bytes()
    after = fix(before)
    expected_path = GOLDEN / f"{case}.out.py"
    if os.environ.get("CONTRACTLINT_REGOLD"):
        expected_path.write_bytes(after)
    assert after == expected_path.read_bytes()
    ast.parse(decode(after)[0])
    assert fix(after) == after


@pytest.mark.parametrize("case", CASES)
def test_safe_fixes_leave_no_finding_they_could_fix(case):
    after = (GOLDEN / f"{case}.out.py").read_bytes()
    assert [(f.code, f.span.line) for f in check(after) if f.fix is not None and f.fix.safe] == []


def test_the_cases_cover_crlf_tabs_and_a_byte_order_mark():
    crlf = (GOLDEN / "cl001_crlf.out.py").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") > 20
    assert (
        b"\n\t\t\ttry:\n\t\t\t\tcapability = client.check"
        in (GOLDEN / "cl001_tabs.out.py").read_bytes()
    )
    bom = (GOLDEN / "cl001_bom_no_final_newline.out.py").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf# -*- coding") and not bom.endswith(b"\n")


def test_suggestion_only_findings_leave_the_file_alone():
    before = (GOLDEN / "suggestion_only.in.py").read_bytes()
    findings = check(before)
    assert len(findings) >= 10
    assert all(f.fix is None or not f.fix.safe for f in findings)
    assert all(f.suggestion for f in findings)
    assert fix(before) == before


def test_the_public_api_fallback_writes_the_same_fixes(monkeypatch):
    """Outside the libcst releases the private code generator was checked on, fixes are rendered
    with libcst's public API only (contractlint.fixes.codegen): every golden case comes out the
    same, the nodes rendered inside an indented block included."""
    from contractlint.fixes import codegen, transform

    indented = []

    def public(node, indent, default_indent, newline):
        code = codegen.render_public(node, indent, default_indent, newline)
        assert code == codegen.render_private(node, indent, default_indent, newline)
        indented.append(type(node).__name__ if indent else None)
        return code

    monkeypatch.setattr(transform, "render", public)
    for case in CASES:
        before = (GOLDEN / f"{case}.in.py").read_bytes()
        assert fix(before) == (GOLDEN / f"{case}.out.py").read_bytes(), case
    assert {"IndentedBlock", "SimpleStatementLine", "Tuple"} <= set(indented)


def test_the_private_code_generator_is_used_only_on_the_libcst_releases_it_was_checked_on():
    from importlib import metadata

    from contractlint.fixes import codegen

    assert codegen.private_api_usable("1.9.0") and codegen.private_api_usable("1.12.3rc1")
    assert not codegen.private_api_usable("1.8.6") and not codegen.private_api_usable("2.0.0")
    expected = (
        codegen.render_private
        if codegen.private_api_usable(metadata.version("libcst"))
        else codegen.render_public
    )
    assert codegen.render is expected
