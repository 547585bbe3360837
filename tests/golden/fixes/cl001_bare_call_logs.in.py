import logging

from capability_client import CapabilityClient

log = logging.getLogger(__name__)
client = CapabilityClient()


def warm_cache(user, stickers):
    for sticker in stickers:
        client.check(user, sticker)


def warm_one(user, sticker, exc):
    client.check(user, sticker)
    return exc
