"""Asking the pytest plugin for faults: which contracts, read from where, and what bad input says.

The contracts come from ``--contract-faults`` or ``faults = [...]``, or from a test through the
``contract_faults`` fixture; a spec is a builtin's name, the name of a contract the configuration
lists, or a path relative to the configuration's folder. Whatever cannot be met is one line and a
usage error, before any test runs.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from exampleclient import tried_installed
from faultproject import CONTRACT, GUARDED, line_of, outcomes, project, run

from contractlint.config import build_config
from contractlint.contracts import build_contract, builtin_names
from contractlint.errors import UserError

pytest_plugins = ["pytester"]


def test_importing_the_plugin_and_an_inactive_session_stay_cheap(pytester):
    code = (
        "import sys, contractlint.pytest_plugin; print(sorted(m for m in sys.modules if "
        "m.startswith(('libcst', 'contractlint'))))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "['contractlint', 'contractlint.pytest_plugin']"
    pytester.makepyfile(
        test_x="""
        import sys


        def test_nothing_of_contractlint_was_loaded():
            assert not [m for m in sys.modules if m.startswith("libcst") or m.startswith("contractlint.")
                        and m != "contractlint.pytest_plugin"]
        """  # noqa: E501
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)
    # A project configured for contractlint that asks for no faults: the same, even with a mistake
    # in the configuration (`contractlint check` reports it; the test run is none of its business).
    pytester.makepyprojecttoml(
        '[tool.contractlint]\nselect = "CL0"\ncontracts = ["nowhere.toml"]\n'
    )
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_faults_can_be_asked_for_in_pyproject(pytester):
    project(
        pytester,
        app=GUARDED,
        tests="""
        from app import greet


        def test_greet():
            assert greet("alice")
        """,
    )
    pytester.makepyprojecttoml('[tool.contractlint]\nfaults = ["svc.toml"]\n')
    result = run(pytester, "-rA")
    assert outcomes(result) == {
        "test_app.py::test_greet": "PASSED",
        "test_app.py::test_greet[fault:svc.ServiceError@Client.check]": "PASSED",
    }
    assert "contract faults: svc (svc.toml); mode each" in result.stdout.str()


# --- configured contracts, known by their name, read from the configuration's folder --------------

INVENTORY_TESTS = """
from app import greet


def test_greet():
    assert greet("alice") is not None


def test_the_fixture_reads_paths_from_the_configuration(contract_faults):
    for spec in ("inventory-service", "contracts/inventory.toml"):
        with contract_faults(spec, error="svc.ServiceTimeout") as faults:
            assert greet("alice") is False
        assert len(faults.injected) == 1
"""

FAULT_IDS = {
    "test_app.py::test_greet": "PASSED",
    "test_app.py::test_greet[fault:svc.ServiceError@Client.check]": "PASSED",
    "test_app.py::test_the_fixture_reads_paths_from_the_configuration": "PASSED",
}


def fault_ids(result: pytest.RunResult) -> dict:
    """``outcomes`` by file name: the summary shows ids relative to where pytest was started."""
    return {k.rsplit("/", 1)[-1]: v for k, v in outcomes(result).items()}


def inventory(pytester: pytest.Pytester, table: str) -> None:
    """A project whose own contract, ``inventory-service``, is contracts/inventory.toml;
    tests in tests/."""
    project(pytester, app=GUARDED, tests="def test_nothing():\n    pass\n")
    (pytester.path / "test_app.py").unlink()
    (pytester.path / "svc.toml").unlink()
    (pytester.path / "contracts").mkdir()
    (pytester.path / "contracts" / "inventory.toml").write_text(
        CONTRACT.replace('name = "svc"', 'name = "inventory-service"')
    )
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_app.py").write_text(INVENTORY_TESTS)
    pytester.makepyprojecttoml("[tool.contractlint]\n" + table)


@pytest.mark.parametrize("cwd", [".", "tests"])
def test_a_configured_contract_is_faulted_by_its_name_from_the_project_or_a_subfolder(
    pytester, monkeypatch, cwd
):
    inventory(pytester, 'contracts = ["contracts/inventory.toml"]\n')
    monkeypatch.chdir(pytester.path / cwd)
    result = run(pytester, "--contract-faults=inventory-service", "-rA")
    assert fault_ids(result) == FAULT_IDS
    source = (
        "contracts/inventory.toml"
        if cwd == "."
        else str(pytester.path / "contracts" / "inventory.toml")
    )
    assert f"contract faults: inventory-service ({source}); mode each" in result.stdout.str()


def test_paths_in_the_option_and_in_faults_are_relative_to_the_configuration(pytester, monkeypatch):
    inventory(pytester, 'faults = ["contracts/inventory.toml"]\n')
    monkeypatch.chdir(pytester.path / "tests")
    assert fault_ids(run(pytester, "-rA")) == FAULT_IDS
    assert (
        fault_ids(run(pytester, "--contract-faults=contracts/inventory.toml", "-rA")) == FAULT_IDS
    )


def test_faults_may_name_a_configured_contract(pytester):
    inventory(
        pytester, 'contracts = ["contracts/inventory.toml"]\nfaults = ["inventory-service"]\n'
    )
    assert fault_ids(run(pytester, "-rA")) == FAULT_IDS


def test_the_configuration_above_a_rootdir_of_its_own_is_the_one_read(pytester, monkeypatch):
    """tests/ has its own pytest.ini, so it is the rootdir; the configuration is found above it."""
    inventory(pytester, 'contracts = ["contracts/inventory.toml"]\n')
    (pytester.path / "tests" / "pytest.ini").write_text("[pytest]\n")
    monkeypatch.chdir(pytester.path / "tests")
    result = run(pytester, "--contract-faults=inventory-service", "-rA")
    assert fault_ids(result) == FAULT_IDS
    assert "rootdir: " + str(pytester.path / "tests") in result.stdout.str()


def test_an_unknown_name_is_one_line_naming_the_configured_and_builtin_contracts(pytester):
    inventory(pytester, 'contracts = ["contracts/inventory.toml"]\n')
    result = run(pytester, "--contract-faults=inventory")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert errors == [
        'ERROR: contract faults: unknown contract "inventory": not a configured contract '
        "(inventory-service), a builtin contract "
        f"({', '.join(builtin_names())}){tried_installed()} "
        "nor a .toml path; "
        'did you mean "inventory-service"?'
    ]


# --- the fixture ----------------------------------------------------------------------------------


def test_the_fixture_injects_inside_one_test_to_assert_on_the_degraded_result(pytester):
    contract = CONTRACT + '\n[faults]\n"svc.ServiceRefused" = "svc.make_refused"\n'
    project(
        pytester,
        contract=contract,
        app=GUARDED,
        tests="""
        import pytest

        import svc
        from app import greet


        def test_timeout(contract_faults):
            with contract_faults("svc.toml", error="svc.ServiceTimeout") as faults:
                assert greet("alice") is False
            assert greet("alice") is True  # the block is over: the service answers again
            assert [type(e) for e in faults.errors] == [svc.ServiceTimeout]
            assert faults.injected[0].site.line == LINE


        def test_by_class_with_a_factory(contract_faults):
            with contract_faults("svc.toml", error=svc.ServiceRefused) as faults:
                assert greet("alice") is False
            assert faults.errors[0].code == 503


        def test_only_some_calls(contract_faults):
            with contract_faults("svc.toml", match="svc.Client.buy") as faults:
                assert greet("alice") is True
                with pytest.raises(svc.ServiceError):
                    svc.Client().buy("alice")  # inside the block even the test's own call fails: it asked
            assert len(faults.injected) == 1


        def test_not_an_error_of_the_contract(contract_faults):
            with contract_faults("svc.toml", error="svc.ServiceTimeot"):
                pass
        """,  # noqa: E501
    )
    line = line_of(pytester, "app.py", ".check(user)")
    test = pytester.path / "test_app.py"
    test.write_text(test.read_text().replace("LINE", str(line)))
    for args in ([], ["--contract-faults=svc.toml"]):
        result = run(pytester, "-rA", *args)
        assert outcomes(result) == {
            "test_app.py::test_timeout": "PASSED",
            "test_app.py::test_by_class_with_a_factory": "PASSED",
            "test_app.py::test_only_some_calls": "PASSED",
            "test_app.py::test_not_an_error_of_the_contract": "FAILED",
        }, args  # and no fault runs of their own: they bring their faults
        result.stdout.fnmatch_lines(
            [
                '*contract_faults: "svc.ServiceTimeot" is not an error svc says its calls raise '
                '(the groups raise svc.ServiceError); did you mean "svc.ServiceTimeout"?'
            ]
        )
        assert "Traceback" not in result.stdout.str()
    # With the plugin on, the blocks' faults count in the map: the call site was
    # exercised under fault.
    result.stdout.fnmatch_lines([f"    app.py:{line} * greet * under fault: 2 runs, all passed"])


def test_the_fixture_finds_a_contract_the_configuration_names_by_its_name(pytester):
    project(
        pytester,
        app=GUARDED,
        tests="""
        from app import greet


        def test_timeout(contract_faults):
            with contract_faults("svc", error="svc.ServiceTimeout") as faults:
                assert greet("alice") is False
            assert len(faults.injected) == 1
        """,
    )
    pytester.makepyprojecttoml('[tool.contractlint]\ncontracts = ["svc.toml"]\n')
    run(pytester).assert_outcomes(passed=1)


# --- bad input: one line, a usage error -----------------------------------------------------------


BAD_INPUT = [
    (
        ["--contract-faults=no-such-service"],
        CONTRACT,
        None,
        'ERROR: contract faults: unknown contract "no-such-service": not a builtin '
        "contract (*)* nor a .toml path",
    ),
    (
        ["--contract-faults=svc.toml"],
        CONTRACT.replace('"svc.Client.buy"', '"svc.Client.buy", "svcx.client.Pay.*"'),
        '"svcx.client.Pay.*"',
        "ERROR: contract faults: */svc.toml:{line}: [[calls]][2].match[2]: cannot "
        'import "svcx.client.Pay": '
        'no module named "svcx" (is it installed, and on sys.path?)',
    ),
    (
        ["--contract-faults=svc.toml"],
        CONTRACT + '\n[faults]\n"svc.ServiceError" = "svc.testing.make_error"\n',
        "svc.testing.make_error",
        'ERROR: contract faults: */svc.toml:{line}: [faults]."svc.ServiceError": '
        "cannot import the factory "
        '"svc.testing.make_error": "svc" has no attribute or submodule "testing"',
    ),
    (
        ["--contract-faults=svc.toml"],
        CONTRACT.replace(
            'raises = ["svc.ServiceError"]\npolicy = "fail-closed"',
            'raises = ["svc.ServiceRefused"]\npolicy = "fail-closed"',
        ),
        '["svc.ServiceRefused"]',
        "ERROR: contract faults: */svc.toml:{line}: [[calls]][2].raises[1]: cannot build "
        "svc.ServiceRefused without "
        "arguments (TypeError: *); name a factory for it under [faults]",
    ),
    (
        ["--contract-faults=svc.toml"],
        CONTRACT + '\n[faults]\n"svc.ServiceError" = "svc.Client"\n',
        '"svc.Client"',
        'ERROR: contract faults: */svc.toml:{line}: [faults]."svc.ServiceError": the '
        'factory "svc.Client" returned '
        "Client, not an instance of svc.ServiceError",
    ),
    (
        ["--contract-faults-mode=random"],
        CONTRACT,
        None,
        "ERROR: --contract-faults-mode and --contract-faults-seed need --contract-faults *",
    ),
    (
        ["--contract-faults=svc.toml"],
        CONTRACT.replace('policy = "fail-closed"', 'policy = "closed"'),
        '"closed"',
        'ERROR: contract faults: */svc.toml:{line}: [[calls]][2].policy: expected "fail-open", '
        '"fail-closed" or "any", '
        'got "closed"',
    ),
]


@pytest.mark.parametrize(
    "args, contract, anchor, expected",
    BAD_INPUT,
    ids=["unknown name", "module", "factory", "no factory", "not an error", "mode alone", "loader"],
)
def test_bad_input_is_one_line_and_a_usage_error(pytester, args, contract, anchor, expected):
    project(pytester, app=GUARDED, tests="def test_nothing():\n    pass\n", contract=contract)
    if anchor:
        expected = expected.format(line=line_of(pytester, "svc.toml", anchor))
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1, result.errlines
    assert re.fullmatch(".*".join(re.escape(part) for part in expected.split("*")), errors[0]), (
        errors[0]
    )
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert (
        "= contract faults =" not in result.stdout.str()
    )  # no summary of a session that never ran


def test_a_bad_faults_setting_is_one_line_naming_pyproject(pytester):
    project(pytester, app=GUARDED, tests="def test_nothing():\n    pass\n")
    pytester.makepyprojecttoml('[tool.contractlint]\nfaults = ["svc.tom"]\n')
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: contract faults: */pyproject.toml:2: [[]tool.contractlint].faults[[]1]: "
            'unknown contract "svc.tom": not a builtin contract (*)* nor a .toml path'
        ]
    )


# --- the contract's [faults] table and the faults setting -----------------------------------------

FAULTS_CONTRACT = (
    CONTRACT
    + """
[faults]
"svc.ServiceRefused" = "svc.make_refused"
"""
)


def test_the_faults_table_is_loaded_and_validated_like_the_others():
    from contractlint.tomlfile import tomllib

    contract = build_contract(tomllib.loads(FAULTS_CONTRACT), "svc.toml", FAULTS_CONTRACT)
    assert contract.faults == {"svc.ServiceRefused": "svc.make_refused"}
    bad = FAULTS_CONTRACT.replace(
        '"svc.ServiceRefused" = "svc.make_refused"',
        '"svc.ServiceRefusd" = "svc.make_refused"\n"svc.ServiceDown" = "not a name"\n'
        '"svc.ServiceTimeout" = 3',
    )
    with pytest.raises(UserError) as err:
        build_contract(tomllib.loads(bad), "svc.toml", bad)
    assert err.value.messages == [
        'svc.toml:27: [faults]."svc.ServiceRefusd": "svc.ServiceRefusd" is not '
        "listed under [errors]; "
        'did you mean "svc.ServiceRefused"?',
        'svc.toml:28: [faults]."svc.ServiceDown": expected the dotted name of a function '
        "that returns the error "
        '(like "mypkg.testing.make_timeout"), got "not a name"',
        'svc.toml:29: [faults]."svc.ServiceTimeout": expected the dotted name of a function '
        "that returns the error "
        '(like "mypkg.testing.make_timeout"), got int 3',
    ]


def test_the_faults_setting_is_validated_like_contracts(tmp_path):
    (tmp_path / "svc.toml").write_text(CONTRACT)
    assert build_config(
        {"faults": ["svc.toml", "capability-server"]}, "pyproject.toml", str(tmp_path)
    ).faults == ("svc.toml", "capability-server")
    assert build_config({}, "pyproject.toml", str(tmp_path)).faults == ()
    with pytest.raises(UserError) as err:
        build_config({"faults": []}, "pyproject.toml", str(tmp_path))
    assert err.value.messages == [
        "pyproject.toml: [tool.contractlint].faults: an empty list injects nothing; "
        "leave the key out to run the tests unchanged"
    ]
    with pytest.raises(UserError) as err:
        build_config({"faults": ["capability-servr"]}, "pyproject.toml", str(tmp_path))
    assert 'did you mean "capability-server"?' in err.value.messages[0]
