"""What the prefilter's rounds search for (``contractlint.propagation.rounds``): a file is parsed
when it names what can reach a carrier, with the module it comes from; each case is checked
against a run that parses every file (the findings must be the same)."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from propagating import REQ_CLIENT, check, key, parsed_and_same, req, rows

from contractlint.model.project import Reach, word_hashes, words_of

FETCH = (
    "import requests\n\n\ndef fetch():\n    return requests.get('http://x.invalid', timeout=1)\n"
)


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
def test_a_function_is_searched_with_its_module(root, caller, parsed):
    files = {"app/client.py": FETCH, "app/other.py": "def fetch():\n    return 2\n"}
    files["app/views.py"] = caller
    reported = {"app/views.py"} if parsed else {"app/client.py"}
    # client.py, and views.py when it may call the carrier (never other.py or __init__.py)
    assert parsed_and_same(root, files, reported) == 1 + parsed


def test_a_re_export_and_a_relative_import_are_found_in_a_later_round(root):
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
        # the base itself, made: Resource(url) runs Resource.__init__, never an override
        (
            "from app.base import Resource\n\ndef make(url):\n    return Resource(url)\n",
            False,
            "app/base.py",
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
def test_a_constructor_carrier_is_searched_by_its_class_and_subclasses(
    root,
    caller,
    parsed,
    reported,
):
    files = {"app/base.py": BASE, "app/caller.py": caller}
    assert parsed_and_same(root, files, {reported}) == 1 + parsed


def test_a_base_class_from_outside_the_project_leads_to_no_file(root):
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


def test_a_method_is_searched_with_what_leads_to_its_own_class(root):
    files = {
        "app/store.py": (
            "import requests\n\n\nclass Store:\n    def get(self, key):\n"
            "        return requests.get('http://x.invalid/' + key, timeout=1)\n\n\n"
            "class Base:\n    pass\n\n\nclass Cache(Base):\n    def load(self):\n"
            "        return requests.get('http://c.invalid', timeout=1)\n"
        ),
        "app/user.py": "from app.store import Store\n\n\ndef f(s: Store):\n    return s.get('k')\n",
        # Store's get, with a base of Cache (which has no get): no call of a carrier can be there
        "app/mixed.py": "from app.store import Base\n\n\ndef f(b: Base, d):\n"
        "    return b, d.get('k')\n",
    }
    assert parsed_and_same(root, files, {"app/user.py", "app/store.py"}) == 2
    # Cache's load on its base: it may run Cache.load
    files["app/mixed.py"] = "from app.store import Base\n\n\ndef f(b: Base):\n    return b.load()\n"
    assert parsed_and_same(root, files, {"app/user.py", "app/mixed.py"}) == 3


# -- the search itself, on text --------------------------------------------------------------------


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


# -- the prefilter learns the helpers ------------------------------------------------------------


def test_prefilter_parses_a_module_that_only_calls_a_carrier(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": "from app.client import fetch\n\n\ndef show():\n    return fetch()\n",
            # plain.py names none of the project's carriers (``fetch``, ``show``): never parsed
            "app/plain.py": "import os\n\n\ndef cwd():\n    return os.getcwd()\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 5, 12, "CL001")]
    assert report.files_checked == 4
    assert report.files_parsed == 2  # client.py, views.py; not __init__.py nor plain.py


def test_prefilter_follows_two_levels(root):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/service.py": "from app.client import fetch\n\n\ndef lookup():\n"
            "    return fetch()\n",
            "app/views.py": "from app.service import lookup\n\n\ndef show():\n"
            "    return lookup()\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 5, 12, "CL001")]
    assert report.findings[0].via == ("lookup", "fetch", "requests.get")
    assert report.files_parsed == 3


def test_prefilter_learns_factories(root):
    report = check(
        root,
        {
            "app/factory.py": "import requests\n\n\ndef get_session() -> requests.Session:\n"
            "    return requests.Session()\n",
            "app/views.py": "from app.factory import get_session\n\nget_session().get('http://x.invalid')\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 3, 1, "CL001")]
    assert report.files_parsed == 2


STORE = """
    import requests


    class Base:
        pass


    class Store(Base):
        def get(self, key):
            return requests.get("http://store.invalid/" + key).text


    class CachedStore(Store):
        pass


    def open_store() -> Store:
        return Store()
    """


@pytest.mark.parametrize(
    "caller, reached",
    [
        # a method called get: the word "get" is in every file, and no test of whether
        # one reaches it
        ("def other(d):\n    return d.get('k')\n", False),
        ("from app.store import Store\n\ndef f():\n    return Store().get('k')\n", True),
        (
            "from app.store import CachedStore\n\ndef f():\n    return CachedStore().get('k')\n",
            True,
        ),
        ("from app.store import open_store\n\ndef f():\n    return open_store().get('k')\n", True),
        ("from app import store\n\ndef f(s: store.Store):\n    return s.get('k')\n", True),
        (
            "from app.store import Store\n\nclass Mine(Store):\n    def run(self):\n"
            "        return self.get('k')\n",
            True,
        ),
        # a base of the class: most files of a package may name it; only a call of get
        # can reach Store.get
        (
            "from app.store import Base\n\nclass Other(Base):\n"
            "    def run(self):\n        return 1\n",
            False,
        ),
        ("from app.store import Base\n\ndef f(b: Base):\n    return b.get('k')\n", True),
    ],
    ids=[
        "unrelated get",
        "class",
        "subclass",
        "factory",
        "annotation",
        "self in a subclass",
        "a base, no get",
        "a base and get",
    ],
)
def test_prefilter_searches_method_carriers_by_what_reaches_their_class(root, caller, reached):
    report = check(root, {"app/store.py": STORE, "app/caller.py": caller}, [req()])
    parsed = {"app/store.py"} | ({"app/caller.py"} if reached else set())
    assert report.files_parsed == len(parsed)
    assert {f.path for f in report.findings} == ({"app/caller.py"} if reached else {"app/store.py"})
    every = check(root, {}, [req()], use_prefilter=False)
    assert key(every) == key(report)


def test_prefilter_follows_a_mixin_and_a_renamed_export(root):
    report = check(
        root,
        {
            "app/store.py": STORE,
            "app/mixin.py": "class Fetching:\n    def fetch_all(self):\n"
            "        return self.get('all')\n",
            "app/combined.py": "from app.mixin import Fetching\nfrom app.store import Store\n\n\n"
            "class Combined(Fetching, Store):\n    pass\n",
            "app/public.py": "from app.store import open_store as connect\n",
            "app/user.py": "from app.public import connect\n\n\ndef read():\n"
            "    return connect().get('k')\n",
            "app/mixin_user.py": "from app.combined import Combined\n\n\ndef run_all():\n"
            "    return Combined().fetch_all()\n",
        },
        [req()],
    )
    assert sorted({f.path for f in report.findings}) == ["app/mixin_user.py", "app/user.py"]
    assert key(check(root, {}, [req()], use_prefilter=False)) == key(report)


@pytest.mark.parametrize(
    "files, reported",
    [
        (
            {
                "app/conf.py": "from app.store import open_store\n\nSTORE = open_store()\n",
                "app/user.py": "from app.conf import STORE\n\ndef f():\n"
                "    return STORE.get('k')\n",
            },
            "app/user.py",
        ),
        (
            {
                "app/holder.py": "from app import store\n\nclass Holder:\n    def __init__(self):\n"
                "        self.backend = store.open_store()\n",
                "app/user.py": "from app.holder import Holder\n\ndef f():\n"
                "    return Holder().backend.get('k')\n",
            },
            "app/user.py",
        ),
        (
            {
                "app/mk.py": "from app.store import open_store\n\ndef make():\n"
                "    return open_store()\n",
                "app/user.py": "from app.mk import make\n\ndef f():\n    return make().get('k')\n",
            },
            "app/user.py",
        ),
    ],
    ids=["module-level instance", "attribute", "unannotated factory of a factory"],
)
def test_prefilter_follows_what_a_factory_makes(root, files, reported):
    # the analysis keeps ``STORE = open_store()`` as open_store's name: what it returns
    # reaches Store.get
    report = check(root, {"app/store.py": STORE, **files}, [req()])
    assert {f.path for f in report.findings} == {reported}
    assert key(check(root, {}, [req()], use_prefilter=False)) == key(report)


@pytest.mark.parametrize(
    "files, reported",
    [
        (
            {
                "app/factory.py": "import requests\n\ndef make_session() -> requests.Session:\n"
                "    return requests.Session()\n",
                "app/conf.py": "from app.factory import make_session\n\nSESSION = make_session()\n",
                "app/user.py": "from app.conf import SESSION\n\ndef f():\n    return SESSION.get('http://x.invalid')\n",
            },
            "app/user.py",
        ),
        (
            {
                "app/client.py": "import requests\n\ndef __fetch():\n    return requests.get('http://x.invalid').text\n",
                "app/user.py": "from app.client import __fetch\n\ndef show():\n"
                "    return __fetch()\n",
            },
            "app/user.py",
        ),
        (
            {
                "app/client.py": "import requests\n\ndef récupéré():\n    return requests.get('http://x.invalid').text\n",
                "app/user.py": "from app.client import récupéré\n\ndef show():\n"
                "    return récupéré()\n",
            },
            "app/user.py",
        ),
    ],
    ids=[
        "a client made by a project function",
        "a name with two underscores",
        "a name with non-ASCII letters",
    ],
)
def test_prefilter_finds_clients_and_names_of_every_shape(root, files, reported):
    report = check(root, files, [req()])
    assert {f.path for f in report.findings} == {reported}
    assert key(check(root, {}, [req()], use_prefilter=False)) == key(report)


def test_prefilter_keeps_a_module_that_reaches_a_carrier_through_an_operator(root):
    # app/views.py imports no HTTP client and never names __contains__, but ``key in get_cache()``
    # runs Cache.__contains__: the prefilter keeps it, so the findings are those of a full parse.
    files = {
        "app/cache.py": """
            import requests


            class Cache:
                def __contains__(self, key):
                    return requests.head(f"http://cache.invalid/{key}", timeout=1).ok


            def get_cache() -> "Cache":
                return Cache()
        """,
        "app/views.py": """
            from app.cache import get_cache


            def lookup(key):
                return key in get_cache()
        """,
    }
    kept = check(root, files, [req()])
    full = check(root, files, [req()], use_prefilter=False)
    assert rows(kept) == rows(full) == [("app/views.py", 5, 12, "CL001")]
    assert kept.files_parsed == 2


#: A family's clauses, which differ in their first set only (each class's methods, then a name
#: that leads to the family), with others; and texts of every choice of their words.
FAMILY_REACH = Reach(
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
FAMILY_WORDS = ["poll", "refresh", "update", "Entity", "Sensor", "entity", "sensor", "Base", "http"]


def every_text():
    for count in range(len(FAMILY_WORDS) + 1):
        for chosen in itertools.combinations(FAMILY_WORDS, count):
            for module in ("app.entity", "app.other", None):
                yield " ".join(chosen).encode() + b"\n", module


def test_the_matcher_says_what_the_clauses_say_when_many_share_all_but_their_first_set():
    """The matcher takes a file exactly when one clause holds, the family's clauses grouped."""
    matches = FAMILY_REACH.matcher()
    for text, module in every_text():
        expected = bool(FAMILY_REACH.matching(text, module))
        assert matches(text, module) is expected, (text, module)


def test_the_matcher_tells_from_the_hashes_of_a_files_words_what_its_bytes_would():
    """``may``, from the hashes of a file's distinct words (what the rounds keep of a file they
    read once): the matcher's answer wherever a name is not only imported or listed as a base,
    and True there (the bytes are read then)."""
    from contractlint.model.project import words_of

    matches = FAMILY_REACH.matcher()
    for text, module in every_text():
        hashes = {hash(word) for word in words_of(text)}
        assert matches.may(hashes, module) is matches(text, module), (text, module)
    listed = b"from app.base import Base\n\n\nclass Light(Base):\n    pass\n"
    assert not matches(listed) and matches.may({hash(word) for word in words_of(listed)})


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


def _plugins(count: int) -> dict[str, str]:
    """A framework whose base class calls the service, ``count`` plugins that subclass it and call
    the inherited method, and as many modules that call nothing of the project."""
    files = {
        "app/base.py": "import requests\n\n\nclass Base:\n    def fetch(self):\n"
        "        return requests.get('http://x.invalid', timeout=1)\n",
    }
    for i in range(count):
        files[f"app/plugin_{i}.py"] = (
            "from app.base import Base\n\n\nclass Plugin(Base):\n    def show(self):\n"
            "        return self.fetch()\n"
        )
        files[f"app/plain_{i}.py"] = "import os\n\n\ndef cwd():\n    return os.getcwd()\n"
    return files


@pytest.mark.parametrize("left", [10, 2000], ids=["spreading: every file", "rounds only"])
def test_a_round_that_takes_a_large_share_of_the_files_left_parses_every_one(
    root, monkeypatch, left
):
    """A round that takes at least one in six of the files it searched, when enough are left,
    parses every file left instead (``run.follow.WIDE_LEFT``): the same findings, no more rounds."""
    import contractlint.run.follow as follow

    monkeypatch.setattr(follow, "WIDE_LEFT", left)
    files = _plugins(6)
    report = check(root, files, [req()])
    assert key(report) == key(check(root, {}, [req()], use_prefilter=False))
    assert {f.path for f in report.findings} == {f"app/plugin_{i}.py" for i in range(6)}
    # base.py, then the six plugins in one round (6 of the 13 files left): with few files left
    # that is all; with more, the round parses the plain modules and __init__.py too.
    assert report.files_parsed == (1 + 6 if left > 13 else report.files_checked)


def test_the_rounds_search_a_file_turned_away_by_the_words_read_with_it(root, monkeypatch):
    """The words of a file the prefilter turns away are kept as the first read met them: a round
    reads again only a file whose words may hold what it searches for (``run.words.Words``)."""
    import contractlint.run.words as words

    files = {
        "app/client.py": FETCH,
        "app/views.py": "from app.client import fetch\n\ndef show():\n    return fetch()\n",
        "app/plain.py": "import os\n\n\ndef cwd():\n    return os.getcwd()\n",
        "app/other.py": "def fetch():\n    return 2\n",  # ``fetch``, not from app.client
    }
    read = []
    real = words.read_given
    monkeypatch.setattr(
        words, "read_given", lambda path, sources: read.append(path) or real(path, sources)
    )
    assert parsed_and_same(root, files, {"app/views.py"}) == 2
    searched = sorted(os.path.relpath(p, root).replace(os.sep, "/") for p in read)
    # __init__.py was turned away before a file was kept (client.py): its words were not kept.
    # plain.py names nothing searched for, other.py names fetch but not its module: neither is
    # read again. The run without the prefilter has no rounds to read.
    assert searched == ["app/__init__.py", "app/views.py"]


def test_the_workers_hash_the_words_of_the_files_turned_away_before_an_error_was_known(
    root, monkeypatch
):
    """With workers, the files the first check turned away before a parsed file let an error
    escape are hashed by the workers, as this process would have: a round reads again only a file
    whose words may hold what it searches for, ``__init__.py`` included."""
    import contractlint.run.words as words
    from contractlint.run import pool, schedule

    monkeypatch.setattr(schedule, "POOL_MIN_FILES", 1)
    files = {
        "app/client.py": FETCH,
        "app/views.py": "from app.client import fetch\n\ndef show():\n    return fetch()\n",
        "app/plain.py": "import os\n\n\ndef cwd():\n    return os.getcwd()\n",
        "app/other.py": "def fetch():\n    return 2\n",
    }
    read, gathered = [], []
    real_read, real_gather = words.read_given, pool.Pool.gather_words
    monkeypatch.setattr(
        words, "read_given", lambda path, sources: read.append(path) or real_read(path, sources)
    )
    monkeypatch.setattr(
        pool.Pool, "gather_words", lambda self: gathered.append(real_gather(self)) or gathered[-1]
    )
    alone = check(root, files, [req()], jobs=1)
    read.clear()
    report = check(root, {}, [req()], jobs=2)
    assert key(report) == key(alone) and report.files_parsed == 2
    searched = sorted(os.path.relpath(p, root).replace(os.sep, "/") for p in read)
    assert searched == ["app/views.py"]  # the one that names what the round searches for
    hashed = {os.path.relpath(p, root).replace(os.sep, "/"): h for p, h in gathered[0].items()}
    assert "app/__init__.py" in hashed and "app/client.py" not in hashed
    for path, hashes in hashed.items():
        expected = word_hashes(words_of((root / path).read_bytes()))
        assert sorted(hashes) == sorted(expected), path


def test_the_first_check_keeps_words_once_an_error_leaves_a_parsed_file(root, monkeypatch):
    """Until a parsed file lets an error escape, the rounds have nothing to search for: the first
    check keeps no words (a project whose service calls are all handled pays nothing for them),
    and the rounds let go of those it kept before the project-wide pass."""
    import contractlint.propagation as propagation
    import contractlint.run.follow as follow
    import contractlint.run.words as words

    kept, made, left = [], [], []
    real_propagate = propagation.propagate

    class Words(words.Words):
        def __init__(self, sources, workers=None):
            super().__init__(sources, workers)
            made.append(self)

        def keep(self, path, data):  # what the first check keeps (a round's read is apart)
            before = len(self)
            super().keep(path, data)
            if len(self) > before:
                kept.append(os.path.basename(path))

    def propagating(*args, **kwargs):
        left.extend(len(w) for w in made)
        return real_propagate(*args, **kwargs)

    monkeypatch.setattr(follow, "Words", Words)
    monkeypatch.setattr(propagation, "propagate", propagating)
    files = {f"app/plain_{i}.py": "import os\n" for i in range(5)}
    files["app/client.py"] = (
        "import requests\n\n\ndef fetch():\n    try:\n"
        "        return requests.get('http://x.invalid', timeout=1)\n"
        "    except requests.RequestException:\n        return None\n"
    )
    report = check(root, files, [req()], jobs=1)
    assert report.files_parsed == 1 and not report.findings and not kept  # handled: no words
    files["app/client.py"] = FETCH  # its error escapes: each file turned away after it is kept
    report = check(root, files, [req()], jobs=1)
    assert report.files_parsed == 1
    assert sorted(kept) == [f"plain_{i}.py" for i in range(5)]
    assert left and not any(left)  # none kept through the project-wide pass


def test_a_file_a_round_finds_is_parsed_while_the_search_goes_on(root, monkeypatch):
    """A round hands each file its search finds to the check at once (``run.follow._Found``): the
    first caller is parsed before the search reads the files after it."""
    import contractlint.run.filecheck as filecheck
    import contractlint.run.words as words

    caller = "from app.client import fetch\n\ndef show():\n    return fetch()\n"
    files = {"app/client.py": FETCH, "app/a_views.py": caller, "app/z_views.py": caller}
    events = []
    read, analyse = words.read_given, filecheck.FileCheck.analyse

    def reading(path, sources):
        events.append(("read", os.path.basename(path)))
        return read(path, sources)

    def analysing(self, data, task):
        events.append(("parse", os.path.basename(task.path)))
        return analyse(self, data, task)

    monkeypatch.setattr(words, "read_given", reading)
    monkeypatch.setattr(filecheck.FileCheck, "analyse", analysing)
    report = check(root, files, [req()], jobs=1)
    assert {f.path for f in report.findings} == {"app/a_views.py", "app/z_views.py"}
    assert events.index(("parse", "a_views.py")) < events.index(("read", "z_views.py"))


def test_what_gives_an_instance_is_kept_for_every_class_the_search_may_ask_about():
    """``_Values`` keeps what gives an instance of a class of the project, or of a name of the
    project (a base no parsed file defines), and nothing for a name from outside: for each class
    and each name of a family that ``leading`` may ask about, the same names as an index of
    everything. The project's names leave ``logging`` out: its classes are still asked about."""
    from propagating import REQUESTS, facts_of, stdlib_facts

    from contractlint.contracts import load_contract
    from contractlint.propagation.fixpoint import Follow
    from contractlint.propagation.rounds import _Search, _Values

    contracts = [load_contract(REQUESTS)]
    facts = stdlib_facts(["email", "logging", "concurrent"], contracts)
    # a base of the project that no parsed file defines, and what returns one
    gone = "from app.gone import Base\n\ndef make() -> Base:\n    pass\n\n"
    gone += "class Local(Base):\n    pass\n"
    facts.update(facts_of({"app/local.py": gone}, contracts))
    follow = Follow(facts, contracts)
    project = follow.project
    search = _Search(follow, facts, contracts, frozenset({"email", "concurrent", "app"}))
    kept = _Values(search)

    class Everything(_Values):
        def asked(self, cls: str) -> bool:
            return True

    every = Everything(search)
    asked = set(project.classes)
    asked |= {
        base
        for cls in project.classes
        for base in project.ancestors(cls)
        if base.partition(".")[0] in search.project_names
    }
    assert any(c.startswith("logging.") for c in asked)
    assert "app.gone.Base" in asked and ("make", "app.local.make") in every.giving(
        {"app.gone.Base"}
    )
    for cls in sorted(asked):
        for attributes in (True, False):
            assert kept.giving({cls}, attributes) == every.giving({cls}, attributes), cls
    assert sum(map(bool, every.by_class.values())) > sum(map(bool, kept.by_class.values()))
    assert "str" in every.by_class and "str" not in kept.by_class
    # Freed by their reference counts, not held in a cycle for the cyclic collector: that would
    # walk every fact of the run to free them.
    import gc
    import weakref

    from contractlint.propagation.rounds import _Where

    where = _Where(facts, project)
    assert where("email.message.Message")
    held = [weakref.ref(kept), weakref.ref(kept.classes), weakref.ref(where)]
    gc.disable()
    try:
        del kept, every, where
        assert [ref() for ref in held] == [None, None, None]
    finally:
        gc.enable()


@given(
    st.dictionaries(
        st.sampled_from("abcdefgh"), st.lists(st.sampled_from("abcdefgh"), max_size=3), min_size=1
    ),
    st.permutations("abcdefgh"),
)
@example(edges={"a": ["b"], "b": ["a", "c"], "c": []}, order=list("abcdefgh"))
def test_a_closure_is_the_same_whichever_key_is_asked_first(edges, order):
    """``Closure`` (what a value gives, where a name comes from): each key's answer is everything
    it reaches, its own item included, cycles or not, whatever the order the keys are asked in.
    Before, a key met inside a cycle kept what it had found while the cycle's first key was still
    being worked out (``b`` above: without ``a``)."""
    from contractlint.propagation.closure import Closure

    class Reached(Closure[str]):
        def step(self, key: str, depth: int) -> tuple[set[str], list[str]]:
            return {key}, list(edges.get(key, ()))

    def reached(start: str) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for then in edges.get(todo.pop(), ()):
                if then not in seen:
                    seen.add(then)
                    todo.append(then)
        return seen

    closure = Reached()
    for node in order:
        assert closure(node) == reached(node), node
    assert closure.known == {node: frozenset(reached(node)) for node in order}
