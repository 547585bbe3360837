"""Every finding here needs a person: contractlint suggests, and --fix leaves the file alone."""
import capability_client as cc

client = cc.CapabilityClient()


def in_a_comprehension(user, stickers):
    return [client.check(user, s) for s in stickers]


def in_a_lambda(user):
    return lambda sticker: client.check(user, sticker)


def in_a_condition(user, sticker):
    if client.check(user, sticker).allowed:
        return True
    while client.check(user, sticker).animated:
        break
    return False


@cc.cache(client.check("anyone", "anything"))
def decorated(user, sticker=client.check("nobody", "nothing")):
    return sticker


def no_logger(user, sticker):
    client.check(user, sticker)


def fails_closed(user, sticker):
    client.grant(user, sticker)


def repeats_a_call(user, sticker, count):
    return count() + client.check(user, sticker).allowed


def raises_under_fail_open(user, sticker):
    try:
        return client.check(user, sticker)
    except cc.CapabilityError as exc:
        raise RuntimeError("no badge") from exc


def silent(user, sticker):
    try:
        client.check(user, sticker)
    except cc.CapabilityError:
        pass
