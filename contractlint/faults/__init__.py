"""Run-time fault injection: make a consumer's own tests take the path the contract says they must.

The static checks prove that a handler exists; only running it proves that the degraded path works.
This package knows nothing of pytest, nor of libcst. One module, one job:

- ``targets``: from a contract to the functions to patch and the errors to raise;
- ``inject``: patches them, and decides call by call whether to raise;
- ``verdict``: whether what came out of a test is what the call group's policy asks for;
- ``runs``: a test's plain run and the fault runs it calls for (by mode), each named after its
  fault;
- ``ledger``: what the runs reached and how they ended, per call site and per test;
- ``report``: the header line and the summary, the map of blind spots;
- ``testcode``: whose code a file is (the tests', the project's, a library's);
- ``session``: one session's state, from arming the contracts to the summary, for the plugin to
  drive;
- ``block``: faults inside one ``with`` block, for the ``contract_faults`` fixture;
- ``factories``: the ``[faults]`` factories of the builtin contracts' errors.

The pytest plugin (``contractlint.pytest_plugin``) is the adapter: its hooks drive a ``session``.
"""

from __future__ import annotations

from contractlint.faults.inject import BOARD, Call, Patcher, Site, patcher
from contractlint.faults.targets import ErrorBuilder, Resolution, Target, build_error, resolve
from contractlint.faults.verdict import Verdict, judge

__all__ = [
    "BOARD",
    "Call",
    "ErrorBuilder",
    "Patcher",
    "Resolution",
    "Site",
    "Target",
    "Verdict",
    "build_error",
    "judge",
    "patcher",
    "resolve",
]
