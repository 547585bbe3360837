"""The contract a service team publishes, as plain data.

Nothing here parses TOML or Python: the loader in ``contractlint.contracts``
builds these objects and the analysis only reads them.
"""

from __future__ import annotations

import builtins
import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from contractlint.model.globs import glob_to_regex
from contractlint.model.vocabulary import Policy

POLICIES = tuple(Policy)
BROAD = ("allow", "warn", "deny")


def _builtin_exception_bases() -> dict[str, tuple[str, ...]]:
    """Every builtin exception class name -> the names of its direct bases."""
    table: dict[str, tuple[str, ...]] = {}
    for name in dir(builtins):
        obj = getattr(builtins, name)
        if isinstance(obj, type) and issubclass(obj, BaseException):
            table[obj.__name__] = tuple(b.__name__ for b in obj.__bases__ if b is not object)
    return table


BUILTIN_EXCEPTIONS: Mapping[str, tuple[str, ...]] = _builtin_exception_bases()

#: Other spellings of builtin exceptions that code uses in ``except`` clauses.
BUILTIN_ALIASES: Mapping[str, str] = {
    "IOError": "OSError",
    "EnvironmentError": "OSError",
    "socket.error": "OSError",
    "select.error": "OSError",
    "socket.timeout": "TimeoutError",
    "asyncio.TimeoutError": "TimeoutError",
    "asyncio.exceptions.TimeoutError": "TimeoutError",
    "concurrent.futures.TimeoutError": "TimeoutError",
    "asyncio.CancelledError": "asyncio.exceptions.CancelledError",
    **{f"builtins.{name}": name for name in _builtin_exception_bases()},
}


@dataclass(frozen=True)
class ErrorHierarchy:
    """The errors a contract knows, with their bases, plus the builtin ones."""

    bases: Mapping[str, tuple[str, ...]]

    def ancestors(self, name: str) -> frozenset[str]:
        """``name`` and every class it derives from."""
        seen = set()
        stack = [name]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self.bases.get(current, BUILTIN_EXCEPTIONS.get(current, ())))
        return frozenset(seen)

    def catches(self, handler: str, error: str) -> bool:
        """Whether ``except handler`` catches ``error``."""
        return handler in self.ancestors(error)

    def is_known(self, name: str) -> bool:
        return name in self.bases or name in BUILTIN_EXCEPTIONS


@dataclass(frozen=True)
class CallGroup:
    """Calls that share one error-handling rule."""

    index: int
    match: tuple[str, ...]
    raises: tuple[str, ...]
    policy: Policy
    exclude: tuple[str, ...] = ()
    fallback: str | None = None
    broad: str = "allow"
    description: str | None = None
    #: Overrides the contract's remediation for this group's findings.
    remediation: str | None = None
    #: Errors of the caller's own that a fail-open handler may raise instead (``raise
    #: StickerUnavailable() from err``): the translation is the owners' chosen handling, not CL003.
    translates_to: tuple[str, ...] = ()
    #: (match, exclude, their regexes), compiled on first use: a run that parses nothing never pays.
    _compiled: tuple | None = field(default=None, compare=False, repr=False)

    def matches(self, qualname: str) -> bool:
        compiled = self._compiled
        if compiled is None or compiled[0] is not self.match or compiled[1] is not self.exclude:
            compiled = (
                self.match,
                self.exclude,
                tuple(glob_to_regex(p) for p in self.match),
                tuple(glob_to_regex(p) for p in self.exclude),
            )
            object.__setattr__(self, "_compiled", compiled)
        return any(r.match(qualname) for r in compiled[2]) and not any(
            r.match(qualname) for r in compiled[3]
        )


@dataclass(frozen=True)
class Contract:
    """How a service's callers must handle its failures."""

    name: str
    summary: str
    owner: str
    source: str
    errors: ErrorHierarchy
    calls: tuple[CallGroup, ...]
    types: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    approved_wrappers: tuple[str, ...] = ()
    approved_decorators: tuple[str, ...] = ()
    docs: str | None = None
    remediation: str | None = None
    review_by: _dt.date | None = None
    builtin: bool = False
    #: ``[faults]``: error name -> a function that builds one, for errors that take constructor
    #: arguments (the pytest plugin raises them at run time; the static checks never read this).
    faults: Mapping[str, str] = field(default_factory=dict)
    #: The installed distribution that ships the contract, (name, version); None for a builtin or a
    #: file the project names.
    distribution: tuple[str, str] | None = None
    #: Which version of the guidance this is: ``[contract] version``, else the version of the
    #: distribution that ships it, else contractlint's for a builtin; None for a file without one.
    version: str | None = None

    @property
    def origin(self) -> str:
        """Where the contract comes from, in words: ``builtin``, ``capability-client 1.0.0``, or its
        file."""
        if self.distribution is not None:
            return " ".join(self.distribution)
        return "builtin" if self.builtin else self.source

    def approving(self, wrappers: Sequence[str], decorators: Sequence[str]) -> Contract:
        """This contract with more approved wrappers and decorators: a consumer's own helpers that
        implement the handling (``[tool.contractlint.approved.NAME]``)."""
        return replace(
            self,
            approved_wrappers=tuple(dict.fromkeys((*self.approved_wrappers, *wrappers))),
            approved_decorators=tuple(dict.fromkeys((*self.approved_decorators, *decorators))),
        )

    def group_for(self, qualname: str) -> CallGroup | None:
        for group in self.calls:
            if group.matches(qualname):
                return group
        return None

    def canonical(self, qualname: str) -> str:
        """Follow ``[aliases]`` (longest dotted prefix first) to the name the contract uses."""
        return canonical_name(qualname, self.aliases)

    def roots(self) -> frozenset[str]:
        """Top-level modules a file must mention to hold a call this contract can resolve."""
        names = [p for g in self.calls for p in g.match]
        names += list(self.types) + list(self.types.values()) + list(self.aliases)
        names += list(self.approved_wrappers) + list(self.approved_decorators)
        return frozenset(n.split(".", 1)[0] for n in names if n and n[0] not in "*?[")


def canonical_name(qualname: str, aliases: Mapping[str, str]) -> str:
    if not aliases:
        return qualname
    parts = qualname.split(".")
    for cut in range(len(parts), 0, -1):
        head = ".".join(parts[:cut])
        target = aliases.get(head)
        if target is not None:
            return ".".join([target, *parts[cut:]])
    return qualname
