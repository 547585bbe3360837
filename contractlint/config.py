"""``[tool.contractlint]`` in pyproject.toml: found by walking up from the checked paths."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Dict, Iterable, Optional, Sequence, Tuple

from contractlint.errors import UserError
from contractlint.model import RULES
from contractlint.tomlfile import Checker, describe, read_toml_text, suggest, tomllib

KEYS = ("contracts", "include", "exclude", "select", "ignore", "per-file-ignores", "severity", "review-overdue")
SEVERITIES = ("error", "warning")
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
    #: Code -> "error" or "warning", over each rule's default severity.
    severity: Dict[str, str] = field(default_factory=dict)

    def relative(self, path: str) -> str:
        try:
            rel = os.path.relpath(os.path.abspath(path), self.root)
        except ValueError:  # another drive on Windows
            return path.replace(os.sep, "/")
        return rel.replace(os.sep, "/")

    def is_excluded(self, path: str) -> bool:
        rel = self.relative(path)
        patterns = (*DEFAULT_EXCLUDE, *self.exclude)
        if not any(path_matches(rel, p) for p in patterns):
            return False
        # Only now ask the file system: a folder-only pattern ("build/") must not drop a file named build.
        is_dir = os.path.isdir(path)
        return any(path_matches(rel, p, is_dir) for p in patterns)

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


def path_matches(rel: str, pattern: str, is_dir: Optional[bool] = None) -> bool:
    """gitignore-like: a pattern without ``/`` matches any part of the path; one with ``/`` the path from the root.

    A leading ``/`` (or ``./``) anchors a pattern at the root like an inner ``/`` does; a trailing ``/``
    matches folders only: a part that has more parts after it, or the last part when ``is_dir`` is not
    False (None: unknown, as for a path that does not exist yet).
    """
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = "/" + pattern[2:]
    folder_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    if not pattern:
        return False
    parts = rel.split("/")
    last_ok = not folder_only or is_dir is not False
    if not anchored:
        return any(fnmatchcase(part, pattern) for part in parts[:-1]) or (
            last_ok and fnmatchcase(parts[-1], pattern))
    depth = pattern.count("/") + 1
    for cut in range(depth, len(parts) + 1):
        if cut == len(parts) and not last_ok:
            break
        if fnmatchcase("/".join(parts[:cut]), pattern):
            return True
    return False


def find_pyproject(paths: Sequence[str]) -> Optional[str]:
    """The nearest pyproject.toml with a [tool.contractlint] table, above the first checked path (or the cwd)."""
    start = os.path.abspath(paths[0] if paths else ".")
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    current = start
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.isfile(candidate) and _configures_contractlint(candidate):
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _configures_contractlint(path: str) -> bool:
    """Whether ``path`` has a [tool.contractlint] table (a comment or another tool's text naming it does not count).

    A pyproject.toml that is not valid TOML but mentions the table is taken, so that its error is reported
    rather than the configuration silently skipped.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    try:
        tool = tomllib.loads(data.decode("utf-8-sig")).get("tool")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return b"contractlint" in data
    return isinstance(tool, dict) and "contractlint" in tool


def load_config(path: Optional[str], root: Optional[str] = None) -> Config:
    if path is None:
        return Config(root=os.path.abspath(root or "."))
    raw, text = read_toml_text(path)
    base = os.path.dirname(os.path.abspath(path))
    tool = raw.get("tool")
    if tool is not None and not isinstance(tool, dict):
        c = Checker(path, text)
        c.error(["tool"], f"expected a table [tool], got {describe(tool)}")
        c.raise_if_any()
    table = (tool or {}).get("contractlint")
    if table is None:
        return Config(root=base, source=path)
    return build_config(table, path, base, text)


def build_config(table: Any, path: str, root: str, text: str = "") -> Config:
    c = Checker(path, text)
    kp = [TABLE]
    if not isinstance(table, dict):
        c.error(["tool", "contractlint"], f"expected a table [tool.contractlint], got {describe(table)}")
        c.raise_if_any()
    c.known_keys(table, kp, KEYS)
    contracts = c.typed(table, kp, "contracts", list)
    include = c.typed(table, kp, "include", list)
    exclude = c.typed(table, kp, "exclude", list) or []
    select = c.typed(table, kp, "select", list) or []
    ignore = c.typed(table, kp, "ignore", list) or []
    for key, values in (("include", include or []), ("exclude", exclude)):
        for i, pattern in enumerate(values):
            if not pattern.strip("/ \t"):
                c.error([*kp, key, i], f"{describe(pattern)} matches no path")
    for key, codes in (("select", select), ("ignore", ignore)):
        for i, code in enumerate(codes):
            problem = code_problem(code)
            if problem:
                c.error([*kp, key, i], problem)
    per_file: Dict[str, Tuple[str, ...]] = {}
    pfi = c.typed(table, kp, "per-file-ignores", dict) or {}
    for pattern, codes in pfi.items():
        if not isinstance(codes, list) or not all(isinstance(x, str) for x in codes):
            c.error([*kp, "per-file-ignores", pattern], f"expected a list of rule codes, got {describe(codes)}")
            continue
        if not pattern.strip("/ \t"):
            c.error([*kp, "per-file-ignores", pattern], f"{describe(pattern)} matches no path")
        for i, code in enumerate(codes):
            problem = code_problem(code)
            if problem:
                c.error([*kp, "per-file-ignores", pattern, i], problem)
        per_file[pattern] = tuple(codes)
    severity: Dict[str, str] = {}
    for code, level in (c.typed(table, kp, "severity", dict) or {}).items():
        problem = code_problem(code) if code != "ALL" else f"{describe(code)}: name one rule code per entry"
        if problem is None and not any(rule.code == code for rule in RULES):
            problem = f"{describe(code)}: name one rule code per entry (a severity does not take prefixes)"
        if problem:
            c.error([*kp, "severity", code], problem)
        elif level not in SEVERITIES:
            c.error([*kp, "severity", code], f'expected "error" or "warning", got {describe(level)}')
        else:
            severity[code] = level
    overdue = c.typed(table, kp, "review-overdue", str)
    if overdue is not None:
        if overdue not in SEVERITIES:
            c.error([*kp, "review-overdue"], f'expected "error" or "warning", got {describe(overdue)}')
        else:
            severity.setdefault("CL201", overdue)
    # An empty list would quietly mean "the default" or "nothing": neither is what someone who wrote it meant.
    if include is not None and not include:
        c.error([*kp, "include"], 'an empty list includes no file; leave the key out to check "*.py" files')
    if contracts is not None and not contracts:
        c.error([*kp, "contracts"], "an empty list checks nothing; leave the key out to use the builtin contracts")
    for i, spec in enumerate(contracts or []):
        problem = contract_problem(spec, root)
        if problem:
            c.error([*kp, "contracts", i], problem)
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
        severity=severity,
    )


def contract_problem(spec: str, root: str) -> Optional[str]:
    """Why a ``contracts`` entry names no contract, or None; said here so the message points at pyproject.toml."""
    from contractlint.contracts import builtin_dir, builtin_names, is_path_spec

    if is_path_spec(spec):
        path = spec if os.path.isabs(spec) else os.path.normpath(os.path.join(root, spec))
        if not os.path.isfile(path):
            return f"contract file {describe(spec)} not found (looked for {path})"
        return None
    if not (builtin_dir() / f"{spec}.toml").is_file():
        names = builtin_names()
        return (f"{describe(spec)} is not a builtin contract ({', '.join(names) or 'none'}) nor a .toml path"
                f"{suggest(spec, names)}")
    return None


def code_problem(code: str) -> Optional[str]:
    """Why ``code`` selects no rule (a code, a prefix such as ``CL00``, or ``ALL``), or None.

    The empty string is a prefix of every code, but nobody writes it to mean ``ALL``.
    """
    if code == "ALL" or (code and any(rule.code.startswith(code) for rule in RULES)):
        return None
    hint = suggest(code.upper(), ["ALL", *(rule.code for rule in RULES)]) if code else ""
    return f"{describe(code)} is not a rule code or prefix (see `contractlint explain`){hint}"


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
