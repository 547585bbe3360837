"""The settings of a run, as ``[tool.contractlint]`` in pyproject.toml (found by walking up from
each checked file: ``project_config``) and the command line give them: checked, and read into a
``Config``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from contractlint.errors import UserError
from contractlint.model import REQUIRABLE, RULES, AcceptancePolicy, code_for
from contractlint.model.budgets import ANALYSIS_BUDGET, LIMITS, Limits
from contractlint.tomlfile import Checker, describe, read_toml_text, suggest

if TYPE_CHECKING:
    from contractlint.contracts import Configured

KEYS = (
    "contracts",
    "include",
    "exclude",
    "select",
    "ignore",
    "per-file-ignores",
    "severity",
    "review-overdue",
    "faults",
    "propagate",
    "follow-calls",
    "contract-sources",
    "approved",
    "acceptance-requires",
    "acceptance-max-days",
    "src",
    "respect-gitignore",
    "force-exclude",
    "analysis-budget",
    "resolution-budget",
    "resolution-targets",
)
SEVERITIES = ("error", "warning")
TABLE = "tool.contractlint"

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    ".eggs",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    ".contractlint_cache",
    ".cache",
)


#: The import roots of a project whose configuration names none: its folder and its ``src``.
DEFAULT_SRC = (".", "src")


@dataclass(frozen=True)
class Config:
    root: str
    source: str | None = None
    contracts: tuple[str, ...] | None = None  # None: not configured, use the builtin ones
    include: tuple[str, ...] = ("*.py",)
    exclude: tuple[str, ...] = ()
    #: Leave out what git ignores (``.gitignore`` files, ``info/exclude``, the global excludes
    #: file).
    respect_gitignore: bool = True
    #: Leave out what git ignores from the paths named on the command line too.
    force_exclude: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Code -> "error" or "warning", over each rule's default severity.
    severity: dict[str, str] = field(default_factory=dict)
    #: Contracts whose errors ``pytest`` injects (the contractlint plugin); empty: none.
    faults: tuple[str, ...] = ()
    #: The oldest Python the checked code must run on: ``[project] requires-python`` or
    #: ``--target-version``.
    target_version: tuple[int, int] | None = None
    #: Functions (dotted-name globs) that may let a service error escape to their callers: library
    #: code that lets the caller choose.
    propagate: tuple[str, ...] = ()
    #: Follow service errors through the project's own functions (``contractlint.propagation``).
    follow_calls: bool = True
    #: Contract name -> the distribution picked to provide it, where several ship one
    #: (``contract-sources``; ``contractlint`` for the builtin one).
    contract_sources: tuple[tuple[str, str], ...] = ()
    #: Contract name -> (wrappers, decorators) the project adds to that contract's ``[approved]``.
    approved: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    #: What every acceptance must give (``acceptance-requires``, ``acceptance-max-days``): CL104.
    acceptance_policy: AcceptancePolicy = AcceptancePolicy()
    #: The import roots, relative to ``root``: a module is named from the deepest one that holds it
    #: (``src/app/http.py`` is ``app.http``), as ruff's ``src`` says (``contractlint.run.names``).
    src: tuple[str, ...] = DEFAULT_SRC
    #: The most syntax nodes the analysis of one file walks (``analysis-budget``): CL901 past it.
    analysis_budget: int = ANALYSIS_BUDGET
    #: The bounds of one resolution of a name through the project (``resolution-budget``,
    #: ``resolution-targets``): CL902 where one reached matters.
    limits: Limits = LIMITS

    def relative(self, path: str) -> str:
        """``path`` relative to the root, with forward slashes ("." for the root itself)."""
        full, root = os.path.abspath(path), _absolute(self.root, os.getcwd())
        if (
            full[len(root) : len(root) + 1] == os.sep
            and full.startswith(root)
            and full != root + os.sep
        ):
            rel = full[len(root) + 1 :]  # what relpath says, without its cost
        else:
            try:
                rel = os.path.relpath(full, root)
            except ValueError:  # another drive on Windows
                return path.replace(os.sep, "/")
        return rel.replace(os.sep, "/")


@lru_cache(maxsize=16)
def _absolute(root: str, cwd: str) -> str:
    return os.path.normpath(os.path.join(cwd, root)).rstrip(os.sep) or os.sep


def find_pyproject(paths: Sequence[str]) -> str | None:
    """The nearest pyproject.toml with a [tool.contractlint] table, above the first checked path (or
    the cwd)."""
    start = os.path.abspath(paths[0] if paths else ".")
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    current = start
    while True:
        candidate = os.path.join(current, "pyproject.toml")
        if os.path.lexists(candidate) and (
            not os.path.isfile(candidate) or configures_contractlint(candidate)
        ):
            # a folder or a broken link named pyproject.toml: its error is reported, not skipped
            return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def configures_contractlint(path: str) -> bool:
    """Whether ``path`` has a [tool.contractlint] table (a comment or another tool's text naming it
    does not count).

    A pyproject.toml that is not valid TOML but mentions the table is taken, so that its error is
    reported rather than the configuration silently skipped.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return True  # unreadable: say so rather than silently check with the defaults
    from contractlint.tomlfile import tomllib

    try:
        tool = tomllib.loads(data.decode("utf-8-sig")).get("tool")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return b"contractlint" in data
    return isinstance(tool, dict) and "contractlint" in tool


def unconfigured(path: str) -> Config:
    """The defaults, for the project of a pyproject.toml without a [tool.contractlint] table (nor
    one above it): its folder is the root and its ``requires-python`` the target version. The file
    is another tool's: one that cannot be read as TOML, or says something odd, leaves the
    defaults."""
    root = os.path.dirname(os.path.abspath(path))
    try:
        raw, text = read_toml_text(path)
        target = requires_python(raw, path, text)
    except UserError:
        target = None
    return Config(root=root, source=path, target_version=target)


def load_config(path: str | None, root: str | None = None) -> Config:
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
    target = requires_python(raw, path, text)
    if table is None:
        return Config(root=base, source=path, target_version=target)
    config = build_config(table, path, base, text)
    return replace(config, target_version=target) if target else config


#: Python versions whose syntax the analysis tells apart (``--target-version``).
TARGET_VERSIONS = tuple(f"3.{minor}" for minor in range(9, 15))


def requires_python(raw: Any, path: str, text: str = "") -> tuple[int, int] | None:
    """The lower bound of ``[project] requires-python`` (``>=3.10``, ``~=3.11``, ``==3.12.*``), or
    None."""

    project = raw.get("project") if isinstance(raw, dict) else None
    spec = project.get("requires-python") if isinstance(project, dict) else None
    if spec is None:
        return None
    if not isinstance(spec, str):
        c = Checker(path, text)
        c.error(
            ["project", "requires-python"],
            f'expected a version specifier like ">=3.10", got {describe(spec)}',
        )
        c.raise_if_any()
    bounds = [
        (int(m.group(2)), int(m.group(3)))
        for m in re.finditer(r"(>=|~=|==|>)\s*(\d+)\.(\d+)", spec)
    ]
    return max(bounds) if bounds else None


def parse_target_version(value: str) -> tuple[int, int]:
    if value not in TARGET_VERSIONS:
        raise UserError(
            [f"--target-version: expected one of {', '.join(TARGET_VERSIONS)}, got {value!r}"]
        )
    major, minor = value.split(".")
    return int(major), int(minor)


def build_config(table: Any, path: str, root: str, text: str = "") -> Config:
    c = Checker(path, text)
    kp = [TABLE]
    if not isinstance(table, dict):
        c.error(
            ["tool", "contractlint"], f"expected a table [tool.contractlint], got {describe(table)}"
        )
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
    select, ignore = [code_for(x) for x in select], [code_for(x) for x in ignore]
    per_file: dict[str, tuple[str, ...]] = {}
    pfi = c.typed(table, kp, "per-file-ignores", dict) or {}
    for pattern, codes in pfi.items():
        if not isinstance(codes, list) or not all(isinstance(x, str) for x in codes):
            c.error(
                [*kp, "per-file-ignores", pattern],
                f"expected a list of rule codes, got {describe(codes)}",
            )
            continue
        if not pattern.strip("/ \t"):
            c.error([*kp, "per-file-ignores", pattern], f"{describe(pattern)} matches no path")
        for i, code in enumerate(codes):
            problem = code_problem(code)
            if problem:
                c.error([*kp, "per-file-ignores", pattern, i], problem)
        per_file[pattern] = tuple(code_for(code) for code in codes)
    severity: dict[str, str] = {}
    for key, level in (c.typed(table, kp, "severity", dict) or {}).items():
        code = code_for(key)
        problem = (
            code_problem(code)
            if code != "ALL"
            else f"{describe(code)}: name one rule code per entry"
        )
        if problem is None and not any(rule.code == code for rule in RULES):
            problem = (
                f"{describe(code)}: name one rule code per entry (a severity does not take "
                "prefixes)"
            )
        if problem:
            c.error([*kp, "severity", key], problem)
        elif level not in SEVERITIES:
            c.error([*kp, "severity", key], f'expected "error" or "warning", got {describe(level)}')
        else:
            severity[code] = level
    overdue = c.typed(table, kp, "review-overdue", str)
    if overdue is not None:
        if overdue not in SEVERITIES:
            c.error(
                [*kp, "review-overdue"], f'expected "error" or "warning", got {describe(overdue)}'
            )
        else:
            severity.setdefault("CL201", overdue)
    # An empty list would quietly mean "the default" or "nothing": neither is what someone who wrote
    # it meant.
    if include is not None and not include:
        c.error(
            [*kp, "include"],
            'an empty list includes no file; leave the key out to check "*.py" files',
        )
    if contracts is not None and not contracts:
        c.error(
            [*kp, "contracts"],
            "an empty list checks nothing; leave the key out to use the builtin contracts",
        )
    picks = _contract_sources(c, table, kp)
    for i, spec in enumerate(contracts or []):
        problem = contract_problem(spec, root, picks=picks)
        if problem:
            c.error([*kp, "contracts", i], problem)
    faults = c.typed(table, kp, "faults", list)
    if faults is not None and not faults:
        c.error(
            [*kp, "faults"],
            "an empty list injects nothing; leave the key out to run the tests unchanged",
        )
    for i, spec in enumerate(faults or []):
        problem = contract_problem(
            spec, root, configured=[*(contracts or ()), *faults], picks=picks
        )
        if problem:
            c.error([*kp, "faults", i], problem)
    approved = _approved(c, table, kp, contracts, root, picks)
    requires = c.typed(table, kp, "acceptance-requires", list) or []
    for i, option in enumerate(requires):
        if option not in REQUIRABLE:
            c.error(
                [*kp, "acceptance-requires", i],
                f'expected "until" or "owner", got {describe(option)} '
                "(a reason is always required: CL102)",
            )
    max_days = c.typed(table, kp, "acceptance-max-days", int)
    if max_days is not None and max_days < 1:
        c.error(
            [*kp, "acceptance-max-days"],
            f"expected a number of days, 1 or more, got {describe(max_days)}",
        )
    propagate = c.typed(table, kp, "propagate", list) or []
    for i, pattern in enumerate(propagate):
        problem = _glob_problem(pattern)
        if problem:
            c.error([*kp, "propagate", i], problem)
    follow = c.typed(table, kp, "follow-calls", bool)
    src = c.typed(table, kp, "src", list)
    for i, folder in enumerate(src or []):
        if not isinstance(folder, str) or not folder.strip():
            c.error(
                [*kp, "src", i],
                f'expected a folder relative to this file, such as "src", got {describe(folder)}',
            )
    if src is not None and not src:
        c.error(
            [*kp, "src"],
            'an empty list names no import root; leave the key out for [".", "src"]',
        )
    respect_gitignore = c.typed(table, kp, "respect-gitignore", bool)
    force_exclude = c.typed(table, kp, "force-exclude", bool)
    budgets = {
        key: _count(c, table, kp, key, what)
        for key, what in (
            ("analysis-budget", "syntax nodes"),
            ("resolution-budget", "names"),
            ("resolution-targets", "functions"),
        )
    }
    c.raise_if_any()
    return Config(
        root=root,
        propagate=tuple(propagate),
        follow_calls=True if follow is None else follow,
        source=path,
        contracts=tuple(contracts) if contracts is not None else None,
        include=tuple(include) if include else ("*.py",),
        exclude=tuple(exclude),
        respect_gitignore=respect_gitignore is not False,
        force_exclude=force_exclude is True,
        select=tuple(select),
        ignore=tuple(ignore),
        per_file_ignores=per_file,
        severity=severity,
        faults=tuple(faults or ()),
        contract_sources=picks,
        approved=approved,
        acceptance_policy=AcceptancePolicy(tuple(dict.fromkeys(requires)), max_days),
        src=tuple(src) if src else DEFAULT_SRC,
        analysis_budget=budgets["analysis-budget"] or ANALYSIS_BUDGET,
        limits=LIMITS._replace(
            names=budgets["resolution-budget"] or LIMITS.names,
            targets=budgets["resolution-targets"] or LIMITS.targets,
        ),
    )


def _count(c: Checker, table: dict, kp: list, key: str, what: str) -> int | None:
    """A bound of work (``analysis-budget``...): a whole number of ``what``, 1 or more."""
    value = c.typed(table, kp, key, int)
    if value is not None and value < 1:
        c.error([*kp, key], f"expected a number of {what}, 1 or more, got {describe(value)}")
        return None
    return value


def _contract_sources(c: Checker, table: dict, kp: list) -> tuple[tuple[str, str], ...]:
    """``contract-sources``: for a contract several sources ship, the distribution to take it
    from."""
    from contractlint.contracts import pick_problem

    picks = []
    for name, distribution in (c.typed(table, kp, "contract-sources", dict) or {}).items():
        where = [*kp, "contract-sources", name]
        if not isinstance(distribution, str) or not distribution.strip():
            c.error(
                where,
                "expected the name of the distribution that ships the contract "
                f'("contractlint" for the builtin one), got {describe(distribution)}',
            )
            continue
        problem = pick_problem(name, distribution)
        if problem:
            c.error(where, problem)
        else:
            picks.append((name, distribution))
    return tuple(picks)


def _approved(
    c: Checker,
    table: dict,
    kp: list,
    contracts: Sequence[str] | None,
    root: str,
    picks: tuple[tuple[str, str], ...],
) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """``[tool.contractlint.approved.NAME]``: the project's own helpers that handle a contract's
    errors, checked as the contract's own ``[approved]``, for a contract in force."""
    from contractlint.contracts import Configured, contract_names, default_names
    from contractlint.contracts.loader import approved_lists

    out: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    tables = c.typed(table, kp, "approved", dict) or {}
    if not tables:
        return out
    if contracts is None:
        in_force = default_names()
    else:
        in_force = contract_names(contracts, root, Configured(root, tuple(contracts), picks))
    for name, entry in tables.items():
        where = [*kp, "approved", name]
        if not isinstance(entry, dict):
            c.error(where, f"expected a table of wrappers and decorators, got {describe(entry)}")
            continue
        wrappers, decorators = approved_lists(c, entry, where)
        if name not in in_force:
            c.error(
                where,
                f"{describe(name)} is not a contract in force ({', '.join(in_force)})"
                f"{suggest(name, in_force)}",
            )
        out[name] = (tuple(wrappers), tuple(decorators))
    return out


def _glob_problem(pattern) -> str | None:
    if not isinstance(pattern, str):
        return f'expected a dotted-name glob such as "pkg.adapters.*", got {describe(pattern)}'
    from contractlint.contracts.loader import glob_problem

    problem = glob_problem(pattern)
    return f"{describe(pattern)}: {problem}" if problem else None


def contract_problem(
    spec: str, root: str, configured: Sequence[str] = (), picks: tuple[tuple[str, str], ...] = ()
) -> str | None:
    """Why a ``contracts`` or ``faults`` entry names no contract, or None; said here so the message
    points at pyproject.toml. ``configured``: the entries whose contracts are known by their name;
    ``picks``: ``contract-sources``."""
    from contractlint.contracts import Configured, spec_problem

    return spec_problem(spec, root, Configured(root, tuple(configured), picks))


def configured(config: Config) -> Configured:
    """What the configuration says about contracts, for every place that resolves a contract
    spec."""
    from contractlint.contracts import Configured

    return Configured(
        config.root,
        (*(config.contracts or ()), *config.faults),
        config.contract_sources,
    )


def code_problem(code: str) -> str | None:
    """Why ``code`` selects no rule (a code, a prefix such as ``CL00``, ``ALL``, or a rule's name
    such as ``unguarded-call``), or None.

    The empty string is a prefix of every code, but nobody writes it to mean ``ALL``.
    """
    code = code_for(code)
    if code == "ALL" or (code and any(rule.code.startswith(code) for rule in RULES)):
        return None
    if not code:
        hint = ""
    elif _CODE_LIKE.fullmatch(code):
        hint = suggest(code.upper(), ["ALL", *(rule.code for rule in RULES)])
    else:
        hint = suggest(code.lower(), [rule.name for rule in RULES])
    return f"{describe(code)} is not a rule code, prefix or name (see `contractlint explain`){hint}"


def split_codes(values: Iterable[str]) -> tuple[str, ...]:
    """``--select CL001,CL002 --select silent-handler`` -> the codes, upper-cased (a rule's name
    becomes its code)."""
    out = []
    for value in values:
        for word in value.split(","):
            word = code_for(word.strip())
            if word:
                out.append(word.upper() if _CODE_LIKE.fullmatch(word) else word)
    return tuple(out)


#: What a code, a prefix or ``ALL`` looks like, in any case (a rule's name has a hyphen).
_CODE_LIKE = re.compile(r"[A-Za-z]*[0-9]*")


def check_codes(codes: Iterable[str], option: str) -> None:
    problems = [f"{option}: {code_problem(code)}" for code in codes if code_problem(code)]
    if problems:
        raise UserError(problems)
