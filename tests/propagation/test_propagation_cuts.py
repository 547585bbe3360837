"""Where a resolution cut short at ``resolution-targets`` is reported (CL902): where what the cut
left out holds a carrier, a function that returns a sentinel, or a service, so that the finding
is the same whether the prefilter turned files away or every file was parsed."""

from __future__ import annotations

from propagating import check, key, req

from contractlint.config import Config
from contractlint.model.budgets import LIMITS

FETCH = (
    "import requests\n\n\ndef fetch():\n    return requests.get('http://x.invalid', timeout=1)\n"
)
# ``Loud.__init__`` lets a requests error escape: a carrier whose name ends as every
# constructor's does.
LOUD = (
    "import requests\n\nfrom app.base import Base\n\n\nclass Loud(Base):\n"
    "    def __init__(self):\n        requests.get('http://x.invalid', timeout=1)\n"
)


def run(root, files, targets: int = 4):
    """The findings of a run with and of one without the prefilter (``targets``: the limit)."""
    config = Config(root=str(root), limits=LIMITS._replace(targets=targets))
    turned_away = check(root, files, [req()], config=config)
    every = check(root, {}, [req()], config=config, use_prefilter=False)
    assert turned_away.files_parsed < every.files_parsed  # the prefilter turned some away
    return turned_away, every


def cuts(report) -> list[tuple[str, int]]:
    return [(f.path, f.span.line) for f in report.findings if f.code == "CL902"]


def quiet_family(count: int) -> dict[str, str]:
    """``count`` subclasses of ``Base`` overriding ``__init__``, none a carrier, in files the
    prefilter turns away (they import no service, and the rounds have no name of theirs to search
    for): parsed only when every file is."""
    return {
        f"app/s{i}.py": "from app.base import Base\n\n\n"
        f"class S{i}(Base):\n    def __init__(self):\n        self.number = {i}\n"
        for i in range(count)
    }


def test_overrides_only_a_full_parse_sees_make_no_finding_when_none_is_a_carrier(root):
    """``Base.__init__(self)`` may run every override of ``__init__``: parsing every file finds
    more than the limit of them, the prefilter's run only ``Base``'s, ``Loud``'s and ``Made``'s.
    The cut leaves out overrides that carry nothing: no CL902 in either run, the same CL001
    (``Loud.__init__``'s error, through ``Made.__init__``) in both."""
    files = {
        "app/base.py": "class Base:\n    def __init__(self):\n        pass\n",
        "app/loud.py": LOUD,
        "app/make.py": "import requests\n\nfrom app.base import Base\n\n\n"
        "class Made(Base):\n    def __init__(self):\n        Base.__init__(self)\n",
        **quiet_family(6),
    }
    turned_away, every = run(root, files)
    assert key(turned_away) == key(every)
    assert cuts(every) == []
    assert [(f.path, f.span.line, f.code) for f in every.findings] == [("app/make.py", 8, "CL001")]


def test_bases_only_a_full_parse_sees_make_no_finding(root):
    """``b.fetch()`` on a ``Base`` that defines no ``fetch``: what its subclasses inherit it from.
    Every file parsed, each subclass's line ends at ``abc.ABC``: one name. With the prefilter,
    the mixins' files are not parsed, and each mixin is a base from outside the project: more
    names than the limit, none a carrier or a service. No finding in either run."""
    files = {
        "app/client.py": FETCH,
        # it imports requests: the prefilter keeps it
        "app/base.py": "import requests\n\n\nclass Base:\n    pass\n",
        "app/handle.py": "import requests\n\nfrom app.base import Base\n\n\n"
        "def handle(b: Base):\n    return b.fetch()\n",
    }
    for i in range(6):
        files[f"app/mixin{i}.py"] = f"from abc import ABC\n\n\nclass Mixin{i}(ABC):\n    pass\n"
        files[f"app/m{i}.py"] = (
            f"import requests\n\nfrom app.base import Base\nfrom app.mixin{i} import Mixin{i}\n"
            f"\n\nclass M{i}(Mixin{i}, Base):\n    pass\n"
        )
    turned_away, every = run(root, files)
    assert key(turned_away) == key(every)
    assert cuts(every) == []


def test_a_carrier_past_the_limit_is_reported_with_and_without_the_prefilter(root):
    """``cls()`` in a classmethod of ``Base`` may run ``Loud.__init__``, a carrier, found past the
    first four overrides in both runs (the prefilter keeps the overriding files): the call says
    that its answer is partial, though its callee is named as no carrier is (``cls`` names no
    method). Loud's error is reported where it leaves the last function followed."""
    files = {
        "app/base.py": "import requests\n\n\nclass Base:\n    def __init__(self):\n        pass\n"
        "\n    @classmethod\n    def make(cls):\n        return cls()\n",
        "app/z_loud.py": LOUD,
        "app/plain.py": "import os\n\n\ndef cwd():\n    return os.getcwd()\n",
    }
    for i in range(6):  # guarded: no carrier, but the prefilter keeps each file
        files[f"app/s{i}.py"] = (
            "import requests\n\nfrom app.base import Base\n\n\n"
            f"class S{i}(Base):\n    def __init__(self):\n        try:\n"
            "            requests.get('http://x.invalid', timeout=1)\n"
            "        except requests.RequestException:\n            self.up = False\n"
        )
    turned_away, every = run(root, files)
    assert key(turned_away) == key(every)
    assert [(f.path, f.span.line, f.code) for f in every.findings] == [
        ("app/base.py", 10, "CL902"),
        ("app/z_loud.py", 8, "CL001"),
    ]
    assert "Base.__init__ may run more than 4 functions" in every.findings[0].message
    turned_away, every = run(root, {}, targets=8)  # within the limit: followed to its caller
    assert key(turned_away) == key(every)
    assert [(f.path, f.span.line, f.code) for f in every.findings] == [("app/base.py", 10, "CL001")]


def test_a_cut_whose_rest_is_past_the_names_budget_names_the_budget(root):
    """``make()`` returns an ``A``, a ``B`` or a ``C``, and only ``C.fetch`` is a carrier. With one
    target, ``client.fetch()`` keeps ``A.fetch``; resolved with no bound on the targets, the names
    budget of three stops it before ``C``: what the cut left out is not known, and the callee
    ends as a carrier does. The finding names the limit that leaves it unknown."""
    files = {
        "app/clients.py": "import requests\n\n\nclass A:\n    def fetch(self):\n"
        "        return None\n\n\nclass B:\n    def fetch(self):\n        return None\n\n\n"
        "class C:\n    def fetch(self):\n"
        "        return requests.get('http://x.invalid', timeout=1)\n\n\n"
        "def make(kind):\n    if kind == 'a':\n        return A()\n    if kind == 'b':\n"
        "        return B()\n    return C()\n",
        "app/use.py": "from app.clients import make\n\n\ndef handle(kind):\n"
        "    client = make(kind)\n    return client.fetch()\n",
        "app/plain.py": "import os\n\n\ndef cwd():\n    return os.getcwd()\n",
    }
    config = Config(root=str(root), limits=LIMITS._replace(targets=1, names=3))
    turned_away = check(root, files, [req()], config=config)
    every = check(root, {}, [req()], config=config, use_prefilter=False)
    assert key(turned_away) == key(every)
    assert cuts(every) == [("app/use.py", 6)]
    assert "resolving app.clients.make.fetch looked at more than 3 names (resolution-budget)" in (
        every.findings[-1].message
    )
