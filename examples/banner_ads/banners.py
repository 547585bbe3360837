"""Banner ads on the chat sidebar.

When the profile lookup fails the error escapes and the page hides its banners. That was an
accepted risk while banners earned nothing. The business grew, the acceptance expired on
2026-05-31, and nobody looked again: contractlint now fails the build until someone does.
"""

from profile_client import ProfileClient

profiles = ProfileClient()

CATALOGUE = {"cats": "Cat stickers, 20% off", "parrots": "Party Parrot pack"}


def banners_for(user_id):
    # contractlint: accept CL001 until=2026-05-31 owner=ads-team -- banners earn nothing yet; hiding them while profile-service is down costs nothing
    profile = profiles.lookup(user_id)
    return [CATALOGUE[i] for i in profile.interests if i in CATALOGUE]
