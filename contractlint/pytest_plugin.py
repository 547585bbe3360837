"""Prove the fallback at run time: the consumer's own tests, run again with the contract's errors
injected.

``pytest --contract-faults=capability-server`` (or ``faults = ["capability-server"]`` under
``[tool.contractlint]``) runs every test as usual, then once more for
each call site of the service the test reached and each error that call's group ``raises``: the
calls from that site now raise the error instead of reaching the service (the other sites still
answer, so a failure has one cause), and the run passes when the code does what the contract says —
degrades (``fail-open``: the error did not escape), or refuses (``fail-closed``: the error, or one
raised from it with ``raise ... from``, came out; not a crash of another type).

How each (test, error) gets its own outcome. The calls a test reaches are only known by running it,
so runs cannot be items made at collection (``pytest_generate_tests`` would multiply every test by
every error, reached or not). Instead ``pytest_runtest_protocol`` runs each test itself: first the
plain run, which records the calls it reached (its outcome is the test's ordinary one), then one run
per reached call site and error, each through pytest's normal setup/call/teardown, its reports
renamed ``test_send[fault:capability_client.CapabilityError@CapabilityClient.check]``
(``@stickers.py:65`` is added when the test reaches one function from several sites). Terminal,
``-ra``, JUnit XML, ``-x`` and ``--lf`` therefore treat each as a test of its own; the session's
test count grows as they are found. Only a plain run that passed is re-run: a test that fails
without a fault proves nothing with one. A fault run's outcome is the verdict
(``contractlint.faults.verdict``), not the test's own assertions, which are about the healthy path:
an assertion that fails on the degraded result still passes the run (assert on it with the
``contract_faults`` fixture). Fixtures are set up afresh for each run, and higher-scoped ones are
kept between a test's runs.

What is patched. Every function the contract's globs name, where it is defined (methods on their
class, functions in their module and in every module that imported them by name), for the whole of
each run and undone right after it, even when the run errors. Only calls made while the test
function runs are faulted — fixtures arrange the world, often by calling the service themselves —
and only calls from the code under test: a call written in a test file (``test_*.py``,
``conftest.py``: the ``python_files`` patterns) passes through, since the test is arranging or
inspecting, not degrading.

A test that reached no call is "not exercised"; the terminal summary lists, per call group, the call
sites that ran under fault, those only reached, and those ``contractlint check`` finds in the
rootdir that no test ever reached: the map of blind spots.

Which configuration. The nearest pyproject.toml with a [tool.contractlint] table at or above the
rootdir, as ``contractlint check`` finds it (``config.find_pyproject``): its ``faults``, its
contracts known by their name, and its folder, which the paths in ``--contract-faults``, ``faults``
and the fixture are relative to (the rootdir without a configuration). A spec is resolved as every
command resolves it (``contracts.specs``).

This module is the adapter: pytest's hooks, options and fixture. The session's bookkeeping (the runs
to make, what they reached, the summary) is ``contractlint.faults.session``, which knows nothing of
pytest. The plugin is registered through the ``pytest11`` entry point and does nothing unless asked:
importing it loads no more than pytest itself (never libcst); the contracts are read, and the
service's modules imported, only when ``--contract-faults`` or the ``faults`` setting names them.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import pytest

if TYPE_CHECKING:  # the plugin's work imports these lazily, when it is asked for
    from pluggy import Result

    from contractlint.config import Config
    from contractlint.contracts import Configured
    from contractlint.faults import Resolution
    from contractlint.faults.block import FaultBlock
    from contractlint.faults.report import StaticSites
    from contractlint.faults.runs import Run
    from contractlint.faults.session import FaultSession

#: The values of ``contractlint.faults.runs.Mode``, spelt out so that an idle session imports
#: nothing.
MODES = ("each", "first", "random")
PLUGIN_NAME = "contractlint-faults"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contractlint", "contractlint: prove the fallback at run time")
    group.addoption(
        "--contract-faults",
        dest="contract_faults",
        metavar="NAME[,NAME...]",
        default=None,
        help="run each test again once per call it reaches to a contract's service and per error "
        "the call's group raises, that error injected; builtin contract names, names of contracts "
        "the configuration lists or installed packages ship, or .toml paths relative to the "
        "configuration's folder (default: [tool.contractlint] faults)",
    )
    group.addoption(
        "--contract-faults-mode",
        dest="contract_faults_mode",
        choices=MODES,
        default=None,
        help="each: one run per error the call group raises (default); first: its first error "
        "only; random: one error drawn per test and call, reproducible with --contract-faults-seed",
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
    if config.getoption("contract_faults", None) is None and not _may_ask_for_faults(
        str(config.rootpath)
    ):
        _asked_for_nothing(config)
        return
    from contractlint.errors import UserError

    try:
        _configure(config)
    except UserError as exc:
        raise pytest.UsageError(*[f"contract faults: {m}" for m in exc.messages]) from None


def _configure(config: pytest.Config) -> None:
    specs = _requested(config)
    if not specs:
        _asked_for_nothing(config)
        return
    from contractlint.contracts import load_contracts
    from contractlint.faults.runs import Mode
    from contractlint.faults.session import FaultSession
    from contractlint.faults.testcode import CodeMap

    where = _where(config)
    contracts = load_contracts(specs, where.folder, where.configured)
    mode = Mode(config.getoption("contract_faults_mode", None) or "each")
    seed = config.getoption("contract_faults_seed", None)
    code = CodeMap(str(config.rootpath), config.getini("python_files"))
    session = FaultSession(contracts, mode, seed, code)
    config.pluginmanager.register(FaultPlugin(config, session, where), PLUGIN_NAME)


def _asked_for_nothing(config: pytest.Config) -> None:
    if any(
        config.getoption(o, None) is not None
        for o in ("contract_faults_mode", "contract_faults_seed")
    ):
        raise pytest.UsageError(
            "--contract-faults-mode and --contract-faults-seed need --contract-faults "
            "(or faults = [...] under [tool.contractlint])"
        )


def _requested(config: pytest.Config) -> list[str]:
    """The contract specs asked for: the option's, else the configuration's ``faults``."""
    option = config.getoption("contract_faults", None)
    if option is None:
        settings = _where(config).settings
        return list(settings.faults) if settings is not None else []
    specs = [s.strip() for s in option.split(",") if s.strip()]
    if not specs:
        raise pytest.UsageError(
            "--contract-faults: name at least one contract (a builtin name, a configured "
            "contract's name, the name of one an installed package ships, or a .toml path)"
        )
    return specs


def _may_ask_for_faults(folder: str) -> bool:
    """Whether a pyproject.toml at or above ``folder`` mentions contractlint's ``faults``: a look at
    the bytes alone, so that a project that asks for nothing pays no import. The configuration's
    reader decides the rest (an unreadable file is its to report)."""
    while True:
        try:
            with open(os.path.join(folder, "pyproject.toml"), "rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            data = b""
        except OSError:
            return True
        if b"contractlint" in data and b"faults" in data:
            return True
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent


@dataclass(frozen=True)
class _Where:
    """Where this session's contract specs are read: the configuration, if any, and its folder."""

    settings: Config | None
    folder: str
    configured: Configured | None


_WHERE = pytest.StashKey[_Where]()


def _where(config: pytest.Config) -> _Where:
    """The configuration for the rootdir, read once: the nearest pyproject.toml configuring
    contractlint (a ``UserError`` when it is not valid)."""
    where = config.stash.get(_WHERE, None)
    if where is None:
        from contractlint.config import configured, find_pyproject, load_config

        root = str(config.rootpath)
        path = find_pyproject([root])
        settings = load_config(path) if path is not None else None
        if settings is None:
            where = _Where(None, root, None)
        else:
            where = _Where(settings, settings.root, configured(settings))
        config.stash[_WHERE] = where
    return where


# --- the session ----------------------------------------------------------------------------------


class FaultPlugin:
    """The fault session at work in pytest: registered only when faults were asked for."""

    def __init__(self, config: pytest.Config, session: FaultSession, where: _Where):
        self.config = config
        self.session = session
        self.where = where
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
        """Import the service's modules once the tests are collected, so that sys.path is the tests'
        own."""
        self.arm()

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        return [self.session.header(self.cwd)]

    # -- running
    # -------------------------------------------------------------------------------------

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
            # This terminal counts progress per test id reported (pytest 9), not per item finished:
            # the fault runs are tests too, so the total grows with them and the bar ends at 100%.
            item.session.testscollected += len(runs)
        failed = False
        for i, run in enumerate(runs):
            if item.session.shouldfail or item.session.shouldstop:
                break
            # Between a test's runs only its own fixtures are torn down; the last run tears down for
            # nextitem.
            last = i == len(runs) - 1
            self._run(
                run, item, nextitem if last or item.parent is None else item.parent, runtestprotocol
            )
            failed = failed or (run.verdict is not None and not run.verdict.ok)
        if failed:
            # --lf selects items by their own id: remember the test, so that it runs again with its
            # faults.
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
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo
    ) -> Generator[None, Result[pytest.TestReport], None]:
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
        header = (
            f"{variant.target.contract.name} [[calls]][{group.index}] ({group.policy}): "
            f"{verdict.message}"
        )
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
            shown = pytest.ExceptionInfo.from_exception(error)
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

    # -- the end
    # -------------------------------------------------------------------------------------

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
            from contractlint.config import Config
            from contractlint.engine import check_paths

            settings = self.where.settings or Config(root=root)
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


# --- the fixture ----------------------------------------------------------------------------------

_RESOLVED = pytest.StashKey[dict[str, "Resolution"]]()


@pytest.fixture
def contract_faults(request: pytest.FixtureRequest) -> Iterator[Callable[..., FaultBlock]]:
    """Inject a contract's errors inside one test, to assert on the degraded result itself::

        def test_a_down_server_sends_a_static_sticker(contract_faults):
            with contract_faults("capability-server", error="capability_client.CapabilityTimeout")
                as faults: result = StickerSender().send("alice", "party-parrot")
            assert result["animated"] is False
            assert faults.injected  # the call was reached, so the result is the degraded one

    ``contract_faults(contract, error=None, match=None)``: ``contract`` is a builtin name, the name
    of a contract the configuration lists or an installed package ships, or a .toml path (relative
    to the configuration's folder, else to the rootdir); ``error`` an error of the contract (its
    name or class; None: each group's first); ``match`` a glob narrowing the functions. Every call
    to those functions inside the block raises, wherever it is written (the test asked). Works with
    or without ``--contract-faults``; a test that uses it is not re-run under faults by the plugin,
    since it already proves its own. A request that cannot be met fails the test in one line.
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
    """The contract ``spec`` names, resolved once per session (the plugin's own resolution when it
    has one)."""
    cache = config.stash.setdefault(_RESOLVED, {})
    if spec in cache:
        return cache[spec]
    from contractlint.contracts import load_contracts
    from contractlint.errors import UserError
    from contractlint.faults import resolve

    try:
        where = _where(config)
        (contract,) = load_contracts([spec], where.folder, where.configured)
    except UserError as exc:
        pytest.fail("contract_faults: " + "; ".join(exc.messages), pytrace=False)
    plugin = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if plugin is not None:
        plugin.arm()
        resolution = plugin.session.resolution_of(contract)
    else:
        resolution = None
    if resolution is None:
        resolution = resolve(contract)
        if resolution.problems:
            pytest.fail("contract_faults: " + "; ".join(resolution.problems), pytrace=False)
    cache[spec] = resolution
    return resolution
