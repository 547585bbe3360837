"""What the prefilter's rounds search for (``contractlint.propagation.rounds``): a file is parsed
when it names what can reach a carrier, with the module it comes from; each case is checked
against a run that parses every file (the findings must be the same)."""

from __future__ import annotations

import itertools

import pytest
from test_propagation import check, key, req, root  # noqa: F401 (root: a fixture)

from contractlint.model.project import Reach

FETCH = (
    "import requests\n\n\ndef fetch():\n    return requests.get('http://x.invalid', timeout=1)\n"
)


def parsed_and_same(root, files, reported):  # noqa: F811 (root: the fixture's value)
    report = check(root, files, [req()])
    every = check(root, {}, [req()], use_prefilter=False)
    assert key(report) == key(every)
    assert {f.path for f in report.findings} == reported
    return report.files_parsed


@pytest.mark.parametrize(
    "caller, parsed",
    [
        # names fetch, and the module it is defined in
        ("from app.client import fetch\n\ndef show():\n    return fetch()\n", True),
        ("from app import client\n\ndef show():\n    return client.fetch()\n", True),
        # another fetch, from another module: no call of the carrier can be there
        ("from app.other import fetch\n\ndef show():\n    return fetch()\n", False),
        ("def fetch():\n    return 1\n\ndef show():\n    return fetch()\n", False),
    ],
    ids=["imported", "through its module", "another module's fetch", "its own fetch"],
)
def test_a_function_is_searched_with_its_module(root, caller, parsed):  # noqa: F811
    files = {"app/client.py": FETCH, "app/other.py": "def fetch():\n    return 2\n"}
    files["app/views.py"] = caller
    reported = {"app/views.py"} if parsed else {"app/client.py"}
    # client.py, and views.py when it may call the carrier (never other.py or __init__.py)
    assert parsed_and_same(root, files, reported) == 1 + parsed


def test_a_re_export_and_a_relative_import_are_found_in_a_later_round(root):  # noqa: F811
    files = {
        "app/client.py": FETCH,
        "app/api/__init__.py": "from app.client import fetch as get_it\n",
        "app/api/views.py": "from . import get_it\n\ndef show():\n    return get_it()\n",
        "app/elsewhere.py": "from app.api import get_it\n\ndef page():\n    return get_it()\n",
    }
    reported = {"app/api/views.py", "app/elsewhere.py"}
    assert parsed_and_same(root, files, reported) == 4


BASE = """
import requests


class Resource:
    def __init__(self, url):
        self.url = url


class Remote(Resource):
    def __init__(self, url):
        super().__init__(url)
        self.state = requests.get(url, timeout=1).json()
"""


@pytest.mark.parametrize(
    "caller, parsed, reported",
    [
        # a subclass of the base of a class whose __init__ carries an error: Local() runs no
        # override of Resource.__init__, so the file is not parsed for it
        (
            "from app.base import Resource\n\nclass Local(Resource):\n    pass\n\n\n"
            "def make():\n    return Local('x')\n",
            False,
            "app/base.py",
        ),
        # the base itself, made: Resource(url) may run Remote.__init__ (an override)
        (
            "from app.base import Resource\n\ndef make(url):\n    return Resource(url)\n",
            True,
            "app/caller.py",
        ),
        # the class, subclassed: its subclass runs Remote.__init__
        (
            "from app.base import Remote\n\nclass Mine(Remote):\n    pass\n\n\n"
            "def make():\n    return Mine('x')\n",
            True,
            "app/caller.py",
        ),
    ],
    ids=["a sibling class", "the base, made", "a subclass"],
)
def test_a_base_of_a_constructor_carrier_is_searched_where_it_is_used(
    root,  # noqa: F811
    caller,
    parsed,
    reported,
):
    files = {"app/base.py": BASE, "app/caller.py": caller}
    assert parsed_and_same(root, files, {reported}) == 1 + parsed


def test_a_base_class_from_outside_the_project_leads_to_no_file(root):  # noqa: F811
    files = {
        "app/client.py": (
            "import json\n\nimport requests\n\n\nclass Client(json.JSONEncoder):\n"
            "    def pull(self):\n        return requests.get('http://x.invalid', timeout=1)\n"
        ),
        # names pull and the outside base: no name of it leads to Client.pull
        "app/encode.py": "import json\n\n\nclass Enc(json.JSONEncoder):\n    def pull(self):\n"
        "        return 1\n\n\ndef run(e: json.JSONEncoder):\n    return e.pull()\n",
    }
    assert parsed_and_same(root, files, {"app/client.py"}) == 1


def test_a_method_is_searched_with_what_leads_to_its_own_class(root):  # noqa: F811
    files = {
        "app/store.py": (
            "import requests\n\n\nclass Store:\n    def get(self, key):\n"
            "        return requests.get('http://x.invalid/' + key, timeout=1)\n\n\n"
            "class Base:\n    pass\n\n\nclass Cache(Base):\n    def load(self):\n"
            "        return requests.get('http://c.invalid', timeout=1)\n"
        ),
        "app/user.py": "from app.store import Store\n\n\ndef f(s: Store):\n    return s.get('k')\n",
        # Store's get, with a base of Cache (which has no get): no call of a carrier can be there
        "app/mixed.py": "from app.store import Base\n\n\ndef f(b: Base, d):\n    return b, d.get('k')\n",
    }
    assert parsed_and_same(root, files, {"app/user.py", "app/store.py"}) == 2
    # Cache's load on its base: it may run Cache.load
    files["app/mixed.py"] = "from app.store import Base\n\n\ndef f(b: Base):\n    return b.load()\n"
    assert parsed_and_same(root, files, {"app/user.py", "app/mixed.py"}) == 3


# -- the search itself, on text ----------------------------------------------------------------------


def clause(*sets: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(s.split()) for s in sets)


def test_a_clause_needs_a_word_of_each_set_and_the_module_words_stand_for_the_file():
    reach = Reach(clauses=frozenset({clause("fetch", "client @app.client", "app @app")}))
    matches = reach.matcher()
    assert matches(b"from app.client import fetch\n", "app.views")
    assert not matches(b"from app.other import fetch\n", "app.views")
    assert matches(b"from .client import fetch\n", "app.views")  # inside the package app
    assert not matches(b"from .client import fetch\n", "other.views")
    assert matches(b"from .client import fetch\n")  # a file whose module is not known may be any
    assert not matches(b"from app.client import fetched\n", "app.views")
    assert matches("from app.client import fetch as récupéré\n".encode(), "app.views")


@pytest.mark.parametrize(
    "text, used",
    [
        (b"from m import A\n", False),
        (b"from m import (\n    B,  # b\n    A,\n)\n", False),
        (b"import m.A as a\n", False),
        (b"class C(B, A):\n    pass\n", False),
        (b"x = A()\n", True),
        (b"def f(a: A):\n    pass\n", True),
        (b"class A:\n    pass\n", True),
        (b"class C(\n    A,\n):\n    pass\n", True),  # over several lines: taken as used
        (b"from m import A; A()\n", True),
    ],
)
def test_a_used_name_is_one_the_text_does_more_with_than_import_or_subclass(text, used):
    reach = Reach(clauses=frozenset({clause("!A")}))
    assert reach.matcher()(text, "app.x") is used


def test_the_matcher_says_what_the_clauses_say_when_many_share_all_but_their_first_set():
    """A family gives clauses that differ in their first set only (each class's methods, then a
    name that leads to the family): the matcher takes a file exactly when one clause holds."""
    reach = Reach(
        clauses=frozenset(
            {
                clause("poll refresh", "Entity", "entity @app.entity"),
                clause("update", "Entity", "entity @app.entity"),
                clause("update", "Sensor", "sensor @app.sensor"),
                clause("poll", "Sensor", "entity @app.entity"),
                clause("!Base"),
                clause("fetch_json", "http @app.http"),
            }
        )
    )
    matches = reach.matcher()
    words = ["poll", "refresh", "update", "Entity", "Sensor", "entity", "sensor", "Base", "http"]
    for count in range(len(words) + 1):
        for chosen in itertools.combinations(words, count):
            text = " ".join(chosen).encode() + b"\n"
            for module in ("app.entity", "app.other", None):
                expected = bool(reach.matching(text, module))
                assert matches(text, module) is expected, (chosen, module)


def test_a_family_is_its_classes_subclasses_and_every_base_of_those_and_nothing_else():
    """The classes through which code reaches a member of ``Entity`` (``_family``): the owner, its
    subclasses, and every base or mixin of those, outside names included; not a class of the
    project that only shares a base with them."""
    from contractlint.model.project import ClassFacts, Facts
    from contractlint.propagation.names import Project
    from contractlint.propagation.rounds import _family

    classes = (
        ClassFacts("app.core.Base", bases=("abc.ABC",)),
        ClassFacts("app.core.Entity", bases=("app.core.Base",)),
        ClassFacts("app.core.Unrelated", bases=("app.core.Base",)),
        ClassFacts("app.core.Polling"),
        ClassFacts("app.light.Light", bases=("app.core.Polling", "app.core.Entity")),
        ClassFacts("app.light.Dimmer", bases=("app.light.Light", "enum.Enum")),
        *(ClassFacts(f"app.other.C{i}", bases=("app.core.Unrelated",)) for i in range(20)),
    )
    project = Project({"app.py": Facts(module="app", classes=classes)}, [])
    assert _family(project, {"app.core.Entity"}) == {
        "app.core.Entity",
        "app.core.Base",
        "abc.ABC",
        "app.light.Light",
        "app.core.Polling",
        "app.light.Dimmer",
        "enum.Enum",
    }
    assert _family(project, {"app.light.Dimmer"}) == {
        "app.light.Dimmer",
        "app.light.Light",
        "app.core.Polling",
        "app.core.Entity",
        "app.core.Base",
        "abc.ABC",
        "enum.Enum",
    }
    # a base from outside the project: every class whose line holds it, with those lines
    assert _family(project, {"abc.ABC"}) == {c.qual for c in classes} | {"abc.ABC", "enum.Enum"}
