"""Analysis of one Python file against the contracts in force.

The analysis reads CPython's ``ast`` (``parsing``: code newer than the running Python comes through
libcst's parser, ``newer``); libcst, the one library that writes code in the file's own style, is
used for the recommended handling of calls with findings and their fixes (``suggest``), on the
statements those need (``units``): a file without findings is never parsed by it. With ``fixes``,
the only layer that imports libcst.

The walk of a file counts the nodes it visits against a budget (``analysis-budget``): past it,
``AnalysisCut`` says where the walk stopped, and nothing of the file is kept (CL901).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contractlint.analysis.collect import Collector
from contractlint.analysis.facts import exit_names_of, facts
from contractlint.analysis.index import ContractIndex
from contractlint.analysis.judge import judge
from contractlint.analysis.parsing import Parsed, newer_syntax, parse, parse_error
from contractlint.analysis.positions import Positions
from contractlint.model import CallSite, Finding, State, new_finding
from contractlint.model.budgets import AnalysisCut
from contractlint.model.checked import unwarned
from contractlint.model.collector import uncollected
from contractlint.model.project import Facts

__all__ = ["AnalysisCut", "ContractIndex", "FileResult", "analyse_deep", "analyse_source"]


@dataclass
class FileResult:
    findings: list[Finding] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    #: What the file tells about the project (``contractlint.model.project``); None if not parsed.
    facts: Facts | None = None


def analyse_source(
    source: str | bytes,
    path: str,
    index: ContractIndex,
    module_name: str = "",
    target_version: tuple[int, int] | None = None,
    project: frozenset[str] | None = None,
    budget: int | None = None,
) -> FileResult:
    """Parse ``source`` and judge every service call in it. ``path`` is only used to label findings.
    ``target_version``: the oldest Python the code must run on; newer syntax is CL900 there.
    ``budget``: the most syntax nodes the analysis walks (None: no bound); past it, ``AnalysisCut``
    is raised and nothing of the file is kept.

    The cyclic garbage collector is paused meanwhile: the analysis makes the file's tree and its
    records, many objects that live until it ends, which each pass of the collector would walk
    again (on a module of 2 MB, a third of the time); they are freed by their reference counts
    when it ends (the analysis holds them in no cycle)."""
    with uncollected(), unwarned():
        return _analysed(source, path, index, module_name, target_version, project, budget)


def _analysed(
    source: str | bytes,
    path: str,
    index: ContractIndex,
    module_name: str,
    target_version: tuple[int, int] | None,
    project: frozenset[str] | None,
    budget: int | None,
) -> FileResult:
    parsed = parse(source, path)
    if isinstance(parsed, Finding):
        return FileResult([parsed])
    positions = Positions(parsed.text, parsed.in_characters)
    if target_version is not None:
        newer = newer_syntax(parsed.tree, target_version, positions)
        if newer is not None:
            node, needs, what = newer
            span = positions.span(node)
            return FileResult(
                [
                    parse_error(
                        path,
                        f"cannot parse for Python {target_version[0]}.{target_version[1]}: {what} "
                        f"needs Python {needs[0]}.{needs[1]} (the target version: --target-version "
                        "or requires-python)",
                        span.line,
                        span.column,
                    )
                ]
            )
    return analyse_module(
        parsed, positions, path, index, module_name or _module_name(path), project, budget
    )


def analyse_deep(
    source: str | bytes, path: str, index: ContractIndex, *args, **kwargs
) -> FileResult:
    """``analyse_source`` again, for a file whose tree is deeper than Python's recursion limit
    allows (a long ``elif`` chain or operator chain nests each part one level deeper): in a thread
    with a large stack and a higher limit. ``analyse_source`` has already refused what is deeper
    than Python itself accepts."""
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


def _module_name(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name[:-3] if name.endswith(".py") else name


def analyse_module(
    parsed: Parsed,
    positions: Positions,
    path: str,
    index: ContractIndex,
    module_name: str,
    project: frozenset[str] | None = None,
    budget: int | None = None,
) -> FileResult:
    is_package = path.replace("\\", "/").endswith("/__init__.py") or path == "__init__.py"
    collector = Collector(index, module_name, is_package, project, positions, budget)
    records = collector.run(parsed.tree)
    result = FileResult()
    exit_names = exit_names_of(collector)
    if not records and not collector.links:
        result.facts = facts(collector, [], exit_names, positions)
        return result
    judged = [(record, judge(record, exit_names, positions)) for record in records]
    help_texts: dict = {}
    fixes: dict = {}
    if any(problems for _, problems in judged):
        from contractlint.analysis.suggest import Advisor  # libcst: only for calls with findings

        advisor = Advisor(parsed, positions, collector.module_scope, index.canonical)
        help_texts, fixes = advisor.advise(judged)
    for i, (record, problems) in enumerate(judged):
        span = positions.span(record.node)
        state = State.APPROVED if record.approved else (State.BROKEN if problems else State.KEPT)
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
            result.findings.append(
                new_finding(
                    problem.code,
                    path,
                    span,
                    problem.message(_line),
                    severity=problem.severity,
                    contract=record.contract.name,
                    callee=record.callee,
                    suggestion=help_text,
                    remediation=record.group.remediation or record.contract.remediation,
                    scope=record.scope,
                    statement_line=record.statement.lineno
                    if record.statement is not None
                    else span.line,
                    handler_line=problem.handler.lineno if problem.handler is not None else None,
                    fix=fixes.get((i, j)),
                )
            )
    result.facts = facts(collector, judged, exit_names, positions)
    return result


def _line(node) -> int:
    return node.lineno
