"""Whose code a file is: the tests' own, the project's, or an installed library's.

Calls written in a test file arrange the world or inspect it, so they are not faulted by a fault
run; and an exception whose innermost frame in the project is a test file is the test's own failure
(an ``assert`` on the degraded result), not a crash of the code under test.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Iterable


class CodeMap:
    """The project's root and the test file patterns (pytest's ``python_files``, and
    conftest.py)."""

    def __init__(self, root: str, test_patterns: Iterable[str]):
        self.root = root
        self._patterns = [*test_patterns, "conftest.py"]
        self._test_code: dict[str, bool] = {}
        self._outside = {sys.prefix, sys.base_prefix, sys.exec_prefix}

    def is_test_code(self, path: str) -> bool:
        known = self._test_code.get(path)
        if known is None:
            name = os.path.basename(path)
            known = self._test_code[path] = any(fnmatch.fnmatch(name, p) for p in self._patterns)
        return known

    def is_project(self, path: str) -> bool:
        path = os.path.abspath(path)
        if not path.startswith(self.root + os.sep):
            return False
        if "site-packages" in path or "dist-packages" in path:
            return False
        return not any(path.startswith(p + os.sep) for p in self._outside)

    def own_failure(self, exc: BaseException) -> bool:
        """Whether ``exc`` came from the test's own code: its innermost project frame is a test file
        (with no project frame at all, an ``AssertionError`` is taken for the test's)."""
        frames = []
        tb = exc.__traceback__
        while tb is not None:
            frames.append(tb.tb_frame.f_code.co_filename)
            tb = tb.tb_next
        for path in reversed(frames):
            if self.is_project(path):
                return self.is_test_code(path)
        return isinstance(exc, AssertionError)
