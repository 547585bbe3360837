"""What one file tells about the project, as plain data: its functions, classes and re-exported
names, the calls it makes of the project's own functions, and the service errors that leave its
functions. The engine joins the facts of every file to follow an error across functions and
modules (``contractlint.propagation``); the cache keeps them beside the file's findings."""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from contractlint.model.contract import CallGroup
from contractlint.model.finding import Span
from contractlint.model.vocabulary import Policy, Severity


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
    #: Some way through it raises the caught error again (``raise``, ``raise err``): a retry loop's
    #: last try.
    reraises: bool = False
    #: The names of what it raises instead (``raise Unavailable() from err``), canonical; "" where
    #: unknown.
    raised: tuple[str, ...] = ()


def _names(errors: Sequence[str]) -> str:
    return ", ".join(errors)


def handler_problems(
    group: CallGroup, handler: HandlerFacts, errors: Sequence[str]
) -> list[tuple[str, Severity, str]]:
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
                    Severity.ERROR,
                    "is a bare `except:`, which also swallows KeyboardInterrupt, SystemExit "
                    f"and cancellation; catch {_names(group.raises)}",
                )
            )
        elif "BaseException" in handler.names:
            out.append(
                (
                    "CL005",
                    Severity.ERROR,
                    "catches BaseException, which also swallows KeyboardInterrupt, SystemExit "
                    f"and cancellation; catch {_names(group.raises)}",
                )
            )
        elif "Exception" in handler.names and group.broad != "allow":
            out.append(
                (
                    "CL005",
                    Severity.WARNING if group.broad == "warn" else Severity.ERROR,
                    f"catches Exception; the contract asks for {_names(group.raises)} "
                    f'(broad = "{group.broad}")',
                )
            )
    translated = bool(handler.raised) and all(
        name in group.translates_to for name in handler.raised
    )
    if (
        group.policy == Policy.FAIL_OPEN
        and not handler.suppress
        and handler.raises
        and (handler.reraises or not translated)
    ):
        out.append(
            (
                "CL003",
                Severity.ERROR,
                "raises, but the contract says fail open: recover with a fallback",
            )
        )
    elif group.policy == Policy.FAIL_CLOSED and not handler.always_raises:
        out.append(
            (
                "CL003",
                Severity.ERROR,
                "can finish without raising, but the contract says fail closed",
            )
        )
    elif group.policy in (Policy.FAIL_OPEN, Policy.ANY) and handler.silent:
        out.append(
            (
                "CL004",
                Severity.ERROR,
                f"swallows {_names(errors)} and does nothing; choose the fallback, or log it",
            )
        )
    return out


@dataclass(frozen=True)
class GuardFacts:
    line: int
    keyword: str  # "try" or "with"
    handlers: tuple[HandlerFacts, ...]


class Link(NamedTuple):
    """A call that may reach a function of the project (or, once the project's names are known,
    the service itself: ``get_session().get(url)``). A tuple: a file has hundreds, and each goes
    from a worker to the parent (a tuple is unpickled in half the time of a dataclass)."""

    #: What the callee may be, as the file spells it resolved through its own imports.
    callee: tuple[str, ...]
    #: The module-qualified name of the function making the call (the module's name at module
    #: level).
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


#: What a file must name, one word of each set (``Reach``).
Clause = tuple[frozenset[str], ...]
#: Builtins that call a method of their argument (``len(registry)`` runs ``__len__``).
DUNDER_CALLS = {
    "len": "__len__",
    "bool": "__bool__",
    "iter": "__iter__",
    "str": "__str__",
    "repr": "__repr__",
}
#: The methods a call runs without naming them: a constructor's ``__init__``, ``x in registry``'s
#: ``__contains__`` and those of ``DUNDER_CALLS``. Any other is called by its name
#: (``super().__exit__(...)``).
IMPLICIT = frozenset({"__init__", "__contains__", *DUNDER_CALLS.values()})
#: Stands in a clause, before a module's dotted name, for "the file is that module or inside it"
#: (``@app.jobs``): a relative import (``from .client import fetch``) does not name the package
#: it imports from, and a class is named in its own file without its module.
MODULE = "@"
#: Before a name in a clause: the name is used, not only imported or listed as a base class
#: (``!Entity``: ``Entity()``, ``x: Entity``; not ``class Light(Entity):``).
USED = "!"


@dataclass(frozen=True)
class Reach:
    """What a file must name to be able to call a function that carries a service's error (or to
    get a client), so that the prefilter's rounds parse it: every word set of one of ``clauses``
    (a word of each). A function, class or module-level instance is named with the module it is
    imported from (a file must import it to use it); a method, or an attribute holding a client,
    with a name that leads to its class (the class, a subclass, a base, a factory...). The
    method's name alone would be in most files (``get``), the class's family alone too (a base
    class that every module of a package uses): a call of the method needs both.

    ``plain``, ``methods`` and ``reach`` are the same words by role, for people: the names found
    without a method, the method and attribute names, and the names that lead to their classes.

    ``unknown``: names of the project that no file parsed so far defines, met where a call of a
    member is resolved, or among the bases of a carrier's class (``contractlint.propagation.
    demand``): the module that holds each is parsed, whatever its words."""

    plain: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    reach: frozenset[str] = frozenset()
    clauses: frozenset[Clause] = frozenset()
    unknown: frozenset[str] = frozenset()

    def __or__(self, other: Reach) -> Reach:
        return Reach(
            self.plain | other.plain,
            self.methods | other.methods,
            self.reach | other.reach,
            self.clauses | other.clauses,
            self.unknown | other.unknown,
        )

    def __sub__(self, other: Reach) -> Reach:
        """The clauses not in ``other``: a file that matched none of ``other``'s can only match one
        of these now (its words are as they were)."""
        return Reach(
            self.plain - other.plain,
            self.methods - other.methods,
            self.reach - other.reach,
            self.clauses - other.clauses,
            self.unknown - other.unknown,
        )

    def __bool__(self) -> bool:
        return bool(self.clauses) or bool(self.unknown)

    def matcher(self) -> _Matcher:
        """Whether a file's bytes (and its module's dotted name, when known) name what one of the
        clauses asks for, each word as a whole word. Without the module, a file may be any."""
        return _Matcher(self.clauses)

    def matching(self, data: bytes, module: str | None = None) -> list[Clause]:
        """The clauses a file satisfies (for people: why a round parsed it)."""
        present = _Matcher(self.clauses).present(data, module)
        return sorted(c for c in self.clauses if all(not s.isdisjoint(present) for s in c))


class _Matcher:
    """``Reach.matcher``: the words of a file, as the bytes of UTF-8 text split at what cannot be
    part of a name (``\\b`` of a bytes pattern knows only ASCII letters: it would not end
    ``récupéré``), and the clauses grouped by all but their first word set.

    A large family gives many clauses that differ in their first set only (the methods of each
    class of the family, then a name that leads to the family): such clauses are one check, the
    rest of them and the words of all their first sets together. A file names what one of the
    clauses asks for exactly when it names what one group asks for."""

    def __init__(self, clauses: frozenset[Clause]):
        #: The rest of a clause → the words of the first sets of every clause with that rest.
        groups: dict[tuple[frozenset[str], ...], set[str]] = {}
        for clause in clauses:
            rest = clause[1:]
            heads = groups.get(rest)
            if heads is None:
                heads = groups[rest] = set()
            heads.update(clause[0])
        first: set[str] = set()
        words: set[str] = set()
        #: The words of the clauses of one set: any of them is enough.
        self.alone: frozenset[str] = frozenset(groups.get((), ()))
        #: A word of the first set of a group's rest → (the group's first words, the rest's other
        #: sets).
        self.groups: dict[str, list[tuple[frozenset[str], tuple[frozenset[str], ...]]]] = {}
        for rest, heads in groups.items():
            first |= heads
            words |= heads
            if not rest:
                continue
            group = (frozenset(heads), rest[1:])
            for one in rest:
                words |= one
            for word in rest[0]:
                self.groups.setdefault(word, []).append(group)
        self.modules = frozenset(w for w in words if w.startswith(MODULE))
        self.used = {w[1:].encode(): w for w in words if w.startswith(USED)}
        self.encoded = frozenset(
            w.encode() for w in words if not w.startswith(MODULE) and not w.startswith(USED)
        ) | frozenset(self.used)
        #: The words a clause starts with, as the file spells them: a file with none is done.
        self.anchors = frozenset(w.lstrip(USED).encode() for w in first)
        #: ``encoded`` by ``hash`` (``may``), made when first asked for.
        self._hashed: dict[int, list[bytes]] | None = None
        self._hashes: frozenset[int] = frozenset()

    def present(self, data: bytes, module: str | None = None) -> set[str]:
        """The words of the clauses that the file names, with the stand-ins that hold for it."""
        return self._present(data, words_of(data), module)

    def _present(self, data: bytes | None, words: Iterable[bytes], module: str | None) -> set[str]:
        """``present`` of a file whose words are ``words``; without its bytes (None), a name it
        holds is taken as used."""
        found = self.encoded.intersection(words)
        present = {w.decode() for w in found}
        for word in found.intersection(self.used):
            if data is None or _used(data, word):
                present.add(self.used[word])
        if module is None:
            present |= self.modules
        elif self.modules:
            parts = module.split(".")
            present |= self.modules.intersection(
                MODULE + ".".join(parts[:i]) for i in range(1, len(parts) + 1)
            )
        return present

    def __call__(
        self, data: bytes, module: str | None = None, words: list[bytes] | None = None
    ) -> bool:
        """Whether the file of ``data`` (its module's dotted name, when known; its ``words_of``,
        when the caller has them) names what a clause asks for."""
        if words is None:
            words = words_of(data)
        if self.anchors.isdisjoint(words):
            return False  # most files: none of the names a clause starts with
        return self._holds(self._present(data, words, module))

    def may(self, hashes: Iterable[int], module: str | None = None) -> bool:
        """Whether a file whose distinct words have the hashes ``hashes`` (``hash(word)`` in this
        process) may name what a clause asks for: False only where the file's bytes would say so
        too (a hash two words share, a name only imported, may say True)."""
        if self._hashed is None:
            self._hashed = {}
            for word in self.encoded:
                self._hashed.setdefault(hash(word), []).append(word)
            self._hashes = frozenset(self._hashed)
        words = [w for h in self._hashes.intersection(hashes) for w in self._hashed[h]]
        if self.anchors.isdisjoint(words):
            return False
        return self._holds(self._present(None, words, module))

    def _holds(self, present: set[str]) -> bool:
        """Whether the words ``present`` satisfy a clause."""
        if not self.alone.isdisjoint(present):
            return True
        for word in present.intersection(self.groups):
            for heads, rest in self.groups[word]:
                if not heads.isdisjoint(present) and all(not s.isdisjoint(present) for s in rest):
                    return True
        return False


def words_of(data: bytes) -> list[bytes]:
    """The words of a file, as ``Reach.matcher`` reads them: its bytes split at what cannot be
    part of a name."""
    return data.translate(_SPACES).split()


def word_hashes(words: Iterable[bytes]) -> array:
    """The hashes of the distinct ``words``, as ``_Matcher.may`` takes them: ``hash`` in this
    process (a forked one shares its secret)."""
    return array("q", map(hash, set(words)))


def _used(data: bytes, word: bytes) -> bool:
    """Whether ``word`` stands in ``data`` anywhere but in an import statement or in the list of
    base classes of a class statement. Where the text does not say plainly (a statement over
    several lines), it is taken as used."""
    for found in re.finditer(
        rb"(?<![A-Za-z0-9_\x80-\xff])" + re.escape(word) + rb"(?![A-Za-z0-9_\x80-\xff])", data
    ):
        start = found.start()
        line = data[data.rfind(b"\n", 0, start) + 1 : start].lstrip()
        if _LISTED.match(line) is not None:
            continue  # ``from m import A``, ``import m.A``, ``class B(Base, A``
        opened = data.rfind(b"import", 0, start)
        if opened >= 0 and _IMPORTED.fullmatch(data, opened, start) is not None:
            continue  # an item of ``from m import (...)`` over several lines
        return True
    return False


#: Every byte that cannot be part of a name, as a space: ASCII letters, digits, ``_`` and the bytes
#: of non-ASCII letters (UTF-8: 0x80 and up) stay.
_SPACES = bytes(
    c if (c < 128 and (chr(c).isalnum() or chr(c) == "_")) or c >= 128 else 32 for c in range(256)
)
#: The start of a line up to a name that the line imports, or lists as a base class.
_LISTED = re.compile(
    rb"(?:(?:from\s+[\w.]+\s+)?import\s+[\w.,\s]*(?:\s+as\s+\w+\s*,\s*)*|class\s+\w+\s*\([\w.,\s]*)\Z"
)
#: ``import (`` and the names imported before the one in question, comments between them.
_IMPORTED = re.compile(rb"import\s*\((?:[\w.,\s]|#[^\n]*\n)*")
