"""What a function says of itself: the class of what it returns (its annotation's, or every
``return``'s), and the errors its docstring says it raises (Google's ``Raises:`` section, NumPy's
``Raises`` with an underline, Sphinx's ``:raises X:`` fields)."""

from __future__ import annotations

import ast
import keyword
import re

_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")
_SPHINX = re.compile(r":raises?\s+([A-Za-z_][\w.]*)\s*:")
_SECTION = re.compile(r"^(Raises|Raise|Exceptions)\s*:?\s*$")
_ENTRY = re.compile(r"^\s*:?(?:py:)?(?:exc:|class:)?`*~?([A-Za-z_][\w.]*)`*\s*(?::|$|\s)")


def docstring_raises(doc: str) -> list[str]:
    """The error names of a docstring's ``Raises:`` section (Google), ``Raises`` with an underline
    (NumPy), or ``:raises X:`` fields (Sphinx)."""
    names = _SPHINX.findall(doc)
    lines = doc.splitlines()
    for i, line in enumerate(lines):
        if not _SECTION.match(line.strip()):
            continue
        indent = len(line) - len(line.lstrip())
        j = i + 1
        if j < len(lines) and set(lines[j].strip()) == {"-"}:  # NumPy's underline
            j += 1
        entry_indent = None
        while j < len(lines):
            text = lines[j]
            if not text.strip():
                j += 1
                continue
            depth = len(text) - len(text.lstrip())
            if depth < indent or (
                depth == indent and entry_indent is not None and entry_indent > indent
            ):
                break
            if entry_indent is None:
                entry_indent = depth
            if j + 1 < len(lines) and lines[j + 1].strip() and set(lines[j + 1].strip()) == {"-"}:
                break  # the next NumPy section's header, over its underline
            if depth == entry_indent:
                found = _ENTRY.match(text)
                if found is None:
                    break
                names.append(found.group(1))
            j += 1
    return names


def dotted_name(name: str) -> bool:
    """Whether ``name`` reads as a dotted name in code (no keyword in it but a leading ``None``,
    ``True`` or ``False``), which the module's imports may resolve."""
    if not _DOTTED.match(name):
        return False
    head, *rest = name.split(".")
    return not (keyword.iskeyword(head) and head not in ("None", "True", "False")) and not any(
        keyword.iskeyword(part) for part in rest
    )


def returned_class(node, returns, resolver, parent) -> str | None:
    """The class a function returns an instance of: its annotation's, or that of every one of
    ``returns``, the values of its ``return`` statements."""
    canonical = resolver.canonical
    if node.returns is not None:
        value = resolver.annotation(node.returns, parent)
        if value is not None and value.kind == "fields":
            return f"({','.join(value.items)})"
        if value is not None and value.kind == "items":
            return f"{canonical(value.qual)}[]"
        return canonical(value.qual) if value is not None and value.kind == "instance" else None
    made = sorted(
        {
            canonical(c.qual)
            for v in returns
            if v is not None
            for c in v.candidates()
            if c.kind == "instance"
        }
    )
    unknown = any(v is None or (v.kind != "instance" and v.qual != "None") for v in returns)
    if made and not unknown:
        return "|".join(made)  # any of them (``return self._client`` of a client or a pipeline)
    return None


def declared_errors(node, resolver, parent) -> tuple[str, ...]:
    """The errors a function's docstring says it raises, resolved as the module imports them."""
    doc = ast.get_docstring(node, clean=True)
    if not doc or "aise" not in doc:
        return ()
    out = []
    for name in docstring_raises(doc):
        value = resolver.dotted_value(name, parent) if dotted_name(name) else None
        out.append(
            resolver.canonical(value.qual if value is not None and value.kind == "name" else name)
        )
    return tuple(out)
