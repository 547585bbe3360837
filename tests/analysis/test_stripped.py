"""Python 3.12's ``type`` statements and type parameters, read by CPython with them blanked out
(``contractlint.analysis.stripped``), and its f-strings, read with the strings in their fields
requoted (``contractlint.analysis.requoted``): the same findings, calls and facts as libcst's
reading (``contractlint.analysis.newer``), which stays for any other newer syntax."""

from __future__ import annotations

import ast
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contractlint.analysis.stripped as stripped
from contractlint.analysis import ContractIndex, analyse_source, requoted
from contractlint.contracts import load_contracts
from contractlint.model.checked import parse_code, unwarned

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="CPython 3.12 and newer read this syntax themselves"
)

INDEX = ContractIndex(load_contracts(["requests"]))

HEAD = "import requests\nfrom app.base import Base, Store\n\n"

#: Code with new syntax on one line each, around calls the analysis reports or follows.
READ_BY_CPYTHON = {
    "type statements": HEAD + "type Entry = Store[int]\n"
    "type Pair[K, V: (int, str) = int] = tuple[K, V]\n"
    "if True:\n    type  Nested [ T ]  =  list[T]  # a comment\n"
    "def get(url):\n    return requests.get(url, timeout=1)\n",
    "a generic function": HEAD + "@decorated\n"
    "async def fetch[T: Base, *Ts, **P](url: T, *a) -> T:\n"
    "    try:\n        return requests.get(url, timeout=2)\n"
    "    except requests.RequestException:\n        return None\n"
    "def plain(url):\n    requests.post(url)\n",
    "a generic class": HEAD + "class Client[T = int](Base, metaclass=Meta):\n"
    "    type Row = dict[str, T]\n"
    "    def load[S](self, url: S) -> S:\n        return requests.get(url)\n"
    "    class Inner[U]:\n        def go(self):\n            self.load('x')\n",
    "names that are not ASCII": HEAD + "type Größe[Ä: Base] = list[Ä]\n"
    "class Zähler[Ü]:\n    def zähle(self, url):\n        requests.get(url, timeout=3)\n",
    "type parameters over several lines": HEAD + "class Client[\n    T: Base,\n    *Ts,\n](Base):\n"
    "    def go[\n        S: (int,\n            str) = int,\n        **P\n    ](self, url: S):\n"
    "        requests.get(url)\n"
    "type Größe[\n    Ä: Base,\n] = list[Ä]\n"
    "class Last[T\n]: pass\n",
    "nested in blocks and handlers": HEAD + "try:\n    pass\nexcept ValueError:\n"
    "    type InHandler = int\nelse:\n    with open('f') as fh:\n        type InWith = str\n"
    "for x in ():\n    pass\nelse:\n    def later[S](url: S):\n        requests.get(url)\n",
    "several on one line": HEAD + "x = 1; y = 2\n"
    "def f[T](url: T) -> T: return requests.get(url)\n"
    "class K[T]: pass\n",
    "a type statement and an f-string of Python 3.12": HEAD + "type A = int\n"
    'def f(url):\n    requests.get(f"{url["a"]}")\n',
}

if sys.version_info >= (3, 10):  # a ``match`` statement is itself new syntax before 3.10
    READ_BY_CPYTHON["nested in the cases of a match"] = (
        HEAD
        + "match 1:\n    case 1:\n        class InCase[T]:\n            def go(self, url: T):\n"
        "                requests.get(url)\n    case _:\n        type InDefault = bytes\n"
    )

#: New syntax this reading leaves to libcst: the file is read all the same.
LEFT_TO_LIBCST = {
    "an empty line in type parameters": HEAD + "class Client[\n\n    T: Base,\n](Base):\n"
    "    def go(self, url):\n        requests.get(url)\n",
    "a comment in type parameters": HEAD + "class Client[  # the row\n    T,\n](Base):\n"
    "    def go(self, url):\n        requests.get(url)\n",
    "a string in type parameters": HEAD + "def f[T: 'Base'](url):\n    requests.get(url)\n",
    "a type statement after another statement": HEAD + "x = 1; type A = int\n"
    "def f(url):\n    requests.get(url)\n",
}


def _both(text: str, monkeypatch, target=None):
    """The analysis of ``text`` as CPython reads it with the new syntax blanked out, and as libcst
    reads it."""
    mine = analyse_source(text.encode(), "m.py", INDEX, "app.m", target, frozenset({"app"}))
    with monkeypatch.context() as patch:
        patch.setattr(stripped, "parse_stripped", lambda *args: None)
        theirs = analyse_source(text.encode(), "m.py", INDEX, "app.m", target, frozenset({"app"}))
    return mine, theirs


def _refused(text: str) -> SyntaxError:
    with pytest.raises(SyntaxError) as refused:
        parse_code(text)
    return refused.value


def _cpython_tree(text: str):
    """The tree of ``text`` as CPython reads it with its new syntax rewritten, or None; without
    Python's warnings about the code, as the analysis reads it (``model.checked.unwarned``)."""
    with unwarned():
        return stripped.parse_stripped(text, _refused(text), "m.py")


def _read_as_libcst_reads(text: str) -> None:
    """Unless this Python reads ``text`` itself: its analysis is the same as through libcst alone
    (a hypothesis test cannot take ``monkeypatch``), and never a crash."""
    try:
        parse_code(text)
        return  # nothing new for this Python to refuse
    except SyntaxError:
        pass
    mine = analyse_source(text.encode(), "m.py", INDEX, "app.m", None, frozenset({"app"}))
    original = stripped.parse_stripped
    stripped.parse_stripped = lambda *args: None
    try:
        theirs = analyse_source(text.encode(), "m.py", INDEX, "app.m", None, frozenset({"app"}))
    finally:
        stripped.parse_stripped = original
    assert mine == theirs
    assert "CL999" not in [f.code for f in mine.findings]


@pytest.mark.parametrize("text", list(READ_BY_CPYTHON.values()), ids=list(READ_BY_CPYTHON))
def test_new_syntax_on_one_line_is_read_by_cpython_with_libcsts_findings_calls_and_facts(
    text, monkeypatch
):
    read = _cpython_tree(text) is not None
    assert read or (sys.version_info < (3, 10) and 'f"{' in text)  # as FSTRINGS are
    mine, theirs = _both(text, monkeypatch)
    assert mine == theirs
    assert mine.facts is not None and mine.calls
    # For an older target the file cannot be parsed: said of the same statement, in the same words.
    old, old_theirs = _both(text, monkeypatch, (3, 11))
    assert old == old_theirs
    assert [f.code for f in old.findings] == ["CL900"]
    assert "needs Python 3.12" in old.findings[0].message


@pytest.mark.parametrize("text", list(LEFT_TO_LIBCST.values()), ids=list(LEFT_TO_LIBCST))
def test_other_new_syntax_is_left_to_libcst(text, monkeypatch):
    assert _cpython_tree(text) is None
    mine, theirs = _both(text, monkeypatch)
    assert mine == theirs and mine.calls


def test_every_new_statement_is_rewritten_before_one_parse(monkeypatch):
    """Statements far down a file cost one parse, not one each."""
    filler = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(200))
    aliases = "".join(f"type A{i} = list[int]\n" for i in range(40))
    use = "def get(url):\n    return requests.get(url)\n"
    far_down = HEAD + filler + aliases + use
    refused = _refused(far_down)
    parses = []
    real = ast.parse
    monkeypatch.setattr(stripped.ast, "parse", lambda *a, **k: parses.append(1) or real(*a, **k))
    assert stripped.parse_stripped(far_down, refused, "m.py") is not None
    assert len(parses) == 1
    monkeypatch.setattr(stripped.ast, "parse", real)
    mine, theirs = _both(far_down, monkeypatch)
    assert mine == theirs and [f.code for f in mine.findings] == ["CL001"]


def test_a_line_in_a_string_is_left_as_it_is_and_many_statements_after_it_go_to_libcst(
    monkeypatch,
):
    """A string whose line looks like a ``type`` statement is no statement: read line by line
    instead, where each statement rewritten costs a parse up to the next one; past
    ``WHOLE_READS`` readings of the file, libcst's one parse costs less."""
    doc = 'DOC = """\ntype Looks = Like[a, statement]\nclass Nor[T]: this\n"""\n'
    filler = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(200))
    aliases = "".join(f"type A{i} = list[int]\n" for i in range(40))
    use = "def get(url):\n    return requests.get(DOC + url)\n"
    for text, read in [
        (HEAD + doc + aliases + filler + use, True),
        (HEAD + doc + filler + aliases + use, False),
    ]:
        assert (_cpython_tree(text) is not None) is read
        mine, theirs = _both(text, monkeypatch)
        assert mine == theirs and [f.code for f in mine.findings] == ["CL001"]


def test_the_type_statement_and_type_parameters_are_put_back_where_they_stood():
    text = "type Pair[K, V: int = str] = tuple[K, V]\nclass C[T](B):\n    pass\n"
    tree = _cpython_tree(text)
    assert tree is not None
    alias, cls = tree.body
    assert type(alias).__name__ == "TypeAlias" and alias.name.id == "Pair"
    assert (alias.lineno, alias.col_offset, alias.end_col_offset) == (
        1,
        0,
        len("type Pair[K, V: int = str] = tuple[K, V]"),
    )
    k, v = alias.type_params
    assert (k.name, v.name, v.bound.id, v.default_value.id) == ("K", "V", "int", "str")
    assert (v.bound.col_offset, v.default_value.col_offset) == (16, 22)
    assert ast.unparse(alias.value) == "tuple[K, V]"
    assert [p.name for p in cls.type_params] == ["T"] and cls.bases[0].id == "B"


#: Code that is wrong for every Python: left to libcst, which says where (CL900), as before.
WRONG = {
    "an empty list": "type X[] = int\n",
    "an empty parameter": "class X[T, ,]: pass\n",
    "a star without a name": "class X[*]: pass\n",
    "two names": "class X[T U]: pass\n",
    "a bound without its expression": "def f[T:](x): pass\n",
    "a default without its expression": "type X[T=] = int\n",
    "a bound on a star": "class X[*T: int]: pass\n",
    "yield as the value": "def f():\n    type X = yield 1\n",
    "no value": "type X =\n",
}


@pytest.mark.parametrize("text", list(WRONG.values()), ids=list(WRONG))
def test_wrong_new_syntax_is_left_to_libcst_and_reported_where_it_is(text, monkeypatch):
    assert _cpython_tree(text) is None
    mine, theirs = _both(text, monkeypatch)
    assert mine == theirs
    assert [f.code for f in mine.findings] == ["CL900"]


PIECES = [
    *("T", "U", "Ä", "*", "**", ":", "=", ",", " ", "int", "|", "None", "(", ")", "[", "]"),
    *("\n    ", "\n", "\\\n", "# c\n", "'s'"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(
        [
            "class X[{}](B):\n    pass\n",
            "@d\nasync def f[{}](x):\n    pass\n",
            "if x:\n    type X[{}] = int | None\n",
        ]
    ),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
)
def test_any_list_of_type_parameters_is_read_as_libcst_reads_it(shape, params):
    """Whatever stands between the brackets: the reading never fails, and what it takes (or leaves
    to libcst) is analysed as through libcst alone, a CL900 where the code is wrong."""
    text = HEAD + shape.format(params) + "def g(url):\n    requests.get(url)\n"
    _read_as_libcst_reads(text)


#: Python 3.12's f-strings (PEP 701) around calls the analysis reports or follows.
FSTRINGS = {
    "its own quotes in a field": HEAD
    + 'def f(url):\n    return f"{requests.get(url["a"]).text}"\n',
    "a backslash in a field": HEAD
    + "def f(url):\n    return f\"{'\\n'.join(requests.get(url).text)}\"\n",
    "an f-string in its own quotes": HEAD + 'def f(url):\n    return f"{f"{requests.get(url)}"}"\n',
    "a field in a format spec": HEAD
    + 'def f(url, w):\n    return f"{w:{requests.get(url["w"])}}"\n',
    "raw and bytes strings in a field": HEAD
    + "def f(url):\n    r = requests.get(url)\n"
    + "    return f\"{r.text.split(r'\\d')}{r.content.split(b'\\r\\n')}\"\n",
    "a field in a triple-quoted f-string": HEAD
    + 'def f(url):\n    return f"""head {requests.get(url["a"])!r:>{len("\\t")}} tail"""\n',
    "backslashes before braces": HEAD
    + 'def f(url, d):\n    x = f"\\{{" + requests.get(url) + "(}}"\n'
    + '    return f"\\{d["k"]}\\}} {d}"\n',
    "a named escape": HEAD + 'def f(url):\n    return f"\\N{BULLET} {requests.get(url["a"])!s}"\n',
    "a handled call": HEAD
    + "def f(url):\n    try:\n"
    + '        return f"{requests.get(url["a"], timeout=1)}"\n'
    + '    except requests.RequestException:\n        return ""\n',
    "a string right after a keyword": HEAD
    + 'def f(url):\n    return f"{requests.get(url) if"x"in url["a"] else 1}"\n',
}

#: Python 3.12's f-strings that an older CPython cannot be made to read, character for character.
FSTRINGS_LEFT_TO_LIBCST = {
    "a string in a field holding both kinds of quote": HEAD
    + "def f(url):\n    return f\"{requests.get(url, data='\\'\"')}\"\n",
    "a line break in a field of a one-line f-string": HEAD
    + 'def f(url):\n    return f"{\n        requests.get(url["a"])\n    }"\n',
    "a comment in a field": HEAD
    + 'def f(url):\n    return f"""{\n        requests.get(url["a"])  # the page\n    }"""\n',
    "an f-string in a field holding a backslash": HEAD
    + 'def f(url):\n    return f"{f"\\t{requests.get(url)}"}"\n',
    # The older tokenizer cannot place the nodes of a field of such an f-string on its later lines
    "a field on a later line of a triple-quoted f-string": HEAD
    + 'def f(url):\n    return f"""head\n  {requests.get(url["a"])!r:>{len("\\t")}} tail\n"""\n',
    "a string over several lines in a field": HEAD
    + 'def f(url, d):\n    return f"""{d["""a"""]} {f\'\'\'{requests.get(url)}\n\'\'\'}"""\n',
    # its text is the code as written: a rewritten string would show in it
    "a self-documenting field": HEAD + 'def f(url):\n    return f"{requests.get(url["a"])=}"\n',
}


@pytest.mark.parametrize("name", list(FSTRINGS))
def test_fstrings_of_python_3_12_are_read_by_cpython_with_libcsts_findings_calls_and_facts(
    name, monkeypatch
):
    text = FSTRINGS[name]
    read = _cpython_tree(text) is not None
    # Python 3.9 misplaces the nodes of fields: libcst reads every such f-string there.
    assert read is (sys.version_info >= (3, 10))
    mine, theirs = _both(text, monkeypatch)
    assert mine == theirs
    assert mine.facts is not None and mine.calls
    assert [f.code for f in mine.findings] == ([] if "RequestException" in text else ["CL001"])


@pytest.mark.parametrize(
    "text", list(FSTRINGS_LEFT_TO_LIBCST.values()), ids=list(FSTRINGS_LEFT_TO_LIBCST)
)
def test_other_fstrings_of_python_3_12_are_left_to_libcst(text, monkeypatch):
    assert _cpython_tree(text) is None
    mine, theirs = _both(text, monkeypatch)
    assert mine == theirs and [f.code for f in mine.findings] == ["CL001"]


@pytest.mark.skipif(
    sys.version_info < (3, 10), reason="Python 3.9 misplaces the nodes of fields: libcst reads them"
)
def test_a_requoted_string_keeps_its_place_and_gets_its_value_back():
    text = "x = 1\nmsg = f\"{'\\n'.join(rows)} {d[\"k\"]!r} {b'\\x00\\''}\"\n"
    lines = text.splitlines(keepends=True)
    changed = requoted.requote(lines)
    assert changed is not None
    made = "".join(lines)
    assert made == "x = 1\nmsg = f\"{'__'.join(rows)} {d['k']!r} {b'__00__'}\"\n"
    # Only the strings whose value the rewrite changed are put back, by where they stand.
    assert sorted(changed.values()) == ["'\\n'", "b'\\x00\\''"]
    tree = _cpython_tree(text)
    assert tree is not None
    values = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert {"\n", "k", b"\x00'"} <= values and "__" not in values
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert (call.lineno, call.col_offset, call.end_col_offset) == (2, 9, 24)


#: Expressions of strings of every kind (backslashes, either quote, nested f-strings) and calls.
FIELD_CODE = st.recursive(
    st.sampled_from(
        ["url", "requests.get(url)", '"a"', "'b'", "'\\n'", "r'\\d'", 'b"\\x00"', '"\\""', "'\\''"]
    ),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(" + ".join),
        st.tuples(inner, inner).map(lambda p: f"{p[0]}[{p[1]}]"),
        st.tuples(inner, inner).map(lambda p: f"{p[0]} if {p[1]} else url"),
        inner.map(lambda e: f"requests.get({e})"),
        inner.map(lambda e: f'f"{{{e}}}"'),
        inner.map(lambda e: f"f'{{{e}}}'"),
    ),
    max_leaves=5,
)
#: Code that is no expression at all, for the fields that are wrong.
FIELD_PIECES = ["url", '"a"', "'\\n'", "[", "]", "{", "}", ":", "!r", "=", "\n", "#", '"', "\\"]


#: What an f-string's text may hold before its field: backslashes before braces among them.
BEFORE_FIELD = ["", "x ", "\\{{", "\\}}", "\\", "\\\\", "\\N{BULLET}", "{{", "\\{", "\n"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(['f"', "f'", 'f"""', "rf'", 'Rf"""']),
    st.sampled_from(BEFORE_FIELD),
    st.one_of(
        st.tuples(FIELD_CODE, st.sampled_from(["", "!r", ":>10", "=", ":{url}"])).map("".join),
        st.lists(st.sampled_from(FIELD_PIECES), min_size=1, max_size=6).map("".join),
    ),
    st.sampled_from(["", " + requests.get(url) + ' }}'"]),
)
def test_any_field_of_an_fstring_is_read_as_libcst_reads_it(opening, before, field, after):
    """Whatever stands in the field and before it: the reading never fails, and what it takes (or
    leaves to libcst) is analysed as through libcst alone, a CL900 where the code is wrong."""
    closing = opening.lstrip("rRf")
    text = f"{HEAD}def g(url):\n    return {opening}{before}{{{field}}}{closing}{after}\n"
    _read_as_libcst_reads(text)
