"""What one file tells about the project, as plain data: its functions, classes and re-exported
names, the calls it makes of the project's own functions, and the service errors that leave its
functions. The engine joins the facts of every file to follow an error across functions and
modules (``contractlint.propagation``); the cache keeps them beside the file's findings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

from contractlint.model.finding import Span


@dataclass(frozen=True)
class HandlerFacts:
    """One ``except`` clause (or a ``contextlib.suppress``), without its code."""

    #: Canonical names caught; None for a bare ``except:``.
    names: tuple[str, ...] | None
    line: int
    suppress: bool = False
    #: It does nothing (``pass``, ``...``, a bare ``continue``), unless it is the ``continue`` of a
    #: retry loop whose code after the loop falls back.
    silent: bool = False
    #: Every way through it raises (or leaves the program).
    always_raises: bool = False
    #: Some way through it raises something.
    raises: bool = False
    #: Some way through it raises the caught error again (``raise``, ``raise err``): a retry loop's last try.
    reraises: bool = False
    #: The names of what it raises instead (``raise Unavailable() from err``), canonical; "" where unknown.
    raised: tuple[str, ...] = ()


def _names(errors: Sequence[str]) -> str:
    return ", ".join(errors)


def handler_problems(
    group, handler: HandlerFacts, errors: Sequence[str]
) -> list[tuple[str, str, str]]:
    """What is wrong with one handler that errors of ``group`` reach, as (code, severity, text):
    the text follows "the handler at line N" in a message; ``errors`` are those it swallows.
    CL005 for a handler broader than the contract allows (unless it always raises), then one of
    CL003 (fail-open and it raises: again, or something ``translates_to`` does not name; fail-closed
    and it can finish) or CL004 (it does nothing). The one rule for a service call and for a call
    of a function that carries the error (``contractlint.propagation``)."""
    out = []
    if not handler.always_raises:
        if handler.names is None:
            out.append(
                (
                    "CL005",
                    "error",
                    "is a bare `except:`, which also swallows KeyboardInterrupt, SystemExit "
                    f"and cancellation; catch {_names(group.raises)}",
                )
            )
        elif "BaseException" in handler.names:
            out.append(
                (
                    "CL005",
                    "error",
                    "catches BaseException, which also swallows KeyboardInterrupt, SystemExit "
                    f"and cancellation; catch {_names(group.raises)}",
                )
            )
        elif "Exception" in handler.names and group.broad != "allow":
            out.append(
                (
                    "CL005",
                    "warning" if group.broad == "warn" else "error",
                    f'catches Exception; the contract asks for {_names(group.raises)} (broad = "{group.broad}")',
                )
            )
    translated = bool(handler.raised) and all(
        name in group.translates_to for name in handler.raised
    )
    if (
        group.policy == "fail-open"
        and not handler.suppress
        and handler.raises
        and (handler.reraises or not translated)
    ):
        out.append(
            ("CL003", "error", "raises, but the contract says fail open: recover with a fallback")
        )
    elif group.policy == "fail-closed" and not handler.always_raises:
        out.append(
            ("CL003", "error", "can finish without raising, but the contract says fail closed")
        )
    elif group.policy in ("fail-open", "any") and handler.silent:
        out.append(
            (
                "CL004",
                "error",
                f"swallows {_names(errors)} and does nothing; choose the fallback, or log it",
            )
        )
    return out


@dataclass(frozen=True)
class GuardFacts:
    line: int
    keyword: str  # "try" or "with"
    handlers: tuple[HandlerFacts, ...]


@dataclass(frozen=True)
class Link:
    """A call that may reach a function of the project (or, once the project's names are known,
    the service itself: ``get_session().get(url)``)."""

    #: What the callee may be, as the file spells it resolved through its own imports.
    callee: tuple[str, ...]
    #: The module-qualified name of the function making the call (the module's name at module level).
    frame: str
    #: ``Class.method`` of that function, as findings show it; "" at module level.
    scope: str
    span: Span
    statement_line: int
    guards: tuple[GuardFacts, ...]  # innermost last
    #: An attribute read (``job.is_finished``): a call only if the callee is a property.
    attribute: bool = False
    #: The caller tests the result and raises (``if not check(user): raise Denied()``).
    checked: bool = False


@dataclass(frozen=True)
class Escape:
    """Errors of a call group that leave the function a service call is made in."""

    frame: str
    contract: str
    group: int
    errors: tuple[str, ...]
    span: Span
    callee: str
    #: Codes of this call's findings that are about the escape (CL001, CL002, CL003 for a re-raise);
    #: the engine drops them when a caller in the project handles the error.
    codes: tuple[str, ...] = ()
    #: The line of the handler that raises the error again, if that is how it leaves.
    reraised_at: int | None = None


@dataclass(frozen=True)
class FunctionFacts:
    qual: str
    #: Error names its docstring declares (``Raises:``, ``:raises X:``), canonical where resolvable.
    declared: tuple[str, ...] = ()
    #: The class of what it returns, when its annotation or every ``return`` says: a factory.
    returns: str | None = None
    is_property: bool = False


@dataclass(frozen=True)
class ClassFacts:
    qual: str
    bases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    #: Attributes that hold an instance: (name, class), from the class body or ``self.x = ...``.
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Facts:
    module: str
    functions: tuple[FunctionFacts, ...] = ()
    classes: tuple[ClassFacts, ...] = ()
    #: Module-level names bound to something of another module: (``module.name``, target).
    aliases: tuple[tuple[str, str], ...] = ()
    #: Module-level names that hold an instance: (``module.name``, class).
    instances: tuple[tuple[str, str], ...] = ()
    links: tuple[Link, ...] = ()
    escapes: tuple[Escape, ...] = ()
    #: Service calls whose fail-closed handler returns a sentinel (``return None``) instead of
    #: raising: compliant if every caller tests the result and raises (``codes``: the findings).
    sentinels: tuple[Escape, ...] = ()


@dataclass(frozen=True)
class Reach:
    """What a file must name to be able to call a function that carries a service's error (or to
    get a client), so that the prefilter's rounds parse it: one of ``plain`` (a function's name, a
    client's factory or attribute), or one of ``methods`` (a carrier method's name) together with
    one of ``reach`` (what leads to its class: the class, a subclass, a base, a factory...). The
    method's name alone would be in most files (``get``), the class's family alone too (a base
    class that every module of a package uses): a call of the method needs both."""

    plain: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    reach: frozenset[str] = frozenset()

    def __or__(self, other: Reach) -> Reach:
        return Reach(
            self.plain | other.plain, self.methods | other.methods, self.reach | other.reach
        )

    def __sub__(self, other: Reach) -> Reach:
        return Reach(
            self.plain - other.plain, self.methods - other.methods, self.reach - other.reach
        )

    def patterns(self) -> tuple[re.Pattern[bytes] | None, ...]:
        """A search for any name of each set, as a word (None for an empty set)."""
        return tuple(_words(n) for n in (self.plain, self.methods, self.reach))

    def matcher(self) -> Callable[[bytes], bool]:
        """Whether a file's bytes name what this asks for (each name as a word)."""
        patterns = self.patterns()
        return lambda data: names_enough(patterns, data, [False, False])


def names_enough(
    patterns: tuple[re.Pattern[bytes] | None, ...], data: bytes, flags: list[bool]
) -> bool:
    """Whether ``data`` names a plain name, or a method and a name that reaches one, of
    ``Reach.patterns()``. ``flags`` (whether a method, and a name that reaches one, were named)
    carry over from searches of other names in the same text, and are updated: the prefilter's
    rounds search each name once."""
    plain, methods, reach = patterns
    if plain is not None and plain.search(data) is not None:
        return True
    if not flags[0] and methods is not None:
        flags[0] = methods.search(data) is not None
    if not flags[1] and reach is not None:
        flags[1] = reach.search(data) is not None
    return flags[0] and flags[1]


def _words(names: frozenset[str]) -> re.Pattern[bytes] | None:
    """Any of ``names`` as a whole name in UTF-8 text: not inside a longer name, whose bytes may be
    non-ASCII (``\\b`` of a bytes pattern knows only ASCII letters: it would not end ``récupéré``)."""
    if not names:
        return None
    part = rb"[A-Za-z0-9_\x80-\xff]"
    return re.compile(
        rb"(?<!"
        + part
        + rb")(?:"
        + b"|".join(re.escape(n.encode()) for n in sorted(names))
        + rb")(?!"
        + part
        + rb")"
    )
