"""The runs of one test: the plain run, which records the calls it reaches, and one run per fault.

A test's plain run is what its suite always ran. What it reached decides its fault runs: one per
call site reached and per error that call's group ``raises`` (``Mode.EACH``), or its first error
(``Mode.FIRST``), or one drawn from a seed (``Mode.RANDOM``), the same draw whatever else runs. Each
fault run is named after its fault, inside the test's id as pytest names parameters:
``test_send[fault:svc.ServiceError@Client.check]``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable

from contractlint.faults.inject import Call, Site
from contractlint.faults.targets import ErrorBuilder, Target
from contractlint.faults.verdict import Verdict, judge


class Mode(str, Enum):
    """Which errors of a call group a reached call is run again with."""

    EACH = "each"
    FIRST = "first"
    RANDOM = "random"

    def __str__(self) -> str:
        return self.value


#: The outcome of a run's call phase as pytest reports it: "passed", "failed" or "skipped".
Outcome = str


@dataclass(frozen=True)
class Variant:
    """One injected error at one call site the test reached."""

    target: Target
    site: tuple[str, int]
    builder: ErrorBuilder
    #: Where, as people read it: ``Client.check``, ``Client.check@app.py:12`` when one of several
    #: sites.
    label: str

    @property
    def tag(self) -> str:
        return f"fault:{self.builder.name}@{self.label}"


@dataclass(eq=False)
class Run:
    """One run of a test: the plain one (``variant`` None), or one with a fault.

    ``test`` and ``domain`` are the test's own id and name (``test_app.py::test_send``,
    ``test_send``); a fault run's ``nodeid`` and ``shown_domain`` carry its fault's tag.
    """

    test: str
    domain: str
    variant: Variant | None = None
    #: The test injects faults itself (the ``contract_faults`` fixture): it is not run again with
    #: more.
    brings_faults: bool = False
    #: Whether a file is the tests' own code: calls written there arrange the world, not degrade.
    is_test_code: Callable[[str], bool] = field(default=lambda path: False, repr=False)
    #: The calls of the contracts' functions this run made from the code under test.
    calls: list[Call] = field(default_factory=list)
    call_outcome: Outcome | None = None
    verdict: Verdict | None = None

    @property
    def nodeid(self) -> str:
        return self.test if self.variant is None else tagged(self.test, self.variant.tag)

    @property
    def shown_domain(self) -> str:
        return self.domain if self.variant is None else tagged(self.domain, self.variant.tag)

    def fault_for(self, target: Target, site: Site) -> tuple[str, BaseException] | None:
        """The board's question: this run's error when the call is its variant's, else None."""
        variant = self.variant
        if (
            variant is None
            or target.key != variant.target.key
            or (site.path, site.line) != variant.site
        ):
            return None
        return variant.builder.name, variant.builder()

    def hear(self, call: Call) -> None:
        if not self.is_test_code(call.site.path):
            self.calls.append(call)

    def injected(self) -> list[Call]:
        """The calls that raised this run's error."""
        variant = self.variant
        if variant is None:
            return []
        return [c for c in self.calls if c.error is not None and c.target.key == variant.target.key]

    def judge(
        self, raised: BaseException | None, own_failure: bool, show: Callable[[Site], str]
    ) -> Verdict | None:
        """The fault run's verdict (kept on the run), or None when the run reached no call to
        fault."""
        injected = self.injected()
        if self.variant is None or not injected:
            return None
        group = self.variant.target.group
        self.verdict = judge(group.policy, raised, injected, own_failure, group.fallback, show)
        return self.verdict


def tagged(name: str, tag: str) -> str:
    """``test_send`` -> ``test_send[tag]``; ``test_send[a]`` -> ``test_send[a-tag]``, as pytest
    joins ids."""
    if name.endswith("]") and "[" in name:
        return f"{name[:-1]}-{tag}]"
    return f"{name}[{tag}]"


def variants(
    plain: Run, mode: Mode, seed: int, builders: Mapping[tuple[str, str], ErrorBuilder]
) -> list[Variant]:
    """The fault runs a plain run calls for: none unless it passed having reached a call of the
    service.

    Each call site on its own: a fault at the first must not keep the second from being proven.
    """
    if plain.call_outcome != "passed" or plain.brings_faults:
        return []  # it failed, never ran or skipped: a fault proves nothing; or it brings its own
    reached: dict[tuple[tuple[str, str], str, int], Target] = {}
    for call in plain.calls:
        reached.setdefault((call.target.key, call.site.path, call.site.line), call.target)
    labels = [t.label for t in {t.key: t for t in reached.values()}.values()]
    ambiguous = {label for label in labels if labels.count(label) > 1}
    sites_of: dict[tuple[str, str], int] = {}
    for key, _, _ in reached:
        sites_of[key] = sites_of.get(key, 0) + 1
    out = []
    for (key, path, line), target in reached.items():
        label = target.qualname if target.label in ambiguous else target.label
        if sites_of[key] > 1:
            label += f"@{os.path.basename(path)}:{line}"
        for name in _errors(
            target.group.raises, mode, f"{seed}:{plain.test}:{target.qualname}:{line}"
        ):
            out.append(Variant(target, (path, line), builders[(target.contract.name, name)], label))
    return out


def _errors(raises: Sequence[str], mode: Mode, key: str) -> Sequence[str]:
    if mode is Mode.FIRST:
        return raises[:1]
    if mode is Mode.RANDOM:
        return [raises[draw(key, len(raises))]]
    return raises


def draw(key: str, n: int) -> int:
    """A number below ``n`` that depends on the seed, the test and the call alone: the same whatever
    else runs."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % n
