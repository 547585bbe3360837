"""Text from checked code and contracts made inert, once for each kind of reader.

Paths, call names, messages, reasons and owners come from code and contracts nobody vetted: they
are data, and must not turn into markup where they are shown.

- ``terminal``: a terminal (and a CI log that reads ANSI sequences) obeys control characters: an
  escape sequence in a string literal or a file name could recolour, retitle or rewrite the screen.
  Every control character, and each Unicode control that reorders text (a "Trojan Source"
  override), is shown as its Python escape instead (``\\x1b``, ``\\u202e``).
- ``markdown``: GitHub-flavoured Markdown (a job summary, a pull-request comment, SARIF's
  ``markdown`` messages) reads HTML, links, images, emphasis, table pipes, block markers at the
  start of a line, bare URLs, ``$`` maths, and GitHub itself notifies ``@someone`` and links
  ``#123`` back from that issue. The text comes out as one line whose every such character is
  escaped, and whose ``@`` and ``#N`` carry a zero-width space, as Renovate and Dependabot do, so
  nobody is notified. ``markdown_code`` shows it in a monospace font, escaped the same way.

The other formats escape where they write: HTML with ``html.escape``, JUnit through ElementTree
(and ``junit.xml_text`` for the characters XML cannot hold), GitHub annotations with
``github.escape_data`` and ``escape_property``, JSON, SARIF and GitLab with ``json.dumps``.
"""

from __future__ import annotations

import re

#: C0 and C1 controls but tab, DEL, and the bidirectional controls that reorder what follows them.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: The same, but CR and LF, for text whose line breaks the format itself escapes.
_CONTROL_IN_LINES = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

_LINE_BREAK = re.compile("\r\n|\r|\n")


def _visible(match: re.Match) -> str:
    return match.group(0).encode("unicode_escape").decode("ascii")


def terminal(text: str, lines: bool = False) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``, ``\\n``): on one line,
    or, with ``lines``, keeping its CR and LF as they are."""
    return (_CONTROL_IN_LINES if lines else _CONTROL).sub(_visible, text)


def terminal_lines(text: str) -> list[str]:
    """The lines of ``text`` (split at CR LF, CR or LF only, as Python reads code), each made safe
    by ``terminal``."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "":
        lines.pop()
    return [terminal(line) for line in lines]


#: What GitHub's runner reads as a workflow command in a job's log: a line that starts, after
#: blanks, with "::" (``::set-output``, ``::add-mask``, ``::error``), and the older "##[" anywhere.
_WORKFLOW_COMMAND = re.compile(r"^([ \t]*):(?=:)|#(?=#\[)", re.MULTILINE)


def log_lines(text: str) -> str:
    """``text`` (lines already made safe by ``terminal``), with what would start a GitHub Actions
    workflow command shown as an escape (``\\x3a:set-output``, ``\\x23#[``): a file name or a line
    of code printed in a job's log cannot set an output, mask a value or forge an annotation."""
    if "::" not in text and "##[" not in text:  # what the pattern needs: a far quicker search
        return text
    return _WORKFLOW_COMMAND.sub(_command_escape, text)


def _command_escape(match: re.Match) -> str:
    return f"{match.group(1)}\\x3a" if match.group(1) is not None else "\\x23"


#: Characters with a meaning anywhere in a line of GitHub-flavoured Markdown: escaped with "\". An
#: underscore between two letters or digits (``snake_case``) can neither open nor close emphasis.
_MARKDOWN_INLINE = re.compile(r"[\\`*\[\]<>&|~$]|(?<![^\W_])_|_(?![^\W_])")
#: What starts a block at the start of a line: a heading, a list item, a setext underline (and a
#: colon, which would start a workflow command where the Markdown is printed in a GitHub job's
#: log); and the dot or parenthesis after a number there (an ordered list).
_MARKDOWN_BLOCK = re.compile(r"^[#+=:-]")
_MARKDOWN_NUMBERED = re.compile(r"^(\d+)([.)])")
#: What GitHub links by itself: a bare URL's "://", "www.", a mention, an issue: escaped, or split
#: by a zero-width space after "@" or "#", which shows the same text and links nothing.
_MARKDOWN_LINKS = re.compile(r":(?=//)|(?<=\b[wW]{3})\.")
_MARKDOWN_MENTIONS = re.compile(r"(?<=@)|(?<=#)(?=\d)")


def markdown(text: str) -> str:
    """``text`` as inert GitHub-flavoured Markdown on one line, fit for a table cell or a paragraph:
    whitespace (newlines too) becomes one space, control characters their escapes."""
    text = terminal(" ".join(text.split()))
    text = _MARKDOWN_INLINE.sub(r"\\\g<0>", text)
    text = _MARKDOWN_LINKS.sub(r"\\\g<0>", text)
    text = _MARKDOWN_BLOCK.sub(r"\\\g<0>", text)
    text = _MARKDOWN_NUMBERED.sub(r"\1\\\2", text)
    return _MARKDOWN_MENTIONS.sub("&#8203;", text)


def markdown_code(text: str) -> str:
    """``text`` in a monospace font, as inert as ``markdown``: a code span would show backslash
    escapes as they are, so the text is escaped inside HTML's ``<code>``, which GitHub keeps."""
    return f"<code>{markdown(text)}</code>"
