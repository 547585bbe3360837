"""A member of a large family searched by its name alone (``contractlint.propagation.demand``):
the files that name it are parsed, with the modules its calls need and the classes they may go
through. Each case is run with every member searched so (``FAMILY`` at 0) and checked against a
run that parses every file: the findings must be the same."""

from __future__ import annotations

import pytest
from propagating import check, key, req, searched_alone
from propagating import parsed_and_same as same

STORE = """
import requests


class Store:
    def get(self, key):
        return requests.get("http://store.invalid/" + key).text


def open_store() -> Store:
    return Store()
"""


@pytest.fixture
def alone(monkeypatch):
    """Every member whose name few files hold is searched alone, however small its family: the
    names each round searched so (a test asserts some were)."""
    return searched_alone(monkeypatch)


CASES = {
    # Remote overrides pull through a class whose file never names pull: it is parsed as a base
    # of a class that defines the member
    "a base between": (
        {
            "app/kit.py": "class Kit:\n    def pull(self):\n        return 1\n",
            "app/middle.py": "from app.kit import Kit\n\n\nclass Middle(Kit):\n    pass\n",
            "app/remote.py": "import requests\nfrom app.middle import Middle\n\n\n"
            "class Remote(Middle):\n    def pull(self):\n"
            "        return requests.get('http://x.invalid').text\n",
            "app/user.py": "from app.kit import Kit\n\n\ndef run(k: Kit):\n    return k.pull()\n",
        },
        {"app/user.py"},
    ),
    # what make() returns is known once its module is parsed, which never names get
    "a factory elsewhere": (
        {
            "app/store.py": STORE,
            "app/factory.py": "from app.store import Store\n\n\ndef make() -> Store:\n"
            "    return Store()\n",
            "app/user.py": "from app.factory import make\n\n\ndef f():\n"
            "    return make().get('k')\n",
        },
        {"app/user.py"},
    ),
    "a module-level instance": (
        {
            "app/store.py": STORE,
            "app/conf.py": "from app.store import open_store\n\nSTORE = open_store()\n",
            "app/user.py": "from app.conf import STORE\n\n\ndef f():\n    return STORE.get('k')\n",
        },
        {"app/user.py"},
    ),
    # the mixin's self.get() finds get in the class it is mixed into, whose file names no get
    "a mixin": (
        {
            "app/store.py": STORE,
            "app/mixin.py": "class Fetching:\n    def fetch_all(self):\n"
            "        return self.get('all')\n",
            "app/combined.py": "from app.mixin import Fetching\nfrom app.store import Store\n\n\n"
            "class Combined(Fetching, Store):\n    pass\n",
            "app/user.py": "from app.combined import Combined\n\n\ndef run_all():\n"
            "    return Combined().fetch_all()\n",
        },
        {"app/user.py"},
    ),
    # a subclass's property stands for the attribute of its base: its file names no get
    "an attribute a subclass overrides": (
        {
            "app/store.py": STORE,
            "app/base.py": "class Plain:\n    def get(self, key):\n        return key\n\n\n"
            "class Holder:\n    def __init__(self):\n        self.backend = Plain()\n",
            "app/special.py": "from app.base import Holder\nfrom app.store import Store\n\n\n"
            "class Special(Holder):\n    @property\n    def backend(self) -> Store:\n"
            "        return Store()\n",
            "app/user.py": "from app.base import Holder\n\n\ndef f(h: Holder):\n"
            "    return h.backend.get('k')\n",
        },
        {"app/user.py"},
    ),
    # the receiver's chain passes through a class whose file names nothing searched for
    "a chain through a class": (
        {
            "app/store.py": STORE,
            "app/repo.py": "from app.store import Store\n\n\nclass Repo:\n"
            "    def store(self) -> Store:\n        return Store()\n",
            "app/svc.py": "from app.repo import Repo\n\n\nclass Svc:\n    def __init__(self):\n"
            "        self.repo = Repo()\n",
            "app/user.py": "from app.svc import Svc\n\n\ndef f(s: Svc):\n"
            "    return s.repo.store().get('k')\n",
        },
        {"app/user.py"},
    ),
    "a property inherited through a class between": (
        {
            "app/store.py": STORE,
            "app/base.py": "from app.store import Store\n\n\nclass Holder:\n    @property\n"
            "    def backend(self) -> Store:\n        return Store()\n",
            "app/mid.py": "from app.base import Holder\n\n\nclass Mid(Holder):\n    pass\n",
            "app/user.py": "from app.mid import Mid\n\n\ndef f(h: Mid):\n"
            "    return h.backend.get('k')\n",
        },
        {"app/user.py"},
    ),
    # the mixin reaches the class it is mixed into through a base of that class's subclass
    "a mixin behind a base": (
        {
            "app/store.py": STORE,
            "app/mixin.py": "class Fetching:\n    def fetch_all(self):\n"
            "        return self.get('all')\n",
            "app/mid.py": "from app.mixin import Fetching\n\n\nclass Mid(Fetching):\n    pass\n",
            "app/combined.py": "from app.mid import Mid\nfrom app.store import Store\n\n\n"
            "class Combined(Mid, Store):\n    pass\n",
            "app/user.py": "from app.combined import Combined\n\n\ndef run_all():\n"
            "    return Combined().fetch_all()\n",
        },
        {"app/user.py"},
    ),
    # the method under another name, as a subclass inherits it and as an instance holds it
    "an alias through a subclass": (
        {
            "app/store.py": STORE,
            "app/sub.py": "from app.store import Store\n\n\nclass Sub(Store):\n    pass\n",
            "app/short.py": "from app.sub import Sub\n\nfetch_one = Sub.get\n",
            "app/user.py": "from app.short import fetch_one\n\n\ndef f(s):\n"
            "    return fetch_one(s, 'k')\n",
        },
        {"app/user.py"},
    ),
    "an alias of an instance's method": (
        {
            "app/store.py": STORE + "\n\nSTORE = Store()\n",
            "app/short.py": "from app.store import STORE\n\nfetch_one = STORE.get\n",
            "app/user.py": "from app.short import fetch_one\n\n\ndef f():\n"
            "    return fetch_one('k')\n",
        },
        {"app/user.py"},
    ),
    # the method under another name
    "an alias": (
        {
            "app/store.py": STORE,
            "app/short.py": "from app.store import Store\n\nfetch_one = Store.get\n",
            "app/user.py": "from app.short import fetch_one\n\n\ndef f(s):\n"
            "    return fetch_one(s, 'k')\n",
        },
        {"app/user.py"},
    ),
}


@pytest.mark.parametrize("files, reported", CASES.values(), ids=CASES.keys())
def test_a_member_searched_alone_finds_what_its_calls_need(root, alone, files, reported):
    same(root, files, reported)
    assert any(alone)


@pytest.mark.parametrize("files, reported", CASES.values(), ids=CASES.keys())
def test_the_same_cases_searched_by_their_family(root, files, reported):
    same(root, files, reported)


def test_a_large_family_is_not_parsed_for_a_rare_member(root, monkeypatch):
    files = {
        "app/base.py": "import requests\n\n\nclass Base:\n    def refresh_all(self):\n"
        "        return requests.get('http://x.invalid').text\n",
        "app/user.py": "from app.a import A\n\n\ndef f(x: A):\n    return x.refresh_all()\n",
    }
    for name in "abcd":
        files[f"app/{name}.py"] = (
            f"from app.base import Base\n\n\nclass {name.upper()}(Base):\n    pass\n"
        )
    # five names lead to Base (itself and four subclasses): each file that names one is parsed
    assert same(root, files, {"app/user.py"}) == 6
    # more than FAMILY: user.py names refresh_all, and A's module is parsed for it; b, c, d not
    said = searched_alone(monkeypatch)
    assert same(root, {}, {"app/user.py"}) == 3
    assert frozenset({"refresh_all"}) in said


def test_a_dunder_called_by_its_name_is_searched_by_its_name(root):
    # Res() runs no __del__, and nothing but a call that names __del__ runs it: other.py, which
    # uses Res, is not parsed
    files = {
        "app/res.py": "import requests\n\n\nclass Res:\n    pass\n\n\nclass Remote(Res):\n"
        "    def __del__(self):\n        requests.post('http://x.invalid')\n",
        "app/other.py": "from app.res import Res\n\n\ndef make():\n    return Res()\n",
        "app/closer.py": "from app.res import Remote\n\n\ndef close(r: Remote):\n    r.__del__()\n",
    }
    assert same(root, files, {"app/closer.py"}) == 2


def test_a_module_two_roots_hold_is_parsed_from_both(root, alone):
    # app.mid is src/app/mid.py and app/mid.py (the default roots are . and src): the full run
    # reads both, and so must the rounds when a call needs app.mid.Mid
    files = {
        "app/store.py": STORE,
        "app/mid.py": "class Other:\n    pass\n",
        "src/app/mid.py": "from app.store import Store\n\n\nclass Mid(Store):\n    pass\n",
        "app/user.py": "from app.mid import Mid\n\n\ndef f(x: Mid):\n    return x.get('k')\n",
    }
    report = check(root, files, [req()], paths=("app", "src"))
    every = check(root, {}, [req()], paths=("app", "src"), use_prefilter=False)
    assert key(report) == key(every)
    assert {f.path for f in report.findings} == {"app/user.py"}
