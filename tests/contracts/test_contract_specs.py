"""Contract specs: a path, a configured contract's name or a builtin's name, resolved
one way everywhere.

The project here is a consumer whose pyproject.toml lists its own contract by path
(``contracts = ["contracts/inventory.toml"]``), a contract named ``inventory-service``.
"""

from __future__ import annotations

import os

import pytest
from clirun import invoke
from exampleclient import tried_installed

from contractlint.config import load_config
from contractlint.contracts import (
    Configured,
    builtin_names,
    builtin_path,
    load_contracts,
    spec_problem,
)
from contractlint.errors import UserError

INVENTORY = """\
version = 1

[contract]
name = "{name}"
summary = "Stock levels"
owner = "inventory-team"

[errors]
"inventory.InventoryError" = ["Exception"]

[[calls]]
match = ["inventory.Client.stock"]
raises = ["inventory.InventoryError"]
policy = "fail-open"
fallback = "0"
"""

APP = """\
import inventory


def shown_stock(item):
    return inventory.Client().stock(item)
"""

BUILTINS = ", ".join(builtin_names())


@pytest.fixture
def shop(tmp_path):
    """A consumer project: pyproject.toml, contracts/inventory.toml, shop/app.py with an
    unguarded call."""
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "inventory.toml").write_text(
        INVENTORY.format(name="inventory-service")
    )
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "app.py").write_text(APP)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.contractlint]\ncontracts = ["contracts/inventory.toml"]\n'
    )
    return tmp_path


def _configured(root, *specs: str) -> Configured:
    return Configured(str(root), specs or ("contracts/inventory.toml",))


def test_a_configured_contract_is_known_by_its_name_its_path_read_from_the_configuration(
    shop, monkeypatch
):
    monkeypatch.chdir(shop / "shop")  # the configured path is the configuration's, not the cwd's
    (contract,) = load_contracts(["inventory-service"], ".", _configured(shop))
    assert contract.name == "inventory-service" and not contract.builtin
    assert contract.source == str(shop / "contracts" / "inventory.toml")
    # Builtins are still known by their name beside it.
    assert [c.name for c in load_contracts(["requests"], ".", _configured(shop))] == ["requests"]


def test_a_configured_contract_wins_over_the_builtin_of_its_name(tmp_path):
    (tmp_path / "requests.toml").write_text(INVENTORY.format(name="requests"))
    (builtin,) = load_contracts(["requests"])
    assert builtin.builtin and builtin.source == builtin_path("requests")
    (own,) = load_contracts(["requests"], ".", _configured(tmp_path, "requests.toml"))
    assert not own.builtin and own.source == str(tmp_path / "requests.toml")


def test_an_unknown_name_is_one_line_naming_what_was_tried(shop):
    with pytest.raises(UserError) as err:
        load_contracts(
            ["inventory-servce"], ".", _configured(shop, "requests", "contracts/inventory.toml")
        )
    assert err.value.messages == [
        'unknown contract "inventory-servce": not a configured contract (inventory-service), '
        f"a builtin contract ({BUILTINS}){tried_installed()} nor a .toml path; did you "
        'mean "inventory-service"?'
    ]
    # Nothing configured by path: the builtins alone were tried, and the message says only that.
    with pytest.raises(UserError) as err:
        load_contracts(["inventory-service"], ".", _configured(shop, "requests"))
    assert err.value.messages == [
        'unknown contract "inventory-service": not a builtin contract '
        f"({BUILTINS}){tried_installed()} "
        "nor a .toml path"
    ]


def test_a_configured_contract_that_cannot_be_read_is_reported_when_a_name_is_looked_up(shop):
    broken = shop / "contracts" / "broken.toml"
    broken.write_text(INVENTORY.format(name="broken").replace("version = 1", "version = 2"))
    configured = _configured(shop, "contracts/broken.toml", "contracts/inventory.toml")
    # Found before the broken one matters.
    assert load_contracts(["inventory-service"], ".", configured)[0].name == "inventory-service"
    # Not found among the readable ones: the broken one might be it (and would win), so
    # it is reported.
    with pytest.raises(UserError) as err:
        load_contracts(["requests"], ".", configured)
    assert err.value.messages == [
        f"{broken}:1: version: unsupported contract version 2; this contractlint reads version 1"
    ]
    # The configuration's own check leaves it to loading: no second message about the same file.
    assert spec_problem("requests", str(shop), configured) is None
    assert spec_problem("no-such", str(shop), _configured(shop)).startswith(
        'unknown contract "no-such"'
    )


def test_the_faults_setting_may_name_a_configured_contract(shop):
    pyproject = shop / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'faults = ["inventory-service"]\n')
    assert load_config(str(pyproject)).faults == ("inventory-service",)
    pyproject.write_text(
        pyproject.read_text().replace('["inventory-service"]', '["inventory-servic"]')
    )
    with pytest.raises(UserError) as err:
        load_config(str(pyproject))
    assert err.value.messages == [
        f'{pyproject}:3: [tool.contractlint].faults[1]: unknown contract "inventory-servic": not a '
        "configured contract (inventory-service), a builtin contract "
        f"({BUILTINS}){tried_installed()} "
        "nor a .toml path; "
        'did you mean "inventory-service"?'
    ]


# --- the command line ---------------------------------------------------------------------------


@pytest.mark.parametrize("cwd", [".", "shop"])
def test_check_takes_a_configured_contract_by_name_from_the_project_or_a_subfolder(shop, cwd):
    result = invoke("check", "--contract", "inventory-service", "--no-cache", ".", cwd=shop / cwd)
    assert result.exit_code == 1, result.stderr
    assert f"{os.path.join('shop', 'app.py') if cwd == '.' else 'app.py'}:5:" in result.stdout
    assert "[inventory-service]" in result.stdout
    listed = invoke("contracts", "--contract", "inventory-service", cwd=shop / cwd)
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.startswith(
        f"inventory-service ({shop / 'contracts' / 'inventory.toml'}) owner inventory-team"
    )


def test_a_contract_path_on_the_command_line_is_read_from_the_working_folder(shop):
    result = invoke("contracts", "--contract", "contracts/inventory.toml", cwd=shop / "shop")
    assert result.exit_code == 2
    assert (
        result.stderr == "contractlint: error: contracts/inventory.toml: contract file not found\n"
    )
    assert (
        invoke(
            "contracts", "--contract", "../contracts/inventory.toml", cwd=shop / "shop"
        ).exit_code
        == 0
    )


def test_an_unknown_contract_on_the_command_line_is_one_line_and_exit_2(shop):
    result = invoke("check", "--contract", "inventory", ".", cwd=shop)
    assert result.exit_code == 2
    assert result.stderr == (
        'contractlint: error: unknown contract "inventory": not a configured contract '
        "(inventory-service), a builtin contract "
        f"({BUILTINS}){tried_installed()} nor a .toml path; "
        'did you mean "inventory-service"?\n'
    )
    assert result.stdout == ""


def test_the_help_of_contract_says_where_paths_are_read_from():
    for command in ("check", "report", "contracts"):
        text = " ".join(invoke(command, "--help").stdout.split())
        assert (
            "A contract file (relative to the working folder), the name of a contract the " in text
        )
        assert "A configured contract wins over the others of its name." in text
