"""Finding and loading contracts: files on disk, the ones a configuration lists, the builtin ones,
the ones installed packages ship."""

from __future__ import annotations

from contractlint.contracts.builtin import (
    builtin_dir,
    builtin_names,
    builtin_path,
    default_names,
)
from contractlint.contracts.loader import build_contract, glob_problem, load_contract
from contractlint.contracts.packaged import GROUP
from contractlint.contracts.specs import (
    BUILTIN,
    PICKS,
    Catalog,
    Configured,
    builtin_contracts,
    contract_names,
    installed_contracts,
    is_path_spec,
    load_contracts,
    pick_problem,
    spec_problem,
)

__all__ = [
    "BUILTIN",
    "builtin_contracts",
    "contract_names",
    "GROUP",
    "installed_contracts",
    "pick_problem",
    "PICKS",
    "builtin_dir",
    "builtin_names",
    "builtin_path",
    "build_contract",
    "Catalog",
    "Configured",
    "default_names",
    "glob_problem",
    "is_path_spec",
    "load_contract",
    "load_contracts",
    "spec_problem",
]
