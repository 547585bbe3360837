"""The prefilter (``contractlint.run.prefilter``): which files it keeps, that what it turns away
changes no finding, and that its search near each root answers as a search of the whole text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_project import CONTRACTS, ROOT, contract, many, run, snapshot
from trees import write

from contractlint.config import Config
from contractlint.contracts import builtin_names, load_contracts
from contractlint.engine import check_paths
from contractlint.run import filecheck
from contractlint.run.prefilter import Prefilter


def one_call_contract(name: str, error: str, base: str, match: str):
    """A contract whose one call group (``match``) may raise ``error``, a subclass of ``base``."""
    return contract(
        f'version = 1\n[contract]\nname = "{name}"\nsummary = "s"\nowner = "o"\n'
        f'[errors]\n"{error}" = ["{base}"]\n[[calls]]\nmatch = ["{match}"]\npolicy = "any"\n'
    )


# -- the prefilter -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kept",
    [
        ("import requests\n", True),
        ("import os, requests.adapters as a\n", True),
        ("import café as c, requests\n", True),
        ("import os, \\\n    requests\n", True),
        ("from redis.client import Redis\n", True),
        ("from \\\n  redis import Redis\n", True),
        ("def f():\n    import requests\n    return requests.get('u')\n", True),
        ("x = 1; import requests\n", True),
        (
            "s = 'import requests'\n",
            True,
        ),  # text that only looks like an import is kept: never unsound
        ("from . import requests\n", True),
        ("# this module handles requests\n", False),  # a mention is not an import
        (
            "requests = make(); requests.get('u')\n",
            False,
        ),  # bound by no import: never resolved to the module
        ("from .requests import x\n", False),  # a relative import resolves to nothing
        ("import os # requests\n", False),
        ("import requests_toolbelt\n", False),  # a whole word, not a prefix
        ("import myrequests\n", False),
        ("x = 'no service here'\n", False),
    ],
)
def test_the_prefilter_keeps_files_that_import_a_contract_root(text, kept):
    assert Prefilter(CONTRACTS).keeps(text.encode(), "app.views") is kept


def test_a_module_of_a_contracts_own_package_is_kept_though_it_never_names_itself():
    # capability_client/__init__.py calls its own CapabilityClient.check() without
    # writing "capability_client".
    prefilter = Prefilter(CONTRACTS)
    assert prefilter.keeps(b"def f():\n    pass\n", "capability_client")
    assert not prefilter.keeps(b"def f():\n    pass\n", "capability_client_extras")
    # Its own definitions are capability_client.helpers.X: no contract name starts so.
    assert not prefilter.keeps(b"def f():\n    pass\n", "capability_client.helpers")


def test_the_examples_stub_client_holds_calls_the_old_prefilter_hid(tmp_path):
    # The analysis resolves check_async() -> self.check() inside the client: with or without
    # the prefilter the findings are the same (examples/pyproject.toml excludes the stub
    # clients as providers' code).
    root = ROOT / "examples" / "capability-client"
    contracts = load_contracts(["capability-server"])
    config = Config(root=str(root))
    with_filter = check_paths([str(root / "capability_client")], config, contracts)
    without = check_paths([str(root / "capability_client")], config, contracts, use_prefilter=False)
    assert snapshot(with_filter)[:2] == snapshot(without)[:2]
    assert [c.callee for c in with_filter.calls] == ["capability_client.CapabilityClient.check"] * 2


def test_an_alias_that_leads_to_a_contract_root_makes_its_own_root_count(tmp_path):
    # socket.timeout is Python's alias of TimeoutError: a contract over
    # TimeoutError(...) calls must see it.
    svc = one_call_contract("timeouts", "TimeoutError", "OSError", "TimeoutError")
    write(tmp_path, {"app.py": "import socket\n\ndef f():\n    return socket.timeout('x')\n"})
    assert "socket" in Prefilter([svc]).roots
    with_filter, without = run(tmp_path, [svc]), run(tmp_path, [svc], use_prefilter=False)
    assert snapshot(with_filter)[:2] == snapshot(without)[:2]
    assert [c.callee for c in with_filter.calls] == ["TimeoutError"]


def test_a_builtin_root_needs_no_import(tmp_path):
    svc = one_call_contract("files", "OSError", "Exception", "open")
    assert Prefilter([svc]).keeps(b"def f():\n    return open('x')\n", "app")
    write(
        tmp_path, {"app.py": "def f():\n    return open('x').read()\n", "other.py": "import os\n"}
    )
    with_filter, without = run(tmp_path, [svc]), run(tmp_path, [svc], use_prefilter=False)
    assert snapshot(with_filter)[:2] == snapshot(without)[:2]
    assert [c.callee for c in with_filter.calls] == ["open"] and with_filter.files_parsed == 1


def test_a_utf16_file_is_kept_since_its_bytes_say_nothing():
    assert Prefilter(CONTRACTS).keeps("import requests\n".encode("utf-16"), "app")


def test_a_match_that_starts_with_a_wildcard_keeps_every_file(tmp_path):
    svc = one_call_contract("anything", "svc.Error", "Exception", "**.fetch_remote")
    assert Prefilter([svc]).keeps(b"import os\n", "app")


def test_files_the_prefilter_turns_away_are_never_parsed_and_findings_do_not_change(
    tmp_path, monkeypatch
):
    many(tmp_path, 20)
    parsed = []
    original = filecheck.FileCheck.analyse

    def spy(self, data, task):
        parsed.append(task.shown)
        return original(self, data, task)

    monkeypatch.setattr(filecheck.FileCheck, "analyse", spy)
    with_filter = run(tmp_path)
    assert parsed and not any(Path(p).read_text().startswith("import os") for p in parsed)
    assert with_filter.files_parsed == len(parsed) < with_filter.files_checked == 20
    without = run(tmp_path, use_prefilter=False)
    assert without.files_parsed == 20
    assert snapshot(with_filter)[:3] == snapshot(without)[:3]


# -- the search near each root ---------------------------------------------------------------------

FILTERS = [Prefilter(load_contracts(["requests"])), Prefilter(load_contracts(builtin_names()))]
#: Imports, backslash continuations, line ends of every kind, comments, and words that hold a root.
PIECES = [b"import ", b"from ", b"requests", b"socket", b"os", b" as ", b"r", b", ", b",", b"\\\n"]
PIECES += [b"\\\r\n", b"\n", b"\r\n", b"\r", b"#", b" ", b"\t", b".", b"(", b")", b";", b"x"]
PIECES += [b"_requests", b"requests_", b'"', b"import\\\n requests", b"from\\\n\\\nrequests"]
PIECES += [b"capa", b"capability_client", b"\xc3\xa9", b"open", b"\xff\xfe"]
PIECES += sorted({root.encode() for prefilter in FILTERS for root in prefilter.roots})


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map(b"".join))
def test_the_search_near_each_root_answers_as_a_search_of_the_whole_text(data):
    for prefilter in FILTERS:
        whole = (
            prefilter.everything
            or data[:2] in (b"\xff\xfe", b"\xfe\xff")
            or prefilter.pattern.search(data) is not None
        )
        assert prefilter.search(data) is whole
