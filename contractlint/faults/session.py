"""One fault session, without pytest: the contracts armed, the runs it calls for, and what they
found.

The pytest plugin (``contractlint.pytest_plugin``) is its adapter: pytest's hooks run the tests, and
ask this session which runs to make, what each injects and how its outcome is recorded. Everything
here is plain Python, so it is tested without an inner pytest session.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from contractlint.errors import UserError
from contractlint.faults.ledger import Ledger
from contractlint.faults.report import StaticSites, header, summary
from contractlint.faults.runs import Mode, Run, variants
from contractlint.faults.targets import ErrorBuilder, Resolution, Target, build_error, resolve
from contractlint.faults.testcode import CodeMap
from contractlint.model import Contract


class FaultSession:
    def __init__(self, contracts: Sequence[Contract], mode: Mode, seed: int | None, code: CodeMap):
        self.contracts = list(contracts)
        self.mode = mode
        self.seed = seed if seed is not None else random.SystemRandom().randrange(1, 10**6)
        self.code = code
        self.resolutions: list[Resolution] = []
        self.targets: list[Target] = []
        self.builders: dict[tuple[str, str], ErrorBuilder] = {}
        self.ledger = Ledger()

    @property
    def armed(self) -> bool:
        return bool(self.resolutions)

    def arm(self) -> None:
        """Import what the contracts name and build every error their groups raise, once; a
        ``UserError`` with every problem when something cannot be injected."""
        if self.armed:
            return
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
                        self.builders[(contract.name, name)] = build_error(
                            contract, name, ["calls", gi, "raises", j]
                        )
                    except ValueError as exc:
                        problems.append(str(exc))
        if problems:
            raise UserError(list(dict.fromkeys(problems)))
        self.resolutions = resolutions
        self.targets = [t for r in resolutions for t in r.targets]

    def resolution_of(self, contract: Contract) -> Resolution | None:
        """This session's resolution of ``contract`` (the same file), if it injects it."""
        return next((r for r in self.resolutions if r.contract.source == contract.source), None)

    def plain_run(self, test: str, domain: str, brings_faults: bool) -> Run:
        return Run(test, domain, brings_faults=brings_faults, is_test_code=self.code.is_test_code)

    def fault_runs(self, plain: Run) -> list[Run]:
        """The runs a finished plain run calls for, one per fault."""
        return [
            Run(plain.test, plain.domain, variant, is_test_code=self.code.is_test_code)
            for variant in variants(plain, self.mode, self.seed, self.builders)
        ]

    def record(self, run: Run) -> None:
        self.ledger.record(run)

    def header(self, cwd: str) -> str:
        return header(self.contracts, self.mode, self.seed, cwd)

    def summary(self, static: StaticSites, cwd: str, verbose: bool) -> list[str]:
        return summary(
            self.contracts, self.resolutions, self.mode, self.ledger, static, cwd, verbose
        )
