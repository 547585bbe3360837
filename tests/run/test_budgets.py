"""Bounded work, on real code run through the command line: a file whose analysis walks more
syntax nodes than ``analysis-budget`` is one CL901 finding and the run goes on; a call whose
resolution through the project reaches ``resolution-targets`` or ``resolution-budget`` is one
CL902 finding where the cut can change a result; the keys are checked like every other; the
defaults are the limits the project-wide pass always had."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from clirun import invoke
from trees import write

from contractlint.config import Config, build_config
from contractlint.errors import UserError
from contractlint.model import rule_by_code
from contractlint.model.budgets import ANALYSIS_BUDGET, LIMITS
from contractlint.propagation.names import BUDGET, DEPTH, MAX_TARGETS


def pyproject(*lines: str) -> str:
    """A configuration of the requests contract (unless ``lines`` name the contracts)."""
    named = any(line.startswith("contracts") for line in lines)
    contracts = [] if named else ['contracts = ["requests"]']
    return "\n".join(["[tool.contractlint]", *contracts, *lines]) + "\n"


def check(root: Path, *args: str) -> tuple[int, list[dict]]:
    result = invoke("check", "--no-cache", "--format", "json", *args, ".", cwd=root)
    assert result.exit_code in (0, 1), result.output + result.stderr
    return result.exit_code, json.loads(result.stdout)["findings"]


def where(findings: list[dict]) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in findings]


# -- the analysis of one file ---------------------------------------------------------------------


def huge_module(functions: int) -> str:
    """A generated API client: ``functions`` functions, each a guarded request."""
    parts = ['"""Generated: do not edit."""\n\nimport requests\n']
    for i in range(functions):
        parts.append(
            f"\n\ndef endpoint_{i}(item):\n"
            "    try:\n"
            f"        return requests.get(f'https://api.example.com/{i}/{{item}}', timeout=5)\n"
            "    except requests.RequestException:\n"
            "        return None\n"
        )
    return "".join(parts)


def deep_module(branches: int) -> str:
    """One long ``elif`` chain: each branch nests one level deeper in the tree than the last."""
    lines = ["import requests\n", "\n", "\n", "def route(kind):\n", "    if kind == 0:\n"]
    lines.append("        return requests.get('https://example.com/0')\n")
    for i in range(1, branches):
        lines.append(f"    elif kind == {i}:\n        return {i}\n")
    return "".join(lines)


SMALL = (
    "import requests\n\n\ndef ping():\n    return requests.get('https://example.com', timeout=5)\n"
)


def test_a_file_past_the_analysis_budget_is_one_finding_and_the_run_goes_on(tmp_path):
    write(tmp_path, {"api.py": huge_module(400), "ping.py": SMALL})
    code, found = check(write(tmp_path, {"pyproject.toml": pyproject()}))
    assert where(found) == [("ping.py", 5, "CL001")]  # within the default budget: checked
    assert code == 1

    write(tmp_path, {"pyproject.toml": pyproject("analysis-budget = 5000")})
    code, found = check(tmp_path)
    assert where(found) == [("api.py", 1, "CL901"), ("ping.py", 5, "CL001")]
    cut = found[0]
    assert cut["severity"] == "error" and code == 1
    assert cut["message"].startswith(
        "analysis cut short: the file holds more than its budget of 5,000 syntax nodes "
        "(analysis-budget); the walk stopped at line "
    )
    assert "in api.endpoint_" in cut["message"]
    # Deterministic: a count of work, the same at every run.
    assert check(tmp_path)[1] == found


def test_what_the_walk_found_before_the_cut_is_dropped(tmp_path):
    unguarded = (
        huge_module(50)
        .replace("    try:\n", "    if True:\n")
        .replace("    except requests.RequestException:\n        return None\n", "")
    )
    write(tmp_path, {"api.py": unguarded})
    code, found = check(write(tmp_path, {"pyproject.toml": pyproject()}))
    assert len(found) == 50 and {f["code"] for f in found} == {"CL001"}
    write(tmp_path, {"pyproject.toml": pyproject("analysis-budget = 600")})
    code, found = check(tmp_path)
    assert where(found) == [("api.py", 1, "CL901")]  # not the first calls' CL001


def test_the_exit_code_follows_the_severity_of_the_cut(tmp_path):
    write(
        tmp_path,
        {
            "api.py": huge_module(100),
            "pyproject.toml": pyproject("analysis-budget = 1000", 'severity = {CL901 = "warning"}'),
        },
    )
    code, found = check(tmp_path)
    assert where(found) == [("api.py", 1, "CL901")]
    assert found[0]["severity"] == "warning" and code == 0
    code, found = check(tmp_path, "--ignore", "CL901")
    assert found == [] and code == 0


def test_a_deep_module_is_cut_short_by_the_budget_on_the_deep_path_too(tmp_path):
    """A 1,500-branch ``elif`` chain is deeper than Python's recursion limit allows: its analysis
    runs again in a thread with room (``analyse_deep``), and the budget holds there too."""
    write(tmp_path, {"route.py": deep_module(1500), "pyproject.toml": pyproject()})
    code, found = check(tmp_path)
    assert where(found) == [("route.py", 6, "CL001")]
    write(tmp_path, {"pyproject.toml": pyproject("analysis-budget = 2000")})
    code, found = check(tmp_path)
    assert where(found) == [("route.py", 1, "CL901")] and code == 1
    assert "in route.route" in found[0]["message"]


# -- resolution through the project ---------------------------------------------------------------


def family(subclasses: int, carrier: int) -> dict[str, str]:
    """A framework class and ``subclasses`` integrations overriding ``run`` and ``close``; the
    ``run`` of number ``carrier`` lets a requests error escape, the others guard theirs.
    ``handle`` calls both methods on the base class."""
    files = {
        "app/__init__.py": "",
        "app/base.py": "class Base:\n    def run(self):\n        return None\n\n"
        "    def close(self):\n        return None\n",
        # it imports requests: the prefilter keeps it whether or not a carrier is known
        "app/handle.py": "import requests\n\nfrom app.base import Base\n\n\n"
        "def handle(job: Base):\n"
        "    job.close()\n    return job.run()\n",
    }
    for i in range(subclasses):
        body = (
            "        return requests.get('https://example.com', timeout=5)\n"
            if i == carrier
            else "        try:\n"  # guarded: no carrier, but the prefilter keeps the file
            "            return requests.get('https://example.com', timeout=5)\n"
            "        except requests.RequestException:\n"
            "            return None\n"
        )
        files[f"app/s{i}.py"] = (
            f"import requests\nfrom app.base import Base\n\n\nclass S{i}(Base):\n"
            f"    def run(self):\n{body}\n    def close(self):\n        return None\n"
        )
    return files


def test_a_family_past_resolution_targets_gives_one_cut_short_finding_at_the_call(tmp_path):
    write(tmp_path, family(12, carrier=11))
    write(tmp_path, {"pyproject.toml": pyproject()})
    code, found = check(tmp_path)
    assert where(found) == [("app/handle.py", 8, "CL001")]  # the error escapes through S11.run
    assert "via S11.run -> requests.get" in found[0]["message"]

    write(tmp_path, {"pyproject.toml": pyproject("resolution-targets = 4")})
    code, found = check(tmp_path)
    # S11.run is past the first four: its error is reported where it leaves S11.run, and the
    # call that may run it says that its answer is partial. ``job.close()`` is cut short too, but
    # no ``close`` carries an error: no finding there.
    assert where(found) == [("app/handle.py", 8, "CL902"), ("app/s11.py", 7, "CL001")]
    cut = found[0]
    assert cut["severity"] == "warning" and code == 1
    assert cut["message"] == (
        "the project-wide pass was cut short at this call: Base.run may run more than 4 "
        "functions (resolution-targets): those past the first 4 were not followed; a service "
        "error that reaches this call through them is not reported"
    )


@pytest.mark.parametrize("contracts", ['["requests"]', '["requests", "redis"]'])
def test_a_cut_that_cannot_change_a_result_is_not_reported(tmp_path, contracts):
    """No ``run`` nor ``close`` carries an error. Under redis's contract, whose globs leave the
    method open (``redis.client.Redis.*``), every call of the project is resolved, and both calls
    of ``handle`` are cut short: past the most targets, what is left out is more overrides of the
    family, none of which is a carrier."""
    write(tmp_path, family(12, carrier=-1))
    write(
        tmp_path,
        {"pyproject.toml": pyproject("resolution-targets = 4", f"contracts = {contracts}")},
    )
    assert check(tmp_path) == (0, [])


FACTORY = {
    "app/__init__.py": "",
    "app/clients.py": "import requests\n\n\nclass A:\n    def fetch(self):\n"
    "        return None\n\n\n"
    "class B:\n    def fetch(self):\n        return None\n\n\n"
    "class C:\n    def fetch(self):\n"
    "        return requests.get('https://example.com', timeout=5)\n\n\n"
    "def make(kind):\n    if kind == 'a':\n        return A()\n    if kind == 'b':\n"
    "        return B()\n    return C()\n",
    "app/use.py": "from app.clients import make\n\n\ndef handle(kind):\n"
    "    client = make(kind)\n    return client.fetch()\n",
}


def test_a_resolution_past_the_names_budget_gives_the_cut_short_finding(tmp_path):
    write(tmp_path, {**FACTORY, "pyproject.toml": pyproject()})
    assert where(check(tmp_path)[1]) == [("app/use.py", 6, "CL001")]
    write(tmp_path, {"pyproject.toml": pyproject("resolution-budget = 2")})
    code, found = check(tmp_path)
    assert where(found) == [("app/clients.py", 16, "CL001"), ("app/use.py", 6, "CL902")]
    assert (
        "resolving app.clients.make.fetch looked at more than 2 names (resolution-budget)"
        in (found[1]["message"])
    )


# -- the configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, message",
    [
        ("analysis-budget = 0", "expected a number of syntax nodes, 1 or more, got int 0"),
        ("analysis-budget = 1.5", "expected an integer, got float 1.5"),
        ('resolution-budget = "big"', 'expected an integer, got "big"'),
        ("resolution-targets = -3", "expected a number of functions, 1 or more, got int -3"),
        ("resolution-targets = true", "expected an integer, got true"),
    ],
)
def test_a_bad_budget_is_a_one_line_error_with_file_and_line(tree, cli, line, message):
    root = tree({"pyproject.toml": pyproject(line), "ping.py": SMALL})
    result = cli("check", "--no-cache", ".")
    key = line.split(" ")[0]
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"contractlint: error: {root / 'pyproject.toml'}:3: [tool.contractlint].{key}: {message}"
    ]


def test_the_keys_set_the_budgets_and_the_defaults_are_the_limits_of_before():
    assert Config(root=".").analysis_budget == ANALYSIS_BUDGET == 1_000_000
    assert Config(root=".").limits == LIMITS
    assert (LIMITS.names, LIMITS.targets, LIMITS.depth) == (BUDGET, MAX_TARGETS, DEPTH)
    assert (BUDGET, MAX_TARGETS, DEPTH) == (4096, 64, 13)
    config = build_config(
        {"analysis-budget": 10, "resolution-budget": 20, "resolution-targets": 30}, "p", "/p"
    )
    assert config.analysis_budget == 10
    assert config.limits == LIMITS._replace(names=20, targets=30)
    with pytest.raises(UserError):
        build_config({"resolution-depth": 3}, "p", "/p")  # the chain's length is not a setting


def test_each_code_has_its_explain_page():
    for code, words in (("CL901", "analysis-budget"), ("CL902", "resolution-targets")):
        result = invoke("explain", code)
        assert result.exit_code == 0
        assert result.stdout.startswith(f"# {code} {rule_by_code(code).name}")
        assert words in result.stdout


def test_only_what_changed_keeps_the_cut_of_a_changed_file(tmp_path, monkeypatch):
    """``--changed`` keeps a finding when it touches a changed line, or when it is about the whole
    file: a file whose analysis was cut short had none of its lines checked."""
    from contractlint.changes import Changes, restrict
    from contractlint.contracts import load_contracts
    from contractlint.model import Report, Span, new_finding

    monkeypatch.chdir(tmp_path)
    (tmp_path / "api.py").write_text("")
    changes = Changes(against="test", files={os.path.realpath(tmp_path / "api.py"): {40}})
    cut = new_finding("CL901", "api.py", Span(1, 1, 1, 1), "analysis cut short")
    other = new_finding("CL001", "api.py", Span(2, 1, 2, 5), "not guarded")
    report = Report(contracts=load_contracts(["requests"]), findings=[cut, other])
    assert restrict(report, changes).findings == [cut]
