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

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import libcst as cst

from contractlint.analysis.collect import CallRecord, Handler
from contractlint.analysis.handlers import always_raises, children, contains_raise
from contractlint.analysis.scope import Scope
from contractlint.fixes.edits import hunk
from contractlint.fixes.transform import (
    DEFERRED,
    Import,
    Source,
    Where,
    append_to_handler,
    containers,
    import_edits,
    line_of,
    path_to,
    plain,
    reevaluation_is_pure,
    substitute,
    todo_pass,
    try_statement,
    widen_clause,
    without_comments,
    wrap,
)
from contractlint.model import Edit, Fix

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")
_STRING = re.compile(r"""(?<![\w'"])[rRbBuUfF]{0,2}(?:"[^"\\\r\n]*"|'[^'\\\r\n]*')""")


def _split_module(parts: Sequence[str]) -> tuple[str, str, list[str]]:
    """``a.b.Class.attr`` -> (``a.b``, ``Class``, [``attr``]): the module ends before the first
    capitalised part (a class), or before the last part."""
    for i in range(1, len(parts)):
        if parts[i][:1].isupper():
            return ".".join(parts[:i]), parts[i], list(parts[i + 1 :])
    return ".".join(parts[:-1]), parts[-1], []


class Namer:
    """Spells a qualified name the way this module can reach it, and notes the imports it needs."""

    def __init__(self, module_scope: Scope, canonical, module: cst.Module | None = None):
        self.names: dict[str, str] = {}
        self.modules: dict[str, str] = {}
        self.logger: str | None = None
        self.bound: set[str] = set(module_scope.bindings)
        self.canonical = canonical
        #: A module-level name -> the qualified name it stands for (a name or a module).
        self.meaning: dict[str, str] = {}
        for local, value in module_scope.bindings.items():
            if value is None:
                continue
            if value.kind == "name":
                self.names.setdefault(canonical(value.qual), local)
                self.names.setdefault(value.qual, local)
                self.meaning[local] = value.qual
            elif value.kind == "module":
                self.modules.setdefault(value.qual, local)
                self.meaning[local] = value.qual
            elif (
                value.kind == "instance"
                and value.qual == "logging.getLogger"
                and self.logger is None
            ):
                self.logger = local
        #: Modules the file imports names from (``from m import a``), where new names join.
        self.from_modules: set[str] = set()
        for stmt in module.body if module is not None else ():
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if (
                        isinstance(small, cst.ImportFrom)
                        and not small.relative
                        and small.module is not None
                        and not isinstance(small.names, cst.ImportStar)
                    ):
                        self.from_modules.add(
                            cst.helpers.get_full_name_for_node(small.module) or ""
                        )
        self.needed: set[Import] = set()
        #: Names the code being advised already uses, which a new import must not shadow.
        self.taken: frozenset[str] = frozenset()
        #: A name the advice needs is used for something else: it would not mean what it says.
        self.clash = False

    def start(self, taken: Iterable[str] = ()) -> None:
        self.needed = set()
        self.taken = frozenset(taken)
        self.clash = False

    def __call__(self, qualname: str) -> str:
        if "." not in qualname:
            return qualname
        parts = qualname.split(".")
        for cut in range(len(parts), 0, -1):
            head, rest = ".".join(parts[:cut]), parts[cut:]
            local = self.names.get(head) or self.modules.get(head)
            if local is not None:
                return ".".join([local, *rest])
        module, name, rest = _split_module(parts)
        if module in self.from_modules and name not in self.bound and name not in self.taken:
            self.needed.add((module, name))
            return ".".join([name, *rest])
        if parts[0] in self.bound or parts[0] in self.taken:
            self.clash = True
        self.needed.add((module, None))
        return qualname

    def resolve(self, dotted: str) -> str | None:
        """The canonical name that ``dotted``, as this module spells it, stands for: through its
        module-level imports, or a builtin name it does not rebind; None when unknown."""
        head, dot, rest = dotted.partition(".")
        qual = self.meaning.get(head)
        if qual is None:
            return None if dot or head in self.bound or head in self.taken else dotted
        return self.canonical(f"{qual}{dot}{rest}")

    def expression(self, text: str) -> str:
        return _DOTTED.sub(lambda m: self(m.group(0)), text)


@dataclass
class _Site:
    """Where a call sits, and whether a ``try`` can be put around its statement."""

    record: CallRecord
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
    """The recommended handling for the calls of one module that have findings.

    ``locate`` names the nodes whose positions the fixes need, so that the caller finds them in
    the same single pass as the findings' own; ``advise`` then writes the texts and the fixes.
    """

    def __init__(self, module: cst.Module, text: str | None, module_scope: Scope, canonical):
        self.module = module
        self.namer = Namer(module_scope, canonical, module)
        self._text = text
        self._src: Source | None = None
        self._containers: dict[int, dict] = {}
        self._names: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
        self._sites: dict[int, _Site] = {}
        self._quote: str | None = None

    @property
    def src(self) -> Source:
        if self._src is None:
            self._src = Source(self.module, self.module.code if self._text is None else self._text)
        return self._src

    # -- where ---------------------------------------------------------------------------------
    def site(self, record: CallRecord) -> _Site:
        site = self._sites.get(id(record))
        if site is not None:
            return site
        site = self._sites[id(record)] = _Site(record)
        statement = record.statement
        if isinstance(record.frame, cst.Lambda):
            site.reason = (
                "the call is in a lambda, which runs later: no try around a statement can guard it"
            )
            return site
        if statement is None or not isinstance(record.node, cst.Call):
            site.reason = (
                "the call is in a condition, a loop header, a `with`, a decorator or a default value, "
                "where no try can go around it alone"
            )
            return site
        table = self._containers.get(id(record.frame))
        if table is None:
            table = self._containers[id(record.frame)] = containers(record.frame)
        place = table.get(id(statement))
        path = site.path = path_to(statement, record.node)
        if place is None or path is None:
            site.reason = "contractlint could not place a try around this statement"
            return site
        if any(isinstance(node, DEFERRED) for node in path[1:-1]):
            site.reason = "the call is in a comprehension or a lambda, which a try around the statement does not guard"
            return site
        site.container, site.owner = place
        site.path = path
        return site

    def locate(self, judged: Sequence[tuple[CallRecord, Sequence]]) -> list[cst.CSTNode]:
        nodes: list[cst.CSTNode] = []
        for record, problems in judged:
            try:
                nodes.extend(self._locate_one(record, problems))
            except Exception:  # ``advise`` meets the same surprise and says so in the call's help
                continue
        return nodes

    def _locate_one(self, record: CallRecord, problems: Sequence) -> list[cst.CSTNode]:
        nodes: list[cst.CSTNode] = []
        for problem in problems:
            if problem.code == "CL001":
                site = self.site(record)
                if site.reason is None:
                    nodes.append(site.container)
                    if site.owner is not None:
                        nodes.append(site.owner)
            handler: Handler | None = getattr(problem, "target", None)
            if handler is None or handler.suppress:
                continue
            if problem.code == "CL002" and handler.node.type is not None:
                nodes.append(handler.node.type)
            elif problem.code == "CL006":
                body = handler.node.body
                if isinstance(body, cst.SimpleStatementSuite):
                    nodes.append(body.body[-1])
                else:
                    nodes.extend([body.body[0], body.body[-1]])
                    first = body.body[0]
                    if isinstance(first, cst.SimpleStatementLine):
                        nodes.append(first.body[0])
        return nodes

    # -- what ----------------------------------------------------------------------------------
    def _frame_names(self, frame: cst.CSTNode) -> tuple[frozenset[str], frozenset[str]]:
        """(every name the frame uses, the names it binds itself), nested functions included."""
        known = self._names.get(id(frame))
        if known is not None:
            return known
        used: set[str] = set()
        bound: set[str] = set()
        stack: list[cst.CSTNode] = [frame]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name):
                used.add(node.value)
            elif isinstance(node, cst.Param):
                bound.add(node.name.value)
            elif isinstance(
                node,
                (
                    cst.AssignTarget,
                    cst.AnnAssign,
                    cst.AugAssign,
                    cst.For,
                    cst.CompFor,
                    cst.NamedExpr,
                ),
            ):
                bound.update(_stored(node.target))
            elif isinstance(node, cst.AsName):
                bound.update(_stored(node.name))
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node is not frame:
                bound.add(node.name.value)
            stack.extend(children(node))
        known = self._names[id(frame)] = (frozenset(used), frozenset(bound))
        return known

    def _plan(self, record: CallRecord) -> _Plan:
        group = record.group
        self.namer.start(self._frame_names(record.frame)[0])
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
        return line_of(cst.Expr(_expression(text)))

    def _exc_name(self, record: CallRecord) -> str:
        used = self._frame_names(record.frame)[0]
        for name in ("exc", "error", "err", "exc_"):
            if name not in used:
                return name
        n = 1
        while f"exc_{n}" in used:
            n += 1
        return f"exc_{n}"

    def _logger(self, record: CallRecord) -> str | None:
        logger = self.namer.logger
        if logger is None or isinstance(record.frame, cst.Module):
            return logger
        return None if logger in self._frame_names(record.frame)[1] else logger

    def _targets(
        self, record: CallRecord, site: _Site, peers: Sequence[CallRecord]
    ) -> list[list[cst.CSTNode]]:
        """Paths to what the fallback replaces: each call of the group in the statement, or the
        ``await`` around it."""
        paths = []
        for peer in peers:
            path = site.path if peer is record else path_to(record.statement, peer.node)
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
    ) -> _Handler:
        group = record.group
        if group.policy == "fail-closed":
            comment = f"# fail closed: {record.contract.name} could not confirm"
            raise_line = cst.SimpleStatementLine(
                body=[cst.Raise()],
                trailing_whitespace=cst.TrailingWhitespace(
                    whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(comment)
                ),
            )
            return _Handler(
                None,
                [raise_line],
                "re-raise",
                "the contract says fail closed: raise your own error from the original one "
                "(a bare re-raise would change nothing)",
            )
        dropped = (
            isinstance(statement, cst.Expr) and len(paths) == 1 and paths[0][1] is paths[0][-1]
        )
        if dropped:
            logger = self._logger(record)
            if logger is None:
                return _Handler(
                    None,
                    [todo_pass()],
                    "choose a fallback",
                    "there is no module logger to report the failure with, and a handler that "
                    "only passes is silent (CL004): choose what to do",
                )
            exc = self._exc_name(record)
            why = None
            if group.policy != "fail-open" and plan.fallback is None:
                why = (
                    f'the contract lets this call fail open or closed (policy "{group.policy}") and gives '
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
            body.append(todo_pass())
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
            why = "the handler would repeat other calls of the statement: move the service call to a statement of its own"
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
        self, judged: Sequence[tuple[CallRecord, Sequence]], where: Where
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
                texts[i], found = self._advise_one(i, record, problems, peers, where)
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
        self, i: int, record: CallRecord, problems: Sequence, peers, where: Where
    ) -> tuple[str, list[_Draft]]:
        site = self.site(record)
        plan = self._plan(record)
        group_peers = [
            p
            for p in peers.get(id(record.statement), [record])
            if p.group is record.group and p.contract is record.contract
        ] or [record]
        statement = record.statement if site.path is not None else None
        paths = self._targets(record, site, group_peers) if statement is not None else []
        if not paths:
            statement = None
        handler = self._handler(record, plan, statement, paths)
        drafts = []
        for j, problem in enumerate(problems):
            draft = self._draft((i, j), record, problem, site, plan, handler, statement, where)
            if draft is not None:
                drafts.append(draft)
        return self._text_of(record, plan, handler, statement), drafts

    def _text_of(self, record, plan: _Plan, handler: _Handler, statement) -> str:
        body = (
            plain(statement)
            if statement is not None
            else cst.Assign([cst.AssignTarget(cst.Name("result"))], record.node)
        )
        node = try_statement(line_of(body), plan.clause, handler.as_name, handler.body)
        text = self.src.render(node).replace(self.src.newline, "\n").rstrip("\n")
        return "\n".join([*_import_lines(plan.imports(handler)), text])

    def _draft(
        self,
        key,
        record: CallRecord,
        problem,
        site: _Site,
        plan: _Plan,
        handler: _Handler,
        statement,
        where: Where,
    ) -> _Draft | None:
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
            why = handler.why_not or _clash(plan.clashes(handler))
            description = f"wrap the statement in try/except {plan.clause_text} and {handler.what}"
            return _Draft(
                key, _described(description, why), (edit,), why is None, plan.imports(handler)
            )
        target: Handler | None = getattr(problem, "target", None)
        if target is None or target.suppress:
            return None
        at = f" at line {where(target.node)[0][0]}"
        if problem.code == "CL002" and target.node.type is not None:
            used, bound = self._frame_names(record.frame)
            self.namer.start(used)
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
            self.namer.start(bound)
            drop = _subclasses_of(target.node.type, uncovered, record.contract.errors, self.namer)
            edit = widen_clause(self.src, where, target.node, extra, drop)
            why = (
                "a name it needs is already used for something else in this file" if clash else None
            )
            body = target.body
            if why is None and record.group.policy == "fail-open" and contains_raise(body):
                why = "the handler raises, and the contract says fail open (CL003): fix the handler first"
            elif why is None and record.group.policy == "fail-closed" and not always_raises(body):
                why = "the handler can finish without raising, and the contract says fail closed (CL003): fix it first"
            description = f"add {', '.join(missing)} to the except clause{at}"
            if drop:
                which = "which derives" if len(drop) == 1 else "which derive"
                description += f", in place of {', '.join(drop.values())}, {which} from it"
            return _Draft(
                key, _described(description, why), (edit,), why is None, needed, (*drop.values(),)
            )
        if problem.code == "CL006" and record.bound_name and plan.fallback is not None:
            binding = cst.Assign([cst.AssignTarget(cst.Name(record.bound_name))], plan.fallback)
            edit = append_to_handler(self.src, where, target.node, binding)
            why = _clash(plan.fallback_clash)
            description = f"bind {record.bound_name} to {plan.fallback_text} in the handler{at}"
            return _Draft(
                key, _described(description, why), (edit,), why is None, plan.fallback_needed
            )
        return None

    def _uses(self, name: str) -> int | None:
        """How often the module reads ``name``, bound by one of its top-level imports; None when
        it is not, or a string names it (as ``__all__`` does): a name to leave imported."""
        if name not in self.namer.meaning or re.search(
            rf"""['"]{re.escape(name)}['"]""", self.src.text
        ):
            return None
        uses = 0
        stack: list[cst.CSTNode] = [self.module]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Name) and node.value == name:
                uses += 1
            elif not isinstance(node, (cst.Import, cst.ImportFrom)):  # not the binding itself
                stack.extend(children(node))
        return uses

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
                    description = (
                        f"{description}; it needs {'; '.join(_import_lines(draft.needed))}"
                    )
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


def _stored(target: cst.CSTNode) -> Iterable[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _stored(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _stored(target.value)


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


def _import_lines(needed: Iterable[Import]) -> list[str]:
    modules = sorted({m for m, name in needed if name is None})
    names: dict[str, list[str]] = {}
    for module, name in needed:
        if name is not None:
            names.setdefault(module, []).append(name)
    lines = [f"from {m} import {', '.join(sorted(n))}" for m, n in sorted(names.items())]
    return lines + [f"import {m}" for m in modules]
