"""contractlint next to its peers (semgrep, Fixit, ruff) on real code from PyPI, and next to the
floor.

    # everything: about 25 minutes on 2 cores
    .venv/bin/python bench/compare.py
    .venv/bin/python bench/compare.py --corpora django --runs 3 --fixit-runs 1
    # one part: peers, floors, scaling, precommit, partial, gitignore
    .venv/bin/python bench/compare.py --only precommit
    # next to another checkout
    .venv/bin/python bench/compare.py --only gitignore --runs 15 --base ../before
    # contractlint vs its floor only
    .venv/bin/python bench/compare.py --only ours --corpora django --runs 9

Reproducible: the corpora are pinned sdists from PyPI (unpacked once into .cache/corpora, see
tests/corpora.py); the peers are pinned and installed once, each in its own virtual environment
under .cache/bench/ (semgrep and Fixit cannot share one). semgrep and Fixit run a rule with the
meaning of contractlint's `requests` contract, CL001 (bench/peers/); contractlint runs that
contract and that code only. ruff runs no such rule (it cannot express one): it is the native
linter that parses every file, for reference.

For each corpus and tool: wall time, CPU time (user+system of the process tree, from wait4),
peak memory (the largest sum of RSS over the process tree, sampled every 20 ms; a pool's
workers count together), files per second, findings, and the ratio of the wall time to
contractlint's. "cold": contractlint and ruff start with an empty cache; semgrep and Fixit keep
none, so each of their runs is cold. "warm": the same run again, nothing changed. Every number
is the median of --runs runs (the files themselves are in the OS page cache for every tool).
Also printed: the floors (interpreter start-up, reading every file, the prefilter's search,
libcst-parsing the files it keeps, as the targets were set; and CPython's parse of them, which the
analysis now reads, beside it), contractlint on 1x, 2x and 4x copies of django (under the
requests contract, which parses none of it, and under every builtin contract, which parses and
follows errors through 23 files per copy), the pre-commit shape (10 changed files that touch no
service, next to a bare interpreter start-up), and runs over 1 and 10 named files of a project
checked whole (Django under every builtin contract, and a generated project of 300 files whose every
caller is followed), warm and cold, and what respecting .gitignore costs on Django's tree as a git
repository (cold, warm, and warm over 10 named files; with ``--base``, next to another checkout of
contractlint).

Results go to stdout and, as JSON, to .cache/bench/results.json; the findings on which
contractlint and semgrep disagree go to .cache/bench/differences-<corpus>.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = ROOT / ".cache" / "bench"
sys.path.insert(0, str(ROOT / "tests"))

CORPORA = {
    # name: (PyPI project, version)
    "django": ("Django", "5.1.4"),
    "airflow-amazon": ("apache-airflow-providers-amazon", "9.39.0"),
    "apprise": ("apprise", "1.9.5"),  # an SDK that calls requests in most of its files
    "hvac": ("hvac", "2.3.0"),
    "docker": ("docker", "7.1.0"),  # requests through a Session subclass
}
PEERS = {"semgrep": "semgrep==1.185.0", "fixit": "fixit==2.2.1", "ruff": "ruff==0.17.6"}
PYTHON = sys.executable
TARGETS = {  # corpus: (max wall ratio contractlint/semgrep, min speed-up over Fixit)
    "django": (1 / 5, 100),
    "airflow-amazon": (1 / 3, None),
    "apprise": (1 / 2, 20),
}


# -- set-up --------------------------------------------------------------------------------------


def corpus_root(name: str) -> Path:
    from corpora import fetch

    project, version = CORPORA[name]
    unpacked = fetch(project, version)
    inner = [p for p in unpacked.iterdir() if p.is_dir()]
    return inner[0] if len(inner) == 1 else unpacked


def peer(tool: str) -> Path:
    """The tool's executable, installed at its pinned version in .cache/bench/<tool> on first
    use."""
    venv = BENCH / tool
    marker = venv / ".installed"
    if not marker.exists() or marker.read_text() != PEERS[tool]:
        print(f"installing {PEERS[tool]} into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", PEERS[tool]],
            check=True,
        )
        marker.write_text(PEERS[tool])
    return venv / "bin" / tool


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a real install has its bytecode
    env["NO_COLOR"] = "1"
    return env


def compile_contractlint() -> None:
    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", str(ROOT / "contractlint")],
        env=tool_env(),
        stdout=subprocess.DEVNULL,
        check=True,
    )


# -- measuring one run ---------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    returncode: int
    stdout: str = field(repr=False, default="")


def _tree_rss_kb(root_pid: int) -> int:
    """The RSS of ``root_pid`` and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    env = env or tool_env()
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), cwd=str(cwd), env=env, stdout=out, stderr=subprocess.DEVNULL
        )
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                try:
                    peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
                except Exception:
                    pass

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    peak_kb = max(
        peak[0], usage.ru_maxrss
    )  # a run shorter than one sample still has its own maximum
    return Run(wall, usage.ru_utime + usage.ru_stime, peak_kb / 1024, proc.returncode, text)


def median_run(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.wall for r in runs),
        statistics.median(r.cpu for r in runs),
        max(r.peak_mb for r in runs),
        runs[-1].returncode,
        runs[-1].stdout,
    )


# -- the tools -----------------------------------------------------------------------------------

CL_LINE = re.compile(r"^(.+?):(\d+):(\d+): (CL\d{3}) ")


def contractlint_cmd(extra: Sequence[str] = ()) -> list[str]:
    return [
        PYTHON,
        "-m",
        "contractlint",
        "check",
        "-q",
        "--contract",
        "requests",
        "--select",
        "CL001",
        *extra,
        ".",
    ]


def contractlint_findings(text: str) -> list[tuple[str, int]]:
    return sorted(
        {(m.group(1), int(m.group(2))) for m in map(CL_LINE.match, text.splitlines()) if m}
    )


def semgrep_cmd() -> list[str]:
    return [
        str(peer("semgrep")),
        "scan",
        "--config",
        str(HERE / "peers" / "semgrep-requests.yaml"),
        "--metrics=off",
        "--disable-version-check",
        "--no-git-ignore",
        "--project-root",
        ".",
        "--json",
        "--quiet",
        ".",
    ]


def semgrep_findings(text: str) -> list[tuple[str, int]]:
    data = json.loads(text)
    return sorted({(r["path"], r["start"]["line"]) for r in data["results"]})


def semgrep_scanned(text: str) -> int:
    return len(json.loads(text).get("paths", {}).get("scanned", []))


FIXIT_LINE = re.compile(r"^(.+?)@(\d+):(\d+) RequestsUnguarded: ")


def fixit_cmd() -> list[str]:
    return [str(peer("fixit")), "--rules", "fixit_requests", "lint", "."]


def fixit_env() -> dict[str, str]:
    env = tool_env()
    env["PYTHONPATH"] = str(HERE / "peers")
    return env


def fixit_findings(text: str) -> list[tuple[str, int]]:
    return sorted(
        {(m.group(1), int(m.group(2))) for m in map(FIXIT_LINE.match, text.splitlines()) if m}
    )


def ruff_cmd(cache: Path | None) -> list[str]:
    caching = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    return [
        str(peer("ruff")),
        "check",
        "--isolated",
        *caching,
        "--select",
        "E9,F63,F7,F82",
        "--exit-zero",
        "--output-format",
        "concise",
        ".",
    ]


# -- floors ----------------------------------------------------------------------------------------


def startup(runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-c", "pass"], env=tool_env(), check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floors(root: Path) -> dict[str, float]:
    """Read every file contractlint checks, search each with the prefilter, libcst-parse the kept
    ones."""
    code = r"""
import json, os, sys, time
start = time.perf_counter()
import libcst
load = time.perf_counter() - start
from contractlint.config import Config
from contractlint.contracts import load_contracts
from contractlint.run.discovery import discover
from contractlint.run.names import FileNames, import_roots
from contractlint.run.prefilter import Prefilter
root = sys.argv[1]
config = Config(root=root)
start = time.perf_counter()
found = [os.path.join(d, f) for d, _, names in os.walk(".") for f in names if f.endswith(".py")]
walk = time.perf_counter() - start
start = time.perf_counter()
files = list(discover(["."], config))
listed = time.perf_counter() - start
start = time.perf_counter()
blobs = []
for path in files:
    with open(path, "rb") as fh:
        blobs.append(fh.read())
read = time.perf_counter() - start
contracts = load_contracts(["requests"])
prefilter = Prefilter(contracts)
names = FileNames(import_roots(config))
start = time.perf_counter()
kept = [b for p, b in zip(files, blobs) if prefilter.keeps(b, names(p)[1])]
search = time.perf_counter() - start
# Following errors through the project, the analysis also parses the files that call a carrier
# (found in rounds, after the prefilter): those are part of the floor too.
import datetime
from contractlint.run.filecheck import Job
from contractlint.run.follow import follow, project_names
from contractlint.run.schedule import check_files
job = Job(contracts=tuple(contracts), config=config, codes=frozenset({"CL001"}),
          today=datetime.date.today(), project=project_names(import_roots(config)),
          follow_calls=True)
outcomes = follow(list(check_files(files, job)), job)[0]
first = len(kept)
kept = [b for o, b in zip(outcomes, blobs) if o.parsed]
start = time.perf_counter()
for blob in kept:
    try:
        libcst.parse_module(blob)
    except Exception:
        pass
parse = time.perf_counter() - start
import ast
start = time.perf_counter()
for blob in kept:
    try:
        compile(blob, "m.py", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except Exception:
        pass
ast_parse = time.perf_counter() - start
print(json.dumps({"files": len(files), "bytes": sum(map(len, blobs)), "kept": len(kept),
                  "first": first, "list": listed, "walk": walk, "libcst": load, "read": read,
                  "search": search, "parse": parse, "ast_parse": ast_parse}))
"""
    best: dict[str, float] = {}
    for _ in range(3):
        out = subprocess.run(
            [PYTHON, "-c", code, str(root)],
            cwd=str(root),
            env=tool_env(),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        data = json.loads(out)
        for key, value in data.items():
            best[key] = min(best.get(key, value), value)
    return best


# -- parts -----------------------------------------------------------------------------------------


def cold_and_warm(
    table: list[dict], name: str, root: Path, files: int, runs: int
) -> tuple[Run, list, list[float]]:
    """contractlint cold (empty cache) then warm (the same run again), ``runs`` times: the cold
    median, its findings and the load averages seen; both rows go to ``table``."""
    cache = BENCH / "cache" / name
    cold: list[Run] = []
    warm: list[Run] = []
    loads = []
    for _ in range(runs):
        loads.append(os.getloadavg()[0])
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(measure(contractlint_cmd(["--cache-dir", str(cache)]), root))
        warm.append(measure(contractlint_cmd(["--cache-dir", str(cache)]), root))
    cl_cold, cl_warm = median_run(cold), median_run(warm)
    ours = contractlint_findings(cl_cold.stdout)
    assert contractlint_findings(cl_warm.stdout) == ours, (
        "a warm run must find what the cold one found"
    )
    row(table, name, "contractlint", "cold", cl_cold, files, len(ours))
    row(table, name, "contractlint", "warm", cl_warm, files, len(ours))
    return cl_cold, ours, loads


def row(
    table: list[dict], corpus: str, tool: str, mode: str, run: Run, files: int, findings
) -> dict:
    entry = {
        "corpus": corpus,
        "tool": tool,
        "mode": mode,
        "wall": run.wall,
        "cpu": run.cpu,
        "peak_mb": run.peak_mb,
        "files_per_s": files / run.wall if run.wall else 0.0,
        "findings": findings,
    }
    table.append(entry)
    return entry


def run_peers(
    name: str, runs: int, fixit_runs: int, use_fixit: bool, table: list[dict], notes: dict
) -> None:
    root = corpus_root(name)
    fl = floors(root)
    files = int(fl["files"])
    notes.setdefault("floors", {})[name] = fl
    print(
        f"\n== {name}: {root.relative_to(ROOT)} ({files} files, {fl['bytes'] / 1e6:.1f} MB, "
        f"{int(fl['kept'])} kept by the prefilter)",
        flush=True,
    )

    cl_cold, ours, _ = cold_and_warm(table, name, root, files, runs)
    single = median_run(
        [measure(contractlint_cmd(["--no-cache", "--jobs", "1"]), root) for _ in range(runs)]
    )
    row(
        table,
        name,
        "contractlint --jobs 1",
        "cold",
        single,
        files,
        len(contractlint_findings(single.stdout)),
    )
    every = median_run(
        [
            measure([PYTHON, "-m", "contractlint", "check", "-q", "--no-cache", "."], root)
            for _ in range(runs)
        ]
    )
    row(
        table,
        name,
        "contractlint, all builtin contracts",
        "cold",
        every,
        files,
        len(contractlint_findings(every.stdout)),
    )

    # Without a .semgrepignore, semgrep skips test/ and tests/ folders: make it scan what the others
    # scan.
    (root / ".semgrepignore").write_text(
        "# bench/compare.py: scan every file, as the other tools do\n"
    )
    sg = [measure(semgrep_cmd(), root) for _ in range(runs)]
    sg_run = median_run(sg)
    theirs = semgrep_findings(sg[-1].stdout)
    row(table, name, "semgrep", "cold", sg_run, files, len(theirs))
    notes.setdefault("semgrep_scanned", {})[name] = semgrep_scanned(sg[-1].stdout)
    _differences(name, ours, theirs)

    if use_fixit:
        fx = [measure(fixit_cmd(), root, fixit_env()) for _ in range(fixit_runs)]
        fx_run = median_run(fx)
        fixit_found = fixit_findings(fx[-1].stdout)
        row(table, name, "fixit", "cold", fx_run, files, len(fixit_found))
        only_fixit = sorted(set(fixit_found) - set(ours))
        only_ours = sorted(set(ours) - set(fixit_found))
        notes.setdefault("fixit_vs_contractlint", {})[name] = {
            "only_fixit": len(only_fixit),
            "only_contractlint": len(only_ours),
        }

    ruff_cache = BENCH / "ruff-cache" / name
    shutil.rmtree(ruff_cache, ignore_errors=True)
    ruff_cold = median_run([measure(ruff_cmd(None), root) for _ in range(runs)])
    measure(ruff_cmd(ruff_cache), root)
    ruff_warm = median_run([measure(ruff_cmd(ruff_cache), root) for _ in range(runs)])
    row(table, name, "ruff (reference: no such rule)", "cold", ruff_cold, files, "-")
    row(table, name, "ruff (reference: no such rule)", "warm", ruff_warm, files, "-")
    _print_table([r for r in table if r["corpus"] == name], cl_cold.wall)


def run_ours(name: str, runs: int, table: list[dict], notes: dict) -> None:
    """contractlint alone, cold and warm, next to the floor: the fixed-cost targets, in a minute."""
    root = corpus_root(name)
    fl = floors(root)
    files = int(fl["files"])
    notes.setdefault("floors", {})[name] = fl
    print(
        f"\n== {name}: {files} files, {int(fl['kept'])} parsed ({int(fl.get('first', fl['kept']))} "
        "kept by the prefilter, the rest reached through carriers); floor parts (best of 3): list "
        f"{fl['walk']:.3f} s, read {fl['read']:.3f} s, search {fl['search']:.3f} s, parse "
        f"{fl['parse']:.3f} s (libcst; CPython's: {fl['ast_parse']:.3f} s)",
        flush=True,
    )
    cl_cold, _, loads = cold_and_warm(table, name, root, files, runs)
    _print_table([r for r in table if r["corpus"] == name], cl_cold.wall)
    print(f"   load average during the runs: {min(loads):.2f}-{max(loads):.2f}", flush=True)


def _differences(name: str, ours: list[tuple[str, int]], theirs: list[tuple[str, int]]) -> None:
    only_ours = sorted(set(ours) - set(theirs))
    only_theirs = sorted(set(theirs) - set(ours))
    path = BENCH / f"differences-{name}.txt"
    with open(path, "w") as fh:
        fh.write(
            f"# {name}: {len(ours)} contractlint CL001 findings, {len(theirs)} semgrep findings\n"
        )
        fh.write(f"# only contractlint ({len(only_ours)}):\n")
        fh.writelines(f"{p}:{line}\n" for p, line in only_ours)
        fh.write(f"# only semgrep ({len(only_theirs)}):\n")
        fh.writelines(f"{p}:{line}\n" for p, line in only_theirs)
    print(
        f"   contractlint and semgrep agree on {len(set(ours) & set(theirs))} findings; only "
        f"contractlint {len(only_ours)}, only semgrep {len(only_theirs)} (see "
        f"{path.relative_to(ROOT)})"
    )


def _print_table(rows: list[dict], reference: float) -> None:
    print(
        f"   {'tool':<36} {'mode':<5} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'files/s':>9} "
        f"{'findings':>8} {'x contractlint':>15}"
    )
    for r in rows:
        print(
            f"   {r['tool']:<36} {r['mode']:<5} {r['wall']:>8.3f} {r['cpu']:>8.2f} "
            f"{r['peak_mb']:>8.0f} {r['files_per_s']:>9.0f} {str(r['findings']):>8} "
            f"{r['wall'] / reference:>15.2f}",
            flush=True,
        )


def scaling(runs: int, notes: dict) -> None:
    """Copies of django/, cold: under the requests contract (no file parsed: discovery, reading and
    the prefilter), and under every builtin contract (23 files per copy parsed, their errors
    followed through the whole tree: the project-wide pass holds every parsed file's facts)."""
    source = corpus_root("django") / "django"
    series = [
        ("requests, CL001", contractlint_cmd),
        (
            "every builtin contract",
            lambda extra: [PYTHON, "-m", "contractlint", "check", "-q", *extra, "."],
        ),
    ]
    for key, (label, command) in zip(("scaling", "scaling_every"), series):
        print(f"\n== scaling: contractlint ({label}, cold) on copies of django/", flush=True)
        results = []
        for copies in (1, 2, 4):
            target = BENCH / "scale" / f"x{copies}"
            if not (target / ".complete").exists():
                shutil.rmtree(target, ignore_errors=True)
                for i in range(copies):
                    shutil.copytree(source, target / f"copy{i}" / "django")
                (target / ".complete").write_text("")
            # A project of its own, as each corpus is: without it the copies would belong to this
            # repository's project, whose .gitignore leaves out .cache/.
            (target / "pyproject.toml").write_text('[project]\nname = "copies"\n')
            cache = BENCH / "cache" / f"scale-x{copies}"
            cold = []
            for _ in range(runs):
                shutil.rmtree(cache, ignore_errors=True)
                cold.append(measure(command(["--cache-dir", str(cache)]), target))
            run = median_run(cold)
            results.append(
                {
                    "copies": copies,
                    "wall": run.wall,
                    "cpu": run.cpu,
                    "peak_mb": run.peak_mb,
                    "findings": len(contractlint_findings(run.stdout)),
                }
            )
            print(
                f"   x{copies}: wall {run.wall:.2f} s, cpu {run.cpu:.2f} s, peak {run.peak_mb:.0f} "
                f"MB, {results[-1]['findings']} findings, {run.wall / results[0]['wall']:.2f}x the "
                "time of x1",
                flush=True,
            )
        notes[key] = results


def precommit(notes: dict) -> None:
    """10 changed files that touch no service: the shape of a pre-commit run on most commits."""
    from contractlint.contracts import default_names, load_contracts
    from contractlint.run.prefilter import Prefilter

    project = BENCH / "precommit"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.contractlint]\ncontracts = ["requests", "httpx", "redis", "boto3"]\n'
    )
    prefilter = Prefilter(load_contracts(default_names()))
    chosen = []
    for path in sorted((corpus_root("django") / "django" / "db" / "models").rglob("*.py")):
        data = path.read_bytes()
        if len(data) > 2000 and not prefilter.keeps(data, "django"):
            chosen.append(path)
        if len(chosen) == 10:
            break
    names = []
    for i, path in enumerate(chosen):
        shutil.copy(path, project / f"changed{i}.py")
        names.append(f"changed{i}.py")
    check = [PYTHON, "-m", "contractlint", "check", *names]
    bare = [PYTHON, "-c", "pass"]
    print("\n== pre-commit shape: 10 changed files that touch no service", flush=True)
    if shutil.which("hyperfine"):
        export = BENCH / "precommit.json"
        subprocess.run(
            [
                "hyperfine",
                "-N",
                "--warmup",
                "5",
                "--runs",
                "40",
                "--export-json",
                str(export),
                " ".join(bare),
                " ".join(check),
            ],
            cwd=str(project),
            env=tool_env(),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        found = json.loads(export.read_text())["results"]
        medians = [r["median"] for r in found]
        how = "hyperfine, median of 40 runs"
    else:
        medians = []
        for cmd in (bare, check):
            times = [measure(cmd, project).wall for _ in range(40)]
            medians.append(statistics.median(times))
        how = "median of 40 runs"
    notes["precommit"] = {
        "bare": medians[0],
        "check": medians[1],
        "over": medians[1] - medians[0],
        "how": how,
    }
    print(
        f"   python -c pass {medians[0] * 1000:.0f} ms; contractlint check (10 files) "
        f"{medians[1] * 1000:.0f} ms; {(medians[1] - medians[0]) * 1000:.0f} ms on top of the bare "
        f"interpreter ({how})",
        flush=True,
    )


def generated_project(root: Path, helpers: int = 30, callers: int = 200, plain: int = 70) -> Path:
    """A project of ``helpers + callers + plain`` modules under src/ (300 by default), 60 to 120
    lines each: helpers that call requests and let its errors out, callers that call them (one
    call guarded, one not, each; they name no service, so they are parsed in a round of the
    prefilter, as callers of a helper), and modules that touch neither."""
    if (root / ".complete").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    package = root / "src" / "shop"
    for folder in ("clients", "views", "util"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\n\n[tool.contractlint]\ncontracts = ["requests"]\n'
    )
    filler = "".join(
        f"\n\ndef helper_{n}(items):\n    total = 0\n    for item in items:\n"
        f"        if item % {n + 2}:\n            total += item\n    return total\n"
        for n in range(10)
    )
    for i in range(helpers):
        (package / "clients" / f"c{i}.py").write_text(
            f"import requests\n\n\ndef get_{i}(url):\n"
            f"    return requests.get(url, timeout=5).json()\n{filler}"
        )
    for j in range(callers):  # they name no service: parsed in a round, as callers of a helper
        i = j % helpers
        (package / "views" / f"v{j}.py").write_text(
            f"from shop.clients.c{i} import get_{i}\n\n\n"
            f"def page_{j}(url):\n    return get_{i}(url)\n\n\n"
            f"def safe_{j}(url):\n    try:\n        return get_{i}(url)\n"
            f"    except OSError:  # requests' errors derive from it\n        return None\n{filler}"
        )
    for k in range(plain):
        (package / "util" / f"u{k}.py").write_text(f'"""Utilities {k}."""\n{filler}{filler}')
    (root / ".complete").write_text("")
    return root


def _partial_files(root: Path, contracts: list[str]) -> tuple[list[Path], list[Path]]:
    """The files a full run does not parse (no service, no helper of the project), and those it
    parses in a round of the prefilter (they call a helper that lets an error out); worked out in
    a process of its own, so that the runs measured are not forked from a large one."""
    code = r"""
import datetime, json, os, sys
from contractlint.config import Config
from contractlint.contracts import load_contracts
from contractlint.run.discovery import discover
from contractlint.run.filecheck import Job
from contractlint.run.follow import follow, project_names
from contractlint.run.names import import_roots
from contractlint.run.prefilter import Prefilter
from contractlint.run.schedule import check_files
config = Config(root=".")
loaded = load_contracts(sys.argv[1:])
job = Job(contracts=tuple(loaded), config=config, codes=frozenset({"CL001"}),
          today=datetime.date.today(), project=project_names(import_roots(config)),
          follow_calls=True)
paths = list(discover(["."], config))
_, _, rounds = follow(list(check_files(paths, job)), job)
prefilter = Prefilter(loaded)
quiet = [p for p in paths if p not in rounds and not prefilter.keeps(open(p, "rb").read(), "x")]
print(json.dumps([quiet, sorted(rounds)]))
"""
    out = subprocess.run(
        [PYTHON, "-c", code, *contracts],
        cwd=str(root),
        env=tool_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    quiet, rounds = json.loads(out)
    return [root / p for p in quiet], [root / p for p in rounds]


def partial(runs: int, notes: dict, bases: Sequence[Path] = ()) -> None:
    """A run over 1 and 10 named files of a project it checks whole (the pre-commit shape), next
    to a bare interpreter start-up and a full run: warm (the cache holds the last run, and the
    named files were edited since: comments, in files that call no service; or files that call a
    helper, analysed again), and cold (an empty cache). The warm runs of this tree and of each of
    ``bases`` (other checkouts of contractlint) are interleaved with bare start-ups."""
    trees = {
        "django": (BENCH / "partial" / "django", ["requests", "httpx", "redis", "boto3"]),
        "generated-300": (BENCH / "partial" / "generated", ["requests"]),
    }
    django = trees["django"][0]
    if not (django / ".complete").exists():
        shutil.rmtree(django, ignore_errors=True)
        shutil.copytree(corpus_root("django"), django)
        (django / ".complete").write_text("")
    generated_project(trees["generated-300"][0])
    start = notes.get("startup") or startup()
    results = []
    print(
        f"\n== partial runs: named files of a project checked whole (start-up {start * 1000:.0f} "
        "ms)"
    )
    for name, (root, contracts) in trees.items():
        cache = BENCH / "cache" / f"partial-{name}"
        base = [
            PYTHON,
            "-m",
            "contractlint",
            "check",
            "-q",
            "--exit-zero",
            "--cache-dir",
            str(cache),
        ]
        for arg in contracts:
            base += ["--contract", arg]
        files = sorted(p for p in root.rglob("*.py") if ".contractlint_cache" not in p.parts)
        quiet, callers = _partial_files(root, contracts)
        shapes = {
            "1 edited file, no service": quiet[:1],
            "10 edited files, no service": quiet[:10],
            "1 edited file that calls a helper": callers[:1],
        }
        colds: dict[str, list[Run]] = {"full": [], "partial": []}
        for _ in range(min(runs, 3)):  # interleaved: the machine's load falls on both alike
            for kind, paths in (
                ("full", ["."]),
                ("partial", shapes["10 edited files, no service"]),
            ):
                shutil.rmtree(cache, ignore_errors=True)
                colds[kind].append(measure([*base, *map(str, paths)], root))
        cold_full, cold_partial = median_run(colds["full"]), median_run(colds["partial"])
        row = {
            "project": name,
            "files": len(files),
            "cold full": cold_full.wall,
            "cold partial (10 files)": cold_partial.wall,
            "cold cpu": [cold_full.cpu, cold_partial.cpu],
            "cold peak_mb": max(cold_full.peak_mb, cold_partial.peak_mb),
        }
        print(
            f"   {name} ({len(files)} files): cold full run {cold_full.wall:.2f} s (cpu "
            f"{cold_full.cpu:.2f} s), cold run over 10 named files {cold_partial.wall:.2f} s (cpu "
            f"{cold_partial.cpu:.2f} s), peak {row['cold peak_mb']:.0f} MB",
            flush=True,
        )
        variants = {"this tree": (base, tool_env())}
        for label, env in checkouts(bases).items():
            other = [a if a != str(cache) else f"{cache}-{len(variants)}" for a in base]
            variants[label] = (other, env)
        for command, env in variants.values():
            measure([*command, "."], root, env)  # warm the cache
        for shape, named in shapes.items():
            timed: dict[str, list[Run]] = {label: [] for label in variants}
            bare = []
            for n in range(runs):
                bare.append(measure([PYTHON, "-c", "pass"], root).wall)
                for path in named:  # an edit, as a commit makes one
                    with open(path, "a", encoding="utf-8") as fh:
                        fh.write(f"\n# edited {n}\n")
                for label, (command, env) in variants.items():
                    timed[label].append(measure([*command, *map(str, named)], root, env))
            bare_median = statistics.median(bare)
            for label, runs_of in timed.items():
                run = median_run(runs_of)
                entry = {
                    "wall": run.wall,
                    "wall_min": min(r.wall for r in runs_of),
                    "cpu": run.cpu,
                    "cpu_min": min(r.cpu for r in runs_of),
                    "peak_mb": run.peak_mb,
                    "bare": bare_median,
                    "over": run.wall - bare_median,
                }
                if label == "this tree":
                    row[shape] = entry
                else:
                    row.setdefault("checkouts", {}).setdefault(label, {})[shape] = entry
                print(
                    f"   {name}: {shape}{'' if label == 'this tree' else f' ({label})'}: "
                    f"{run.wall * 1000:.0f} ms, min {entry['wall_min'] * 1000:.0f} ms "
                    f"({entry['over'] * 1000:.0f} ms over a bare start-up, "
                    f"{bare_median * 1000:.0f} ms), cpu {run.cpu * 1000:.0f} ms, min "
                    f"{entry['cpu_min'] * 1000:.0f} ms, peak {run.peak_mb:.0f} MB",
                    flush=True,
                )
        results.append(row)
    notes["partial"] = {"startup": start, "results": results}


def checkouts(bases: Sequence[Path]) -> dict[str, dict[str, str]]:
    """For each checkout of contractlint in ``bases`` (compiled, as an install is), its label
    (``checkout at <commit>``) and the environment that runs it: its folder on PYTHONPATH."""
    found = {}
    for base in bases:
        subprocess.run(
            [PYTHON, "-m", "compileall", "-q", str(base / "contractlint")],
            env=tool_env(),
            stdout=subprocess.DEVNULL,
            check=True,
        )
        env = tool_env()
        env["PYTHONPATH"] = str(base)
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=str(base), capture_output=True, text=True
        ).stdout.strip()
        found[f"checkout at {commit or base.name}"] = env
    return found


#: The patterns of Django's own .gitignore (its repository, not its sdist, which ships none).
DJANGO_GITIGNORE = """\
*.egg-info
*.pot
*.py[co]
.tox/
__pycache__
MANIFEST
dist/
docs/_build/
docs/locale/
node_modules/
tests/coverage_html/
tests/.coverage*
build/
tests/report/
tests/screenshots/
"""


def gitignore(runs: int, notes: dict, bases: Sequence[Path] = ()) -> None:
    """What respecting .gitignore costs: Django's tree as a git repository with Django's own
    .gitignore, checked under the requests contract (as in the peers' table) cold, warm, and warm
    over 10 named files that call no service (edited before each run), by this tree with its
    default (``respect-gitignore``) and with ``--no-respect-gitignore`` and, given ``bases``
    (other checkouts of contractlint, e.g. the commit before a change), by each of them;
    interleaved, so that the machine's load falls on each alike, next to a bare start-up."""
    root = BENCH / "gitignore" / "django"
    if not (root / ".complete").exists():
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(corpus_root("django"), root)
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        (root / ".gitignore").write_text(DJANGO_GITIGNORE)
        (root / ".complete").write_text("")
    quiet, _ = _partial_files(root, ["requests"])
    named = [str(p.relative_to(root)) for p in quiet[:10]]
    variants: dict[str, tuple[list[str], dict[str, str]]] = {
        "respect-gitignore (default)": ([], tool_env()),
        "--no-respect-gitignore": (["--no-respect-gitignore"], tool_env()),
    }
    for label, env in checkouts(bases).items():
        variants[label] = ([], env)
    modes = ("cold", "warm", "warm, 10 named files")
    times: dict[tuple[str, str], list[Run]] = {(v, m): [] for v in variants for m in modes}
    bare: list[Run] = []
    caches = {v: BENCH / "cache" / f"gitignore-{i}" for i, v in enumerate(variants)}
    loads = [os.getloadavg()[0]]
    print(f"\n== respecting .gitignore: django as a git repository ({len(named)} named files)")
    for n in range(runs):
        bare.append(measure([PYTHON, "-c", "pass"], root))
        for variant, (extra, env) in variants.items():
            full = contractlint_cmd(["--cache-dir", str(caches[variant]), *extra])
            shutil.rmtree(caches[variant], ignore_errors=True)
            times[(variant, "cold")].append(measure(full, root, env))
            times[(variant, "warm")].append(measure(full, root, env))
            for path in named:  # an edit, as a commit makes one
                with open(root / path, "a", encoding="utf-8") as fh:
                    fh.write(f"\n# edited {n}\n")
            times[(variant, "warm, 10 named files")].append(
                measure([*full[:-1], *named], root, env)
            )
        loads.append(os.getloadavg()[0])
    findings = {v: contractlint_findings(times[(v, "cold")][-1].stdout) for v in variants}
    assert all(f == findings["--no-respect-gitignore"] for f in findings.values()), (
        "every variant must find the same on a tree with nothing ignored to check"
    )
    results = []
    for mode in modes:
        for variant in variants:
            walls = sorted(r.wall for r in times[(variant, mode)])
            cpus = sorted(r.cpu for r in times[(variant, mode)])
            entry = {
                "mode": mode,
                "variant": variant,
                "wall": statistics.median(walls),
                "wall_min": walls[0],
                "wall_iqr": statistics.quantiles(walls, n=4)[2]
                - statistics.quantiles(walls, n=4)[0],
                "cpu": statistics.median(cpus),
                "cpu_min": cpus[0],
                "peak_mb": max(r.peak_mb for r in times[(variant, mode)]),
            }
            results.append(entry)
            print(
                f"   {mode:22} {variant:30} wall median {entry['wall'] * 1000:5.0f} ms, min "
                f"{entry['wall_min'] * 1000:5.0f} ms; cpu median {entry['cpu'] * 1000:5.0f} ms, "
                f"min {entry['cpu_min'] * 1000:5.0f} ms; peak {entry['peak_mb']:.0f} MB",
                flush=True,
            )
    start = statistics.median(r.wall for r in bare)
    print(
        f"   python -c pass: wall median {start * 1000:.0f} ms; load average "
        f"{min(loads):.2f}-{max(loads):.2f}; {runs} runs of each",
        flush=True,
    )
    notes["gitignore"] = {"startup": start, "loads": loads, "runs": runs, "results": results}


def verdicts(table: list[dict], notes: dict) -> None:
    print("\n== targets")
    start = notes.get("startup", 0.0)

    def get(corpus: str, tool: str, mode: str = "cold") -> dict | None:
        return next(
            (r for r in table if r["corpus"] == corpus and r["tool"] == tool and r["mode"] == mode),
            None,
        )

    def say(ok: bool, text: str) -> None:
        print(f"   {'MET    ' if ok else 'NOT MET'} {text}")

    for corpus in sorted({r["corpus"] for r in table}):
        ours, sg, fx = get(corpus, "contractlint"), get(corpus, "semgrep"), get(corpus, "fixit")
        warm = get(corpus, "contractlint", "warm")
        limit, speedup = TARGETS.get(corpus, (None, None))
        if ours and sg and limit:
            say(
                ours["wall"] <= limit * sg["wall"],
                f"{corpus}: cold {ours['wall']:.2f} s vs semgrep "
                f"{sg['wall']:.2f} s = {ours['wall'] / sg['wall']:.3f} (target <= {limit:.3f})",
            )
        if ours and fx and speedup:
            say(
                fx["wall"] >= speedup * ours["wall"],
                f"{corpus}: Fixit {fx['wall']:.1f} s is "
                f"{fx['wall'] / ours['wall']:.0f}x contractlint (target >= {speedup}x)",
            )
        fl = notes.get("floors", {}).get(corpus)
        if ours and fl:
            parser = fl["libcst"] if fl["kept"] else 0.0  # parsing a file needs the parser loaded
            floor = start + fl["walk"] + fl["read"] + fl["search"] + parser + fl["parse"]
            say(
                ours["wall"] <= 2 * floor,
                f"{corpus}: cold {ours['wall']:.2f} s vs floor {floor:.2f} s (start-up {start:.3f} "
                f"+ list {fl['walk']:.3f} + read {fl['read']:.3f} + search {fl['search']:.3f} + "
                f"import libcst {parser:.2f} + parse {fl['parse']:.2f} of {int(fl['kept'])} files) "
                f"= {ours['wall'] / floor:.2f}x (target <= 2x)",
            )
        if warm:
            say(warm["wall"] <= 0.3, f"{corpus}: warm run {warm['wall']:.3f} s (target <= 0.3 s)")
        for r in table:
            if r["corpus"] == corpus and r["tool"].startswith("contractlint"):
                say(
                    r["peak_mb"] < 300,
                    f"{corpus}: {r['tool']} {r['mode']} peak {r['peak_mb']:.0f} MB (target < 300 "
                    "MB)",
                )
    if "precommit" in notes:
        over = notes["precommit"]["over"]
        say(
            over < 0.150,
            f"pre-commit shape: {over * 1000:.0f} ms on top of the bare interpreter (target < 150 "
            "ms)",
        )
    for row in notes.get("partial", {}).get("results", []):
        limit = 0.5 if row["project"] == "django" else 0.2
        for shape in ("1 edited file, no service", "10 edited files, no service"):
            over = row[shape]["over"]
            say(
                over <= limit,
                f"partial run on {row['project']}, {shape}: {over * 1000:.0f} ms over start-up "
                f"(target <= {limit * 1000:.0f} ms); cpu {row[shape]['cpu'] * 1000:.0f} ms",
            )
        say(
            row["cold partial (10 files)"] <= 1.1 * row["cold full"],
            f"partial run on {row['project']}, cold: {row['cold partial (10 files)']:.2f} s vs a "
            f"cold full run {row['cold full']:.2f} s",
        )
    found = {(r["mode"], r["variant"]): r for r in notes.get("gitignore", {}).get("results", [])}
    for (mode, variant), r in found.items():
        if variant.startswith("respect"):
            continue
        ours = found[(mode, "respect-gitignore (default)")]
        noise = max(ours["wall_iqr"], r["wall_iqr"])
        say(
            ours["wall"] - r["wall"] <= noise,
            f"respecting .gitignore, {mode}: {ours['wall'] * 1000:.0f} ms vs {variant} "
            f"{r['wall'] * 1000:.0f} ms (within noise: a difference of medians <= the larger "
            f"interquartile range, {noise * 1000:.0f} ms); cpu {ours['cpu'] * 1000:.0f} ms vs "
            f"{r['cpu'] * 1000:.0f} ms",
        )
    for key in ("scaling", "scaling_every"):
        if key not in notes:
            continue
        s = notes[key]
        ratios = [r["wall"] / s[0]["wall"] for r in s]
        linear = all(r["wall"] <= r["copies"] * s[0]["wall"] * 1.25 for r in s)
        say(
            linear,
            f"{key}: time grows linearly: x1, x2, x4 took "
            + ", ".join(f"{r:.2f}" for r in ratios)
            + " times x1's time (at most 1.25x the linear share)",
        )
        say(
            all(r["peak_mb"] < 300 for r in s),
            f"{key}: peak memory at x1, x2, x4: " + ", ".join(f"{r['peak_mb']:.0f} MB" for r in s),
        )


def machine() -> dict:
    import platform

    cpu = ""
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in open("/proc/cpuinfo")
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    versions = {"python": platform.python_version()}
    for tool in PEERS:
        exe = BENCH / tool / "bin" / tool
        if exe.exists():
            versions[tool] = PEERS[tool].split("==")[1]
    from importlib.metadata import version

    versions["libcst"] = version("libcst")
    from contractlint import __version__

    versions["contractlint"] = __version__
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": platform.platform(),
        "versions": versions,
    }


def main(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default="django,airflow-amazon,apprise,hvac,docker")
    parser.add_argument(
        "--runs", type=int, default=3, help="runs per measurement (the median is shown)"
    )
    parser.add_argument("--fixit-runs", type=int, default=1, help="Fixit is slow: runs per corpus")
    parser.add_argument("--no-fixit", action="store_true")
    parser.add_argument(
        "--fixit-on", default="", help="run Fixit on these corpora only (comma-separated)"
    )
    parser.add_argument(
        "--only",
        choices=["peers", "ours", "scaling", "precommit", "partial", "gitignore"],
        help="run one part only (ours: contractlint cold and warm next to the floor, no peers)",
    )
    parser.add_argument(
        "--base",
        type=Path,
        action="append",
        default=[],
        help="partial and gitignore parts: another checkout of contractlint to run side by side "
        "(its source folder, put on PYTHONPATH), e.g. the commit before a change; may be repeated",
    )
    args = parser.parse_args(argv)
    BENCH.mkdir(parents=True, exist_ok=True)
    compile_contractlint()
    info = machine()
    print(
        f"machine: {info['cpu']}, {info['cores']} cores, {info['system']}; "
        + ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    )
    notes: dict = {"machine": info, "startup": startup()}
    print(f"interpreter start-up (python -c pass): {notes['startup'] * 1000:.0f} ms")
    table: list[dict] = []
    if args.only in (None, "peers"):
        for name in args.corpora.split(","):
            fixit = not args.no_fixit and (not args.fixit_on or name in args.fixit_on.split(","))
            run_peers(name, args.runs, args.fixit_runs, fixit, table, notes)
    if args.only == "ours":
        for name in args.corpora.split(","):
            run_ours(name, args.runs, table, notes)
    if args.only in (None, "scaling"):
        scaling(args.runs, notes)
    if args.only in (None, "precommit"):
        precommit(notes)
    if args.only in (None, "partial"):
        partial(args.runs, notes, args.base)
    if args.only in (None, "gitignore"):
        gitignore(args.runs, notes, args.base)
    verdicts(table, notes)
    (BENCH / "results.json").write_text(
        json.dumps({"table": table, "notes": notes}, indent=2, default=str)
    )


if __name__ == "__main__":
    main(sys.argv[1:])
