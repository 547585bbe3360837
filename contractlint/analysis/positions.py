"""Line and column of a few nodes, from one code-generation pass that records only those.

libcst's ``PositionProvider`` records every node of the module through the metadata machinery,
which costs twice the parse on real code; a file with findings needs the positions of a handful
of calls, handlers and ``try`` statements. The positions are libcst's own syntactic ones (a test
compares them with ``PositionProvider``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, Iterable, Iterator, Optional, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

Position = Tuple[int, int]  # 1-based line, 0-based column, as libcst counts them


class _RecordingState(CodegenState):
    def __init__(self, module: cst.Module, wanted: Dict[int, cst.CSTNode]):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.wanted = wanted
        self.found: Dict[int, Tuple[Position, Position]] = {}
        self._line = 1
        self._column = 0
        self._counted = 0

    def _here(self) -> Position:
        tokens = self.tokens
        if self._counted < len(tokens):
            chunk = "".join(tokens[self._counted:])
            self._counted = len(tokens)
            newlines = chunk.count("\n") + chunk.count("\r") - chunk.count("\r\n")
            if newlines:
                self._line += newlines
                last = max(chunk.rfind("\n"), chunk.rfind("\r"))
                self._column = len(chunk) - last - 1
            else:
                self._column += len(chunk)
        return self._line, self._column

    @contextmanager
    def record_syntactic_position(self, node: cst.CSTNode, *, start_node: Optional[cst.CSTNode] = None,
                                  end_node: Optional[cst.CSTNode] = None) -> Iterator[None]:
        if id(node) not in self.wanted:
            yield
            return
        for hoisted in (start_node, end_node):
            if hoisted is not None:
                self.wanted[id(hoisted)] = hoisted
        start = self._here()
        yield
        end = self._here()
        if start_node is not None and id(start_node) in self.found:
            start = self.found[id(start_node)][0]
        if end_node is not None and id(end_node) in self.found:
            end = self.found[id(end_node)][1]
        self.found[id(node)] = (start, end)


def positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Dict[int, Tuple[Position, Position]]:
    """``id(node)`` -> ((line, column), (end line, end column)) for each of ``nodes``."""
    wanted = {id(n): n for n in nodes}
    state = _RecordingState(module, wanted)
    module._codegen(state)
    return state.found
