"""Path patterns (``contractlint.run.patterns``): what one pattern matches, and that the patterns
of a setting taken together answer as each pattern alone would."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractlint.run.patterns import PathPatterns, path_matches


@pytest.mark.parametrize(
    "rel, pattern, is_dir, expected",
    [
        # Without "/": any part of the path.
        ("a/b/c.py", "b", None, True),
        ("a/b/c.py", "c.py", None, True),
        ("a/b/c.py", "*.py", None, True),
        ("a/bb/c.py", "b", None, False),
        ("a/b/c.py", "B", None, False),  # case matters
        ("src/tests/test_x.py", "tests", None, True),
        ("src/test_x.py", "test_*.py", None, True),
        # With "/": the path from the root (the pyproject's folder).
        ("a/b/c.py", "a/b", None, True),
        ("x/a/b/c.py", "a/b", None, False),
        ("tests/unit/test_x.py", "tests/*", None, True),
        ("tests/test_x.py", "tests/*", None, True),
        ("src/tests/test_x.py", "tests/*", None, False),
        ("a/b/c.py", "a/*/c.py", None, True),
        # A leading "/" or "./" anchors too.
        ("a/b/c.py", "/a", None, True),
        ("x/a/c.py", "/a", None, False),
        ("a/b/c.py", "./a/b", None, True),
        ("x/a/b/c.py", "./a/b", None, False),
        # A trailing "/": folders only.
        ("build/x.py", "build/", None, True),
        ("src/build/x.py", "build/", None, True),
        ("src/build", "build/", True, True),
        ("src/build", "build/", False, False),
        ("src/build.py", "build/", None, False),
        ("docs/build/x.py", "docs/build/", None, True),
        ("docs/build", "docs/build/", False, False),
        # Patterns that match nothing.
        ("a/b/c.py", "", None, False),
        ("a/b/c.py", "/", None, False),
        ("a/b/c.py", "  ", None, False),
    ],
)
def test_path_matches(rel, pattern, is_dir, expected):
    assert path_matches(rel, pattern, is_dir) is expected


PARTS = ["a", "b", "pkg", "build", "tests", "gen", "x.py", "m.py", "n.pyi", "__init__.py", "z_y.py"]
PARTS += [".hidden", "a.b", "..", ".", "[x]", "sub"]
#: Pieces of patterns: names, the wildcards of fnmatch, and names that hold them.
PIECES = ["a", "b", "pkg", "build", "tests", "gen", "x.py", "m.py", "*", "**", "?", "*.py", "*.pyi"]
PIECES += ["z*", "*_*", "[ab]", "[!a]*", ".*", "..", ".", "sub"]

rels = st.one_of(
    st.just("."),
    st.lists(st.sampled_from(PARTS), min_size=1, max_size=5).map("/".join),
)
patterns = st.one_of(
    st.sampled_from(["", "/", "./", " ", " build/ ", "//a", "a//", "./build/", "/a/b/"]),
    st.builds(
        lambda head, parts, tail: head + "/".join(parts) + tail,
        st.sampled_from(["", "", "/", "./"]),
        st.lists(st.sampled_from(PIECES), min_size=1, max_size=3),
        st.sampled_from(["", "", "/"]),
    ),
)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(patterns, max_size=6),
    rels,
    st.sampled_from([None, True, False]),
)
def test_a_settings_patterns_answer_as_each_pattern_alone(chosen, rel, is_dir):
    together = PathPatterns(chosen)
    assert together.matches(rel, is_dir) == any(path_matches(rel, p, is_dir) for p in chosen)
