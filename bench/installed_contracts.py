"""What finding the contracts installed packages ship costs a run, next to importlib.metadata.

    python bench/installed_contracts.py              # this environment, 30 runs
    python bench/installed_contracts.py --extra 200  # plus 200 distributions, 20 shipping one

Every run that resolves a contract by name scans the distributions on sys.path
(``contractlint.contracts.packaged.installed``): two sources of one name must be seen. Each
measurement is a fresh process (the scan is remembered within one), timing inside it: the scan
alone; ``import importlib.metadata`` and ``entry_points(group=...)``, which the scan spares a run;
and the command a pre-commit run makes on ten files that name no service (``check``, the four
builtin contracts, no cache). ``--extra`` adds a folder of made-up distributions to the path, to
see the scan grow with a large environment. Medians and minimums, with the load average before
the runs: on a busy machine the numbers mean little. Modules run from their compiled bytecode
(kept under .cache/installed-bench/, whatever PYTHONDONTWRITEBYTECODE says), as installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "installed-bench"

SCAN = """\
import time
from contractlint.contracts.packaged import installed
t = time.perf_counter()
found = installed()
print(time.perf_counter() - t, len(found))
"""
METADATA = """\
import time
t = time.perf_counter()
import importlib.metadata as m
if hasattr(m, "EntryPoints"):
    eps = m.entry_points(group="contractlint.contracts")
else:
    eps = m.entry_points().get("contractlint.contracts", ())
print(time.perf_counter() - t, len(list(eps)))
"""


def distributions(folder: Path, count: int) -> None:
    """``count`` made-up distributions, one in ten shipping a contract, as an installer leaves
    them."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(count):
        meta = folder / f"made_up_{i}-1.0.dist-info"
        meta.mkdir()
        (meta / "METADATA").write_text(f"Metadata-Version: 2.1\nName: made-up-{i}\nVersion: 1.0\n")
        group = "contractlint.contracts" if i % 10 == 0 else "console_scripts"
        (meta / "entry_points.txt").write_text(f"[{group}]\nmade-up-{i} = made_up_{i}:c.toml\n")


def timed(code: str, env: dict[str, str], runs: int) -> tuple[list[float], str]:
    times, count = [], ""
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        times.append(float(out[0]))
        count = out[1]
    return times, count


def precommit(env: dict[str, str], runs: int) -> list[float]:
    project = CACHE / "precommit"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.contractlint]\ncontracts = ["requests", "httpx", "redis", "boto3"]\n'
    )
    for i in range(10):
        (project / f"changed{i}.py").write_text(f"def f{i}(x):\n    return x + {i}\n" * 50)
    command = [sys.executable, "-m", "contractlint", "check", "--no-cache"]
    command += [f"changed{i}.py" for i in range(10)]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=project, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def show(label: str, times: list[float], extra: str = "") -> None:
    print(
        f"{label:48} median {statistics.median(times) * 1000:7.2f} ms  "
        f"min {min(times) * 1000:7.2f} ms{extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--extra", type=int, default=0, help="made-up distributions to add")
    args = parser.parse_args()
    # Compiled modules, as an installed contractlint has them, kept out of the source tree.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    if args.extra:
        folder = CACHE / "site"
        distributions(folder, args.extra)
        env["PYTHONPATH"] = str(folder)
    print(
        f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; python "
        f"{sys.version.split()[0]}"
    )
    times, found = timed(SCAN, env, args.runs)
    show("scan (contracts.packaged.installed)", times, f"  ({found} entry points)")
    times, found = timed(METADATA, env, args.runs)
    show("import importlib.metadata + entry_points(group)", times, f"  ({found} entry points)")
    show("check, 10 files that name no service", precommit(env, args.runs))


if __name__ == "__main__":
    main()
