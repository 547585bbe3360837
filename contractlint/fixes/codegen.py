"""libcst's code generation inside an indented block: the one place that uses libcst's private API.

libcst's public API renders a node only at the top level of a module (``Module.code_for_node``);
a fix needs the node as it reads inside a block indented by the line it replaces. libcst's own
code generator (``CodegenState``, ``CSTNode._codegen``) does that directly, but it is private: it
is used only for the libcst releases the suite is checked on (``TESTED``, the range in
pyproject.toml's dependencies). Any other release gets ``render_public``, which wraps the node in
an indented block of a throwaway module and cuts the wrapping off again; the suite proves both
give the same code (tests/fixes/test_fixes.py).
"""

from __future__ import annotations

from importlib import metadata

import libcst as cst

#: The libcst releases ``render_private`` was written and tested for: [lower, upper).
TESTED = ((1, 9), (2, 0))


def _release(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def private_api_usable(version: str) -> bool:
    """Whether libcst ``version`` is one ``render_private`` was checked on."""
    return TESTED[0] <= _release(version) < TESTED[1]


def render_private(node: cst.CSTNode, indent: str, default_indent: str, newline: str) -> str:
    """The code of ``node`` inside a block indented by ``indent``, from libcst's code generator."""
    from libcst._nodes.internal import CodegenState

    state = CodegenState(default_indent=default_indent, default_newline=newline)
    if indent:
        state.increase_indent(indent)
    node._codegen(state)
    return "".join(state.tokens)


_HOLDER = cst.Name("_")


def render_public(node: cst.CSTNode, indent: str, default_indent: str, newline: str) -> str:
    """The same code as ``render_private``, from libcst's public API only."""
    module = cst.Module(body=[], default_indent=default_indent, default_newline=newline)
    if not indent:
        return module.code_for_node(node)
    if isinstance(node, cst.BaseSuite):
        inner: cst.BaseStatement = cst.If(test=_HOLDER, body=node)
        head = f"{newline}{indent}if _:"
    elif isinstance(node, cst.BaseStatement):
        inner, head = node, newline
    elif isinstance(node, cst.BaseExpression):
        inner = cst.SimpleStatementLine(body=[cst.Expr(node)])
        head = newline + indent
    else:
        raise TypeError(f"cannot render a {type(node).__name__} inside a block")
    code = module.code_for_node(cst.IndentedBlock(body=[inner], indent=indent))
    code = code[len(head) :]
    if isinstance(node, cst.BaseExpression):
        code = code[: -len(newline)]
    return code


def _installed() -> str:
    try:
        return metadata.version("libcst")
    except metadata.PackageNotFoundError:  # libcst imported from a checkout: no release to check
        return "0"


#: ``render(node, indent, default_indent, newline)``: the implementation for the installed libcst.
render = render_private if private_api_usable(_installed()) else render_public
