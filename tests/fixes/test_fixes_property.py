"""Property: whatever statement a service call sits in, fixing gives code that parses, fixing again
changes nothing, and every call that had a safe fix keeps its contract afterwards.

Consumer modules are generated from statement shapes (assignments, returns, awaits, bare calls,
one-line suites, semicolons, loops, ``with``, partial guards, handlers that forget to bind, and
the shapes no fix may touch), in files indented with spaces or tabs, with LF or CRLF.
"""

from __future__ import annotations

import ast
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.contracts import load_contracts
from contractlint.fixes.apply import fix_source

INDEX = ContractIndex(load_contracts(["capability-server"]))
FIXED_CODES = ("CL001", "CL002", "CL006")

HEADERS = {
    "alias": (
        "import capability_client as cc\n",
        "cc.CapabilityClient()",
        "cc.CapabilityTimeout",
        "cc.CapabilityError",
    ),
    "names": (
        "from capability_client import Capability, CapabilityClient, "
        "CapabilityError, CapabilityTimeout\n",
        "CapabilityClient()",
        "CapabilityTimeout",
        "CapabilityError",
    ),
    # The error and the fallback are imported by the fix, beside the file's own import; a handler
    # that forgets to bind catches Exception here (a CL005 warning that no fix touches).
    "client only": (
        "from capability_client import CapabilityClient, CapabilityTimeout\n",
        "CapabilityClient()",
        "CapabilityTimeout",
        "Exception",
    ),
}

# {call} is the service call, {t} the error a partial guard catches, {e} the whole error; one
# indentation level is written as ">" and each shape ends at the body's own level.
SHAPES = [
    "x{i} = {call}",
    "{call}",
    "results.append({call})",
    "y{i} = {call}.animated if flag else None",
    "if flag: x{i} = {call}",
    "if flag:\n>x{i} = {call}\nelse: x{i} = None",
    "a{i} = 1; x{i} = {call}; b{i} = 2  # three on a line",
    "for s{i} in items:\n>{call}",
    "while flag:\n>z{i} = {call}\n>break",
    "with ctx():\n>w{i} = (\n>>{call}\n>)",
    "try:\n>p{i} = {call}\nexcept {t}:\n>p{i} = None\nresults.append(p{i})",
    "try:\n>q{i} = {call}\nexcept {e}:\n>results.append(None)\nresults.append(q{i})",
    "try:\n>r{i} = {call}\nexcept {e}:\n>pass\nresults.append(r{i})",
    "xs{i} = [{call} for _ in items]",
    "if {call}.allowed:\n>results.append(1)",
    "f{i} = lambda: client.check(user, sticker)",
    "count() + {call}.allowed",
]
if sys.version_info >= (3, 10):  # the fixed code is parsed by the running Python too
    SHAPES += ["match flag:\n>case 1:\n>>m{i} = {call}\n>case _: m{i} = {call}"]
LAST = ["return {call}", "return {call}.allowed", "return x0 if flag else None"]


def module(
    header: str, shapes, last, logger: bool, is_async: bool, indent: str, newline: str
) -> bytes:
    imports, make, timeout, error = HEADERS[header]
    call = (
        "(await client.check_async(user, sticker))" if is_async else "client.check(user, sticker)"
    )
    lines = ["import logging", imports.rstrip("\n")]
    if logger:
        lines.append("log = logging.getLogger(__name__)")
    lines += [f"client = {make}", "", ""]
    lines.append(
        f"{'async ' if is_async else ''}def consumer(user, sticker, items, flag, "
        "results, ctx, count):"
    )
    body = [shape.format(i=i, call=call, t=timeout, e=error) for i, shape in enumerate(shapes)]
    if last is not None:
        body.append(last.format(call=call))
    for statement in body:
        for line in statement.split("\n"):
            depth = len(line) - len(line.lstrip(">"))
            lines.append(indent * (depth + 1) + line[depth:])
    return (newline.join(lines) + newline).encode()


def check(data: bytes):
    return analyse_source(data, "consumer.py", INDEX, "consumer").findings


consumers = st.builds(
    module,
    header=st.sampled_from(sorted(HEADERS)),
    shapes=st.lists(st.sampled_from(SHAPES), min_size=1, max_size=5),
    last=st.none() | st.sampled_from(LAST),
    logger=st.booleans(),
    is_async=st.booleans(),
    indent=st.sampled_from(["    ", "\t", "  "]),
    newline=st.sampled_from(["\n", "\r\n"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(consumers)
def test_fixing_parses_is_idempotent_and_resolves_what_it_fixes(data):
    before = check(data)
    assert before, "every generated consumer calls the service"
    outcome = fix_source("consumer.py", data, check)
    assert outcome.problems == []
    text = outcome.after.decode()
    ast.parse(text)
    assert fix_source("consumer.py", outcome.after, check).after == outcome.after
    after = check(outcome.after)
    assert not [f for f in after if f.fix is not None and f.fix.safe]
    # Only the findings no safe fix could touch are left of CL001, CL002 and CL006.
    left = sorted(f.code for f in after if f.code in FIXED_CODES)
    unsafe = sorted(f.code for f in before if f.code in FIXED_CODES and not (f.fix and f.fix.safe))
    assert left == unsafe
    newline = "\r\n" if b"\r\n" in data else "\n"
    assert text.count(newline) == text.count("\n")
    assert len(outcome.fixed) == len([f for f in before if f.fix is not None and f.fix.safe])
