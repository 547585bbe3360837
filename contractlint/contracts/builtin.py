"""The contracts that ship with contractlint: found by name in ``rules/``, installed with the
package."""

from __future__ import annotations

import os


def builtin_dir() -> str:
    """The folder of builtin contracts: packaged in the wheel, or ``rules/`` beside a source
    checkout. (``os.path``, not ``pathlib``: a pre-commit run pays for every import.)"""
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


def builtin_path(name: str) -> str | None:
    """The file of the builtin contract ``name``, or None when there is no such builtin."""
    path = os.path.join(builtin_dir(), f"{name}.toml")
    return path if os.path.isfile(path) else None


def default_names() -> list[str]:
    """The builtin contracts a project with no configuration is checked against: the general-purpose
    ones, for the client libraries anyone may call (requests, httpx, redis, boto3). A service's own
    contract ships with its client (``contracts.packaged``) and is checked where a project names
    it."""
    return builtin_names()
