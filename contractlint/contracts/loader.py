"""Contract TOML -> ``Contract``, reporting every problem of a file at once."""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import Any

from contractlint.model import (
    BROAD,
    BUILTIN_ALIASES,
    BUILTIN_EXCEPTIONS,
    POLICIES,
    CallGroup,
    Contract,
    ErrorHierarchy,
    Policy,
    canonical_name,
)
from contractlint.model.globs import may_meet, witness
from contractlint.tomlfile import Checker, date_problem, describe, read_toml_text, suggest

NAME = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\Z")

TOP_KEYS = ("version", "contract", "errors", "calls", "types", "approved", "aliases", "faults")
CONTRACT_KEYS = ("name", "summary", "owner", "docs", "remediation", "review_by", "version")
CALL_KEYS = (
    "match",
    "exclude",
    "raises",
    "policy",
    "fallback",
    "broad",
    "description",
    "remediation",
    "translates_to",
)
APPROVED_KEYS = ("wrappers", "decorators")

#: Exceptions from the standard library that are not builtins but appear in ``except`` clauses.
STDLIB_ERRORS: dict[str, tuple[str, ...]] = {
    "asyncio.exceptions.CancelledError": ("BaseException",),
}


def glob_problem(pattern: str) -> str | None:
    """Why a dotted-name glob can never match a Python name, or None when it can.

    Only ``*``, ``**`` and ``?`` are wildcards (see ``glob_to_regex``): any other character must be
    able to appear in a Python identifier, so ``[ab]`` or ``capability-client`` is a pattern that
    silently matches nothing. A wildcard stands for identifier characters when checking a part.
    """
    if not pattern:
        return "an empty pattern matches nothing"
    if pattern != pattern.strip():
        return "it has surrounding spaces"
    for part in pattern.split("."):
        if not part:
            return "it has an empty dotted part"
        if "[" in part or "]" in part:
            return (
                f'part {describe(part)} has "[" or "]", which only match themselves (the wildcards '
                "are *, ** and ?)"
            )
        if part[0].isdigit():
            return f"part {describe(part)} starts with a digit"
        if not part.replace("*", "a").replace("?", "a").isidentifier():
            return f"part {describe(part)} cannot be part of a Python name"
    return None


def shadowed(groups: Sequence[CallGroup]) -> Iterator[tuple[int, str]]:
    """(0-based index, why) of each call group that can never apply: a call goes to the first group
    that matches it and does not exclude it, so a group applies only to a name that its own
    ``exclude`` and every earlier group let through. A group that still applies to some names is
    fine, however much it overlaps an earlier one."""
    for j, group in enumerate(groups):
        why = []
        for pattern in group.match:
            # Only the globs that may meet this one matter (most fail on their literal ends).
            own = [e for e in group.exclude if may_meet(pattern, e)]
            earlier = []
            for i, other in enumerate(groups[:j]):
                match = [m for m in other.match if may_meet(pattern, m)]
                if match:
                    earlier.append((i, match, [e for e in other.exclude if may_meet(pattern, e)]))
            if (own or earlier) and witness([pattern], own, [e[1:] for e in earlier]) is None:
                why.append((pattern, _taker(pattern, own, earlier)))
            else:
                break
        else:
            if len(why) == 1:
                ((pattern, taker),) = why
                yield j, f"{describe(pattern)} can never apply: {taker} every call it matches"
            else:
                yield (
                    j,
                    "the group can never apply: "
                    + "; ".join(
                        f"{taker} every call {describe(pattern)} matches" for pattern, taker in why
                    ),
                )


def _taker(pattern: str, own: Sequence[str], earlier) -> str:
    """What takes every name ``pattern`` matches: the group's own exclude, one earlier pattern,
    one earlier group, or several earlier groups between them."""
    if witness([pattern], own) is None:
        return "the group's exclude removes"
    for i, match, exclude in earlier:
        for other in match:
            if witness([pattern], own, [([other], exclude)]) is None:
                return f"[[calls]][{i + 1}].match {describe(other)} takes"
    for i, match, exclude in earlier:
        if witness([pattern], own, [(match, exclude)]) is None:
            return f"[[calls]][{i + 1}] takes"
    return " and ".join(f"[[calls]][{i + 1}]" for i, _, _ in earlier) + " take"


def load_contract(
    path: str, builtin: bool = False, distribution: tuple[str, str] | None = None
) -> Contract:
    raw, text = read_toml_text(path)
    return build_contract(raw, path, text, builtin=builtin, distribution=distribution)


def build_contract(
    raw: dict[str, Any],
    path: str,
    text: str = "",
    builtin: bool = False,
    distribution: tuple[str, str] | None = None,
) -> Contract:
    """``distribution``: the installed (name, version) that ships the file, if one does."""
    c = Checker(path, text)
    c.known_keys(raw, [], TOP_KEYS)

    version = c.typed(raw, [], "version", int, required=True)
    if version is not None and version != 1:
        c.error(
            ["version"],
            f"unsupported contract version {version}; this contractlint reads version 1",
        )

    meta = _table(c, raw, "contract", required=True)
    # Its keys are missing only when the table is there: a missing or mistyped table is one problem,
    # not four.
    has_meta = isinstance(raw.get("contract"), dict)
    c.known_keys(meta, ["contract"], CONTRACT_KEYS)
    name = c.typed(meta, ["contract"], "name", str, required=has_meta)
    if name is not None and not NAME.match(name):
        c.error(
            ["contract", "name"],
            f'{describe(name)} is not a valid name: use lowercase letters, digits and "-" '
            "([a-z0-9][a-z0-9-]*)",
        )
    summary = c.typed(meta, ["contract"], "summary", str, required=has_meta)
    owner = c.typed(meta, ["contract"], "owner", str, required=has_meta)
    docs = c.typed(meta, ["contract"], "docs", str)
    version = c.typed(meta, ["contract"], "version", str)
    if version is not None and not version.strip():
        c.error(["contract", "version"], 'expected a version like "2.3.0", got ""')
    remediation = c.typed(meta, ["contract"], "remediation", str)
    review_by = meta.get("review_by")
    if review_by is not None:
        if isinstance(review_by, str):
            written = review_by
            try:
                review_by = dt.date.fromisoformat(written)
            except ValueError:
                problem = date_problem(written)
                c.error(
                    ["contract", "review_by"],
                    f"{describe(written)} is not a date ({problem})"
                    if problem
                    else f"expected a date like 2027-03-31, got {describe(written)}",
                )
                review_by = None
        elif isinstance(review_by, dt.datetime) or not isinstance(review_by, dt.date):
            c.error(
                ["contract", "review_by"],
                f"expected a date like 2027-03-31, got {describe(review_by)}",
            )
            review_by = None

    aliases = _name_map(c, raw, "aliases")
    errors = _errors(c, raw)
    hierarchy = ErrorHierarchy({**STDLIB_ERRORS, **errors})

    groups = _calls(c, raw, errors, hierarchy, aliases)
    if not c.problems:
        for index, problem in shadowed(groups):
            c.error(["calls", index, "match"], problem)
    types = _name_map(c, raw, "types")

    wrappers, decorators = approved_lists(c, _table(c, raw, "approved"), ["approved"])
    faults = _faults(c, raw, errors, aliases)

    c.raise_if_any()
    return Contract(
        name=name,
        summary=summary,
        owner=owner,
        source=path,
        errors=hierarchy,
        calls=tuple(groups),
        types=types,
        aliases=aliases,
        approved_wrappers=tuple(wrappers),
        approved_decorators=tuple(decorators),
        docs=docs,
        remediation=remediation,
        review_by=review_by,
        builtin=builtin,
        faults=faults,
        distribution=distribution,
        version=version or (distribution[1] if distribution else None) or _own_version(builtin),
    )


def _own_version(builtin: bool) -> str | None:
    """A builtin contract is the version of contractlint that ships it."""
    if not builtin:
        return None
    from contractlint import __version__

    return __version__


def _table(c: Checker, raw: dict[str, Any], key: str, required: bool = False) -> dict[str, Any]:
    if key not in raw:
        if required:
            c.error([key], f"required table [{key}] is missing")
        return {}
    value = raw[key]
    if not isinstance(value, dict):
        c.error([key], f"expected a table [{key}], got {describe(value)}")
        return {}
    return value


def _name_map(c: Checker, raw: dict[str, Any], key: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, target in _table(c, raw, key).items():
        if not DOTTED.match(name):
            c.error([key, name], f"{describe(name)} is not a dotted Python name")
        elif not isinstance(target, str) or not DOTTED.match(target):
            c.error([key, name], f"expected a dotted Python name, got {describe(target)}")
        else:
            out[name] = target
    return out


def _faults(
    c: Checker, raw: dict[str, Any], errors: dict[str, tuple[str, ...]], aliases: dict[str, str]
) -> dict[str, str]:
    """``[faults]``: how the pytest plugin builds an error that cannot be built without arguments.

    Checked here with the rest of the contract, so that a typo fails ``contractlint contracts`` at
    once rather than a consumer's test run; whether the factory imports is only known in that test
    run.
    """
    out: dict[str, str] = {}
    for name, factory in _table(c, raw, "faults").items():
        error = canonical_name(name, aliases)
        if error not in errors and not _builtin_name(error):
            c.error(
                ["faults", name],
                f"{describe(name)} is not listed under [errors]{suggest(name, list(errors))}",
            )
        elif not isinstance(factory, str) or not DOTTED.match(factory):
            c.error(
                ["faults", name],
                "expected the dotted name of a function that returns the error "
                f'(like "mypkg.testing.make_timeout"), got {describe(factory)}',
            )
        else:
            out[_builtin_name(error) or error] = factory
    return out


def approved_lists(c: Checker, table: dict[str, Any], keypath: list) -> tuple[list[str], list[str]]:
    """The ``wrappers`` and ``decorators`` of an ``[approved]`` table: a contract's own, or those a
    consumer adds to a contract (``[tool.contractlint.approved.NAME]``), checked alike."""
    c.known_keys(table, keypath, APPROVED_KEYS)
    return _dotted_list(c, table, keypath, "wrappers"), _dotted_list(
        c, table, keypath, "decorators"
    )


def _dotted_list(c: Checker, table: dict[str, Any], keypath: list, key: str) -> list[str]:
    values = c.typed(table, keypath, key, list) or []
    for i, value in enumerate(values):
        if not DOTTED.match(value):
            c.error([*keypath, key, i], f"{describe(value)} is not a dotted Python name")
    return [v for v in values if DOTTED.match(v)]


def _builtin_name(name: str) -> str | None:
    if name in BUILTIN_EXCEPTIONS or name in STDLIB_ERRORS:
        return name
    return BUILTIN_ALIASES.get(name)


def _known_errors(table: dict[str, Any]) -> list[str]:
    """Names a misspelt error may have meant: the contract's own, then the builtin ones."""
    return [*table, *BUILTIN_EXCEPTIONS]


def _errors(c: Checker, raw: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    table = _table(c, raw, "errors")
    errors: dict[str, tuple[str, ...]] = {}
    for name, bases in table.items():
        # A listed error stays known even when its entry is wrong, so that each ``raises`` naming it
        # does not add a false "not listed under [errors]": one mistake, one message.
        if not DOTTED.match(name):
            c.error(["errors", name], f"{describe(name)} is not a dotted Python name")
            errors[name] = ()
            continue
        if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
            c.error(["errors", name], f"expected a list of base class names, got {describe(bases)}")
            errors[name] = ()
            continue
        resolved = []
        for base in bases:
            if base in table:
                resolved.append(base)
            elif _builtin_name(base):
                resolved.append(_builtin_name(base))
            else:
                c.error(
                    ["errors", name],
                    f"unknown base {describe(base)}: list it under [errors] too, or name a "
                    f"builtin exception{suggest(base, _known_errors(table))}",
                )
        errors[name] = tuple(resolved)
    cycle = _find_cycle(errors)
    if cycle:
        c.error(["errors", cycle[0]], "base cycle: " + " -> ".join(cycle))
    return errors


def _find_cycle(graph: dict[str, tuple[str, ...]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt in graph and nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _calls(c, raw, errors, hierarchy, aliases) -> list[CallGroup]:
    if "calls" not in raw:
        c.error(["calls"], "at least one [[calls]] group is required")
        return []
    groups_raw = raw["calls"]
    if (
        not isinstance(groups_raw, list)
        or not groups_raw
        or not all(isinstance(g, dict) for g in groups_raw)
    ):
        c.error(["calls"], "expected one or more [[calls]] tables")
        return []
    groups = []
    for i, g in enumerate(groups_raw):
        kp = ["calls", i]
        c.known_keys(g, kp, CALL_KEYS)
        match = c.typed(g, kp, "match", list, required=True) or []
        if "match" in g and isinstance(g["match"], list) and not g["match"]:
            c.error([*kp, "match"], "an empty list matches no call")
        exclude = c.typed(g, kp, "exclude", list) or []
        for key, patterns in (("match", match), ("exclude", exclude)):
            for j, pattern in enumerate(patterns):
                problem = glob_problem(pattern)
                if problem:
                    c.error([*kp, key, j], f"{describe(pattern)} can never match a call: {problem}")
        raises = c.typed(g, kp, "raises", list)
        if raises is None:
            # Every [errors] key, less those a listed base already covers: a guard for
            # CapabilityError covers CapabilityTimeout, and messages should name what to catch.
            raises = [
                e for e in errors if not any(b != e and b in errors for b in hierarchy.ancestors(e))
            ]
            if not raises and "raises" not in g:
                c.error(
                    [*kp, "raises"], "no errors to guard against: list them here or under [errors]"
                )
        elif not raises:
            # An empty list would make every handler wrong (or every call unguarded): say so
            # instead.
            c.error(
                [*kp, "raises"],
                "an empty list guards against nothing: name the errors, or leave the key "
                "out to use every error under [errors]",
            )
        canonical_raises = []
        for j, name in enumerate(raises):
            if name in errors:
                canonical_raises.append(name)
            elif _builtin_name(name):
                canonical_raises.append(_builtin_name(name))
            else:
                c.error(
                    [*kp, "raises", j],
                    f"{describe(name)} is not listed under [errors] and is not a builtin "
                    f"exception{suggest(name, _known_errors(errors))}",
                )
        policy = c.typed(g, kp, "policy", str, required=True)
        if policy is not None and policy not in POLICIES:
            c.error(
                [*kp, "policy"],
                f'expected "fail-open", "fail-closed" or "any", got {describe(policy)}',
            )
        fallback = c.typed(g, kp, "fallback", str)
        if fallback is not None:
            try:
                ast.parse(fallback, mode="eval")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                # ValueError: a NUL character on older Pythons; RecursionError/MemoryError: absurd
                # nesting.
                c.error([*kp, "fallback"], f"{describe(fallback)} is not a Python expression")
                fallback = None
        broad = c.typed(g, kp, "broad", str)
        if broad is None:
            broad = "allow"  # absent, or mistyped and reported above
        elif broad not in BROAD:
            c.error([*kp, "broad"], f'expected "allow", "warn" or "deny", got {describe(broad)}')
        description = c.typed(g, kp, "description", str)
        remediation = c.typed(g, kp, "remediation", str)
        translates_to = [
            canonical_name(n, aliases) for n in _dotted_list(c, g, kp, "translates_to")
        ]
        if translates_to and policy != Policy.FAIL_OPEN:
            c.error(
                [*kp, "translates_to"],
                f"only a fail-open group needs it: under {describe(policy)} "
                "raising another error is already allowed",
            )
        if not c.problems:
            groups.append(
                CallGroup(
                    index=i + 1,
                    match=tuple(match),
                    exclude=tuple(exclude),
                    raises=tuple(canonical_raises),
                    policy=Policy(policy),
                    fallback=fallback,
                    broad=broad,
                    description=description,
                    remediation=remediation,
                    translates_to=tuple(translates_to),
                )
            )
    return groups
