from capability_client import Capability, CapabilityClient, CapabilityError

client = CapabilityClient()


def badge(user, sticker):
    try:
        return client.check(user, sticker).allowed
    except CapabilityError:
        return Capability.static_only().allowed


async def preview(user, sticker):
    try:
        return await client.check_async(user, sticker)
    except CapabilityError:
        return Capability.static_only()


def render(user, sticker, page):
    try:
        page.add(client.check(user, sticker))
    except CapabilityError:
        page.add(Capability.static_only())
    try:
        label = "animated" if client.check(user, sticker).animated else "static"
    except CapabilityError:
        label = "animated" if Capability.static_only().animated else "static"
    return label
