"""Following service errors through the project's own functions (``contractlint.propagation``):
helpers and the callers that guard them, names across modules, methods through ``self`` and
instances, overrides, recursion, the callers' own handlers, and the calls that do not count (from
tests, or with ``follow-calls`` off)."""

from __future__ import annotations

import pytest
from propagating import (
    CAP_CLIENT,
    CAP_VIA,
    REQ_CLIENT,
    REQ_ERRORS,
    cap,
    check,
    only,
    place,
    req,
    rows,
)
from trees import write

from contractlint.config import Config
from contractlint.engine import check_paths

# -- a helper and its callers ------------------------------------------------------------------


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
    assert place(finding) == ("app/views.py", 13, 12, "CL001")
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
    assert place(finding) == ("app/views.py", 5, 12, "CL001")
    assert finding.message == (
        "app.client.fetch() is not guarded: capability-server error "
        "capability_client.CapabilityError escapes here "
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
    assert place(finding) == ("app/views.py", 5, 12, "CL001")
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


# -- names across modules, methods, instances, overrides -------------------------------------------


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
    assert place(finding) == ("app/views.py", 5, 12, "CL001")
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
    assert place(finding) == ("app/views.py", 9, 16, "CL001")
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
    assert place(finding) == ("app/jobs.py", 3, 16, "CL001")
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
            "app/views.py": "from app.base import Sub\n\n\ndef show():\n"
            "    return Sub().helper()\n",
        },
        [req()],
    )
    finding = only(report)
    assert place(finding) == ("app/views.py", 5, 12, "CL001")
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
        "requests error requests.exceptions.ConnectionError escapes here via load "
        "-> fetch -> requests.get" in escape.message
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
    assert place(finding) == ("app/buy.py", 9, 5, "CL001")
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


# -- callers' handlers ---------------------------------------------------------------------------


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
    assert place(finding) == ("app/views.py", 8, 16, "CL002")
    assert finding.message == (
        "app.client.fetch() is guarded by the try at line 7, but requests error "
        "requests.exceptions.ConnectionError "
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


# -- tests are not callers; follow-calls off --------------------------------------------------


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
    """Whether a file is a test is a matter of its path in the project, not of where
    the project is."""
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
