"""Each file in its own project, and every run sees the whole project
(``contractlint.run.projects``, ``contractlint.run.plan``, ``contractlint.run.focus``).

The monorepo of ``tests/monorepo.py`` (a ``src/`` service, a flat one with a package of the same
name, a namespace package, a project nested in a service, no pyproject.toml at the top) is checked
in every way a run can be asked for, each compared with a full run of the same tree: from the top,
from each service's folder, on named files, in any order of the paths, with ``--changed`` against
a branch and ``--changed --staged``. Paths are compared from the top of the tree, whatever the
folder the run started in.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from clirun import invoke
from monorepo import EXPECTED, build
from trees import git, write

from contractlint.config import Config
from contractlint.run.projects import Projects

pytestmark = pytest.mark.usefixtures("clean_git_env")


@pytest.fixture
def repo(tmp_path) -> Path:
    return build(tmp_path / "repo")


def run(repo: Path, *args: str, cwd: Path | None = None) -> tuple[int, list[tuple], dict]:
    """``check --format json ARGS`` from ``cwd`` (default: the top): the exit status, the findings
    as (path from the top, line, code, via), and the JSON findings by that key."""
    where = cwd or repo
    result = invoke("check", "--format", "json", "--no-cache", *args, cwd=where)
    assert result.exit_code in (0, 1), result.output + result.stderr
    found = json.loads(result.stdout)["findings"]
    rows, by_row = [], {}
    for f in found:
        path = os.path.relpath(os.path.join(where, f["path"]), repo).replace(os.sep, "/")
        row = (path, f["line"], f["code"], tuple(v.rsplit(".", 1)[-1] for v in f["via"]))
        rows.append(row)
        by_row[row] = f
    return result.exit_code, sorted(rows), by_row


def full(repo: Path) -> list[tuple]:
    return run(repo, ".")[1]


# -- which project a file is in ------------------------------------------------------------------


def test_a_full_run_from_the_top_follows_every_error_in_its_own_project(repo):
    code, rows, found = run(repo, ".")
    assert code == 1
    assert rows == EXPECTED
    # names are the import names, never the folders': app.http, not services.billing.src.app.http
    callees = sorted(f["callee"] for f in found.values())
    assert callees == [
        "acme.hooks.http.call",
        "app.http.fetch",
        "app.http.post",
        "jobs.nightly.run",
        "requests.head",
    ]


def test_each_project_has_its_own_configuration_roots_and_names(repo, monkeypatch):
    monkeypatch.chdir(repo)
    seen = []

    def configure(config):
        seen.append(config.source)
        return config, ()

    projects = Projects(configure)
    billing = projects.of("services/billing/src/app/views.py")
    tools = projects.of("services/billing/tools/jobs/cli.py")
    orders = projects.of("services/orders/app")
    script = projects.of("scripts/ping.py")
    assert billing.root == str(repo / "services" / "billing")
    assert billing.roots == (str(repo / "services/billing/src"), str(repo / "services/billing"))
    # nested, without a table: its own project, configured by the table above it
    assert tools.root == str(repo / "services/billing/tools")
    assert tools.config is billing.config
    assert tools.roots == (str(repo / "services/billing/tools/src"), tools.root)
    # a pyproject.toml without a table: the defaults, from its folder
    assert orders.root == str(repo / "services/orders") and orders.config.contracts is None
    assert orders.config.root == orders.root
    # no pyproject.toml above: the run's defaults, named by their packages
    assert script.root is None and script.roots == ()
    assert projects.of("services/billing/src/app/http.py") is billing
    assert len(seen) == 3  # each configuration read once


def test_config_forces_one_configuration_on_every_project(repo, monkeypatch):
    monkeypatch.chdir(repo)
    (repo / "ci.toml").write_text('[tool.contractlint]\ncontracts = ["httpx"]\n')
    projects = Projects(lambda config: (config, ()), forced=str(repo / "ci.toml"))
    billing, orders = projects.of("services/billing/src"), projects.of("services/orders")
    assert billing.config is orders.config and billing.config.contracts == ("httpx",)
    assert billing.roots == (str(repo / "services/billing/src"), str(repo / "services/billing"))
    code, rows, _ = run(repo, "--config", "ci.toml", ".")
    assert (code, rows) == (0, [])  # httpx only: nobody calls it


def test_src_names_the_import_roots(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.contractlint]\nsrc = ["lib"]\ncontracts = ["requests"]\n'
    )
    files = {
        "lib/shop/__init__.py": "",
        "lib/shop/http.py": "import requests\n\ndef get(url):\n"
        "    return requests.get(url, timeout=1)\n",
        "lib/shop/views.py": "from shop.http import get\n\ndef page():\n    return get('u')\n",
    }
    write(tmp_path, files, dedent=False)
    _, rows, _ = run(tmp_path, ".")
    assert rows == [("lib/shop/views.py", 4, "CL001", ("get", "get"))]
    (tmp_path / "pyproject.toml").write_text("[tool.contractlint]\nsrc = []\n")
    result = invoke("check", ".", cwd=tmp_path)
    assert result.exit_code == 2
    assert "[tool.contractlint].src: an empty list names no import root" in result.stderr


# -- every run mode, compared with the full run ---------------------------------------------------


@pytest.mark.parametrize(
    "service", ["services/billing", "services/orders", "services/plugins", "services/billing/src"]
)
def test_a_run_over_a_folder_reports_what_the_full_run_finds_there(repo, service):
    expected = [r for r in full(repo) if r[0].startswith(service + "/")]
    assert expected
    assert run(repo, service)[1] == expected  # from the top
    assert run(repo, ".", cwd=repo / service)[1] == expected  # from the folder itself


def test_a_run_over_named_files_reports_their_findings_of_the_full_run(repo):
    whole = full(repo)
    named = [
        "services/billing/src/app/views.py",
        "services/orders/app/views.py",
        "services/plugins/src/acme/hooks/run.py",
        "services/billing/src/app/http.py",  # the helper: its inner call is its callers' business
        "scripts/ping.py",
    ]
    _, rows, _ = run(repo, *named)
    assert rows == [r for r in whole if r[0] in named]
    assert run(repo, *reversed(named))[1] == rows  # the order of the paths changes nothing
    code, rows, _ = run(repo, "services/billing/src/app/http.py")
    assert (code, rows) == (0, [])


def test_the_folder_a_run_starts_in_changes_nothing_but_how_paths_are_shown(repo):
    _, top, at_top = run(repo, "services/orders/app/views.py")
    _, inside, inside_found = run(repo, "app/views.py", cwd=repo / "services/orders")
    assert top == inside and top
    a, b = at_top[top[0]], inside_found[top[0]]
    assert a["path"] == "services/orders/app/views.py" and b["path"] == "app/views.py"
    assert a["fingerprint"] == b["fingerprint"]  # from the project's folder, as baselines keep it
    assert a["origins"] == ["services/orders/app/http.py:12:12"]
    assert b["origins"] == ["app/http.py:12:12"]


def test_services_with_the_same_package_names_never_resolve_into_each_other(repo):
    # billing's app.http.fetch lets the error out, orders' handles it: each caller is
    # judged by its own
    _, rows, _ = run(repo, "services/orders/app/views.py", "services/billing/src/app/views.py")
    assert rows == [
        ("services/billing/src/app/views.py", 7, "CL001", ("fetch", "get")),
        ("services/orders/app/views.py", 9, "CL001", ("post", "post")),
    ]


def _commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


#: orders' fetch no longer handles the error: its caller, in a file the change does not touch,
#: now lets it out.
UNGUARDED_FETCH = textwrap.dedent("""\
    import requests


    def fetch(url):
        return requests.get(url, timeout=5).json()


    def post(url, data):
        return requests.post(url, json=data, timeout=5)
    """)


def test_changed_reports_the_callers_of_a_helper_that_now_lets_an_error_out(repo):
    git(repo, "init", "-q", "-b", "main")
    _commit(repo, "the monorepo")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "services/orders/app/http.py").write_text(UNGUARDED_FETCH)
    git(repo, "add", "-A")
    whole = full(repo)
    through = ("services/orders/app/views.py", 5, "CL001", ("fetch", "get"))
    assert through in whole
    # a finding of the full run whose error passes through the changed function, in an
    # unchanged file
    for args in (("--changed", "--staged"), ("--changed", "--staged", "--only-changed-lines")):
        code, rows, _ = run(repo, *args, ".")
        assert (code, rows) == (1, [through]), args
    _commit(repo, "fetch lets the error out")
    for args in (
        ("--changed", "--base", "main"),
        ("--changed", "--base", "main", "--only-changed-lines"),
    ):
        assert run(repo, *args, ".")[1] == [through], args
        assert run(repo, *args, ".", cwd=repo / "services/orders")[1] == [through], args
    assert run(repo, "--changed", "--base", "main", "services/billing")[1] == []
    # named files see the whole project too, and report what is in them
    assert run(repo, "services/orders/app/http.py")[1] == []
    assert run(repo, "services/orders/app/views.py")[1] == [
        r for r in whole if r[0] == "services/orders/app/views.py"
    ]


def test_changed_lines_alone_and_the_calls_through_them(repo):
    git(repo, "init", "-q", "-b", "main")
    _commit(repo, "the monorepo")
    views = repo / "services/billing/src/app/views.py"
    views.write_text(views.read_text() + "\n\ndef again(url):\n    return fetch(url)\n")
    git(repo, "add", "-A")
    whole = full(repo)
    new = ("services/billing/src/app/views.py", 18, "CL001", ("fetch", "get"))
    old = ("services/billing/src/app/views.py", 7, "CL001", ("fetch", "get"))
    assert {new, old} <= set(whole)
    assert run(repo, "--changed", "--staged", ".")[1] == [old, new]
    assert run(repo, "--changed", "--staged", "--only-changed-lines", ".")[1] == [new]


# -- accepting a risk once, at the helper ----------------------------------------------------------


ACCEPTED_FETCH = textwrap.dedent("""\
    import requests


    def fetch(url):
        # contractlint: accept CL001 until={until} owner=billing -- a stale page is fine
        return requests.get(url, timeout=5).json()
    """)


@pytest.mark.parametrize(
    "paths, left",
    [
        (
            ("services/billing",),
            [("services/billing/tools/jobs/cli.py", 5, "CL001", ("run", "get"))],
        ),
        (("services/billing/src/app/views.py",), []),  # the helper's file is not named: read anyway
    ],
)
def test_an_acceptance_at_the_service_call_accepts_it_for_every_caller(repo, paths, left):
    http = repo / "services/billing/src/app/http.py"
    http.write_text(ACCEPTED_FETCH.format(until="2030-01-01"))
    code, rows, _ = run(repo, "--today", "2029-06-01", *paths)
    assert (code, rows) == (1 if left else 0, left)  # no finding at the caller, no CL103 either
    result = invoke(
        "report", "--format", "json", "--no-cache", "--today", "2029-06-01", *paths, cwd=repo
    )
    report = json.loads(result.stdout)
    calls = [c for contract in report["contracts"] for c in contract["calls"]]
    if left:
        fetch = next(c for c in calls if c["path"] == "services/billing/src/app/http.py")
        assert fetch["state"] == "accepted" and fetch["acceptance"]["owner"] == "billing"
        risk = next(r for c in report["contracts"] for r in c["risks"])
        assert risk["findings"] == 1 and risk["path"] == "services/billing/src/app/http.py"
    http.write_text(
        ACCEPTED_FETCH.format(until="2030-01-01").replace("    # contractlint", "    # x")
    )
    assert ("services/billing/src/app/views.py", 7, "CL001", ("fetch", "get")) in run(repo, *paths)[
        1
    ]


def test_an_expired_acceptance_at_the_service_call_asks_for_a_review(repo):
    (repo / "services/billing/src/app/http.py").write_text(
        ACCEPTED_FETCH.format(until="2020-01-01")
    )
    _, rows, _ = run(repo, "--today", "2029-06-01", "services/billing")
    assert ("services/billing/src/app/views.py", 7, "CL001", ("fetch", "get")) in rows
    assert ("services/billing/src/app/http.py", 5, "CL101", ()) in rows


def test_an_acceptance_of_another_code_at_the_service_call_accepts_nothing_up(repo):
    text = ACCEPTED_FETCH.format(until="2030-01-01").replace("CL001", "CL004")
    (repo / "services/billing/src/app/http.py").write_text(text)
    _, rows, _ = run(repo, "--today", "2029-06-01", "services/billing")
    assert ("services/billing/src/app/views.py", 7, "CL001", ("fetch", "get")) in rows
    assert ("services/billing/src/app/http.py", 5, "CL103", ()) in rows


def test_a_finding_stays_while_one_of_its_origins_is_not_accepted(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.contractlint]\ncontracts = ["requests"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "http.py").write_text(
        "import requests\n\n\ndef both(url):\n"
        "    requests.head(url, timeout=1)  # contractlint: accept CL001 -- a probe\n"
        "    return requests.get(url, timeout=1)\n"
    )
    (tmp_path / "app" / "views.py").write_text(
        "from app.http import both\n\n\ndef page(url):\n    return both(url)\n"
    )
    _, rows, found = run(tmp_path, "app/views.py")
    assert rows == [("app/views.py", 5, "CL001", ("both", "head"))]
    assert found[rows[0]]["origins"] == ["app/http.py:5:5", "app/http.py:6:12"]
    report = json.loads(
        invoke("report", "--format", "json", "--no-cache", ".", cwd=tmp_path).stdout
    )
    states = {c["line"]: c["state"] for k in report["contracts"] for c in k["calls"]}
    assert states == {5: "violating", 6: "violating"}  # reported at the caller, both of them
    # the acceptance of the probe is not stale: accepting the other call too clears the caller
    assert [r[2] for r in run(tmp_path, ".")[1]] == ["CL001"]


def test_projects_single_keeps_every_file_in_one_project(tmp_path):
    config = Config(root=str(tmp_path))
    projects = Projects.single(config, [])
    assert projects.of(str(tmp_path / "a" / "b.py")) is projects.of(str(tmp_path))
    assert not projects.starts(str(tmp_path))


def test_a_broken_configuration_of_one_project_stops_a_run_that_checks_it(repo):
    (repo / "services/plugins/pyproject.toml").write_text("[tool.contractlint]\nselect = 3\n")
    result = invoke("check", ".", cwd=repo)
    assert result.exit_code == 2
    assert "services/plugins/pyproject.toml" in result.stderr
    # a project nested in the one checked, and not under the paths, is not read
    (repo / "services/billing/tools/pyproject.toml").write_text("[tool.contractlint]\nselect = 3\n")
    assert run(repo, "services/billing/src")[1] == [
        ("services/billing/src/app/views.py", 7, "CL001", ("fetch", "get"))
    ]


# -- real packages side by side -------------------------------------------------------------------

SIDE_BY_SIDE = {"docker": ("docker", "7.1.0"), "hvac": ("hvac", "2.3.0")}


def _findings(where: Path, top: Path) -> list[tuple]:
    """Every finding of ``check .`` in ``where`` as (path from ``top``, place, code,
    message, via)."""
    result = invoke("check", "--format", "json", "--no-cache", ".", cwd=where)
    assert result.exit_code in (0, 1), result.stderr
    out = []
    for f in json.loads(result.stdout)["findings"]:
        path = os.path.relpath(os.path.join(where, f["path"]), top).replace(os.sep, "/")
        out.append((path, f["line"], f["column"], f["code"], f["message"], tuple(f["via"])))
    return sorted(out)


@pytest.mark.network
@pytest.mark.parametrize("layout", ["sdists", "wheels"])
def test_packages_side_by_side_give_what_each_gives_from_its_own_root(tmp_path, layout):
    """Each sdist has its pyproject.toml: a project of its own. A wheel has none: its modules are
    named by their packages, from whatever folder the run starts in."""
    from corpora import fetch

    top = tmp_path / "side"
    for name, (project, version) in SIDE_BY_SIDE.items():
        unpacked = next(p for p in fetch(project, version).iterdir() if p.is_dir())
        if layout == "sdists":
            shutil.copytree(unpacked, top / unpacked.name)
        else:
            shutil.copytree(unpacked / name, top / f"{name}-{version}" / name)
    together = _findings(top, top)
    alone = sorted(f for folder in sorted(top.iterdir()) for f in _findings(folder, top))
    assert len(alone) > 100  # hvac and docker let requests' errors out of many helpers
    assert together == alone


@pytest.mark.network
def test_runs_over_part_of_a_real_package_answer_as_a_run_from_scratch(tmp_path):
    """hvac under every builtin contract (its helpers wrap requests: most files are parsed, many
    in a round): after edits, the warm run (from the caches, reading what changed) gives what a
    run with no cache gives, and a run over named files what the full run finds in them."""
    import pickle

    from corpora import fetch

    root = tmp_path / "hvac"
    shutil.copytree(next(p for p in fetch("hvac", "2.3.0").iterdir() if p.is_dir()), root)
    files = sorted(p for p in (root / "hvac").rglob("*.py"))

    def both() -> list[tuple]:
        warm = invoke("check", "--format", "json", ".", cwd=root)
        cold = invoke("check", "--format", "json", "--no-cache", ".", cwd=root)
        assert json.loads(warm.stdout) == json.loads(cold.stdout)
        return json.loads(warm.stdout)["findings"]

    first = both()
    entry = next((root / ".contractlint_cache" / "runs").iterdir())
    rows = pickle.loads(entry.read_bytes())[2]
    rounds = sorted(p for p, row in rows.items() if row[2] == 2)
    assert rounds  # files parsed only because they call a helper that lets an error out
    for path in files[::7]:  # comments, in files parsed and not
        path.write_text(path.read_text() + "\n# edited\n")
    assert both() == first
    (root / rounds[0]).unlink()  # a caller goes
    (root / "hvac" / "extra.py").write_text(
        "from hvac.adapters import JSONAdapter\n\n\ndef ping():\n"
        "    return JSONAdapter().get('/x')\n"
    )
    after = both()
    assert any(f["path"] == "hvac/extra.py" for f in after)
    named = ["hvac/extra.py", *sorted({f["path"] for f in after})[:3]]
    part = invoke("check", "--format", "json", *named, cwd=root)
    assert json.loads(part.stdout)["findings"] == [f for f in after if f["path"] in named]
