"""A consumer project for the pytest plugin's tests: a stub service ``svc``, its
contract, an app, its tests.

Each test writes one with ``project`` into a ``pytester`` folder, then runs the
consumer's tests with and without ``--contract-faults`` (``run``) and reads the outcomes
pytest reports (``outcomes``).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

SVC = '''
"""A stub service client, as a service team ships it."""


class ServiceError(Exception):
    pass


class ServiceTimeout(ServiceError, TimeoutError):
    pass


class ServiceDown(ServiceError, ConnectionError):
    pass


class ServiceRefused(ServiceError):
    def __init__(self, code, reason):
        super().__init__(f"{code} {reason}")
        self.code = code


class Client:
    def check(self, user):
        return user == "alice"

    async def check_async(self, user):
        return self.check(user)

    def buy(self, user):
        return "receipt"

    @staticmethod
    def version():
        return "1.0"


def lookup(user):
    return Client().check(user)


def make_refused():
    return ServiceRefused(503, "service unavailable")
'''

CONTRACT = """
version = 1

[contract]
name = "svc"
summary = "A stub service"
owner = "tests"

[errors]
"svc.ServiceError" = ["Exception"]
"svc.ServiceTimeout" = ["svc.ServiceError", "TimeoutError"]
"svc.ServiceDown" = ["svc.ServiceError", "ConnectionError"]
"svc.ServiceRefused" = ["svc.ServiceError"]

[[calls]]
match = ["svc.Client.check*", "svc.lookup"]
raises = ["svc.ServiceError"]
policy = "fail-open"
fallback = "False"

[[calls]]
match = ["svc.Client.buy"]
raises = ["svc.ServiceError"]
policy = "fail-closed"
"""


def project(
    pytester: pytest.Pytester, app: str, tests: str, contract: str = CONTRACT, **files: str
) -> None:
    """The service, its contract, a consumer ``app.py`` and its tests ``test_app.py``."""
    pytester.makepyfile(
        svc=SVC,
        app=textwrap.dedent(app),
        test_app=textwrap.dedent(tests),
        **{k: textwrap.dedent(v) for k, v in files.items()},
    )
    (pytester.path / "svc.toml").write_text(textwrap.dedent(contract))
    pytester.syspathinsert()


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """An inner session in this process; hypothesis's plugin is left out (it re-imports
    hypothesis: seconds)."""
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


def outcomes(result: pytest.RunResult) -> dict:
    """``{nodeid: outcome}`` from the ``-rA`` summary lines, for ids without spaces."""
    out = {}
    for line in result.outlines:
        for word in ("PASSED", "FAILED", "SKIPPED", "ERROR"):
            if line.startswith(word + " "):
                out[line.split(" ")[1]] = word
    return out


def line_of(pytester: pytest.Pytester, name: str, text: str) -> int:
    lines = (pytester.path / name).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


#: An app whose call of the service degrades: it catches the contract's error and answers False.
GUARDED = """
    import svc


    def greet(user):
        try:
            return svc.Client().check(user)
        except svc.ServiceError:
            return False
    """
