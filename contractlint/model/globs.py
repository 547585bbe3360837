"""Dotted-name globs: what a ``match`` or ``exclude`` pattern accepts, and whether one set of
patterns leaves any name to another.

``*`` stands for any run of characters within one dotted part, ``**`` for any run across dots,
``?`` for one character other than a dot; every other character stands for itself. A call goes to
the first call group that matches it and does not exclude it (``Contract.group_for``), so a later
group can apply only to a name that every earlier group lets through. Whether such a name exists is
decided exactly, on the automata of the patterns: no sampling, so a contract is never rejected for
a group that could apply.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence

STAR, DOUBLE_STAR, ONE = "*", "**", "?"
#: Where each glob of a search for a name stands: its positions in its pattern.
_State = tuple[frozenset[int], ...]
#: A step of that search: whether it is inside a dotted part, and the state.
_Key = tuple[bool, _State]


def glob_tokens(pattern: str) -> tuple[str, ...]:
    """``a.*`` -> ``("a", ".", "*")``: each wildcard, and each other character alone."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith(DOUBLE_STAR, i):
            out.append(DOUBLE_STAR)
            i += 2
        else:
            out.append(pattern[i])
            i += 1
    return tuple(out)


_REGEX = {DOUBLE_STAR: ".*", STAR: r"[^.]*", ONE: r"[^.]"}


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Dotted-name glob: ``*`` stays within one dotted part, ``**`` crosses dots, ``?`` is one
    character."""
    return re.compile("".join(_REGEX.get(t) or re.escape(t) for t in glob_tokens(pattern)) + r"\Z")


#: A group's patterns: (match, exclude).
Patterns = tuple[Sequence[str], Sequence[str]]

#: Past this many states the search gives up and answers that a name may exist (sound, not exact).
LIMIT = 20000


class _Glob:
    """A pattern's automaton, from its ``skip``-th token on: a state is the set of token positions
    reached (all of them matched: the pattern accepts)."""

    def __init__(self, pattern: str, skip: int = 0):
        self.tokens = glob_tokens(pattern)[skip:]
        self.start = self._close({0})

    def _close(self, positions: Iterable[int]) -> frozenset[int]:
        out = set(positions)
        stack = list(positions)
        while stack:
            i = stack.pop()
            if i < len(self.tokens) and self.tokens[i] in (STAR, DOUBLE_STAR) and i + 1 not in out:
                out.add(i + 1)
                stack.append(i + 1)
        return frozenset(out)

    def step(self, state: frozenset[int], ch: str) -> frozenset[int]:
        """``ch`` is a character, or "" for any non-dot character no pattern spells."""
        nxt = set()
        for i in state:
            if i == len(self.tokens):
                continue
            token = self.tokens[i]
            if token == DOUBLE_STAR or (token == STAR and ch != "."):
                nxt.add(i)
            elif (token == ONE and ch != ".") or token == ch:
                nxt.add(i + 1)
        return self._close(nxt) if nxt else frozenset()

    def consumes(self, state: frozenset[int]) -> frozenset[str] | None:
        """The characters some position of ``state`` can step over; None: any."""
        out = set()
        for i in state:
            if i < len(self.tokens):
                token = self.tokens[i]
                if token in (STAR, DOUBLE_STAR, ONE):
                    return None
                out.add(token)
        return frozenset(out)

    def accepts(self, state: frozenset[int]) -> bool:
        return len(self.tokens) in state

    def matches(self, text: str) -> bool:
        state = self.start
        for ch in text:
            state = self.step(state, ch)
            if not state:
                return False
        return self.accepts(state)


def literal_ends(pattern: str) -> tuple[str, str]:
    """The text before the first wildcard and after the last one."""
    cut = [i for i, ch in enumerate(pattern) if ch in "*?"]
    if not cut:
        return pattern, pattern
    return pattern[: cut[0]], pattern[cut[-1] + 1 :]


def may_meet(a: str, b: str) -> bool:
    """False when no name can match both globs, by their literal ends alone (a quick, partial test:
    True says nothing)."""
    (a_head, a_tail), (b_head, b_tail) = literal_ends(a), literal_ends(b)
    return (a_head.startswith(b_head) or b_head.startswith(a_head)) and (
        a_tail.endswith(b_tail) or b_tail.endswith(a_tail)
    )


def witness(
    match: Sequence[str], exclude: Sequence[str], earlier: Sequence[Patterns] = ()
) -> str | None:
    """A dotted name (non-empty parts) that ``match`` accepts, ``exclude`` does not, and no group of
    ``earlier`` takes (matches and does not exclude); None when there is none. "" when the search
    passes ``LIMIT`` states without an answer: a name may exist.

    A breadth-first search over the product of the patterns' automata and "no empty part", on the
    characters the patterns spell, a dot, and one stand-in for every other character. The literal
    text every pattern starts with is skipped: ``botocore.client.BaseClient.`` is 27 steps of
    nothing.
    """
    patterns = [*match, *exclude, *(p for m, e in earlier for p in (*m, *e))]
    other = _other({ch for p in patterns for ch in p})
    for pattern in match:
        # Most often the pattern with each wildcard as a plain letter is a name nothing else takes.
        name = "".join(other if t in (STAR, DOUBLE_STAR, ONE) else t for t in glob_tokens(pattern))
        if not any(_matches(p, name) for p in exclude) and not any(
            any(_matches(p, name) for p in m) and not any(_matches(p, name) for p in e)
            for m, e in earlier
        ):
            return name
    head = _common_head([literal_ends(p)[0] for p in patterns])
    skip = len(head)
    globs = [_Glob(p, skip) for p in match]
    globs_ex = [_Glob(p, skip) for p in exclude]
    others = [([_Glob(p, skip) for p in m], [_Glob(p, skip) for p in e]) for m, e in earlier]
    every = [*globs, *globs_ex, *(g for m, e in others for g in (*m, *e))]
    spelled = sorted({t for g in every for t in g.tokens if len(t) == 1 and t not in "*?"} | {"."})
    alphabet = ["", *spelled]  # the stand-in first: the shortest names come out plain
    n, n_ex = len(globs), len(globs_ex)

    def taken(state: _State) -> bool:
        at = n + n_ex
        for m, e in others:
            hit = any(g.accepts(state[at + k]) for k, g in enumerate(m))
            at += len(m)
            if hit and not any(g.accepts(state[at + k]) for k, g in enumerate(e)):
                return True
            at += len(e)
        return False

    def found(key: _Key) -> bool:
        in_part, state = key
        return (
            in_part
            and any(g.accepts(state[k]) for k, g in enumerate(globs))
            and not any(g.accepts(state[n + k]) for k, g in enumerate(globs_ex))
            and not taken(state)
        )

    start = (bool(head) and not head.endswith("."), tuple(g.start for g in every))
    parents: dict[_Key, tuple[_Key, str] | None] = {start: None}
    if found(start):
        return head
    queue = [start]
    for key in queue:
        if len(parents) > LIMIT:
            return ""
        in_part, state = key
        wanted: set[str] | None = set()
        for g, s in zip(globs, state):
            chars = g.consumes(s)
            if chars is None or wanted is None:
                wanted = None
                break
            wanted |= chars
        for ch in alphabet if wanted is None else sorted(wanted):
            if ch == "." and not in_part:
                continue  # a dotted part is never empty
            nxt = tuple(g.step(s, ch) for g, s in zip(every, state))
            if not any(nxt[:n]):
                continue  # no match pattern can still accept
            follow = (ch != ".", nxt)
            if follow not in parents:
                parents[follow] = (key, ch)
                if found(follow):
                    return head + _spell(follow, parents, other)
                queue.append(follow)
    return None


def _common_head(heads: Sequence[str]) -> str:
    """The longest text every one of ``heads`` starts with."""
    first, last = min(heads, default=""), max(heads, default="")
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


def _other(spelled: Collection[str]) -> str:
    """The stand-in for "a character no pattern spells": the first such letter."""
    return next(
        chr(c) for c in itertools.count(ord("a")) if chr(c).isidentifier() and chr(c) not in spelled
    )


def _matches(pattern: str, name: str) -> bool:
    """Whether ``pattern`` matches ``name``, its literal ends tested first (most patterns fail
    there)."""
    head, tail = literal_ends(pattern)
    if not name.startswith(head) or not name.endswith(tail) or len(head) > len(name):
        return False
    return _Glob(pattern).matches(name)


def _spell(key: _Key, parents: Mapping[_Key, tuple[_Key, str] | None], other: str) -> str:
    out = []
    while (parent := parents[key]) is not None:
        key, ch = parent
        out.append(ch or other)
    return "".join(reversed(out))
