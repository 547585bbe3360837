"""From what a person wrote to the contract it means: a path, a configured contract's name, a
builtin's, or one an installed package ships.

Every place that takes a contract spec resolves it here, so that a name means one contract
everywhere: ``--contract`` on the command line, ``contracts`` and ``faults`` under
[tool.contractlint], the pytest plugin's ``--contract-faults`` and its ``contract_faults`` fixture.
A spec is, in this order:

1. a path, when it ends in ``.toml`` or holds a slash: read relative to the folder the caller gives
   (the working folder for the command line, the configuration's folder for what the configuration
   or the pytest plugin reads);
2. the ``[contract].name`` of a contract the configuration lists by path (``contracts``,
   ``faults``): a project's own contracts are known by their name;
3. the name of a builtin contract, or of a contract an installed distribution ships (the entry
   points of ``contractlint.contracts``, ``contracts.packaged``).

A configured contract whose name is also another source's wins, explicitly: the project listed its
own contract under that name, so that is the one it means. Two sources of the third kind for one
name (two distributions, or a distribution and a builtin) are an error naming both, unless the
configuration picks one (``[tool.contractlint.contract-sources]``, ``Configured.picks``): a
contract that changes under a project because a package was installed is what this prevents.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Callable

from contractlint.contracts.builtin import builtin_names, builtin_path
from contractlint.contracts.loader import load_contract
from contractlint.contracts.packaged import GROUP, Shipped, contract_file, installed
from contractlint.errors import UserError
from contractlint.model import Contract
from contractlint.tomlfile import describe, locate, suggest

#: The distribution whose contracts are the builtin ones, as ``contract-sources`` names it.
BUILTIN = "contractlint"
#: Where the configuration picks one source among several (documented there).
PICKS = "[tool.contractlint.contract-sources]"


def is_path_spec(spec: str) -> bool:
    return spec.endswith(".toml") or os.sep in spec or "/" in spec


@dataclass(frozen=True)
class Configured:
    """What a configuration says about contracts: the specs it lists (``contracts`` and ``faults``),
    the folder they are relative to (the paths among them are the contracts known by their name),
    and which source it picks for a name several sources offer (``contract-sources``: contract name
    -> the distribution that ships it, ``contractlint`` for the builtin one)."""

    folder: str
    specs: tuple[str, ...] = ()
    picks: tuple[tuple[str, str], ...] = ()


def load_contracts(
    specs: Iterable[str], base_dir: str = ".", configured: Configured | None = None
) -> list[Contract]:
    """Load each spec (paths relative to ``base_dir``); collect every problem before raising
    them."""
    return Catalog(configured).load(specs, base_dir)


def spec_problem(spec: str, base_dir: str, configured: Configured | None = None) -> str | None:
    """Why ``spec`` names no contract, or None (a contract that is there but not valid is not this
    problem: loading it says what is wrong with it)."""
    return Catalog(configured).problem(spec, base_dir)


def contract_names(specs: Iterable[str], base_dir: str, configured: Configured) -> list[str]:
    """The names of the contracts ``specs`` list: a name as it is, a path as the name its file
    declares (a spec that names nothing is left out: its own problem is reported elsewhere)."""
    catalog = Catalog(configured)
    names = []
    for spec in specs:
        if not is_path_spec(spec):
            names.append(spec)
            continue
        try:
            names.append(catalog.read(_path(spec, base_dir)).name)
        except UserError:
            pass
    return names


def pick_problem(name: str, distribution: str) -> str | None:
    """Why ``contract-sources`` cannot pick ``distribution`` for the contract ``name``, or None."""
    offers = Catalog().offers(name)
    if any(_same(o.distribution, distribution) for o in offers):
        return None
    shown = ", ".join(f'"{o.distribution}" ({o.shown})' for o in offers)
    if shown:
        return f"{describe(distribution)} ships no contract {describe(name)}; its sources: {shown}"
    return f"{describe(distribution)} ships no contract {describe(name)}, and nothing else does"


def builtin_contracts() -> list[Contract]:
    """Every builtin contract, read from its file (a name could mean another source's)."""
    catalog = Catalog()
    paths = [builtin_path(name) for name in builtin_names()]
    return [catalog.read(path, builtin=True) for path in paths if path]


def installed_contracts() -> list[Contract]:
    """Every contract the installed distributions ship, validated; every problem raised at once."""
    catalog = Catalog()
    contracts: list[Contract] = []
    problems: list[str] = []
    for entry in installed():
        try:
            contracts.append(catalog.shipped(entry))
        except UserError as exc:
            problems.extend(exc.messages)
    if problems:
        raise UserError(list(dict.fromkeys(problems)))
    return contracts


@dataclass(frozen=True)
class _Offer:
    """A source's contract of some name, loaded only when it is the one chosen."""

    #: How messages name the source: ``builtin``, ``capability-client 1.0.0``.
    shown: str
    #: What ``contract-sources`` names to pick it.
    distribution: str
    load: Callable[[], Contract]


class _Source:
    """Contracts known by name: ``names`` for messages, ``offers`` for the contract itself."""

    #: What a spec was tried as, in an "unknown contract" message: "a builtin contract".
    label = ""
    #: Whether that message names the source when it has no contract at all.
    always_named = True

    def names(self, catalog: Catalog) -> list[str]:
        raise NotImplementedError

    def offers(self, name: str, catalog: Catalog) -> list[_Offer]:
        raise NotImplementedError


class _ConfiguredSource:
    """The contracts a configuration lists by path, known by their name: these win over every other
    source of the name."""

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
            # A configured contract that cannot be read may be the one of that name, and it would
            # win.
            raise UserError(self._problems)
        return contract


class _BuiltinSource(_Source):
    label = "a builtin contract"

    def names(self, catalog: Catalog) -> list[str]:
        return builtin_names()

    def offers(self, name: str, catalog: Catalog) -> list[_Offer]:
        path = builtin_path(name)
        if path is None:
            return []
        return [_Offer("builtin", BUILTIN, lambda: catalog.read(path, builtin=True))]


class _PackagedSource(_Source):
    label = "a contract an installed package ships"
    always_named = False

    def names(self, catalog: Catalog) -> list[str]:
        return sorted({entry.name for entry in installed()})

    def offers(self, name: str, catalog: Catalog) -> list[_Offer]:
        return [
            _Offer(entry.label, entry.distribution, partial(catalog.shipped, entry))
            for entry in installed()
            if entry.name == name
        ]


class _Ambiguous(UserError):
    """Several sources offer the name and the configuration picks none: the spec names no one
    contract."""


class Catalog:
    """Specs to contracts, each file read once: the one resolution of a contract spec."""

    def __init__(self, configured: Configured | None = None):
        self.configured: _ConfiguredSource | None = None
        if configured is not None and any(is_path_spec(s) for s in configured.specs):
            self.configured = _ConfiguredSource(configured)
        self.sources: list[_Source] = [_BuiltinSource(), _PackagedSource()]
        self.picks: Mapping[str, str] = dict(configured.picks) if configured else {}
        self._read: dict[str, Contract | UserError] = {}

    def read(
        self, path: str, builtin: bool = False, distribution: tuple[str, str] | None = None
    ) -> Contract:
        if path not in self._read:
            try:
                self._read[path] = load_contract(path, builtin=builtin, distribution=distribution)
            except UserError as exc:
                self._read[path] = exc
        found = self._read[path]
        if isinstance(found, UserError):
            raise found
        return found

    def shipped(self, entry: Shipped) -> Contract:
        """The contract an entry point names, checked to be valid and to bear the entry's name; a
        ``UserError`` naming the distribution when it is not."""
        path = contract_file(entry)
        try:
            contract = self.read(path, distribution=(entry.distribution, entry.version))
        except UserError as exc:
            raise UserError(
                [f"{entry.label} ships a contract that is not valid: {m}" for m in exc.messages]
            ) from None
        if contract.name != entry.name:
            raise UserError(
                [
                    f"{entry.declared}: {path} is the contract {describe(contract.name)}: an entry "
                    f"point's name must be its contract's [contract].name"
                ]
            )
        return contract

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
        """Why ``spec`` names no contract, or None; a contract there but not valid is not this
        problem."""
        if is_path_spec(spec):
            return _file_problem(spec, _path(spec, base_dir), at_key=True)
        try:
            found = self._named(spec)
        except _Ambiguous as exc:
            return exc.messages[0]
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

    def offers(self, name: str) -> list[_Offer]:
        """Every source of ``name`` but the configuration's, in the order of ``sources``."""
        return [offer for source in self.sources for offer in source.offers(name, self)]

    def _named(self, name: str) -> Contract | None:
        if self.configured is not None:
            contract = self.configured.find(name, self)
            if contract is not None:
                return contract
        offers = self.offers(name)
        pick = self.picks.get(name)
        if pick is not None:
            chosen = [o for o in offers if _same(o.distribution, pick)]
            if not chosen:
                raise _Ambiguous(
                    [f"{PICKS}: {name} = {describe(pick)}: {pick_problem(name, pick)}"]
                )
            offers = chosen
        if len(offers) > 1:
            raise _Ambiguous([_ambiguous(name, offers)])
        return offers[0].load() if offers else None

    def _tried(self) -> Iterator[tuple[str, list[str]]]:
        if self.configured is not None:
            yield self.configured.label, self.configured.names(self)
        for source in self.sources:
            names = source.names(self)
            if names or source.always_named:
                yield source.label, names

    def _unknown(self, spec: str) -> str:
        tried = list(self._tried())
        shown = [f"{label} ({', '.join(names) or 'none'})" for label, names in tried]
        return (
            f"unknown contract {describe(spec)}: not {', '.join(shown)} nor a .toml path"
            f"{suggest(spec, [n for _, names in tried for n in names])}"
        )


def _same(a: str, b: str) -> bool:
    """Distribution names compare as pip compares them: ``Capability_Client`` is
    ``capability-client``."""
    return re.sub(r"[-_.]+", "-", a).lower() == re.sub(r"[-_.]+", "-", b).lower()


def _ambiguous(name: str, offers: list[_Offer]) -> str:
    shown = " and ".join(
        o.shown if o.distribution == BUILTIN else f"{o.shown} (an entry point of [{GROUP}])"
        for o in offers
    )
    choices = " or ".join(f'"{o.distribution}"' for o in offers)
    return (
        f"contract {describe(name)} has {len(offers)} sources: {shown}; pick one in the "
        f"configuration: {PICKS} {name} = {choices}"
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
    """The second contract of one name, pointing at its ``name`` line like every other contract
    problem."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            line = locate(fh.read(), ["contract", "name"])
    except (OSError, UnicodeDecodeError):
        line = None
    where = f"{path}:{line}" if line else path
    if os.path.abspath(first) == os.path.abspath(path):
        return f'{where}: [contract].name: "{name}": this contract is listed twice'
    return f'{where}: [contract].name: "{name}" is also the name of {first}'
