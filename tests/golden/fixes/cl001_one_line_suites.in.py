import capability_client as cc

client = cc.get_client()


def first(user, sticker, fast):
    if fast: return client.check(user, sticker)  # one line
    else: cap = client.check(user, sticker)
    return cap


def several(user, sticker):
    n = 1; cap = client.check(user, sticker); n += 1
    return cap, n


def short(user, sticker): return client.check(user, sticker).allowed


class Page:
    default = client.check("nobody", "nothing")


capability = client.check("anyone", "anything")
