"""Prove the fallback at run time: the consumer's own tests, run again with the contract's errors injected.

``pytest --contract-faults=capability-server`` (or ``faults = ["capability-server"]`` under
``[tool.contractlint]`` in the rootdir's pyproject.toml) runs every test as usual, then once more for
each call site of the service the test reached and each error that call's group ``raises``: the calls
from that site now raise the error instead of reaching the service (the other sites still answer, so
a failure has one cause), and the run passes when the code does what the contract says — degrades
(``fail-open``: the error did not escape), or refuses (``fail-closed``: the error, or one raised from
it with ``raise ... from``, came out; not a crash of another type).

How each (test, error) gets its own outcome. The calls a test reaches are only known by running it,
so runs cannot be items made at collection (``pytest_generate_tests`` would multiply every test by
every error, reached or not). Instead ``pytest_runtest_protocol`` runs each test itself: first the
plain run, which records the calls it reached (its outcome is the test's ordinary one), then one run
per reached call site and error, each through pytest's normal setup/call/teardown, its reports renamed
``test_send[fault:capability_client.CapabilityError@CapabilityClient.check]`` (``@stickers.py:65`` is
added when the test reaches one function from several sites). Terminal, ``-ra``, JUnit XML, ``-x``
and ``--lf`` therefore treat each as a test of its own; the session's test count grows as they are
found. Only a plain run that passed is re-run: a test that fails without a fault proves nothing with
one. A fault run's outcome is the verdict (``contractlint.faults.verdict``), not the test's own
assertions, which are about the healthy path: an assertion that fails on the degraded result still
passes the run (assert on it with the ``contract_faults`` fixture). Fixtures are set up afresh for
each run, and higher-scoped ones are kept between a test's runs.

What is patched. Every function the contract's globs name, where it is defined (methods on their
class, functions in their module and in every module that imported them by name), for the whole of
each run and undone right after it, even when the run errors. Only calls made while the test function
runs are faulted — fixtures arrange the world, often by calling the service themselves — and only calls
from the code under test: a call written in a test file (``test_*.py``, ``conftest.py``: the
``python_files`` patterns) passes through, since the test is arranging or inspecting, not degrading.

A test that reached no call is "not exercised"; the terminal summary lists, per call group, the call
sites that ran under fault, those only reached, and those ``contractlint check`` finds in the rootdir
that no test ever reached: the map of blind spots.

This module is the adapter: pytest's hooks, options and fixture. The session's bookkeeping (the runs
to make, what they reached, the summary) is ``contractlint.faults.session``, which knows nothing of
pytest. The plugin is registered through the ``pytest11`` entry point and does nothing unless asked:
importing it loads no more than pytest itself (never libcst); the contracts are read, and the
service's modules imported, only when ``--contract-faults`` or the ``faults`` setting names them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable

import pytest

if TYPE_CHECKING:  # the plugin's work imports these lazily, when it is asked for
    from contractlint.faults import Resolution
    from contractlint.faults.block import FaultBlock
    from contractlint.faults.report import StaticSites
    from contractlint.faults.runs import Run
    from contractlint.faults.session import FaultSession
    from contractlint.model import Contract

#: The values of ``contractlint.faults.runs.Mode``, spelt out so that an idle session imports nothing.
MODES = ("each", "first", "random")
PLUGIN_NAME = "contractlint-faults"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contractlint", "contractlint: prove the fallback at run time")
    group.addoption(
        "--contract-faults",
        dest="contract_faults",
        metavar="NAME[,NAME...]",
        default=None,
        help="run each test again once per call it reaches to a contract's service and per error the call's "
        "group raises, that error injected; builtin contract names, names of contracts the configuration "
        "lists, or .toml paths relative to the configuration's folder (default: [tool.contractlint] faults)",
    )
    group.addoption(
        "--contract-faults-mode",
        dest="contract_faults_mode",
        choices=MODES,
        default=None,
        help="each: one run per error the call group raises (default); first: its first error only; "
        "random: one error drawn per test and call, reproducible with --contract-faults-seed",
    )
    group.addoption(
        "--contract-faults-seed",
        dest="contract_faults_seed",
        type=int,
        default=None,
        metavar="N",
        help="seed of --contract-faults-mode=random (default: a new one, shown in the header)",
    )


def pytest_configure(config: pytest.Config) -> None:
    specs, base = _requested(config)
    mode = config.getoption("contract_faults_mode", None)
    seed = config.getoption("contract_faults_seed", None)
    if not specs:
        if mode is not None or seed is not None:
            raise pytest.UsageError(
                "--contract-faults-mode and --contract-faults-seed need --contract-faults "
                "(or faults = [...] under [tool.contractlint])"
            )
        return
    from contractlint.contracts import load_contracts
    from contractlint.errors import UserError
    from contractlint.faults.runs import Mode
    from contractlint.faults.session import FaultSession
    from contractlint.faults.testcode import CodeMap

    try:
        contracts = load_contracts(specs, base)
    except UserError as exc:
        raise pytest.UsageError(*[f"contract faults: {m}" for m in exc.messages]) from None
    code = CodeMap(str(config.rootpath), config.getini("python_files"))
    session = FaultSession(contracts, Mode(mode or "each"), seed, code)
    config.pluginmanager.register(FaultPlugin(config, session), PLUGIN_NAME)


def _requested(config: pytest.Config) -> tuple[list[str], str]:
    """The contracts asked for, and the folder their paths are relative to: the option, else pyproject.toml."""
    option = config.getoption("contract_faults", None)
    if option is not None:
        specs = [s.strip() for s in option.split(",") if s.strip()]
        if not specs:
            raise pytest.UsageError(
                "--contract-faults: name at least one contract (a builtin name or a .toml path)"
            )
        return specs, str(config.invocation_params.dir)
    path = os.path.join(str(config.rootpath), "pyproject.toml")
    if not os.path.isfile(path) or not _mentions_faults(path):
        return [], ""
    from contractlint.config import load_config
    from contractlint.errors import UserError

    try:
        settings = load_config(path)
    except UserError as exc:
        raise pytest.UsageError(*[f"contract faults: {m}" for m in exc.messages]) from None
    return list(settings.faults), os.path.dirname(path)


def _mentions_faults(path: str) -> bool:
    """Whether [tool.contractlint] has a ``faults`` key; a cheap look, so an unrelated project pays nothing."""
    return _has_table(path, key="faults")


def _has_table(path: str, key: str | None = None) -> bool:
    """Whether ``path`` has a [tool.contractlint] table (holding ``key``); an unreadable one says yes, so
    that the configuration's own reader reports what is wrong with it instead of it being skipped."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        return False
    if b"contractlint" not in data or (key is not None and key.encode() not in data):
        return False
    from contractlint.tomlfile import tomllib

    try:
        tool = tomllib.loads(data.decode("utf-8-sig")).get("tool")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    table = tool.get("contractlint") if isinstance(tool, dict) else None
    return isinstance(table, dict) and (key is None or key in table)


# --- the session ----------------------------------------------------------------------------------------


class FaultPlugin:
    """The fault session at work in pytest: registered only when faults were asked for."""

    def __init__(self, config: pytest.Config, session: FaultSession):
        self.config = config
        self.session = session
        self.cwd = str(config.invocation_params.dir)
        self.current: tuple[Run, pytest.Item] | None = None

    def arm(self) -> None:
        from contractlint.errors import UserError

        try:
            self.session.arm()
        except UserError as exc:
            raise pytest.UsageError(*[f"contract faults: {m}" for m in exc.messages]) from None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Import the service's modules once the tests are collected, so that sys.path is the tests' own."""
        self.arm()

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        return [self.session.header(self.cwd)]

    # -- running -------------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool:
        from _pytest.runner import (
            runtestprotocol,  # what pytest-rerunfailures re-runs items with, too
        )

        self.arm()
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        brings_faults = "contract_faults" in getattr(item, "fixturenames", ())
        plain = self.session.plain_run(item.nodeid, item.location[2], brings_faults)
        self._run(plain, item, nextitem, runtestprotocol)
        runs = self.session.fault_runs(plain)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if runs and getattr(type(reporter), "reported_progress", None) is not None:
            # This terminal counts progress per test id reported (pytest 9), not per item finished: the
            # fault runs are tests too, so the total grows with them and the bar ends at 100%.
            item.session.testscollected += len(runs)
        failed = False
        for i, run in enumerate(runs):
            if item.session.shouldfail or item.session.shouldstop:
                break
            # Between a test's runs only its own fixtures are torn down; the last run tears down for nextitem.
            last = i == len(runs) - 1
            self._run(
                run, item, nextitem if last or item.parent is None else item.parent, runtestprotocol
            )
            failed = failed or (run.verdict is not None and not run.verdict.ok)
        if failed:
            # --lf selects items by their own id: remember the test, so that it runs again with its faults.
            lastfailed = getattr(
                self.config.pluginmanager.get_plugin("lfplugin"), "lastfailed", None
            )
            if isinstance(lastfailed, dict):
                lastfailed[item.nodeid] = True
        item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        return True

    def _run(
        self, run: Run, item: pytest.Item, nextitem: Any, protocol: Callable[..., Any]
    ) -> None:
        from contractlint.faults import patcher

        self.current = (run, item)
        try:
            with patcher.installed(self.session.targets):
                protocol(item, log=True, nextitem=nextitem)
        finally:
            self.current = None
        self.session.record(run)

    def _running(self, item: pytest.Item) -> Run | None:
        current = self.current
        return current[0] if current is not None and current[1] is item else None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        run = self._running(item)
        if run is None:
            yield
            return
        from contractlint.faults import BOARD

        with BOARD.listening(run.hear), BOARD.plan(run):
            yield

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
        outcome = yield
        run = self._running(item)
        if run is None:
            return
        report = outcome.get_result()
        if run.variant is not None:
            report.nodeid = run.nodeid
            if report.location is not None:
                report.location = (report.location[0], report.location[1], run.shown_domain)
            if call.when == "call":
                self._judge(item, call, report, run)
        if call.when == "call":
            run.call_outcome = report.outcome

    def _judge(
        self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport, run: Run
    ) -> None:
        """The fault run's report says the verdict, not the test's own assertions."""
        if report.skipped or hasattr(report, "wasxfail"):
            return  # the test skipped itself under the fault: nothing to judge
        variant = run.variant
        assert variant is not None
        raised = call.excinfo.value if call.excinfo is not None else None
        own = raised is not None and (
            isinstance(raised, pytest.fail.Exception) or self.session.code.own_failure(raised)
        )
        verdict = run.judge(raised, own, lambda s: f"{self._shown(s.path)}:{s.line}")
        if verdict is None:
            report.outcome = "skipped"
            report.longrepr = (
                str(item.path),
                (item.location[1] or 0) + 1,
                f"not exercised under fault: the run reached no call to {variant.target.qualname}",
            )
            return
        group = variant.target.group
        header = f"{variant.target.contract.name} [[calls]][{group.index}] ({group.policy}): {verdict.message}"
        note = group.remediation or variant.target.contract.remediation
        if verdict.ok:
            report.outcome = "passed"
            report.longrepr = None
            report.sections.append(("contract fault", header))
            return
        report.outcome = "failed"
        shown = call.excinfo
        if shown is None:
            error = (verdict.call or run.injected()[0]).error
            assert error is not None
            shown = pytest.ExceptionInfo.from_exc_info((type(error), error, error.__traceback__))
        longrepr = item.repr_failure(shown)
        text = header + (f"\nnote: {note}" if note else "")
        if hasattr(longrepr, "addsection") and hasattr(longrepr, "reprcrash"):
            longrepr.addsection("contract fault", text)
            crash = getattr(longrepr, "reprcrash", None)
            if crash is not None:
                try:
                    crash.message = verdict.message
                except AttributeError:
                    pass
            report.longrepr = longrepr
        else:
            report.longrepr = f"{longrepr}\n\ncontract fault: {text}"

    def _shown(self, path: str) -> str:
        from contractlint.faults.report import shown

        return shown(path, self.cwd)

    # -- the end -------------------------------------------------------------------------------------

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.session.armed:
            return
        terminalreporter.section("contract faults")
        verbose = self.config.getoption("verbose", 0) > 0
        for line in self.session.summary(self._static_sites(), self.cwd, verbose):
            terminalreporter.write_line(line)

    def _static_sites(self) -> StaticSites:
        """Every call site ``contractlint check`` finds in the rootdir, or why it could not say.

        Read at the end of the session only, and only here: this is what imports libcst.
        """
        from contractlint.faults.ledger import SiteKey
        from contractlint.faults.report import StaticSite, StaticSites

        root = str(self.config.rootpath)
        try:
            from contractlint.config import Config, load_config
            from contractlint.engine import check_paths

            path = os.path.join(root, "pyproject.toml")
            settings = load_config(path) if _has_table(path) else Config(root=root)
            report = check_paths([root], settings, self.session.contracts)
        except Exception as exc:  # the map is a bonus: never fail the run for it
            return StaticSites(error=f"contractlint check failed: {type(exc).__name__}: {exc}")
        found = {}
        for call in report.calls:
            path = os.path.abspath(call.path)
            if not self.session.code.is_test_code(path):
                key = SiteKey(call.contract, call.group, path, call.span.line)
                found[key] = StaticSite(call.scope, call.span.end_line)
        return StaticSites(found)

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from contractlint.faults import patcher

        patcher.restore_all(self.session.targets)


# --- the fixture ----------------------------------------------------------------------------------------

_RESOLVED = pytest.StashKey[dict[str, "Resolution"]]()


@pytest.fixture
def contract_faults(request: pytest.FixtureRequest) -> Iterator[Callable[..., FaultBlock]]:
    """Inject a contract's errors inside one test, to assert on the degraded result itself::

        def test_a_down_server_sends_a_static_sticker(contract_faults):
            with contract_faults("capability-server", error="capability_client.CapabilityTimeout") as faults:
                result = StickerSender().send("alice", "party-parrot")
            assert result["animated"] is False
            assert faults.injected  # the call was reached, so the result is the degraded one

    ``contract_faults(contract, error=None, match=None)``: ``contract`` is a builtin name, the name of
    a contract the configuration lists, or a .toml path (relative to the configuration's folder);
    ``error`` an error of the contract (its name or class; None: each group's first); ``match`` a glob
    narrowing the functions. Every call to those functions inside the block raises, wherever it is
    written (the test asked). Works with or without ``--contract-faults``; a test that uses it is not
    re-run under faults by the plugin, since it already proves its own. A request that cannot be met
    fails the test in one line.
    """
    blocks: list[FaultBlock] = []

    def open_block(
        contract: str, error: None | str | type = None, match: str | None = None
    ) -> FaultBlock:
        from contractlint.faults.block import plan_block

        resolution = _fixture_resolution(request.config, contract)
        try:
            block = plan_block(resolution, error, match)
        except ValueError as exc:
            pytest.fail(str(exc), pytrace=False)
        blocks.append(block)
        return block

    yield open_block
    for block in blocks:
        block.close()  # a block entered by hand and never left is left here


def _fixture_resolution(config: pytest.Config, spec: str) -> Resolution:
    """The contract ``spec`` names, resolved once per session (the plugin's own resolution when it has one)."""
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if plugin is not None:
        plugin.arm()
        for resolution in plugin.session.resolutions:
            if spec in (resolution.contract.name, resolution.contract.source):
                return resolution
    cache = config.stash.setdefault(_RESOLVED, {})
    if spec in cache:
        return cache[spec]
    from contractlint.contracts import is_path_spec, load_contracts
    from contractlint.errors import UserError
    from contractlint.faults import resolve

    root = str(config.rootpath)
    try:
        if is_path_spec(spec):
            contract = load_contracts([spec], root)[0]
        else:
            contract = _configured(config, spec) or load_contracts([spec], root)[0]
    except UserError as exc:
        pytest.fail("contract_faults: " + "; ".join(exc.messages), pytrace=False)
    resolution = resolve(contract)
    if resolution.problems:
        pytest.fail("contract_faults: " + "; ".join(resolution.problems), pytrace=False)
    cache[spec] = resolution
    return resolution


def _configured(config: pytest.Config, name: str) -> Contract | None:
    """A contract of that name among those [tool.contractlint] lists (``contracts`` and ``faults``)."""
    from contractlint.config import load_config
    from contractlint.contracts import builtin_names, load_contracts
    from contractlint.errors import UserError

    if name in builtin_names():
        return None
    path = os.path.join(str(config.rootpath), "pyproject.toml")
    if not _has_table(path):
        return None
    try:
        settings = load_config(path)
        specs = [
            s for s in (*(settings.contracts or ()), *settings.faults) if s not in builtin_names()
        ]
        contracts = load_contracts(list(dict.fromkeys(specs)), os.path.dirname(path))
    except UserError:
        return None
    return next((c for c in contracts if c.name == name), None)
