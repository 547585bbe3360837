"""The cyclic garbage collector, paused while a step makes many objects that live until it ends."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def uncollected() -> Iterator[None]:
    """No cyclic garbage collection inside: each pass of the collector would walk every object
    made so far (the facts of every file, a big module's tree), only to free none of them. What
    the step drops is freed by its reference counts; cycles wait for the next pass after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
