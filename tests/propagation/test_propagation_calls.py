"""The project's calls resolved as the fixpoint asks for them (``contractlint.propagation.calls``)
give the carriers, callers and service calls of resolving every call: on a project made of the
shapes whose resolution ends under another name, and on real packages from PyPI."""

from __future__ import annotations

import datetime as dt

import pytest
from corpora import fetch
from propagating import REQUESTS, facts_of, stdlib_facts

from contractlint.config import Config
from contractlint.contracts import builtin_names, load_contract, load_contracts
from contractlint.model import select_codes
from contractlint.propagation import Follow
from contractlint.propagation.calls import CallSites
from contractlint.propagation.demand import member_callees
from contractlint.run.discovery import discover
from contractlint.run.filecheck import Job
from contractlint.run.follow import project_names
from contractlint.run.schedule import check_files

PROJECT = {
    "app/http.py": """
        import requests


        def fetch(url):
            return requests.get(url, timeout=1)


        def pair():
            return Client, 1


        class Client:
            def __init__(self, url):
                self.state = requests.get(url, timeout=1)

            def pull(self):
                return fetch("http://x.invalid")


        class Holder:
            def __init__(self):
                self.session = requests.Session()
                self.client = Client("http://x.invalid")

            @property
            def live(self):
                return requests.head("http://x.invalid", timeout=1).ok
    """,
    "app/__init__.py": "from app.http import fetch as grab\n",
    "app/views.py": """
        from app import grab
        from app.http import Client, Holder, pair


        def show():
            return grab("http://x.invalid")


        def make():
            cls, _ = pair()
            return cls("http://x.invalid"), Client("http://y.invalid")


        def through(h: Holder):
            return h.session.get("http://x.invalid"), h.client.pull()


        def alive(h: Holder):
            return h.live


        def items(clients: "list[Client]"):
            return [c.pull() for c in clients]
    """,
}


def observed(follow: Follow):
    carried = sorted((key, entry.chain, entry.origins) for key, entry in follow.carried.items())
    callers = {key.frame: follow.callers(key.frame) for key in follow.carried}
    services = [(s.site, s.target, s.contract.name) for s in follow.services]
    return carried, callers, services


def test_calls_resolved_on_demand_are_those_of_resolving_every_call():
    contracts = [load_contract(str(REQUESTS))]
    facts = facts_of(PROJECT, contracts)
    lazy, every = Follow(facts, contracts), Follow(facts, contracts, everything=True)
    assert observed(lazy) == observed(every)
    frames = {key.frame for key in lazy.carried}
    assert {"app.views.show", "app.views.make", "app.views.through", "app.views.alive"} <= frames
    assert len(lazy.calls._done) < len(every.calls._done)


@pytest.mark.parametrize("seed", range(3))
def test_calls_grown_file_by_file_are_those_of_every_file_at_once(seed):
    """The rounds add each round's files to the calls of the last (``CallSites``), in the order
    they are parsed: the callers, service calls and cuts stay in the order of the paths."""
    import random

    contracts = [load_contract(str(REQUESTS))]
    facts = {**facts_of(PROJECT, contracts), **stdlib_facts(["email", "logging"], contracts)}
    paths = list(facts)
    random.Random(seed).shuffle(paths)
    sites = CallSites()
    for cut in range(1, len(paths) + 1, 20):  # twenty files a round, the rounds' order
        sites.add({p: facts[p] for p in paths[:cut]})
    sites.add(facts)
    assert len(sites.links) == sum(len(f.links) for f in facts.values())  # none twice
    grown, whole = Follow(facts, contracts, sites=sites), Follow(facts, contracts)
    assert observed(grown) == observed(whole)
    assert grown.calls.cut_short() == whole.calls.cut_short()
    assert [p for p, _, _ in sites.links] != sorted(p for p, _, _ in sites.links)  # not in order
    callers = [c for key in whole.carried for c in whole.callers(key.frame)]
    assert whole.services and len(callers) > 1
    every = [whole.calls.callers(f) for f in sorted(whole.project.functions)]
    assert [grown.calls.callers(f) for f in sorted(grown.project.functions)] == every
    assert sum(len(c) > 1 for c in every) > 100  # callers from many files, put in order
    # The callees that end with some words, through the index: those of every call.
    lasts = sorted({n.rpartition(".")[2] for _, link, _ in sites.links for n in link.callee})
    for words in ({"get", "fetch"}, set(lasts[::7]), set(lasts)):
        assert sites.ending(words) == member_callees(facts.values(), words)


@pytest.mark.network
@pytest.mark.parametrize(
    "name, version, package, contracts",
    [
        ("docker", "7.1.0", "docker", ["requests"]),
        ("hvac", "2.3.0", "hvac", ["requests"]),
        ("docker", "7.1.0", "docker", builtin_names()),
        ("rq", "2.6.0", "rq", builtin_names()),
    ],
    ids=["docker-requests", "hvac-requests", "docker-all", "rq-all"],
)
def test_on_real_packages(name, version, package, contracts, monkeypatch):
    root = fetch(name, version) / f"{name}-{version}"
    monkeypatch.chdir(root)
    config = Config(root=".")
    loaded = load_contracts(contracts)
    job = Job(
        tuple(loaded),
        config,
        frozenset(select_codes(config.select, config.ignore)),
        dt.date(2026, 1, 1),
        use_prefilter=False,
        project=project_names(["."]),
        follow_calls=True,
    )
    outcomes = check_files(list(discover([package], config)), job)
    facts = {o.path: o.facts for o in outcomes if o.facts is not None}
    lazy, every = Follow(facts, loaded), Follow(facts, loaded, everything=True)
    assert lazy.carried, "the package must have carriers for the comparison to mean anything"
    assert observed(lazy) == observed(every)
