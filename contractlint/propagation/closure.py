"""Answers that are unions over a graph of names that may hold cycles, worked out once for each
name: what a value gives, and where a name comes from (``propagation.rounds``)."""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")

#: ``Closure``'s place on the stack for an answer that depends on no key above it.
_FREE = 1 << 30


class Closure(Generic[T]):
    """Each key's answer, worked out once: its own items and the answers of the keys it leads to
    (``step``). A key met again while it is being worked out (``X = Y`` and ``Y = X``) adds nothing
    there, and every key of such a cycle gets the answer of the first one asked: each reaches all
    the others, so the answer is the same whichever is asked first (as ``names.Project`` keeps the
    answers of a cycle).

    A subclass gives ``step``: a method, where a bound method of the owner held here would make a
    cycle that only the cyclic collector frees (with every fact reachable from the owner)."""

    def __init__(self) -> None:
        self.known: dict[str, frozenset[T]] = {}
        self._stack: dict[str, int] = {}
        #: The keys met below the first key of a cycle, whose answer is the first key's.
        self._tainted: list[str] = []

    def __call__(self, key: str, depth: int = 0) -> frozenset[T]:
        return self._closure(key, depth)[0]

    def step(self, key: str, depth: int) -> tuple[set[T], list[str]]:
        """The key's own items, and the keys it leads to (none past the longest chain)."""
        raise NotImplementedError

    def _closure(self, key: str, depth: int) -> tuple[frozenset[T], int]:
        """The answer, and the place on the stack of the outermost key it came back to."""
        known = self.known.get(key)
        if known is not None:
            return known, _FREE
        at = self._stack.get(key)
        if at is not None:
            return frozenset(), at
        index = self._stack[key] = len(self._stack)
        tainted = len(self._tainted)
        low = _FREE
        try:
            out, further = self.step(key, depth)
            for then in further:
                found, back = self._closure(then, depth + 1)
                out |= found
                low = min(low, back)
        finally:
            del self._stack[key]
        answer = frozenset(out)
        if low < index:  # it came back to a key above it: the answer is that key's
            self._tainted.append(key)
            return answer, low
        if low == index:  # the first key of a cycle: the others were met below it
            for other in self._tainted[tainted:]:
                self.known[other] = answer
            del self._tainted[tainted:]
        self.known[key] = answer
        return answer, _FREE
