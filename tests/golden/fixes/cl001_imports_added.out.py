"""The file imports the client class only: the error and the fallback join that import."""
from __future__ import annotations

from capability_client import Capability, CapabilityError, CapabilityClient as Client


def send(client: Client, user, sticker):
    try:
        capability = client.check(user, sticker)
    except CapabilityError:
        capability = Capability.static_only()
    return capability.allowed
