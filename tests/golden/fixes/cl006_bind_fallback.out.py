import logging

import capability_client as cc

client = cc.CapabilityClient()


def share(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError:
        logging.warning("capability-server down")
        capability = cc.Capability.static_only()
    return capability.allowed


def quiet(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError:
        capability = cc.Capability.static_only()
    return capability.allowed


def terse(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError: logging.warning("down"); capability = cc.Capability.static_only()
    return capability.allowed


def both(user, sticker):
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError:
        logging.warning("slow")
        capability = cc.Capability.static_only()
    return capability.allowed
