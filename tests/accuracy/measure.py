"""Precision and recall of contractlint on hand-labelled real code.

Every call site of the builtin contracts in the non-test code of a few pinned PyPI packages is
labelled in ``tests/accuracy/<package>.csv`` with what a careful reviewer says of it (see
docs/accuracy.md). This script downloads the packages (cached under .cache/corpora), runs
``contractlint check`` on them twice, following errors through the project's functions and with
``follow-calls = false`` (the analysis of each function alone), and prints precision and recall
per rule, for the two analyses side by side.

A finding counts for the service call its error comes from: its ``origins`` when it was followed
there from other functions, else its own position. A site's expected codes are the labels'.

    python tests/accuracy/measure.py [--json] [--misses]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from corpora import fetch  # noqa: E402

#: package -> (version, the folder of its code inside the sdist)
PACKAGES = {
    "docker": ("7.1.0", "docker"),
    "hvac": ("2.3.0", "hvac"),
    "rq": ("2.6.0", "rq"),
    "watchtower": ("3.4.0", "watchtower"),
}
CODES = ("CL001", "CL002", "CL003", "CL004", "CL005", "CL006")
Site = tuple[str, int, int]


def labels(package: str) -> dict[Site, dict]:
    with open(HERE / f"{package}.csv", newline="", encoding="utf-8") as fh:
        return {
            (row["file"], int(row["line"]), int(row["column"])): row for row in csv.DictReader(fh)
        }


def expected(rows: dict[Site, dict]) -> dict[Site, set[str]]:
    return {site: {c for c in row["expect"].split() if c in CODES} for site, row in rows.items()}


def run(package: str, follow: bool) -> list[dict]:
    version, folder = PACKAGES[package]
    root = fetch(package, version) / f"{package}-{version}"
    # The configuration sits in the package's folder: the project root is where it is.
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        config = Path(tmp) / "pyproject.toml"
        config.write_text(
            f"[tool.contractlint]\nfollow-calls = {'true' if follow else 'false'}\n",
            encoding="utf-8",
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "contractlint",
                "check",
                "--format",
                "json",
                "--no-cache",
                "--exit-zero",
                "--config",
                str(config),
                folder,
            ],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"contractlint failed on {package}: {done.stderr.strip()}")
    return json.loads(done.stdout)["findings"]


def found(findings: list[dict]) -> dict[Site, set[str]]:
    out: dict[Site, set[str]] = defaultdict(set)
    for finding in findings:
        if finding["code"] not in CODES:
            continue
        origins = finding.get("origins") or [
            f"{finding['path']}:{finding['line']}:{finding['column']}"
        ]
        for origin in origins:
            path, line, column = origin.rsplit(":", 2)
            out[(path, int(line), int(column))].add(finding["code"])
    return out


def score(expect: dict[Site, set[str]], actual: dict[Site, set[str]]):
    """Per code: true positives, false positives, false negatives; and the sites
    behind each miss."""
    counts = {code: [0, 0, 0] for code in CODES}
    misses = []
    for site in sorted(set(expect) | set(actual)):
        want, got = expect.get(site, set()), actual.get(site, set())
        for code in CODES:
            if code in want and code in got:
                counts[code][0] += 1
            elif code in got:
                counts[code][1] += 1
                misses.append(
                    (
                        site,
                        code,
                        "reported, not expected" + ("" if site in expect else " (unlabelled site)"),
                    )
                )
            elif code in want:
                counts[code][2] += 1
                misses.append((site, code, "expected, not reported"))
    return counts, misses


def ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--misses", action="store_true", help="list every false positive and false negative"
    )
    options = parser.parse_args()
    totals = {mode: {code: [0, 0, 0] for code in CODES} for mode in ("follow", "intra")}
    table = {}
    for package in PACKAGES:
        expect = expected(labels(package))
        for mode in ("follow", "intra"):
            counts, misses = score(expect, found(run(package, mode == "follow")))
            table[(package, mode)] = counts
            for code in CODES:
                for i in range(3):
                    totals[mode][code][i] += counts[code][i]
            if options.misses:
                for (path, line, column), code, what in misses:
                    print(f"{mode:6} {package}: {path}:{line}:{column} {code} {what}")
    summary = {}
    for mode in ("follow", "intra"):
        tp = sum(c[0] for c in totals[mode].values())
        fp = sum(c[1] for c in totals[mode].values())
        fn = sum(c[2] for c in totals[mode].values())
        summary[mode] = {
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "precision": ratio(tp, tp + fp),
            "recall": ratio(tp, tp + fn),
            "per_rule": {
                code: {
                    "tp": c[0],
                    "fp": c[1],
                    "fn": c[2],
                    "precision": ratio(c[0], c[0] + c[1]),
                    "recall": ratio(c[0], c[0] + c[2]),
                }
                for code, c in totals[mode].items()
                if any(c)
            },
        }
    if options.json:
        print(
            json.dumps(
                {"sites": {p: len(labels(p)) for p in PACKAGES}, "summary": summary}, indent=2
            )
        )
        return 0
    print(f"labelled sites: {', '.join(f'{p} {len(labels(p))}' for p in PACKAGES)}")
    print(f"{'rule':8} {'following calls':>28}   {'each function alone':>28}")
    print(f"{'':8} {'tp fp fn  precision recall':>28}   {'tp fp fn  precision recall':>28}")
    for code in CODES:
        cells = []
        for mode in ("follow", "intra"):
            tp, fp, fn = totals[mode][code]
            cells.append(f"{tp:3} {fp:3} {fn:3}  {ratio(tp, tp + fp):>9} {ratio(tp, tp + fn):>6}")
        if any(any(totals[m][code]) for m in totals):
            print(f"{code:8} {cells[0]:>28}   {cells[1]:>28}")
    cells = []
    for mode in ("follow", "intra"):
        s = summary[mode]
        cells.append(f"{s['tp']:3} {s['fp']:3} {s['fn']:3}  {s['precision']:>9} {s['recall']:>6}")
    print(f"{'CL001-6':8} {cells[0]:>28}   {cells[1]:>28}")
    for package in PACKAGES:
        line = []
        for mode in ("follow", "intra"):
            c = table[(package, mode)]
            tp, fp, fn = (sum(v[i] for v in c.values()) for i in range(3))
            line.append(f"P {ratio(tp, tp + fp)} R {ratio(tp, tp + fn)}")
        print(f"  {package:11} following: {line[0]:22} alone: {line[1]}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main())
