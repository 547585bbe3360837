"""The ``try`` around a statement alone on its line, written from the line's text
(``contractlint.analysis.oneline``), against the same advice written with libcst's nodes.

Each snippet is analysed twice: as it is, and with the one-line way turned off. The findings,
with their recommended handling, fixes and diffs, must be equal; and the one-line way must have
been taken exactly where it applies, so that a comparison of two libcst runs cannot pass for one.
"""

from __future__ import annotations

import libcst as cst
import pytest
from analysing import IMPORTS, make_index
from shortcuts import run_with

from contractlint.analysis import ContractIndex, analyse_source
from contractlint.analysis.oneline import Wrapper
from contractlint.contracts import load_contracts

REQUESTS = ContractIndex(load_contracts(["requests"]))
LOGGER = "import logging\nimport requests\n\nlog = logging.getLogger(__name__)\n"

#: (name, source, contract index, whether the one-line way applies to every finding)
CASES = [
    ("dropped", "import requests\n\ndef f(u):\n    requests.post(u)\n", REQUESTS, True),
    (
        "comment and spaces after",
        "import requests\n\ndef f(u):\n    r = requests.get(u)   # why  \n    return r\n",
        REQUESTS,
        True,
    ),
    ("logged", LOGGER + "\ndef f(u):\n    requests.post(u, data={'a': 1})\n", REQUESTS, True),
    (
        "logged, name taken",
        LOGGER + "\ndef f(u, exc):\n    requests.post(u)\n    r = requests.get(exc)\n",
        REQUESTS,
        True,
    ),
    ("module level", "import requests\nrequests.get('x')\nx = 1\n", REQUESTS, True),
    ("tabs", "import requests\n\ndef f(u):\n\tif u:\n\t\trequests.get(u)\n", REQUESTS, True),
    (
        "two spaces, then deeper",
        "import requests\n\ndef f(u):\n  if u:\n      r = requests.get(u)\n",
        REQUESTS,
        True,
    ),
    ("crlf", "import requests\r\n\r\ndef f(u):\r\n    requests.get(u)\r\n", REQUESTS, True),
    (
        "not ascii",
        "import requests\n\ndef f(u):\n    r = requests.get('h\u00e9' + u)  # \u00fcber\n",
        REQUESTS,
        True,
    ),
    (
        "f-string argument",
        'import requests\n\ndef f(u):\n    return requests.get(f"{u}/x", timeout=3)\n',
        REQUESTS,
        True,
    ),
    (
        "fail closed",
        IMPORTS + "def f(client: CapabilityClient, user):\n    return client.check(user)\n",
        make_index(policy="fail-closed"),
        True,
    ),
    (
        "await, dropped, fallback",
        IMPORTS + "async def f(client: CapabilityClient, user):\n    await client.check(user)\n",
        make_index(fallback="None"),
        True,
    ),
    (
        "no fallback, policy any",
        IMPORTS + "def f(client: CapabilityClient, user):\n    cap = client.check(user)\n",
        make_index(policy="any"),
        True,
    ),
    # Where libcst's nodes are needed:
    (
        "fallback in place of the call",
        IMPORTS + "def f(client: CapabilityClient, user):\n    cap = client.check(user)\n",
        make_index(fallback="None"),
        False,
    ),
    (
        "one-line suite",
        "import requests\n\ndef f(u):\n    if u: requests.get(u)\n",
        REQUESTS,
        False,
    ),
    ("semicolons", "import requests\n\ndef f(u):\n    a = 1; requests.get(u)\n", REQUESTS, False),
    ("semicolon after", "import requests\n\ndef f(u):\n    requests.get(u);\n", REQUESTS, False),
    (
        "continued line",
        "import requests\n\ndef f(u):\n    a = 1; \\\n    requests.get(u)\n",
        REQUESTS,
        False,
    ),
    (
        "over several lines",
        "import requests\n\ndef f(u):\n    requests.get(\n        u,\n        timeout=3,\n    )\n",
        REQUESTS,
        False,
    ),
    (
        "two calls of the group",
        "import requests\n\ndef f(u):\n    return requests.get(u) or requests.get(u)\n",
        REQUESTS,
        False,
    ),
    (
        "in a comprehension",
        "import requests\n\ndef f(us):\n    return [requests.get(u) for u in us]\n",
        REQUESTS,
        False,
    ),
    (
        "in an f-string",
        'import requests\n\ndef f(u):\n    print(f"{requests.get(u)}")\n',
        REQUESTS,
        False,
    ),
    (
        "other line endings",
        "import requests\r\n\r\ndef f(u):\n    requests.get(u)\n",
        REQUESTS,
        False,
    ),
    ("last line, no line ending", "import requests\nrequests.get('x')", REQUESTS, False),
]


def _analyse(source: str, index: ContractIndex, monkeypatch, one_line: bool):
    return run_with(
        monkeypatch,
        Wrapper,
        "line",
        one_line,
        lambda: analyse_source(source, "x.py", index).findings,
    )


@pytest.mark.parametrize(
    ("source", "index", "applies"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_line_advice_is_libcsts(source, index, applies, monkeypatch):
    parsed: list = []
    real = cst.parse_module
    monkeypatch.setattr(cst, "parse_module", lambda *a, **k: parsed.append(a) or real(*a, **k))
    fast, taken = _analyse(source, index, monkeypatch, one_line=True)
    # taken through to the end: the statement is not parsed by libcst (``Wrapper.texts`` may
    # still send it the libcst way after ``Wrapper.line`` took it)
    assert (parsed == []) == applies, parsed
    slow, _ = _analyse(source, index, monkeypatch, one_line=False)
    assert fast, "the snippet has no finding"
    assert taken and all(t == applies for t in taken), taken
    assert [f.suggestion for f in fast] == [f.suggestion for f in slow]
    assert [f.fix for f in fast] == [f.fix for f in slow]
    assert fast == slow


def test_one_line_fix_applies_as_libcsts():
    """The fix written from the line's text keeps the line's comment and the file's indentation."""
    source = "import requests\n\ndef f(u):\n\tr = requests.get(u)  # keep\n\treturn r\n"
    finding = analyse_source(source, "x.py", REQUESTS).findings[0]
    assert finding.fix is not None
    (edit,) = finding.fix.edits
    assert edit.text == (
        "try:\n"
        "\t\tr = requests.get(u)  # keep\n"
        "\texcept (requests.exceptions.ConnectionError, requests.exceptions.Timeout):\n"
        "\t\t# TODO(contractlint): choose a fallback\n"
        "\t\tpass"
    )
