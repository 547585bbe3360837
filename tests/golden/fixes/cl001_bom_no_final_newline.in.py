# -*- coding: utf-8 -*-
import capability_client as cc


def caption(user, sticker="étoile"):
    return cc.check_capability(user, sticker).allowed