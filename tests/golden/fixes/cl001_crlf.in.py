import capability_client as cc

client = cc.CapabilityClient()


def show(user, sticker):
    capability = client.check(
        user,
        sticker,
    )
    return capability.animated


def share(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityTimeout:
        print("slow")
    return capability.allowed
