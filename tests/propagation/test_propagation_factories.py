"""Clients made by the project's own code: factories (in another module, inside a carrier, that may
return something else), properties, clients held by a base class, and the methods that operators,
builtins and constructors run (``x in cache``, ``len(x)``, ``__init__``)."""

from __future__ import annotations

import pytest
from propagating import REQ_ERRORS, cap, check, only, place, req, rows

# -- factories, properties, clients held by a base class -------------------------------------------

FACTORY = (
    "import requests\n\n\ndef get_session() -> requests.Session:\n    return requests.Session()\n"
)
# a carrier that calls the factory
FACTORY_AND_CARRIER = {
    "app/factory.py": FACTORY,
    "app/svc.py": "from app.factory import get_session\n\n\ndef load(url):\n"
    "    return get_session().get(url)\n",
}
CARRIER_WITH_A_ROOT_CALLER = {
    **FACTORY_AND_CARRIER,
    "app/views.py": "from app.svc import load\n\n\ndef show():\n    return load('http://x.invalid')\n",
}


@pytest.mark.parametrize(
    "factory",
    [
        """
    import requests


    def get_session() -> requests.Session:
        session = requests.Session()
        session.headers["x"] = "y"
        return session
    """,
        """
    import requests


    def get_session():
        if True:
            return requests.Session()
        return requests.Session()
    """,
    ],
)
def test_factory_in_another_module(root, factory):
    report = check(
        root,
        {
            "app/factory.py": factory,
            "app/views.py": """
            from app.factory import get_session

            get_session().get("http://x.invalid")


            def load(url):
                return get_session().post(url)
        """,
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 3, 1, "CL001"), ("app/views.py", 7, 12, "CL001")]
    first, second = report.findings
    assert first.callee == "requests.sessions.Session.get"
    assert second.callee == "requests.sessions.Session.post"
    assert (
        f"Session.post() is not guarded: requests error {REQ_ERRORS} escape here" in second.message
    )
    assert [c.state for c in report.calls if c.path == "app/views.py"] == ["broken", "broken"]


def test_factory_call_inside_a_carrier_guarded_by_its_caller(root):
    report = check(
        root,
        {
            **FACTORY_AND_CARRIER,
            "app/views.py": """
            import requests

            from app.svc import load


            def show():
                try:
                    return load("http://x.invalid")
                except requests.RequestException:
                    return None
        """,
        },
        [req()],
    )
    assert rows(report) == []
    assert [(c.path, c.span.line, c.state) for c in report.calls] == [("app/svc.py", 5, "kept")]


def test_factory_call_inside_a_carrier_with_a_root_caller(root):
    report = check(
        root,
        CARRIER_WITH_A_ROOT_CALLER,
        [req()],
    )
    finding = only(report)
    assert place(finding) == ("app/views.py", 5, 12, "CL001")
    assert finding.via == ("load", "Session.get")
    assert finding.origins == ("app/svc.py:5:12",)


def test_factory_call_inside_a_carrier_with_a_root_caller_is_not_kept(root):
    report = check(
        root,
        CARRIER_WITH_A_ROOT_CALLER,
        [req()],
    )
    assert [(c.path, c.span.line, c.state, c.reported_up) for c in report.calls] == [
        ("app/svc.py", 5, "broken", True)
    ]


def test_factory_call_guarded_is_kept(root):
    report = check(
        root,
        {
            "app/factory.py": FACTORY,
            "app/views.py": """
            import requests

            from app.factory import get_session


            def load(url):
                try:
                    return get_session().post(url)
                except (requests.ConnectionError, requests.Timeout):
                    return None
        """,
        },
        [req()],
    )
    assert rows(report) == []
    assert [(c.path, c.span.line, c.state) for c in report.calls] == [("app/views.py", 8, "kept")]


def test_factory_that_may_return_a_client_or_something_else_makes_either(root):
    # Every return gives an instance: the result may be a Session, so its get() may
    # reach the server.
    report = check(
        root,
        {
            "app/factory.py": """
            import requests


            def get_session(plain):
                if plain:
                    return object()
                return requests.Session()
        """,
            "app/views.py": "from app.factory import get_session\n\nget_session(False).get('http://x.invalid')\n",
        },
        [req()],
    )
    assert [(r[0], r[1], r[3]) for r in rows(report)] == [("app/views.py", 3, "CL001")]


def test_function_with_a_return_of_something_unknown_is_not_a_factory(root):
    report = check(
        root,
        {
            "app/factory.py": """
            import requests


            def get_session(plain, given):
                if plain:
                    return given
                return requests.Session()
        """,
            "app/views.py": "from app.factory import get_session\n\nget_session(False, None).get('http://x.invalid')\n",
        },
        [req()],
    )
    assert rows(report) == []


def test_property_returning_the_client(root):
    report = check(
        root,
        {
            "app/api.py": """
            import requests


            class Api:
                @property
                def session(self) -> requests.Session:
                    return requests.Session()

                def load(self, url):
                    return self.session.get(url)
        """,
        },
        [req()],
    )
    finding = only(report)
    assert place(finding) == ("app/api.py", 10, 16, "CL001")
    assert finding.callee == "requests.sessions.Session.get"


def test_client_held_by_a_base_class_in_another_module(root):
    report = check(
        root,
        {
            "app/base.py": """
            import requests


            class Base:
                def __init__(self):
                    self.http = requests.Session()
        """,
            "app/sub.py": """
            from app.base import Base


            class Sub(Base):
                def load(self, url):
                    return self.http.get(url)
        """,
        },
        [req()],
    )
    finding = only(report)
    assert place(finding) == ("app/sub.py", 6, 16, "CL001")
    assert finding.scope == "Sub.load"


def test_capability_client_from_a_project_factory(root):
    report = check(
        root,
        {
            "app/clients.py": """
            from capability_client import CapabilityClient


            def client() -> CapabilityClient:
                return CapabilityClient()
        """,
            "app/views.py": """
            from app.clients import client


            def show(user, sticker):
                return client().check(user, sticker)
        """,
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/views.py", 5, "CL001")
    assert "CapabilityClient.check() is not guarded" in finding.message


def test_operators_and_builtins_that_run_a_method_are_calls_of_it(root):
    # ``x in cache`` runs Cache.__contains__ and ``len(cache)`` Cache.__len__: their
    # errors arrive there.
    report = check(
        root,
        {
            "app/cache.py": """
            import requests


            class Cache:
                def __contains__(self, key):
                    return requests.head(f"http://cache.invalid/{key}", timeout=1).ok

                def __len__(self):
                    return int(requests.get("http://cache.invalid/size", timeout=1).text)
        """,
            "app/views.py": """
            import requests

            from app.cache import Cache


            def lookup(key, cache: Cache):
                if key in cache:
                    return key
                try:
                    return len(cache)
                except requests.RequestException:
                    return 0
        """,
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/views.py", 7, "CL001")
    assert finding.via == ("Cache.__contains__", "requests.head")


def test_a_constructor_call_runs_init_also_an_inherited_one(root):
    report = check(
        root,
        {
            "app/client.py": """
            import requests


            class Base:
                def __init__(self, url):
                    self.version = requests.get(url + "/version", timeout=1).text


            class Client(Base):
                pass
        """,
            "app/views.py": """
            import requests

            from app.client import Client


            def connect(url):
                return Client(url)


            def safe_connect(url):
                try:
                    return Client(url)
                except requests.RequestException:
                    return None
        """,
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code, finding.scope) == (
        "app/views.py",
        7,
        "CL001",
        "connect",
    )
    assert finding.via == ("Base.__init__", "requests.get")
