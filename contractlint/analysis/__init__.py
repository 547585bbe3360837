"""Analysis of one Python file against the contracts in force: the only layer that imports libcst."""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass, field

import libcst as cst

from contractlint.analysis.collect import Collector, bound_name
from contractlint.analysis.handlers import body_of, raising_tests
from contractlint.analysis.index import ContractIndex
from contractlint.analysis.judge import escaping, handler_facts, judge
from contractlint.analysis.positions import positions
from contractlint.analysis.suggest import Advisor
from contractlint.model import CallSite, Finding, Span, rule_by_code
from contractlint.model.project import ClassFacts, Escape, Facts, FunctionFacts, GuardFacts, Link

__all__ = ["ContractIndex", "FileResult", "analyse_deep", "analyse_source"]


@dataclass
class FileResult:
    findings: list[Finding] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    #: What the file tells about the project (``contractlint.model.project``); None if not parsed.
    facts: Facts | None = None


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    rule = rule_by_code("CL900")
    return Finding(
        path=path,
        span=Span(line, column, line, column),
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=message,
    )


def analyse_source(
    source: str | bytes,
    path: str,
    index: ContractIndex,
    module_name: str = "",
    target_version: tuple[int, int] | None = None,
    project: frozenset[str] | None = None,
) -> FileResult:
    """Parse ``source`` and judge every service call in it. ``path`` is only used to label findings.
    ``target_version``: the oldest Python the code must run on; newer syntax is CL900 there."""
    refused = _refuse(source, path)
    if refused is not None:
        return FileResult([refused])
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return FileResult([_syntax_error(source, path, exc)])
    except UnicodeDecodeError as exc:
        return FileResult([_decode_error(source, path, exc)])
    except (LookupError, SyntaxError, ValueError) as exc:
        return FileResult([parse_error(path, f"cannot decode: {exc}")])
    if target_version is not None:
        newer = _newer_syntax(module, target_version)
        if newer is not None:
            node, needs, what = newer
            (line, column), _ = positions(module, [node])[id(node)]
            return FileResult(
                [
                    parse_error(
                        path,
                        f"cannot parse for Python {target_version[0]}.{target_version[1]}: {what} needs Python "
                        f"{needs[0]}.{needs[1]} (the target version: --target-version or requires-python)",
                        line,
                        column + 1,
                    )
                ]
            )
    return analyse_module(module, path, index, module_name or _module_name(path), source, project)


#: What CPython's own parser says when code is nested deeper than any Python accepts.
_TOO_DEEP = ("too many nested parentheses", "too many levels of indentation", "too complex")


def _refuse(source: str | bytes, path: str) -> Finding | None:
    """CL900 for what libcst's native parser must never see: a NUL byte (not Python; often a binary
    file), and code nested deeper than CPython accepts, on which libcst's parser overflows its stack
    (a crash no ``except`` can catch) or takes quadratic time. CPython's parser is ten times
    faster than libcst's and guards itself, so it measures the depth first."""
    nul = source.find(b"\0" if isinstance(source, bytes) else "\0")
    if nul >= 0:
        line, column = _line_column(source, nul)
        return parse_error(
            path, "cannot parse: the file holds a NUL byte (is it a binary file?)", line, column
        )
    try:
        tree = compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        # Before 3.11, CPython builds trees libcst's parser cannot (a 10,000-term ``+`` chain):
        # hold them to the depth 3.11 refuses at.
        if sys.version_info < (3, 11) and _deeper_than(tree, _CPYTHON_311_DEPTH):
            return parse_error(
                path, "cannot parse: the code is nested too deeply (more than Python accepts)"
            )
    except (RecursionError, MemoryError):
        return parse_error(
            path, "cannot parse: the code is nested too deeply (more than Python accepts)"
        )
    except SyntaxError as err:
        if any(text in (err.msg or "") for text in _TOO_DEEP):
            return parse_error(
                path, f"cannot parse: {err.msg}", err.lineno or 1, max(err.offset or 1, 1)
            )
    except Exception:  # undecodable text and the like: libcst says it better below
        pass
    return None


#: Roughly where Python 3.11's parser stops building a tree (a ``+`` chain of 3,000 terms).
_CPYTHON_311_DEPTH = 2900


def _deeper_than(tree: ast.AST, limit: int) -> bool:
    """Whether ``tree`` nests deeper than ``limit``; iterative, so it cannot overflow itself."""
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return False


def _newer_syntax(module: cst.Module, target: tuple[int, int]):
    """The first statement that needs a Python newer than ``target``: (node, version, what), or None.
    libcst's native parser takes every version's syntax, so the target is checked on the tree."""
    found: list = []

    class Finder(cst.CSTVisitor):
        def note(self, node: cst.CSTNode, needs: tuple[int, int], what: str) -> None:
            if needs > target and not found:
                found.append((node, needs, what))

        def on_visit(self, node: cst.CSTNode) -> bool:
            if found:
                return False
            if isinstance(node, cst.Match):
                self.note(node, (3, 10), "a match statement")
            elif isinstance(node, cst.TryStar):
                self.note(node, (3, 11), "except*")
            elif isinstance(node, cst.TypeAlias):
                self.note(node, (3, 12), "a type statement")
            elif (
                isinstance(node, (cst.FunctionDef, cst.ClassDef))
                and node.type_parameters is not None
            ):
                self.note(node, (3, 12), "a type parameter list")
            elif (
                isinstance(node, cst.ExceptHandler)
                and isinstance(node.type, cst.Tuple)
                and not node.type.lpar
            ):
                self.note(node, (3, 14), "except without parentheses around several errors")
            return True

    module.visit(Finder())
    return found[0] if found else None


def _line_column(source: str | bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``source``, for any line ending."""
    head = source[:offset]
    nl, cr = ("\n", "\r") if isinstance(head, str) else (b"\n", b"\r")
    line = head.count(nl) + head.count(cr) - head.count(cr + nl) + 1
    start = max(head.rfind(nl), head.rfind(cr)) + 1
    rest = head[start:]
    if isinstance(rest, bytes):
        rest = rest.decode("utf-8", "replace")
    return line, len(rest) + 1


def _decode_error(source: str | bytes, path: str, exc: UnicodeDecodeError) -> Finding:
    line, column = _line_column(source, exc.start) if isinstance(source, bytes) else (1, 1)
    return parse_error(
        path,
        f"cannot decode: {exc.encoding} cannot decode byte 0x{exc.object[exc.start]:02x}: "
        f"{exc.reason} (wrong encoding, or a coding cookie that lies?)",
        line,
        column,
    )


def analyse_deep(
    source: str | bytes, path: str, index: ContractIndex, *args, **kwargs
) -> FileResult:
    """``analyse_source`` again, for a file whose tree is deeper than Python's recursion limit allows
    (libcst nests each part of an implicit string concatenation, a long ``elif`` chain or operator
    chain one level deeper): in a thread with a large stack and a higher limit. The CPython guard of
    ``analyse_source`` has already refused what is deeper than Python itself accepts."""
    import sys
    import threading

    out: list = []

    def work() -> None:
        try:
            out.append(analyse_source(source, path, index, *args, **kwargs))
        except BaseException as exc:  # handed to the caller's thread
            out.append(exc)

    old_stack, old_limit = threading.stack_size(), sys.getrecursionlimit()
    try:
        threading.stack_size(DEEP_STACK)
        sys.setrecursionlimit(max(old_limit, DEEP_RECURSION))
        thread = threading.Thread(target=work, name="contractlint-deep", daemon=True)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if isinstance(out[0], BaseException):
        raise out[0]
    return out[0]


#: The stack of the thread that analyses deep files (virtual memory, used only as deep as needed),
#: and its recursion limit: about 2 KiB of stack per Python frame leaves a wide margin.
DEEP_STACK = 512 * 1024 * 1024
DEEP_RECURSION = 60_000


_AT = re.compile(r"error at (\d+):(\d+): ")


def _syntax_error(source: str | bytes, path: str, exc: cst.ParserSyntaxError) -> Finding:
    """Python's own compiler words syntax errors better and places them right; libcst's is the fallback."""
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as err:
        if err.lineno:
            return parse_error(
                path, f"cannot parse: {err.msg}", err.lineno, max(err.offset or 1, 1)
            )
    except (ValueError, TypeError):
        pass
    message = (str(exc.message).strip().splitlines() or ["syntax error"])[0]
    message = message.replace("parser error: ", "")
    found = _AT.search(message)
    if found:
        line, column = int(found.group(1)), int(found.group(2)) + 1
        return parse_error(path, f"cannot parse: {_AT.sub('', message)}", line, column)
    return parse_error(path, f"cannot parse: {message}", exc.raw_line, exc.raw_column + 1)


def _module_name(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-3] if name.endswith(".py") else name


def analyse_module(
    module: cst.Module,
    path: str,
    index: ContractIndex,
    module_name: str,
    source: str | bytes | None = None,
    project: frozenset[str] | None = None,
) -> FileResult:
    is_package = path.replace("\\", "/").endswith("/__init__.py") or path == "__init__.py"
    collector = Collector(index, module_name, is_package=is_package, project=project)
    records = collector.run(module)
    result = FileResult()

    def exit_names(node: cst.CSTNode) -> str | None:
        return _module_qualname(collector, node)

    if not records and not collector.links:
        result.facts = _facts(collector, [], {}, exit_names)
        return result
    judged = [(record, judge(record, exit_names)) for record in records]
    nodes = [r.node for r in records] + [r.statement for r in records if r.statement is not None]
    for record in [*records, *collector.links]:
        for guard in record.guards:
            nodes.append(guard.node)
            nodes.extend(h.node for h in guard.handlers)
    for link in collector.links:
        nodes.append(link.node)
        if link.statement is not None:
            nodes.append(link.statement)
    advisor = Advisor(module, _text(module, source), collector.module_scope, index.canonical)
    nodes.extend(advisor.locate(judged))
    where_is = positions(module, nodes)

    def line_of(node: cst.CSTNode) -> int:
        return where_is[id(node)][0][0]

    help_texts, fixes = advisor.advise(judged, lambda node: where_is[id(node)])
    for i, (record, problems) in enumerate(judged):
        (line, column), (end_line, end_column) = where_is[id(record.node)]
        span = Span(line, column + 1, end_line, end_column + 1)
        state = "approved" if record.approved else ("broken" if problems else "kept")
        result.calls.append(
            CallSite(
                path,
                span,
                record.contract.name,
                record.group.index,
                record.callee,
                state,
                scope=record.scope,
            )
        )
        if not problems:
            continue
        help_text = help_texts.get(i, "")
        for j, problem in enumerate(problems):
            rule = rule_by_code(problem.code)
            result.findings.append(
                Finding(
                    path=path,
                    span=span,
                    code=problem.code,
                    name=rule.name,
                    severity=problem.severity,
                    message=problem.message(line_of),
                    contract=record.contract.name,
                    callee=record.callee,
                    suggestion=help_text,
                    remediation=record.group.remediation or record.contract.remediation,
                    scope=record.scope,
                    statement_line=line_of(record.statement)
                    if record.statement is not None
                    else line,
                    handler_line=line_of(problem.handler) if problem.handler is not None else None,
                    fix=fixes.get((i, j)),
                )
            )
    result.facts = _facts(collector, judged, where_is, exit_names)
    return result


def _facts(collector: Collector, judged, where_is, exit_names) -> Facts:
    """What this module tells the project-wide analysis (``contractlint.propagation``)."""
    canonical = collector.index.canonical
    module = collector.module_name

    def span(node: cst.CSTNode) -> Span:
        (line, column), (end_line, end_column) = where_is[id(node)]
        return Span(line, column + 1, end_line, end_column + 1)

    def line(node: cst.CSTNode) -> int:
        return where_is[id(node)][0][0]

    known_guards: dict = {}
    tests: dict = {}

    def guard_facts(guard) -> GuardFacts:
        known = known_guards.get(id(guard.node))
        if known is None:
            known = known_guards[id(guard.node)] = _guard_facts(guard)
        return known

    fail_closed = any(g.policy == "fail-closed" for c in collector.index.contracts for g in c.calls)

    def checked(link) -> bool:
        """Whether the caller tests what the call returns and raises (a fail-closed sentinel check;
        only a fail-closed group has sentinels to test)."""
        if not fail_closed or link.attribute or not isinstance(link.frame_node, cst.FunctionDef):
            return False
        found = tests.get(id(link.frame_node))
        if found is None:
            found = tests[id(link.frame_node)] = raising_tests(body_of(link.frame_node), exit_names)
        ids, read = found
        if id(link.node) in ids:
            return True
        bound = bound_name(link.statement, link.node) if link.statement is not None else None
        return bound is not None and bound in read

    def _guard_facts(guard) -> GuardFacts:
        handlers = tuple(handler_facts(h, exit_names, line(h.node), guard) for h in guard.handlers)
        return GuardFacts(
            line(guard.node), "with" if isinstance(guard.node, cst.With) else "try", handlers
        )

    escapes, sentinels = [], []
    for record, problems in judged:
        sentinel = [p for p in problems if p.sentinel]
        if sentinel:
            frame = (
                _join_name(module, record.scope)
                if isinstance(record.frame, cst.FunctionDef)
                else module
            )
            sentinels.append(
                Escape(
                    frame,
                    record.contract.name,
                    record.group.index,
                    (),
                    span(record.node),
                    record.callee,
                    tuple(p.code for p in sentinel),
                    line(sentinel[0].handler),
                )
            )
        errors, again = escaping(record)
        if not errors:
            continue
        frame = (
            _join_name(module, record.scope)
            if isinstance(record.frame, cst.FunctionDef)
            else module
        )
        escapes.append(
            Escape(
                frame,
                record.contract.name,
                record.group.index,
                errors,
                span(record.node),
                record.callee,
                tuple(p.code for p in problems if p.escape),
                line(again) if again is not None else None,
            )
        )
    links = tuple(
        Link(
            link.callee,
            link.frame,
            link.scope,
            span(link.node),
            line(link.statement) if link.statement is not None else span(link.node).line,
            tuple(guard_facts(g) for g in link.guards),
            link.attribute,
            checked(link),
        )
        for link in collector.links
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
        links,
        tuple(escapes),
        sentinels=tuple(sentinels),
    )


def _join_name(module: str, scope: str) -> str:
    return f"{module}.{scope}" if scope else module


def _text(module: cst.Module, source: str | bytes | None) -> str | None:
    """The text the positions count in (libcst drops a byte-order mark); None: regenerate it."""
    if isinstance(source, str):
        return source
    if isinstance(source, bytes):
        try:
            return source.decode(module.encoding)
        except (UnicodeDecodeError, LookupError):
            return None
    return None


def _module_qualname(collector: Collector, node: cst.CSTNode) -> str | None:
    value = collector.resolver.value_of(node, collector.module_scope)
    if value is not None and value.kind == "name":
        return collector.index.canonical(value.qual)
    return None
