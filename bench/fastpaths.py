"""Whether each fast path of a run pays: its time next to the plain code it stands for, on real
trees.

    python bench/fastpaths.py [--runs N] [TREE...]

The trees: the TREEs given, else the corpora cached in .cache/corpora and the large trees under
.cache/scale when present. For each: discovery (the walk that carries folder answers down,
against ``plain_discover``, which asks every pattern of every file; and what reading and asking
the ignore files of git adds to it), the names of the files
(``FileNames``, worked out once per folder, against ``display_path`` and ``module_of`` of
``Config.relative``), and the prefilter's search (the regex tried only near each root, against
the regex over the whole text; under the requests contract and under every builtin one). The
answers must be the same (the test-suite proves it on random input: tests/run/test_run_*.py); the
best of ``--runs`` times is printed, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from test_run_discovery import plain_discover  # noqa: E402

from contractlint.config import Config  # noqa: E402
from contractlint.contracts import builtin_names, load_contracts  # noqa: E402
from contractlint.run.discovery import discover  # noqa: E402
from contractlint.run.names import FileNames, display_path, import_roots, module_of  # noqa: E402
from contractlint.run.prefilter import Prefilter  # noqa: E402


def best(runs: int, work):
    times, answer = [], None
    for _ in range(runs):
        start = time.perf_counter()
        answer = work()
        times.append(time.perf_counter() - start)
    return min(times) * 1000, answer


def compare(what: str, runs: int, fast, plain) -> None:
    fast_ms, fast_answer = best(runs, fast)
    plain_ms, plain_answer = best(runs, plain)
    if fast_answer != plain_answer:
        sys.exit(f"DIFFERENT: {what}")
    print(
        f"   {what:<34} fast {fast_ms:8.1f} ms   plain {plain_ms:8.1f} ms   "
        f"saves {plain_ms - fast_ms:7.1f} ms ({plain_ms / max(fast_ms, 1e-9):.1f}x)",
        flush=True,
    )


def measure(tree: Path, runs: int) -> None:
    os.chdir(tree)
    config = Config(root=os.path.abspath("."), respect_gitignore=False)
    files = list(discover(["."], config))
    print(f"\n== {tree}: {len(files)} files", flush=True)
    compare(
        "walk (discover)",
        runs,
        lambda: list(discover(["."], config)),
        lambda: list(plain_discover(["."], config)),
    )
    ignoring = replace(config, respect_gitignore=True)
    git_ms, kept = best(runs, lambda: list(discover(["."], ignoring)))
    bare_ms, _ = best(runs, lambda: list(discover(["."], config)))
    print(
        f"   {'walk, what git ignores left out':<34} with {git_ms:8.1f} ms   without "
        f"{bare_ms:6.1f} ms   costs {git_ms - bare_ms:7.1f} ms ({len(files) - len(kept)} files "
        "left out)",
        flush=True,
    )

    roots = import_roots(config)

    def names_fast():
        names = FileNames(roots)
        return [names(f) for f in files]

    compare(
        "names (FileNames)",
        runs,
        names_fast,
        lambda: [(display_path(f), module_of(f, roots)) for f in files],
    )
    blobs = []
    for path in files:
        try:
            with open(path, "rb") as fh:
                blobs.append(fh.read())
        except OSError:
            pass
    for label, contracts in (("requests", ["requests"]), ("every builtin", builtin_names())):
        prefilter = Prefilter(load_contracts(contracts))
        pattern = prefilter.pattern

        def whole(data: bytes, prefilter=prefilter, pattern=pattern) -> bool:
            return (
                prefilter.everything
                or data[:2] in (b"\xff\xfe", b"\xfe\xff")
                or (pattern is not None and pattern.search(data) is not None)
            )

        compare(
            f"prefilter search ({label})",
            runs,
            lambda prefilter=prefilter: [prefilter.search(b) for b in blobs],
            lambda whole=whole: [whole(b) for b in blobs],
        )


def main(argv) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("trees", nargs="*")
    args = parser.parse_args(argv)
    cache = HERE.parent / ".cache"
    trees = [Path(t).resolve() for t in args.trees] or [
        p
        for p in sorted((cache / "corpora").glob("*/*")) + sorted((cache / "scale").glob("*/*"))
        if p.is_dir() and p.parent.name != "downloads"
    ]
    for tree in trees:
        measure(tree, args.runs)


if __name__ == "__main__":
    main(sys.argv[1:])
