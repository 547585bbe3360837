"""A stub of the profile-service client: who a user is, for features that personalise."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Tuple


class ProfileError(Exception):
    """Any failure to get an answer from profile-service."""


class ProfileUnavailable(ProfileError, ConnectionError):
    """profile-service cannot be reached."""


@dataclass(frozen=True)
class Profile:
    user_id: str
    interests: Tuple[str, ...] = field(default=())

    @classmethod
    def anonymous(cls) -> "Profile":
        """No personalisation: untargeted content still shows."""
        return cls(user_id="", interests=())


class ProfileClient:
    def lookup(self, user_id: str) -> Profile:
        if os.environ.get("PROFILE_SERVICE_DOWN"):
            raise ProfileUnavailable("profile-service is unreachable")
        return Profile(user_id=user_id, interests=("cats", "parrots"))
