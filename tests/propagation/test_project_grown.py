"""The project's names grown file by file (``Project.extend``, as the prefilter's rounds grow them
between levels, ``demand.Needs``) are the names made from every file at once: the same heads,
the same resolution of every call, the same names the levels ask for."""

from __future__ import annotations

import pytest
from propagating import REQUESTS, facts_of, stdlib_facts

from contractlint.contracts import load_contract
from contractlint.model.project import ClassFacts, Facts, FunctionFacts
from contractlint.propagation.demand import Needs
from contractlint.propagation.names import Project

#: In path order, as a run gives them; ``app/late.py`` makes an alias of ``app.base`` name itself.
FILES = {
    "app/__init__.py": "from app.base import Store as Kept\nfrom app.base import open_store\n",
    "app/base.py": """
        import requests

        from app.extra import Mixin

        Alias = None


        def open_store():
            return Store()


        class Store(Mixin):
            def get(self, key):
                return requests.get(key, timeout=1)


        STORE = Store()
    """,
    "app/extra.py": """
        class Mixin:
            def fetch(self, key):
                return self.get(key)
    """,
    "app/late.py": """
        import app.base

        from app import Kept

        app.base.Alias = app.base.Alias


        class Local(Kept):
            def get(self, key):
                return super().get(key)


        def use(store: Kept):
            return store.fetch("k"), open_store().get("k")
    """,
    "app/views.py": """
        from app import Kept, open_store
        from app.base import STORE
        from app.late import Local


        def show():
            return STORE.get("a"), Local().fetch("b"), open_store().fetch("c")
    """,
}


def analysed(files):
    contracts = [load_contract(str(REQUESTS))]
    return facts_of(files, contracts), contracts


def callees(facts):
    return sorted({name for f in facts.values() for link in f.links for name in link.callee})


@pytest.mark.parametrize("cut", range(1, len(FILES)))
def test_a_project_grown_has_the_names_of_one_made_at_once(cut):
    facts, contracts = analysed(FILES)
    paths = list(facts)
    whole = Project(facts, contracts)
    grown = Project({p: facts[p] for p in paths[:cut]}, contracts)
    grown.extend({p: facts[p] for p in paths[cut : cut + 1]})
    grown.extend({p: facts[p] for p in paths[cut + 1 :]})
    assert grown._heads == whole._heads
    names = callees(facts)
    assert [grown.resolve(n) for n in names] == [whole.resolve(n) for n in names]
    assert any(whole.resolve(n) for n in names)  # the project resolves something


def test_an_alias_a_later_file_makes_name_itself_is_no_longer_a_head():
    contracts = [load_contract(str(REQUESTS))]
    first = {
        "app/one.py": Facts("app.one", aliases=(("app.one.a", "app.two.f"),)),
        "app/two.py": Facts("app.two", functions=(FunctionFacts("app.two.f"),)),
    }
    again = {"app/one_again.py": Facts("app.one", aliases=(("app.one.a", "app.one.a"),))}
    grown = Project(first, contracts)
    assert "app.one.a" in grown._heads and grown.resolve("app.one.a") == ("app.two.f",)
    grown.extend(again)
    whole = Project({**first, **again}, contracts)
    assert "app.one.a" not in grown._heads
    assert grown._heads == whole._heads
    assert grown.resolve("app.one.a") == whole.resolve("app.one.a")


#: The files a round found, by their places: after the others, or among them (a level's files
#: fall anywhere in the order of the paths).
SPLITS = [
    *(set(range(cut, len(FILES))) for cut in range(1, len(FILES))),
    {0, 2},
    {1, 3},
    {0, 4},
]


@pytest.mark.parametrize("found", SPLITS, ids=str)
def test_levels_grown_from_a_round_ask_for_the_names_of_levels_made_anew(found):
    facts, contracts = analysed(FILES)
    paths = list(facts)
    before = {p: facts[p] for i, p in enumerate(paths) if i not in found}
    added = {p: facts[p] for i, p in enumerate(paths) if i in found}
    words = {"get", "fetch"}
    anew = Needs(facts, contracts, words, {"app"})()
    grown = Needs(facts, contracts, words, {"app"}, project=Project(before, contracts))(added)
    assert grown == anew


def _answers(project, classes, names):
    """What ``project`` says of each class of ``classes`` (its line, its subclasses, each of its
    family's members, where and what) and of each name of ``names``."""
    out = []
    for cls in classes:
        family = [*project.ancestors(cls), *project.all_subclasses(cls)]
        attrs = sorted(
            {m for c in family if c in project.classes for m in project.classes[c].members}
            | {a for c in family if c in project.classes for a, _ in project.classes[c].attrs}
        )
        out.append((cls, project.ancestors(cls), tuple(project.all_subclasses(cls))))
        out.extend((cls, a, project.member(cls, a), project.up(cls, a)) for a in attrs)
    out.extend((name, project.resolve(name)) for name in names)
    return out


@pytest.mark.parametrize("placed", [False, True], ids=["appended", "placed"])
@pytest.mark.parametrize("seed", range(3))
def test_a_project_grown_in_batches_answers_as_one_made_at_once(seed, placed):
    """What a project worked out before it grew is kept for the classes whose family the new
    files leave as it was: every answer stays that of a project made from the same files at once,
    however the files are split, with every class and name asked about between two batches.
    Given each file's place in the run (``order``, as the rounds give it), the project grown is
    the one made from the files in that order, whatever order they came in; else the one made
    from the files in the order they came in."""
    import random

    contracts = [load_contract(str(REQUESTS))]
    facts = stdlib_facts(["asyncio", "email", "logging", "unittest", "concurrent"], contracts)
    paths = list(facts)
    random.Random(seed).shuffle(paths)  # bases after their subclasses as often as before
    batches = [paths[i::5] for i in range(5)]
    order = {p: place for place, p in enumerate(facts)} if placed else None
    ordered = facts if placed else {p: facts[p] for batch in batches for p in batch}
    names = callees(facts)
    grown = Project({p: facts[p] for p in batches[0]}, contracts, order=order)
    for batch in batches[1:]:
        _answers(grown, sorted(grown.classes), names)  # worked out before it grows
        grown.extend({p: facts[p] for p in batch})
    whole = Project(ordered, contracts)
    classes = sorted(whole.classes)
    assert len(classes) > 300 and any(whole.all_subclasses(c) for c in classes)
    assert grown.subclasses == whole.subclasses
    assert _answers(grown, classes, names) == _answers(whole, classes, names)
    # A project made at once takes what the grown one worked out of the families.
    adopting = Project(ordered, contracts)
    assert adopting.adopt(grown)
    assert adopting._member_of is grown._member_of
    assert _answers(adopting, classes, names) == _answers(whole, classes, names)


def test_a_project_takes_what_another_worked_out_only_of_the_same_families():
    contracts = [load_contract(str(REQUESTS))]
    facts = {
        "app/base.py": Facts("app.base", classes=(ClassFacts("app.base.Base", members=("get",)),)),
        "app/one.py": Facts("app.one", classes=(ClassFacts("app.one.One", ("app.base.Base",)),)),
        "app/two.py": Facts("app.two", classes=(ClassFacts("app.two.Two", ("app.base.Base",)),)),
        "app/use.py": Facts("app.use", functions=(FunctionFacts("app.use.run"),)),
    }
    whole = Project(facts, contracts)
    whole.member("app.base.Base", "get")
    fewer = Project({p: f for p, f in facts.items() if p != "app/two.py"}, contracts)
    backwards = Project(dict(reversed(facts.items())), contracts)
    no_function = Project({p: f for p, f in facts.items() if p != "app/use.py"}, contracts)
    assert not Project(facts, contracts).adopt(fewer)  # without the class of app/two.py
    assert backwards.subclasses["app.base.Base"] == ["app.two.Two", "app.one.One"]
    assert not Project(facts, contracts).adopt(backwards)  # its subclasses in another order
    assert Project(facts, contracts).adopt(no_function)  # the same classes, in the same order
    one = ClassFacts("app.one.One", ("app.base.Base",), members=("get",))
    edited = {**facts, "app/one.py": Facts("app.one", classes=(one,))}
    assert not Project(edited, contracts).adopt(whole)  # a class of the same name, not the same
    taking = Project(facts, contracts)
    assert taking.adopt(whole) and taking._member_of is whole._member_of


def test_what_was_asked_of_a_class_before_any_file_defined_it_is_asked_again():
    """A project of files without classes may have looked up a class another file defines: that
    file's classes are not the first, but what was known of the name is forgotten all the same."""
    contracts = [load_contract(str(REQUESTS))]
    use = {"app/use.py": Facts("app.use", functions=(FunctionFacts("app.use.run"),))}
    base = {
        "app/base.py": Facts("app.base", classes=(ClassFacts("app.base.Base", ("x.Y",), ("get",)),))
    }
    grown = Project(use, contracts)
    assert grown.ancestors("app.base.Base") == ("app.base.Base",)
    assert grown.up("app.base.Base", "get") == ()
    grown.extend(base)
    whole = Project({**use, **base}, contracts)
    assert (
        grown.ancestors("app.base.Base")
        == whole.ancestors("app.base.Base")
        == (
            "app.base.Base",
            "x.Y",
        )
    )
    assert (
        grown.up("app.base.Base", "get")
        == whole.up("app.base.Base", "get")
        == ("app.base.Base.get",)
    )
