"""contractlint on one big generated module: time and memory against the module's size.

    .venv/bin/python bench/generated.py                          # every shape, 0.25 to 2 MB, 3 runs
    .venv/bin/python bench/generated.py --shapes guarded --sizes 2 --runs 1

Generated code is where one file gets big: an API client with thousands of endpoints, a schema
turned into code. Each shape is a module that imports requests, written up to a size in MB:

- ``guarded``: functions that each make a request inside a ``try`` that catches
  requests.RequestException (no finding);
- ``unguarded``: functions that each make requests no ``try`` guards (a finding per call, each
  with its recommended handling and its fix);
- ``flat``: module-level constants and a few guarded calls (a big table of data).

Each run is ``python -m contractlint check --no-cache --contract requests`` on the module alone, in
a fresh process: wall and CPU seconds (user and system, of the process tree) and peak memory (the
largest RSS of the process tree, sampled every 20 ms), as bench/compare.py measures them; the
median of --runs. On a busy machine the CPU time says more than the wall time. The modules are
written to contractlint-generated/ in the temporary folder (outside any project: no configuration
applies; kept between runs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = Path(tempfile.gettempdir()) / "contractlint-generated"
sys.path.insert(0, str(HERE))

from compare import PYTHON, measure, tool_env  # noqa: E402

HEADER = '"""Generated: do not edit."""\n\nimport requests\n\nBASE = "https://api.example.com"\n\n'


def guarded(i: int) -> str:
    return (
        f"\n\ndef get_item_{i}(session, item_id, timeout=10):\n"
        f'    """GET /items/{i}/{{item_id}}."""\n'
        f"    try:\n"
        f'        response = requests.get(f"{{BASE}}/items/{i}/{{item_id}}", timeout=timeout)\n'
        f"    except requests.RequestException as exc:\n"
        f'        raise RuntimeError("item {i} unavailable") from exc\n'
        f"    return response.json()\n"
    )


def unguarded(i: int) -> str:
    return (
        f"\n\ndef put_item_{i}(item_id, payload, timeout=10):\n"
        f'    """PUT /items/{i}/{{item_id}}."""\n'
        f'    response = requests.put(f"{{BASE}}/items/{i}/{{item_id}}", json=payload, '
        "timeout=timeout)\n"
        f"    requests.post(BASE + '/audit/{i}', data=str(item_id))\n"
        f"    return response.status_code\n"
    )


def flat(i: int) -> str:
    if i % 500 == 0:
        return guarded(i) + "\n\n"
    return f"ITEM_{i} = {{'id': {i}, 'name': 'item {i}', 'tags': ('a', 'b', {i % 7})}}\n"


SHAPES = {"guarded": guarded, "unguarded": unguarded, "flat": flat}


def module(shape: str, megabytes: float) -> Path:
    path = OUT / f"{shape}_{megabytes:g}mb.py"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    make, size, parts, i = SHAPES[shape], int(megabytes * 1_000_000), [HEADER], 0
    total = len(HEADER)
    while total < size:
        part = make(i)
        parts.append(part)
        total += len(part)
        i += 1
    path.write_text("".join(parts))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--sizes", nargs="+", type=float, default=[0.25, 0.5, 1, 2])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print("| shape | MB | lines | wall s | CPU s | peak MB | findings | CPU s per MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for shape in args.shapes:
        for size in args.sizes:
            path = module(shape, size)
            cmd = [PYTHON, "-m", "contractlint", "check", "--no-cache", "--contract", "requests"]
            cmd += [str(path)]
            runs = [measure(cmd, OUT, tool_env()) for _ in range(args.runs)]
            wall = statistics.median(r.wall for r in runs)
            cpu = statistics.median(r.cpu for r in runs)
            peak = max(r.peak_mb for r in runs)
            findings = sum(1 for line in runs[-1].stdout.splitlines() if ": CL" in line)
            data = path.read_bytes()
            lines = data.count(b"\n")
            print(
                f"| {shape} | {len(data) / 1e6:.2f} | {lines:,} | {wall:.2f} | {cpu:.2f} | "
                f"{peak:.0f} | {findings:,} | {cpu / (len(data) / 1e6):.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
