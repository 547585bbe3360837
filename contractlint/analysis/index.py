"""The contracts in force, prepared for fast look-ups during analysis."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from contractlint.model import BUILTIN_ALIASES, CallGroup, Contract, canonical_name


class ContractIndex:
    def __init__(self, contracts: Sequence[Contract]):
        self.contracts = tuple(contracts)
        aliases: dict[str, str] = dict(BUILTIN_ALIASES)
        for contract in self.contracts:
            aliases.update(contract.aliases)
        self.aliases = aliases
        self.types: dict[str, str] = {}
        for contract in self.contracts:
            for factory, cls in contract.types.items():
                self.types[self.canonical(factory)] = self.canonical(cls)
        self.wrappers: frozenset[str] = frozenset(
            self.canonical(w) for c in self.contracts for w in c.approved_wrappers
        )
        self.decorators: frozenset[str] = frozenset(
            self.canonical(d) for c in self.contracts for d in c.approved_decorators
        )
        self.roots: frozenset[str] = frozenset(r for c in self.contracts for r in c.roots())
        self.canonical = lru_cache(maxsize=None)(self.canonical)  # type: ignore[method-assign]
        self.groups_for = lru_cache(maxsize=None)(self.groups_for)  # type: ignore[method-assign]

    def canonical(self, qualname: str) -> str:
        return canonical_name(qualname, self.aliases)

    def groups_for(self, qualname: str) -> tuple[tuple[Contract, CallGroup], ...]:
        """Every (contract, first matching group) for a canonical callee name."""
        out: list[tuple[Contract, CallGroup]] = []
        for contract in self.contracts:
            group = contract.group_for(qualname)
            if group is not None:
                out.append((contract, group))
        return tuple(out)
