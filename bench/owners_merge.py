"""How long `contractlint report --from` takes, and how much memory, on many inventories.

    python bench/owners_merge.py                       # 2,000 inventories of 200 call sites each
    python bench/owners_merge.py --projects 200 --calls 50 --runs 1

Writes the inventories once into .cache/owners-bench/ (as `report --format json` writes them:
indented, sorted keys; a quarter of the calls violating with a fingerprint, one in twenty
accepted, two contracts), then runs `python -m contractlint report --from
'.cache/owners-bench/inventories/*.json'` for each format, and `--since` an earlier merge, each in a
fresh process. Prints the wall time and the peak resident memory of that process (``ru_maxrss`` of
the child, from ``resource``), the median of ``--runs``, with the load average before each run: the
numbers mean little on a busy machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "owners-bench"
STATES = ["compliant"] * 12 + ["approved wrapper"] * 2 + ["accepted"] * 1 + ["violating"] * 5
CODES = ["CL001", "CL002", "CL003", "CL004", "CL005", "CL006"]
TODAY = dt.date(2026, 11, 28)


def inventory(rng: random.Random, index: int, calls: int) -> dict:
    """One project's inventory, in the shape `report --format json` writes (schema version 2)."""
    project = f"consumer-{index:04d}"
    contracts = []
    risks = []
    for name, share in (("capability-server", 0.75), ("profile-service", 0.25)):
        listed = []
        for i in range(int(calls * share)):
            state = rng.choice(STATES)
            path = f"src/{project.replace('-', '_')}/module_{i // 20:02d}.py"
            line = 10 + (i % 20) * 12
            acceptance = None
            findings = []
            if state == "violating":
                findings = [
                    {"code": rng.choice(CODES), "fingerprint": f"{rng.getrandbits(80):020x}"}
                ]
            elif state == "accepted":
                until = TODAY + dt.timedelta(days=rng.randint(-60, 400))
                acceptance = {
                    "line": line - 1,
                    "owner": f"team-{index % 97}",
                    "reason": "the feature degrades gracefully; revisit when the cache lands",
                    "until": until.isoformat(),
                }
                risks.append(
                    {
                        "codes": ["CL001"],
                        "contracts": [name],
                        "expired": until < TODAY,
                        "file_level": False,
                        "findings": 1,
                        "line": line - 1,
                        "owner": acceptance["owner"],
                        "path": path,
                        "reason": acceptance["reason"],
                        "status": "expired"
                        if until < TODAY
                        else f"{(until - TODAY).days} days left",
                        "until": acceptance["until"],
                    }
                )
            listed.append(
                {
                    "acceptance": acceptance,
                    "callee": f"{name.replace('-', '_')}_client.Client."
                    f"{rng.choice(['check', 'get', 'put'])}",
                    "column": 16,
                    "findings": findings,
                    "line": line,
                    "path": path,
                    "scope": f"Handler{i % 7}.handle_{i % 5}",
                    "state": state,
                }
            )
        counts = {s: sum(1 for c in listed if c["state"] == s) for s in set(STATES) | {"baselined"}}
        contracts.append(
            {
                "calls": listed,
                "counts": counts,
                "name": name,
                "owner": f"{name}-team",
                "review_by": "2027-03-31",
                "review_overdue": False,
                "risks": [r for r in risks if name in r["contracts"]],
                "source": {"kind": "builtin"},
                "summary": f"The {name} contract",
                "version": None,
            }
        )
    return {
        "contracts": contracts,
        "date": (TODAY - dt.timedelta(days=rng.randint(0, 60))).isoformat(),
        "project": {"commit": f"{rng.getrandbits(160):040x}", "name": project},
        "risks": sorted(risks, key=lambda r: r["until"]),
        "tool": {"name": "contractlint", "version": "0.1.0"},
        "version": 2,
    }


def generate(folder: Path, projects: int, calls: int) -> None:
    stamp = folder / "PARAMETERS"
    wanted = f"{projects} {calls}\n"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    rng = random.Random(20261128)
    for i in range(projects):
        doc = inventory(rng, i, calls)
        (folder / f"consumer-{i:04d}.json").write_text(
            json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        )
    stamp.write_text(wanted)


def measured(args: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one `contractlint` process, run by a fresh Python that waits for
    it."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "t = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(code, t, peak)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "contractlint", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout.split()
    if out[0] != "0":
        sys.exit(f"contractlint {' '.join(args)} exited {out[0]}")
    return float(out[1]), int(out[2]) / 1024  # ru_maxrss is in KiB on Linux


def main(argv) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args(argv)
    folder = CACHE / "inventories"
    start = time.perf_counter()
    generate(folder, options.projects, options.calls)
    size = sum(p.stat().st_size for p in folder.glob("*.json"))
    print(
        f"{options.projects} inventories of {options.calls} call sites, {size / 2**20:.0f} MiB "
        f"(ready in {time.perf_counter() - start:.1f}s)"
    )
    pattern = str(folder.relative_to(ROOT) / "*.json")
    common = ["report", "--from", pattern, "--today", TODAY.isoformat(), "--stale-after", "30"]
    earlier = CACHE / "earlier.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "contractlint",
            *common,
            "--format",
            "json",
            "--output",
            str(earlier),
        ],
        cwd=ROOT,
        check=True,
    )
    cases = [
        (fmt, [*common, "--format", fmt, "--output", str(CACHE / f"owners.{ext}")])
        for fmt, ext in (("json", "json"), ("html", "html"), ("markdown", "md"))
    ]
    cases.append(
        (
            "html --since",
            [
                *common,
                "--since",
                str(earlier),
                "--format",
                "html",
                "--output",
                str(CACHE / "since.html"),
            ],
        )
    )
    for name, args in cases:
        times, peaks, loads = [], [], []
        for _ in range(options.runs):
            loads.append(os.getloadavg()[0])
            seconds, peak = measured(args)
            times.append(seconds)
            peaks.append(peak)
        out = Path(args[-1]).stat().st_size / 2**20
        print(
            f"{name:>13}: {statistics.median(times):5.2f} s, peak {statistics.median(peaks):5.0f} "
            f"MiB (output {out:.0f} MiB; load before runs {', '.join(f'{x:.2f}' for x in loads)})"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
