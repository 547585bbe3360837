import logging

from capability_client import CapabilityClient, CapabilityError

log = logging.getLogger(__name__)
client = CapabilityClient()


def warm_cache(user, stickers):
    for sticker in stickers:
        try:
            client.check(user, sticker)
        except CapabilityError as exc:
            log.warning("capability-server unavailable: %s", exc)


def warm_one(user, sticker, exc):
    try:
        client.check(user, sticker)
    except CapabilityError as error:
        log.warning("capability-server unavailable: %s", error)
    return exc
