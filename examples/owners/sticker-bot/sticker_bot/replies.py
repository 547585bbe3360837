"""The bot answers a greeting with a sticker, animated when the user owns it."""

from __future__ import annotations

from capability_client import Capability, CapabilityClient, CapabilityError

client = CapabilityClient()


def greet(user: str) -> dict:
    try:
        capability = client.check(user, "wave")
    except CapabilityError:
        capability = Capability.static_only()
    return {"sticker": "wave", "animated": capability.animated}


def suggest(user: str) -> list:
    # contractlint: accept CL001 until=2027-01-31 owner=bot-team -- suggestions are a hint; the bot retries next message
    owned = client.check(user, "party")
    return ["party"] if owned.allowed else []
