"""A stub of the capability-server client, as the sticker team ships it to its callers.

The real client talks to capability-server over the network; this one answers from memory so
that the examples run anywhere. ``CAPABILITY_SERVER_DOWN=1`` makes every call fail the way the
real one does when the server or its database is down.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

T = TypeVar("T")


class CapabilityError(Exception):
    """Any failure to get an answer from capability-server."""


class CapabilityUnavailable(CapabilityError, ConnectionError):
    """The server (or its database) cannot be reached."""


class CapabilityTimeout(CapabilityError, TimeoutError):
    """The server did not answer in time."""


@dataclass(frozen=True)
class Capability:
    """What a user may do with a sticker."""

    allowed: bool
    animated: bool

    @classmethod
    def static_only(cls) -> "Capability":
        """The degraded answer: send the sticker, but show it as a static one."""
        return cls(allowed=True, animated=False)


class CapabilityClient:
    def __init__(self, url: str = "http://capability-server.internal", timeout: float = 0.2):
        self.url = url
        self.timeout = timeout
        self._owned = {("alice", "party-parrot"), ("bob", "dancing-cat")}

    def _fail_if_down(self) -> None:
        if os.environ.get("CAPABILITY_SERVER_DOWN"):
            raise CapabilityUnavailable(f"{self.url} is unreachable")

    def check(self, user: str, sticker: str) -> Capability:
        """Whether ``user`` owns ``sticker`` and it has not expired."""
        self._fail_if_down()
        owned = (user, sticker) in self._owned
        return Capability(allowed=owned, animated=owned)

    async def check_async(self, user: str, sticker: str) -> Capability:
        return self.check(user, sticker)

    def grant(self, user: str, sticker: str) -> None:
        """Record a purchase: ``user`` now owns ``sticker``."""
        self._fail_if_down()
        self._owned.add((user, sticker))


_default: Optional[CapabilityClient] = None


def get_client() -> CapabilityClient:
    """The process-wide client."""
    global _default
    if _default is None:
        _default = CapabilityClient()
    return _default


def check_capability(user: str, sticker: str) -> Capability:
    return get_client().check(user, sticker)


def call_with_fallback(fn: Callable[[], Capability], fallback: Optional[Capability] = None) -> Capability:
    """The owners' recommended way to call: fail open to a static sticker."""
    try:
        return fn()
    except CapabilityError:
        return fallback or Capability.static_only()


def fail_open(fn: Callable[..., T]) -> Callable[..., T]:
    """Decorator: when capability-server fails inside ``fn``, answer ``Capability.static_only()``."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CapabilityError:
            return Capability.static_only()

    return wrapper
