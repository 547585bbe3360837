"""The fault session's pieces on plain data, without an inner pytest session: the verdict, the runs
a test calls for, the ledger of what they reached, the summary, and whose code a file is.
"""

from __future__ import annotations

import sys

import pytest
from faultproject import CONTRACT

from contractlint.contracts import build_contract
from contractlint.faults.inject import Call, Site
from contractlint.faults.ledger import SiteKey
from contractlint.faults.report import StaticSite, StaticSites
from contractlint.faults.runs import Mode, Run, variants
from contractlint.faults.session import FaultSession
from contractlint.faults.targets import ErrorBuilder, Target
from contractlint.faults.testcode import CodeMap
from contractlint.faults.verdict import Verdict, judge
from contractlint.pytest_plugin import MODES
from contractlint.tomlfile import tomllib

# --- the verdict, on plain data -------------------------------------------------------------------


class _Target:
    qualname = "svc.Client.check"


def _injected(error):
    return Call(_Target(), Site("app.py", 7, "greet"), error, "svc.ServiceError")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="ExceptionGroup is new in Python 3.11")
def test_an_error_carried_by_an_exception_group_escaped():
    error = TimeoutError()
    group = ExceptionGroup("task group", [ValueError(), error])  # noqa: F821 (3.11+)
    verdict = judge("fail-open", group, [_injected(error)])
    assert (verdict.ok, verdict.word) == (False, "escaped")
    assert judge("fail-closed", group, [_injected(error)]).ok


def _raised(error, cause: bool):
    try:
        try:
            raise error
        except TimeoutError as exc:
            if cause:
                raise KeyError("x") from exc
            raise KeyError("x")  # noqa: B904 (no "from": only __context__ links them)
    except KeyError as exc:
        return exc


def test_raise_from_is_a_refusal_and_an_error_while_handling_is_a_crash():
    error = TimeoutError()
    wrapped = _raised(error, cause=True)
    assert judge("fail-open", wrapped, [_injected(error)]).word == "raised from it"
    assert judge("fail-closed", wrapped, [_injected(error)]).word == "failed closed"
    assert judge("any", wrapped, [_injected(error)]).ok
    assert not judge("any", error, [_injected(error)]).ok
    crashed = _raised(error, cause=False)
    for policy in ("fail-open", "fail-closed", "any"):
        verdict = judge(policy, crashed, [_injected(error)])
        assert (verdict.ok, verdict.word) == (False, "crashed")
    assert judge("fail-closed", crashed, [_injected(error)]).message.startswith(
        "KeyError was raised while handling svc.ServiceError injected into the call to "
        "svc.Client.check at app.py:7 "
        "(greet); the contract says fail closed: raise from the error"
    )


# --- the runs a test calls for --------------------------------------------------------------------

TWO_ERRORS = CONTRACT.replace(
    'raises = ["svc.ServiceError"]\npolicy = "fail-open"',
    'raises = ["svc.ServiceTimeout", "svc.ServiceDown"]\npolicy = "fail-open"',
)


class _Client:
    def check(self, user):
        return True


def _contract(text: str = TWO_ERRORS):
    return build_contract(tomllib.loads(text), "svc.toml", text)


def _target(contract, qualname="svc.Client.check", label="Client.check") -> Target:
    group = contract.group_for(qualname)
    return Target(contract, group, qualname, label, _Client, "check", _Client.check, _Client.check)


def _builders(contract) -> dict:
    return {
        (contract.name, name): ErrorBuilder(name, Exception, Exception)
        for group in contract.calls
        for name in group.raises
    }


def _plain(*calls: Call, outcome="passed", brings_faults=False) -> Run:
    run = Run("test_app.py::test_send", "test_send", brings_faults=brings_faults)
    run.is_test_code = CodeMap("/p", ["test_*.py"]).is_test_code
    for call in calls:
        run.hear(call)
    run.call_outcome = outcome
    return run


def test_a_passing_plain_run_calls_for_one_fault_run_per_call_site_and_error():
    target = _target(_contract())
    plain = _plain(
        Call(target, Site("/p/app.py", 3, "send")),
        Call(target, Site("/p/app.py", 3, "send")),  # a loop: one site
        Call(target, Site("/p/app.py", 9, "show")),
        Call(target, Site("/p/test_app.py", 5, "test_send")),  # the test's own call: not the code's
    )
    builders = _builders(target.contract)
    each = variants(plain, Mode.EACH, 1, builders)
    assert [v.tag for v in each] == [
        "fault:svc.ServiceTimeout@Client.check@app.py:3",
        "fault:svc.ServiceDown@Client.check@app.py:3",
        "fault:svc.ServiceTimeout@Client.check@app.py:9",
        "fault:svc.ServiceDown@Client.check@app.py:9",
    ]
    assert [v.tag for v in variants(plain, Mode.FIRST, 1, builders)] == [
        "fault:svc.ServiceTimeout@Client.check@app.py:3",
        "fault:svc.ServiceTimeout@Client.check@app.py:9",
    ]
    drawn = {
        tuple(v.tag for v in variants(plain, Mode.RANDOM, seed, builders)) for seed in range(8)
    }
    assert all(len(tags) == 2 for tags in drawn) and len(drawn) > 1  # one error a site, by the seed
    assert variants(plain, Mode.RANDOM, 3, builders) == variants(plain, Mode.RANDOM, 3, builders)
    # A run that failed, or brings its own faults, calls for none.
    assert variants(_plain(*plain.calls, outcome="failed"), Mode.EACH, 1, builders) == []
    assert variants(_plain(*plain.calls, brings_faults=True), Mode.EACH, 1, builders) == []
    assert variants(_plain(), Mode.EACH, 1, builders) == []


def test_a_fault_run_is_named_after_its_fault_and_injects_at_its_site_only():
    target = _target(_contract())
    (variant, _) = variants(
        _plain(Call(target, Site("app.py", 3, "send"))), Mode.EACH, 1, _builders(target.contract)
    )
    run = Run("test_app.py::test_send[a]", "test_send[a]", variant)
    assert run.nodeid == "test_app.py::test_send[a-fault:svc.ServiceTimeout@Client.check]"
    assert run.shown_domain == "test_send[a-fault:svc.ServiceTimeout@Client.check]"
    assert run.fault_for(target, Site("app.py", 4, "send")) is None
    name, error = run.fault_for(target, Site("app.py", 3, "send"))
    assert name == "svc.ServiceTimeout" and isinstance(error, Exception)
    assert run.judge(None, False, str) is None  # nothing injected yet: not exercised
    run.hear(Call(target, Site("app.py", 3, "send"), error, name))
    verdict = run.judge(None, False, str)
    assert (verdict.ok, verdict.word) == (True, "degraded") and run.verdict is verdict


# --- the ledger and the summary -------------------------------------------------------------------


def _verdict(call: Call, ok: bool, word: str) -> Verdict:
    return Verdict(ok, word, word, call)


def test_the_summary_maps_sites_under_fault_only_reached_and_never_reached():
    contract = _contract(CONTRACT)
    target = _target(contract)
    buy = _target(contract, "svc.Client.buy", "Client.buy")
    code = CodeMap("/p", ["test_*.py"])
    session = FaultSession([contract], Mode.EACH, 5, code)
    sent, shown_ = Site("/p/app.py", 3, "send"), Site("/p/app.py", 9, "show")
    session.record(
        _plain(Call(target, sent), Call(target, shown_), Call(buy, Site("/p/app.py", 20, "pay")))
    )
    session.record(_plain())  # reached nothing
    session.record(_plain(Call(target, sent), outcome="failed"))
    builders = _builders(contract)
    (variant, *_) = variants(_plain(Call(target, sent)), Mode.EACH, 1, builders)
    for ok, word in ((False, "escaped"), (False, "escaped")):
        run = Run("test_app.py::test_send", "test_send", variant)
        run.hear(Call(target, sent, Exception(), "svc.ServiceError"))
        run.verdict = _verdict(run.calls[0], ok, word)
        session.record(run)
    skipped = Run("test_app.py::test_other", "test_other", variant)
    skipped.call_outcome = "skipped"
    session.record(skipped)
    static = StaticSites(
        {
            SiteKey("svc", 1, "/p/app.py", 3): StaticSite("send", 3),
            SiteKey("svc", 1, "/p/app.py", 30): StaticSite("Shop.list", 31),
        }
    )
    lines = session.summary(static, "/p", verbose=False)
    assert lines == [
        "svc (mode each): 2 runs under fault: 0 passed, 2 failed",
        "  [[calls]][1] fail-open: svc.Client.check*, svc.lookup",
        "    app.py:3                                 send                         under "
        "fault: failed (escaped)",
        "    app.py:9                                 show                         "
        "reached, never under fault",
        "    app.py:30                                Shop.list                    "
        "never reached by a test",
        "  [[calls]][2] fail-closed: svc.Client.buy",
        "    app.py:20                                pay                          "
        "reached, never under fault",
        "not exercised: reached no call of svc (1 test):",
        "  test_app.py::test_send",
        "not run under fault: they fail without one (1 test):",
        "  test_app.py::test_send",
        "fault runs that reached no call this time (skipped) (1 test):",
        "  test_app.py::test_other[fault:svc.ServiceError@Client.check]",
    ]
    unknown = session.summary(
        StaticSites(error="contractlint check failed: OSError: x"), "/p", False
    )
    assert (
        "  call sites no test reached: unknown (contractlint check failed: OSError: x)" in unknown
    )
    assert not any("never reached" in line for line in unknown)


def test_the_header_names_each_contract_and_the_seed_that_replays_a_random_run(tmp_path):
    contract = _contract()
    session = FaultSession([contract], Mode.RANDOM, 42, CodeMap("/p", []))
    assert session.header("/elsewhere") == (
        "contract faults: svc (svc.toml); mode random, seed 42 "
        "(--contract-faults-seed 42 replays it)"
    )


# --- whose code a file is -------------------------------------------------------------------------


def _raise_from(path: str, source: str) -> BaseException:
    namespace: dict = {}
    exec(compile(source, path, "exec"), namespace)
    try:
        namespace["f"]()
    except BaseException as exc:
        return exc
    raise AssertionError("f() did not raise")


def test_an_exception_is_the_tests_own_when_its_innermost_project_frame_is_a_test_file(tmp_path):
    code = CodeMap(str(tmp_path), ["test_*.py", "check_*.py"])
    assert code.is_test_code(str(tmp_path / "check_app.py")) and code.is_test_code("conftest.py")
    assert not code.is_test_code(str(tmp_path / "app.py"))
    assert code.own_failure(
        _raise_from(str(tmp_path / "test_app.py"), "def f():\n    assert 1 == 2\n")
    )
    assert not code.own_failure(_raise_from(str(tmp_path / "app.py"), "def f():\n    1 / 0\n"))
    # Outside the project no frame tells: an assertion is taken for the test's, anything
    # else is not.
    assert code.own_failure(_raise_from("/elsewhere/lib.py", "def f():\n    assert False\n"))
    assert not code.own_failure(_raise_from("/elsewhere/lib.py", "def f():\n    1 / 0\n"))


# --- the layer ------------------------------------------------------------------------------------


def test_the_plugin_spells_the_fault_injectors_modes():
    # that the fault injector imports neither pytest nor libcst is an import-linter contract
    # (pyproject.toml, tests/test_layers.py)
    assert MODES == tuple(m.value for m in Mode)
