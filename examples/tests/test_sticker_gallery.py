"""The sticker gallery's tests: green without faults, like its code looks fine until the server is down.

Under ``pytest --contract-faults=capability-server`` the runs that inject capability-server's errors
show, one by one, the mistakes ``contractlint check`` reports statically — and which of them really
break the gallery at run time.
"""

from sticker_gallery import gallery


def test_show_sticker():
    assert gallery.show_sticker("alice", "party-parrot") == {"sticker": "party-parrot", "animated": True}


def test_show_animated():
    assert gallery.show_animated("alice", "party-parrot") is True


def test_badge():
    assert gallery.badge("alice", "party-parrot") is True


def test_prefetch():
    gallery.prefetch("alice", ["party-parrot", "dancing-cat"])


def test_thumbnail():
    assert gallery.thumbnail("bob", "dancing-cat") is True


def test_share():
    assert gallery.share("alice", "party-parrot") is True


def test_gift():
    assert gallery.gift("bob", "party-parrot") is True
