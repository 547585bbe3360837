"""Fuzzing: random modules with service calls in odd places never make contractlint fail (no CL999),
every position points at the call's own text, and fixing gives code that parses and that fixing
again leaves alone. Then every file of the standard library and of real packages, with every
builtin contract and no prefilter: zero internal errors.

test_fixes_property.py covers the statement shapes a fix rewrites; this covers the places no
statement-level fix reaches (decorators, defaults, lambdas, comprehensions, f-strings, class
bodies, ``match``, ``except*``, ``finally``, ``async with``) and deep mixtures of them.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import sysconfig

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.config import Config
from contractlint.contracts import builtin_names, load_contracts
from contractlint.engine import check_paths
from contractlint.fixes.apply import fix_source

INDEX = ContractIndex(load_contracts(["capability-server"]))
HEADER = (
    "import logging\nimport contextlib\nimport capability_client as cc\n"
    "from capability_client import CapabilityClient, CapabilityError\n"
    "log = logging.getLogger(__name__)\nclient = cc.CapabilityClient()\n\n\n"
    "async def consumer(user, sticker, items, flag, ctx, deco):\n"
)
#: Every call is ``client.check(uN, sticker)``, so that each finding names which one it is.
CALL = re.compile(r"(?:await )?client\.check(?:_async)?\(u\d+, sticker\)\Z")

EXPRESSIONS = [
    "{c}",
    "f'{{{c}}}'",
    "f'{{{c}!r:>10}}'",
    "[{c} for _ in items]",
    "{{k: {c} for k in items if {c}}}",
    "(lambda: {c})()",
    "(lambda x={c}: x)",
    "({c} if flag else None)",
    "(w := {c})",
    "({c}).animated",
    "not {c}",
    "[*items, {c}]",
    "print({c}, sep='')",
]
STATEMENTS = [
    "x = {e}",
    "{e}",
    "y: object = {e}",
    "assert {e}, 'no'",
    "def g(a={e}):\n>pass",
    "@deco({e})\ndef h():\n>pass",
    "class K:\n>attr = {e}",
    "z = [{e}]; log.info('one line')",
    "with contextlib.suppress(CapabilityError):\n>{e}",
    "for _ in {e}:\n>break",
    "while {e}:\n>break",
    "if {e}:\n>pass",
]
WRAPPERS = [
    "try:\n{b}\nexcept* ValueError:\n>pass",
    "try:\n{b}\nfinally:\n>log.info('done')",
    "try:\n{b}\nexcept cc.CapabilityError:\n>raise\nelse:\n>pass\nfinally:\n>pass",
    "try:\n{b}\nexcept (CapabilityError, KeyError) as err:\n>log.warning(err)",
    "try:\n>pass\nexcept Exception:\n{b}",
    "try:\n>pass\nfinally:\n{b}",
    "async with ctx() as c:\n{b}",
    "with ctx() as a, ctx() as b:\n{b}",
    "if flag:\n{b}\nelif items:\n>pass\nelse:\n{b}",
    "for i in items:\n{b}",
]
if sys.version_info >= (3, 10):
    WRAPPERS += ["match flag:\n>case [1, *rest]:\n{bb}\n>case _:\n{bb}"]


def _indent(block: str, levels: int = 1) -> str:
    return "\n".join(">" * levels + line for line in block.split("\n"))


class Counter:
    """Numbers the calls of one module, so that each has its own text."""

    def __init__(self):
        self.n = 0

    def call(self, is_async: bool) -> str:
        self.n += 1
        return (
            f"(await client.check_async(u{self.n}, sticker))"
            if is_async
            else f"client.check(u{self.n}, sticker)"
        )


@st.composite
def statement(draw):
    template = draw(st.sampled_from(STATEMENTS))
    expression = draw(st.sampled_from(EXPRESSIONS))
    is_async = (
        draw(st.booleans())
        and "lambda" not in expression
        and "for" not in expression
        and not template.startswith(("def", "@", "class"))
    )
    return template, expression, is_async


blocks = st.recursive(
    st.lists(statement(), min_size=1, max_size=3).map(lambda s: ("stmts", s)),
    lambda inner: st.tuples(st.sampled_from(WRAPPERS), st.lists(inner, min_size=1, max_size=2)).map(
        lambda w: ("wrap", w)
    ),
    max_leaves=8,
)


def render(tree, counter: Counter) -> str:
    kind, value = tree
    if kind == "stmts":
        out = []
        for template, expression, is_async in value:
            e = expression.format(c=counter.call(is_async))
            out.append(template.format(e=e) if "{e}" in template else template)
        return "\n".join(out)
    wrapper, parts = value
    bodies = iter(parts * 2)
    text = wrapper
    while "{b}" in text or "{bb}" in text:
        body = render(next(bodies), counter)
        if text.index("{bb}" if "{bb}" in text else "{b}") == text.find("{bb}"):
            text = text.replace("{bb}", _indent(body, 2), 1)
        else:
            text = text.replace("{b}", _indent(body), 1)
    return text


def module(tree, indent: str, newline: str, bom: bool) -> bytes:
    body = render(tree, Counter())
    lines = []
    for line in body.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        lines.append(indent * (depth + 1) + line[depth:])
    text = HEADER.replace("\n", newline) + newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


modules = st.builds(
    module,
    blocks,
    indent=st.sampled_from(["    ", "\t", "  "]),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)


def text_at(source: str, span) -> str:
    lines = re.split(r"\r\n|\r|\n", source)
    if span.line == span.end_line:
        return lines[span.line - 1][span.column - 1 : span.end_column - 1]
    parts = [
        lines[span.line - 1][span.column - 1 :],
        *lines[span.line : span.end_line - 1],
        lines[span.end_line - 1][: span.end_column - 1],
    ]
    return "\n".join(parts)


def check(data: bytes):
    return analyse_source(data, "consumer.py", INDEX, "consumer").findings


FUZZED = {"modules": 0, "calls": 0}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(modules)
def test_odd_places_no_internal_error_right_positions_and_safe_fixes(data):
    FUZZED["modules"] += 1
    source = data.decode("utf-8-sig")
    result = analyse_source(data, "consumer.py", INDEX, "consumer")
    assert not [f for f in result.findings if f.code in ("CL999", "CL900")], result.findings
    assert result.calls, source
    FUZZED["calls"] += len(result.calls)
    for site in result.calls:
        assert CALL.match(text_at(source, site.span)), (site.span, text_at(source, site.span))
    for finding in result.findings:
        if finding.code.startswith("CL0"):
            assert CALL.match(text_at(source, finding.span)), (
                finding,
                text_at(source, finding.span),
            )
    outcome = fix_source("consumer.py", data, check)
    after = outcome.after.decode("utf-8-sig")
    if sys.version_info >= (3, 11):  # except* and match: the running Python parses them
        ast.parse(after)
    assert outcome.after.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    assert not [f for f in check(outcome.after) if f.code in ("CL999", "CL900")]
    assert fix_source("consumer.py", outcome.after, check).after == outcome.after


# -- the standard library and real packages --------------------------------------------------------

CONTRACTS = load_contracts(builtin_names())
CORPORA = [
    ("docker", "7.1.0"),
    ("hvac", "2.3.0"),
    ("rq", "2.6.0"),
    ("notion-client", "2.2.1"),
    ("watchtower", "3.4.0"),
]


def _check_everything(root: str):
    report = check_paths(
        [root], Config(root=root), CONTRACTS, jobs=max(2, os.cpu_count() or 2), use_prefilter=False
    )
    internal = [f for f in report.findings if f.code == "CL999"]
    unparsable = [f for f in report.findings if f.code == "CL900"]
    print(
        f"\n{root}: {report.files_checked} files, {report.files_parsed} parsed, "
        f"{len(report.calls)} calls, "
        f"{len(unparsable)} CL900, {len(internal)} CL999"
    )
    return report, internal, unparsable


@pytest.mark.slow
def test_the_standard_library_without_internal_errors():
    report, internal, unparsable = _check_everything(sysconfig.get_paths()["stdlib"])
    assert report.files_parsed == report.files_checked > 500
    assert internal == [], [f"{f.path}: {f.message}" for f in internal[:5]]
    # CL900 only where Python itself cannot compile the file (lib2to3's Python 2 data,
    # bad-syntax tests).
    wrong = []
    for finding in unparsable:
        try:
            with open(finding.path, "rb") as fh:
                compile(fh.read(), finding.path, "exec", dont_inherit=True)
            wrong.append(f"{finding.path}:{finding.span.line}: {finding.message}")
        except (SyntaxError, ValueError):
            pass
    # libcst's grammar lags CPython's in corners (test_grammar.py's `(no_such_global): int`): those
    # are its parse errors, with a position; never "nested too deeply", never a crash.
    print("valid for Python, refused by libcst:", wrong)
    assert all(": cannot parse: " in w for w in wrong) and len(wrong) <= 3, wrong


@pytest.mark.network
@pytest.mark.parametrize("name, version", CORPORA)
def test_real_packages_without_internal_errors(name, version):
    from corpora import fetch

    report, internal, unparsable = _check_everything(str(fetch(name, version)))
    assert report.files_parsed == report.files_checked > 0
    assert internal == [] and unparsable == [], [
        f"{f.path}: {f.message}" for f in (internal + unparsable)[:5]
    ]
