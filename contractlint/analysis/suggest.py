"""The recommended handling for one call site, written with the names the file already imports."""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set

import libcst as cst

from contractlint.analysis.collect import CallRecord
from contractlint.analysis.scope import Scope

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


class Namer:
    """Spells a qualified name the way this module can reach it (``CapabilityError``, ``cc.CapabilityError``)."""

    def __init__(self, module_scope: Scope, canonical):
        self.names: Dict[str, str] = {}
        self.modules: Dict[str, str] = {}
        self.needed: Set[str] = set()
        self.logger: Optional[str] = None
        for local, value in module_scope.bindings.items():
            if value is None:
                continue
            if value.kind == "name":
                self.names.setdefault(canonical(value.qual), local)
                self.names.setdefault(value.qual, local)
            elif value.kind == "module":
                self.modules.setdefault(value.qual, local)
            elif value.kind == "instance" and value.qual == "logging.getLogger" and self.logger is None:
                self.logger = local

    def __call__(self, qualname: str) -> str:
        if "." not in qualname:
            return qualname
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):
            head, rest = ".".join(parts[:cut]), parts[cut:]
            local = self.names.get(head) or self.modules.get(head)
            if local is not None:
                return ".".join([local, *rest])
        self.needed.add(parts[0])
        return qualname

    def expression(self, text: str) -> str:
        return _DOTTED.sub(lambda m: self(m.group(0)), text)


def suggestion(record: CallRecord, module: cst.Module, namer: Namer) -> str:
    group = record.group
    namer.needed = set()
    errors = [namer(e) for e in group.raises]
    clause = errors[0] if len(errors) == 1 else f"({', '.join(errors)})"
    statement = record.statement if not isinstance(record.frame, cst.Lambda) else None
    call_text = module.code_for_node(record.node)
    if statement is not None:
        text = module.code_for_node(statement).strip()
    else:
        text = f"result = {call_text}"
    target = record.bound_name or ("result" if statement is None else None)
    handler: List[str] = []
    as_exc = ""
    if group.policy == "fail-closed":
        handler.append(f"raise  # fail closed: {record.contract.name} could not confirm")
    else:
        fallback = namer.expression(group.fallback) if group.fallback else None
        if fallback is None or not (target or isinstance(statement, cst.Return)):
            logger = namer.logger or "logging.getLogger(__name__)"
            if namer.logger is None and "logging" not in namer.modules:
                namer.needed.add("logging")
            handler.append(f'{logger}.warning("{record.contract.name} unavailable: %s", exc)')
            as_exc = " as exc"
        if isinstance(statement, cst.Return):
            handler.append(f"return {fallback or 'None  # TODO: choose a fallback'}")
        elif target:
            handler.append(f"{target} = {fallback or 'None  # TODO: choose a fallback'}")
    lines = [f"import {m}" for m in sorted(namer.needed)]
    lines += ["try:"] + [f"    {line}" for line in text.splitlines()]
    lines += [f"except {clause}{as_exc}:"] + [f"    {line}" for line in handler]
    return "\n".join(lines)
