"""The chat server's tests, as its team writes them: the healthy path only.

Run them with ``pytest --contract-faults=capability-server`` and every call they reach to
capability-server fails once more with each error the contract lists: they still pass, because the
chat server degrades (a static sticker) where the contract says fail open, and refuses (a failed
purchase) where it says fail closed. The last test uses the ``contract_faults`` fixture to assert on
the degraded result itself.
"""

import asyncio

from capability_client import CapabilityClient, Capability
from chat_server.stickers import StickerSender, can_animate, capability_for_reply, warm_preview_cache


def test_an_owned_sticker_is_sent_animated():
    result = StickerSender().send("alice", "party-parrot")
    assert result == {"sent": True, "sticker": "party-parrot", "animated": True}


def test_a_sticker_nobody_bought_is_not_sent():
    assert StickerSender().send("alice", "dancing-cat") == {"sent": False, "reason": "not owned"}


def test_preview_of_an_owned_sticker_is_animated():
    assert asyncio.run(StickerSender().preview("bob", "dancing-cat")) is True


def test_a_purchase_is_recorded():
    client = CapabilityClient()
    StickerSender(client).buy("alice", "dancing-cat")
    assert ("alice", "dancing-cat") in client._owned


def test_warming_the_preview_cache_never_fails():
    warm_preview_cache("alice", ["party-parrot", "dancing-cat"])


def test_replies_and_animation_go_through_the_approved_helpers():
    assert can_animate("alice", "party-parrot") is True
    assert capability_for_reply("bob", "dancing-cat") == Capability(allowed=True, animated=True)


def test_a_down_server_still_sends_the_sticker_as_a_static_one(contract_faults):
    with contract_faults("capability-server", error="capability_client.CapabilityTimeout") as faults:
        result = StickerSender().send("alice", "party-parrot")
    assert result == {"sent": True, "sticker": "party-parrot", "animated": False}
    assert [type(e).__name__ for e in faults.errors] == ["CapabilityTimeout"]


def test_the_sticker_list_needs_no_server():
    assert sorted(["party-parrot", "dancing-cat"]) == ["dancing-cat", "party-parrot"]
