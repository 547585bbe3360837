"""The sticker gallery: one function per mistake that contractlint reports."""

import contextlib
import logging

import capability_client as cc
from capability_client import CapabilityClient, CapabilityTimeout, get_client

client = CapabilityClient()


def show_sticker(user, sticker):
    # CL001: nothing catches CapabilityError; the gallery page fails with a 500.
    capability = client.check(user, sticker)
    return {"sticker": sticker, "animated": capability.animated}


def show_animated(user, sticker):
    # CL002: only timeouts are handled; an unreachable server still escapes.
    try:
        capability = get_client().check(user, sticker)
    except CapabilityTimeout:
        capability = cc.Capability.static_only()
    return capability.animated


def badge(user, sticker):
    # CL003: the contract says fail open, this handler fails closed.
    try:
        return cc.check_capability(user, sticker).allowed
    except cc.CapabilityError as exc:
        raise RuntimeError("cannot show the badge") from exc


def prefetch(user, stickers):
    # CL004: errors vanish; nobody sees that capability-server is down.
    for sticker in stickers:
        with contextlib.suppress(cc.CapabilityError):
            client.check(user, sticker)


def thumbnail(user, sticker):
    # CL005: a bare except also swallows KeyboardInterrupt and cancellation.
    try:
        return client.check(user, sticker).animated
    except:  # noqa: E722
        return False


def share(user, sticker):
    # CL006: when the server is down, `capability` is never bound and the next line crashes.
    try:
        capability = client.check(user, sticker)
    except cc.CapabilityError:
        logging.warning("capability-server down")
    return capability.allowed


def gift(user, sticker):
    # CL003 (fail closed): a purchase is granted "successfully" although nothing was recorded.
    try:
        client.grant(user, sticker)
    except cc.CapabilityError:
        logging.exception("grant failed")
    return True
