"""What the prefilter's rounds search for: the names a file must hold to be able to call a carrier
of some error (or to get a client), as far as the files parsed so far tell.

docs/propagation.md ("Speed and the prefilter") says which names, and why a file lacking them
cannot call a carrier: the analysis resolves a callee through names only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Callable

from contractlint.model import Contract, glob_to_regex
from contractlint.model.project import Facts, Reach
from contractlint.propagation.fixpoint import Follow
from contractlint.propagation.names import Project


def interesting_names(
    facts: Mapping[str, Facts], contracts: Sequence[Contract]
) -> tuple[Reach, Follow]:
    """What a file must name to call a carrier of some error (or to get a client) of the files
    analysed so far: what the prefilter's rounds search for in the files it turned away. Also the
    fixpoint it made (``propagate`` takes it when no file is added)."""
    follow = Follow(facts, contracts)
    project = follow.project
    frames = {key.frame for key in follow.carried}
    clients = {root for c in contracts for root in c.roots()}

    patterns = [p for c in contracts for g in c.calls for p in g.match]

    def canonical(target: str) -> str:
        for _ in range(12):  # through aliases (``from m import f as g``, ``G = F``)
            if project.aliases.get(target, target) == target:
                break
            target = project.aliases[target]
        return target

    def client(cls: str | None, depth: int = 0) -> bool:
        """A value whose methods may be a contract's calls (a client, or what a factory of the contract
        makes), or an instance of a project class holding one. What a call of the client returns
        (``client.get(key)``) is not one: a file that calls a function returning it needs no parse.
        A value made by a project function (``SESSION = make_session()`` is kept as the function's
        name) is what the function returns."""
        if not cls or depth > 12:
            return False
        for one in cls.strip("()").replace("|", ",").split(","):
            one = one.rstrip("[]")
            made_by = project.functions.get(canonical(one))
            if made_by is not None:
                if client(made_by.returns, depth + 1):
                    return True
                continue
            if one.split(".", 1)[0] in clients:
                outside = project.outside(one)
                made = project.types.get(outside)
                if any(_extends(p, name) for name in (outside, made) if name for p in patterns):
                    return True
                continue
            info = project.classes.get(one)
            if info is not None and any(held.split(".", 1)[0] in clients for _, held in info.attrs):
                return True
        return False

    carriers = {frame for frame in frames if frame in project.functions}
    functions = {frame for frame in carriers if frame.rsplit(".", 1)[0] not in project.classes}

    def giving(
        gives: Callable[[str | None], bool], named: set[str], attributes: bool = True
    ) -> set[str]:
        """The names of the functions whose result, the attributes and module-level instances whose
        value ``gives`` accepts, and of the aliases of those or of ``named``. Not ``attributes``:
        no attribute, property or method (what is read on an object defines no subclass or alias)."""
        out = {
            f.qual.rsplit(".", 1)[-1]
            for f in project.functions.values()
            if (attributes or f.qual.rsplit(".", 1)[0] not in project.classes) and gives(f.returns)
        }
        if attributes:
            out |= {name for c in project.classes.values() for name, held in c.attrs if gives(held)}
        out |= {name.rsplit(".", 1)[-1] for name, cls in project.instances.items() if gives(cls)}
        for name, target in project.aliases.items():
            target = canonical(target)
            made = project.functions.get(target)
            if name != target and (
                target in named
                or (made is not None and gives(made.returns))
                or gives(project.instances.get(target))
            ):
                out.add(name.rsplit(".", 1)[-1])
        return out

    def leading(methods: set[str]) -> tuple[set[str], set[str]]:
        """The names that lead to a class defining one of ``methods`` (a carrier). First, those of
        the class, its subclasses, and what returns or aliases an instance of one, or holds one at
        module level: a file that names one may define a subclass, a class that mixes one in, or
        an alias. Second, those, the attributes that hold one, and the names of every base and
        mixin of those classes (``_family``): a file that names one reaches the method only by
        calling it, by its name."""
        owners = {
            f.rsplit(".", 1)[0]
            for f in carriers
            if f.rsplit(".", 1)[-1] in methods and f.rsplit(".", 1)[0] in project.classes
        }
        down = owners | {sub for owner in owners for sub in project.all_subclasses(owner)}
        family = _family(project, owners)
        if not family:
            return set(), set()

        def names_for(classes: set[str], attributes: bool = True) -> set[str]:
            """The names of ``classes``, and of what returns, holds or aliases an instance of one on
            which a carrier method runs (``self._client``; not ``self._client.get(key)``, what the
            method returns)."""

            def gives(made: str | None) -> bool:
                if not made:
                    return False
                for one in made.strip("()").replace("|", ",").split(","):
                    one = one.rstrip("[]")
                    if one in classes or canonical(one) in classes:
                        return True
                    # what a project function makes (``STORE = open_store()`` is kept as the
                    # function's name), or an attribute of an instance (``Holder._store``)
                    if canonical(one) in project.functions or any(cls in one for cls in classes):
                        if any(
                            carriers.intersection(project.resolve(f"{one}.{m}")) for m in methods
                        ):
                            return True
                return False

            return {cls.rsplit(".", 1)[-1] for cls in classes} | giving(gives, classes, attributes)

        # An attribute, property or method is read where it is used (``self._store.get()``): it
        # defines no subclass or alias, so it needs the method's name too.
        first = names_for(down, attributes=False)
        return first, names_for(family) | first

    # A function is called by its name; a client is got from a factory, an attribute or an instance.
    plain = {frame.rsplit(".", 1)[-1] for frame in functions} | giving(client, functions)
    # A dunder runs without its name in the text (``Class(...)`` runs __init__, ``len(obj)``
    # __len__): what leads to its class is enough. Any other method needs its name as well.
    # A file that names the class (or a subclass) may also define a subclass or a class that mixes
    # one in, which changes what reaches the method: it is parsed whatever else it names.
    named = {f.rsplit(".", 1)[-1] for f in carriers if f not in functions}
    dunders = {m for m in named if _dunder(m)}
    plain |= set().union(*leading(dunders))
    methods = named - dunders
    first, reach = leading(methods)
    plain |= first

    def words(names: set[str]) -> frozenset[str]:
        return frozenset(n for n in names if n.isidentifier() and not _dunder(n))

    return Reach(words(plain), words(methods), words(reach)), follow


def _dunder(name: str) -> bool:
    """``__init__``, ``__len__``: run without their name in the text (``__fetch`` is called by name)."""
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


@lru_cache(maxsize=4096)
def _extends(pattern: str, name: str) -> bool:
    """Whether the ``match`` glob ``pattern`` matches some ``name.<more>``: a method of ``name``."""
    if "**" in pattern:
        return True
    wanted, parts = pattern.split("."), name.split(".")
    return len(wanted) > len(parts) and all(
        glob_to_regex(w).match(p) for w, p in zip(wanted, parts)
    )


def _family(project: Project, owners: set[str]) -> set[str]:
    """The classes through which code reaches a method of ``owners``: each owner, its subclasses, and
    every ancestor of those (a base class whose ``self.m()`` reaches an override, a mixin whose
    ``self.m()`` is found in the class it is mixed into)."""
    if not owners:
        return set()

    family: set[str] = set()
    for cls in project.classes:
        line = set(project.ancestors(cls))
        if line & owners:
            family |= line
    return family
