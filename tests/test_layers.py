"""Our own layers, as pyproject.toml declares them, checked by import-linter on the package; and
one job per module, which a module's length gives away."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from contractlint.tomlfile import tomllib

ROOT = Path(__file__).resolve().parent.parent
LINTER = Path(sys.executable).with_name("lint-imports")
#: A module longer than this holds more than one job (docs/architecture.md).
MOST_LINES = 600


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """import-linter run on the ``contractlint`` package and the pyproject.toml under ``root``,
    its output without colours (the releases pinned for Python < 3.11 colour it even in a
    pipe)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run(
        [str(LINTER), "--no-cache"], cwd=root, capture_output=True, text=True, env=env
    )
    proc.stdout = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
    return proc


def test_import_contracts_are_kept():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    proc = lint_imports(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Contracts: {len(contracts['contracts'])} kept, 0 broken." in proc.stdout


def test_a_new_module_must_be_placed_and_fault_injection_must_not_import_pytest(tmp_path):
    shutil.copytree(ROOT / "contractlint", tmp_path / "contractlint")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "contractlint" / "output" / "yaml.py").write_text(
        "from __future__ import annotations\n"
    )
    testcode = tmp_path / "contractlint" / "faults" / "testcode.py"
    testcode.write_text(testcode.read_text() + "\nimport _pytest.outcomes\n")
    proc = lint_imports(tmp_path)
    assert proc.returncode == 1
    every = len(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    )
    assert f"Contracts: {every - 2} kept, 2 broken." in proc.stdout
    assert "The following modules are not listed as layers:" in proc.stdout
    assert "- contractlint.output.yaml\n" in proc.stdout
    assert "contractlint.faults is not allowed to import _pytest" in proc.stdout


def test_no_module_is_longer_than_most_lines():
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted((ROOT / "contractlint").rglob("*.py"))
    }
    assert len(lengths) > 100  # the package's modules were found
    assert {path: n for path, n in lengths.items() if n > MOST_LINES} == {}
