"""Run-time fault injection: make a consumer's own tests take the path the contract says they must.

The static checks prove that a handler exists; only running it proves that the degraded path works.
This package knows nothing of pytest: ``targets`` turns a contract into the functions to patch and the
errors to raise, ``inject`` patches them and decides, call by call, whether to raise, and ``verdict``
says whether what came out of a test is what the call group's policy asks for. The pytest plugin
(``contractlint.pytest_plugin``) puts them together; nothing here imports libcst.
"""

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
