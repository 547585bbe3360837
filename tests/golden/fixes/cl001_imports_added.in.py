"""The file imports the client class only: the error and the fallback join that import."""
from __future__ import annotations

from capability_client import CapabilityClient as Client


def send(client: Client, user, sticker):
    capability = client.check(user, sticker)
    return capability.allowed
