"""The example story's client package, ``examples/capability-client``, which ships the
capability-server contract through the ``contractlint.contracts`` entry point.

The tests use it as the real installed package it is: the README's set-up installs it
(``pip install -e examples/capability-client``), and conftest.py stops a run without it.
"""

from __future__ import annotations

from pathlib import Path

from contractlint.contracts.packaged import installed

ROOT = Path(__file__).resolve().parent.parent
CLIENT = ROOT / "examples" / "capability-client"
#: The contract file the package ships.
CONTRACT = CLIENT / "capability_client" / "contract.toml"
#: The client's module, as its callers import it.
MODULE = CLIENT / "capability_client" / "__init__.py"
#: A consumer's configuration that checks its calls against that contract.
CONFIG = '[tool.contractlint]\ncontracts = ["capability-server"]\n'


def is_installed() -> bool:
    return any(entry.name == "capability-server" for entry in installed())


def tried_installed() -> str:
    """What an "unknown contract" message says of the contracts installed packages ship, here."""
    names = sorted({entry.name for entry in installed()})
    return f", a contract an installed package ships ({', '.join(names)})" if names else ""
