from capability_client import Capability, CapabilityClient, CapabilityError

client = CapabilityClient()


def one(user, sticker):
    try:
        capability = client.check(user, sticker)
    except CapabilityError:
        capability = Capability.static_only()
    return capability


def several(user, sticker):
    try:
        capability = client.check(user, sticker)
    except CapabilityError as exc:
        print(exc)
        capability = Capability.static_only()
    return capability


def parenthesised(user, sticker):
    try:
        return client.check(user, sticker)
    except CapabilityError:
        return Capability.static_only()
