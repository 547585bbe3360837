"""The findings and calls of every file once service errors are followed through the project.

The analysis of one file reports each service call as if nothing called its function. Here, with
the carriers known (``Follow``):

- a call whose error leaves a function the project calls, or a function that declares it (a
  ``Raises:`` docstring, the ``propagate`` globs), loses the findings about the escape: its
  callers decide;
- a fail-closed handler that returns a sentinel keeps its CL003 unless every caller tests the
  result and raises; each caller that does not gets the CL003;
- a service call found through the project's names, and each call of a carrier, is judged: its
  handlers (CL002–CL005) always, its escape (CL001, or CL003 for a re-raise) where the error
  leaves the project;
- a call whose error the project handles everywhere keeps its contract; one whose error is
  reported further up stays broken (``reported_up``);
- a call whose resolution was cut short by a limit of ``Project`` (``Calls.cut_short``) is
  reported (CL902) when what the resolution left out (``Calls.left_out``) holds a carrier, a
  function that returns a sentinel, or a service. Where that is not all known (the names budget
  or the chain cut short the resolution with no bound on the targets too), it is reported when
  what was left out may be one: its callee ends as a carrier's name or a contract's glob does
  (``Calls.may_reach``); the finding then names the limit that leaves it unknown. A cut that
  cannot change a finding is not reported. This depends on the files parsed as little as the
  carriers do: a run that parses every file may find more targets for a name (more overrides, a
  project class where the prefilter's run saw a name from outside the project) and cut it
  elsewhere, but the carriers and services among them are in files the prefilter's rounds parse
  too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from contractlint.model import CallSite, Contract, Finding, State, glob_to_regex
from contractlint.model.budgets import LIMITS, Limits
from contractlint.model.collector import uncollected
from contractlint.model.project import Escape, Facts
from contractlint.propagation.calls import origin
from contractlint.propagation.fixpoint import Follow
from contractlint.propagation.guards import Judged, declares
from contractlint.propagation.messages import (
    At,
    cut_finding,
    escape_findings,
    local_findings,
    reraise_finding,
    sentinel_finding,
)
from contractlint.propagation.names import short


@dataclass(frozen=True)
class _Deferred:
    """A service call whose error the project takes up: kept, or broken where it is reported."""

    path: str
    escape: Escape


def propagate(
    facts: Mapping[str, Facts],
    findings: Mapping[str, list[Finding]],
    calls: Mapping[str, list[CallSite]],
    contracts: Sequence[Contract],
    propagate_globs: Sequence[str] = (),
    follow: Follow | None = None,
    limits: Limits = LIMITS,
) -> tuple[dict[str, list[Finding]], dict[str, list[CallSite]]]:
    """The findings and calls of every file (keyed by path as shown) once errors are followed
    through the project. ``facts`` holds the analysis' facts of the same files; ``follow``, the
    fixpoint of those facts when ``interesting_names`` has made it already (with the same
    ``limits``: those of each resolution of a name)."""
    follow = follow if follow is not None else Follow(facts, contracts, limits=limits)
    with uncollected():
        run = _Propagation(follow, findings, calls, propagate_globs)
        ordered = sorted(facts.items())
        run.direct(ordered)
        run.sentinels(ordered)
        run.services()
        run.carriers()
        run.cut_short()
        return run.finish()


class _Propagation:
    """One ``propagate``: the findings and calls of every file as they are worked out."""

    def __init__(
        self,
        follow: Follow,
        findings: Mapping[str, list[Finding]],
        calls: Mapping[str, list[CallSite]],
        propagate_globs: Sequence[str],
    ):
        self.follow = follow
        self.project = follow.project
        self.declared_globs = [glob_to_regex(g) for g in propagate_globs]
        self.findings = {path: list(items) for path, items in findings.items()}
        self.calls = {path: list(items) for path, items in calls.items()}
        self.deferred: list[_Deferred] = []
        #: The functions whose callers decide a finding besides the carriers (a sentinel's).
        self.asked: set[str] = set()

    def leaves(self, frame: str, contract: Contract, errors: Iterable[str]) -> bool:
        """Whether errors that leave ``frame`` leave the project there: nothing checked calls it,
        and it declares none of them."""
        return self.follow.root(frame) and not self.allowed(frame, contract, errors)

    def allowed(self, frame: str, contract: Contract, errors: Iterable[str]) -> bool:
        function = self.project.functions.get(frame)
        if any(r.match(frame) for r in self.declared_globs):
            return True
        return function is not None and all(
            declares(contract.errors, function.declared, e) for e in errors
        )

    def direct(self, ordered: Sequence[tuple[str, Facts]]) -> None:
        """The service calls of the analysis: an error that leaves a function someone calls, or
        leaves it declared, is theirs."""
        for path, fact in ordered:
            for escape in fact.escapes:
                contract = self.project.contracts[escape.contract]
                if self.leaves(escape.frame, contract, escape.errors):
                    if not escape.codes and escape.reraised_at is not None:
                        self.findings.setdefault(path, []).append(
                            reraise_finding(path, escape, contract)
                        )
                    continue
                kept = self._drop(path, escape)
                if not any(f.span == escape.span and f.contract == escape.contract for f in kept):
                    self.deferred.append(_Deferred(path, escape))

    def sentinels(self, ordered: Sequence[tuple[str, Facts]]) -> None:
        """A fail-closed handler that returns a sentinel: fine when every caller tests it and
        raises."""
        project = self.project
        for path, fact in ordered:
            for sentinel in fact.sentinels:
                self.asked.add(sentinel.frame)
                if self.follow.root(sentinel.frame):
                    continue  # nobody tests what it returns: the handler's CL003 stands
                self._drop(path, sentinel)
                contract = project.contracts[sentinel.contract]
                group = contract.calls[sentinel.group - 1]
                chain = (
                    project.display.get(sentinel.frame, sentinel.frame),
                    short(sentinel.callee),
                )
                sites = self.follow.callers(sentinel.frame)
                unchecked = [site for site in sites if not site.link.checked]
                if unchecked:  # the call stays broken: its failure is reported at those callers
                    self.calls[path] = [
                        replace(c, reported_up=True)
                        if c.span == sentinel.span and c.contract == sentinel.contract
                        else c
                        for c in self.calls.get(path, ())
                    ]
                for site in unchecked:
                    at = At(
                        site,
                        contract,
                        group,
                        sentinel.frame,
                        chain,
                        {"": {origin(path, sentinel.span)}},
                    )
                    self.findings.setdefault(site.path, []).append(
                        sentinel_finding(at, f"{path}:{sentinel.reraised_at}")
                    )

    def services(self) -> None:
        """Service calls found through the project's names: their handlers, and their escapes at a
        root."""
        for call in self.follow.services:
            site, contract, group, judged = call.site, call.contract, call.group, call.judged
            at = At(site, contract, group, call.target)
            local = local_findings(at, judged)
            self.findings.setdefault(site.path, []).extend(local)
            self.calls.setdefault(site.path, []).append(
                CallSite(
                    site.path,
                    site.link.span,
                    contract.name,
                    group.index,
                    call.target,
                    State.BROKEN if judged.escaping or local else State.KEPT,
                    scope=site.link.scope,
                )
            )
            if not judged.escaping:
                continue
            if self.leaves(site.link.frame, contract, judged.escaping):
                self.findings[site.path].extend(escape_findings(at, judged))
            else:
                escape = Escape(
                    site.link.frame,
                    contract.name,
                    group.index,
                    tuple(judged.escaping),
                    site.link.span,
                    call.target,
                )
                self.deferred.append(_Deferred(site.path, escape))

    def carriers(self) -> None:
        """The calls of carriers: their handlers always, their escapes where the project lets them
        out."""
        project = self.project
        for key, entry in sorted(self.follow.carried.items()):
            contract = project.contracts[key.contract]
            group = contract.calls[key.group - 1]
            chain = (project.display.get(key.frame, key.frame), *entry.chain)
            errors = sorted(entry.errors)
            for site in self.follow.callers(key.frame):
                judged = Judged(site.link.guards, errors, contract.errors, group.policy)
                at = At(site, contract, group, key.frame, chain, entry.origins)
                here = local_findings(at, judged)
                if judged.escaping and self.leaves(site.link.frame, contract, judged.escaping):
                    here = [*escape_findings(at, judged), *here]
                self.findings.setdefault(site.path, []).extend(here)

    def cut_short(self) -> None:
        """CL902 at each call whose resolution was cut short where what it left out holds a
        carrier, a function that returns a sentinel, or a service; where what it left out is not
        all known (the names budget or the chain cut it short), where it may hold one, named with
        the limit that leaves it unknown."""
        calls, project = self.follow.calls, self.project
        frames = {*self.asked, *(key.frame for key in self.follow.carried)}
        # A test's call makes no caller: only a service matters there.
        reach = {test: calls.may_reach(() if test else frames) for test in (False, True)}
        for site, name, limit, test in calls.cut_short():
            left, unknown = calls.left_out(site.link)
            if not any(
                (not test and target in frames)
                if target in project.functions
                else project.groups_for(target)
                for target in left
            ):
                if unknown is None:
                    continue
                name, limit = unknown
                if "*" not in reach[test] and _last(name) not in reach[test]:
                    continue
            self.findings.setdefault(site.path, []).append(
                cut_finding(site, name, limit, project.limits)
            )

    def finish(self) -> tuple[dict[str, list[Finding]], dict[str, list[CallSite]]]:
        """Each finding once (one call may reach a carrier by two names), and the state of each
        call whose error the project takes up: kept where the project handles (or declares) it
        everywhere, broken where it is reported further up."""
        for path, items in self.findings.items():
            self.findings[path] = list(dict.fromkeys(items))
        reported = {o for items in self.findings.values() for f in items for o in f.origins}
        for deferred in self.deferred:
            escape = deferred.escape
            up = origin(deferred.path, escape.span) in reported
            self.calls[deferred.path] = [
                (replace(c, reported_up=True) if up else replace(c, state=State.KEPT))
                if c.state == State.BROKEN
                and c.span == escape.span
                and c.contract == escape.contract
                else c
                for c in self.calls.get(deferred.path, ())
            ]
        return self.findings, self.calls

    def _drop(self, path: str, escape: Escape) -> list[Finding]:
        """Drop the findings of ``path`` that ``escape`` says are about it (its callers decide);
        the findings left."""
        kept = [
            f
            for f in self.findings.get(path, ())
            if not (
                f.span == escape.span and f.code in escape.codes and f.contract == escape.contract
            )
        ]
        self.findings[path] = kept
        return kept


def _last(name: str) -> str:
    return name.rpartition(".")[2]
