"""contractlint on large trees: real applications from PyPI and a generated plugin-style one.

    .venv/bin/python bench/scale.py fetch                     # the pinned wheels, unpacked (below)
    .venv/bin/python bench/scale.py run --tree ansible --contracts requests --semgrep
    .venv/bin/python bench/scale.py run --tree ha --contracts requests --semgrep --repeat 5
    .venv/bin/python bench/scale.py pass --tree ha --contracts requests
    .venv/bin/python bench/scale.py generate --sizes 1000,2000,4000,8000
    .venv/bin/python bench/scale.py generated --sizes 1000,2000,4000,8000

``run``: contractlint's command, cold (no cache), as a user runs it (``--jobs`` default), and
semgrep with the rule of bench/peers/semgrep-requests.yaml beside it: wall time, CPU time, peak
memory of the process tree (bench/compare.py measures them), findings, files parsed, and the
ratio of the two walls. With ``--repeat N`` each tree and contract set runs N times, the two tools
one after the other each time (a machine's speed drifts over minutes: the two walls of a pair are
taken in the same minute), and a last line gives the medians.

``pass``: the project-wide pass on its own, in this process: the files are analysed once and kept
in a per-file cache beside the trees (the run is given the files, not the folder, so the cache
of whole runs never answers), then each round says how many files it searched and added and why
(the clauses of ``Reach`` that the text of its first 1,000 met), how long working out the names
took, and how long the final pass took; and how many of the files parsed call a carrier or the
service (what the rounds had to parse). These figures do not depend on the parser.

``generate`` writes a plugin-style application of N modules in generated-N beside the trees: a
framework package whose base classes call the service (requests) directly or through helpers,
and integration modules that subclass them, override some methods, call inherited helpers and
the service. ``generated`` runs ``pass`` on each size in a process of its own (its peak memory is
the pass's and the analysis's).

The trees, the generated applications, the per-file caches and the results are kept in
contractlint-scale/ in the temporary folder: outside the project, as a user's tree is (in .cache/
every file would be left out, and this project's configuration would apply). ``--trees DIR``
reads trees unpacked elsewhere (DIR/ha/homeassistant...), which must be outside any project too.
Results are printed and written as JSON to results-<command>.json there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Outside the project: under its .cache/, every file is left out (``.cache`` is excluded by
#: default, and git ignores it), and the project's configuration would apply.
SCALE = Path(tempfile.gettempdir()) / "contractlint-scale"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from compare import PYTHON, measure, peer, semgrep_findings, semgrep_scanned  # noqa: E402

#: tree: (folder under the trees' folder, what is checked in it, the pinned wheels it is made of)
TREES = {
    "ansible": ("ansible", "ansible_collections", [("ansible", "11.4.0")]),
    "ha": ("ha", "homeassistant", [("homeassistant", "2026.2.3")]),
    "airflow": (
        "airflow",
        "airflow",
        [
            ("apache-airflow-core", "3.3.2"),
            ("apache-airflow-providers-amazon", "9.39.0"),
            ("apache-airflow-providers-celery", "3.26.0"),
            ("apache-airflow-providers-cncf-kubernetes", "10.25.0"),
            ("apache-airflow-providers-common-sql", "2.4.0"),
            ("apache-airflow-providers-docker", "4.6.1"),
            ("apache-airflow-providers-http", "6.3.0"),
            ("apache-airflow-providers-postgres", "7.1.1"),
            ("apache-airflow-providers-redis", "4.7.1"),
            ("apache-airflow-providers-slack", "9.11.1"),
            ("apache-airflow-providers-ssh", "7.0.1"),
        ],
    ),
}
CONTRACT_SETS = ("requests", "default")
#: The files of a round whose reasons ``pass`` records (the clauses their text met).
WHY = 1000


# -- the trees -------------------------------------------------------------------------------------


def fetch(trees_dir: Path, wheels: Path) -> None:
    """Download each pinned wheel (once) and unpack the part that is checked."""
    wheels.mkdir(parents=True, exist_ok=True)
    for tree, (folder, checked, pinned) in TREES.items():
        target = trees_dir / folder
        if (target / ".complete").exists():
            continue
        for name, version in pinned:
            wheel = _wheel(wheels, name, version)
            if wheel is None:
                subprocess.run(
                    [
                        PYTHON,
                        "-m",
                        "pip",
                        "download",
                        "--quiet",
                        "--no-deps",
                        "--only-binary",
                        ":all:",
                        "--dest",
                        str(wheels),
                        f"{name}=={version}",
                    ],
                    check=True,
                )
                wheel = _wheel(wheels, name, version)
            assert wheel is not None, f"{name}=={version}: no wheel downloaded"
            with zipfile.ZipFile(wheel) as zf:
                zf.extractall(target, [m for m in zf.namelist() if m.startswith(f"{checked}/")])
        # semgrep skips tests/ folders unless told otherwise: make it scan what contractlint scans
        (target / ".semgrepignore").write_text("# scan everything\n")
        (target / ".complete").write_text(" ".join(f"{n}=={v}" for n, v in pinned))
        print(f"{tree}: {sum(1 for _ in (target / checked).rglob('*.py'))} files in {target}")


def _wheel(wheels: Path, name: str, version: str) -> Path | None:
    prefix = f"{name.replace('-', '_')}-{version}-"
    found = [p for p in wheels.glob("*.whl") if p.name.lower().startswith(prefix.lower())]
    return found[0] if found else None


def tree_root(trees_dir: Path, tree: str) -> tuple[Path, str]:
    if tree.startswith("generated-"):
        return SCALE / tree, "app"
    folder, checked, _ = TREES[tree]
    return trees_dir / folder, checked


# -- the whole run, next to semgrep ----------------------------------------------------------------


def run(
    trees_dir: Path, tree: str, contracts: str, semgrep: bool, jobs: int | None, limit: int = 600
) -> dict:
    """One cold run of each tool; a run still going after ``limit`` seconds is stopped."""
    root, checked = tree_root(trees_dir, tree)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        cmd = ["timeout", str(limit), PYTHON, "-m", "contractlint", "check", checked]
        cmd += ["--no-cache", "--exit-zero", "--format", "json", "--output", str(out)]
        cmd += ["--contract", "requests"] if contracts == "requests" else []
        cmd += ["--jobs", str(jobs)] if jobs else []
        ours = measure(cmd, root)
        report = json.loads(out.read_text()) if out.exists() and ours.returncode == 0 else None
    result = {
        "tree": tree,
        "contracts": contracts,
        "files": report["files_checked"] if report else None,
        "files_parsed": report["files_parsed"] if report else None,
        "findings": len(report["findings"]) if report else None,
        "wall": round(ours.wall, 1),
        "cpu": round(ours.cpu, 1),
        "peak_mb": round(ours.peak_mb),
        "load": [load, os.getloadavg()[0]],  # before and after the run
    }
    if report is None:
        result["stopped"] = (
            f"no result after {limit} s" if ours.returncode == 124 else ours.returncode
        )
    if semgrep:
        cmd = [
            str(peer("semgrep")),
            "scan",
            "--config",
            str(HERE / "peers" / "semgrep-requests.yaml"),
        ]
        cmd += ["--metrics=off", "--disable-version-check", "--no-git-ignore", "--json", "--quiet"]
        theirs = measure([*cmd, checked], root)
        result["semgrep"] = {
            "wall": round(theirs.wall, 1),
            "cpu": round(theirs.cpu, 1),
            "peak_mb": round(theirs.peak_mb),
            "findings": len(semgrep_findings(theirs.stdout)),
            "files": semgrep_scanned(theirs.stdout),
        }
        result["ratio"] = round(ours.wall / theirs.wall, 2) if theirs.wall else None
    return result


def medians(results: Sequence[dict]) -> dict:
    """The medians of the runs of one tree and contract set (``--repeat``)."""
    import statistics

    out = {"tree": results[0]["tree"], "contracts": results[0]["contracts"], "runs": len(results)}
    out["wall"] = statistics.median(r["wall"] for r in results)
    paired = [r for r in results if r.get("ratio") is not None]
    if paired:
        out["semgrep_wall"] = statistics.median(r["semgrep"]["wall"] for r in paired)
        out["ratio"] = statistics.median(r["ratio"] for r in paired)
    return out


# -- the pass on its own ---------------------------------------------------------------------------


def project_pass(trees_dir: Path, tree: str, contracts: str, jobs: int) -> dict:
    """The project-wide pass of one run, round by round (see the module's docstring)."""
    import datetime as dt

    import contractlint.propagation as propagation
    import contractlint.run.follow as follow_module
    from contractlint.config import Config
    from contractlint.contracts import default_names, load_contracts
    from contractlint.model import select_codes
    from contractlint.model.budgets import LIMITS
    from contractlint.model.project import Reach
    from contractlint.run.discovery import discover
    from contractlint.run.filecheck import Job
    from contractlint.run.follow import follow, project_names
    from contractlint.run.schedule import check_files

    root, checked = tree_root(trees_dir, tree)
    os.chdir(root)
    loaded = load_contracts(["requests"] if contracts == "requests" else default_names())
    config = Config(root=".")
    job = Job(
        tuple(loaded),
        config,
        frozenset(select_codes(config.select, config.ignore)),
        dt.date.today(),
        cache_dir=str(SCALE / f"filecache-{tree}-{contracts}"),
        project=project_names(["."]),
        follow_calls=True,
    )
    files = list(discover([checked], config))
    rounds: list[dict] = []
    spent = Counter()

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                done = function(*args, **kwargs)
                return list(done) if name == "analysis" else done  # a generator: its work
            finally:
                spent[name] += time.perf_counter() - start

        return wrapper

    names, matcher, passed = propagation.interesting_names, Reach.matcher, propagation.propagate
    propagation.interesting_names = timed("names", names)
    propagation.propagate = timed("propagate", propagation.propagate)
    matter: dict[str, set[str]] = {}

    def measured(facts, findings, calls, contracts, globs=(), fixpoint=None, limits=LIMITS):
        """``propagate``, and which files can call a carrier or a service: the files it needs."""
        if fixpoint is None:  # made here, as propagate would make it: its time is the pass's
            fixpoint = timed("propagate", propagation.Follow)(facts, contracts, limits=limits)
        done = propagate_timed(facts, findings, calls, contracts, globs, fixpoint, limits)
        carriers = {key.frame for key in fixpoint.carried}
        matter["carrier"] = {s.path for f in carriers for s in fixpoint.callers(f)}
        matter["service"] = {path for path, found in calls.items() if found}
        matter["service"] |= {call.site.path for call in fixpoint.services}
        return done

    propagate_timed, propagation.propagate = propagation.propagate, measured
    follow_module.check_files = timed("analysis", check_files)

    def recording(reach: Reach):
        """A matcher that says why each file it takes was taken: its clauses, by their words."""
        matches = matcher(reach)
        why: Counter = Counter()
        entry = {"clauses": len(reach.clauses), "searched": 0, "files": 0, "why": why}
        rounds.append(entry)

        class Recording:
            def may(self, hashes, module: str | None = None) -> bool:
                """A file the round tells from its words' hashes it need not read: searched."""
                if matches.may(hashes, module):
                    return True
                entry["searched"] += 1
                return False

            def __call__(self, data: bytes, module: str | None = None, words=None) -> bool:
                entry["searched"] += 1
                if not matches(data, module, words):
                    return False
                entry["files"] += 1
                if entry["files"] > WHY:
                    return True  # the reasons of a round's first files only: each tries every one
                present = matches.present(data, module)
                for clause in reach.clauses:
                    if all(not words.isdisjoint(present) for words in clause):
                        why[" & ".join("|".join(sorted(words)[:3]) for words in clause)] += 1
                return True

        return Recording()

    Reach.matcher = recording
    try:
        start = time.perf_counter()
        initial = list(check_files(files, job, jobs=jobs))
        first = time.perf_counter() - start
        first_parsed = sum(o.parsed for o in initial)
        start = time.perf_counter()
        outcomes = follow(initial, job, jobs)[0]
        followed = time.perf_counter() - start
    finally:
        propagation.interesting_names, Reach.matcher = names, matcher
        propagation.propagate, follow_module.check_files = passed, check_files
    return {
        "tree": tree,
        "contracts": contracts,
        "files": len(files),
        "files_parsed": sum(o.parsed for o in outcomes),
        "first_parsed": first_parsed,
        "findings": sum(len(o.findings) for o in outcomes),
        # the files that call a carrier, those with a service call, and either: what the rounds
        # had to parse (every other parsed file was parsed for nothing)
        "calling_carrier": len(matter.get("carrier", ())),
        "calling_service": len(matter.get("service", ())),
        "needed": len(matter.get("carrier", set()) | matter.get("service", set())),
        "rounds": [
            {**r, "why": dict(r["why"].most_common(8))}
            for r in rounds
            if r["searched"]  # a round makes a second matcher, for files an earlier run searched
        ],
        "first_analysis": round(first, 1),
        "follow": round(followed, 1),
        "names": round(spent["names"], 1),
        "propagate": round(spent["propagate"], 1),
        "round_analysis": round(spent["analysis"], 1),
        # this process only: with --jobs above 1, the analysis runs in worker processes
        "parent_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load": os.getloadavg()[0],
    }


# -- a generated plugin-style application ----------------------------------------------------------

FRAMEWORK = {
    "app/__init__.py": "",
    "app/framework/__init__.py": (
        "from app.framework.base import Integration, Poller\n"
        "from app.framework.http import Session, fetch_json\n"
    ),
    "app/framework/http.py": '''
import requests


def fetch_json(url):
    """The helper most integrations poll through: its errors reach the caller."""
    return requests.get(url, timeout=5).json()


class Session:
    def __init__(self):
        self._session = requests.Session()

    def get(self, url):
        return self._session.get(url, timeout=5)
''',
    "app/framework/base.py": """
import requests

from app.framework.http import Session, fetch_json


class Integration:
    def __init__(self, name):
        self.name = name
        self.session = Session()

    def url(self):
        return "http://example.invalid/" + self.name

    def poll(self):
        return fetch_json(self.url())

    def refresh(self):
        return self.poll()

    def safe_refresh(self):
        try:
            return self.refresh()
        except requests.RequestException:
            return None


class Poller(Integration):
    def poll(self):
        return self.session.get(self.url()).json()
""",
}

INTEGRATIONS = [
    # overrides a method with a service call of its own, guarded
    """
import requests

from app.framework import Integration


class Device{i}(Integration):
    def poll(self):
        try:
            return requests.get(self.url(), timeout=5).json()
        except requests.RequestException:
            return {{}}
""",
    # changes only what the inherited helpers use
    """
from app.framework import Poller


class Device{i}(Poller):
    def url(self):
        return "http://device-{i}.invalid/state"
""",
    # an entry point that calls an inherited method that reaches the service through a helper
    """
from app.framework import Integration


class Device{i}(Integration):
    def update(self):
        return self.refresh()


def setup():
    return Device{i}("device-{i}").safe_refresh()
""",
    # calls the helper itself, unguarded
    """
from app.framework.http import fetch_json


def status():
    return fetch_json("http://status-{i}.invalid/")
""",
    # uses another integration's class
    """
from app.integrations.m{other:05d} import Device{other}


def run():
    return Device{other}("again").url()
""",
    # touches nothing of the framework
    """
def parse(text):
    return [line.split("=", 1) for line in text.splitlines() if "=" in line]
""",
]


def generate(size: int) -> Path:
    """A plugin-style application of ``size`` modules (see the module's docstring)."""
    root = SCALE / f"generated-{size}"
    if (root / ".complete").exists():
        return root
    files = dict(FRAMEWORK)
    files["app/integrations/__init__.py"] = ""
    for i in range(size):
        kind = i % len(INTEGRATIONS)
        # the fifth kind uses the class of the first kind's module just before it
        text = INTEGRATIONS[kind].format(i=i, other=i - 4)
        files[f"app/integrations/m{i:05d}.py"] = text.lstrip("\n")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.lstrip("\n"))
    (root / ".complete").write_text(str(size))
    return root


# -- main ------------------------------------------------------------------------------------------


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fetch", "run", "pass", "generate", "generated"])
    parser.add_argument("--trees", type=Path, default=SCALE, help="where the trees are unpacked")
    parser.add_argument("--wheels", type=Path, default=SCALE / "wheels")
    parser.add_argument("--tree", action="append", help="ansible, ha, airflow, generated-N")
    parser.add_argument("--contracts", action="append", choices=CONTRACT_SETS)
    parser.add_argument("--semgrep", action="store_true", help="run semgrep beside contractlint")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--sizes", default="1000,2000,4000,8000")
    parser.add_argument("--limit", type=int, default=600, help="stop a run after this many s")
    parser.add_argument("--repeat", type=int, default=1, help="run each tree this many times")
    args = parser.parse_args(argv)
    trees = args.tree or list(TREES)
    sets = args.contracts or list(CONTRACT_SETS)
    results = []
    if args.command == "fetch":
        fetch(args.trees, args.wheels)
        return
    if args.command == "generate":
        for size in map(int, args.sizes.split(",")):
            print(generate(size))
        return
    if args.command == "generated":
        for size in map(int, args.sizes.split(",")):
            generate(size)
            cmd = [PYTHON, __file__, "pass", "--tree", f"generated-{size}", "--contracts"]
            cmd += ["requests", "--jobs", str(args.jobs or os.cpu_count() or 1)]
            done = measure(cmd, ROOT)
            results.append(json.loads(done.stdout.splitlines()[-1]))
            results[-1].update(wall=round(done.wall, 1), peak_mb=round(done.peak_mb))
            print(json.dumps(results[-1]), flush=True)
    for tree in trees if args.command in ("run", "pass") else ():
        for contracts in sets:
            if args.command == "run":
                runs = []
                for _ in range(max(args.repeat, 1)):
                    runs.append(
                        run(args.trees, tree, contracts, args.semgrep, args.jobs, args.limit)
                    )
                    print(json.dumps(runs[-1]), flush=True)
                results += runs
                if len(runs) > 1 and all("stopped" not in r for r in runs):
                    print(json.dumps({"medians": medians(runs)}), flush=True)
                continue
            else:
                jobs = args.jobs or os.cpu_count() or 1
                results.append(project_pass(args.trees, tree, contracts, jobs))
            print(json.dumps(results[-1]), flush=True)
    SCALE.mkdir(parents=True, exist_ok=True)
    (SCALE / f"results-{args.command}.json").write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
