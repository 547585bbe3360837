"""The shortcuts of discovery and of the prefilter give the answers of the plain code they replace.

    python bench/equivalence.py [--rounds N] [TREE...]

Three comparisons, on random input and on real trees (the corpora cached in .cache/corpora, or
the TREEs given):

- ``engine.discover`` (a walk that matches each name once and carries folder answers down the
  tree) against the plain walk it replaced: ``os.walk`` order, ``Config.select_files`` on every
  folder; random trees hold symbolic links, folders named like files, excluded and included
  folders, with anchored, folder-only and plain patterns, from inside and outside the root.
- ``Prefilter.search`` (the regex searched only on the logical lines that name a root) against
  ``pattern.search`` over the whole text; random texts are made of imports, backslash
  continuations, CR/LF line ends, comments and words that hold the roots.
- ``workers._Names`` (display path and module name, worked out once per folder) against
  ``display_path`` and ``_module(config.relative(path))``.

Exits 1 at the first difference, printing it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from contractlint.config import Config  # noqa: E402
from contractlint.contracts import load_contracts  # noqa: E402
from contractlint.engine import discover  # noqa: E402
from contractlint.workers import Prefilter, _module, _Names, display_path  # noqa: E402

# -- discovery -------------------------------------------------------------------------------------


def plain_discover(paths, config: Config):
    """The discovery that ``engine.discover`` replaced, word for word."""
    seen = set()
    for path in paths:
        if os.path.isfile(path) or not os.path.exists(path):
            if not config.is_excluded(path) and path not in seen:
                seen.add(path)
                yield path
            continue
        for folder, dirs, files in plain_walk(path):
            dirs[:] = [
                os.path.basename(d) for d in config.select_files(folder, sorted(dirs), folders=True)
            ]
            for full in config.select_files(folder, sorted(files)):
                if full not in seen:
                    seen.add(full)
                    yield full


def plain_walk(top):
    stack = [top]
    while stack:
        folder = stack.pop()
        dirs, files, links = [], [], set()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    if is_dir:
                        dirs.append(entry.name)
                        if entry.is_symlink():
                            links.add(entry.name)
                    else:
                        files.append(entry.name)
        except OSError:
            continue
        yield folder, dirs, files
        stack.extend(os.path.join(folder, d) for d in reversed(dirs) if d not in links)


NAMES = [
    "a",
    "b",
    "pkg",
    "build",
    "tests",
    "x.py",
    "__init__.py",
    "m.py",
    "n.pyi",
    "gen",
    "sub",
    ".hidden",
    "z_y.py",
    "docs",
    "a..py",
    "node_modules",
    "keep.txt",
]
PATTERNS = [
    "build",
    "build/",
    "/build",
    "gen/",
    "tests/",
    "/pkg/gen",
    "pkg/*.py",
    "*_*",
    "x.py",
    "sub/",
    "a/b",
    "./docs",
    "*.pyi",
    "z*",
    "/a/",
    "**/m.py",
]


def random_tree(root: Path, rng: random.Random, depth: int = 0) -> None:
    for name in rng.sample(NAMES, rng.randint(1, 6)):
        path = root / name
        if depth < 3 and rng.random() < 0.45:
            path.mkdir(exist_ok=True)
            random_tree(path, rng, depth + 1)
        elif not path.exists():
            path.write_text("x = 1\n")
    if rng.random() < 0.3:
        target = rng.choice([p for p in root.iterdir()])
        link = root / f"link{rng.randint(0, 9)}"
        if not link.exists() and not link.is_symlink():
            link.symlink_to(target.resolve())
    if rng.random() < 0.1:
        (root / "broken").symlink_to(root / "nowhere")


def check_discovery(rounds: int, trees) -> None:
    rng = random.Random(9)
    for i in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            top = Path(tmp) / "proj"
            top.mkdir()
            random_tree(top, rng)
            cwd = os.getcwd()
            os.chdir(top)
            try:
                for _ in range(6):
                    root = rng.choice([".", "pkg", "a", ".."])
                    config = Config(
                        root=os.path.abspath(root),
                        include=tuple(
                            rng.sample(
                                ["*.py", "*.pyi", "gen/", "/pkg/*", "a/b"], rng.randint(1, 2)
                            )
                        ),
                        exclude=tuple(rng.sample(PATTERNS, rng.randint(0, 3))),
                    )
                    paths = rng.sample(
                        [".", "pkg", "a", "./a", "a/", "..", "../proj", str(top), "x.py", "gone"],
                        rng.randint(1, 3),
                    )
                    _same(
                        f"round {i} {config.include} {config.exclude} root={root} {paths}",
                        list(plain_discover(paths, config)),
                        list(discover(paths, config)),
                    )
            finally:
                os.chdir(cwd)
    for tree in trees:
        cwd = os.getcwd()
        os.chdir(tree)
        try:
            root = os.path.abspath(".")
            for config in (Config(root=root), Config(root=root, exclude=("tests/", "*_*"))):
                _same(f"{tree}", list(plain_discover(["."], config)), list(discover(["."], config)))
                for path in [".", os.path.abspath(".")]:
                    files = list(discover([path], config))
                    names = _Names(config)
                    for file in files:
                        _same(
                            file, (display_path(file), _module(config.relative(file))), names(file)
                        )
        finally:
            os.chdir(cwd)
    print(f"discovery and names: {rounds} random trees and {len(trees)} real ones, the same")


# -- the prefilter ---------------------------------------------------------------------------------

PIECES = [
    b"import ",
    b"from ",
    b"requests",
    b"socket",
    b"os",
    b" as ",
    b"r",
    b", ",
    b",",
    b"\\\n",
    b"\\\r\n",
    b"\n",
    b"\r\n",
    b"\r",
    b"#",
    b" ",
    b"\t",
    b".",
    b"(",
    b")",
    b";",
    b"x",
    b"_requests",
    b"requests_",
    b'"',
    b"import\\\n requests",
    b"from\\\n\\\nrequests",
    b"capa",
    b"capability_client",
    b"\xc3\xa9",
    b"open",
]


def check_prefilter(rounds: int) -> None:
    rng = random.Random(4)
    from contractlint.contracts import builtin_names

    filters = [Prefilter(load_contracts(["requests"])), Prefilter(load_contracts(builtin_names()))]
    pieces = PIECES + sorted({r.encode() for f in filters for r in f.roots})
    for _i in range(rounds):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        for prefilter in filters:
            if prefilter.pattern is None:
                continue
            plain = (
                prefilter.everything
                or data[:2] in (b"\xff\xfe", b"\xfe\xff")
                or (prefilter.pattern.search(data) is not None)
            )
            _same(repr(data), plain, prefilter.search(data))
    print(f"prefilter: {rounds} random texts, the same")


def _same(what, expected, got) -> None:
    if expected != got:
        print(f"DIFFERENT: {what}\n  plain:    {expected}\n  shortcut: {got}")
        sys.exit(1)


def main(argv) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("trees", nargs="*")
    args = parser.parse_args(argv)
    trees = args.trees or [
        str(p)
        for p in sorted((HERE.parent / ".cache" / "corpora").glob("*/*"))
        if p.is_dir() and p.name != "downloads"
    ]
    check_prefilter(args.rounds * 100)
    check_discovery(args.rounds, trees)


if __name__ == "__main__":
    main(sys.argv[1:])
