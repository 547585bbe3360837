"""Errors that reach a person: bad contract, bad configuration, bad usage."""

from __future__ import annotations

from typing import Iterable, List


class UserError(Exception):
    """One or more problems in something the user wrote; each message is one line, file and position first."""

    def __init__(self, messages: Iterable[str]):
        self.messages: List[str] = list(messages)
        super().__init__("\n".join(self.messages))
