import logging

import capability_client as cc

client = cc.CapabilityClient()


def share(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError:
        logging.warning("capability-server down")
    return capability.allowed


def quiet(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError:
        pass
    return capability.allowed


def terse(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError: logging.warning("down")
    return capability.allowed


def both(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityTimeout:
        logging.warning("slow")
    return capability.allowed
