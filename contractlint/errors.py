"""Errors that reach a person: bad contract, bad configuration, bad usage."""

from __future__ import annotations

from collections.abc import Iterable


class UserError(Exception):
    """One or more problems in something the user wrote; each message is one line, file and position
    first."""

    def __init__(self, messages: Iterable[str]):
        self.messages: list[str] = list(messages)
        super().__init__("\n".join(self.messages))
