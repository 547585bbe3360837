"""From what a person wrote to the contract it means: a path, a configured contract's name, a builtin's.

Every place that takes a contract spec resolves it here, so that a name means one contract
everywhere: ``--contract`` on the command line, ``contracts`` and ``faults`` under
[tool.contractlint], the pytest plugin's ``--contract-faults`` and its ``contract_faults`` fixture.
A spec is, in this order:

1. a path, when it ends in ``.toml`` or holds a slash: read relative to the folder the caller gives
   (the working folder for the command line, the configuration's folder for what the configuration
   or the pytest plugin reads);
2. the ``[contract].name`` of a contract the configuration lists by path (``contracts``, ``faults``):
   a project's own contracts are known by their name, as the builtins are;
3. the name of a builtin contract.

A configured contract whose name is also a builtin's wins, explicitly: the project listed its own
contract under that name, so that is the one it means. Contracts shipped by installed client packages
will be one more source, after the builtins: a ``_Source`` in ``Catalog.sources``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from contractlint.contracts.builtin import builtin_names, builtin_path
from contractlint.contracts.loader import load_contract
from contractlint.errors import UserError
from contractlint.model import Contract
from contractlint.tomlfile import describe, locate, suggest


def is_path_spec(spec: str) -> bool:
    return spec.endswith(".toml") or os.sep in spec or "/" in spec


@dataclass(frozen=True)
class Configured:
    """The contract specs a configuration lists (``contracts`` and ``faults``), and the folder they are
    relative to: the paths among them are the contracts known by their name."""

    folder: str
    specs: tuple[str, ...] = ()


def load_contracts(
    specs: Iterable[str], base_dir: str = ".", configured: Configured | None = None
) -> list[Contract]:
    """Load each spec (paths relative to ``base_dir``); collect every problem before raising them."""
    return Catalog(configured).load(specs, base_dir)


def spec_problem(spec: str, base_dir: str, configured: Configured | None = None) -> str | None:
    """Why ``spec`` names no contract, or None (a contract that is there but not valid is not this
    problem: loading it says what is wrong with it)."""
    return Catalog(configured).problem(spec, base_dir)


class _Source:
    """Contracts known by name: ``names`` for messages, ``find`` for the contract itself."""

    #: What a spec was tried as, in an "unknown contract" message: "a builtin contract".
    label = ""

    def names(self, catalog: Catalog) -> list[str]:
        raise NotImplementedError

    def find(self, name: str, catalog: Catalog) -> Contract | None:
        """The contract of that name, None when there is none here, a ``UserError`` when it cannot tell."""
        raise NotImplementedError


class _ConfiguredSource(_Source):
    label = "a configured contract"

    def __init__(self, configured: Configured):
        self._configured = configured
        self._by_name: dict[str, Contract] | None = None
        self._problems: list[str] = []

    def _contracts(self, catalog: Catalog) -> dict[str, Contract]:
        if self._by_name is None:
            self._by_name = {}
            for spec in self._configured.specs:
                if is_path_spec(spec):
                    try:
                        contract = catalog.read(_path(spec, self._configured.folder))
                    except UserError as exc:
                        self._problems.extend(exc.messages)
                        continue
                    self._by_name.setdefault(contract.name, contract)
        return self._by_name

    def names(self, catalog: Catalog) -> list[str]:
        return sorted(self._contracts(catalog))

    def find(self, name: str, catalog: Catalog) -> Contract | None:
        contract = self._contracts(catalog).get(name)
        if contract is None and self._problems:
            # A configured contract that cannot be read may be the one of that name, and it would win.
            raise UserError(self._problems)
        return contract


class _BuiltinSource(_Source):
    label = "a builtin contract"

    def names(self, catalog: Catalog) -> list[str]:
        return builtin_names()

    def find(self, name: str, catalog: Catalog) -> Contract | None:
        path = builtin_path(name)
        return None if path is None else catalog.read(path, builtin=True)


class Catalog:
    """Specs to contracts, each file read once: the one resolution of a contract spec."""

    def __init__(self, configured: Configured | None = None):
        self.sources: list[_Source] = [_BuiltinSource()]
        if configured is not None and any(is_path_spec(s) for s in configured.specs):
            self.sources.insert(0, _ConfiguredSource(configured))
        self._read: dict[str, Contract | UserError] = {}

    def read(self, path: str, builtin: bool = False) -> Contract:
        if path not in self._read:
            try:
                self._read[path] = load_contract(path, builtin=builtin)
            except UserError as exc:
                self._read[path] = exc
        found = self._read[path]
        if isinstance(found, UserError):
            raise found
        return found

    def find(self, spec: str, base_dir: str) -> Contract:
        """The contract ``spec`` means; a ``UserError`` saying what was tried when there is none."""
        if is_path_spec(spec):
            path = _path(spec, base_dir)
            problem = _file_problem(spec, path)
            if problem:
                raise UserError([problem])
            return self.read(path)
        contract = self._named(spec)
        if contract is None:
            raise UserError([self._unknown(spec)])
        return contract

    def problem(self, spec: str, base_dir: str) -> str | None:
        """Why ``spec`` names no contract, or None; a contract there but not valid is not this problem."""
        if is_path_spec(spec):
            return _file_problem(spec, _path(spec, base_dir), at_key=True)
        try:
            found = self._named(spec)
        except UserError:
            return None  # loading it says what is wrong
        return None if found is not None else self._unknown(spec)

    def load(self, specs: Iterable[str], base_dir: str) -> list[Contract]:
        contracts: list[Contract] = []
        problems: list[str] = []
        seen: dict[str, str] = {}
        for spec in specs:
            try:
                contract = self.find(spec, base_dir)
            except UserError as exc:
                problems.extend(exc.messages)
                continue
            if contract.name in seen:
                problems.append(_duplicate(contract.source, contract.name, seen[contract.name]))
                continue
            seen[contract.name] = contract.source
            contracts.append(contract)
        if problems:
            raise UserError(list(dict.fromkeys(problems)))
        return contracts

    def _named(self, name: str) -> Contract | None:
        for source in self.sources:
            contract = source.find(name, self)
            if contract is not None:
                return contract
        return None

    def _unknown(self, spec: str) -> str:
        tried = [(s.label, s.names(self)) for s in self.sources]
        shown = [f"{label} ({', '.join(names) or 'none'})" for label, names in tried]
        return (
            f"unknown contract {describe(spec)}: not {', '.join(shown)} nor a .toml path"
            f"{suggest(spec, [n for _, names in tried for n in names])}"
        )


def _path(spec: str, base_dir: str) -> str:
    return spec if os.path.isabs(spec) else os.path.normpath(os.path.join(base_dir, spec))


def _file_problem(spec: str, path: str, at_key: bool = False) -> str | None:
    """Why no contract file is at ``path``, or None. Said after the key that holds the spec
    (``at_key``: the configuration's reader), it names the spec; else it starts with it."""
    if os.path.isdir(path):
        what, where = "is a folder, not a file", f" ({path})"
    elif not os.path.isfile(path):
        what, where = "not found", f" (looked for {path})"
    else:
        return None
    if at_key:
        return f"contract file {describe(spec)} {what}{where}"
    return f"{spec}: contract file {what}{where if os.path.normpath(spec) != path else ''}"


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
