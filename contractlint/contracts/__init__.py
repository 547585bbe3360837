"""Finding and loading contracts: files on disk and the ones that ship with contractlint."""

from __future__ import annotations

import os
from collections.abc import Iterable

from contractlint.contracts.loader import build_contract, glob_problem, load_contract
from contractlint.errors import UserError
from contractlint.model import Contract
from contractlint.tomlfile import describe, locate, suggest

__all__ = [
    "builtin_dir",
    "builtin_names",
    "build_contract",
    "default_names",
    "EXAMPLES",
    "glob_problem",
    "load_contract",
    "load_contracts",
]


def builtin_dir() -> str:
    """The folder of builtin contracts: packaged in the wheel, or ``rules/`` beside a source checkout.
    (``os.path``, not ``pathlib``: a pre-commit run pays for every import.)"""
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    packaged = os.path.join(here, "_rules")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(here), "rules")


def builtin_names() -> list[str]:
    folder = builtin_dir()
    if not os.path.isdir(folder):
        return []
    return sorted(
        name[: -len(".toml")]
        for name in os.listdir(folder)
        if name.endswith(".toml") and os.path.isfile(os.path.join(folder, name))
    )


#: Builtin contracts that tell the example story (``examples/``): checked when named, never by default.
EXAMPLES = frozenset({"capability-server"})


def default_names() -> list[str]:
    """The builtin contracts a project with no configuration is checked against: the general-purpose
    ones, for the client libraries anyone may call (requests, httpx, redis, boto3)."""
    return [name for name in builtin_names() if name not in EXAMPLES]


def is_path_spec(spec: str) -> bool:
    return spec.endswith(".toml") or os.sep in spec or "/" in spec


def load_contracts(specs: Iterable[str], base_dir: str = ".") -> list[Contract]:
    """Load each spec (a builtin name or a TOML path relative to ``base_dir``); collect every problem."""
    contracts: list[Contract] = []
    problems: list[str] = []
    seen = {}
    for spec in specs:
        if is_path_spec(spec):
            path = spec if os.path.isabs(spec) else os.path.normpath(os.path.join(base_dir, spec))
            builtin = False
        else:
            path = os.path.join(builtin_dir(), f"{spec}.toml")
            builtin = True
            if not os.path.isfile(path):
                names = builtin_names()
                problems.append(
                    f"unknown contract {describe(spec)}: not a builtin contract "
                    f"({', '.join(names) or 'none'}) nor a .toml path{suggest(spec, names)}"
                )
                continue
        if not builtin and not os.path.isfile(path):
            # Name the place looked at: a configured path is relative to the pyproject's folder, not the cwd.
            looked = f" (looked for {path})" if os.path.normpath(spec) != path else ""
            what = (
                "is a folder, not a contract file"
                if os.path.isdir(path)
                else "contract file not found"
            )
            problems.append(f"{spec}: {what}{looked}")
            continue
        try:
            contract = load_contract(path, builtin=builtin)
        except UserError as exc:
            problems.extend(exc.messages)
            continue
        if contract.name in seen:
            problems.append(_duplicate(path, contract.name, seen[contract.name]))
            continue
        seen[contract.name] = path
        contracts.append(contract)
    if problems:
        raise UserError(problems)
    return contracts


def _duplicate(path: str, name: str, first: str) -> str:
    """The second contract of one name, pointing at its ``name`` line like every other contract problem."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            line = locate(fh.read(), ["contract", "name"])
    except (OSError, UnicodeDecodeError):
        line = None
    where = f"{path}:{line}" if line else path
    if os.path.abspath(first) == os.path.abspath(path):
        return f'{where}: [contract].name: "{name}": this contract is listed twice'
    return f'{where}: [contract].name: "{name}" is also the name of {first}'
