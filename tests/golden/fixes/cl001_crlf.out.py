import capability_client as cc

client = cc.CapabilityClient()


def show(user, sticker):
    try:
        capability = client.check(
            user,
            sticker,
        )
    except cc.CapabilityError:
        capability = cc.Capability.static_only()
    return capability.animated


def share(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError:
        print("slow")
        capability = cc.Capability.static_only()
    return capability.allowed
