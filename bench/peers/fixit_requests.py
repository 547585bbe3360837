"""contractlint's `requests` contract, CL001, as a Fixit 2 rule (bench/compare.py runs it).

A request made with requests (a module function, or an I/O method of a Session made in the same
function or bound by a `with`, or called on `requests.Session()` directly) that no surrounding try
of the same function guards with an except clause catching requests.ConnectionError or
requests.Timeout, one of their subclasses, or a base (RequestException, OSError/IOError,
Exception, BaseException, bare except). Names resolve through imports with Fixit's
QualifiedNameProvider; a def, lambda or class body is a boundary, as in contractlint.
"""

from __future__ import annotations

import libcst as cst
from fixit import Invalid, LintRule, Valid
from libcst.metadata import ParentNodeProvider, QualifiedNameProvider

VERBS = {"request", "get", "options", "head", "post", "put", "patch", "delete"}
MODULE_FUNCTIONS = {f"requests.{v}" for v in VERBS} | {f"requests.api.{v}" for v in VERBS}
SESSIONS = {
    "requests.Session",
    "requests.session",
    "requests.sessions.Session",
    "requests.sessions.session",
}
GUARDS = {
    f"requests.{prefix}{name}"
    for prefix in ("", "exceptions.")
    for name in (
        "ConnectionError",
        "Timeout",
        "RequestException",
        "ConnectTimeout",
        "ReadTimeout",
        "ProxyError",
        "SSLError",
    )
} | {"OSError", "IOError", "EnvironmentError", "Exception", "BaseException"}
BOUNDARIES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)


class RequestsUnguarded(LintRule):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ParentNodeProvider)
    MESSAGE = (
        "a requests call that no try guards against requests.ConnectionError or requests.Timeout"
    )

    VALID = [
        Valid(
            "import requests\ntry:\n    requests.get('u')\nexcept requests.RequestException:\n    "
            "pass\n"
        ),
        Valid(
            "import requests\ntry:\n    requests.get('u')\nexcept (ValueError, requests.Timeout) "
            "as e:\n    pass\n"
        ),
        Valid(
            "from requests.exceptions import ConnectionError as CE\nimport requests\n"
            "try:\n    requests.post('u')\nexcept CE:\n    pass\n"
        ),
    ]
    INVALID = [
        Invalid("import requests\nrequests.get('u')\n"),
        Invalid("import requests\ndef f():\n    s = requests.Session()\n    return s.post('u')\n"),
        Invalid("import requests\ntry:\n    pass\nexcept OSError:\n    requests.get('u')\n"),
        Invalid(
            "import requests\ntry:\n    def f():\n        requests.get('u')\nexcept OSError:\n    "
            "pass\n"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[set[str]] = [set()]

    def _names(self, node: cst.CSTNode) -> set[str]:
        out = set()
        for qualified in self.get_metadata(QualifiedNameProvider, node, set()):
            name = qualified.name
            out.add(name[len("builtins.") :] if name.startswith("builtins.") else name)
        return out

    def _is_session(self, node: cst.BaseExpression | None) -> bool:
        return isinstance(node, cst.Call) and bool(self._names(node.func) & SESSIONS)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.sessions.append(set())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.sessions.pop()

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._is_session(node.value):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.sessions[-1].add(target.target.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if (
            self._is_session(node.item)
            and node.asname is not None
            and isinstance(node.asname.name, cst.Name)
        ):
            self.sessions[-1].add(node.asname.name.value)

    def visit_Call(self, node: cst.Call) -> None:
        if not self._is_request(node):
            return
        if not self._guarded(node):
            self.report(node, self.MESSAGE)

    def _is_request(self, node: cst.Call) -> bool:
        if self._names(node.func) & MODULE_FUNCTIONS:
            return True
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in VERBS | {"send"}:
            if self._is_session(func.value):
                return True
            if isinstance(func.value, cst.Name) and func.value.value in self.sessions[-1]:
                return True
        return False

    def _guarded(self, node: cst.CSTNode) -> bool:
        child = node
        parent = self.get_metadata(ParentNodeProvider, child, None)
        while parent is not None and not isinstance(parent, BOUNDARIES):
            if isinstance(parent, (cst.Try, cst.TryStar)) and child is parent.body:
                for handler in parent.handlers:
                    if handler.type is None:
                        return True
                    types = (
                        handler.type.elements
                        if isinstance(handler.type, cst.Tuple)
                        else [handler.type]
                    )
                    for element in types:
                        expr = element.value if isinstance(element, cst.Element) else element
                        if self._names(expr) & GUARDS:
                            return True
            child, parent = parent, self.get_metadata(ParentNodeProvider, parent, None)
        return False
