"""How far the newest releases of the client libraries have drifted from the builtin contracts.

    .venv/bin/python maint/drift.py            # exit 1 when there is drift to look at
    .venv/bin/python maint/drift.py --report   # the same report, always exit 0 (.ci/run runs this)

Installs the newest releases of requests, httpx, redis and boto3 (with urllib3, botocore and
s3transfer, whose classes the contracts name too) into a throwaway virtual environment,
.cache/drift/venv (ignored by git, made again on every run), and compares them with the builtin
contracts under rules/ and with the releases pinned in pyproject.toml's ``test`` extra, which are
the ones installed where this script runs. For each contract it lists:

* public exception classes that are neither an ``[errors]`` key nor an ``[aliases]`` spelling of
  one, and ``[errors]`` entries whose bases are no longer the real ones;
* ``match`` / ``exclude`` patterns that name no real call any more;
* public methods of the client classes (and functions of the client modules) that no pattern or
  factory names and that the pinned release did not have, or had named;
* new ones a ``match`` glob does name (``redis.client.Redis.*`` takes every new method for a
  command): check that each reaches the service, or add it to ``exclude``.

The comparison is tests/libraries.py, the code the test-suite runs against the pinned releases.
A release that cannot be installed (no network) is a note, not a failure. What to do with the
report: the README's "Maintaining the builtin contracts".
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

VENV = ROOT / ".cache" / "drift" / "venv"


def inventory() -> dict:
    """What the releases installed here look like to each builtin contract (run in each
    environment)."""
    from importlib import metadata

    from libraries import (
        DISTRIBUTIONS,
        LIBRARIES,
        hierarchy_problems,
        naming,
        public_calls,
        stale_patterns,
        uncovered_exceptions,
    )

    from contractlint.contracts import load_contracts

    versions = {}
    for dist in DISTRIBUTIONS:
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    contracts = {}
    for contract in load_contracts(list(LIBRARIES)):
        try:
            contracts[contract.name] = {
                "uncovered": uncovered_exceptions(contract),
                "hierarchy": hierarchy_problems(contract),
                "stale": stale_patterns(contract),
                "calls": {c: naming(contract, c) for c in sorted(public_calls(contract.name))},
            }
        except Exception as exc:  # a release this code cannot read: report it, go on
            contracts[contract.name] = {"error": f"{type(exc).__name__}: {exc}"}
    return {"versions": versions, "contracts": contracts}


def collect(python: str) -> dict | str:
    """The inventory of the environment of ``python``, or why it could not be taken."""
    proc = subprocess.run(
        [python, str(Path(__file__).resolve()), "--inventory"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
        return f"{python} could not list its releases: {lines[-1]}"
    return json.loads(proc.stdout)


def install_newest(target: Path) -> str | None:
    """A fresh environment with the newest releases and this checkout; None, or why it failed."""
    from libraries import DISTRIBUTIONS

    venv.EnvBuilder(clear=True, with_pip=False).create(target)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(target / "bin" / "python"),
            "install",
            "--quiet",
            "--upgrade",
            "--disable-pip-version-check",
            "-e",
            str(ROOT),
            *DISTRIBUTIONS,
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"]
        return f"pip exited {proc.returncode}: {lines[-1]}"
    return None


SECTIONS = (
    ("uncovered", "public exceptions not in [errors] or [aliases]"),
    ("hierarchy", "[errors] entries that differ from the library"),
    ("stale", "patterns that name no call any more"),
    (
        "unnamed",
        "calls nothing names (new, or named before): add to a group's match if they reach the "
        "service",
    ),
    ("matched", "new calls a match glob takes: check each reaches the service, else exclude it"),
)


def compare(pinned: dict | str, newest: dict) -> tuple[list[str], int]:
    """The report's lines, and the number of items to look at."""
    versions = []
    for dist, version in newest["versions"].items():
        was = pinned["versions"].get(dist) if isinstance(pinned, dict) else None
        versions.append(f"{dist} {version}" + ("" if was == version else f" (pinned {was})"))
    lines = ["newest releases: " + ", ".join(versions)]
    if isinstance(pinned, str):
        lines.append(f"note: no pinned releases to compare calls with ({pinned})")
    count = 0
    for name, data in newest["contracts"].items():
        if "error" in data:
            lines.append(f"{name}: could not read the newest release: {data['error']}")
            count += 1
            continue
        before = {}
        if isinstance(pinned, dict):
            before = pinned["contracts"].get(name, {}).get("calls", {})
        absent = object()
        found = {
            "uncovered": data["uncovered"],
            "hierarchy": data["hierarchy"],
            "stale": data["stale"],
            "unnamed": [
                c
                for c, how in data["calls"].items()
                if how is None and before.get(c, absent) is not None
            ],
            "matched": [
                c
                for c, how in data["calls"].items()
                if how == "call" and before and c not in before
            ],
        }
        items = sum(len(v) for v in found.values())
        count += items
        lines.append(f"{name}: {items or 'no'} item{'' if items == 1 else 's'} to look at")
        for key, title in SECTIONS:
            if found[key]:
                lines.append(f"  {title}:")
                lines.extend(f"    {item}" for item in found[key])
    return lines, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", action="store_true", help="always exit 0 (CI)")
    parser.add_argument(
        "--venv", type=Path, default=VENV, help=f"the throwaway environment ({VENV})"
    )
    parser.add_argument(
        "--python", help="compare the releases of this interpreter's environment instead"
    )
    parser.add_argument("--inventory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inventory:
        json.dump(inventory(), sys.stdout, indent=1)
        return 0
    print("contract drift: the newest client releases against rules/ and the pinned releases")
    python = args.python
    if python is None:
        failure = install_newest(args.venv)
        if failure:
            print(f"note: could not install the newest releases, nothing compared ({failure})")
            return 0 if args.report else 2
        python = str(args.venv / "bin" / "python")
    newest = collect(python)
    if isinstance(newest, str):
        print(f"note: {newest}")
        return 0 if args.report else 2
    lines, count = compare(collect(sys.executable), newest)
    print("\n".join(lines))
    print(
        f"{count} item{'' if count == 1 else 's'} to look at"
        + (" (report only)" if args.report else "")
    )
    return 0 if args.report or count == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
