"""Text from checked code and contracts is data in every format: hostile owners, reasons, summaries,
remediations and file names come out as the same text, never as markup, and never as control
characters a terminal or a CI log obeys.

Markdown is rendered with cmark-gfm, the renderer of GitHub-flavoured Markdown (the ``cmarkgfm``
binding), with raw HTML let through as GitHub's own sanitiser would keep ``<b>`` or ``<img>``; the
tests then read the HTML it makes: which tags, and which text.
"""

from __future__ import annotations

import json
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from clirun import invoke

from contractlint.output.escape import log_lines, markdown, markdown_code, terminal, terminal_lines

HOSTILE = [
    "owner=<b>x</b> -- <script>alert(1)</script> [link](javascript:alert(1))",
    "![pixel](https://tracker.example/p.png)",
    "<img src=x onerror=alert(1)> <a href='javascript:alert(1)'>a</a> <!-- hidden -->",
    "# heading",
    "> quote",
    "- item",
    "+ item",
    "1. first",
    "12) twelfth",
    "---",
    "===",
    "| a | b |",
    "a\\|b \\",
    "`code` and ``more`` and ```",
    "*em* _em_ **strong** __strong__ ~~deleted~~ a*b*c",
    "snake_case_name, _em_, a_b_ and __init__ and é_x_é",
    "2026-05-31 and 2026.",
    "see https://evil.example/x, HTTP://EVIL.EXAMPLE and www.evil.example",
    "cc @octocat, @org/team and #123, mail a@b.example",
    "$x^2$ and $$y$$",
    "line\nbreak\r\nand\rmore\ttab",
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x9b2J \u202egnp.exe",
    "&lt;b&gt; &amp; &#64;octocat",
    "[ref]: https://evil.example",
    "[^1] footnote",
    "    four spaces: code?",
]
#: The tags of the Markdown we write ourselves; anything else came from the data.
OURS = {"h1", "h2", "p", "strong", "table", "thead", "tbody", "tr", "th", "td", "code", "pre"}


class Html(HTMLParser):
    """The tags of a page, its text, and the text of each table cell and paragraph."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.blocks: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in ("td", "th", "p"):
            self.blocks.append("")

    def handle_data(self, data):
        self.text.append(data)
        if self.blocks and data != "\n":
            self.blocks[-1] += data


def render(text: str) -> Html:
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm (the test extra) renders GFM")
    from cmarkgfm.cmark import Options

    return Html(cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE))


def shown(text: str) -> str:
    """What a reader sees of ``text`` in a Markdown cell: one line, controls as their escapes."""
    return terminal(" ".join(text.split()))


def assert_inert(page: Html) -> str:
    """The page has only our own tags, and no text GitHub would turn into a mention or an issue
    link; returns its text without the zero-width spaces that prevent them."""
    assert page.tags <= OURS, page.tags - OURS
    text = "".join(data for data in page.text if data != "\n")  # between tags
    assert not re.search(r"@[A-Za-z0-9]|#\d", text), text
    return text.replace("\u200b", "")


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shows_the_text_and_nothing_else_in_a_cell_a_paragraph_and_code(text):
    document = (
        f"| a | b |\n|---|---|\n| {markdown(text)} | {markdown_code(text)} |\n\n{markdown(text)}\n"
    )
    page = render(document)
    assert_inert(page)
    assert [block.replace("\u200b", "") for block in page.blocks] == ["a", "b", *[shown(text)] * 3]


def test_markdown_breaks_mentions_and_autolinks_without_changing_what_is_seen():
    assert markdown("@octocat #12 a@b.c") == "@&#8203;octocat #&#8203;12 a@&#8203;b.c"
    assert markdown("https://x.example www.y.example") == "https\\://x.example www\\.y.example"
    plain = "plain words stay plain: a-b, c.d (e), snake_case, 2026-05-31"
    assert markdown(plain) == plain


@pytest.mark.parametrize("text", HOSTILE)
def test_terminal_text_holds_no_control_character_but_tab(text):
    for out in [terminal(text), *terminal_lines(text)]:
        assert not re.search("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", out)
    assert terminal("a\x1b[31mb\u202e") == "a\\x1b[31mb\\u202e"
    assert terminal_lines("one\r\ntwo\x1b\rthree\n") == ["one", "two\\x1b", "three"]
    assert terminal("a\r\nb", lines=True) == "a\r\nb"


# -- end to end: a project whose contract, acceptances and file names are hostile ------------------

ACCEPTANCE = "owner=<b>x</b> -- <script>alert(1)</script> [link](javascript:alert(1)) @octocat #1"
CONTRACT = r"""
version = 1

[contract]
name = "svc"
summary = "# Summary [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
owner = "@octocat <b>team</b>"
remediation = "\u001b[2J\u001b]0;pwned\u0007 wipe ![i](https://tracker.example/p.png) | cell\n> quoted"

[errors]
"svc_client.SvcError" = ["Exception"]

[[calls]]
match = ["svc_client.call"]
policy = "fail-open"
fallback = "None"
"""  # noqa: E501
CODE = f"""\
import svc_client


def a():
    return svc_client.call()  # contractlint: accept CL001 {ACCEPTANCE}


def b():
    return svc_client.call()
"""
#: A file name a checkout can hold: HTML, a mention, an escape sequence that turns a terminal red.
NAME = "x<b>@octocat<\x1b[31m.py"


@pytest.fixture
def hostile(tmp_path) -> Path:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "svc.toml").write_text(textwrap.dedent(CONTRACT))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.contractlint]\ncontracts = ["contracts/svc.toml"]\n'
    )
    (tmp_path / "app.py").write_text(CODE)
    (tmp_path / NAME).write_text(CODE)
    return tmp_path


def output(root: Path, *args: str) -> str:
    result = invoke(*args, "--no-cache", ".", cwd=root)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result.stdout


def test_check_and_report_in_markdown_are_inert(hostile):
    for args in (["check", "--format", "markdown"], ["report", "--format", "markdown"]):
        text = assert_inert(render(output(hostile, *args)))
        assert "x<b>@octocat<\\x1b[31m.py" in text
        assert "@octocat <b>team</b>" in text
    report = assert_inert(render(output(hostile, "report")))
    assert "<script>alert(1)</script> [link](javascript:alert(1)) @octocat #1" in report
    assert "# Summary [x](javascript:alert(1)) <img src=x onerror=alert(1)>" in report


def test_sarif_markdown_messages_are_inert(hostile):
    log = json.loads(output(hostile, "check", "--format", "sarif"))
    results = log["runs"][0]["results"]
    assert len(results) == 2
    for result in results:
        text = assert_inert(render(result["message"]["markdown"]))
        assert "wipe ![i](https://tracker.example/p.png) | cell > quoted" in text
        assert "\\x1b[2J" in text


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "json", "gitlab", "sarif"])
def test_no_format_sends_a_control_character_from_the_data(hostile, fmt):
    text = output(hostile, "check", "--format", fmt)
    assert "\x1b" not in text and "\x07" not in text, fmt
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)


def test_the_text_format_shows_the_escapes_where_the_data_was(hostile):
    lines = output(hostile, "check").splitlines()
    assert "x<b>@octocat<\\x1b[31m.py:9:12: CL001 [svc]" in "\n".join(lines)
    notes = [i for i, line in enumerate(lines) if line.startswith("  note: ")]
    assert lines[notes[0]] == (
        "  note: \\x1b[2J\\x1b]0;pwned\\x07 wipe ![i](https://tracker.example/p.png) | cell"
    )
    assert lines[notes[0] + 1] == "        > quoted"


def test_contracts_and_diagnostics_show_no_control_character(hostile):
    listing = invoke("contracts", cwd=hostile)
    assert "\x1b" not in listing.stdout and "owner @octocat <b>team</b>" in listing.stdout
    missing = invoke("check", "--no-cache", "no\x1b[2Jsuch.py", cwd=hostile)
    assert missing.exit_code == 2 and "\x1b" not in missing.stderr
    assert missing.stderr == "contractlint: error: no\\x1b[2Jsuch.py: no such file or folder\n"


def test_no_line_of_the_text_format_is_a_github_workflow_command(hostile):
    folder = hostile / "::set-output name=exit-code::0"
    folder.mkdir()
    (folder / "m.py").write_text(CODE)
    contract = hostile / "contracts" / "svc.toml"
    contract.write_text(
        contract.read_text().replace('| cell\\n> quoted"', '\\n::add-mask::x\\n##[error]forged"')
    )
    lines = output(hostile, "check").splitlines()
    assert (
        "\\x3a:set-output name=exit-code::0/m.py:9:12: CL001 [svc] svc_client.call()"
        in "\n".join(lines)
    )
    assert "        \\x3a:add-mask::x" in lines and "        \\x23#[error]forged" in lines
    for line in lines:
        assert not line.lstrip().startswith("::") and "##[" not in line, line
    assert log_lines("ok :: here\n  ::error::x\n") == "ok :: here\n  \\x3a:error::x\n"
    assert markdown("::error::x").startswith("\\:")
