"""``[tool.contractlint]``: every problem reported with file, line and key; nothing
silently defaulted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clirun import runner
from contractfiles import assert_problems, mutate
from exampleclient import CONTRACT, tried_installed

from contractlint.cli import main
from contractlint.config import Config, build_config, find_pyproject, load_config
from contractlint.contracts import builtin_names, load_contracts
from contractlint.errors import UserError

# Line numbers in the cases below are those of this text.
PYPROJECT = """\
[project]
name = "sticker-app"

[tool.black]
line-length = 100

[tool.contractlint]
contracts = ["capability-server"]
exclude = ["migrations/"]
select = ["CL0"]
ignore = ["CL006"]

[tool.contractlint.per-file-ignores]
"tests/*" = ["CL001"]
"""

CALL = """\
from capability_client import CapabilityClient


def send_sticker(client: CapabilityClient, user, sticker):
    return client.check(user, sticker)
"""


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def config_problems(path: str) -> list[str]:
    with pytest.raises(UserError) as info:
        load_config(path)
    for message in info.value.messages:
        assert "\n" not in message, f"not one line: {message!r}"
    return info.value.messages


def test_valid_config(tmp_path):
    path = write(tmp_path / "pyproject.toml", PYPROJECT)
    config = load_config(path)
    assert config == Config(
        root=str(tmp_path),
        source=path,
        contracts=("capability-server",),
        include=("*.py",),
        exclude=("migrations/",),
        select=("CL0",),
        ignore=("CL006",),
        per_file_ignores={"tests/*": ("CL001",)},
    )


def test_config_without_contracts_uses_builtin_ones(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.contractlint]\nselect = ["ALL"]\n')
    config = load_config(path)
    assert config.contracts is None
    assert config.select == ("ALL",)


def test_no_config_file():
    config = load_config(None, root="somewhere")
    assert config.root == os.path.abspath("somewhere")
    assert config.source is None and config.contracts is None


BUILTIN_LIST = ", ".join(builtin_names())

# (description, mutated pyproject, expected [(line, substring)]): exactly these messages, no others.
CASES = [
    (
        "misspelt key suggests the close spelling",
        mutate(PYPROJECT, ('select = ["CL0"]', 'selct = ["CL0"]')),
        [(10, '[tool.contractlint].selct: unknown key "selct"; did you mean "select"?')],
    ),
    (
        "per_file_ignores with underscores",
        mutate(
            PYPROJECT,
            ("[tool.contractlint.per-file-ignores]", "[tool.contractlint.per_file_ignores]"),
        ),
        [
            (
                13,
                "[tool.contractlint].per_file_ignores: unknown key "
                '"per_file_ignores"; did you mean '
                '"per-file-ignores"?',
            )
        ],
    ),
    (
        "unknown key far from any known one lists them",
        mutate(PYPROJECT, ('ignore = ["CL006"]', 'ignore = ["CL006"]\nline-length = 100')),
        [
            (
                12,
                '[tool.contractlint].line-length: unknown key "line-length"; expected one '
                "of: contracts, include, "
                "exclude, select, ignore, per-file-ignores",
            )
        ],
    ),
    (
        "select is a string",
        mutate(PYPROJECT, ('select = ["CL0"]', 'select = "CL001"')),
        [(10, '[tool.contractlint].select: expected a list of strings, got "CL001"')],
    ),
    (
        "an item of select is a number",
        mutate(PYPROJECT, ('select = ["CL0"]', 'select = ["CL001", 2]')),
        [(10, "[tool.contractlint].select[2]: expected a string, got int 2")],
    ),
    (
        "exclude is a table",
        mutate(PYPROJECT, ('exclude = ["migrations/"]', 'exclude = {dir = "migrations"}')),
        [(9, "[tool.contractlint].exclude: expected a list of strings, got a table")],
    ),
    (
        "unknown code in select",
        mutate(PYPROJECT, ('select = ["CL0"]', 'select = ["CL0", "CL7"]')),
        [
            (
                10,
                '[tool.contractlint].select[2]: "CL7" is not a rule code, prefix or name (see '
                "`contractlint explain`)",
            )
        ],
    ),
    (
        "lowercase code in select suggests the code",
        mutate(PYPROJECT, ('select = ["CL0"]', 'select = ["cl001"]')),
        [
            (
                10,
                '[tool.contractlint].select[1]: "cl001" is not a rule code, prefix or name '
                "(see `contractlint explain`); "
                'did you mean "CL001"?',
            )
        ],
    ),
    (
        "empty code in select (it would select everything)",
        mutate(PYPROJECT, ('select = ["CL0"]', 'select = [""]')),
        [(10, '[tool.contractlint].select[1]: "" is not a rule code, prefix or name')],
    ),
    (
        "unknown code in ignore",
        mutate(PYPROJECT, ('ignore = ["CL006"]', 'ignore = ["E501"]')),
        [(11, '[tool.contractlint].ignore[1]: "E501" is not a rule code, prefix or name')],
    ),
    (
        "unknown code in per-file-ignores",
        mutate(PYPROJECT, ('"tests/*" = ["CL001"]', '"tests/*" = ["CL001", "CL0001"]')),
        [
            (
                14,
                '[tool.contractlint].per-file-ignores."tests/*"[2]: "CL0001" is not a '
                "rule code, prefix or name",
            )
        ],
    ),
    (
        "per-file-ignores codes are a string",
        mutate(PYPROJECT, ('"tests/*" = ["CL001"]', '"tests/*" = "CL001"')),
        [
            (
                14,
                '[tool.contractlint].per-file-ignores."tests/*": expected a list of '
                'rule codes, got "CL001"',
            )
        ],
    ),
    (
        "per-file-ignores is an array",
        mutate(
            PYPROJECT,
            ('[tool.contractlint.per-file-ignores]\n"tests/*" = ["CL001"]\n', ""),
            ('ignore = ["CL006"]', 'ignore = ["CL006"]\nper-file-ignores = ["tests/*"]'),
        ),
        [(12, "[tool.contractlint].per-file-ignores: expected a table, got an array")],
    ),
    (
        "per-file-ignores inline, with a bad code",
        mutate(
            PYPROJECT,
            ('[tool.contractlint.per-file-ignores]\n"tests/*" = ["CL001"]\n', ""),
            ('ignore = ["CL006"]', 'ignore = ["CL006"]\nper-file-ignores = {"tests/*" = ["XX1"]}'),
        ),
        [
            (
                12,
                '[tool.contractlint].per-file-ignores."tests/*"[1]: "XX1" is not a '
                "rule code, prefix or name",
            )
        ],
    ),
    (
        "empty contracts list",
        mutate(PYPROJECT, ('contracts = ["capability-server"]', "contracts = []")),
        [
            (
                8,
                "[tool.contractlint].contracts: an empty list checks nothing; leave the key "
                "out to use the builtin "
                "contracts",
            )
        ],
    ),
    (
        "contracts is a string",
        mutate(PYPROJECT, ('contracts = ["capability-server"]', 'contracts = "capability-server"')),
        [(8, '[tool.contractlint].contracts: expected a list of strings, got "capability-server"')],
    ),
    (
        "misspelt builtin contract",
        mutate(
            PYPROJECT, ('contracts = ["capability-server"]', 'contracts = ["capabilty-server"]')
        ),
        [
            (
                8,
                '[tool.contractlint].contracts[1]: unknown contract "capabilty-server": not a '
                f"builtin contract ({BUILTIN_LIST})"
                f'{tried_installed()} nor a .toml path; did you mean "capability-server"?',
            )
        ],
    ),
    (
        "contract file that does not exist",
        mutate(
            PYPROJECT,
            ('contracts = ["capability-server"]', 'contracts = ["contracts/missing.toml"]'),
        ),
        [
            (
                8,
                "[tool.contractlint].contracts[1]: contract file "
                '"contracts/missing.toml" not found (looked for ',
            )
        ],
    ),
    (
        "empty include list (it would silently mean *.py)",
        mutate(PYPROJECT, ('exclude = ["migrations/"]', 'exclude = ["migrations/"]\ninclude = []')),
        [(10, "[tool.contractlint].include: an empty list includes no file")],
    ),
    (
        "empty exclude pattern",
        mutate(PYPROJECT, ('exclude = ["migrations/"]', 'exclude = ["migrations/", " "]')),
        [(9, '[tool.contractlint].exclude[2]: " " matches no path')],
    ),
    (
        "[tool.contractlint] is not a table",
        "[tool]\ncontractlint = true\n",
        [(2, "[tool].contractlint: expected a table [tool.contractlint], got true")],
    ),
    (
        "tool is not a table",
        'tool = "contractlint"\n',
        [(1, 'tool: expected a table [tool], got "contractlint"')],
    ),
    (
        "several problems at once",
        mutate(
            PYPROJECT,
            ('contracts = ["capability-server"]', "contracts = []"),
            ('exclude = ["migrations/"]', 'exclud = ["migrations/"]'),
            ('select = ["CL0"]', 'select = ["CL0", "XYZ"]'),
            ('ignore = ["CL006"]', 'ignore = "CL006"'),
            ('"tests/*" = ["CL001"]', '"tests/*" = ["CL7"]'),
        ),
        [
            (9, '[tool.contractlint].exclud: unknown key "exclud"; did you mean "exclude"?'),
            (10, '[tool.contractlint].select[2]: "XYZ" is not a rule code, prefix or name'),
            (11, '[tool.contractlint].ignore: expected a list of strings, got "CL006"'),
            (
                14,
                '[tool.contractlint].per-file-ignores."tests/*"[1]: "CL7" is not a '
                "rule code, prefix or name",
            ),
            (8, "[tool.contractlint].contracts: an empty list checks nothing"),
        ],
    ),
]


@pytest.mark.parametrize("text, expected", [pytest.param(t, e, id=d) for d, t, e in CASES])
def test_config_problem(tmp_path, text, expected):
    path = write(tmp_path / "pyproject.toml", text)
    assert_problems(path, config_problems(path), expected)


def test_bad_toml_in_pyproject(tmp_path):
    path = write(
        tmp_path / "pyproject.toml", mutate(PYPROJECT, ('select = ["CL0"]', 'select = ["CL0"'))
    )
    assert config_problems(path) == [f"{path}:11:1: invalid TOML: Unclosed array"]


def test_a_date_that_does_not_exist_in_pyproject_names_the_key_and_the_date(tmp_path):
    """Another tool's table may hold dates: a bad one is reported like a contract's, not
    as tomllib's "Expected newline"."""
    path = write(
        tmp_path / "pyproject.toml",
        mutate(PYPROJECT, ("line-length = 100", "line-length = 100\nsince = 2026-13-01")),
    )
    assert config_problems(path) == [
        f"{path}:6:9: [tool.black].since: 2026-13-01 is not a date (month 13)"
    ]


def test_build_config_without_text_still_names_file_and_key():
    with pytest.raises(UserError) as info:
        build_config({"selct": ["CL001"], "ignore": ["nope"]}, "pyproject.toml", "/project")
    assert info.value.messages == [
        'pyproject.toml: [tool.contractlint].selct: unknown key "selct"; did you mean "select"?',
        'pyproject.toml: [tool.contractlint].ignore[1]: "nope" is not a rule code, prefix or name '
        "(see `contractlint explain`)",
    ]


def test_build_config_prefix_codes_and_all():
    config = build_config(
        {"select": ["ALL"], "ignore": ["CL00", "CL9"]}, "pyproject.toml", "/project"
    )
    assert config.select == ("ALL",) and config.ignore == ("CL00", "CL9")


# Finding the configuration.


def test_find_pyproject_walks_up_past_one_without_the_table(tmp_path):
    top = write(tmp_path / "repo" / "pyproject.toml", PYPROJECT)
    # A nested package with its own pyproject.toml, configuring other tools only, and
    # mentioning us in a comment.
    write(
        tmp_path / "repo" / "pkg" / "pyproject.toml",
        "# contractlint is configured in [tool.contractlint] of the top pyproject.toml\n"
        "[tool.black]\nline-length = 100\n",
    )
    nested = tmp_path / "repo" / "pkg" / "src" / "deep"
    nested.mkdir(parents=True)
    assert find_pyproject([str(nested)]) == top
    assert find_pyproject([str(tmp_path / "repo" / "pkg")]) == top
    # A file starts the search from its folder.
    assert find_pyproject([write(nested / "mod.py", "x = 1\n")]) == top


def test_find_pyproject_takes_the_nearest_configured_one(tmp_path):
    write(tmp_path / "pyproject.toml", PYPROJECT)
    inner = write(tmp_path / "sub" / "pyproject.toml", "[tool.contractlint]\n")
    assert find_pyproject([str(tmp_path / "sub")]) == inner


def test_find_pyproject_from_the_working_directory(tmp_path, monkeypatch):
    top = write(tmp_path / "pyproject.toml", PYPROJECT)
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert find_pyproject([]) == top
    assert find_pyproject(["."]) == top


def test_find_pyproject_none(tmp_path):
    if any((parent / "pyproject.toml").exists() for parent in tmp_path.parents):
        pytest.skip("a pyproject.toml above the temporary folder")
    write(tmp_path / "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert find_pyproject([str(tmp_path)]) is None


def test_find_pyproject_keeps_a_broken_one_that_names_us(tmp_path):
    """A typo in pyproject.toml must be reported, not make contractlint quietly run
    without its configuration."""
    path = write(tmp_path / "pyproject.toml", "[tool.contractlint]\nselect = [\n")
    assert find_pyproject([str(tmp_path)]) == path
    assert config_problems(path) == [
        f"{path}:3:1: invalid TOML: Invalid value at the end of the file"
    ]


# Relative contract paths.


def _project(tmp_path: Path) -> Path:
    """A project whose own contract (named "svc") lives in contracts/, configured by a
    relative path."""
    proj = tmp_path / "proj"
    shipped = CONTRACT.read_text(encoding="utf-8")
    write(
        proj / "contracts" / "svc.toml",
        mutate(shipped, ('name = "capability-server"', 'name = "svc"')),
    )
    write(
        proj / "pyproject.toml",
        '[tool.contractlint]\ncontracts = ["contracts/svc.toml"]\n\n'
        '[tool.contractlint.per-file-ignores]\n"tests/*" = ["CL001"]\n',
    )
    write(proj / "src" / "app.py", CALL)
    write(proj / "tests" / "test_app.py", CALL)
    write(proj / "src" / "tests" / "test_helpers.py", CALL)
    (tmp_path / "elsewhere").mkdir()
    return proj


def test_relative_contract_paths_resolve_from_the_pyproject_folder(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    monkeypatch.chdir(tmp_path / "elsewhere")
    config = load_config(str(proj / "pyproject.toml"))
    assert config.root == str(proj)
    assert config.contracts == ("contracts/svc.toml",)
    (contract,) = load_contracts(config.contracts, base_dir=config.root)
    assert contract.name == "svc"
    assert contract.source == str(proj / "contracts" / "svc.toml")


def test_relative_pyproject_path(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    config = load_config(os.path.join("proj", "pyproject.toml"))
    assert config.root == str(proj)


def _run(args: list[str]):
    result = runner().invoke(main, args)
    assert "Traceback" not in result.output
    assert not result.exception or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def _stderr(result) -> str:
    try:
        return result.stderr
    except ValueError:  # click < 8.2 without mix_stderr=False
        return result.output


def test_check_uses_the_configured_contract_from_another_directory(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = _run(["check", str(proj)])
    assert result.exit_code == 1, result.output
    # A path outside the working directory is shown as given (absolute), never as ../../...
    assert f"{(proj / 'src' / 'app.py').as_posix()}:5:12: CL001 [svc] " in result.stdout
    assert (
        f"{(proj / 'tests' / 'test_app.py').as_posix()}:" not in result.stdout
    )  # per-file-ignores applied
    assert "svc: 3 calls" in result.stdout
    assert "no contracts configured" not in _stderr(result)


def test_check_from_a_subfolder_finds_the_configuration(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    monkeypatch.chdir(proj / "src")
    result = _run(["check", "app.py"])
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("app.py:5:12: CL001 [svc] ")
    assert "svc: 1 call," in result.stdout


def test_check_with_explicit_config_from_elsewhere(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = _run(["check", "--config", str(proj / "pyproject.toml"), str(proj / "src" / "app.py")])
    assert result.exit_code == 1, result.output
    assert "CL001 [svc]" in result.stdout


def test_per_file_ignores_end_to_end(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    monkeypatch.chdir(proj)
    result = _run(["check"])
    assert result.exit_code == 1, result.output
    reported = sorted(
        {line.split(":")[0] for line in result.stdout.splitlines() if ": CL001 " in line}
    )
    # "tests/*" is anchored at the pyproject's folder: src/tests/ is not covered.
    assert reported == ["src/app.py", "src/tests/test_helpers.py"]
    assert "svc: 3 calls, 1 kept, 2 broken" in result.stdout


def test_per_file_ignores_for_every_file(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    write(
        proj / "pyproject.toml",
        '[tool.contractlint]\ncontracts = ["contracts/svc.toml"]\n'
        'per-file-ignores = {"*.py" = ["CL0"]}\n',
    )
    monkeypatch.chdir(proj)
    result = _run(["check"])
    assert result.exit_code == 0, result.output
    assert "CL001" not in result.stdout


def test_check_reports_a_broken_configuration(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    path = write(
        proj / "pyproject.toml",
        '[tool.contractlint]\ncontracts = ["contracts/svc.toml"]\n'
        'selct = ["CL001"]\nignore = ["cl001"]\n',
    )
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = _run(["check", str(proj)])
    assert result.exit_code == 2
    assert _stderr(result).splitlines() == [
        f"contractlint: error: {path}:3: [tool.contractlint].selct: unknown key "
        '"selct"; did you mean "select"?',
        f'contractlint: error: {path}:4: [tool.contractlint].ignore[1]: "cl001" is not a '
        "rule code, prefix or name "
        '(see `contractlint explain`); did you mean "CL001"?',
    ]
    assert result.stdout == ""


def test_check_reports_a_missing_configured_contract(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    (proj / "contracts" / "svc.toml").unlink()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = _run(["contracts", str(proj)])
    assert result.exit_code == 2
    (line,) = _stderr(result).splitlines()
    assert line.startswith(
        f"contractlint: error: {proj / 'pyproject.toml'}:2: [tool.contractlint].contracts[1]: "
        'contract file "contracts/svc.toml" not found'
    )


def test_bad_select_option(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run(["check", "--select", "CL001,XX9"])
    assert result.exit_code == 2
    assert _stderr(result).startswith(
        'contractlint: error: --select: "XX9" is not a rule code, prefix or name'
    )


def test_default_excludes_end_to_end(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    for folder in (".venv/lib", "build", "src/__pycache__"):
        write(proj / folder / "copy.py", CALL)
    monkeypatch.chdir(proj)
    result = _run(["check"])
    assert "copy.py" not in result.stdout
    assert "svc: 3 calls" in result.stdout


def test_configured_exclude_end_to_end(tmp_path, monkeypatch):
    proj = _project(tmp_path)
    write(
        proj / "pyproject.toml",
        '[tool.contractlint]\ncontracts = ["contracts/svc.toml"]\nexclude = ["src/"]\n',
    )
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = _run(["check", str(proj)])
    assert "src" not in result.stdout.split("svc:")[0]
    assert "svc: 1 call," in result.stdout


# -- hostile files: a precise message and exit 2, never the defaults in silence --------------------


def _one_error(tmp_path, monkeypatch, *args):
    (tmp_path / "a.py").write_text("import requests\n")
    monkeypatch.chdir(tmp_path)
    result = _run(["check", "--no-cache", *args])
    assert result.exit_code == 2
    lines = _stderr(result).splitlines()
    assert len(lines) == 1 and "Traceback" not in _stderr(result)
    return lines[0]


def test_pyproject_that_is_not_utf8(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_bytes(b'[tool.contractlint]\ncontracts = ["\xff"]\n')
    assert _one_error(tmp_path, monkeypatch, ".") == (
        f"contractlint: error: {tmp_path / 'pyproject.toml'}:2:15: not UTF-8 text (byte 34)"
    )


def test_folder_named_pyproject_toml(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").mkdir()
    assert _one_error(tmp_path, monkeypatch, ".") == (
        f"contractlint: error: {tmp_path / 'pyproject.toml'}: cannot read: Is a directory"
    )


def test_configured_contract_that_is_a_folder(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.contractlint]\ncontracts = ["rules.toml"]\n')
    (tmp_path / "rules.toml").mkdir()
    assert _one_error(tmp_path, monkeypatch, ".") == (
        f"contractlint: error: {tmp_path / 'pyproject.toml'}:2: "
        "[tool.contractlint].contracts[1]: contract file "
        f'"rules.toml" is a folder, not a file ({tmp_path / "rules.toml"})'
    )


def test_contract_option_that_is_a_folder(tmp_path, monkeypatch):
    (tmp_path / "rules.toml").mkdir()
    line = _one_error(tmp_path, monkeypatch, "--contract", "rules.toml", ".")
    assert line.startswith("contractlint: error: rules.toml") and (
        "folder" in line or "directory" in line.lower()
    )


def test_unreadable_pyproject_as_any_user(tmp_path, monkeypatch):
    """An open that fails is an error, not the defaults (monkeypatched: CI runs as root,
    whom chmod does not stop)."""
    import builtins

    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.contractlint]\ncontracts = ["requests"]\n')
    real = builtins.open

    def refuse(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", refuse)
    assert (
        _one_error(tmp_path, monkeypatch, ".")
        == f"contractlint: error: {path}: cannot read: Permission denied"
    )
