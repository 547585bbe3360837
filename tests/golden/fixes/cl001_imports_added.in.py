"""The file imports the client class under another name, an import isort keeps apart: the error
and the fallback get an import of their own above it."""
from __future__ import annotations

from capability_client import CapabilityClient as Client


def send(client: Client, user, sticker):
    capability = client.check(user, sticker)
    return capability.allowed
