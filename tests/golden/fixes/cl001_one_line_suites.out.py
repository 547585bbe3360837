import capability_client as cc

client = cc.get_client()


def first(user, sticker, fast):
    if fast:  # one line
        try:
            return client.check(user, sticker)
        except cc.CapabilityError:
            return cc.Capability.static_only()
    else:
        try:
            cap = client.check(user, sticker)
        except cc.CapabilityError:
            cap = cc.Capability.static_only()
    return cap


def several(user, sticker):
    n = 1
    try:
        cap = client.check(user, sticker)
    except cc.CapabilityError:
        cap = cc.Capability.static_only()
    n += 1
    return cap, n


def short(user, sticker):
    try:
        return client.check(user, sticker).allowed
    except cc.CapabilityError:
        return cc.Capability.static_only().allowed


class Page:
    try:
        default = client.check("nobody", "nothing")
    except cc.CapabilityError:
        default = cc.Capability.static_only()


try:
    capability = client.check("anyone", "anything")
except cc.CapabilityError:
    capability = cc.Capability.static_only()
