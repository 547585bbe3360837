"""CL002: the missing error joins the clause (each name keeps its comment); a name of the clause
that derives from it makes way for it, in its place, and its import goes when nothing else uses it."""

from capability_client import Capability, CapabilityClient, CapabilityError, CapabilityUnavailable

client = CapabilityClient()


def widened(user, sticker):
    try:
        capability = client.check(user, sticker)
    except (
        KeyError,  # no such sticker
        ConnectionError,  # the network
        CapabilityError,
    ):
        capability = Capability.static_only()
    return capability


def replaced(user, sticker):
    try:
        capability = client.check(user, sticker)
    except (
        ValueError,
        CapabilityError,  # slow: send the static one
    ):
        capability = Capability.static_only()
    return capability


def still_used(user, sticker):
    try:
        capability = client.check(user, sticker)
    except CapabilityError:
        capability = Capability.static_only()
    return capability


def elsewhere():
    return CapabilityUnavailable("down")
