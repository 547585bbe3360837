"""What the progress line costs: ``contractlint check --no-cache`` over a tree with standard error
on a pseudo-terminal and the line drawn from the first moment (``CONTRACTLINT_PROGRESS_AFTER=0``),
next to the same run with standard error on a pipe, where there is no line.

    python bench/progress.py [--runs N] [--jobs N] [TREE]

TREE: Django 5.1.4 by default (unpacked once into .cache/corpora, see tests/corpora.py), under
every builtin contract. The runs alternate (without, with, without, ...) so that a machine whose
load drifts weighs on both alike; each run's wall and processor time (user and system, of the
whole process tree) are printed, then the median and the best of each. The findings must be the
same, and the line must have been drawn and erased.

On a busy machine the difference drowns in the noise; the costs the line adds are then printed
alone, in this process: one draw on a pseudo-terminal, and one file counted (``Progress.read``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def django() -> Path:
    from corpora import fetch

    unpacked = fetch("Django", "5.1.4")
    return next(p for p in unpacked.iterdir() if p.is_dir() and p.name.startswith("Django"))


def once(tree: Path, jobs: int, shown: bool) -> tuple[float, float, bytes, bytes]:
    """One run: its wall time, the processor time of its processes (user and system, workers
    included), its standard output, and what reached its standard error."""
    import pty
    import resource

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env.update({"TERM": "xterm", "CONTRACTLINT_PROGRESS_AFTER": "0"})
    contracts = ("requests", "httpx", "redis", "boto3")
    command = [sys.executable, "-m", "contractlint", "check", "--no-cache", f"--jobs={jobs}"]
    command += [f"--contract={name}" for name in contracts] + ["."]
    received: list[bytes] = []
    if shown:
        parent, child = pty.openpty()
        reader = threading.Thread(target=_drain, args=(parent, received), daemon=True)
        reader.start()
        err = child
    else:
        err = subprocess.PIPE
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=err)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if shown:
        os.close(child)
        reader.join()
        os.close(parent)
        return wall, cpu, proc.stdout, b"".join(received)
    return wall, cpu, proc.stdout, proc.stderr


def unit_costs() -> None:
    """The time of one draw of the line, and of one file counted, best of 5 rounds."""
    import pty
    import timeit

    from contractlint.output.progress import Progress

    parent, child = pty.openpty()
    threading.Thread(target=_drain, args=(parent, []), daemon=True).start()
    with os.fdopen(child, "w") as terminal:
        shown = Progress(terminal, after=0.0, every=0.0).start(thread=False)
        shown.phase("checking files", "read", 2788)
        draws = min(timeit.repeat(shown.tick, number=2000, repeat=5)) / 2000
        counts = min(timeit.repeat(lambda: shown.read(True), number=200_000, repeat=5)) / 200_000
        shown.close()
    print(f"one draw: {draws * 1e6:.1f} us; one file counted: {counts * 1e9:.0f} ns")


def _drain(fd: int, received: list[bytes]) -> None:
    """Read what a pseudo-terminal is sent, into ``received``: a full one would stop its writer."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        received.append(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    unit_costs()
    tree = (args.tree or django()).resolve()
    print(f"{tree}, --jobs {args.jobs}, {args.runs} runs each", flush=True)
    times: dict[bool, list[float]] = {False: [], True: []}
    cpus: dict[bool, list[float]] = {False: [], True: []}
    outputs = set()
    for i in range(args.runs):
        for shown in (False, True):
            wall, cpu, out, err = once(tree, args.jobs, shown)
            outputs.add(out)
            if shown and not (err.startswith(b"\rcontractlint: ") and err.endswith(b"\r\x1b[K")):
                sys.exit(f"the line was not drawn and erased: {err[:200]!r} ... {err[-200:]!r}")
            if not shown and b"\r" in err:
                sys.exit("a line was drawn on a pipe")
            times[shown].append(wall)
            cpus[shown].append(cpu)
            lines = err.count(b"\r") - 1 if shown else 0
            print(
                f"  run {i + 1} {'with' if shown else 'without'} the line: {wall:6.2f} s wall,"
                f" {cpu:6.2f} s processor" + (f" ({lines} lines drawn)" if shown else ""),
                flush=True,
            )
    if len(outputs) != 1:
        sys.exit("DIFFERENT findings with and without the line")
    for shown in (False, True):
        walls, cpu = times[shown], cpus[shown]
        print(
            f"{'with' if shown else 'without':>7} the line: wall median "
            f"{statistics.median(walls):6.2f} s, best {min(walls):6.2f} s; processor median "
            f"{statistics.median(cpu):6.2f} s, best {min(cpu):6.2f} s"
        )


if __name__ == "__main__":
    main()
