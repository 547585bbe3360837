"""The client libraries the builtin contracts describe, read from the releases installed here.

One place for how a contract is compared with its library, used twice:

* tests/contracts/test_builtin_contracts.py, against the releases pinned in pyproject.toml's
  ``test`` extra: every function that lists problems must list none;
* maint/drift.py, against the newest releases on PyPI, in a throwaway environment: what they
  list is the work of bringing the contracts (and the pins) up to date.

Every function here lists problems as sentences instead of raising, so that a release that
renamed or removed something still yields a report.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
from collections.abc import Iterable

from contractlint.model import BUILTIN_EXCEPTIONS, Contract
from contractlint.model.contract import glob_to_regex

#: The builtin contracts of client libraries.
LIBRARIES = ("requests", "httpx", "redis", "boto3")

#: The releases pinned for the comparison need this Python; the test extra installs older
#: releases on older ones, where the comparison is skipped.
PINNED_PYTHON = (3, 11)
NEEDS_PINNED_PYTHON = (
    "the client releases the builtin contracts are checked against need Python 3.11+"
)

#: The distributions whose classes the contracts name, pinned in the test extra.
DISTRIBUTIONS = ("requests", "urllib3", "httpx", "redis", "boto3", "botocore", "s3transfer")

#: For each contract, the packages of its library: a public exception is a class defined there.
PACKAGES = {
    "requests": ("requests",),
    "httpx": ("httpx",),
    "redis": ("redis",),
    "boto3": ("boto3", "botocore"),
}

#: The modules users import each library's exceptions from.
EXCEPTION_MODULES = {
    "requests": ("requests", "requests.exceptions"),
    "httpx": ("httpx",),
    "redis": ("redis", "redis.asyncio", "redis.exceptions"),
    "boto3": ("boto3", "boto3.exceptions", "botocore", "botocore.exceptions"),
}

#: The classes whose methods the contracts' globs name (besides the boto3 operations and
#: resources, made at run time), and the modules whose functions they name.
CLIENT_CLASSES = {
    "requests": ("requests.sessions.Session",),
    "httpx": ("httpx.Client", "httpx.AsyncClient"),
    "redis": (
        "redis.client.Redis",
        "redis.asyncio.client.Redis",
        "redis.client.Pipeline",
        "redis.asyncio.client.Pipeline",
        "redis.client.PubSub",
        "redis.asyncio.client.PubSub",
        "redis.lock.Lock",
        "redis.asyncio.lock.Lock",
    ),
    "boto3": (
        "botocore.client.BaseClient",
        "botocore.paginate.Paginator",
        "botocore.waiter.Waiter",
        "boto3.dynamodb.table.BatchWriter",
    ),
}
CLIENT_MODULES = {"requests": ("requests",), "httpx": ("httpx",), "redis": (), "boto3": ("boto3",)}


def resolve(dotted: str):
    """The object a dotted name names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for i, attr in enumerate(parts[cut:], cut):
            try:
                obj = getattr(obj, attr)
            except AttributeError:
                # a submodule that the package does not import by itself
                try:
                    obj = importlib.import_module(".".join(parts[: i + 1]))
                except ImportError:
                    raise LookupError(
                        f"{dotted}: {'.'.join(parts[:i])} has no attribute {attr!r}"
                    ) from None
        return obj
    raise LookupError(f"{dotted}: no module of it can be imported")


def spelling(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# -- exceptions ------------------------------------------------------------------------------------


def exception_spellings(name: str) -> dict[str, type]:
    """``module.Name`` -> class, for every exception class (warnings aside) the library defines,
    under every public name of the modules its users import exceptions from."""
    found: dict[str, type] = {}
    for module_name in EXCEPTION_MODULES[name]:
        module = importlib.import_module(module_name)
        for attr in dir(module):
            obj = getattr(module, attr)
            if (
                not attr.startswith("_")
                and inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and not issubclass(obj, Warning)
                # not a class of another library imported there (urllib3's, json's)
                and obj.__module__.split(".")[0] in PACKAGES[name]
            ):
                found[f"{module_name}.{attr}"] = obj
    return found


def uncovered_exceptions(contract: Contract) -> list[str]:
    """The public exception spellings that are neither an [errors] key nor an alias of
    the right one."""
    problems = []
    for spelled, cls in sorted(exception_spellings(contract.name).items()):
        canonical = contract.canonical(spelled)
        bases = ", ".join(spelling(b) for b in cls.__bases__)
        if canonical not in contract.errors.bases:
            problems.append(f"{spelled}: {spelling(cls)}({bases}) is not in [errors] or [aliases]")
            continue
        try:
            same = resolve(canonical) is cls
        except LookupError as exc:
            problems.append(str(exc))
            continue
        if not same:
            problems.append(f"{spelled} is {spelling(cls)}, not {canonical}")
    return problems


def hierarchy_problems(contract: Contract) -> list[str]:
    """Every [errors] class exists, each listed base is in its real MRO, and every known real
    ancestor (a builtin exception or another [errors] class) is listed."""
    problems = []
    known: dict[type, str] = {getattr(builtins, n): n for n in BUILTIN_EXCEPTIONS}
    classes: dict[str, type] = {}
    for error in contract.errors.bases:
        try:
            cls = resolve(error)
        except LookupError as exc:
            problems.append(str(exc))
            continue
        if not (inspect.isclass(cls) and issubclass(cls, BaseException)):
            problems.append(f"{error} is not an exception class")
            continue
        if cls in known and known[cls] != error:
            problems.append(f"{error} and {known[cls]} are one class: make one an alias")
        known[cls] = error
        classes[error] = cls
    for error, cls in classes.items():
        mro = cls.__mro__[1:]
        for base in contract.errors.bases[error]:
            if base in BUILTIN_EXCEPTIONS:
                real = any(k.__module__ == "builtins" and k.__name__ == base for k in mro)
            else:
                real = base in classes and classes[base] in mro
            if not real:
                problems.append(f"{error}: {base} is not one of its bases")
        real_ancestors = {known[k] for k in cls.__mro__ if k in known}
        listed = set(contract.errors.ancestors(error))
        if listed != real_ancestors:
            problems.append(
                f"{error}: ancestors listed but not real {sorted(listed - real_ancestors)}, "
                f"real but not listed {sorted(real_ancestors - listed)}"
            )
    return problems


# -- calls -----------------------------------------------------------------------------------------


def boto3_resource(service: str):
    import boto3

    return boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).resource(service)


def boto3_client(service: str = "s3"):
    import boto3

    return boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    ).client(service)


def _members(obj) -> set[str]:
    return set(dir(obj))


def _surface() -> set[str]:
    """Real dotted names of the calls the contracts can match, including run-time ones."""
    import httpx
    import redis
    import redis.asyncio.client
    import requests

    names: set[str] = set()

    def add(prefix: str, members: Iterable[str]) -> None:
        names.update(f"{prefix}.{m}" for m in members)

    for name in LIBRARIES:
        for dotted in CLIENT_CLASSES[name]:
            cls = resolve(dotted)
            add(spelling(cls), _members(cls))
    add("httpx", httpx.__all__)
    add("requests", dir(requests))
    # Chained pipeline commands return the pipeline, whose execute() sends them.
    for pipe in (redis.client.Redis().pipeline(), redis.asyncio.client.Redis().pipeline()):
        if pipe.set("a", 1) is pipe and pipe.get("a") is pipe:
            names.add(f"{spelling(type(pipe))}.set.execute")
    paginate = boto3_client().get_paginator("list_objects_v2").paginate(Bucket="b")
    add("botocore.paginate.Paginator.paginate", _members(paginate))
    # Client operations exist only on clients built at run time.
    add("botocore.client.BaseClient", _members(boto3_client("s3")))
    add("botocore.client.BaseClient", _members(boto3_client("dynamodb")))
    # Resources: ServiceResource.<action or collection>, ServiceResource.<Sub>.<action>, ...
    root = "boto3.resources.base.ServiceResource"
    for service in ("s3", "dynamodb", "sqs", "sns", "ec2", "iam"):
        resource = boto3_resource(service)
        model = resource.meta.resource_model
        add(root, [a.name for a in model.actions])
        add(root, [s.name for s in model.subresources])
        for collection in model.collections:
            add(f"{root}.{collection.name}", _members(getattr(resource, collection.name)))
        for sub in model.subresources:
            child = getattr(resource, sub.name)(*["x"] * len(sub.resource.model.identifiers))
            add(f"{root}.{sub.name}", _members(child))
            for collection in child.meta.resource_model.collections:
                add(
                    f"{root}.{sub.name}.{collection.name}",
                    _members(getattr(child, collection.name)),
                )
            for grandchild in child.meta.resource_model.subresources:
                add(f"{root}.{sub.name}", [grandchild.name])
    return names


_SURFACE: set[str] = set()


def surface() -> set[str]:
    """Every call name the contracts could match, built once."""
    if not _SURFACE:
        _SURFACE.update(_surface())
    return _SURFACE


def stale_patterns(contract: Contract) -> list[str]:
    """The `match` and `exclude` patterns that name no real call: a name that is not a real
    function or method, or a glob that matches none."""
    problems = []
    names = surface()
    for group in contract.calls:
        for pattern in (*group.match, *group.exclude):
            if not any(ch in pattern for ch in "*?"):
                try:
                    obj = resolve(pattern)
                except LookupError:
                    pass
                else:
                    if not callable(obj):
                        problems.append(f"[[calls]][{group.index}] {pattern} is not callable")
                    continue
            regex = glob_to_regex(pattern)
            if not any(regex.match(n) for n in names):
                problems.append(f"[[calls]][{group.index}] {pattern} matches no real call")
    return problems


def public_calls(name: str) -> set[str]:
    """The public methods of the library's client classes and the public functions of its modules.
    A method a class shares with one listed before it is listed there only: a pipeline's
    commands are the client's, queued until execute()."""
    found: set[str] = set()
    seen: list[type] = []
    for dotted in CLIENT_CLASSES[name]:
        cls = resolve(dotted)
        for m in dir(cls):
            if m.startswith("_") or not callable(getattr(cls, m, None)):
                continue
            method = inspect.getattr_static(cls, m)
            if not any(inspect.getattr_static(other, m, None) is method for other in seen):
                found.add(f"{spelling(cls)}.{m}")
        seen.append(cls)
    for module_name in CLIENT_MODULES[name]:
        module = importlib.import_module(module_name)
        for a in dir(module):
            obj = getattr(module, a)
            # functions and other callables (httpx.main is a click command, or a stub without click)
            if not a.startswith("_") and callable(obj) and not inspect.isclass(obj):
                found.add(f"{module_name}.{a}")
    return found


def naming(contract: Contract, callee: str) -> str | None:
    """How the contract names a call: "call" (a group matches it), "excluded" (a group's
    `exclude` leaves it out), "factory" (a [types] key), or None (nothing names it)."""
    callee = contract.canonical(callee)
    if contract.group_for(callee) is not None:
        return "call"
    for group in contract.calls:
        if any(glob_to_regex(p).match(callee) for p in group.exclude):
            return "excluded"
    if callee in contract.types:
        return "factory"
    return None
