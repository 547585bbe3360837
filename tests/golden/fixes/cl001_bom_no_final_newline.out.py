# -*- coding: utf-8 -*-
import capability_client as cc


def caption(user, sticker="étoile"):
    try:
        return cc.check_capability(user, sticker).allowed
    except cc.CapabilityError:
        return cc.Capability.static_only().allowed