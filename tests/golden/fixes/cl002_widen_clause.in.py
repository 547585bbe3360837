from capability_client import Capability, CapabilityClient, CapabilityTimeout, CapabilityUnavailable

client = CapabilityClient()


def one(user, sticker):
    try:
        capability = client.check(user, sticker)
    except CapabilityTimeout:
        capability = Capability.static_only()
    return capability


def several(user, sticker):
    try:
        capability = client.check(user, sticker)
    except (
        CapabilityTimeout,
        CapabilityUnavailable,
    ) as exc:
        print(exc)
        capability = Capability.static_only()
    return capability


def parenthesised(user, sticker):
    try:
        return client.check(user, sticker)
    except (CapabilityTimeout):
        return Capability.static_only()
