"""``[tool.contractlint]`` in pyproject.toml: found by walking up from the checked paths."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Dict, Iterable, Optional, Sequence, Tuple

from contractlint.errors import UserError
from contractlint.model import RULES
from contractlint.tomlfile import Checker, describe, read_toml

KEYS = ("contracts", "include", "exclude", "select", "ignore", "per-file-ignores")
TABLE = "tool.contractlint"

DEFAULT_EXCLUDE = (
    ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", "build", "dist",
    "node_modules", ".eggs", "*.egg-info", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    "site-packages", ".contractlint_cache", ".cache",
)


@dataclass(frozen=True)
class Config:
    root: str
    source: Optional[str] = None
    contracts: Optional[Tuple[str, ...]] = None  # None: not configured, use the builtin ones
    include: Tuple[str, ...] = ("*.py",)
    exclude: Tuple[str, ...] = ()
    select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Dict[str, Tuple[str, ...]] = field(default_factory=dict)

    def relative(self, path: str) -> str:
        try:
            rel = os.path.relpath(os.path.abspath(path), self.root)
        except ValueError:  # another drive on Windows
            return path.replace(os.sep, "/")
        return rel.replace(os.sep, "/")

    def is_excluded(self, path: str) -> bool:
        rel = self.relative(path)
        return any(path_matches(rel, p) for p in (*DEFAULT_EXCLUDE, *self.exclude))

    def is_included(self, path: str) -> bool:
        rel = self.relative(path)
        return any(path_matches(rel, p) for p in self.include)

    def ignored_codes(self, path: str) -> Tuple[str, ...]:
        rel = self.relative(path)
        out: list = []
        for pattern, codes in self.per_file_ignores.items():
            if path_matches(rel, pattern):
                out.extend(codes)
        return tuple(out)


def path_matches(rel: str, pattern: str) -> bool:
    """gitignore-like: a pattern without ``/`` matches any part of the path; one with ``/`` the path from the root."""
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    pattern = pattern.lstrip("/").rstrip("/")
    if not pattern:
        return False
    if "/" not in pattern:
        return any(fnmatchcase(part, pattern) for part in rel.split("/"))
    return fnmatchcase(rel, pattern) or fnmatchcase(rel, pattern + "/*")


def find_pyproject(paths: Sequence[str]) -> Optional[str]:
    """The nearest pyproject.toml with a [tool.contractlint] table, above the first checked path (or the cwd)."""
    start = os.path.abspath(paths[0] if paths else ".")
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    current = start
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as fh:
                    if b"tool.contractlint" in fh.read():
                        return candidate
            except OSError:
                pass
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def load_config(path: Optional[str], root: Optional[str] = None) -> Config:
    if path is None:
        return Config(root=os.path.abspath(root or "."))
    raw = read_toml(path)
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    table = raw.get("tool", {}).get("contractlint")
    base = os.path.dirname(os.path.abspath(path))
    if table is None:
        return Config(root=base, source=path)
    return build_config(table, path, base, text)


def build_config(table: Any, path: str, root: str, text: str = "") -> Config:
    c = Checker(path, text)
    kp = [TABLE]
    if not isinstance(table, dict):
        c.error(kp, f"expected a table, got {describe(table)}")
        c.raise_if_any()
    c.known_keys(table, kp, KEYS)
    contracts = c.typed(table, kp, "contracts", list)
    include = c.typed(table, kp, "include", list)
    exclude = c.typed(table, kp, "exclude", list) or []
    select = c.typed(table, kp, "select", list) or []
    ignore = c.typed(table, kp, "ignore", list) or []
    for key, codes in (("select", select), ("ignore", ignore)):
        for code in codes:
            problem = code_problem(code)
            if problem:
                c.error([*kp, key], problem)
    per_file: Dict[str, Tuple[str, ...]] = {}
    pfi = c.typed(table, kp, "per-file-ignores", dict) or {}
    for pattern, codes in pfi.items():
        if not isinstance(codes, list) or not all(isinstance(x, str) for x in codes):
            c.error([*kp, "per-file-ignores", pattern], f"expected a list of rule codes, got {describe(codes)}")
            continue
        for code in codes:
            problem = code_problem(code)
            if problem:
                c.error([*kp, "per-file-ignores", pattern], problem)
        per_file[pattern] = tuple(codes)
    if contracts is not None and not contracts:
        c.error([*kp, "contracts"], "an empty list checks nothing; leave the key out to use the builtin contracts")
    c.raise_if_any()
    return Config(
        root=root,
        source=path,
        contracts=tuple(contracts) if contracts is not None else None,
        include=tuple(include) if include else ("*.py",),
        exclude=tuple(exclude),
        select=tuple(select),
        ignore=tuple(ignore),
        per_file_ignores=per_file,
    )


def code_problem(code: str) -> Optional[str]:
    """Why ``code`` selects no rule (a code, a prefix such as ``CL00``, or ``ALL``), or None."""
    if code == "ALL" or any(rule.code.startswith(code) for rule in RULES):
        return None
    return f'"{code}" is not a rule code or prefix (see `contractlint explain`)'


def split_codes(values: Iterable[str]) -> Tuple[str, ...]:
    """``--select CL001,CL002 --select CL004`` -> the codes, upper-cased."""
    out = []
    for value in values:
        out.extend(v.strip().upper() for v in value.split(",") if v.strip())
    return tuple(out)


def check_codes(codes: Iterable[str], option: str) -> None:
    problems = [f"{option}: {code_problem(code)}" for code in codes if code_problem(code)]
    if problems:
        raise UserError(problems)
