"""Line and column of a few nodes, from one code-generation pass that records only those.

libcst's ``PositionProvider`` records every node of the module through the metadata machinery,
which costs twice the parse on real code; a file with findings needs the positions of a handful
of calls, handlers and ``try`` statements. The positions are libcst's own syntactic ones (a test
compares them with ``PositionProvider``).
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
from libcst._nodes.internal import CodegenState

Position = tuple[int, int]  # 1-based line, 0-based column, as libcst counts them


class _Unwanted:
    """The context of a node whose position nobody asked for: nothing to do, and no generator made
    (libcst's own ``record_syntactic_position`` is a generator-based context manager, entered for
    most nodes of the module)."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


_UNWANTED = _Unwanted()


class _Recording:
    """The context of a wanted node: where its text starts and ends."""

    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(
        self,
        state: _RecordingState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ):
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        state = self.state
        for hoisted in (self.start_node, self.end_node):
            if hoisted is not None:
                state.wanted[id(hoisted)] = hoisted
        self.start = state._here()

    def __exit__(self, kind, *rest: object) -> bool:
        if kind is not None:
            return False
        state = self.state
        start, end = self.start, state._here()
        if self.start_node is not None and id(self.start_node) in state.found:
            start = state.found[id(self.start_node)][0]
        if self.end_node is not None and id(self.end_node) in state.found:
            end = state.found[id(self.end_node)][1]
        state.found[id(self.node)] = (start, end)
        return False


class _RecordingState(CodegenState):
    def __init__(self, module: cst.Module, wanted: dict[int, cst.CSTNode]):
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.wanted = wanted
        self.found: dict[int, tuple[Position, Position]] = {}
        self._line = 1
        self._column = 0
        self._counted = 0

    def _here(self) -> Position:
        tokens = self.tokens
        if self._counted < len(tokens):
            chunk = "".join(tokens[self._counted :])
            self._counted = len(tokens)
            newlines = chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
            if newlines:
                self._line += newlines
                last = max(chunk.rfind("\n"), chunk.rfind("\r"))
                self._column = len(chunk) - last - 1
            else:
                self._column += len(chunk)
        return self._line, self._column

    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ):  # type: ignore[override]
        if id(node) not in self.wanted:
            return _UNWANTED
        return _Recording(self, node, start_node, end_node)


def positions(
    module: cst.Module, nodes: Iterable[cst.CSTNode]
) -> dict[int, tuple[Position, Position]]:
    """``id(node)`` -> ((line, column), (end line, end column)) for each of ``nodes``."""
    wanted = {id(n): n for n in nodes}
    state = _RecordingState(module, wanted)
    module._codegen(state)
    return state.found
