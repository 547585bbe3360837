"""The words contractlint's data is made of, as types: a call group's policy, a call site's state
(and its name in the inventory), a finding's severity.

Each is a ``str`` Enum whose members are the very strings contracts, configurations, the cache and
every output use: a member equals its string, hashes as it, formats as it (``f"{x}"``, ``str(x)``)
and serialises as it (``json.dumps``), so a string read from a file and a member compare equal,
and what is written does not change.
"""

from __future__ import annotations

from enum import Enum


class Word(str, Enum):
    """A ``str`` Enum that reads as its value everywhere: ``str()`` and ``format()`` give the value
    on every Python (3.11 and later would give ``Class.MEMBER``)."""

    def __str__(self) -> str:
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(str.__str__(self), spec)

    def __reduce_ex__(self, protocol: object) -> tuple[type[Word], tuple[str]]:
        """Pickled by value on every Python: some releases of 3.11 (Debian 12's 3.11.2) pickle a
        member as ``getattr(Class, "NAME")``, which the cache's unpickler refuses (it calls a
        builtin), so every entry that held one would be unreadable."""
        return self.__class__, (self.value,)


class Policy(Word):
    """How a contract's ``[[calls]]`` group says callers must handle the service's failures."""

    #: Recover: catch the error and fall back, never raise.
    FAIL_OPEN = "fail-open"
    #: Refuse: catch the error and raise one of the caller's own, never finish quietly.
    FAIL_CLOSED = "fail-closed"
    #: Either, as long as the failure is handled.
    ANY = "any"

    @property
    def asks(self) -> str:
        """What the policy asks of a caller, as a finding's message ends: "the contract says
        ..."."""
        return _ASKS[self]


_ASKS = {
    Policy.FAIL_OPEN: "fail open",
    Policy.FAIL_CLOSED: "fail closed",
    Policy.ANY: "handle the failure",
}


class State(Word):
    """What became of one call site of a contract in a run."""

    #: Handled as the contract says.
    KEPT = "kept"
    #: Made through one of the project's approved wrappers.
    APPROVED = "approved"
    #: Broken, but covered by a valid acceptance (reason, owner, expiry).
    ACCEPTED = "accepted"
    #: Broken, but recorded in the baseline.
    BASELINED = "baselined"
    #: Broken: a finding is reported.
    BROKEN = "broken"

    @property
    def in_inventory(self) -> InventoryState:
        """The state in the words of the inventory's readers."""
        return _IN_INVENTORY[self]


class InventoryState(Word):
    """A call site's state as the inventory (``report``) and the owners' report name it, from best
    to worst."""

    COMPLIANT = "compliant"
    APPROVED_WRAPPER = "approved wrapper"
    ACCEPTED = "accepted"
    BASELINED = "baselined"
    VIOLATING = "violating"


_IN_INVENTORY = {
    State.KEPT: InventoryState.COMPLIANT,
    State.APPROVED: InventoryState.APPROVED_WRAPPER,
    State.ACCEPTED: InventoryState.ACCEPTED,
    State.BASELINED: InventoryState.BASELINED,
    State.BROKEN: InventoryState.VIOLATING,
}


class Severity(Word):
    """How much a finding weighs: errors fail a check, warnings do not."""

    ERROR = "error"
    WARNING = "warning"
