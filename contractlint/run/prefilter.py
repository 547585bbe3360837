"""Whether a file may hold a service call, decided on its bytes before anything parses it.

A file the prefilter turns away is never parsed: on a large project, that is most files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from contractlint.model import BUILTIN_ALIASES, Contract


def contract_names(contracts: Sequence[Contract]) -> list[str]:
    """Every dotted name through which the analysis can reach a contract's call: ``match`` globs,
    ``[types]``, ``[aliases]`` and ``[approved]`` names, and any alias that leads to one of them
    (Python's own too: ``socket.error`` is ``OSError``)."""
    names: list[str] = []
    for contract in contracts:
        names += [p for g in contract.calls for p in g.match]
        names += list(contract.types) + list(contract.types.values()) + list(contract.aliases)
        names += list(contract.approved_wrappers) + list(contract.approved_decorators)
    names = [n for n in names if n]
    aliases = list(BUILTIN_ALIASES.items()) + [
        (k, v) for c in contracts for k, v in c.aliases.items()
    ]
    roots = {n.split(".", 1)[0] for n in names}
    grew = True
    while grew:
        grew = False
        for name, target in aliases:
            if name.split(".", 1)[0] not in roots and target.split(".", 1)[0] in roots:
                names.append(name)
                roots.add(name.split(".", 1)[0])
                grew = True
    return names


class Prefilter:
    """Whether a file may hold a service call; a file it turns away is never parsed.

    The analysis resolves a callee only through an import statement, a builtin name, an alias or
    a definition of the module itself. So a file can only hold a call it resolves if its text
    imports the top-level module of some contract name (``contract_names``): ``import R``,
    ``import a, R.b as c``, ``from R.x import y``, with backslash continuations; or names a builtin
    root as a word; or if its own module name is a prefix of such a name
    (``capability_client/__init__.py`` calls its own ``CapabilityClient`` without naming its
    package). A mention in a comment or a docstring ("handles requests") is not enough, which is
    what keeps most files of a large project from being parsed. The text test is one compiled
    search; a scan for each root as plain bytes comes first (several times faster than the regex
    on text that holds none), so only files that name a root go on to the regex, and the regex
    only searches the logical lines that name one (``_search_near``).
    """

    def __init__(self, contracts: Sequence[Contract]):
        import builtins

        names = contract_names(contracts)
        self.roots: frozenset[str] = frozenset(
            n.split(".", 1)[0] for n in names if n[0] not in "*?"
        )
        imported = sorted(r for r in self.roots if not hasattr(builtins, r))
        bare = sorted(r for r in self.roots if hasattr(builtins, r))
        alternatives = []
        if imported:
            one_of = rb"(?:" + b"|".join(re.escape(r.encode()) for r in imported) + rb")\b"
            space = (
                rb"(?:[ \t\f]|\\\r?\n)"  # inside a statement: blanks and backslash continuations
            )
            name = rb"[^ \t\f\r\n,;#()\\]+"  # a dotted name, non-ASCII ones included
            item = name + rb"(?:" + space + rb"+as" + space + rb"+" + name + rb")?"
            alternatives.append(rb"\bfrom" + space + rb"+" + one_of)
            alternatives.append(
                rb"\bimport" + space + rb"+(?:" + item + space + rb"*," + space + rb"*)*" + one_of
            )
        if bare:  # a builtin needs no import: its name as a word is enough
            alternatives.append(
                rb"\b(?:" + b"|".join(re.escape(r.encode()) for r in bare) + rb")\b"
            )
        self.pattern = re.compile(b"|".join(alternatives)) if alternatives else None
        ordered = sorted(self.roots)
        self._literals = [r.encode() for r in ordered] if len(ordered) <= 12 else None
        #: The literal head of each name (up to its first wildcard): what a module's own names start
        #: with.
        self.prefixes: tuple[str, ...] = tuple(
            sorted({re.split(r"[*?\[]", n, maxsplit=1)[0] for n in names})
        )
        self.everything = any(p == "" for p in self.prefixes)  # a name that starts with a wildcard
        # A prefix with a dot can only relate to modules of its first part; one without (a top-level
        # name, or a glob's head such as "capa" of "capa*") to modules whose first part it starts.
        self._dotted: dict[str, tuple[str, ...]] = {}
        for prefix in self.prefixes:
            if "." in prefix:
                head = prefix.split(".", 1)[0]
                self._dotted[head] = self._dotted.get(head, ()) + (prefix,)
        self._dotless = tuple(p for p in self.prefixes if "." not in p)

    def search(self, data: bytes) -> bool:
        if self.everything or data[:2] in (
            b"\xff\xfe",
            b"\xfe\xff",
        ):  # UTF-16: the bytes say nothing
            return True
        if self.pattern is None:
            return False
        literals = self._literals
        if literals is None:
            return self.pattern.search(data) is not None
        if len(literals) == 1:
            return literals[0] in data and self._search_near(data, literals[0])
        return any(self._search_near(data, literal) for literal in literals if literal in data)

    def _search_near(self, data: bytes, literal: bytes) -> bool:
        r"""``self.pattern.search(data)``, for the matches that end with ``literal``: the regex
        searches only the lines that lead up to each place the literal occurs.

        Every match of the pattern ends with a root (the module an import names, or a builtin's
        name) and stays within one logical line: no part of it takes a line break but a backslash
        continuation (``\\\r?\n``), and a name takes no blank, backslash or line break. So a match
        that ends with an occurrence of the root lies between the start of the occurrence's logical
        line (the lines before it joined wherever a backslash ends one, in a string or not) and the
        line break after the occurrence (or the end of the data). The search runs in that window:
        ``\b`` at its start looks at the byte before it, as a search of the whole text would, and
        its end is a line break, where a search of the whole text sees a boundary too, so the
        window answers as the whole text would there. The test-suite compares the two searches on
        random text (tests/run/test_run_prefilter.py).
        """
        assert self.pattern is not None  # ``search`` asks only when there is one
        search, find, rfind = self.pattern.search, data.find, data.rfind
        at = find(literal)
        while at >= 0:
            start = rfind(b"\n", 0, at) + 1
            while start and (
                data[start - 2 : start - 1] == b"\\" or data[start - 3 : start - 1] == b"\\\r"
            ):
                start = rfind(b"\n", 0, start - 1) + 1  # the line before continues into this one
            end = find(b"\n", at)
            if end < 0:
                end = len(data)
            if search(data, start, end) is not None:
                return True
            at = find(literal, end)
        return False

    def names_module(self, module: str) -> bool:
        """Whether a definition of ``module`` (named ``module.X``) may be, or lead to, a contract
        name."""
        head = module.split(".", 1)[0]
        if head.startswith(self._dotless):
            return True  # "M.".startswith(p): p is the head itself, or the start of it
        dotted = module + "."
        return any(dotted.startswith(p) or p.startswith(dotted) for p in self._dotted.get(head, ()))

    def keeps(self, data: bytes, module: str) -> bool:
        return self.search(data) or self.names_module(module)
