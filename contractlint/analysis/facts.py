"""What a module tells the project-wide analysis (``contractlint.propagation``): its functions,
classes and re-exported names, the calls it makes of the project's own functions and how they are
guarded, and the service errors that leave its functions."""

from __future__ import annotations

import ast

from contractlint.analysis.collect import Collector
from contractlint.analysis.handlers import raising_tests
from contractlint.analysis.judge import escaping, handler_facts
from contractlint.analysis.records import bound_name, qualified
from contractlint.analysis.tree import FUNCTION, WITH
from contractlint.model import Policy
from contractlint.model.project import ClassFacts, Escape, Facts, FunctionFacts, GuardFacts, Link


def facts(collector: Collector, judged, exit_names, source) -> Facts:
    """The facts of the module ``collector`` has walked; ``judged``: its calls and their
    problems."""
    canonical = collector.index.canonical
    module = collector.module_name
    span = source.span
    known_guards: dict = {}
    tests: dict = {}

    def guard_facts(guard) -> GuardFacts:
        known = known_guards.get(id(guard.node))
        if known is None:
            handlers = tuple(
                handler_facts(h, exit_names, h.node.lineno, guard) for h in guard.handlers
            )
            keyword = "with" if isinstance(guard.node, WITH) else "try"
            known = known_guards[id(guard.node)] = GuardFacts(guard.node.lineno, keyword, handlers)
        return known

    fail_closed = any(
        g.policy == Policy.FAIL_CLOSED for c in collector.index.contracts for g in c.calls
    )

    def checked(link) -> bool:
        """Whether the caller tests what the call returns and raises (a fail-closed sentinel check;
        only a fail-closed group has sentinels to test)."""
        if not fail_closed or link.attribute or not isinstance(link.frame_node, FUNCTION):
            return False
        found = tests.get(id(link.frame_node))
        if found is None:
            found = tests[id(link.frame_node)] = raising_tests(link.frame_node.body, exit_names)
        ids, read = found
        if id(link.node) in ids:
            return True
        bound = bound_name(link.statement, link.node) if link.statement is not None else None
        return bound is not None and bound in read

    def frame_of(record) -> str:
        return qualified(module, record.scope) if isinstance(record.frame, FUNCTION) else module

    escapes, sentinels = [], []
    for record, problems in judged:
        sentinel = [p for p in problems if p.sentinel]
        if sentinel:
            sentinels.append(
                Escape(
                    frame_of(record),
                    record.contract.name,
                    record.group.index,
                    (),
                    span(record.node),
                    record.callee,
                    tuple(p.code for p in sentinel),
                    sentinel[0].handler.lineno,
                )
            )
        errors, again = escaping(record)
        if not errors:
            continue
        escapes.append(
            Escape(
                frame_of(record),
                record.contract.name,
                record.group.index,
                errors,
                span(record.node),
                record.callee,
                tuple(p.code for p in problems if p.escape),
                again.lineno if again is not None else None,
            )
        )
    links = []
    for link in collector.links:
        where = span(link.node)
        links.append(
            Link(
                link.callee,
                link.frame,
                link.scope,
                where,
                link.statement.lineno if link.statement is not None else where.line,
                tuple(guard_facts(g) for g in link.guards),
                link.attribute,
                checked(link),
            )
        )
    functions = tuple(
        FunctionFacts(f.qual, f.declared, f.returns, f.is_property) for f in collector.functions
    )
    classes = []
    for info in collector.resolver.classes.values():
        attrs = tuple(
            sorted(
                {
                    (name, canonical(c.qual) + ("[]" if c.kind == "items" else ""))
                    for name, v in info.attrs.items()
                    if v is not None
                    for c in v.candidates()
                    if c.kind in ("instance", "items")
                }
            )
        )
        classes.append(
            ClassFacts(
                info.qual,
                tuple(canonical(b) for b in info.bases),
                tuple(sorted(info.members)),
                attrs,
            )
        )
    aliases, instances = [], []
    for name, value in collector.module_scope.bindings.items():
        if value is None:
            continue
        here = f"{module}.{name}"
        if value.kind in ("name", "module") and value.qual != here:
            aliases.append((here, canonical(value.qual)))
        elif value.kind == "instance":
            instances.append((here, canonical(value.qual)))
    return Facts(
        module,
        functions,
        tuple(classes),
        tuple(aliases),
        tuple(instances),
        tuple(links),
        tuple(escapes),
        sentinels=tuple(sentinels),
    )


def exit_names_of(collector: Collector):
    """What a name in the module stands for, as its imports say (``sys.exit``): the handlers' test
    of a call that leaves the program."""

    def exit_names(node: ast.AST) -> str | None:
        value = collector.resolver.value_of(node, collector.module_scope)
        if value is not None and value.kind == "name":
            return collector.index.canonical(value.qual)
        return None

    return exit_names
