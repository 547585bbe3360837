"""Buying a sticker pack: purchases fail closed, previews fail open."""

from __future__ import annotations

from capability_client import Capability, CapabilityClient, CapabilityError


class PurchaseFailed(Exception):
    """The purchase could not be recorded; the customer is not charged."""


client = CapabilityClient()


def buy(user: str, pack: str) -> None:
    try:
        client.grant(user, pack)
    except CapabilityError as err:
        raise PurchaseFailed(pack) from err


def owned_badge(user: str, pack: str) -> str:
    # contractlint: accept CL001 until=2027-04-30 owner=shop-team -- the badge is cosmetic; the page retries
    capability = client.check(user, pack)
    return "owned" if capability.allowed else ""


def preview(user: str, pack: str) -> dict:
    capability = client.check(user, pack)
    return {"pack": pack, "animated": capability.animated}


def static_preview(pack: str) -> dict:
    return {"pack": pack, "animated": Capability.static_only().animated}
