"""The check of one file (``contractlint.run.filecheck``): the codes its per-file ignores leave,
and its outcome, the same whether the acceptances are applied at once or after the follow."""

from __future__ import annotations

import datetime as dt

from sample_project import ACCEPTED, CONTRACTS, UNGUARDED
from trees import write

from contractlint.config import Config
from contractlint.run.filecheck import (
    FileCheck,
    FileOutcome,
    Job,
    apply_acceptances,
    selected_codes,
)
from contractlint.run.names import FileNames

CODES = frozenset({"CL001", "CL002", "CL003", "CL103"})


def job(root, **options) -> Job:
    config = Config(root=str(root), **options.pop("config", {}))
    return Job(
        contracts=tuple(CONTRACTS),
        config=config,
        codes=CODES,
        today=dt.date(2030, 1, 1),
        **options,
    )


def test_per_file_ignores_leave_the_other_codes(tmp_path):
    ignores = {"tests/*": ("CL001",), "conftest.py": ("CL002", "CL00"), "src/": ("CL1",)}
    run = job(tmp_path, config={"per_file_ignores": ignores})
    assert selected_codes(run, str(tmp_path / "tests" / "test_a.py")) == CODES - {"CL001"}
    assert selected_codes(run, str(tmp_path / "tests" / "conftest.py")) == {"CL103"}
    assert selected_codes(run, str(tmp_path / "app" / "tests" / "test_a.py")) == CODES
    assert selected_codes(run, str(tmp_path / "app" / "conftest.py")) == {"CL103"}
    assert selected_codes(run, str(tmp_path / "src" / "a.py")) == CODES - {"CL103"}
    assert selected_codes(job(tmp_path), str(tmp_path / "tests" / "test_a.py")) == CODES


def check(run: Job, path) -> FileOutcome:
    found = FileCheck(run).triage(0, str(path), *FileNames(run.import_roots)(str(path)))
    return found if isinstance(found, FileOutcome) else FileCheck(run).check(found)


def test_the_acceptances_applied_at_once_or_after_the_follow_give_one_outcome(tmp_path):
    write(tmp_path, {"accepted.py": ACCEPTED, "unguarded.py": UNGUARDED, "plain.py": "x = 1\n"})
    for name in ("accepted.py", "unguarded.py", "plain.py"):
        path = tmp_path / name
        direct = check(job(tmp_path), path)
        found = check(job(tmp_path, follow_calls=True), path)
        assert found.source == str(path) and not found.risks
        assert apply_acceptances(job(tmp_path), found) == direct, name
    accepted = check(job(tmp_path), tmp_path / "accepted.py")
    assert [r.findings for r in accepted.risks] == [1] and not accepted.findings
