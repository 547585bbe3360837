"""Finding and loading contracts: files on disk, the ones a configuration lists, the builtin ones."""

from __future__ import annotations

from contractlint.contracts.builtin import (
    EXAMPLES,
    builtin_dir,
    builtin_names,
    builtin_path,
    default_names,
)
from contractlint.contracts.loader import build_contract, glob_problem, load_contract
from contractlint.contracts.specs import (
    Catalog,
    Configured,
    is_path_spec,
    load_contracts,
    spec_problem,
)

__all__ = [
    "builtin_dir",
    "builtin_names",
    "builtin_path",
    "build_contract",
    "Catalog",
    "Configured",
    "default_names",
    "EXAMPLES",
    "glob_problem",
    "is_path_spec",
    "load_contract",
    "load_contracts",
    "spec_problem",
]
