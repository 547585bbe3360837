"""Analysis of one Python file against the contracts in force: the only layer that imports libcst."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Union

import libcst as cst

from contractlint.analysis.collect import Collector
from contractlint.analysis.index import ContractIndex
from contractlint.analysis.judge import judge
from contractlint.analysis.positions import positions
from contractlint.analysis.suggest import Namer, suggestion
from contractlint.model import CallSite, Finding, Span, rule_by_code

__all__ = ["ContractIndex", "FileResult", "analyse_source"]


@dataclass
class FileResult:
    findings: List[Finding] = field(default_factory=list)
    calls: List[CallSite] = field(default_factory=list)


def parse_error(path: str, message: str, line: int = 1, column: int = 1) -> Finding:
    rule = rule_by_code("CL900")
    return Finding(path=path, span=Span(line, column, line, column), code=rule.code, name=rule.name,
                   severity=rule.severity, message=message)


def analyse_source(source: Union[str, bytes], path: str, index: ContractIndex, module_name: str = "") -> FileResult:
    """Parse ``source`` and judge every service call in it. ``path`` is only used to label findings."""
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        return FileResult([_syntax_error(source, path, exc)])
    except (UnicodeDecodeError, LookupError, SyntaxError, ValueError) as exc:
        return FileResult([parse_error(path, f"cannot decode: {exc}")])
    return analyse_module(module, path, index, module_name or _module_name(path))


_AT = re.compile(r"error at (\d+):(\d+): ")


def _syntax_error(source: Union[str, bytes], path: str, exc: cst.ParserSyntaxError) -> Finding:
    """Python's own compiler words syntax errors better and places them right; libcst's is the fallback."""
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as err:
        if err.lineno:
            return parse_error(path, f"cannot parse: {err.msg}", err.lineno, max(err.offset or 1, 1))
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


def analyse_module(module: cst.Module, path: str, index: ContractIndex, module_name: str) -> FileResult:
    collector = Collector(index, module_name)
    records = collector.run(module)
    result = FileResult()
    if not records:
        return result

    def exit_names(node: cst.CSTNode) -> Optional[str]:
        return _module_qualname(collector, node)

    judged = [(record, judge(record, exit_names)) for record in records]
    nodes = [r.node for r in records] + [r.statement for r in records if r.statement is not None]
    for record in records:
        for guard in record.guards:
            nodes.append(guard.node)
            nodes.extend(h.node for h in guard.handlers)
    where_is = positions(module, nodes)

    def line_of(node: cst.CSTNode) -> int:
        return where_is[id(node)][0][0]

    namer = Namer(collector.module_scope, index.canonical)
    for record, problems in judged:
        (line, column), (end_line, end_column) = where_is[id(record.node)]
        span = Span(line, column + 1, end_line, end_column + 1)
        state = "approved" if record.approved else ("broken" if problems else "kept")
        result.calls.append(CallSite(path, span, record.contract.name, record.group.index, record.callee, state,
                                     scope=record.scope))
        if not problems:
            continue
        help_text = suggestion(record, module, namer)
        for problem in problems:
            rule = rule_by_code(problem.code)
            result.findings.append(Finding(
                path=path, span=span, code=problem.code, name=rule.name, severity=problem.severity,
                message=problem.message(line_of), contract=record.contract.name, callee=record.callee,
                suggestion=help_text, remediation=record.group.remediation or record.contract.remediation,
                scope=record.scope,
                statement_line=line_of(record.statement) if record.statement is not None else line,
                handler_line=line_of(problem.handler) if problem.handler is not None else None,
            ))
    return result


def _module_qualname(collector: Collector, node: cst.CSTNode) -> Optional[str]:
    value = collector.resolver.value_of(node, collector.module_scope)
    if value is not None and value.kind == "name":
        return collector.index.canonical(value.qual)
    return None
