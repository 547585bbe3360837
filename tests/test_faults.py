"""The fault session's pieces on plain data, without an inner pytest session: the verdict, the runs a
test calls for, the ledger of what they reached, the summary, and whose code a file is.
"""

from __future__ import annotations

import sys

import pytest

from contractlint.faults.inject import Call, Site
from contractlint.faults.verdict import judge

# --- the verdict, on plain data -------------------------------------------------------------------------


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
        "KeyError was raised while handling svc.ServiceError injected into the call to svc.Client.check at app.py:7 "
        "(greet); the contract says fail closed: raise from the error"
    )
