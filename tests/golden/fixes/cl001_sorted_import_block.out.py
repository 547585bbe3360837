"""A sorted import in parentheses, one name a line: the new names take their sorted places and each
comment stays with its name; the handler repeats the statement without the statement's comments."""

from capability_client import (
    Capability,
    CapabilityClient,  # the client
    CapabilityError,
    get_client,
)

client: CapabilityClient = get_client()


def gallery(user, stickers):
    try:
        page = dict(
            stickers=stickers,
            capability=client.check(user, stickers[0]),  # the first sticker decides
            # and the page follows it
        )
    except CapabilityError:
        page = dict(
            stickers=stickers,
            capability=Capability.static_only(),
        )
    return page
