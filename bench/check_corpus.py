"""How long `contractlint check` takes on a real package, next to the floor (reading and parsing).

    python bench/check_corpus.py                 # docker, hvac, rq from PyPI (.cache/corpora)
    python bench/check_corpus.py PATH [PATH...]  # your own tree

Prints, per tree: files, lines, seconds to read every file, to libcst-parse every file, and to run
the whole check with the builtin contracts (prefilter included).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))


def python_files(root: Path):
    return sorted(p for p in root.rglob("*.py") if ".venv" not in p.parts)


def measure(root: Path) -> None:
    import libcst

    from contractlint.config import Config
    from contractlint.contracts import builtin_names, load_contracts
    from contractlint.engine import check_paths

    files = python_files(root)
    start = time.perf_counter()
    blobs = [p.read_bytes() for p in files]
    read = time.perf_counter() - start
    lines = sum(b.count(b"\n") for b in blobs)
    start = time.perf_counter()
    for blob in blobs:
        try:
            libcst.parse_module(blob)
        except Exception:
            pass
    parse = time.perf_counter() - start
    contracts = load_contracts(builtin_names())
    start = time.perf_counter()
    report = check_paths([str(root)], Config(root=str(root)), contracts)
    check = time.perf_counter() - start
    print(
        f"{root.name}: {len(files)} files, {lines} lines; read {read:.2f}s, parse-all "
        f"{parse:.2f}s, check {check:.2f}s ({report.files_parsed} parsed, {len(report.calls)} "
        f"calls, {len(report.findings)} findings)"
    )


def main(argv) -> None:
    if argv:
        roots = [Path(a) for a in argv]
    else:
        from corpora import fetch

        roots = [fetch(n, v) for n, v in (("docker", "7.1.0"), ("hvac", "2.3.0"), ("rq", "2.6.0"))]
    for root in roots:
        measure(root)


if __name__ == "__main__":
    main(sys.argv[1:])
