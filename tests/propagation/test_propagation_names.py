"""What a dotted name of the project denotes (``contractlint.propagation.names``): the same answer
whatever was resolved before, and bounded work on names that would otherwise never end. Plain
facts, no parsing."""

from __future__ import annotations

import itertools

from propagating import REQUESTS

from contractlint.contracts import load_contract
from contractlint.model.project import ClassFacts, Facts, FunctionFacts
from contractlint.propagation.names import BUDGET, MAX_TARGETS, Project

BASE = Facts(
    module="app.base",
    functions=(
        FunctionFacts("app.base.Base.run"),
        FunctionFacts("app.base.make", returns="app.base.Base"),
        # two factories that may each return what the other does: a cycle with targets on it
        FunctionFacts("app.base.first", returns="app.base.second|app.base.Base"),
        FunctionFacts("app.base.second", returns="app.base.first|app.base.Other"),
        FunctionFacts("app.base.Other.run"),
    ),
    classes=(
        ClassFacts("app.base.Base", members=("run", "MODE")),
        ClassFacts("app.base.Other", members=("run",)),
    ),
    # an alias of an alias of itself, and one of the factory
    aliases=(
        ("app.base.A", "app.base.B"),
        ("app.base.B", "app.base.A"),
        ("app.base.M", "app.base.make"),
    ),
)


def subclasses(count: int) -> Facts:
    return Facts(
        module="app.subs",
        functions=tuple(FunctionFacts(f"app.subs.S{i}.run") for i in range(count)),
        classes=tuple(
            ClassFacts(f"app.subs.S{i}", bases=("app.base.Base",), members=("run",))
            for i in range(count)
        ),
    )


def project(*facts: Facts) -> Project:
    return Project({f"{f.module}.py": f for f in facts}, [load_contract(str(REQUESTS))])


NAMES = [
    "app.base.first.run",
    "app.base.second.run",
    "app.base.Base.run",
    "app.base.A.run",
    "app.base.M.run",
    "app.base.make.run",
    "app.base.Base.MODE",
    "app.subs.S1.run",
    "app.base.Base",
]


def test_a_name_denotes_the_same_whatever_was_resolved_before():
    alone = {name: project(BASE, subclasses(3)).resolve(name) for name in NAMES}
    for order in itertools.permutations(NAMES, 3):
        names = project(BASE, subclasses(3))
        assert {name: names.resolve(name) for name in [*order, *NAMES]} == alone
    assert (
        alone["app.base.M.run"]
        == alone["app.base.Base.run"]
        == (
            "app.base.Base.run",
            "app.subs.S0.run",
            "app.subs.S1.run",
            "app.subs.S2.run",
        )
    )
    assert alone["app.base.A.run"] == ()  # a cycle of aliases denotes nothing
    both = {"app.base.Other.run", *alone["app.base.Base.run"]}
    assert set(alone["app.base.first.run"]) == set(alone["app.base.second.run"]) == both
    assert alone["app.base.Base.MODE"] == ()  # a class constant stands for itself


def test_a_method_with_more_overrides_than_the_limit_is_cut_short_and_said_to_be():
    names = project(BASE, subclasses(MAX_TARGETS + 10))
    targets = names.resolve("app.base.Base.run")
    assert len(targets) == MAX_TARGETS
    assert targets[:2] == ("app.base.Base.run", "app.subs.S0.run")
    assert names.cut == {"app.base.Base.run"}
    assert names.resolve("app.subs.S1.run") == ("app.subs.S1.run",)
    assert names.cut == {"app.base.Base.run"}
    # resolved again with no bound on the targets: every override, the same first ones, and the
    # project's own answers left as they were
    every = names.every_target("app.base.Base.run")
    assert len(every.targets) == MAX_TARGETS + 11 and every.cut == ""
    assert every.targets[:MAX_TARGETS] == targets
    assert names.resolve("app.base.Base.run") == targets
    assert names.cut == {"app.base.Base.run"}


def test_an_attribute_holding_what_its_own_methods_return_is_followed_one_call_deep():
    # self._unit = Unit(); self._unit = self._unit.set_mode(); self._unit = self._unit.turn_on()
    held = tuple(
        ("_unit", value)
        for value in ("app.dev.Unit", "app.dev.Dev._unit.set_mode", "app.dev.Dev._unit.turn_on")
    )
    dev = Facts(
        module="app.dev",
        functions=(
            FunctionFacts("app.dev.Unit.set_mode", returns="app.dev.Unit"),
            FunctionFacts("app.dev.Unit.turn_on", returns="app.dev.Unit"),
            FunctionFacts("app.dev.Unit.status"),
        ),
        classes=(
            ClassFacts("app.dev.Unit", members=("set_mode", "turn_on", "status")),
            ClassFacts("app.dev.Dev", attrs=held),
        ),
    )
    names = project(dev)
    name = "app.dev.Dev._unit.set_mode.turn_on.set_mode.turn_on.set_mode.turn_on.status"
    assert names.resolve(name) == ("app.dev.Unit.status",)
    assert names.lookup(name).size < BUDGET
    assert names.resolve("app.dev.Dev._unit.status") == ("app.dev.Unit.status",)


def test_a_mixins_member_is_found_in_the_classes_it_is_mixed_into_and_only_there():
    """``self.post()`` in a mixin that does not define ``post``: each subclass that finds it (by a
    class that defines or holds it, or by a base from outside the project), in the subclasses'
    order; the many subclasses that cannot find it add nothing."""
    mixin = "app.mixin.Mixin"
    family = Facts(
        module="app.family",
        functions=(FunctionFacts("app.family.Store.post"), FunctionFacts("app.family.Own.post")),
        classes=(
            ClassFacts(mixin, members=("fetch_all",)),
            ClassFacts("app.family.Store", members=("post",)),
            ClassFacts("app.family.Cache", bases=("app.family.Store",)),  # finds Store's post
            *(ClassFacts(f"app.family.Plain{i}", bases=(mixin,)) for i in range(50)),
            ClassFacts("app.family.Combined", bases=(mixin, "app.family.Cache")),
            ClassFacts("app.family.Remote", bases=(mixin, "requests.Session")),
            ClassFacts("app.family.Holding", bases=(mixin,), attrs=(("post", "app.family.Store"),)),
            ClassFacts("app.family.Own", bases=(mixin,), members=("post",)),
            ClassFacts("app.family.Deeper", bases=("app.family.Combined",)),
            ClassFacts("app.family.Below", bases=("app.family.Plain3",)),
        ),
    )
    found = project(family).member(mixin, "post")
    assert found == (
        "app.family.Store.post",
        "requests.Session.post",
        "app.family.Store",
        "app.family.Own.post",
    )
    assert project(family).member(mixin, "missing") == ("requests.Session.missing",)


def test_an_inherited_method_runs_where_a_base_defines_it_not_in_a_sibling():
    """``Quiet().run()`` runs ``Base.run``, or an override below ``Quiet``: never ``S0.run``, an
    override in another subclass of ``Base``. ``Base().run()`` may run any of them."""
    below = Facts(
        module="app.quiet",
        functions=(FunctionFacts("app.quiet.Loudest.run"),),
        classes=(
            ClassFacts("app.quiet.Quiet", bases=("app.base.Base",)),
            ClassFacts("app.quiet.Loudest", bases=("app.quiet.Quiet",), members=("run",)),
        ),
    )
    names = project(BASE, subclasses(2), below)
    assert names.resolve("app.quiet.Quiet.run") == ("app.base.Base.run", "app.quiet.Loudest.run")
    assert set(names.resolve("app.base.Base.run")) == {
        "app.base.Base.run",
        "app.subs.S0.run",
        "app.subs.S1.run",
        "app.quiet.Loudest.run",
    }
