"""Faults inside one ``with`` block: what the ``contract_faults`` fixture hands to a test.

The plugin's own runs answer "does the code degrade?"; a team that wants to assert on the degraded
result itself (the sticker really is sent, as a static one) needs the fault where it can look:
inside the test, around the one call it makes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack

from contractlint.faults.inject import BOARD, Call, Site, patcher
from contractlint.faults.targets import ErrorBuilder, Resolution, Target, build_error, problem_line
from contractlint.model import CallGroup, glob_to_regex
from contractlint.tomlfile import describe, suggest


class FaultBlock:
    """Every call to the chosen functions raises its group's chosen error while the block is
    open."""

    def __init__(self, targets: Sequence[Target], builders: dict[int, ErrorBuilder]):
        self.targets = list(targets)
        self._builders = builders
        self._keys = {t.key for t in self.targets}
        self._stack: ExitStack | None = None
        #: Every call of a chosen function made inside the block, in order; each raised its error.
        self.injected: list[Call] = []

    def fault_for(self, target: Target, site: Site) -> tuple[str, BaseException] | None:
        builder = self._builders.get(target.group.index) if target.key in self._keys else None
        if builder is None:
            return None
        return builder.name, builder()

    def _hear(self, call: Call) -> None:
        if call.error is not None and call.target.key in self._keys:
            self.injected.append(call)

    def __enter__(self) -> FaultBlock:
        stack = ExitStack()
        try:
            stack.enter_context(patcher.installed(self.targets))
            stack.enter_context(BOARD.listening(self._hear))
            stack.enter_context(BOARD.plan(self))
        except BaseException:
            stack.close()
            raise
        self._stack = stack
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    @property
    def errors(self) -> list[BaseException]:
        """The errors raised, one per call, in order."""
        return [c.error for c in self.injected if c.error is not None]


def plan_block(
    resolution: Resolution, error: None | str | type = None, match: str | None = None
) -> FaultBlock:
    """A block for ``resolution``'s contract; ``ValueError`` with one line when the request cannot
    be met.

    ``error``: the error to raise (a name the contract lists under ``[errors]``, a builtin
    exception, or the class itself): every group whose ``raises`` covers it takes it, the others are
    left alone. None: each group raises the first error it lists. ``match``: only the functions this
    glob names.
    """
    contract = resolution.contract
    targets = list(resolution.targets)
    if match is not None:
        regex = glob_to_regex(match)
        targets = [t for t in targets if regex.match(t.qualname)]
        if not targets:
            raise ValueError(
                f"contract_faults: match={describe(match)} names none of {contract.name}'s calls "
                f"({', '.join(t.qualname for t in resolution.targets) or 'none resolved'})"
            )
    builders: dict[int, ErrorBuilder] = {}
    if error is None:
        for gi, group in enumerate(contract.calls):
            builders[group.index] = build_error(
                contract, group.raises[0], ["calls", gi, "raises", 0]
            )
    else:
        name = _error_name(error, contract.aliases)
        groups = [g for g in contract.calls if _covers(g, name, contract)]
        if not groups:
            known = [*contract.errors.bases]
            raise ValueError(
                f"contract_faults: {describe(name)} is not an error {contract.name} says its calls "
                "raise (the groups raise "
                f"{', '.join(sorted({r for g in contract.calls for r in g.raises}))})"
                f"{suggest(name, known)}"
            )
        for group in groups:
            builders[group.index] = build_error(contract, name, ["errors", name])
    targets = [t for t in targets if t.group.index in builders]
    if not targets:
        raise ValueError(
            problem_line(
                contract, ["calls"], "no function of these call groups could be found to patch"
            )
        )
    return FaultBlock(targets, builders)


def _error_name(error: str | type, aliases: Mapping[str, str]) -> str:
    from contractlint.model import canonical_name

    if isinstance(error, type):
        module = error.__module__
        name = error.__qualname__ if module == "builtins" else f"{module}.{error.__qualname__}"
    else:
        name = error
    return canonical_name(name, aliases)


def _covers(group: CallGroup, name: str, contract) -> bool:
    """Whether a guard the group asks for would catch ``name``: it is one of ``raises`` or derives
    from one."""
    ancestors = contract.errors.ancestors(name)
    return any(r in ancestors for r in group.raises)


__all__ = ["FaultBlock", "plan_block"]
