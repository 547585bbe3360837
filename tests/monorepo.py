"""A monorepo of several projects, for the tests of projects and partial runs: no pyproject.toml at
the top; a service with a ``src/`` layout and one laid out flat, both with a package ``app`` whose
``app.http.fetch`` differs; a namespace package under ``src/``; a project nested in a service
whose pyproject.toml has no [tool.contractlint] table (the service's configures it); and a loose
script with no project. Every error is followed through a project helper to its caller.

``EXPECTED`` is what a full run from the top reports (path from the top, line, code, via)."""

from __future__ import annotations

import textwrap
from pathlib import Path

FILES = {
    # -- billing: src/ layout, its own configuration -------------------------------------------
    "services/billing/pyproject.toml": """\
        [project]
        name = "billing"
        requires-python = ">=3.9"

        [tool.contractlint]
        contracts = ["requests"]
        """,
    "services/billing/src/app/__init__.py": "",
    "services/billing/src/app/http.py": """\
        import requests


        def fetch(url):
            return requests.get(url, timeout=5).json()
        """,
    "services/billing/src/app/views.py": """\
        import requests

        from app.http import fetch


        def show(url):
            return fetch(url)


        def safe(url):
            try:
                return fetch(url)
            except requests.RequestException:
                return None
        """,
    "services/billing/tests/test_views.py": """\
        from app.http import fetch


        def test_fetch():
            assert fetch("http://localhost") is not None
        """,
    # a project inside billing: configured by billing's table, its modules named from its folder
    "services/billing/tools/pyproject.toml": """\
        [project]
        name = "billing-tools"
        """,
    "services/billing/tools/jobs/__init__.py": "",
    "services/billing/tools/jobs/nightly.py": """\
        import requests


        def run(url):
            return requests.get(url, timeout=5)
        """,
    "services/billing/tools/jobs/cli.py": """\
        from jobs.nightly import run


        def main():
            run("http://localhost")
        """,
    # -- orders: flat layout, a pyproject.toml without the table: the defaults ------------------
    "services/orders/pyproject.toml": """\
        [project]
        name = "orders"
        """,
    "services/orders/app/__init__.py": "",
    "services/orders/app/http.py": """\
        import requests


        def fetch(url):
            try:
                return requests.get(url, timeout=5).json()
            except requests.RequestException:
                return None


        def post(url, data):
            return requests.post(url, json=data, timeout=5)
        """,
    "services/orders/app/views.py": """\
        from app.http import fetch, post


        def show(url):
            return fetch(url)


        def send(url):
            return post(url, {})
        """,
    # -- plugins: a namespace package (no __init__.py) under src/ ----------------------------------
    "services/plugins/pyproject.toml": """\
        [tool.contractlint]
        contracts = ["requests"]
        """,
    "services/plugins/src/acme/hooks/http.py": """\
        import requests


        def call(url):
            return requests.get(url, timeout=5)
        """,
    "services/plugins/src/acme/hooks/run.py": """\
        from acme.hooks.http import call


        def main():
            call("http://localhost")
        """,
    # -- a script with no project --------------------------------------------------------------
    "scripts/ping.py": """\
        import requests


        def ping():
            return requests.head("http://localhost", timeout=1)
        """,
}

#: A full run from the top: (path, line, code, via).
EXPECTED = [
    ("scripts/ping.py", 5, "CL001", ()),
    ("services/billing/src/app/views.py", 7, "CL001", ("fetch", "get")),
    ("services/billing/tools/jobs/cli.py", 5, "CL001", ("run", "get")),
    ("services/orders/app/views.py", 9, "CL001", ("post", "post")),
    ("services/plugins/src/acme/hooks/run.py", 5, "CL001", ("call", "get")),
]


def build(root: Path) -> Path:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root
