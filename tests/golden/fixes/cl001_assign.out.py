"""CL001 on an assignment: the statement is wrapped, the handler binds the contract's fallback."""

import capability_client as cc

client = cc.CapabilityClient()


def show_sticker(user, sticker):
    # The comment above the call stays above the try.
    try:
        capability = client.check(user, sticker)  # and the one after it stays with it
    except cc.CapabilityError:
        capability = cc.Capability.static_only()
    return {"sticker": sticker, "animated": capability.animated}
