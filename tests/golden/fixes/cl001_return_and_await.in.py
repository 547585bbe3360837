from capability_client import Capability, CapabilityClient, CapabilityError

client = CapabilityClient()


def badge(user, sticker):
    return client.check(user, sticker).allowed


async def preview(user, sticker):
    return await client.check_async(user, sticker)


def render(user, sticker, page):
    page.add(client.check(user, sticker))
    label = "animated" if client.check(user, sticker).animated else "static"
    return label
