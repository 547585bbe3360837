"""Dotted-name globs (``contractlint.model.globs``): the regex a pattern compiles to, and the search
for a name that one group matches and no earlier group takes, checked against every short name.

The search decides whether a contract's call group can ever apply; a wrong "no" would reject a
valid contract, so random groups of patterns are compared with brute force over every dotted name
of up to five characters.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contractlint.model.globs import glob_to_regex, witness

#: Names over a, b, c (c is spelled by no pattern below) and dots, with no empty part.
NAMES = [
    "".join(chars)
    for size in range(1, 6)
    for chars in itertools.product("abc.", repeat=size)
    if all(("".join(chars)).split("."))
]


def group_regex(match, exclude) -> tuple[re.Pattern, re.Pattern | None]:
    """One regex for a group's match patterns, one for its excludes."""
    return (
        re.compile("|".join(f"(?:{glob_to_regex(p).pattern})" for p in match)),
        re.compile("|".join(f"(?:{glob_to_regex(p).pattern})" for p in exclude))
        if exclude
        else None,
    )


def applies_to(name: str, group, earlier) -> bool:
    def takes(regexes) -> bool:
        match, exclude = regexes
        return bool(match.match(name)) and not (exclude and exclude.match(name))

    return takes(group) and not any(takes(e) for e in earlier)


PART = st.lists(st.sampled_from(["a", "b", "*", "?", "**"]), min_size=1, max_size=3).map("".join)
GLOB = st.lists(PART, min_size=1, max_size=3).map(".".join)
GROUP = st.tuples(st.lists(GLOB, min_size=1, max_size=2), st.lists(GLOB, min_size=0, max_size=2))


@settings(max_examples=200, deadline=None)
@given(group=GROUP, earlier=st.lists(GROUP, min_size=0, max_size=3))
def test_the_witness_is_a_name_the_group_takes_and_none_means_none_exists(group, earlier):
    found = witness(group[0], group[1], earlier)
    assert found != "", "the search gave up on a tiny case"
    regexes, earlier_regexes = group_regex(*group), [group_regex(*g) for g in earlier]
    if found is None:
        assert not any(applies_to(name, regexes, earlier_regexes) for name in NAMES)
    else:
        assert all(found.split(".")), found
        assert applies_to(found, regexes, earlier_regexes), found


@pytest.mark.parametrize(
    "match, exclude, earlier, expected",
    [
        (["svc.Client.*"], [], [(["svc.**"], [])], None),
        (["svc.Client.*"], [], [(["svc.**"], ["svc.Client.close"])], "svc.Client.close"),
        (["svc.Client.*"], ["svc.Client.close"], [(["svc.**"], ["svc.Client.close"])], None),
        # ``*`` stays within a part, ``**`` crosses dots; no part is empty ("svc." is no name).
        (["svc.**"], [], [(["svc.*"], [])], "svc.a.a"),
        (["svc.*"], [], [(["svc.?*"], [])], None),
        (["svc.Client.check*"], [], [(["svc.Client.check"], [])], "svc.Client.checka"),
        # A long literal head costs nothing: the search starts after it.
        (["a.b.c.d.e.f.g.h.i.j.k.l.m.n.*"], [], [(["a.b.c.d.e.f.g.h.i.j.k.l.m.n.?*"], [])], None),
    ],
)
def test_witness(match, exclude, earlier, expected):
    assert witness(match, exclude, earlier) == expected


@pytest.mark.parametrize(
    "pattern, name, matches",
    [
        ("a.*", "a.b", True),
        ("a.*", "a.b.c", False),
        ("a.**", "a.b.c", True),
        ("a.?", "a.bc", False),
        ("a.b+c", "a.b+c", True),  # other characters stand for themselves
        ("a.b+c", "a.bbc", False),
    ],
)
def test_glob_to_regex_is_what_the_search_reads(pattern, name, matches):
    assert bool(glob_to_regex(pattern).match(name)) is matches
    assert isinstance(glob_to_regex(pattern), re.Pattern)
