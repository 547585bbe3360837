"""The project's classes as families: the line of bases of each class, its subclasses, and what
a member name of a class may run (where the class or a base defines it, the overrides below it,
the class a mixin is mixed into). ``Project`` (``contractlint.propagation.names``) resolves names
through them.

What is worked out is kept per class and name. When files are added (``Project.extend``), only what
is known of a class whose family the new classes change is forgotten (``_forget``): the answers
are those of the families made from every file at once (``tests/propagation/test_project_grown``).

Only plain data is handled here (``contractlint.model.project``): no parsing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict, deque

from contractlint.model.project import ClassFacts

#: What ``Families`` works out of the classes, kept per class and name.
_CACHES = (
    "_lines",
    "_subclasses_of",
    "_positions",
    "_members",
    "_held",
    "_definers",
    "_having",
    "_finders",
    "_outside_bases",
    "_member_of",
    "_split",
    "_up_of",
)


#: Those of ``_CACHES`` made for every class at once, when first needed (None until then).
_AT_ONCE = ("_definers", "_having")


class Families:
    """The families of the project's classes; ``classes`` and ``subclasses`` (a base's direct
    subclasses, in the order of the files) are the project's tables."""

    classes: dict[str, ClassFacts]
    subclasses: dict[str, list[str]]
    # ``_CACHES``:
    _lines: dict[str, tuple[str, ...]]
    _subclasses_of: dict[str, list[str]]
    _positions: dict[str, dict[str, int]]
    _members: dict[str, frozenset[str]]
    _held: dict[str, dict[str, list[str]]]
    _definers: dict[str, list[str]] | None
    _having: dict[str, set[str]] | None
    _finders: dict[str, frozenset[str]]
    _outside_bases: dict[str, bool]
    _member_of: dict[tuple[str, str], tuple[str, ...]]
    _split: dict[tuple[str, str], tuple[tuple[str, ...], dict[str, None]]]
    _up_of: dict[tuple[str, str], tuple[str, ...]]
    #: The place of each of a base's direct subclasses: its file's, and its own in the file.
    _sub_keys: dict[str, list[tuple[int, int]]]

    def _subclass(self, base: str, qual: str, key: tuple[int, int]) -> None:
        """``qual`` among the direct subclasses of ``base``, in the order of the files' places
        (``key``: its file's place, and its own in the file)."""
        keys, subclasses = self._sub_keys[base], self.subclasses[base]
        if not keys or keys[-1] <= key:
            keys.append(key)
            subclasses.append(qual)
        else:  # a file of a later round, placed before others
            at = bisect_right(keys, key)
            keys.insert(at, key)
            subclasses.insert(at, qual)

    def adopt(self, other: Families) -> bool:
        """Take what ``other`` worked out of the classes' families, if it has the same classes,
        and their subclasses in the same order (a project of the same files, grown file by file
        by the levels of a round): then its answers are this one's. Whether it did."""
        classes = self.classes
        if (
            other.classes.keys() != classes.keys()
            or any(other.classes[qual] is not info for qual, info in classes.items())
            or other.subclasses != self.subclasses
        ):
            return False
        for name in _CACHES:
            setattr(self, name, getattr(other, name))
        return True

    def _forget_all(self) -> None:
        """Forget everything worked out from the classes."""
        for name in _CACHES:
            setattr(self, name, None if name in _AT_ONCE else {})

    def _forget(self, added: list[ClassFacts]) -> None:
        """Forget what is known of the classes whose family the new classes ``added`` change: the
        new ones, the classes below them (a base of theirs that no file defined before may be one
        of them), and every ancestor of those (they have new subclasses). What a class of no such
        family is, and does, depends on its own line of bases and its own subclasses only, which
        the new classes leave as they were."""
        new = {cls.qual for cls in added}
        below: set[str] = set()
        for qual in new:
            below.update(self._find_subclasses(qual))
        lined = new | below  # their lines of bases may have changed
        for qual in lined:
            self._lines.pop(qual, None)
            self._outside_bases.pop(qual, None)
        changed = set(lined)
        for qual in lined:
            changed.update(self.ancestors(qual))
        for qual in changed:
            self._subclasses_of.pop(qual, None)
            self._positions.pop(qual, None)
        for qual in new:
            self._members.pop(qual, None)
            self._held.pop(qual, None)
        for cache in (self._member_of, self._split, self._up_of):
            for key in [key for key in cache if key[0] in changed]:
                del cache[key]
        # Which classes define or hold a name: the new ones added. Which classes find a name
        # (those and their subclasses): again for every name of a class whose subclasses grew.
        attrs: set[str] = set()
        for qual in changed:
            info = self.classes.get(qual)
            if info is not None:
                attrs.update(info.members)
                attrs.update(name for name, _ in info.attrs)
        for attr in attrs:
            self._finders.pop(attr, None)
        for cls in added:
            if self._definers is not None:
                for name in set(cls.members):
                    self._definers[name].append(cls.qual)
            if self._having is not None:
                for name in cls.members:
                    self._having[name].add(cls.qual)
                for name, _ in cls.attrs:
                    self._having[name].add(cls.qual)

    def member(self, cls: str, attr: str) -> tuple[str, ...]:
        """What ``cls.attr`` may run: where the class or its bases (in order) define it, and the
        overrides in the project's subclasses (``self.execute_job()`` in a base class runs the
        subclass's); a mixin that calls a method of the class it is mixed into finds it there.
        Worked out once for each class and name, however many names reach it."""
        key = (cls, attr)
        known = self._member_of.get(key)
        if known is None:
            found = list(self._defined(cls, attr))
            found += [f"{sub}.{attr}" for sub in self._overrides(cls, attr)]
            known = self._member_of[key] = tuple(dict.fromkeys(found))
        return known

    def _overrides(self, cls: str, attr: str) -> list[str]:
        """The subclasses of ``cls`` that define ``attr`` (not as an attribute holding an
        instance), in the order of ``all_subclasses``: through the classes that define ``attr``
        when they are fewer than the subclasses (a method name of a large family)."""
        subclasses = self.all_subclasses(cls)
        if not subclasses:
            return []
        if self._definers is None:
            self._definers = defaultdict(list)
            for qual, info in self.classes.items():
                for name in set(info.members):
                    self._definers[name].append(qual)
        definers = self._definers.get(attr, ())
        if len(definers) < len(subclasses):
            where = self._positions.get(cls)
            if where is None:
                where = self._positions[cls] = {sub: i for i, sub in enumerate(subclasses)}
            found = sorted((where[d], d) for d in definers if d in where)
            return [sub for _, sub in found if not self.held(sub, attr)]
        return [sub for sub in subclasses if attr in self.members(sub) and not self.held(sub, attr)]

    def _defined(self, cls: str, attr: str) -> tuple[str, ...]:
        found = self.up(cls, attr)
        if found:
            return found
        # A mixin's ``self.post()``: the class it is mixed into. Nothing above ``cls`` defines
        # ``attr`` nor is outside the project, so a subclass finds it only through a class that
        # defines or holds it, or through a base from outside the project: the others (most of a
        # large family) find nothing and are passed over.
        finding = self._finding(attr)
        out: dict[str, None] = {}
        for sub in self.all_subclasses(cls):
            if sub in finding or self._outside_line(sub):
                out.update(dict.fromkeys(self.up(sub, attr)))
        return tuple(out)

    def _finding(self, attr: str) -> frozenset[str]:
        """The classes that define ``attr`` or hold an instance in it, and their subclasses."""
        known = self._finders.get(attr)
        if known is None:
            if self._having is None:
                self._having = defaultdict(set)
                for qual, info in self.classes.items():
                    for name in info.members:
                        self._having[name].add(qual)
                    for name, _ in info.attrs:
                        self._having[name].add(qual)
            found = set(self._having.get(attr, ()))
            for cls in list(found):
                found.update(self.all_subclasses(cls))
            known = self._finders[attr] = frozenset(found)
        return known

    def _outside_line(self, cls: str) -> bool:
        """Whether a base from outside the project is among the ancestors of ``cls``."""
        known = self._outside_bases.get(cls)
        if known is None:
            classes = self.classes
            known = self._outside_bases[cls] = any(
                base not in classes for base in self.ancestors(cls)[1:]
            )
        return known

    def up(self, cls: str, attr: str) -> tuple[str, ...]:
        """Where ``cls`` or its bases define ``attr``: the project's classes in order, else the
        first base from outside the project (``requests.Session``), whose members are not known."""
        key = (cls, attr)
        known = self._up_of.get(key)
        if known is not None:
            return known
        found: tuple[str, ...] = ()
        outside = ""
        for current in self.ancestors(cls):
            if current not in self.classes:
                if current != cls and not outside:
                    outside = f"{current}.{attr}"
                continue
            held = self.held(current, attr)
            if held:
                found = tuple(held)  # an instance held in an attribute: the rest applies to it
                break
            if attr in self.members(current):
                found = (f"{current}.{attr}",)
                break
        else:
            found = (outside,) if outside else ()
        self._up_of[key] = found
        return found

    def members(self, cls: str) -> frozenset[str]:
        known = self._members.get(cls)
        if known is None:
            known = self._members[cls] = frozenset(self.classes[cls].members)
        return known

    def held(self, cls: str, attr: str) -> list[str]:
        """The classes of the instances a class attribute may hold."""
        known = self._held.get(cls)
        if known is None:
            known = defaultdict(list)
            for name, held in self.classes[cls].attrs:
                known[name].append(held)
            known = self._held[cls] = dict(known)
        return known.get(attr, [])

    def ancestors(self, cls: str) -> tuple[str, ...]:
        """``cls``, then its bases (breadth first, each once; a base from outside the project is
        named, its own bases are not known)."""
        known = self._lines.get(cls)
        if known is None:
            seen: dict[str, None] = {}
            queue = deque([cls])
            while queue:
                current = queue.popleft()
                if current in seen:
                    continue
                seen[current] = None
                info = self.classes.get(current)
                if info is not None:
                    queue.extend(info.bases)
            known = self._lines[cls] = tuple(seen)
        return known

    def all_subclasses(self, cls: str) -> list[str]:
        """The project's subclasses of ``cls``, breadth first."""
        known = self._subclasses_of.get(cls)
        if known is None:
            known = self._subclasses_of[cls] = self._find_subclasses(cls)
        return known

    def _find_subclasses(self, cls: str) -> list[str]:
        out, queue, seen = [], deque(self.subclasses.get(cls, ())), set()
        while queue:
            sub = queue.popleft()
            if sub in seen or sub not in self.classes:
                continue
            seen.add(sub)
            out.append(sub)
            queue.extend(self.subclasses.get(sub, ()))
        return out
