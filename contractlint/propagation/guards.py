"""What the guards around one call do with the service errors that reach it: which handler catches
each, which errors go on up (uncaught, or raised again), and whether a docstring lets them go.

The one judgement of a call, whether the errors come from the service itself or from a function
of the project that carries them (``contractlint.propagation.fixpoint``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from contractlint.model import Policy
from contractlint.model.project import GuardFacts, HandlerFacts


class Judged:
    """What the guards around a call do with a set of errors."""

    def __init__(self, guards: Sequence[GuardFacts], errors: Sequence[str], hierarchy, policy: str):
        #: Each caught error, and the innermost handler that catches it.
        self.covering: dict[str, HandlerFacts] = {}
        #: The handlers some of the errors reach, innermost first, with their guard.
        self.reached: list[tuple[GuardFacts, HandlerFacts]] = []
        #: The innermost guard with a handler that catches one of the errors.
        self.guard: GuardFacts | None = None
        for guard in reversed(guards):
            for handler in guard.handlers:
                hit = False
                for error in errors:
                    if error not in self.covering and catches(hierarchy, handler.names, error):
                        self.covering[error] = handler
                        hit = True
                if hit:
                    self.guard = self.guard or guard
                    self.reached.append((guard, handler))
        self.uncaught = [e for e in errors if e not in self.covering]
        #: Caught, then raised again (``raise`` in a retry loop's last try).
        self.reraised = [
            e
            for e, h in self.covering.items()
            if policy != Policy.FAIL_CLOSED and not h.suppress and h.reraises
        ]
        #: What leaves the call's function: uncaught, or raised again.
        self.escaping = [e for e in errors if e in self.uncaught or e in self.reraised]


def catches(hierarchy, names: tuple[str, ...] | None, error: str) -> bool:
    """Whether a handler catching ``names`` (None: a bare ``except:``) catches ``error``."""
    return names is None or any(hierarchy.catches(name, error) for name in names)


def declares(hierarchy, declared: Iterable[str], error: str) -> bool:
    """A docstring's error names cover ``error``: by its full name, or by its last part (docstrings
    often name an error as the reader knows it: ``RedisError``)."""
    family = {error, *hierarchy.ancestors(error)}
    short = {name.rsplit(".", 1)[-1] for name in family}
    return any(name in family or ("." not in name and name in short) for name in declared)
