"""What the prefilter's rounds must parse for the calls of the members they search for.

A method (or an attribute holding a client) that carries an error is searched, as a rule, by its
name with a name that leads to its class, and the files that name its class or a subclass are
parsed whatever else they name: they may define a subclass, which changes what reaches it. On a
plugin-style application the class is the framework's base class, and that is most of the files.
When the member's name is rare in the files left (``rounds.RARE``), the files that name it are
parsed instead, all of them: every call of it spells its name.

Either way, a call found needs more than its own file to be resolved, and the module that holds
each of these is parsed (``demand``; between two rounds, level by level, with ``needs``):

- every name of the project that the resolution of such a call meets and that no parsed file
  defines (the class of an attribute on the way, a function that returns the receiver, a module
  that re-exports it);
- every base of a class that defines the member, up to the framework: a call on a base finds an
  override only through the line of classes between them (``unknown_bases``; the rounds add the
  bases of the carriers' classes and of their subclasses).

For a member searched alone, a class whose subclasses the call may run the member through is
found by naming the class (a mixin whose ``self.m()`` finds ``m`` in the class it is mixed into; a
class attribute that a subclass may override, ``self.client.m()``): its name and its subclasses'
are searched alone, as the rule above does for the member's class (``hosts``).

The with/without-prefilter comparisons of the test-suite and of bench/ hold the rounds to a run
that parses every file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from contractlint.model import Contract
from contractlint.model.budgets import LIMITS, Limits
from contractlint.model.collector import uncollected
from contractlint.model.project import Facts
from contractlint.propagation.calls import CallSites
from contractlint.propagation.names import Project

#: The most names one resolution of a call is followed through, here.
MOST = 4096


def demand(
    project: Project,
    callees: Iterable[str],
    words: Iterable[str],
    ours: frozenset[str],
    alone: Iterable[str] = (),
) -> tuple[set[str], set[str]]:
    """For the members named ``words``, whose calls have the callees ``callees``
    (``member_callees``): the project names (of a top-level name in ``ours``) that no parsed file
    defines and such a call, or a class that defines one of them, depends on; and for those of
    them searched by their names alone (``alone``), the classes whose subclasses such a call may
    go through (the others are searched with every name that leads to their class)."""
    words = frozenset(words)
    alone = frozenset(alone)
    unknown = unknown_bases(
        project,
        (
            cls
            for cls, info in project.classes.items()
            if not words.isdisjoint(info.members) or not words.isdisjoint(n for n, _ in info.attrs)
        ),
        ours,
    )
    hosts: set[str] = set()
    for name in sorted(set(callees)):
        hosting = name.rpartition(".")[2] in alone
        for final, step in project.met(name, MOST):
            if final:
                if step not in project.functions and _outside(project, step, ours):
                    unknown.add(step)
                continue
            head, rest = project.head(step)
            # ``C.attr.m``: a subclass may hold another value in ``attr``; ``C.m`` that nothing
            # above ``C`` defines: a class that mixes ``C`` in may (or a subclass of it).
            if (
                hosting
                and head in project.classes
                and rest
                and (len(rest) > 1 or not project.up(head, rest[0]))
            ):
                hosts.add(head)
    return unknown, hosts


class Needs:
    """``demand``'s names of the project that no parsed file defines, for the members named
    ``words``, from the names of the files parsed alone (no errors followed): what the next files
    to parse hold, worked out between two rounds, level by level. Each level adds the files it
    parsed to the names of the last (``Project.extend``), and their calls of a member to those
    followed.

    ``project``: the names of every file of ``facts`` but those the first call adds, when they are
    at hand (the round's fixpoint made them): grown, not made again. ``order``: each file's place in
    the run (``Project``); with it, the project grown is the one made from every file at once, and
    the next round's fixpoint takes what it worked out of the classes (``Project.adopt``).
    Without it, the project holds the files the first call adds after the others, wherever their
    paths fall: only a resolution cut at ``MOST`` names can tell (the breadth-first order of
    ``met`` follows that of the files)."""

    def __init__(
        self,
        facts: Mapping[str, Facts],
        contracts: Sequence[Contract],
        words: Iterable[str],
        ours: Iterable[str] | None,
        limits: Limits = LIMITS,
        project: Project | None = None,
        sites: CallSites | None = None,
        order: Mapping[str, int] | None = None,
    ):
        self.words = frozenset(words)
        self.ours = frozenset(ours or {f.module.split(".", 1)[0] for f in facts.values()})
        #: Made from ``facts`` at the first call, unless given: then grown by what it adds.
        self.project = project
        self.facts: Mapping[str, Facts] = facts
        self.contracts = contracts
        self.limits = limits
        self.order = order
        #: ``sites``: the calls of every file of ``facts``, indexed, when they are at hand.
        self.callees = (
            sites.ending(self.words)
            if sites is not None
            else member_callees(facts.values(), self.words)
        )

    def __call__(self, added: Mapping[str, Facts] | None = None) -> set[str]:
        """The names, once the files ``added`` (parsed since the last call) are known: those of
        the first call are among ``facts`` already."""
        with uncollected():
            project = self.project
            if project is None:
                project = self.project = Project(
                    self.facts, self.contracts, self.limits, self.order
                )
            elif added:
                project.extend(added)
                if not self.facts:
                    self.callees |= member_callees(added.values(), self.words)
            self.facts = {}
            return demand(project, self.callees, self.words, self.ours)[0]


def member_callees(facts: Iterable[Facts], words: Iterable[str]) -> set[str]:
    """The callees of the calls in ``facts`` that end with one of ``words``."""
    words = frozenset(words)
    return {
        name
        for fact in facts
        for link in fact.links
        for name in link.callee
        if name.rpartition(".")[2] in words
    }


def unknown_bases(project: Project, classes: Iterable[str], ours: frozenset[str]) -> set[str]:
    """The bases of ``classes``, and theirs, that are names of the project (of a top-level name in
    ``ours``) no parsed file defines: what reaches a member of one through a base is known once
    the whole line is."""
    return {
        base
        for cls in classes
        for base in project.ancestors(cls)[1:]
        if base not in project.classes and _outside(project, base, ours)
    }


def _outside(project: Project, name: str, ours: frozenset[str]) -> bool:
    """A name of the project that the parsed files do not define: none of its heads is known, or
    the longest is a module."""
    if name.split(".", 1)[0] not in ours:
        return False
    head, rest = project.head(name)
    return not head or (bool(rest) and head in project.modules)
