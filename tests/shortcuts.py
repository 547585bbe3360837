"""A shortcut run both ways: taken where it applies, or turned off, so that a test compares what
each way gives and checks where the shortcut was taken (a comparison of two runs of the general
way would prove nothing)."""

from __future__ import annotations

from typing import Callable, TypeVar

import pytest

T = TypeVar("T")


def run_with(
    monkeypatch: pytest.MonkeyPatch, owner, name: str, on: bool, run: Callable[[], T]
) -> tuple[T, list[bool]]:
    """``run()`` with ``owner.name`` (a shortcut that answers None where it does not apply) taken
    (``on``) or answering None; and, for each call of it, whether it applied."""
    taken: list[bool] = []
    shortcut = getattr(owner, name)

    def spy(*args):
        found = shortcut(*args) if on else None
        taken.append(found is not None)
        return found

    with monkeypatch.context() as patch:
        patch.setattr(owner, name, spy)
        return run(), taken
