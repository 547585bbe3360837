"""``contractlint draft PACKAGE``: a first contract for a service's client, read from its source.

The service team points it at the client it ships; the draft lists the client's exception
hierarchy, one call group per client class, the factories that make clients and the names users
import them by, with ``policy = "any"`` and comments where the owners must decide. The package is
found (``locate``) and read (``read``, with ``ast``) without being imported: its code never runs.
Names are followed across modules and into dependencies (``resolve``), the entries chosen
(``plan``) and written as TOML (``render``).
"""

from __future__ import annotations

from contractlint.draft.locate import subject
from contractlint.draft.plan import module_names, plan
from contractlint.draft.render import render
from contractlint.draft.resolve import Resolver
from contractlint.errors import UserError

__all__ = ["draft_contract"]


def draft_contract(spec: str) -> tuple[str, list[str]]:
    """The draft's TOML text, and one line for each of the package's files that could not be read.

    Raises ``UserError`` when ``spec`` names no module with Python source.
    """
    location, path = subject(spec)
    resolver = Resolver(path)
    try:
        text = render(plan(location, resolver))
    except RecursionError:
        raise UserError([f"{spec}: classes or names nested too deeply to follow"]) from None
    own = set(module_names(location))
    return text, [problem for name, problem in resolver.problems.items() if name in own]
