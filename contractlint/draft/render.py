"""A ``Draft`` -> the TOML text of a contract, with comments that tell the owners what to decide."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from contractlint.draft.plan import LIST_AT_MOST, Client, Draft

#: Other classes named in a comment, at most.
OTHERS_SHOWN = 12
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")

_POLICY = '# TODO(owners): "fail-open" (recover with a fallback) or "fail-closed" (raise)'
_FALLBACK = '# fallback = ""  # TODO(owners): with "fail-open", the expression callers use instead'


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped; a lone surrogate
    (which no UTF-8 file can hold) becomes U+FFFD."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _comment(text: str, indent: str = "") -> list[str]:
    """``text`` as comment lines of at most 100 columns; what a comment cannot hold is replaced."""
    clean = _CONTROL.sub("\ufffd", text)
    return textwrap.wrap(
        clean,
        width=100,
        initial_indent=f"{indent}# ",
        subsequent_indent=f"{indent}# ",
        break_long_words=False,
        break_on_hyphens=False,
    )


def _array(values: list[str], key: str = "") -> str:
    """A TOML array, on one line when ``key = [...]`` fits in 100 columns, else one item a line."""
    items = [toml_string(v) for v in values]
    inline = "[" + ", ".join(items) + "]"
    if len(key) + len(inline) <= 97:
        return inline
    return "[\n" + "".join(f"    {item},\n" for item in items) + "]"


def contract_name(package: str) -> str:
    """``capability_client`` -> ``capability-client``: what ``[contract].name`` accepts."""
    name = re.sub(r"[^a-z0-9]+", "-", package.lower()).strip("-")
    return name or "service"


def render(draft: Draft) -> str:
    lines: list[str] = []
    add = lines.extend
    add(
        _comment(
            f"A draft contract for {draft.package}, read from its source in {draft.origin} "
            f"(nothing was imported or run) by `contractlint draft {draft.package}`."
        )
    )
    add(
        _comment(
            "Each TODO(owners) is a decision for the team that owns the service. "
            "`contractlint contracts --contract FILE` validates the file as you edit it; "
            "docs/contracts.md describes every key."
        )
    )
    lines += ["version = 1", "", "[contract]"]
    lines.append(f"name = {toml_string(contract_name(draft.package))}")
    summary = draft.summary or (
        f"TODO(owners): one line on what {draft.package} reaches and what callers must do "
        "when it fails."
    )
    lines.append(f"summary = {toml_string(summary)}")
    lines.append(f"owner = {toml_string('TODO(owners): the team that owns the service')}")
    lines.append('# docs = "https://..."  # a page for callers')
    lines.append(
        '# remediation = ""  # what callers should do when the service fails, shown under each '
        "finding"
    )
    _errors(draft, lines)
    _calls(draft, lines)
    _types(draft, lines)
    _approved(draft, lines)
    _aliases(draft, lines)
    return "\n".join(lines) + "\n"


def _errors(draft: Draft, lines: list[str]) -> None:
    if not draft.errors:
        return
    lines.append("")
    lines.extend(
        _comment(
            f"Every exception class of {draft.package}, with its direct bases, named where it is "
            "defined ([aliases] maps the names users import them by). An except clause covers an "
            "error when it names the error or one of its bases."
            + (
                f" Warnings are left out (warnings.warn issues them): {', '.join(draft.warnings)}."
                if draft.warnings
                else ""
            )
        )
    )
    lines.append("[errors]")
    external_shown = False
    for name, bases in draft.errors.items():
        if name in draft.external_errors and not external_shown:
            lines.extend(
                _comment(
                    "Defined in the packages it depends on, as bases of the errors above "
                    "(also read from their source):"
                )
            )
            external_shown = True
        for text in draft.unread.get(name, ()):
            lines.extend(
                _comment(
                    f"TODO(owners): the base {text} could not be followed to a class (no Python "
                    "source for it, or a name bound at run time): list it if it is an exception."
                )
            )
        key = toml_string(name)
        lines.append(f"{key} = {_array(bases, key)}")
    if draft.doubtful:
        lines.extend(
            _comment(
                "Not listed, because a base could not be followed to a class (no Python source "
                f"for it, or a name bound at run time): {', '.join(draft.doubtful)}. List those "
                "that are exceptions."
            )
        )


def _calls(draft: Draft, lines: list[str]) -> None:
    lines.append("")
    lines.extend(
        _comment(
            "Calls that reach the service. Client classes are the classes whose names end in "
            "Client, Session, Connection, Pool, Cluster, Pipeline, PubSub, Lock, Stub, Service, "
            "API or Resource, or are the package's name, and that the package exports from an "
            "__init__ or that a client's method or a function returns: one group per class, "
            "listing its public methods, inherited ones too (a call is named after the class of "
            "the instance it is made on). Delete the methods that do not reach the service, and "
            "move those that need another handling (say, a purchase that must fail closed) to a "
            f"group of their own. A class with more than {LIST_AT_MOST} public methods gets one "
            "glob, and an exclude list for the methods that stay local."
        )
    )
    if draft.others:
        shown = ", ".join(draft.others[:OTHERS_SHOWN])
        more = len(draft.others) - OTHERS_SHOWN
        lines.extend(
            _comment(
                "Other exported classes with public methods, not taken for clients: "
                f"{shown}{f' and {more} more' if more > 0 else ''}. Give a group to those "
                "whose calls reach the service."
            )
        )
    lines.extend(
        _comment(
            'TODO(owners): choose each group\'s policy: "fail-open" (callers recover, with the '
            'fallback you name) or "fail-closed" (callers must raise). "any" only asks that '
            "callers catch the errors. Narrow raises to the errors an outage produces (a server "
            "that is down, unreachable or too slow), so that sound handlers are not flagged."
        )
    )
    raises = draft.raises or ["Exception"]
    groups = 0
    for client in draft.clients:
        _group(lines, f"Calls on {client.name}", raises, client)
        groups += 1
    if draft.functions:
        _group(lines, f"Functions of {draft.package}", raises, None, draft.functions)
        groups += 1
    if not groups:
        lines.extend(
            _comment("TODO(owners): no client class or function was found: list the calls.")
        )
        _group(lines, f"Calls into {draft.package}", raises, None, [f"{draft.package}.**"])


def _group(
    lines: list[str],
    description: str,
    raises: list[str],
    client: Client | None,
    functions: Sequence[str] = (),
) -> None:
    lines += ["", "[[calls]]", f"description = {toml_string(description)}"]
    if client is None:
        lines.append("match = [")
        lines.extend(f"    {toml_string(name)}," for name in functions)
        lines.append("]")
    elif client.listed:
        lines.append("match = [")
        owner = client.name
        for method in client.methods:
            if method.owner != owner:
                lines.append(f"    # inherited from {method.owner}")
                owner = method.owner
            made = f"  # makes a {method.makes} (see [types])" if method.makes else ""
            lines.append(f"    {toml_string(f'{client.name}.{method.name}')},{made}")
        lines.append("]")
    else:
        lines.append(f"match = [{toml_string(client.name + '.*')}]")
        lines.append("exclude = [")
        lines.append(f"    {toml_string(client.name + '._*')},")
        lines.append(
            "    # TODO(owners): the methods that do not reach the service, like these factories:"
        )
        for method in client.methods:
            if method.makes:
                name = toml_string(f"{client.name}.{method.name}")
                lines.append(f"    # {name},  # makes a {method.makes}")
        lines.append("]")
    lines.append(f"raises = {_array(raises, 'raises')}")
    lines.append(f'policy = "any"  {_POLICY}')
    lines.append(_FALLBACK)


def _types(draft: Draft, lines: list[str]) -> None:
    _table(
        lines,
        "types",
        "Functions and methods whose return annotation names a client class: calls on what they "
        "return are found too.",
        draft.types,
    )


def _approved(draft: Draft, lines: list[str]) -> None:
    if not draft.wrappers and not draft.decorators:
        return
    lines += [""]
    lines.extend(
        _comment(
            "Functions that take a callable: if they handle the service's errors the way you "
            "want, approve them, and the calls they wrap (or the functions they decorate) comply."
        )
    )
    lines.append("# [approved]")
    for key, names in (("wrappers", draft.wrappers), ("decorators", draft.decorators)):
        if names:
            text = f"{key} = {_array(names, key)}"
            lines.extend(f"# {line}" for line in text.split("\n"))


def _aliases(draft: Draft, lines: list[str]) -> None:
    _table(
        lines,
        "aliases",
        "The other names users import them by (re-exports and `X = Y` aliases), mapped to the "
        "names above.",
        draft.aliases,
    )


def _table(lines: list[str], header: str, comment: str, table: dict[str, str]) -> None:
    if not table:
        return
    lines.append("")
    lines.extend(_comment(comment))
    lines.append(f"[{header}]")
    lines.extend(f"{toml_string(k)} = {toml_string(v)}" for k, v in table.items())
