"""The diff of a fix that changes one line, written without difflib (``fixes.edits.one_line_diff``),
against difflib's.

Each case is diffed twice by ``hunk``: as it is, and with the direct way turned off. The hunks must
be equal, and the direct way must have been taken exactly where it applies, so that two runs of
difflib cannot pass for a comparison. Lines alike are where difflib could pair lines otherwise: the
cases put them on each side of the changed line and among the new ones.
"""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shortcuts import run_with

from contractlint.fixes import edits
from contractlint.fixes.edits import hunk
from contractlint.model import Edit, Span

WRAP = "try:\n        requests.get(u)\n    except E:\n        pass"

#: (name, text, edits, whether the direct way applies to every hunk)
CASES = [
    ("wrap", "def f(u):\n    requests.get(u)\n    return 1\n", [(2, 5, 2, 20, WRAP)], True),
    (
        "first line",
        "requests.get(u)\nx = 1\n",
        [(1, 1, 1, 16, "try:\n    r()\nexcept E:\n    pass")],
        True,
    ),
    (
        "last line",
        "x = 1\nrequests.get(u)\n",
        [(2, 1, 2, 16, "try:\n    r()\nfinally:\n    q()")],
        True,
    ),
    ("last line, no line ending", "x = 1\ny = 2", [(2, 1, 2, 6, "y = 3\nz = 4")], True),
    ("only line", "y = 2\n", [(1, 1, 1, 6, "y = 3\nz = 4")], True),
    ("alike on each side", "\n    requests.get(u)\n\n", [(2, 5, 2, 20, WRAP)], True),
    (
        "comment after",
        "a\n    g(u)  # why\nb\n",
        [(2, 5, 2, 16, "try:\n        g(u)  # why\n    x")],
        True,
    ),
    (
        "crlf",
        "a\r\n    g(u)\r\nb\r\n",
        [(2, 5, 2, 9, "try:\r\n        g(u)\r\n    except E:\r\n        pass")],
        True,
    ),
    (
        "two edits on the line",
        "a\nb = g(u)\nc\n",
        [(2, 1, 2, 2, "x"), (2, 5, 2, 9, "h(\nv)")],
        True,
    ),
    ("removed line starts like a header", "a\n--g(u)\nb\n", [(2, 1, 2, 7, "x\ny")], True),
    ("added line starts like a header", "a\ng(u)\nb\n", [(2, 1, 2, 5, "++x\n+++y")], True),
    ("two hunks", "a\nb\nc\nd\ne\nf\ng\n", [(2, 1, 2, 2, "B\nB2"), (6, 1, 6, 2, "F\nF2")], True),
    # Where difflib may pair the lines otherwise:
    ("line like the one before", "g(u)\ng(u)\nb\n", [(2, 1, 2, 5, "try:\n    g(u)\nx")], False),
    ("line like the one after", "a\ng(u)\ng(u)\n", [(2, 1, 2, 5, "try:\n    g(u)\nx")], False),
    ("all three alike", "g\ng\ng\n", [(2, 1, 2, 2, "h\ni")], False),
    (
        "a new line like the one after",
        "a\n    g(u)\n    pass\n",
        [(2, 5, 2, 9, WRAP[:-8] + "pass")],
        False,
    ),
    (
        "a new line like the one before",
        "    pass\n    g(u)\nb\n",
        [(2, 5, 2, 9, "try:\n    pass")],
        False,
    ),
    ("a new line like the changed one", "a\n    g(u)\nb\n", [(2, 5, 2, 5, "x\n    ")], False),
    ("line ending taken", "a\nb\nc\n", [(2, 2, 3, 1, "B ")], False),
    ("empty new line beside an empty one", "\nb\nc\n", [(2, 1, 2, 2, "")], False),
    ("lines apart in one hunk", "a\nb\nc\nd\n", [(2, 1, 2, 2, "B"), (3, 1, 3, 2, "C")], False),
]


def _edit(line: int, column: int, end_line: int, end_column: int, text: str) -> Edit:
    return Edit(Span(line, column, end_line, end_column), text)


def _diffs(text: str, changes, monkeypatch, direct: bool, context: int = 1):
    return run_with(
        monkeypatch,
        edits,
        "one_line_diff",
        direct,
        lambda: hunk(text, [_edit(*change) for change in changes], context=context),
    )


@pytest.mark.parametrize(
    ("text", "changes", "applies"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_one_line_diff_is_difflibs(text, changes, applies, monkeypatch):
    fast, taken = _diffs(text, changes, monkeypatch, direct=True)
    slow, _ = _diffs(text, changes, monkeypatch, direct=False)
    assert fast == slow
    assert all(t == applies for t in taken), taken
    assert fast.startswith("@@ -")


def test_other_context_is_difflibs(monkeypatch):
    text, changes = "a\nb\nc\nd\ne\n", [(3, 1, 3, 2, "C\nC2")]
    for context in (0, 2):
        diff, taken = _diffs(text, changes, monkeypatch, direct=True, context=context)
        assert taken == [] and diff == _diffs(text, changes, monkeypatch, False, context)[0]


#: Few distinct lines, so that lines alike meet often.
LINES = st.lists(st.sampled_from(["", "a", "b", "    pass", "g(u)"]), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    LINES,
    st.lists(st.sampled_from(["", "a", "b", "    pass", "g(u)", "--x", "++y"]), max_size=4),
    st.data(),
)
def test_any_change_of_one_line_is_difflibs(lines, added, data):
    text = "\n".join(lines) + data.draw(st.sampled_from(["", "\n"]))
    line = data.draw(st.integers(1, len(lines)))
    width = len(lines[line - 1])
    column = data.draw(st.integers(1, width + 1))
    end = data.draw(st.integers(column, width + 1))
    changes = [(line, column, line, end, "\n".join(added))]
    with pytest.MonkeyPatch.context() as patch:
        fast, taken = _diffs(text, changes, patch, direct=True)
        slow, _ = _diffs(text, changes, patch, direct=False)
    assert fast == slow


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["", "a", "b", "c"]), min_size=1, max_size=3),
    st.lists(st.sampled_from(["", "a", "b", "c", "d", "e"]), min_size=1, max_size=6),
    st.integers(0, 2),
)
def test_where_it_answers_it_is_difflib(old, new, at):
    found = edits.one_line_diff(old, new, at)
    if found is not None:
        assert found == list(difflib.unified_diff(old, new, n=1, lineterm=""))
