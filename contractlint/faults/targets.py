"""From a contract to what a test run patches: the functions its globs name, and the errors to
raise.

The globs name calls the way the static checks see them
(``capability_client.CapabilityClient.check*``). At run time the same names must become objects: the
module named by the glob's literal prefix is imported, the rest of the glob is expanded over that
module's (or class's) attributes, and every function found is patched where it is defined, so that
each caller, whatever name it imported it under, reaches the patch. Every problem (a module that
does not import, a factory that is missing, an error that cannot be built) is one line naming the
contract file, its line and the key, as the loader's problems are: a test run that cannot inject
what was asked must say why, not dump a traceback.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import re
import types
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable

from contractlint.model import CallGroup, Contract, glob_to_regex
from contractlint.tomlfile import KeyPath, describe, format_key, locate, one_line

#: The argument tried when an error cannot be built without one: most exception classes take a
#: message.
MESSAGE = "injected by contractlint: the service is down"

#: How deep ``**`` looks below the imported module: module -> class -> method (and one nested
#: class).
_MAX_DEPTH = 4


@dataclass(eq=False)
class Target:
    """One function the contract names, found where it is defined, and how to put it back."""

    contract: Contract
    group: CallGroup
    #: The dotted name the contract uses for it (``capability_client.CapabilityClient.check``).
    qualname: str
    #: What people read in a test id: ``CapabilityClient.check``, ``check_capability``.
    label: str
    #: The module or class whose attribute is replaced.
    owner: Any
    attr: str
    #: What the owner's namespace (or its bases') held: a function, staticmethod, classmethod or
    #: builtin.
    raw: Any
    #: The callable inside ``raw``.
    func: Callable[..., Any]
    #: Top-level packages of the service's client: their frames are the library, not a call site.
    roots: frozenset[str] = frozenset()
    #: Whether ``raw`` is in the owner's own namespace (else inherited: undoing the patch deletes
    #: it).
    own: bool = True
    _wrapper: Any = field(default=None, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.contract.name, self.qualname)

    @property
    def module_level(self) -> bool:
        return isinstance(self.owner, types.ModuleType)

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.func)


@dataclass
class Resolution:
    """What one contract resolved to in this interpreter."""

    contract: Contract
    targets: list[Target] = field(default_factory=list)
    #: One line each, ``file:line: key: message``: a test run cannot go on with them.
    problems: list[str] = field(default_factory=list)
    #: Globs that import but name nothing here (``ServiceResource.*.upload_file`` is made at run
    #: time).
    unmatched: list[str] = field(default_factory=list)


class _Problem(Exception):
    """A name that does not import, said in one line."""


class _Missing(Exception):
    """A module that imports but lacks the attribute (or submodule) named next."""

    def __init__(self, owner: str, part: str):
        super().__init__(f"{describe(owner)} has no attribute or submodule {describe(part)}")


def problem_line(contract: Contract, keypath: KeyPath, message: str) -> str:
    """``rules/x.toml:22: [[calls]][1].match[1]: message``, like every other contract problem."""
    line = None
    try:
        with open(contract.source, encoding="utf-8-sig") as fh:
            line = locate(fh.read(), keypath)
    except (OSError, UnicodeDecodeError):
        pass
    where = f"{contract.source}:{line}" if line else contract.source
    return one_line(f"{where}: {format_key(keypath)}: {message}")


def resolve(contract: Contract) -> Resolution:
    """Import what the contract's globs name and find every function they match.

    A function matched by two groups belongs to the first, as a call does in the static checks.
    """
    out = Resolution(contract)
    seen: dict[tuple[int, str], Target] = {}
    roots = contract.roots()
    for gi, group in enumerate(contract.calls):
        for mi, pattern in enumerate(group.match):
            try:
                found = list(_expand_glob(pattern, contract))
            except _Problem as exc:
                out.problems.append(problem_line(contract, ["calls", gi, "match", mi], str(exc)))
                continue
            matched = False
            for owner, attr, raw, qualname, literal in found:
                canonical = contract.canonical(qualname)
                owning = contract.group_for(canonical)
                if owning is None:
                    continue  # excluded
                func = _callable_of(raw)
                if func is None:
                    continue
                if not literal and not _belongs(func, owner, roots):
                    continue  # ``capability_client.*`` must not patch the ``dataclass`` it imported
                key = (id(owner), attr)
                matched = True
                if key in seen:
                    continue
                own = attr in getattr(owner, "__dict__", {})
                seen[key] = Target(
                    contract,
                    owning,
                    canonical,
                    _label(owner, attr),
                    owner,
                    attr,
                    raw,
                    func,
                    roots,
                    own,
                )
            if not matched:
                out.unmatched.append(pattern)
    out.targets = list(seen.values())
    return out


def _expand_glob(pattern: str, contract: Contract) -> Iterator[tuple[Any, str, Any, str, bool]]:
    """(owner, attribute, raw value, dotted name, named literally) for each attribute the glob
    reaches."""
    parts = pattern.split(".")
    literal = []
    for part in parts:
        if "*" in part or "?" in part:
            break
        literal.append(part)
    if not literal:
        raise _Problem(
            f"{describe(pattern)} does not start with a module name, so there is nothing to import"
        )
    if len(literal) == len(parts):
        # A plain dotted name: its owner is everything before the last part.
        owner, owner_name = (
            _import_object(literal[:-1], pattern, contract) if len(literal) > 1 else (None, "")
        )
        if owner is None:
            raise _Problem(f"{describe(pattern)} names a module, not a function")
        if owner is _ABSENT:
            return
        raw = _static_get(owner, parts[-1])
        if raw is not _ABSENT:
            yield owner, parts[-1], raw, f"{owner_name}.{parts[-1]}", True
        return
    anchor, anchor_name = _import_object(literal, pattern, contract)
    if anchor is _ABSENT:
        return
    rest = parts[len(literal) :]
    if any("**" in p for p in rest):
        regex = glob_to_regex(".".join(rest))
        yield from _walk_deep(anchor, anchor_name, regex, len(anchor_name) + 1, 0)
    else:
        yield from _walk(anchor, anchor_name, rest)


_ABSENT = object()


def _import_object(parts: Sequence[str], pattern: str, contract: Contract) -> tuple[Any, str]:
    """Import the module the dotted ``parts`` start with, then follow attributes (or submodules).

    ``[aliases]`` are followed backwards: when the contract's own spelling does not import, a
    spelling that the aliases map to it is tried. A name that imports but lacks an attribute is
    ``_ABSENT``: the glob matches nothing here, which is not an error (a library version without
    that method).
    """
    spellings = [list(parts)]
    dotted = ".".join(parts)
    for spelling, target in contract.aliases.items():
        if dotted == target or dotted.startswith(target + "."):
            spellings.append((spelling + dotted[len(target) :]).split("."))
    first_error: _Problem | None = None
    for candidate in spellings:
        try:
            return _import_parts(candidate)
        except _Missing:
            return _ABSENT, ""
        except _Problem as exc:
            first_error = first_error or _Problem(
                f"cannot import {describe('.'.join(candidate))}: {exc}"
            )
    assert first_error is not None
    raise first_error


def _import_parts(parts: Sequence[str]) -> tuple[Any, str]:
    """Import ``parts[0]`` and follow the rest; ``_Missing`` when a part is not there, ``_Problem``
    on failure."""
    name = parts[0]
    obj: Any = _import_module(name)
    for part in parts[1:]:
        value = _static_get(obj, part)
        if value is _ABSENT and isinstance(obj, types.ModuleType):
            value = _import_submodule(f"{obj.__name__}.{part}")
        if value is _ABSENT:
            raise _Missing(name, part)
        obj = getattr(obj, part, value) if isinstance(value, (staticmethod, classmethod)) else value
        name = f"{name}.{part}"
    return obj, name


def _import_module(name: str) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
            raise _Problem(
                f"no module named {describe(exc.name)} (is it installed, and on sys.path?)"
            ) from None
        raise _Problem(f"importing {describe(name)} failed: {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # the module's own code failed: say so in one line
        raise _Problem(f"importing {describe(name)} failed: {type(exc).__name__}: {exc}") from None


def _import_submodule(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return _ABSENT
        raise _Problem(f"importing {describe(name)} failed: {type(exc).__name__}: {exc}") from None
    except Exception as exc:
        raise _Problem(f"importing {describe(name)} failed: {type(exc).__name__}: {exc}") from None


def _static_get(obj: Any, attr: str) -> Any:
    """The attribute as stored (a staticmethod stays one), without running properties or
    ``__getattr__``."""
    try:
        return inspect.getattr_static(obj, attr)
    except AttributeError:
        return _ABSENT


def _names(obj: Any) -> list[str]:
    if isinstance(obj, type):
        return sorted(
            {name for klass in obj.__mro__ if klass is not object for name in vars(klass)}
        )
    try:
        return sorted(vars(obj))
    except TypeError:
        return []


def _walk(obj: Any, name: str, parts: Sequence[str]) -> Iterator[tuple[Any, str, Any, str, bool]]:
    part, rest = parts[0], parts[1:]
    if "*" in part or "?" in part:
        regex = glob_to_regex(part)
        # A wildcard does not reach dunders: ``Redis.*`` means the service's methods, not
        # ``__init__``.
        attrs = [
            a
            for a in _names(obj)
            if regex.match(a) and not (a.startswith("__") and a.endswith("__"))
        ]
        literal = False
    else:
        attrs, literal = [part], True
    for attr in attrs:
        value = _static_get(obj, attr)
        if value is _ABSENT:
            continue
        dotted = f"{name}.{attr}"
        if rest:
            if isinstance(value, (type, types.ModuleType)):
                yield from _walk(value, dotted, rest)
        else:
            yield obj, attr, value, dotted, literal


def _walk_deep(
    obj: Any, name: str, regex: re.Pattern[str], cut: int, depth: int
) -> Iterator[tuple[Any, str, Any, str, bool]]:
    if depth >= _MAX_DEPTH:
        return
    for attr in _names(obj):
        if attr.startswith("__") and attr.endswith("__"):
            continue
        value = _static_get(obj, attr)
        dotted = f"{name}.{attr}"
        if regex.match(dotted[cut:]):
            yield obj, attr, value, dotted, False
        # Classes defined here only: a module's imports are other modules' business.
        if isinstance(value, type) and (
            depth or getattr(value, "__module__", None) == getattr(obj, "__name__", None)
        ):
            yield from _walk_deep(value, dotted, regex, cut, depth + 1)


def _callable_of(raw: Any) -> Callable[..., Any] | None:
    """The function to wrap, or None for what a call cannot reach (properties, classes, data)."""
    if isinstance(raw, (staticmethod, classmethod)):
        raw = raw.__func__
    if isinstance(raw, type):
        return None  # patching a class would break isinstance(); its methods are the calls
    if (
        inspect.isfunction(raw)
        or inspect.isbuiltin(raw)
        or inspect.ismethoddescriptor(raw)
        and callable(raw)
    ):
        return raw
    return None


def _belongs(func: Callable[..., Any], owner: Any, roots: frozenset[str]) -> bool:
    """Whether a function a wildcard reached is the service's own, not something its module
    imported."""
    module = getattr(func, "__module__", None)
    if not module:
        return False
    home = (
        owner.__name__ if isinstance(owner, types.ModuleType) else getattr(owner, "__module__", "")
    )
    top = module.split(".", 1)[0]
    return top in roots or top == (home or "").split(".", 1)[0]


def _label(owner: Any, attr: str) -> str:
    if isinstance(owner, types.ModuleType):
        return attr
    return f"{getattr(owner, '__qualname__', getattr(owner, '__name__', '?'))}.{attr}"


# --- errors ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorBuilder:
    """How to make a fresh instance of one contract error, one per injected call."""

    name: str
    cls: type
    build: Callable[[], BaseException]

    def __call__(self) -> BaseException:
        return self.build()


def build_error(contract: Contract, name: str, keypath: KeyPath) -> ErrorBuilder:
    """An ``ErrorBuilder`` for ``name``, trying it once now; ``ValueError`` with one line when
    impossible.

    Without a ``[faults]`` factory the error is built with no arguments, else with a message: what
    most exception classes accept. When neither works the user is told to name a factory.
    """
    try:
        cls = _error_class(contract, name)
    except _Problem as exc:
        raise ValueError(problem_line(contract, keypath, str(exc))) from None
    factory_name = contract.faults.get(name)
    if factory_name:
        fkey: KeyPath = ["faults", name]
        try:
            factory = _import_dotted(factory_name)
        except _Problem as exc:
            raise ValueError(
                problem_line(
                    contract, fkey, f"cannot import the factory {describe(factory_name)}: {exc}"
                )
            ) from None
        if not callable(factory):
            raise ValueError(
                problem_line(contract, fkey, f"{describe(factory_name)} is not callable")
            )
        made = _try(factory)
        if isinstance(made, _Failed):
            raise ValueError(
                problem_line(
                    contract,
                    fkey,
                    f"the factory {describe(factory_name)} failed: "
                    f"{type(made.exc).__name__}: {made.exc}",
                )
            ) from None
        if not isinstance(made, cls):
            raise ValueError(
                problem_line(
                    contract,
                    fkey,
                    f"the factory {describe(factory_name)} returned "
                    f"{describe(made) if isinstance(made, str) else type(made).__name__}, "
                    f"not an instance of {name}",
                )
            )
        return ErrorBuilder(name, cls, factory)
    bare = _try(cls)
    if isinstance(bare, cls):
        return ErrorBuilder(name, cls, cls)
    if isinstance(_try(lambda: cls(MESSAGE)), cls):
        return ErrorBuilder(name, cls, lambda: cls(MESSAGE))
    reason = (
        bare.exc if isinstance(bare, _Failed) else TypeError(f"it returned {type(bare).__name__}")
    )
    raise ValueError(
        problem_line(
            contract,
            keypath,
            f"cannot build {name} without arguments "
            f"({type(reason).__name__}: {reason}); name a factory for it under [faults]",
        )
    )


def _try(make: Callable[[], Any]) -> Any:
    """What ``make()`` returns, or ``_Failed`` holding what it raised (an error is also a return
    value here)."""
    try:
        return make()
    except (
        Exception
    ) as exc:  # a constructor that needs arguments raises TypeError, or anything else
        return _Failed(exc)


class _Failed:
    def __init__(self, exc: Exception):
        self.exc = exc


def _error_class(contract: Contract, name: str) -> type:
    if "." not in name:
        cls = getattr(builtins, name, None)
    else:
        cls = _import_dotted(name, contract.aliases)
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        raise _Problem(f"{describe(name)} is not an exception class here")
    return cls


def _import_dotted(dotted: str, aliases: Mapping[str, str] | None = None) -> Any:
    """``pkg.mod.Name`` -> the object, importing the longest module prefix (or an alias of it)."""
    spellings = [dotted]
    for spelling, target in (aliases or {}).items():
        if dotted == target or dotted.startswith(target + "."):
            spellings.append(spelling + dotted[len(target) :])
    first: Exception | None = None
    for candidate in spellings:
        try:
            return _import_parts(candidate.split("."))[0]
        except (_Problem, _Missing) as exc:
            first = first or exc
    assert first is not None
    raise _Problem(str(first))
