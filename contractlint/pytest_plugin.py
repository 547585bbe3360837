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

The plugin is registered through the ``pytest11`` entry point and does nothing unless asked: importing
it loads no more than pytest itself (never libcst); the contracts are read, and the service's modules
imported, only when ``--contract-faults`` or the ``faults`` setting names them.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import random
import sys
from collections.abc import Iterator, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
)

import pytest

if TYPE_CHECKING:  # the plugin's work imports these lazily, when it is asked for
    from contractlint.faults import Call, ErrorBuilder, Resolution, Site, Target, Verdict
    from contractlint.faults.block import FaultBlock
    from contractlint.model import Contract

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
        "group raises, that error injected; builtin contract names or .toml paths "
        "(default: [tool.contractlint] faults in the rootdir's pyproject.toml)",
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

    try:
        contracts = load_contracts(specs, base)
    except UserError as exc:
        raise pytest.UsageError(*[f"contract faults: {m}" for m in exc.messages]) from None
    config.pluginmanager.register(
        FaultSession(config, contracts, mode or "each", seed), PLUGIN_NAME
    )


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


class _Variant:
    """One injected error at one call site the test reached."""

    def __init__(self, target: Target, site: tuple[str, int], builder: ErrorBuilder, label: str):
        self.target = target
        self.site = site
        self.builder = builder
        self.tag = f"fault:{builder.name}@{label}"


class _Run:
    """One run of a test: the plain one (``variant`` None), which records, or one with a fault."""

    def __init__(self, session: FaultSession, item: pytest.Item, variant: _Variant | None):
        self.session = session
        self.item = item
        self.variant = variant
        self.calls: list[Call] = []
        self.call_outcome: str | None = None
        self.verdict: Verdict | None = None
        if variant is None:
            self.nodeid, self.domain = item.nodeid, item.location[2]
        else:
            self.nodeid, self.domain = (
                _tagged(item.nodeid, variant.tag),
                _tagged(item.location[2], variant.tag),
            )

    def fault_for(self, target: Target, site: Site) -> tuple[str, BaseException] | None:
        variant = self.variant
        if (
            variant is None
            or target.key != variant.target.key
            or (site.path, site.line) != variant.site
        ):
            return None
        return variant.builder.name, variant.builder()

    def hear(self, call: Call) -> None:
        if not self.session.is_test_code(call.site.path):
            self.calls.append(call)


def _tagged(name: str, tag: str) -> str:
    """``test_send`` -> ``test_send[tag]``; ``test_send[a]`` -> ``test_send[a-tag]``, as pytest joins ids."""
    if name.endswith("]") and "[" in name:
        return f"{name[:-1]}-{tag}]"
    return f"{name}[{tag}]"


class _SiteRecord:
    def __init__(self, contract: str, group: int, site: Site, callee: str):
        self.contract, self.group, self.site, self.callee = contract, group, site, callee
        self.reached_by: list[str] = []
        #: (run id, verdict word, ok) for each run that injected here.
        self.faulted: list[tuple[str, str, bool]] = []


class FaultSession:
    """The plugin at work in one pytest session: registered only when faults were asked for."""

    def __init__(
        self, config: pytest.Config, contracts: Sequence[Contract], mode: str, seed: int | None
    ):
        self.config = config
        self.contracts = list(contracts)
        self.mode = mode
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1, 10**6)
        self.resolutions: list[Resolution] = []
        self.targets: list[Target] = []
        self.builders: dict[tuple[str, str], ErrorBuilder] = {}
        self.current: _Run | None = None
        self.sites: dict[tuple[str, int, str, int], _SiteRecord] = {}
        self.not_exercised: list[str] = []
        self.failing_plain: list[str] = []
        self.runs: list[tuple[str, Verdict]] = []
        self.unreached_runs: list[str] = []
        self.root = str(config.rootpath)
        self._patterns = [*config.getini("python_files"), "conftest.py"]
        self._test_code: dict[str, bool] = {}

    # -- setting up ----------------------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Import the service's modules once the tests are collected, so that sys.path is the tests' own."""
        self.resolve()

    def resolve(self) -> None:
        if self.resolutions:
            return
        from contractlint.faults import resolve

        problems: list[str] = []
        resolutions = []
        for contract in self.contracts:
            resolution = resolve(contract)
            resolutions.append(resolution)
            problems.extend(resolution.problems)
            tried = set()
            for gi, group in enumerate(contract.calls):
                for j, name in enumerate(group.raises):
                    if name in tried:
                        continue
                    tried.add(name)
                    try:
                        self.builders[(contract.name, name)] = _build(
                            contract, name, ["calls", gi, "raises", j]
                        )
                    except ValueError as exc:
                        problems.append(str(exc))
        if problems:
            raise pytest.UsageError(*[f"contract faults: {p}" for p in dict.fromkeys(problems)])
        self.resolutions = resolutions
        self.targets = [t for r in resolutions for t in r.targets]

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        names = ", ".join(
            f"{c.name} ({'builtin' if c.builtin else _shown(c.source, self.config)})"
            for c in self.contracts
        )
        mode = f"mode {self.mode}" + (
            f", seed {self.seed} (--contract-faults-seed {self.seed} replays it)"
            if self.mode == "random"
            else ""
        )
        return [f"contract faults: {names}; {mode}"]

    # -- running -------------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> bool:
        from _pytest.runner import (
            runtestprotocol,  # what pytest-rerunfailures re-runs items with, too
        )

        self.resolve()
        item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        plain = _Run(self, item, None)
        self._run(plain, nextitem, runtestprotocol)
        variants = self._variants(item, plain)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if variants and getattr(type(reporter), "reported_progress", None) is not None:
            # This terminal counts progress per test id reported (pytest 9), not per item finished: the
            # fault runs are tests too, so the total grows with them and the bar ends at 100%.
            item.session.testscollected += len(variants)
        failed = False
        for i, variant in enumerate(variants):
            if item.session.shouldfail or item.session.shouldstop:
                break
            # Between a test's runs only its own fixtures are torn down; the last run tears down for nextitem.
            last = i == len(variants) - 1
            run = _Run(self, item, variant)
            self._run(
                run, nextitem if last or item.parent is None else item.parent, runtestprotocol
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

    def _run(self, run: _Run, nextitem: Any, protocol: Callable[..., Any]) -> None:
        from contractlint.faults import patcher

        self.current = run
        try:
            with patcher.installed(self.targets):
                protocol(run.item, log=True, nextitem=nextitem)
        finally:
            self.current = None
        self._record(run)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Iterator[None]:
        run = self.current
        if run is None or run.item is not item:
            yield
            return
        from contractlint.faults import BOARD

        with BOARD.listening(run.hear), BOARD.plan(run):
            yield

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
        outcome = yield
        run = self.current
        if run is None or run.item is not item:
            return
        report = outcome.get_result()
        if run.variant is not None:
            report.nodeid = run.nodeid
            if report.location is not None:
                report.location = (report.location[0], report.location[1], run.domain)
            if call.when == "call":
                self._judge(item, call, report, run)
        if call.when == "call":
            run.call_outcome = report.outcome

    def _judge(
        self, item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport, run: _Run
    ) -> None:
        from contractlint.faults import judge

        if report.skipped or hasattr(report, "wasxfail"):
            return  # the test skipped itself under the fault: nothing to judge
        variant = run.variant
        assert variant is not None
        group = variant.target.group
        injected = [
            c for c in run.calls if c.error is not None and c.target.key == variant.target.key
        ]
        raised = call.excinfo.value if call.excinfo is not None else None
        if not injected:
            report.outcome = "skipped"
            report.longrepr = (
                str(item.path),
                (item.location[1] or 0) + 1,
                f"not exercised under fault: the run reached no call to {variant.target.qualname}",
            )
            return
        own = raised is not None and self._own_failure(call.excinfo)
        verdict = judge(
            group.policy, raised, injected, own, group.fallback, lambda s: self.show(s.path, s.line)
        )
        run.verdict = verdict
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
            error = (verdict.call or injected[0]).error
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

    def _own_failure(self, excinfo: Any) -> bool:
        """Whether the exception came from the test's own code: its innermost project frame is a test file."""
        exc = excinfo.value
        if isinstance(exc, pytest.fail.Exception):
            return True
        tb = exc.__traceback__
        frames = []
        while tb is not None:
            frames.append(tb.tb_frame.f_code.co_filename)
            tb = tb.tb_next
        for path in reversed(frames):
            if self._is_project(path):
                return self.is_test_code(path)
        return isinstance(exc, AssertionError)

    def _is_project(self, path: str) -> bool:
        path = os.path.abspath(path)
        if not path.startswith(self.root + os.sep):
            return False
        if "site-packages" in path or "dist-packages" in path:
            return False
        return not any(
            path.startswith(p + os.sep) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}
        )

    def is_test_code(self, path: str) -> bool:
        known = self._test_code.get(path)
        if known is None:
            name = os.path.basename(path)
            known = self._test_code[path] = any(fnmatch.fnmatch(name, p) for p in self._patterns)
        return known

    def _variants(self, item: pytest.Item, plain: _Run) -> list[_Variant]:
        if plain.call_outcome is None:
            return []  # setup failed or was skipped: the test never ran
        if "contract_faults" in getattr(item, "fixturenames", ()):
            return []  # it injects its own faults, and asserts on them
        # Each call site on its own: a fault at the first must not keep the second from being proven.
        reached: dict[tuple[tuple[str, str], str, int], Target] = {}
        for call in plain.calls:
            reached.setdefault((call.target.key, call.site.path, call.site.line), call.target)
        if not reached or plain.call_outcome != "passed":
            return []
        labels = {t.key: t.label for t in reached.values()}
        ambiguous = {label for label in labels.values() if list(labels.values()).count(label) > 1}
        sites_of: dict[tuple[str, str], int] = {}
        for key, _, _ in reached:
            sites_of[key] = sites_of.get(key, 0) + 1
        out = []
        for (key, path, line), target in reached.items():
            label = target.qualname if target.label in ambiguous else target.label
            if sites_of[key] > 1:
                label += f"@{os.path.basename(path)}:{line}"
            names = list(target.group.raises)
            if self.mode == "first":
                names = names[:1]
            elif self.mode == "random":
                names = [
                    names[_draw(f"{self.seed}:{item.nodeid}:{target.qualname}:{line}", len(names))]
                ]
            for name in names:
                out.append(
                    _Variant(
                        target, (path, line), self.builders[(target.contract.name, name)], label
                    )
                )
        return out

    def _record(self, run: _Run) -> None:
        if run.variant is None:
            if run.call_outcome in (None, "skipped"):
                return  # never ran, skipped itself, or xfailed: nothing to say about its calls
            if not run.calls:
                self.not_exercised.append(run.nodeid)
            elif run.call_outcome != "passed" and "contract_faults" not in getattr(
                run.item, "fixturenames", ()
            ):
                self.failing_plain.append(run.nodeid)
        elif run.verdict is None and run.call_outcome == "skipped":
            self.unreached_runs.append(run.nodeid)
        elif run.verdict is not None:
            self.runs.append((run.nodeid, run.verdict))
        for call in run.calls:
            group = call.target.group
            key = (
                call.target.contract.name,
                group.index,
                os.path.abspath(call.site.path),
                call.site.line,
            )
            record = self.sites.get(key)
            if record is None:
                record = self.sites[key] = _SiteRecord(
                    key[0], group.index, call.site, call.target.qualname
                )
            if any(nodeid == run.nodeid for nodeid, _, _ in record.faulted):
                continue  # a loop's calls from one line: one run under fault, not one per call
            if run.variant is None and call.error is None:
                if run.item.nodeid not in record.reached_by:
                    record.reached_by.append(run.item.nodeid)
            elif call.error is not None:
                if run.verdict is not None and run.variant is not None:
                    record.faulted.append((run.nodeid, run.verdict.word, run.verdict.ok))
                elif run.variant is None:  # the contract_faults fixture injected it
                    record.faulted.append((run.nodeid, "contract_faults", True))

    # -- the end -------------------------------------------------------------------------------------

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.resolutions:
            return
        tr = terminalreporter
        tr.section("contract faults")
        static = self._static_sites()
        for contract in self.contracts:
            for line in self._summary(contract, static):
                tr.write_line(line)
        names = ", ".join(c.name for c in self.contracts)
        verbose = self.config.getoption("verbose", 0) > 0
        for title, nodeids in (
            (f"not exercised: reached no call of {names}", self.not_exercised),
            ("not run under fault: they fail without one", self.failing_plain),
            ("fault runs that reached no call this time (skipped)", self.unreached_runs),
        ):
            if not nodeids:
                continue
            tr.write_line(f"{title} ({len(nodeids)} test{'s' if len(nodeids) > 1 else ''}):")
            shown = nodeids if verbose or len(nodeids) <= 10 else nodeids[:10]
            for nodeid in shown:
                tr.write_line(f"  {nodeid}")
            if len(shown) < len(nodeids):
                tr.write_line(f"  ... and {len(nodeids) - len(shown)} more (-v lists them)")

    def _summary(
        self, contract: Contract, static: dict[tuple[str, int, str, int], tuple[str, int]] | str
    ) -> list[str]:
        runs = [
            v
            for _, v in self.runs
            if v.call is not None and v.call.target.contract.name == contract.name
        ]
        failed = sum(1 for v in runs if not v.ok)
        lines = [
            f"{contract.name} (mode {self.mode}): {len(runs)} run{'' if len(runs) == 1 else 's'} under fault: "
            f"{len(runs) - failed} passed, {failed} failed"
        ]
        resolution = next((r for r in self.resolutions if r.contract is contract), None)
        library = self._library_files(resolution)
        for group in contract.calls:
            lines.append(f"  [[calls]][{group.index}] {group.policy}: {', '.join(group.match)}")
            rows: dict[tuple[str, int], tuple[str, str]] = {}
            for (name, index, path, line), record in sorted(self.sites.items()):
                if name != contract.name or index != group.index:
                    continue
                if record.faulted:
                    bad = sorted({w for _, w, ok in record.faulted if not ok})
                    n, failed_runs = (
                        len(record.faulted),
                        sum(1 for _, _, ok in record.faulted if not ok),
                    )
                    if n == 1:
                        state = f"under fault: failed ({bad[0]})" if bad else "under fault: passed"
                    else:
                        state = f"under fault: {n} runs, " + (
                            f"{failed_runs} failed ({', '.join(bad)})" if bad else "all passed"
                        )
                else:
                    state = "reached, never under fault"
                rows[(path, line)] = (record.site.function, state)
            if isinstance(static, dict):
                for (name, index, path, line), (scope, end) in sorted(static.items()):
                    if name != contract.name or index != group.index or path in library:
                        continue
                    if not any(p == path and line <= ran <= end for (p, ran) in rows):
                        rows[(path, line)] = (scope, "never reached by a test")
            if not rows:
                lines.append("    no call site found")
            for (path, line), (scope, state) in sorted(rows.items()):
                lines.append(f"    {self.show(path, line):<40} {scope or '<module>':<28} {state}")
        if isinstance(static, str):
            lines.append(f"  call sites no test reached: unknown ({static})")
        if resolution is not None and resolution.unmatched:
            lines.append(f"  nothing to patch at run time for: {', '.join(resolution.unmatched)}")
        return lines

    def _library_files(self, resolution: Resolution | None) -> set:
        """Files of the service's client itself: its calls to itself are not the consumers' call sites."""
        out = set()
        for target in resolution.targets if resolution else ():
            owner = target.owner
            module = (
                owner
                if hasattr(owner, "__file__")
                else sys.modules.get(getattr(owner, "__module__", ""), None)
            )
            path = getattr(module, "__file__", None)
            if path:
                out.add(os.path.abspath(path))
        return out

    def _static_sites(self) -> dict[tuple[str, int, str, int], tuple[str, int]] | str:
        """Every call site ``contractlint check`` finds in the rootdir: (contract, group, path, line) -> (scope, end line).

        Read at the end of the session only, and only here: this is what imports libcst.
        """
        try:
            from contractlint.config import Config, load_config
            from contractlint.engine import check_paths

            path = os.path.join(self.root, "pyproject.toml")
            settings = load_config(path) if _has_table(path) else Config(root=self.root)
            report = check_paths([self.root], settings, self.contracts)
        except Exception as exc:  # the map is a bonus: never fail the run for it
            return f"contractlint check failed: {type(exc).__name__}: {exc}"
        out: dict[tuple[str, int, str, int], tuple[str, int]] = {}
        for call in report.calls:
            path = os.path.abspath(call.path)
            if not self.is_test_code(path):
                out[(call.contract, call.group, path, call.span.line)] = (
                    call.scope,
                    call.span.end_line,
                )
        return out

    def show(self, path: str, line: int) -> str:
        try:
            rel = os.path.relpath(path, str(self.config.invocation_params.dir))
        except ValueError:
            rel = path
        if rel.startswith(".."):
            rel = path
        return f"{rel.replace(os.sep, '/')}:{line}"

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from contractlint.faults import patcher

        patcher.restore_all(self.targets)


def _draw(key: str, n: int) -> int:
    """A number below ``n`` that depends on the seed, the test and the call alone: the same whatever else runs."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % n


def _build(contract: Contract, name: str, keypath: list[Any]) -> ErrorBuilder:
    from contractlint.faults import build_error

    return build_error(contract, name, keypath)


def _shown(path: str, config: pytest.Config) -> str:
    try:
        rel = os.path.relpath(path, str(config.invocation_params.dir))
    except ValueError:
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


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

    ``contract_faults(contract, error=None, match=None)``: ``contract`` is a builtin name, a contract
    named in the configuration, or a .toml path (relative to the rootdir); ``error`` an error of the
    contract (its name or class; None: each group's first); ``match`` a glob narrowing the functions.
    Every call to those functions inside the block raises, wherever it is written (the test asked).
    Works with or without ``--contract-faults``; a test that uses it is not re-run under faults by the
    plugin, since it already proves its own. A request that cannot be met fails the test in one line.
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
    session = config.pluginmanager.get_plugin(PLUGIN_NAME)
    if session is not None:
        session.resolve()
        for resolution in session.resolutions:
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
