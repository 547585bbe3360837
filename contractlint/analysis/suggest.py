"""The recommended handling of each call site with findings: a text to read, and the fixes.

The text and the fixes come from one plan per call: the group's errors and fallback spelled the
way the file reaches them (``CapabilityError``, ``cc.CapabilityError``), and a handler that binds
or returns the fallback in place of the call. A name the file does not reach yet is imported the
file's way: beside an existing ``from m import ...``, else as ``import m``.

A fix is *safe* (``--fix`` applies it) only where the contract decides everything it writes: the
fallback, or, for a call whose value is dropped under ``fail-open``, a log line on the module's
logger. Where a person must choose (no fallback, ``fail-closed``, a policy of ``any`` for a call
whose value is dropped, a handler that breaks the policy) the fix is a suggestion only.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import libcst as cst

from contractlint.analysis.handlers import always_raises, contains_raise
from contractlint.analysis.namer import Namer, import_lines
from contractlint.analysis.names import FrameNames, uses
from contractlint.analysis.oneline import Wrapper
from contractlint.analysis.parsing import Parsed
from contractlint.analysis.positions import Positions
from contractlint.analysis.records import CallRecord, Handler
from contractlint.analysis.scope import Scope
from contractlint.analysis.units import Units
from contractlint.fixes.edits import hunk
from contractlint.fixes.imports import import_edits
from contractlint.fixes.transform import (
    DEFERRED,
    Import,
    Source,
    append_to_handler,
    line_of,
    path_to,
    plain,
    reevaluation_is_pure,
    reraise,
    substitute,
    todo_pass,
    try_statement,
    widen_clause,
    without_comments,
    wrap,
)
from contractlint.model import Edit, Fix, Policy

_STRING = re.compile(r"""(?<![\w'"])[rRbBuUfF]{0,2}(?:"[^"\\\r\n]*"|'[^'\\\r\n]*')""")


@dataclass
class _Site:
    """Where a call sits, and whether a ``try`` can be put around its statement."""

    record: CallRecord
    statement: cst.CSTNode | None = None  # libcst's small statement
    container: cst.CSTNode | None = None
    owner: cst.CSTNode | None = None
    path: list[cst.CSTNode] | None = None
    reason: str | None = None


@dataclass
class _Plan:
    clause: cst.BaseExpression
    clause_text: str
    fallback: cst.BaseExpression | None
    fallback_text: str | None
    needed: frozenset[Import] = frozenset()
    clash: bool = False
    #: What spelling the fallback needs, apart: a handler that only logs must not import it.
    fallback_needed: frozenset[Import] = frozenset()
    fallback_clash: bool = False

    def imports(self, handler: _Handler) -> frozenset[Import]:
        return self.needed | self.fallback_needed if handler.uses_fallback else self.needed

    def clashes(self, handler: _Handler) -> bool:
        return self.clash or (handler.uses_fallback and self.fallback_clash)


@dataclass
class _Handler:
    as_name: str | None
    body: list[cst.BaseStatement]
    what: str
    why_not: str | None = None  # None: safe to apply
    uses_fallback: bool = False


@dataclass
class _Draft:
    key: tuple[int, int]
    description: str
    edits: tuple[Edit, ...]
    safe: bool
    needed: frozenset[Import] = frozenset()
    #: Names the fix takes out of an ``except`` clause (a name the file may no longer use).
    dropped: tuple[str, ...] = ()


class Advisor:
    """The recommended handling for the calls of one module that have findings: the analysis
    judges on CPython's tree, the advice writes code with libcst's nodes for the statements it
    rewrites (``units``)."""

    def __init__(self, parsed: Parsed, positions: Positions, module_scope: Scope, canonical):
        self.tree = parsed.tree
        self.units = Units(parsed.tree, positions)
        self.namer = Namer(module_scope, canonical, parsed.tree)
        self.src = Source(parsed.text, self.units.newline, self.units.indent, self.units.imports)
        self.wrapper = Wrapper(self.src, positions)
        self.names = FrameNames(parsed.text)
        self._quote: str | None = None
        #: The lines of handlers, shared by every handler that has them (``Wrapper`` keys on them).
        self._lines: dict[tuple[str, str], cst.SimpleStatementLine] = {}

    # -- where ---------------------------------------------------------------------------------
    def site(self, record: CallRecord) -> _Site:
        site = _Site(record)
        statement = record.statement
        if isinstance(record.frame, ast.Lambda):
            site.reason = (
                "the call is in a lambda, which runs later: no try around a statement can guard it"
            )
            return site
        if statement is None or not isinstance(record.node, ast.Call):
            site.reason = (
                "the call is in a condition, a loop header, a `with`, a decorator or a default "
                "value, where no try can go around it alone"
            )
            return site
        place = self.units.small(statement)
        call = self.units.expression(record.node)
        site.statement = place[0] if place is not None else None
        path = site.path = path_to(place[0], call) if place and call else None
        if place is None or path is None:
            site.reason = "contractlint could not place a try around this statement"
            return site
        if any(isinstance(node, DEFERRED) for node in path[1:-1]):
            site.reason = (
                "the call is in a comprehension or a lambda, which a try around the statement does "
                "not guard"
            )
            return site
        site.container, site.owner = place[1], place[2]
        return site

    # -- what ----------------------------------------------------------------------------------
    def _plan(self, record: CallRecord) -> _Plan:
        group = record.group
        self.namer.start(self.names.used(record.frame))
        errors = [self.namer(e) for e in group.raises]
        clause_text = errors[0] if len(errors) == 1 else f"({', '.join(errors)})"
        needed, clash = frozenset(self.namer.needed), self.namer.clash
        self.namer.start(self.namer.taken)
        fallback_text = self.namer.expression(group.fallback) if group.fallback else None
        fallback = _expression(fallback_text) if fallback_text else None
        return _Plan(
            _expression(clause_text) or cst.Name("Exception"),
            clause_text,
            fallback,
            fallback_text if fallback is not None else None,
            needed,
            clash,
            frozenset(self.namer.needed),
            self.namer.clash,
        )

    def _quote_char(self) -> str:
        if self._quote is None:
            found = _STRING.findall(self.src.text)
            single = sum(1 for s in found if s.lstrip("rRbBuUfF").startswith("'"))
            self._quote = "'" if single > len(found) - single else '"'
        return self._quote

    def _log_line(self, record: CallRecord, logger: str, exc: str) -> cst.SimpleStatementLine:
        q = self._quote_char()
        text = f"{logger}.warning({q}{record.contract.name} unavailable: %s{q}, {exc})"
        return self._line(("log", text), lambda: line_of(cst.Expr(_expression(text))))

    def _line(self, key: tuple[str, str], make) -> cst.SimpleStatementLine:
        if key not in self._lines:
            self._lines[key] = make()
        return self._lines[key]

    def _exc_name(self, record: CallRecord) -> str:
        used = self.names.used(record.frame)
        for name in ("exc", "error", "err", "exc_"):
            if name not in used:
                return name
        n = 1
        while f"exc_{n}" in used:
            n += 1
        return f"exc_{n}"

    def _logger(self, record: CallRecord) -> str | None:
        logger = self.namer.logger
        if logger is None or isinstance(record.frame, ast.Module):
            return logger
        return None if logger in self.names.bound(record.frame) else logger

    def _targets(
        self, record: CallRecord, site: _Site, peers: Sequence[CallRecord]
    ) -> list[list[cst.CSTNode]]:
        """Paths to what the fallback replaces: each call of the group in the statement, or the
        ``await`` around it."""
        paths = []
        for peer in peers:
            call = self.units.expression(peer.node) if peer is not record else None
            path = site.path if peer is record else path_to(site.statement, call) if call else None
            if path is None:
                continue
            if len(path) >= 2 and isinstance(path[-2], cst.Await):
                path = path[:-1]
            paths.append(path)
        return paths

    def _handler(
        self,
        record: CallRecord,
        plan: _Plan,
        statement: cst.CSTNode | None,
        paths: list[list[cst.CSTNode]],
        dropped: bool,
    ) -> _Handler:
        """The handler around the call (``dropped``: its statement is the call, or its await)."""
        group = record.group
        if group.policy == Policy.FAIL_CLOSED:
            comment = f"# fail closed: {record.contract.name} could not confirm"
            return _Handler(
                None,
                [self._line(("raise", comment), lambda: reraise(comment))],
                "re-raise",
                "the contract says fail closed: raise your own error from the original one "
                "(a bare re-raise would change nothing)",
            )
        if dropped:
            logger = self._logger(record)
            if logger is None:
                return _Handler(
                    None,
                    [self._line(("todo", ""), todo_pass)],
                    "choose a fallback",
                    "there is no module logger to report the failure with, and a handler that "
                    "only passes is silent (CL004): choose what to do",
                )
            exc = self._exc_name(record)
            why = None
            if group.policy != Policy.FAIL_OPEN and plan.fallback is None:
                why = (
                    f'the contract lets this call fail open or closed (policy "{group.policy}") '
                    "and gives "
                    "no fallback: choose whether to carry on"
                )
            return _Handler(
                exc, [self._log_line(record, logger, exc)], f"log the failure with {logger}", why
            )
        if plan.fallback is None:
            body: list[cst.BaseStatement] = []
            exc = None
            logger = self._logger(record)
            if logger is not None:
                exc = self._exc_name(record)
                body.append(self._log_line(record, logger, exc))
            body.append(self._line(("todo", ""), todo_pass))
            return _Handler(
                exc, body, "choose a fallback", "the contract gives no fallback: choose one"
            )
        if statement is None:
            target = cst.Name("result")
            return _Handler(
                None,
                [line_of(cst.Assign([cst.AssignTarget(target)], plan.fallback))],
                f"fall back to {plan.fallback_text}",
                uses_fallback=True,
            )
        tops = [p[-1] for p in paths if len(p) == 2]
        new = without_comments(
            substitute(plain(statement), [p[-1] for p in paths], plan.fallback, tops)
        )
        why = None
        if not reevaluation_is_pure(statement, paths):
            why = (
                "the handler would repeat other calls of the statement: move the service call to a "
                "statement of its own"
            )
        elif (
            isinstance(plan.fallback, cst.Name)
            and plan.fallback.value == "None"
            and any(
                len(p) > 2 and not isinstance(p[-2], (cst.Arg, cst.Element, cst.DictElement))
                for p in paths
            )
        ):
            why = "the fallback None would be used as an object here"
        return _Handler(
            None, [line_of(new)], f"fall back to {plan.fallback_text}", why, uses_fallback=True
        )

    def advise(
        self, judged: Sequence[tuple[CallRecord, Sequence]]
    ) -> tuple[dict[int, str], dict[tuple[int, int], Fix]]:
        """(index of a record -> its recommended handling, (record, problem) -> its fix)."""
        texts: dict[int, str] = {}
        drafts: list[_Draft] = []
        peers: dict[int, list[CallRecord]] = {}
        for record, problems in judged:
            if problems and record.statement is not None:
                peers.setdefault(id(record.statement), []).append(record)
        for i, (record, problems) in enumerate(judged):
            if not problems:
                continue
            try:
                texts[i], found = self._advise_one(i, record, problems, peers)
            except (
                Exception
            ) as exc:  # the findings matter more than their advice: keep them, say why
                texts[i] = (
                    f"# contractlint could not write the recommended handling for this call "
                    f"({type(exc).__name__}: {exc}); please report it"
                )
                continue
            drafts.extend(found)
        return texts, self._finish(drafts)

    def _advise_one(
        self, i: int, record: CallRecord, problems: Sequence, peers
    ) -> tuple[str, list[_Draft]]:
        group_peers = [
            p
            for p in peers.get(id(record.statement), [record])
            if p.group is record.group and p.contract is record.contract
        ] or [record]
        quick = self._on_its_line(i, record, problems, group_peers)
        if quick is not None:
            return quick
        site = self.site(record)
        plan = self._plan(record)
        statement = site.statement if site.path is not None else None
        paths = self._targets(record, site, group_peers) if statement is not None else []
        if not paths:
            statement = None
        alone = isinstance(statement, cst.Expr) and len(paths) == 1 and paths[0][1] is paths[0][-1]
        handler = self._handler(record, plan, statement, paths, alone)
        drafts = []
        for j, problem in enumerate(problems):
            draft = self._draft((i, j), record, problem, site, plan, handler, statement)
            if draft is not None:
                drafts.append(draft)
        return self._text_of(record, plan, handler, statement), drafts

    def _on_its_line(
        self, i: int, record: CallRecord, problems: Sequence, group_peers: Sequence[CallRecord]
    ) -> tuple[str, list[_Draft]] | None:
        """The advice and fixes of a call whose statement, alone on its line, only needs a ``try``
        around it, from the line's text (``oneline``); None where libcst's nodes are needed."""
        codes = [problem.code for problem in problems]
        line = self.wrapper.line(record, codes, group_peers)
        if line is None:
            return None
        plan = self._plan(record)
        handler = self._handler(record, plan, None, [], line.dropped)
        texts = self.wrapper.texts(
            line, (plan.clause_text, plan.clause), handler.as_name, handler.body
        )
        if texts is None:
            return None
        text, edit = texts
        drafts = [self._wrapped((i, j), plan, handler, edit) for j in range(len(problems))]
        return "\n".join([*import_lines(plan.imports(handler)), text]), drafts

    def _wrapped(self, key, plan: _Plan, handler: _Handler, edit: Edit) -> _Draft:
        """The draft of the fix of CL001 that puts the call's statement in a ``try`` (``edit``)."""
        why = handler.why_not or _clash(plan.clashes(handler))
        description = f"wrap the statement in try/except {plan.clause_text} and {handler.what}"
        return _Draft(
            key, _described(description, why), (edit,), why is None, plan.imports(handler)
        )

    def _text_of(self, record, plan: _Plan, handler: _Handler, statement) -> str:
        if statement is not None:
            body = plain(statement)
        else:
            node = self.units.expression(record.node)
            if node is None:
                raise LookupError("the call was not found in libcst's tree")
            body = cst.Assign([cst.AssignTarget(cst.Name("result"))], node)
        node = try_statement(line_of(body), plan.clause, handler.as_name, handler.body)
        text = self.src.render(node).replace(self.src.newline, "\n").rstrip("\n")
        return "\n".join([*import_lines(plan.imports(handler)), text])

    def _draft(
        self,
        key,
        record: CallRecord,
        problem,
        site: _Site,
        plan: _Plan,
        handler: _Handler,
        statement,
    ) -> _Draft | None:
        where = self.units.where
        if problem.code == "CL001":
            if site.reason is not None or statement is None:
                return None
            edit = wrap(
                self.src,
                where,
                statement,
                site.container,
                site.owner,
                lambda body: try_statement(body, plan.clause, handler.as_name, handler.body),
            )
            return self._wrapped(key, plan, handler, edit)
        target: Handler | None = getattr(problem, "target", None)
        if target is None or target.suppress:
            return None
        at = f" at line {target.node.lineno}"
        if problem.code == "CL002" and target.node.type is not None:
            self.namer.start(self.names.used(record.frame))
            uncovered = _uncovered(record)
            missing = [self.namer(e) for e in uncovered]
            if not missing:
                return None
            needed, clash = frozenset(self.namer.needed), self.namer.clash
            extra = [_expression(m) for m in missing]
            if any(e is None for e in extra):
                return None
            # A name caught already whose class derives from one added goes: ``except (Unavailable,
            # CapabilityError)`` lists a class beside its own base (flake8-bugbear's B014).
            self.namer.start(self.names.bound(record.frame))
            node = self._handler_node(target)
            drop = _subclasses_of(node.type, uncovered, record.contract.errors, self.namer)
            edit = widen_clause(self.src, where, node, extra, drop)
            why = (
                "a name it needs is already used for something else in this file" if clash else None
            )
            body = target.body
            if why is None and record.group.policy == Policy.FAIL_OPEN and contains_raise(body):
                why = (
                    "the handler raises, and the contract says fail open (CL003): fix the handler "
                    "first"
                )
            elif (
                why is None
                and record.group.policy == Policy.FAIL_CLOSED
                and not always_raises(body)
            ):
                why = (
                    "the handler can finish without raising, and the contract says fail closed "
                    "(CL003): fix it first"
                )
            description = f"add {', '.join(missing)} to the except clause{at}"
            if drop:
                which = "which derives" if len(drop) == 1 else "which derive"
                description += f", in place of {', '.join(drop.values())}, {which} from it"
            return _Draft(
                key, _described(description, why), (edit,), why is None, needed, (*drop.values(),)
            )
        if problem.code == "CL006" and record.bound_name and plan.fallback is not None:
            binding = cst.Assign([cst.AssignTarget(cst.Name(record.bound_name))], plan.fallback)
            edit = append_to_handler(self.src, where, self._handler_node(target), binding)
            why = _clash(plan.fallback_clash)
            description = f"bind {record.bound_name} to {plan.fallback_text} in the handler{at}"
            return _Draft(
                key, _described(description, why), (edit,), why is None, plan.fallback_needed
            )
        return None

    def _handler_node(self, handler: Handler) -> cst.ExceptHandler:
        node = self.units.handler(handler.node)
        if node is None:
            raise LookupError("the handler was not found in libcst's tree")
        return node

    def _uses(self, name: str) -> int | None:
        """How often the module reads ``name``, bound by one of its top-level imports; None when
        it is not, or a string names it (as ``__all__`` does): a name to leave imported."""
        if name not in self.namer.meaning or re.search(
            rf"""['"]{re.escape(name)}['"]""", self.src.text
        ):
            return None
        return uses(self.tree, name)  # outside the imports: not the binding itself

    def _unused_imports(self, drafts: Sequence[_Draft]) -> tuple[frozenset[str], list[_Draft]]:
        """The imported names every use of which a safe fix takes out of an ``except`` clause, and
        those fixes. They are applied together or not at all (each carries the edits of all), with
        the import edits that take the names out: a name is never unimported while a use is left."""
        counts = Counter(n for d in drafts if d.safe for n in d.dropped)
        unused = frozenset(n for n, k in counts.items() if self._uses(n) == k)
        return unused, [d for d in drafts if d.safe and unused.intersection(d.dropped)]

    def _finish(self, drafts: list[_Draft]) -> dict[tuple[int, int], Fix]:
        """Every safe fix of the file carries the same import edits (for the imports all of them
        need), so that applying several at once adds each import once. libcst's import visitor
        costs tens of milliseconds a file, so a suggestion-only fix, never applied, names the
        imports it needs in its description instead of carrying their edits."""
        joint = frozenset(i for d in drafts if d.safe for i in d.needed)
        try:
            shared = import_edits(self.src, joint) if joint else ()
        except Exception as exc:  # no import, no safe fix: each becomes a suggestion that says why
            shared = ()
            drafts = [
                d
                if not (d.safe and d.needed)
                else _Draft(
                    d.key,
                    _described(d.description, f"contractlint could not add the imports ({exc})"),
                    d.edits,
                    False,
                    d.needed,
                )
                for d in drafts
            ]
        unused, together = (
            self._unused_imports(drafts) if any(d.dropped for d in drafts) else (frozenset(), [])
        )
        together_edits: tuple[Edit, ...] = ()
        if together:
            # Their own import edits overlap the shared ones: other fixes go first, these follow.
            try:
                removal = import_edits(self.src, joint, unused)
            except Exception:  # the names stay imported
                together = []
            together_edits = (*(e for d in together for e in d.edits), *removal) if together else ()
        fixes: dict[tuple[int, int], Fix] = {}
        for draft in drafts:
            description = draft.description
            if draft in together:
                edits = (*draft.edits, *(e for e in together_edits if e not in draft.edits))
            elif draft.safe:
                edits = (*draft.edits, *(shared if draft.needed else ()))
            else:
                edits = draft.edits
                if draft.needed:
                    description = f"{description}; it needs {'; '.join(import_lines(draft.needed))}"
            fixes[draft.key] = Fix(
                description, edits, draft.safe, hunk(self.src.text, edits, self.src.offsets)
            )
        return fixes


def _described(description: str, why: str | None) -> str:
    return description if why is None else f"{description} (suggestion only: {why})"


def _clash(clash: bool) -> str | None:
    return "a name it needs is already used for something else in this file" if clash else None


@lru_cache(maxsize=1024)
def _expression(text: str) -> cst.BaseExpression | None:
    """Parsed once per text (libcst nodes are immutable, so they are shared)."""
    try:
        return cst.parse_expression(text)
    except Exception:  # a fallback that is not one expression is left to the person
        return None


def _uncovered(record: CallRecord) -> list[str]:
    hierarchy = record.contract.errors
    out = []
    for error in record.group.raises:
        caught = any(
            handler.names is None or any(hierarchy.catches(name, error) for name in handler.names)
            for guard in record.guards
            for handler in guard.handlers
        )
        if not caught:
            out.append(error)
    return out


def _subclasses_of(clause, added: Sequence[str], hierarchy, namer: Namer) -> dict[int, str]:
    """Which names of an ``except`` clause (their index in the tuple, or 0 for a lone name) derive
    from one of the ``added`` errors, as the file spells them."""
    items = [e.value for e in clause.elements] if isinstance(clause, cst.Tuple) else [clause]
    out = {}
    for i, item in enumerate(items):
        spelled = cst.helpers.get_full_name_for_node(item)
        caught = namer.resolve(spelled) if spelled else None
        if caught is not None and any(a != caught and hierarchy.catches(a, caught) for a in added):
            out[i] = spelled
    return out
