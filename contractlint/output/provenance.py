"""Where each contract came from and which version of it ran, as the machine-read formats record
it (the ``check`` JSON report and the ``report`` inventory): so that a report says which guidance a
consumer was checked against, and the owners can tell who ran an older one."""

from __future__ import annotations

import os
from typing import Any

from contractlint.model import Contract


def contract_source(contract: Contract, root: str) -> dict[str, str]:
    """``{"kind": "builtin"}``, ``{"kind": "distribution", "name", "version"}`` for a contract an
    installed package ships, or ``{"kind": "path", "path"}`` relative to ``root``."""
    if contract.distribution is not None:
        name, version = contract.distribution
        return {"kind": "distribution", "name": name, "version": version}
    if contract.builtin:
        return {"kind": "builtin"}
    try:
        path = os.path.relpath(contract.source, root)
    except ValueError:  # another drive on Windows
        path = contract.source
    return {"kind": "path", "path": path.replace(os.sep, "/")}


def provenance(contract: Contract, root: str) -> dict[str, Any]:
    """The ``source`` and ``version`` keys of a contract's entry."""
    return {"source": contract_source(contract, root), "version": contract.version}
