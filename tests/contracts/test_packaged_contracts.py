"""Contracts that installed distributions ship (entry points of ``contractlint.contracts``).

Each test installs a client the way an installer leaves it on disk, in a folder of its own put on
``sys.path`` (in this process) or ``PYTHONPATH`` (for a command run as a subprocess): a
``*.dist-info`` folder with METADATA and entry_points.txt beside the package, whose
``__init__.py`` raises, so that any import of it fails the test. The example client
(``examples/capability-client``), installed in editable mode by the test set-up, is the real thing.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from clirun import invoke
from exampleclient import CLIENT, CONTRACT

from contractlint.config import load_config
from contractlint.contracts import Configured, load_contracts, spec_problem
from contractlint.contracts.packaged import GROUP, installed
from contractlint.errors import UserError

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "contractlint" / "schemas"

BOOM_CONTRACT = """\
version = 1

[contract]
name = "{name}"
summary = "Boom lookups"
owner = "boom-team"

[errors]
"boom_client.BoomError" = ["Exception"]

[[calls]]
match = ["boom_client.Client.lookup"]
policy = "fail-open"
fallback = "None"
"""

APP = """\
from boom_client import Client


def shown(user):
    return Client().lookup(user)
"""

RAISES = 'raise RuntimeError("boom_client was imported")\n'
#: A client that imports: the pytest plugin injects its errors at run time, so it must.
WORKING = """\
class BoomError(Exception):
    pass


class Client:
    def lookup(self, user):
        return {"user": user}
"""


def install(
    site: Path,
    distribution: str = "boom-client",
    version: str = "2.3.0",
    entries: dict[str, str] | None = None,
    package: str = "boom_client",
    files: dict[str, str] | None = None,
    beside: bool = True,
    init: str = RAISES,
) -> Path:
    """A distribution as an installer leaves it in ``site``: its metadata folder, and (``beside``)
    its package. Returns the metadata folder."""
    entries = {"boom-service": f"{package}:contract.toml"} if entries is None else entries
    stem = distribution.replace("-", "_")
    meta = site / f"{stem}-{version}.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {version}\n\nA client.\n"
    )
    lines = [f"[{GROUP}]", *(f"{k} = {v}" for k, v in entries.items())]
    (meta / "entry_points.txt").write_text("[console_scripts]\nboom = x:y\n\n" + "\n".join(lines))
    if beside:
        write_package(site, package, files, init)
    return meta


def write_package(
    folder: Path, package: str = "boom_client", files: dict | None = None, init: str = RAISES
) -> None:
    files = {"contract.toml": BOOM_CONTRACT.format(name="boom-service")} if files is None else files
    (folder / package).mkdir(parents=True, exist_ok=True)
    (folder / package / "__init__.py").write_text(init)
    for name, text in files.items():
        (folder / package / name).write_text(text)


@pytest.fixture
def site(tmp_path, monkeypatch) -> Path:
    """A folder of installed distributions at the front of ``sys.path``."""
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def project(root: Path, config: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f"[tool.contractlint]\n{config}")
    (root / "app.py").write_text(APP)
    return root


def contractlint(cwd: Path, site: Path, *args: str) -> subprocess.CompletedProcess:
    """The command in a process of its own, with ``site`` on its path, as an installed client is."""
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [sys.executable, "-m", "contractlint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


# --- finding the contract -------------------------------------------------------------------------


def test_a_shipped_contract_is_found_and_loaded_by_its_name_without_importing_the_package(site):
    install(site)
    (contract,) = load_contracts(["boom-service"])
    assert contract.name == "boom-service"
    assert contract.source == str(site / "boom_client" / "contract.toml")
    assert contract.distribution == ("boom-client", "2.3.0")
    assert contract.version == "2.3.0" and contract.origin == "boom-client 2.3.0"
    assert not contract.builtin
    assert "boom_client" not in sys.modules


def test_check_gets_the_shipped_contracts_findings_and_never_imports_the_client(site, tmp_path):
    install(site)
    root = project(tmp_path / "app", 'contracts = ["boom-service"]\n')
    proc = contractlint(root, site, "check", ".", "-q")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("app.py:5:12: CL001 [boom-service] boom_client.Client.lookup()")
    listed = contractlint(root, site, "contracts")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == "boom-service (boom-client 2.3.0) owner boom-team"


def test_the_scan_finds_what_importlib_metadata_finds(site, tmp_path):
    """The distributions are read here without importing importlib.metadata (its import costs every
    run): both must agree, on this environment and on the shapes an installer leaves."""
    install(site)
    install(site, "two-clients", "1.0", {"alpha": "two:a.toml", "beta": "two.sub:b.toml"}, "two")
    install(site, "no-contracts", "1.0", {})  # the group's header alone
    (site / "plain-1.0.dist-info").mkdir()
    (site / "plain-1.0.dist-info" / "METADATA").write_text("Name: plain\nVersion: 1.0\n")
    egg = site / "old_client.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: old-client\nVersion: 0.9\n")
    (egg / "entry_points.txt").write_text(f"[{GROUP}]\nold-service = old_client:c.toml\n")
    # The same distribution later on the path is shadowed, as importlib.metadata shadows it.
    later = tmp_path / "later"
    install(later, version="1.0.0", entries={"stale-service": "boom_client:old.toml"})
    sys.path.append(str(later))
    try:
        ours = {(e.name, e.value, e.distribution, e.version) for e in installed()}
        theirs = {
            (ep.name, ep.value, dist.metadata["Name"], dist.version)
            for dist in _unique(importlib.metadata.distributions())
            for ep in dist.entry_points
            if ep.group == GROUP
        }
    finally:
        sys.path.remove(str(later))
    assert ours == theirs
    assert ("old-service", "old_client:c.toml", "old-client", "0.9") in ours
    assert ("capability-server", "capability_client:contract.toml") in {e[:2] for e in ours}
    assert not any(e[0] == "stale-service" for e in ours)
    if sys.version_info >= (3, 10):  # the newer API, which de-duplicates the same way
        grouped = importlib.metadata.entry_points(group=GROUP)
        assert {(ep.name, ep.value) for ep in grouped} >= {e[:2] for e in ours}


def _unique(distributions):
    """The first distribution of each name, as ``importlib.metadata.entry_points`` takes them."""
    seen = set()
    for dist in distributions:
        key = dist.metadata["Name"].lower().replace("-", "_")
        if key not in seen:
            seen.add(key)
            yield dist


def test_an_editable_install_whose_folder_is_on_the_path_is_found(site, tmp_path):
    """hatchling's editable install: a .pth file puts the project's folder on sys.path; nothing of
    the package is beside its metadata."""
    install(site, beside=False)
    checkout = tmp_path / "checkout"
    write_package(checkout)
    sys.path.append(str(checkout))
    try:
        (contract,) = load_contracts(["boom-service"])
    finally:
        sys.path.remove(str(checkout))
    assert contract.source == str(checkout / "boom_client" / "contract.toml")


def test_an_editable_install_through_an_import_hook_is_found_from_its_direct_url(site, tmp_path):
    """setuptools' editable install of a flat layout: the package is on no folder of sys.path; the
    project's folder is in direct_url.json (PEP 610). A src layout is looked for too."""
    meta = install(site, beside=False)
    checkout = tmp_path / "checkout with space"
    write_package(checkout / "src")
    (meta / "direct_url.json").write_text(
        json.dumps({"url": checkout.as_uri(), "dir_info": {"editable": True}})
    )
    (contract,) = load_contracts(["boom-service"])
    assert contract.source == str(checkout / "src" / "boom_client" / "contract.toml")
    assert "boom_client" not in sys.modules


def test_the_example_client_is_found_in_its_editable_install():
    (contract,) = load_contracts(["capability-server"])
    assert Path(contract.source) == CONTRACT
    assert contract.distribution == ("capability-client", "1.0.0")
    declared = (CLIENT / "pyproject.toml").read_text()
    assert 'capability-server = "capability_client:contract.toml"' in declared


# --- what is wrong with an entry -----------------------------------------------------------------


@pytest.mark.parametrize(
    "entries, files, message",
    [
        (
            None,
            {},
            'boom-client 2.3.0, entry point boom-service = "boom_client:contract.toml" in '
            "[contractlint.contracts]: the contract file is missing (looked for "
            "{site}/boom_client/contract.toml)",
        ),
        (
            None,
            {"contract.toml": BOOM_CONTRACT.format(name="boom").replace("fail-open", "open")},
            "boom-client 2.3.0 ships a contract that is not valid: "
            "{site}/boom_client/contract.toml:13: "
            '[[calls]][1].policy: expected "fail-open", "fail-closed" or "any", got "open"',
        ),
        (
            None,
            {"contract.toml": BOOM_CONTRACT.format(name="boom-svc")},
            'boom-client 2.3.0, entry point boom-service = "boom_client:contract.toml" in '
            "[contractlint.contracts]: {site}/boom_client/contract.toml is the "
            'contract "boom-svc": '
            "an entry point's name must be its contract's [contract].name",
        ),
        (
            {"boom-service": "boom_client/contract.toml"},
            None,
            'boom-client 2.3.0, entry point boom-service = "boom_client/contract.toml" in '
            '[contractlint.contracts]: expected "package:file.toml", a file in the folder of an '
            "importable package",
        ),
        (
            {"boom-service": "no_such_package:contract.toml"},
            None,
            'boom-client 2.3.0, entry point boom-service = "no_such_package:contract.toml" in '
            "[contractlint.contracts]: no package no_such_package is installed "
            "(nothing was imported)",
        ),
    ],
    ids=["missing file", "invalid contract", "another name", "not package:file", "no package"],
)
def test_a_broken_entry_is_one_line_naming_the_distribution_and_exit_2(
    site, tmp_path, entries, files, message
):
    install(site, entries=entries, files=files)
    root = project(tmp_path / "app", 'contracts = ["boom-service"]\n')
    result = invoke("check", ".", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == f"contractlint: error: {message.format(site=site)}\n"
    # The same, listing what is installed.
    listed = invoke("contracts", "--installed", cwd=root)
    assert listed.exit_code == 2 and message.format(site=site) in listed.stderr


def test_an_entry_that_is_not_asked_for_costs_nothing(site, tmp_path):
    install(site, files={})  # its file is missing
    root = project(tmp_path / "app", 'contracts = ["requests"]\n')
    assert invoke("check", ".", "-q", cwd=root).exit_code == 0


# --- two sources of one name -------------------------------------------------------------------


def test_two_distributions_of_one_name_are_an_error_naming_both(site, tmp_path):
    install(site)
    install(site, "boom-fork", "0.1", package="boom_fork")
    root = project(tmp_path / "app", 'contracts = ["boom-service"]\n')
    result = invoke("check", ".", cwd=root)
    assert result.exit_code == 2
    assert result.stderr == (
        f"contractlint: error: {root / 'pyproject.toml'}:2: [tool.contractlint].contracts[1]: "
        'contract "boom-service" has 2 sources: boom-client 2.3.0 (an entry point of '
        "[contractlint.contracts]) and boom-fork 0.1 (an entry point of [contractlint.contracts]); "
        "pick one in the configuration: [tool.contractlint.contract-sources] boom-service = "
        '"boom-client" or "boom-fork"\n'
    )
    # On the command line, without a configuration, the same words.
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "app.py").write_text(APP)
    result = invoke("check", "--contract", "boom-service", ".", cwd=bare)
    assert result.exit_code == 2 and 'contract "boom-service" has 2 sources' in result.stderr


def test_the_configuration_picks_one_source_and_the_pick_holds_everywhere(site, tmp_path):
    install(site)
    install(site, "boom-fork", "0.1", package="boom_fork")
    config = 'contracts = ["boom-service"]\ncontract-sources = { boom-service = "Boom_Fork" }\n'
    root = project(tmp_path / "app", config)
    assert invoke("check", ".", "-q", cwd=root).exit_code == 1
    listed = invoke("contracts", cwd=root)
    assert listed.stdout.splitlines()[0] == "boom-service (boom-fork 0.1) owner boom-team"
    settings = load_config(str(root / "pyproject.toml"))
    assert settings.contract_sources == (("boom-service", "Boom_Fork"),)
    picked = Configured(str(root), (), settings.contract_sources)
    (contract,) = load_contracts(["boom-service"], str(root), picked)
    assert contract.distribution == ("boom-fork", "0.1")
    assert spec_problem("boom-service", str(root), Configured(str(root))) is not None


def test_a_distribution_and_a_builtin_of_one_name_need_a_pick(site, tmp_path):
    requests_toml = (ROOT / "rules" / "requests.toml").read_text()
    install(site, "requests-guidance", "2.0.0", {"requests": "rq_guide:requests.toml"}, "rq_guide",
            files={"requests.toml": requests_toml})  # fmt: skip
    root = project(tmp_path / "app", "")
    result = invoke("check", ".", cwd=root)  # the default set holds requests
    assert result.exit_code == 2
    assert 'contract "requests" has 2 sources: builtin and requests-guidance 2.0.0' in result.stderr
    assert (
        '[tool.contractlint.contract-sources] requests = "contractlint" or "requests-guidance"'
        in (result.stderr)
    )
    for pick, origin in (
        ("contractlint", "builtin"),
        ("requests-guidance", "requests-guidance 2.0.0"),
    ):
        (root / "pyproject.toml").write_text(
            f'[tool.contractlint]\ncontract-sources = {{ requests = "{pick}" }}\n'
        )
        listed = invoke("contracts", cwd=root)
        assert listed.exit_code == 0, listed.stderr
        assert f"requests ({origin}) owner" in listed.stdout


def test_a_pick_must_name_a_distribution_that_ships_the_contract(site, tmp_path):
    install(site)
    root = project(
        tmp_path / "app",
        'contracts = ["boom-service"]\n'
        'contract-sources = { boom-service = "boom-fork", requests = 3 }\n',
    )
    result = invoke("check", ".", cwd=root)
    assert result.exit_code == 2
    pyproject = root / "pyproject.toml"
    assert result.stderr.splitlines() == [
        f"contractlint: error: {pyproject}:3: [tool.contractlint].contract-sources.boom-service: "
        '"boom-fork" ships no contract "boom-service"; its sources: '
        '"boom-client" (boom-client 2.3.0)',
        f"contractlint: error: {pyproject}:3: [tool.contractlint].contract-sources.requests: "
        'expected the name of the distribution that ships the contract ("contractlint" for the '
        "builtin one), got int 3",
    ]


def test_a_contract_the_configuration_lists_by_path_wins_without_a_pick(site, tmp_path):
    install(site)
    root = project(tmp_path / "app", 'contracts = ["own/boom.toml"]\nfaults = ["boom-service"]\n')
    (root / "own").mkdir()
    (root / "own" / "boom.toml").write_text(BOOM_CONTRACT.format(name="boom-service"))
    settings = load_config(str(root / "pyproject.toml"))
    folder = str(root)
    (contract,) = load_contracts(
        ["boom-service"], folder, Configured(folder, settings.faults + ("own/boom.toml",))
    )
    assert contract.source == str(root / "own" / "boom.toml") and contract.distribution is None


# --- source and version in what a run records --------------------------------------------------


def test_reports_record_each_contracts_source_and_version(site, tmp_path):
    install(site)
    root = project(tmp_path / "app", 'contracts = ["boom-service", "requests", "own.toml"]\n')
    (root / "own.toml").write_text(
        BOOM_CONTRACT.format(name="own").replace(
            'owner = "boom-team"', 'owner = "x"\nversion = "7"'
        )
    )
    (root / "plain.toml").write_text(BOOM_CONTRACT.format(name="plain"))
    import contractlint

    expected = [
        (
            "boom-service",
            {"kind": "distribution", "name": "boom-client", "version": "2.3.0"},
            "2.3.0",
        ),
        ("requests", {"kind": "builtin"}, contractlint.__version__),
        ("own", {"kind": "path", "path": "own.toml"}, "7"),
    ]
    check = json.loads(invoke("check", ".", "--format", "json", cwd=root).stdout)
    jsonschema.Draft202012Validator(
        json.loads((SCHEMAS / "report-v1.schema.json").read_text())
    ).validate(check)
    assert [(c["name"], c["source"], c["version"]) for c in check["contracts"]] == expected
    inventory = json.loads(invoke("report", ".", "--format", "json", cwd=root).stdout)
    schema = json.loads((SCHEMAS / "inventory-v2.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(inventory)
    assert [(c["name"], c["source"], c["version"]) for c in inventory["contracts"]] == expected
    listed = invoke("contracts", "--contract", "plain.toml", "--contract", "own", cwd=root)
    assert [line for line in listed.stdout.splitlines() if not line.startswith(" ")][:2] == [
        "plain (plain.toml) owner boom-team",
        f"own ({root / 'own.toml'}, version 7) owner x",
    ]


def test_contract_version_is_a_string(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        BOOM_CONTRACT.format(name="c").replace('owner = "boom-team"', 'owner = "t"\nversion = 2')
    )
    with pytest.raises(UserError) as err:
        load_contracts([str(path)])
    assert err.value.messages == [f"{path}:7: [contract].version: expected a string, got int 2"]


def test_the_faults_plugin_takes_a_shipped_contract_by_name(site, tmp_path):
    install(site, init=WORKING)
    root = project(tmp_path / "app", 'faults = ["boom-service"]\n')
    (root / "test_app.py").write_text(
        "from app import shown\n\ndef test_shown():\n    assert shown('a')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_app.py"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    # The plain run passes; under fault the unguarded lookup lets BoomError escape: a
    # failed fault run.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "contract faults: boom-service (boom-client 2.3.0); mode each" in proc.stdout
    assert "test_shown[fault:boom_client.BoomError@Client.lookup]" in proc.stdout
