"""Sending stickers. When capability-server is down the chat server fails open: the sticker
is sent anyway and shown as a static one. The owners accepted that misuse risk on purpose."""

from __future__ import annotations

import logging
from typing import Optional

from capability_client import (
    Capability,
    CapabilityClient,
    CapabilityError,
    call_with_fallback,
    fail_open,
    get_client,
)

log = logging.getLogger(__name__)


class PurchaseFailed(Exception):
    """The purchase could not be recorded; the user is not charged."""


class StickerSender:
    def __init__(self, client: Optional[CapabilityClient] = None):
        self.capabilities = client or CapabilityClient()

    def send(self, user: str, sticker: str) -> dict:
        try:
            capability = self.capabilities.check(user, sticker)
        except CapabilityError:
            log.warning("capability-server unavailable; sending %s as a static sticker", sticker)
            capability = Capability.static_only()
        if not capability.allowed:
            return {"sent": False, "reason": "not owned"}
        return {"sent": True, "sticker": sticker, "animated": capability.animated}

    async def preview(self, user: str, sticker: str) -> bool:
        try:
            capability = await self.capabilities.check_async(user, sticker)
        except CapabilityError:
            return False
        return capability.animated

    def buy(self, user: str, sticker: str) -> None:
        """Purchases fail closed: never grant what could not be recorded."""
        try:
            self.capabilities.grant(user, sticker)
        except CapabilityError as exc:
            raise PurchaseFailed(sticker) from exc


def warm_preview_cache(user: str, stickers: list) -> None:
    """Prefetching previews is best effort: a missed check only makes the first preview slower."""
    client = get_client()
    for sticker in stickers:
        try:
            client.check(user, sticker)
        except CapabilityError:  # contractlint: accept CL004 until=2027-02-28 owner=chat-team -- best-effort prefetch; the send path checks again
            continue


def can_animate(user: str, sticker: str) -> bool:
    return call_with_fallback(lambda: get_client().check(user, sticker)).animated


@fail_open
def capability_for_reply(user: str, sticker: str) -> Capability:
    return get_client().check(user, sticker)
