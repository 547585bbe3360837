"""Following service errors through the project's own functions (``contractlint.propagation``):
helpers, methods, factories, declared channels, re-raises, and the engine's glue around them."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from pathlib import Path

import pytest
from exampleclient import CONTRACT, MODULE
from trees import write

from contractlint.analysis.functions import docstring_raises
from contractlint.config import Config, load_config
from contractlint.contracts import load_contract
from contractlint.engine import check_paths
from contractlint.errors import UserError

REPO = Path(__file__).resolve().parents[2]
CAPABILITY = CONTRACT
REQUESTS = REPO / "rules" / "requests.toml"
CLIENT_STUB = MODULE

CAP_VIA = "via {chain}, and nothing up the call chain handles it; the contract says fail open"
REQ_ERRORS = "requests.exceptions.ConnectionError, requests.exceptions.Timeout"


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A project under tmp_path, the working directory (so findings show ``app/views.py``)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(
        CLIENT_STUB.parent,
        tmp_path / "capability_client",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    return tmp_path


def cap():
    return load_contract(str(CAPABILITY))


def req():
    return load_contract(str(REQUESTS))


def check(
    root: Path,
    files: dict[str, str],
    contracts,
    paths: Sequence[str] = ("app",),
    config: Config | None = None,
    **options,
):
    write(root, files, lstrip=True)
    return check_paths(list(paths), config or Config(root=str(root)), contracts, **options)


def rows(report):
    return [(f.path, f.span.line, f.span.column, f.code) for f in report.findings]


def only(report):
    assert len(report.findings) == 1, [
        (r, f.message) for r, f in zip(rows(report), report.findings)
    ]
    return report.findings[0]


CAP_CLIENT = """
from capability_client import CapabilityClient


def fetch(user, sticker):
    return CapabilityClient().check(user, sticker)
"""


# -- 1, 2: a helper and its callers ------------------------------------------------------------------


def test_helper_whose_every_caller_guards_is_not_reported(root):
    report = check(
        root,
        {
            "app/client.py": CAP_CLIENT,
            "app/views.py": """
            from capability_client import Capability, CapabilityError
            from .client import fetch


            def show(user, sticker):
                try:
                    return fetch(user, sticker)
                except CapabilityError:
                    return Capability.static_only()


            def send(user, sticker):
                try:
                    return fetch(user, sticker)
                except CapabilityError:
                    return Capability.static_only()
        """,
        },
        [cap()],
    )
    assert rows(report) == []
    inner = [c for c in report.calls if c.path == "app/client.py"]
    assert [(c.span.line, c.callee, c.state, c.reported_up) for c in inner] == [
        (5, "capability_client.CapabilityClient.check", "kept", False)
    ]


def test_helper_with_one_unguarded_caller_is_reported_there_only(root):
    report = check(
        root,
        {
            "app/client.py": CAP_CLIENT,
            "app/views.py": """
            from capability_client import Capability, CapabilityError
            from .client import fetch


            def show(user, sticker):
                try:
                    return fetch(user, sticker)
                except CapabilityError:
                    return Capability.static_only()


            def send(user, sticker):
                return fetch(user, sticker)
        """,
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        13,
        12,
        "CL001",
    )
    assert finding.scope == "send"
    assert finding.via == ("fetch", "CapabilityClient.check")
    assert finding.origins == ("app/client.py:5:12",)


def test_root_caller_of_helper_function(root):
    report = check(
        root,
        {
            "app/client.py": CAP_CLIENT,
            "app/views.py": """
            from .client import fetch


            def show(user, sticker):
                return fetch(user, sticker)
        """,
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        5,
        12,
        "CL001",
    )
    assert finding.message == (
        "app.client.fetch() is not guarded: capability-server error capability_client.CapabilityError escapes here "
        + CAP_VIA.format(chain="fetch -> CapabilityClient.check")
    )
    assert finding.via == ("fetch", "CapabilityClient.check")
    assert finding.origins == ("app/client.py:5:12",)
    assert finding.contract == "capability-server"
    # the inner call keeps no contract: its error is reported further up
    assert [(c.path, c.span.line, c.state, c.reported_up) for c in report.calls] == [
        ("app/client.py", 5, "broken", True)
    ]


def test_root_caller_of_helper_method(root):
    report = check(
        root,
        {
            "app/client.py": """
            from capability_client import CapabilityClient


            class Api:
                def fetch(self, user, sticker):
                    return CapabilityClient().check(user, sticker)
        """,
            "app/views.py": """
            from .client import Api


            def show(user, sticker):
                return Api().fetch(user, sticker)
        """,
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        5,
        12,
        "CL001",
    )
    assert "Api.fetch() is not guarded" in finding.message
    assert "escapes here via Api.fetch -> CapabilityClient.check" in finding.message
    assert finding.via == ("Api.fetch", "CapabilityClient.check")
    assert finding.origins == ("app/client.py:6:16",)


def test_two_levels_of_helpers_give_the_whole_chain(root):
    report = check(
        root,
        {
            "app/client.py": CAP_CLIENT,
            "app/service.py": """
            from app.client import fetch


            def lookup(user, sticker):
                return fetch(user, sticker)
        """,
            "app/views.py": """
            from app import service


            def show(user, sticker):
                return service.lookup(user, sticker)
        """,
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/views.py", 5, "CL001")
    assert finding.via == ("lookup", "fetch", "CapabilityClient.check")
    assert "escapes here via lookup -> fetch -> CapabilityClient.check" in finding.message
    assert finding.origins == ("app/client.py:5:12",)


# -- 3: names across modules, methods, instances, overrides --------------------------------------------

REQ_CLIENT = """
import requests

URL = "http://example.invalid"


def fetch(url=URL):
    return requests.get(url, timeout=1)
"""


@pytest.mark.parametrize(
    "imports, call",
    [
        ("from .client import fetch", "fetch()"),
        ("from . import client", "client.fetch()"),
        ("from .client import fetch as get_it", "get_it()"),
        ("from app.client import fetch", "fetch()"),
        ("import app.client", "app.client.fetch()"),
        ("from app import client", "client.fetch()"),
    ],
)
def test_imports_of_the_helper(root, imports, call):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": f"{imports}\n\n\ndef show():\n    return {call}\n",
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        5,
        12,
        "CL001",
    )
    assert finding.via == ("fetch", "requests.get")
    assert finding.origins == ("app/client.py:7:12",)
    assert f"{REQ_ERRORS} escape here via fetch -> requests.get" in finding.message
    assert finding.message.endswith("the contract says handle the failure")


def test_reexport_through_package_init(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/__init__.py": "from .client import fetch\n",
            "app/views.py": "from app import fetch\n\n\ndef show():\n    return fetch()\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 5, 12, "CL001")]
    assert report.findings[0].via == ("fetch", "requests.get")


def test_method_through_self(root):
    report = check(
        root,
        {
            "app/views.py": """
            import requests


            class View:
                def helper(self):
                    return requests.get("http://x.invalid", timeout=1)

                def handle(self):
                    return self.helper()
        """,
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        9,
        16,
        "CL001",
    )
    assert finding.scope == "View.handle"
    assert finding.via == ("View.helper", "requests.get")
    assert finding.origins == ("app/views.py:6:16",)


def test_method_through_self_guarded_by_its_caller(root):
    report = check(
        root,
        {
            "app/views.py": """
            import requests


            class View:
                def helper(self):
                    return requests.get("http://x.invalid", timeout=1)

                def handle(self):
                    try:
                        return self.helper()
                    except requests.RequestException:
                        return None
        """,
        },
        [req()],
    )
    assert rows(report) == []
    assert [c.state for c in report.calls] == ["kept"]


def test_instance_of_project_class_in_function_and_at_module_level(root):
    report = check(
        root,
        {
            "app/service.py": """
            import requests


            class Service:
                def send(self, data):
                    return requests.post("http://x.invalid", data=data, timeout=1)
        """,
            "app/views.py": """
            from app.service import Service


            def handle(data):
                svc = Service()
                return svc.send(data)


            SVC = Service()
            SVC.send({})
        """,
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 6, 12, "CL001"), ("app/views.py", 10, 1, "CL001")]
    assert [f.via for f in report.findings] == [("Service.send", "requests.post")] * 2
    assert [f.origins for f in report.findings] == [("app/service.py:6:16",)] * 2


def test_subclass_override_called_through_self_in_the_base(root):
    report = check(
        root,
        {
            "app/jobs.py": """
            class Job:
                def run(self):
                    return self.execute()

                def execute(self):
                    return None
        """,
            "app/fetch_job.py": """
            import requests

            from app.jobs import Job


            class FetchJob(Job):
                def execute(self):
                    return requests.get("http://x.invalid", timeout=1)
        """,
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/jobs.py",
        3,
        16,
        "CL001",
    )
    assert finding.scope == "Job.run"
    assert finding.via == ("FetchJob.execute", "requests.get")
    assert finding.origins == ("app/fetch_job.py:8:16",)


def test_inherited_method_through_a_subclass_instance(root):
    report = check(
        root,
        {
            "app/base.py": """
            import requests


            class Base:
                def helper(self):
                    return requests.get("http://x.invalid", timeout=1)


            class Sub(Base):
                pass
        """,
            "app/views.py": "from app.base import Sub\n\n\ndef show():\n    return Sub().helper()\n",
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        5,
        12,
        "CL001",
    )
    assert finding.via == ("Base.helper", "requests.get")
    assert finding.origins == ("app/base.py:6:16",)


def test_partial_guard_in_an_intermediate_carrier(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/svc.py": """
            import requests

            from app.client import fetch


            def load():
                try:
                    return fetch()
                except requests.Timeout:
                    return None
        """,
            "app/views.py": "from app.svc import load\n\n\ndef show():\n    return load()\n",
        },
        [req()],
    )
    assert rows(report) == [("app/svc.py", 8, 16, "CL002"), ("app/views.py", 5, 12, "CL001")]
    partial, escape = report.findings
    assert partial.via == ("fetch", "requests.get")
    assert escape.via == ("load", "fetch", "requests.get")
    assert (
        "requests error requests.exceptions.ConnectionError escapes here via load -> fetch -> requests.get"
        in escape.message
    )
    assert escape.origins == partial.origins == ("app/client.py:7:12",)


def test_mutual_recursion_ends_and_reports_at_the_root(root):
    report = check(
        root,
        {
            "app/m.py": """
            import requests


            def a(n):
                if n:
                    return b(n - 1)
                return requests.get("http://x.invalid", timeout=1)


            def b(n):
                return a(n)


            def main():
                return a(3)
        """,
        },
        [req()],
    )
    assert rows(report) == [("app/m.py", 15, 12, "CL001")]
    assert report.findings[0].via == ("a", "requests.get")


def test_fail_closed_group_through_a_helper(root):
    report = check(
        root,
        {
            "app/buy.py": """
            from capability_client import CapabilityClient


            def grant(user, sticker):
                CapabilityClient().grant(user, sticker)


            def buy(user, sticker):
                grant(user, sticker)
        """,
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/buy.py",
        9,
        5,
        "CL001",
    )
    assert finding.via == ("grant", "CapabilityClient.grant")
    assert finding.message.endswith("the contract says fail closed")


def test_fail_closed_caller_that_recovers_is_cl003(root):
    report = check(
        root,
        {
            "app/buy.py": """
            from capability_client import CapabilityClient, CapabilityError


            def grant(user, sticker):
                CapabilityClient().grant(user, sticker)


            def buy(user, sticker):
                try:
                    grant(user, sticker)
                except CapabilityError:
                    return False
                return True
        """,
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/buy.py", 10, "CL003")
    assert "can finish without raising, but the contract says fail closed" in finding.message
    assert finding.via == ("grant", "CapabilityClient.grant")


def test_recursion_does_not_make_a_caller(root):
    report = check(
        root,
        {
            "app/client.py": """
            import requests


            def fetch(url, depth=0):
                if depth > 2:
                    return None
                requests.get(url, timeout=1)
                return fetch(url, depth + 1)
        """,
        },
        [req()],
    )
    assert rows(report) == [("app/client.py", 7, 5, "CL001")]


# -- 4: factories, properties, clients held by a base class ----------------------------------------------


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
            "app/factory.py": "import requests\n\n\ndef get_session() -> requests.Session:\n    return requests.Session()\n",
            "app/svc.py": "from app.factory import get_session\n\n\ndef load(url):\n    return get_session().get(url)\n",
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
        {
            "app/factory.py": "import requests\n\n\ndef get_session() -> requests.Session:\n    return requests.Session()\n",
            "app/svc.py": "from app.factory import get_session\n\n\ndef load(url):\n    return get_session().get(url)\n",
            "app/views.py": "from app.svc import load\n\n\ndef show():\n    return load('http://x.invalid')\n",
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        5,
        12,
        "CL001",
    )
    assert finding.via == ("load", "Session.get")
    assert finding.origins == ("app/svc.py:5:12",)


def test_factory_call_inside_a_carrier_with_a_root_caller_is_not_kept(root):
    report = check(
        root,
        {
            "app/factory.py": "import requests\n\n\ndef get_session() -> requests.Session:\n    return requests.Session()\n",
            "app/svc.py": "from app.factory import get_session\n\n\ndef load(url):\n    return get_session().get(url)\n",
            "app/views.py": "from app.svc import load\n\n\ndef show():\n    return load('http://x.invalid')\n",
        },
        [req()],
    )
    assert [(c.path, c.span.line, c.state, c.reported_up) for c in report.calls] == [
        ("app/svc.py", 5, "broken", True)
    ]


def test_factory_call_guarded_is_kept(root):
    report = check(
        root,
        {
            "app/factory.py": "import requests\n\n\ndef get_session() -> requests.Session:\n    return requests.Session()\n",
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
    # Every return gives an instance: the result may be a Session, so its get() may reach the server.
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
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/api.py",
        10,
        16,
        "CL001",
    )
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
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/sub.py",
        6,
        16,
        "CL001",
    )
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


# -- 5: declared channels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        # Google
        '''"""Fetch it.

    Raises:
        requests.RequestException: when the server is down.
    """''',
        # Google, by the short name of a base
        '''"""Fetch it.

    Raises:
        RequestException: when the server is down.
    """''',
        # NumPy
        '''"""Fetch it.

    Raises
    ------
    requests.RequestException
        When the server is down.
    """''',
        # Sphinx
        '''"""Fetch it.

    :param url: where.
    :raises requests.RequestException: when the server is down.
    """''',
        # Sphinx, both errors named one by one
        '''"""Fetch it.

    :raises requests.ConnectionError: when the server is down.
    :raises requests.Timeout: when it is slow.
    """''',
    ],
)
def test_docstring_declares_the_error(root, doc):
    body = textwrap.indent(textwrap.dedent(doc), "    ")
    report = check(
        root,
        {
            "app/client.py": f"import requests\n\n\ndef fetch(url):\n{body}\n    return requests.get(url, timeout=1)\n",
        },
        [req()],
    )
    assert rows(report) == []


@pytest.mark.parametrize(
    "doc",
    [
        '''"""Fetch it.

    Raises:
        ValueError: when the url is bad.
    """''',
        # only one of the two errors is declared
        '''"""Fetch it.

    Raises:
        requests.Timeout: when it is slow.
    """''',
    ],
)
def test_docstring_naming_another_error_does_not_count(root, doc):
    body = textwrap.indent(textwrap.dedent(doc), "    ")
    report = check(
        root,
        {
            "app/client.py": f"import requests\n\n\ndef fetch(url):\n{body}\n    return requests.get(url, timeout=1)\n",
        },
        [req()],
    )
    line = 4 + len(body.splitlines()) + 1
    assert rows(report) == [("app/client.py", line, 12, "CL001")]


def test_declared_carrier_is_still_followed_to_its_callers(root):
    report = check(
        root,
        {
            "app/client.py": '''
            import requests


            def fetch(url):
                """Raises:
                    requests.RequestException: when the server is down.
                """
                return requests.get(url, timeout=1)
        ''',
            "app/views.py": "from app.client import fetch\n\n\ndef show():\n    return fetch('http://x.invalid')\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 5, 12, "CL001")]
    assert report.findings[0].via == ("fetch", "requests.get")


def test_capability_docstring_declares_a_base(root):
    report = check(
        root,
        {
            "app/client.py": '''
            from capability_client import CapabilityClient


            def fetch(user, sticker):
                """Check.

                Raises:
                    CapabilityError: when capability-server is down.
                """
                return CapabilityClient().check(user, sticker)
        ''',
        },
        [cap()],
    )
    assert rows(report) == []


def test_propagate_globs_of_the_configuration(root):
    files = {
        "app/adapters.py": REQ_CLIENT,
        "app/other.py": REQ_CLIENT,
    }
    report = check(
        root, files, [req()], config=Config(root=str(root), propagate=("app.adapters.*",))
    )
    assert rows(report) == [("app/other.py", 7, 12, "CL001")]
    report = check(root, files, [req()])
    assert rows(report) == [("app/adapters.py", 7, 12, "CL001"), ("app/other.py", 7, 12, "CL001")]


def test_propagate_glob_star_stays_within_one_dotted_part(root):
    files = {
        "app/adapters.py": """
        import requests


        class Api:
            def fetch(self):
                return requests.get("http://x.invalid", timeout=1)
    """
    }
    one = check(root, files, [req()], config=Config(root=str(root), propagate=("app.adapters.*",)))
    assert rows(one) == [("app/adapters.py", 6, 16, "CL001")]
    both = check(
        root, files, [req()], config=Config(root=str(root), propagate=("app.adapters.**",))
    )
    assert rows(both) == []
    method = check(
        root, files, [req()], config=Config(root=str(root), propagate=("app.*.Api.fetch",))
    )
    assert rows(method) == []


def test_root_caller_whose_docstring_declares_the_error(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": '''
            import requests

            from app.client import fetch


            def show():
                """Show.

                Raises:
                    requests.RequestException: when the server is down.
                """
                return fetch()
        ''',
        },
        [req()],
    )
    assert rows(report) == []
    assert [c.state for c in report.calls] == ["kept"]


def test_docstring_full_name_without_the_import(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": '''
            from app.client import fetch


            def show():
                """Show.

                Raises:
                    requests.RequestException: when the server is down.
                """
                return fetch()
        ''',
        },
        [req()],
    )
    assert rows(report) == []


def test_docstring_naming_a_subclass_does_not_declare_the_error(root):
    report = check(
        root,
        {
            "app/client.py": '''
            import requests


            def fetch(url):
                """Raises:
                    requests.ConnectTimeout: when it is slow to connect.
                    requests.ReadTimeout: when it is slow to answer.
                    requests.ConnectionError: when it is down.
                """
                return requests.get(url, timeout=1)
        ''',
        },
        [req()],
    )
    assert rows(report) == [("app/client.py", 10, 12, "CL001")]


# -- 6: re-raise in a retry loop -------------------------------------------------------------------

REQ_RETRY = """
import requests


def fetch(url):
    for attempt in range(3):
        try:
            return requests.get(url, timeout=1)
        except requests.RequestException:
            if attempt == 2:
                raise
"""

CAP_RETRY = """
from capability_client import CapabilityClient, CapabilityError


def fetch(user, sticker):
    for attempt in range(3):
        try:
            return CapabilityClient().check(user, sticker)
        except CapabilityError:
            if attempt == 2:
                raise
"""


def test_retry_reraise_guarded_by_caller_requests(root):
    report = check(
        root,
        {
            "app/client.py": REQ_RETRY,
            "app/views.py": """
            import requests

            from app.client import fetch


            def show(url):
                try:
                    return fetch(url)
                except requests.RequestException:
                    return None
        """,
        },
        [req()],
    )
    assert rows(report) == []
    assert [(c.path, c.state) for c in report.calls] == [("app/client.py", "kept")]


def test_retry_reraise_with_root_caller_requests(root):
    report = check(
        root,
        {
            "app/client.py": REQ_RETRY,
            "app/views.py": "from app.client import fetch\n\n\ndef show(url):\n    return fetch(url)\n",
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        5,
        12,
        "CL001",
    )
    assert finding.via == ("fetch", "requests.get")
    assert finding.origins == ("app/client.py:7:20",)
    assert "escape here via fetch -> requests.get" in finding.message


def test_retry_reraise_in_a_root_requests(root):
    report = check(root, {"app/client.py": REQ_RETRY}, [req()])
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/client.py",
        7,
        20,
        "CL001",
    )
    assert finding.handler_line == 8
    assert "the handler at line 8 raises" in finding.message
    assert "again, and nothing up the call chain handles them" in finding.message


def test_retry_reraise_in_a_root_fail_open_is_cl003(root):
    report = check(root, {"app/client.py": CAP_RETRY}, [cap()])
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/client.py",
        7,
        20,
        "CL003",
    )
    assert finding.handler_line == 8
    assert "the handler at line 8 raises, but the contract says fail open" in finding.message


def test_retry_reraise_guarded_by_caller_fail_open(root):
    report = check(
        root,
        {
            "app/client.py": CAP_RETRY,
            "app/views.py": """
            from capability_client import Capability, CapabilityError

            from app.client import fetch


            def show(user, sticker):
                try:
                    return fetch(user, sticker)
                except CapabilityError:
                    return Capability.static_only()
        """,
        },
        [cap()],
    )
    assert rows(report) == []


def test_a_caller_that_retries_a_carrier_and_falls_back_after_the_loop_handles_it(root):
    """The retry pattern of docs/propagation.md, at the call of a helper: ``continue`` then a fallback
    after the loop handles the error; the same loop with nothing after it swallows it (CL004)."""
    report = check(
        root,
        {
            "app/client.py": """
            from capability_client import CapabilityClient


            def fetch(user, sticker):
                return CapabilityClient().check(user, sticker)
            """,
            "app/views.py": """
            from capability_client import Capability, CapabilityError

            from app.client import fetch


            def show(user, sticker):
                for attempt in range(3):
                    try:
                        return fetch(user, sticker)
                    except CapabilityError:
                        continue
                return Capability.static_only()


            def preview(user, sticker):
                for attempt in range(3):
                    try:
                        return fetch(user, sticker)
                    except CapabilityError:
                        continue
            """,
        },
        [cap()],
    )
    assert rows(report) == [("app/views.py", 18, 20, "CL004")]


def test_retry_reraise_with_root_caller_fail_open(root):
    report = check(
        root,
        {
            "app/client.py": CAP_RETRY,
            "app/views.py": "from app.client import fetch\n\n\ndef show(user, sticker):\n    return fetch(user, sticker)\n",
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        5,
        12,
        "CL001",
    )
    assert finding.via == ("fetch", "CapabilityClient.check")
    assert finding.origins == ("app/client.py:7:20",)


# -- 7: translating an error under fail-open -----------------------------------------------------------

TRANSLATE = {
    "app/errors.py": "class Domain(Exception):\n    pass\n",
    "app/views.py": """
        from capability_client import CapabilityClient, CapabilityError

        from app.errors import Domain


        def show(user, sticker):
            try:
                return CapabilityClient().check(user, sticker)
            except CapabilityError as err:
                raise Domain() from err
    """,
}


def contract_with(tmp_path: Path, line: str, after: str = 'policy = "fail-open"') -> str:
    text = CAPABILITY.read_text()
    assert text.count(after) == 1
    path = tmp_path / "contract.toml"
    path.write_text(text.replace(after, f"{after}\n{line}"))
    return str(path)


def test_raise_from_under_fail_open_is_cl003(root):
    report = check(root, TRANSLATE, [cap()])
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/views.py", 8, "CL003")
    assert "fail open" in finding.message


def test_raise_from_listed_in_translates_to_is_allowed(root, tmp_path):
    contract = load_contract(contract_with(tmp_path, 'translates_to = ["app.errors.Domain"]'))
    assert contract.calls[0].translates_to == ("app.errors.Domain",)
    report = check(root, TRANSLATE, [contract])
    assert rows(report) == []


def test_translates_to_listing_another_error_still_cl003(root, tmp_path):
    contract = load_contract(contract_with(tmp_path, 'translates_to = ["app.errors.Other"]'))
    report = check(root, TRANSLATE, [contract])
    assert [f.code for f in report.findings] == ["CL003"]


def test_translates_to_in_a_helper_whose_caller_is_a_root(root, tmp_path):
    """The translated error is the project's own: the helper's call is not the one that lets a
    capability-server error out, so nothing is reported at its caller either."""
    contract = load_contract(contract_with(tmp_path, 'translates_to = ["app.errors.Domain"]'))
    files = dict(TRANSLATE)
    files["app/views.py"] = TRANSLATE["app/views.py"].replace("def show", "def helper")
    files["app/main.py"] = (
        "from app.views import helper\n\n\ndef main():\n    return helper('u', 's')\n"
    )
    report = check(root, files, [contract])
    assert rows(report) == []


def test_translates_to_under_fail_closed_is_a_contract_error(tmp_path):
    path = contract_with(
        tmp_path, 'translates_to = ["app.errors.Domain"]', after='policy = "fail-closed"'
    )
    with pytest.raises(UserError) as info:
        load_contract(path)
    assert len(info.value.messages) == 1
    message = info.value.messages[0]
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    assert "calls" in message and "translates_to" in message
    assert "only a fail-open group needs it" in message


# -- 8: callers' handlers ---------------------------------------------------------------------------


def test_caller_catching_part_of_the_errors_is_cl002(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": """
            import requests

            from app.client import fetch


            def show():
                try:
                    return fetch()
                except requests.Timeout:
                    return None
        """,
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.span.column, finding.code) == (
        "app/views.py",
        8,
        16,
        "CL002",
    )
    assert finding.message == (
        "app.client.fetch() is guarded by the try at line 7, but requests error requests.exceptions.ConnectionError "
        "is not caught via fetch -> requests.get"
    )
    assert finding.via == ("fetch", "requests.get")
    assert finding.origins == ("app/client.py:7:12",)


def test_caller_that_passes_is_cl004(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": """
            import requests

            from app.client import fetch


            def show():
                try:
                    return fetch()
                except requests.RequestException:
                    pass
        """,
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/views.py", 8, "CL004")
    assert finding.handler_line == 9
    assert finding.message == (
        "app.client.fetch() via fetch -> requests.get: the handler at line 9 swallows "
        f"{REQ_ERRORS} and does nothing; choose the fallback, or log it"
    )
    assert finding.via == ("fetch", "requests.get")


def test_caller_with_bare_except_is_cl005(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": """
            from app.client import fetch


            def show():
                try:
                    return fetch()
                except:
                    return None
        """,
        },
        [req()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/views.py", 6, "CL005")
    assert "is a bare `except:`" in finding.message
    assert finding.via == ("fetch", "requests.get")
    assert finding.origins == ("app/client.py:7:12",)


def test_caller_handler_that_raises_under_fail_open_is_cl003(root):
    report = check(
        root,
        {
            "app/client.py": CAP_CLIENT,
            "app/views.py": """
            from capability_client import CapabilityError

            from .client import fetch


            def show(user, sticker):
                try:
                    return fetch(user, sticker)
                except CapabilityError:
                    raise RuntimeError("down")
        """,
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/views.py", 8, "CL003")
    assert finding.via == ("fetch", "CapabilityClient.check")


# -- 9, 10: tests are not callers; follow-calls off --------------------------------------------------


@pytest.mark.parametrize(
    "test_file",
    [
        "tests/test_views.py",
        "tests/conftest.py",
        "app/test_client.py",
        "app/client_test.py",
        "conftest.py",
    ],
)
def test_calls_from_tests_are_not_callers(root, test_file):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            test_file: """
            import requests

            from app.client import fetch


            def test_fetch():
                try:
                    fetch()
                except requests.RequestException:
                    pass
        """,
        },
        [req()],
        paths=["app", test_file.split("/")[0]],
    )
    assert ("app/client.py", 7, 12, "CL001") in rows(report)
    assert not [f for f in report.findings if f.path == "app/client.py" and f.code != "CL001"]


def test_a_project_inside_a_folder_named_tests_is_not_all_tests(tmp_path, monkeypatch):
    """Whether a file is a test is a matter of its path in the project, not of where the project is."""
    monkeypatch.chdir(tmp_path)
    project = tmp_path / "tests" / "proj"
    (project / "app").mkdir(parents=True)
    (project / "app" / "__init__.py").write_text("")
    write(
        project,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": "from app.client import fetch\n\n\ndef show():\n    return fetch()\n",
        },
        lstrip=True,
    )
    report = check_paths(["tests/proj/app"], Config(root=str(project)), [req()])
    assert rows(report) == [("tests/proj/app/views.py", 5, 12, "CL001")]


def test_follow_calls_off(root):
    files = {
        "app/client.py": REQ_CLIENT,
        "app/views.py": "from app.client import fetch\n\n\ndef show():\n    return fetch()\n",
        "app/guarded.py": """
            import requests

            from app.client import fetch


            def show():
                try:
                    return fetch()
                except requests.RequestException:
                    return None
        """,
    }
    report = check(root, files, [req()], config=Config(root=str(root), follow_calls=False))
    assert rows(report) == [("app/client.py", 7, 12, "CL001")]
    finding = report.findings[0]
    assert finding.via == () and finding.origins == ()
    assert [(c.path, c.state) for c in report.calls] == [("app/client.py", "broken")]
    on = check(root, files, [req()])
    assert rows(on) == [("app/views.py", 5, 12, "CL001")]


# -- 11: the prefilter learns the helpers ------------------------------------------------------------


def test_prefilter_parses_a_module_that_only_calls_a_carrier(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": "from app.client import fetch\n\n\ndef show():\n    return fetch()\n",
            # plain.py names none of the project's carriers (``fetch``, ``show``): never parsed
            "app/plain.py": "import os\n\n\ndef cwd():\n    return os.getcwd()\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 5, 12, "CL001")]
    assert report.files_checked == 4
    assert report.files_parsed == 2  # client.py, views.py; not __init__.py nor plain.py


def test_prefilter_follows_two_levels(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/service.py": "from app.client import fetch\n\n\ndef lookup():\n    return fetch()\n",
            "app/views.py": "from app.service import lookup\n\n\ndef show():\n    return lookup()\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 5, 12, "CL001")]
    assert report.findings[0].via == ("lookup", "fetch", "requests.get")
    assert report.files_parsed == 3


def test_prefilter_learns_factories(root):
    report = check(
        root,
        {
            "app/factory.py": "import requests\n\n\ndef get_session() -> requests.Session:\n    return requests.Session()\n",
            "app/views.py": "from app.factory import get_session\n\nget_session().get('http://x.invalid')\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 3, 1, "CL001")]
    assert report.files_parsed == 2


STORE = """
    import requests


    class Base:
        pass


    class Store(Base):
        def get(self, key):
            return requests.get("http://store.invalid/" + key).text


    class CachedStore(Store):
        pass


    def open_store() -> Store:
        return Store()
    """


@pytest.mark.parametrize(
    "caller, reached",
    [
        # a method called get: the word "get" is in every file, and no test of whether one reaches it
        ("def other(d):\n    return d.get('k')\n", False),
        ("from app.store import Store\n\ndef f():\n    return Store().get('k')\n", True),
        (
            "from app.store import CachedStore\n\ndef f():\n    return CachedStore().get('k')\n",
            True,
        ),
        ("from app.store import open_store\n\ndef f():\n    return open_store().get('k')\n", True),
        ("from app import store\n\ndef f(s: store.Store):\n    return s.get('k')\n", True),
        (
            "from app.store import Store\n\nclass Mine(Store):\n    def run(self):\n        return self.get('k')\n",
            True,
        ),
        # a base of the class: most files of a package may name it; only a call of get can reach Store.get
        (
            "from app.store import Base\n\nclass Other(Base):\n    def run(self):\n        return 1\n",
            False,
        ),
        ("from app.store import Base\n\ndef f(b: Base):\n    return b.get('k')\n", True),
    ],
    ids=[
        "unrelated get",
        "class",
        "subclass",
        "factory",
        "annotation",
        "self in a subclass",
        "a base, no get",
        "a base and get",
    ],
)
def test_prefilter_searches_method_carriers_by_what_reaches_their_class(root, caller, reached):
    report = check(root, {"app/store.py": STORE, "app/caller.py": caller}, [req()])
    parsed = {"app/store.py"} | ({"app/caller.py"} if reached else set())
    assert report.files_parsed == len(parsed)
    assert {f.path for f in report.findings} == ({"app/caller.py"} if reached else {"app/store.py"})
    every = check(root, {}, [req()], use_prefilter=False)
    assert key(every) == key(report)


def test_prefilter_follows_a_mixin_and_a_renamed_export(root):
    report = check(
        root,
        {
            "app/store.py": STORE,
            "app/mixin.py": "class Fetching:\n    def fetch_all(self):\n        return self.get('all')\n",
            "app/combined.py": "from app.mixin import Fetching\nfrom app.store import Store\n\n\n"
            "class Combined(Fetching, Store):\n    pass\n",
            "app/public.py": "from app.store import open_store as connect\n",
            "app/user.py": "from app.public import connect\n\n\ndef read():\n    return connect().get('k')\n",
            "app/mixin_user.py": "from app.combined import Combined\n\n\ndef run_all():\n    return Combined().fetch_all()\n",
        },
        [req()],
    )
    assert sorted({f.path for f in report.findings}) == ["app/mixin_user.py", "app/user.py"]
    assert key(check(root, {}, [req()], use_prefilter=False)) == key(report)


@pytest.mark.parametrize(
    "files, reported",
    [
        (
            {
                "app/conf.py": "from app.store import open_store\n\nSTORE = open_store()\n",
                "app/user.py": "from app.conf import STORE\n\ndef f():\n    return STORE.get('k')\n",
            },
            "app/user.py",
        ),
        (
            {
                "app/holder.py": "from app import store\n\nclass Holder:\n    def __init__(self):\n"
                "        self.backend = store.open_store()\n",
                "app/user.py": "from app.holder import Holder\n\ndef f():\n    return Holder().backend.get('k')\n",
            },
            "app/user.py",
        ),
        (
            {
                "app/mk.py": "from app.store import open_store\n\ndef make():\n    return open_store()\n",
                "app/user.py": "from app.mk import make\n\ndef f():\n    return make().get('k')\n",
            },
            "app/user.py",
        ),
    ],
    ids=["module-level instance", "attribute", "unannotated factory of a factory"],
)
def test_prefilter_follows_what_a_factory_makes(root, files, reported):
    # the analysis keeps ``STORE = open_store()`` as open_store's name: what it returns reaches Store.get
    report = check(root, {"app/store.py": STORE, **files}, [req()])
    assert {f.path for f in report.findings} == {reported}
    assert key(check(root, {}, [req()], use_prefilter=False)) == key(report)


@pytest.mark.parametrize(
    "files, reported",
    [
        (
            {
                "app/factory.py": "import requests\n\ndef make_session() -> requests.Session:\n    return requests.Session()\n",
                "app/conf.py": "from app.factory import make_session\n\nSESSION = make_session()\n",
                "app/user.py": "from app.conf import SESSION\n\ndef f():\n    return SESSION.get('http://x.invalid')\n",
            },
            "app/user.py",
        ),
        (
            {
                "app/client.py": "import requests\n\ndef __fetch():\n    return requests.get('http://x.invalid').text\n",
                "app/user.py": "from app.client import __fetch\n\ndef show():\n    return __fetch()\n",
            },
            "app/user.py",
        ),
        (
            {
                "app/client.py": "import requests\n\ndef récupéré():\n    return requests.get('http://x.invalid').text\n",
                "app/user.py": "from app.client import récupéré\n\ndef show():\n    return récupéré()\n",
            },
            "app/user.py",
        ),
    ],
    ids=[
        "a client made by a project function",
        "a name with two underscores",
        "a name with non-ASCII letters",
    ],
)
def test_prefilter_finds_clients_and_names_of_every_shape(root, files, reported):
    report = check(root, files, [req()])
    assert {f.path for f in report.findings} == {reported}
    assert key(check(root, {}, [req()], use_prefilter=False)) == key(report)


# -- 12: cache and workers ---------------------------------------------------------------------------


def key(report):
    return [
        (f.path, f.span.line, f.span.column, f.code, f.message, f.via, f.origins)
        for f in report.findings
    ]


def test_cache_and_jobs_give_the_same_findings(root, tmp_path):
    files = {
        "app/client.py": REQ_CLIENT,
        "app/service.py": "from app.client import fetch\n\n\ndef lookup():\n    return fetch()\n",
        "app/views.py": "from app.service import lookup\n\n\ndef show():\n    return lookup()\n",
        "app/partial.py": """
            import requests

            from app.client import fetch


            def show():
                try:
                    return fetch()
                except requests.Timeout:
                    return None
        """,
        "app/factory.py": "import requests\n\n\ndef get_session() -> requests.Session:\n    return requests.Session()\n",
        "app/uses.py": "from app.factory import get_session\n\nget_session().get('http://x.invalid')\n",
    }
    cold = check(root, files, [req()])
    assert len(key(cold)) == 3
    cache_dir = str(tmp_path / "cache")
    first = check(root, {}, [req()], cache_dir=cache_dir)
    warm = check(root, {}, [req()], cache_dir=cache_dir)
    parallel = check(root, {}, [req()], jobs=2)
    warm_parallel = check(root, {}, [req()], jobs=2, cache_dir=cache_dir)
    for report in (first, warm, parallel, warm_parallel):
        assert key(report) == key(cold)
        assert [(c.path, c.span, c.state) for c in report.calls] == [
            (c.path, c.span, c.state) for c in cold.calls
        ]


# -- 13: configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ("propagate = [1]", "[tool.contractlint].propagate[1]: expected a string, got int 1"),
        (
            'propagate = ["app.*", "a..b"]',
            '[tool.contractlint].propagate[2]: "a..b": it has an empty dotted part',
        ),
        (
            'follow-calls = "yes"',
            '[tool.contractlint].follow-calls: expected true or false, got "yes"',
        ),
        (
            'propagate = "app.*"',
            '[tool.contractlint].propagate: expected a list of strings, got "app.*"',
        ),
    ],
)
def test_config_problems(tmp_path, line, expected):
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[project]\nname = 'x'\n\n[tool.contractlint]\n{line}\n")
    with pytest.raises(UserError) as info:
        load_config(str(path))
    assert info.value.messages == [f"{path}:5: {expected}"]


def test_config_values(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.contractlint]\npropagate = ["app.adapters.*", "app.*.client"]\nfollow-calls = false\n'
    )
    config = load_config(str(path))
    assert config.propagate == ("app.adapters.*", "app.*.client")
    assert config.follow_calls is False
    path.write_text("[tool.contractlint]\nselect = ['CL0']\n")
    config = load_config(str(path))
    assert config.propagate == () and config.follow_calls is True


# -- 14: docstring_raises -----------------------------------------------------------------------------


def test_docstring_raises_google():
    doc = textwrap.dedent("""\
        Fetch a thing.

        Args:
            url: where.

        Raises:
            requests.ConnectionError: when the server is down.
            TimeoutError: when it is slow,
                and a continuation line that mentions ValueError: here.

        Returns:
            The thing.
    """)
    assert docstring_raises(doc) == ["requests.ConnectionError", "TimeoutError"]


def test_docstring_raises_numpy():
    doc = textwrap.dedent("""\
        Fetch a thing.

        Raises
        ------
        requests.ConnectionError
            When the server is down.
        TimeoutError
            When it is slow.

        Returns
        -------
        int
    """)
    assert docstring_raises(doc) == ["requests.ConnectionError", "TimeoutError"]


def test_docstring_raises_numpy_last_section():
    doc = "Fetch.\n\nRaises\n------\nrequests.ConnectionError\n    When down.\nKeyError\n    When missing.\n"
    assert docstring_raises(doc) == ["requests.ConnectionError", "KeyError"]


def test_docstring_raises_sphinx():
    doc = textwrap.dedent("""\
        Fetch a thing.

        :param url: where.
        :raises requests.ConnectionError: when the server is down.
        :raise TimeoutError: when it is slow.
        :returns: the thing.
    """)
    assert docstring_raises(doc) == ["requests.ConnectionError", "TimeoutError"]


def test_docstring_raises_sphinx_roles_in_google_section():
    doc = textwrap.dedent("""\
        Fetch.

        Raises:
            :exc:`~requests.ConnectionError`: when down.
            `KeyError`: when missing.
    """)
    assert docstring_raises(doc) == ["requests.ConnectionError", "KeyError"]


def test_docstring_raises_mixed():
    doc = textwrap.dedent("""\
        Fetch.

        :raises ValueError: when the url is bad.

        Raises:
            requests.Timeout: when it is slow.
    """)
    assert sorted(docstring_raises(doc)) == ["ValueError", "requests.Timeout"]


def test_docstring_raises_nothing():
    assert docstring_raises("Fetch a thing. It raises nothing: it returns None.") == []
    assert docstring_raises("Fetch.\n\nReturns:\n    None: never raises.\n") == []
    assert docstring_raises("") == []


def test_operators_and_builtins_that_run_a_method_are_calls_of_it(root):
    # ``x in cache`` runs Cache.__contains__ and ``len(cache)`` Cache.__len__: their errors arrive there.
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


def test_prefilter_keeps_a_module_that_reaches_a_carrier_through_an_operator(root):
    # app/views.py imports no HTTP client and never names __contains__, but ``key in get_cache()``
    # runs Cache.__contains__: the prefilter keeps it, so the findings are those of a full parse.
    files = {
        "app/cache.py": """
            import requests


            class Cache:
                def __contains__(self, key):
                    return requests.head(f"http://cache.invalid/{key}", timeout=1).ok


            def get_cache() -> "Cache":
                return Cache()
        """,
        "app/views.py": """
            from app.cache import get_cache


            def lookup(key):
                return key in get_cache()
        """,
    }
    kept = check(root, files, [req()])
    full = check(root, files, [req()], use_prefilter=False)
    assert rows(kept) == rows(full) == [("app/views.py", 5, 12, "CL001")]
    assert kept.files_parsed == 2


SENTINEL = """
    from capability_client import CapabilityClient, CapabilityError


    class PurchaseFailed(Exception):
        pass


    def _grant(client: CapabilityClient, user, sticker):
        try:
            client.grant(user, sticker)
        except CapabilityError:
            return False
        return True
"""


def test_a_fail_closed_sentinel_that_every_caller_tests_is_compliant(root):
    report = check(
        root,
        {
            "app/grants.py": SENTINEL
            + """

    def buy(client: CapabilityClient, user, sticker):
        if not _grant(client, user, sticker):
            raise PurchaseFailed(sticker)


    def gift(client: CapabilityClient, user, sticker):
        ok = _grant(client, user, sticker)
        if ok is False:
            raise PurchaseFailed(sticker)
        return ok
    """
        },
        [cap()],
    )
    assert rows(report) == []
    assert [c.state for c in report.calls] == ["kept"]


def test_a_caller_that_does_not_test_the_sentinel_is_cl003_there(root):
    report = check(
        root,
        {
            "app/grants.py": SENTINEL
            + """

    def buy(client: CapabilityClient, user, sticker):
        if not _grant(client, user, sticker):
            raise PurchaseFailed(sticker)


    def lend(client: CapabilityClient, user, sticker):
        ok = _grant(client, user, sticker)
        if ok is False:
            print("not granted")  # goes on: it does not fail closed
        return "lent"
    """
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.span.line, finding.code, finding.scope) == (22, "CL003", "lend")
    assert (
        "_grant() returns a value in place of raising when capability-server fails"
        in finding.message
    )
    assert finding.via == ("_grant", "CapabilityClient.grant")
    assert finding.origins == ("app/grants.py:10:9",)
    assert [c.state for c in report.calls] == ["broken"]


def test_a_sentinel_returned_by_a_function_nobody_calls_is_cl003_at_its_handler(root):
    report = check(root, {"app/grants.py": SENTINEL}, [cap()])
    finding = only(report)
    assert (finding.span.line, finding.code) == (10, "CL003")
    assert "can finish without raising, but the contract says fail closed" in finding.message
