"""The GitHub Action (``action.yml``) and the CI snippets of the README.

The action's shell steps run here as the Actions runner would run them: ``${{ }}`` expressions
evaluated, the ``GITHUB_*`` files and variables given, each step's outputs read back the way the
runner reads them. What needs GitHub (actions/cache storing and restoring a folder) is played by
copying the folder the action names, onto a fresh copy of the tree.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from exampleclient import CLIENT
from formats import parse_workflow_command, sarif_validator

import contractlint

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = {step.get("id", step["name"]): step for step in ACTION["runs"]["steps"]}
#: What the runner sets for a push to main, unless a test says otherwise.
PUSH = {
    "RUNNER_OS": "Linux",
    "GITHUB_REF": "refs/heads/main",
    "GITHUB_BASE_REF": "",
    "GITHUB_SHA": "a" * 40,
}


def evaluate(text: str, values: dict[str, str]) -> str:
    """``${{ name }}`` replaced by its value; any other expression is not for these tests."""
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], str(text))


def read_outputs(path: Path) -> dict[str, str]:
    """A step's GITHUB_OUTPUT file as the runner reads it: ``name=value`` lines and
    ``name<<DELIMITER`` blocks."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    found: dict[str, str] = {}
    i = 0
    while i < len(lines):
        name, sep, value = lines[i].partition("=")
        if "<<" in name or not sep:
            name, _, delimiter = lines[i].partition("<<")
            end = lines.index(delimiter, i + 1)
            found[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        else:
            found[name] = value
            i += 1
    return found


def run_step(
    name: str, values: dict[str, str], workspace: Path, scratch: Path, env: dict[str, str]
) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    step = STEPS[name]
    scratch.mkdir(parents=True, exist_ok=True)
    output = scratch / f"{name}.output"
    full = dict(os.environ)
    full.update({key: evaluate(value, values) for key, value in step.get("env", {}).items()})
    full.update(
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_OUTPUT=str(output),
        GITHUB_STEP_SUMMARY=str(scratch / "summary"),
        RUNNER_TEMP=str(scratch),
    )
    full.update(env)
    assert "working-directory" not in step  # every step runs at the workspace root
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workspace,
        env=full,
        capture_output=True,
        text=True,
    )
    return proc, read_outputs(output)


def step_values(inputs: dict[str, str], env: dict[str, str]) -> dict[str, str]:
    """The expressions the steps use: the inputs, the github context, the install step's outputs."""
    values = {f"inputs.{k}": v for k, v in inputs.items()}
    values.update(
        {
            "github.base_ref": env["GITHUB_BASE_REF"],
            "github.action_path": str(ROOT),
            "steps.install.outputs.contractlint": str(
                Path(sys.executable).with_name("contractlint")
            ),
            "steps.install.outputs.python": sys.executable,
        }
    )
    return values


def action_inputs(scratch: Path, workspace: Path, overrides: dict[str, str]) -> dict[str, str]:
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs["sarif-file"] = str(scratch / inputs["sarif-file"])
    if workspace == ROOT:
        inputs["cache-dir"] = str(scratch / "cache")  # not in the repository
    inputs.update(overrides)
    return inputs


def cache_key(scratch: Path, workspace: Path, env=None, **overrides: str) -> dict[str, str]:
    """The outputs of the step that names the cache folder and its keys."""
    env = {**PUSH, **(env or {})}
    inputs = action_inputs(scratch, workspace, overrides)
    proc, outputs = run_step("cache-key", step_values(inputs, env), workspace, scratch, env)
    assert proc.returncode == 0, proc.stderr
    return outputs


class Run(NamedTuple):
    proc: subprocess.CompletedProcess
    outputs: dict[str, str]
    summary: str
    cache: dict[str, str]  # the outputs of the cache-key step


def run_action(scratch: Path, workspace: Path = ROOT, env=None, **overrides: str) -> Run:
    """The action's steps but install and actions/cache: the cache key, then the check."""
    env = {**PUSH, **(env or {})}
    inputs = action_inputs(scratch, workspace, overrides)
    values = step_values(inputs, env)
    proc, cache = run_step("cache-key", values, workspace, scratch, env)
    assert proc.returncode == 0, proc.stderr
    values.update({f"steps.cache-key.outputs.{k}": v for k, v in cache.items()})
    proc, outputs = run_step("check", values, workspace, scratch, env)
    summary = scratch / "summary"
    return Run(proc, outputs, summary.read_text() if summary.exists() else "", cache)


def annotated_files(proc: subprocess.CompletedProcess) -> set[str]:
    return {props["file"] for _, props, _ in map(parse_workflow_command, proc.stdout.splitlines())}


def test_the_action_is_a_composite_that_installs_contractlint_from_its_own_path():
    assert ACTION["runs"]["using"] == "composite"
    install = ACTION["runs"]["steps"][0]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --disable-pip-version-check --quiet "$ACTION_PATH"' in install["run"]
    for step in ACTION["runs"]["steps"]:
        if "uses" in step:  # other actions: a major version of GitHub's own
            assert re.fullmatch(r"actions/cache/(restore|save)@v\d+", step["uses"]), step
            continue
        assert step["shell"] == "bash"
        # inputs reach the scripts through env:, never spliced into the code
        assert "${{" not in step["run"]


@pytest.mark.network
def test_the_action_installs_the_client_packages_that_ship_the_projects_contracts(tmp_path):
    """The install step, run for real: contractlint from the action's folder and the
    example's client package from its own (from the package index in a workflow), in
    one virtual environment."""
    env = {**PUSH, "PIP_CACHE_DIR": str(ROOT / ".cache" / "pip")}
    inputs = action_inputs(tmp_path, ROOT, {"packages": str(CLIENT)})
    proc, outputs = run_step("install", step_values(inputs, env), ROOT, tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    listed = subprocess.run(
        [outputs["contractlint"], "contracts", "--installed"], capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(
        "capability-server (capability-client 1.0.0) owner stickers-sre"
    )


def test_the_action_annotates_writes_sarif_and_the_job_summary(tmp_path):
    sarif_path = tmp_path / "out" / "results.sarif"
    run = run_action(tmp_path, paths="examples/", **{"sarif-file": str(sarif_path)})
    assert run.proc.returncode == 1, run.proc.stderr
    annotations = [parse_workflow_command(line) for line in run.proc.stdout.splitlines()]
    assert annotations and all(command == "error" for command, _, _ in annotations)
    assert annotated_files(run.proc) >= {"examples/sticker_gallery/gallery.py"}
    assert run.outputs == {"sarif-file": str(sarif_path), "exit-code": "1", "save-cache": "true"}
    log = json.loads(sarif_path.read_text())
    sarif_validator().validate(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert (
        "examples/sticker_gallery/gallery.py" in uris
    )  # relative to the repository: the workspace
    assert "| capability-server | stickers-sre |" in run.summary
    assert set(ACTION["outputs"]) <= set(run.outputs)


def test_the_action_takes_paths_in_the_project_folder_and_reports_them_from_the_repository_root(
    tmp_path,
):
    run = run_action(
        tmp_path,
        paths="sticker_gallery banner_ads",
        **{"working-directory": "examples", "sarif-file": str(tmp_path / "x.sarif")},
    )
    assert run.proc.returncode == 1, run.proc.stderr
    files = annotated_files(run.proc)
    assert files == {"examples/sticker_gallery/gallery.py", "examples/banner_ads/banners.py"}
    log = json.loads(Path(run.outputs["sarif-file"]).read_text())
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == files


def test_the_action_can_let_the_job_pass_and_still_fails_on_usage_errors(tmp_path):
    run = run_action(tmp_path, paths="examples/", **{"exit-zero": "true", "summary": "false"})
    assert run.proc.returncode == 0 and run.outputs["exit-code"] == "0"
    assert run.proc.stdout.startswith("::error ")
    assert run.summary == ""
    run = run_action(
        tmp_path / "2", paths="examples/", args="--select CL07", **{"exit-zero": "true"}
    )
    assert run.proc.returncode == 2 and run.outputs["exit-code"] == "2"
    assert "contractlint: error: --select" in run.proc.stderr
    assert "save-cache" not in run.outputs  # nothing worth keeping


# --- the cache between workflow runs --------------------------------------------------------------


def test_actions_cache_keeps_the_folder_the_check_passes_as_cache_dir():
    restore, check, save = STEPS["restore"], STEPS["check"], STEPS["Save the cache"]
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    # one folder, named once: what is restored is what contractlint reads and writes, and is saved
    folder = "${{ steps.cache-key.outputs.dir }}"
    assert restore["with"]["path"] == save["with"]["path"] == check["env"]["CL_CACHE_DIR"] == folder
    assert '--cache-dir "$CL_CACHE_DIR"' in check["run"]
    # after the user's args: theirs cannot send contractlint to another folder than the one cached
    assert check["run"].index('"${args[@]}"') < check["run"].index('--cache-dir "$CL_CACHE_DIR"')
    assert restore["with"]["key"] == save["with"]["key"] == "${{ steps.cache-key.outputs.key }}"
    assert restore["with"]["restore-keys"] == "${{ steps.cache-key.outputs.restore-keys }}"
    assert (
        list(STEPS).index("restore")
        < list(STEPS).index("check")
        < list(STEPS).index("Save the cache")
    )
    # saved when the check fails the job too (findings), never on an exact hit (keys are immutable)
    condition = save["if"]
    for part in (
        "!cancelled()",
        "inputs.cache == 'true'",
        "steps.check.outputs.save-cache == 'true'",
        "steps.restore.outputs.cache-hit != 'true'",
    ):
        assert part in condition
    assert "inputs.cache == 'true'" in restore["if"]
    assert ACTION["inputs"]["cache"]["default"] == "true"


def checkout(workspace: Path) -> None:
    """A fresh checkout of the examples: new files, new inodes and times, the same bytes."""
    shutil.rmtree(workspace, ignore_errors=True)
    shutil.copytree(
        ROOT / "examples",
        workspace / "examples",
        ignore=shutil.ignore_patterns(".contractlint_cache", "__pycache__"),
    )


@pytest.fixture
def no_parsing(tmp_path) -> dict[str, str]:
    """An environment in which contractlint cannot analyse a file with findings: any import of
    libcst, which writes their recommended handling, fails."""
    fake = tmp_path / "no-parsing" / "libcst"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("libcst imported: a file was parsed")\n')
    return {"PYTHONPATH": str(fake.parent)}


def test_a_second_run_on_a_fresh_checkout_answers_from_the_cache_it_restored(tmp_path, no_parsing):
    workspace = tmp_path / "workspace"
    checkout(workspace)
    # a folder of the user's choice (relative to working-directory), not contractlint's default
    inputs = {"working-directory": "examples", "paths": ".", "cache-dir": "../.ci/contractlint"}
    first = run_action(tmp_path / "1", workspace, **inputs)
    assert first.proc.returncode == 1, first.proc.stderr
    assert first.cache["dir"] == ".ci/contractlint"  # relative to the workspace, where it runs
    assert not (workspace / "examples" / ".contractlint_cache").exists()
    folder = workspace / first.cache["dir"]
    assert len(list((folder / "runs").iterdir())) == 1  # the whole run's entry, and the files'
    assert any((folder / "v1").rglob("*"))
    assert first.outputs["save-cache"] == "true"

    # actions/cache/save keeps the folder; the next workflow run checks out the tree anew and
    # actions/cache/restore puts the folder back, found by a restore key of the same branch
    saved = tmp_path / "saved"
    shutil.copytree(folder, saved)
    checkout(workspace)
    shutil.copytree(saved, folder)
    later = {"GITHUB_SHA": "b" * 40}
    second = run_action(tmp_path / "2", workspace, env={**later, **no_parsing}, **inputs)
    assert first.cache["key"].startswith(second.cache["restore-keys"].splitlines()[0])
    assert first.cache["key"] != second.cache["key"]  # a new commit: saved under a new key
    assert second.proc.returncode == 1, second.proc.stderr
    assert second.proc.stdout == first.proc.stdout and second.summary == first.summary
    sarif = [
        json.loads(Path(r.outputs["sarif-file"]).read_text())["runs"][0] for r in (first, second)
    ]
    assert sarif[0]["results"] == sarif[1]["results"]

    # the whole run's entry alone answers: without the files' entries, still nothing is parsed
    shutil.rmtree(folder / "v1")
    third = run_action(tmp_path / "3", workspace, env={**later, **no_parsing}, **inputs)
    assert third.proc.returncode == 1, third.proc.stderr
    assert third.proc.stdout == first.proc.stdout

    # and without a cache the same environment cannot run: what the warm runs did not do, parse
    cold = run_action(
        tmp_path / "4", workspace, env=no_parsing, args="--no-cache --jobs 1", **inputs
    )
    assert "libcst imported: a file was parsed" in cold.proc.stdout + cold.proc.stderr
    assert cold.proc.stdout != first.proc.stdout


@pytest.fixture(params=["git", "plain"])
def repository(request, tmp_path) -> tuple[Path, Path]:
    """A workspace holding the examples, and a TOML file that is not the project's: in a git
    checkout, one git ignores; in plain files, one in a hidden folder."""
    workspace = tmp_path / "workspace"
    checkout(workspace)
    if request.param == "git":
        subprocess.run(["git", "init", "-q", str(workspace)], check=True)
        (workspace / ".gitignore").write_text("build/\n")
        ignored = workspace / "build" / "generated.toml"
    else:
        ignored = workspace / ".venv" / "lib" / "pyproject.toml"
    ignored.parent.mkdir(parents=True)
    ignored.write_text("[tool.contractlint]\n")
    return workspace, ignored


def test_the_cache_key_names_the_tool_the_configuration_and_the_branch(tmp_path, repository):
    workspace, ignored = repository

    def key(env=None, **inputs):
        return cache_key(tmp_path / "scratch", workspace, env=env, **inputs)

    def edit(path: Path, text: str) -> None:
        path.write_text(path.read_text() + text)

    first = key()
    assert first["dir"] == ".contractlint_cache"
    # contractlint-<os>-<version>-<tool>-<configuration>-<ref>-<sha>
    assert first["key"].startswith(f"contractlint-Linux-{contractlint.__version__}-")
    assert first["key"].endswith("-refs/heads/main-" + "a" * 40)
    prefix = first["key"][: -len("refs/heads/main-" + "a" * 40)]
    # from the most specific to the most general: the branch, then any branch
    assert first["restore-keys"].splitlines() == [prefix + "refs/heads/main-", prefix]
    assert key() == first  # the same tree and tool: the same key

    examples = workspace / "examples"
    edit(examples / "sticker_gallery" / "gallery.py", "\n# a change to the code\n")
    edit(ignored, "# not the project's\n")
    assert key() == first  # the cache itself tells changed files from unchanged ones

    def configuration(found: dict[str, str]) -> str:
        return found["key"].split("-")[4]

    changed = {}
    edit(examples / "contracts" / "profile-service.toml", "\n# a contract\n")
    changed["contract"] = key()
    edit(examples / "pyproject.toml", "\n# the configuration\n")
    changed["configuration"] = key()
    changed["args"] = key(args="--select CL001")
    changed["paths"] = key(paths="sticker_gallery")
    seen = {configuration(first)}
    for what, found in changed.items():
        assert found["key"].startswith(f"contractlint-Linux-{contractlint.__version__}-"), what
        assert configuration(found) not in seen, what
        seen.add(configuration(found))

    # another contractlint (an edited copy imported first): another tool part
    copy = tmp_path / "other" / "contractlint"
    shutil.copytree(
        Path(contractlint.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__")
    )
    edit(copy / "engine.py", "\n# another tool\n")
    other = key(env={"PYTHONPATH": str(copy.parent)})
    assert other["key"].split("-")[3] != key()["key"].split("-")[3]

    # a pull request: its own ref, then its base branch, then any branch of this configuration
    request = key(env={"GITHUB_REF": "refs/pull/7/merge", "GITHUB_BASE_REF": "main"})
    base = key()
    restore = request["restore-keys"].splitlines()
    assert request["key"].startswith(restore[0]) and restore[0].endswith("refs/pull/7/merge-")
    assert base["key"].startswith(restore[1])  # the base branch's newest cache
    assert restore[2] == base["restore-keys"].splitlines()[-1]
    for found in (first, request, other):
        assert "," not in found["key"] and len(found["key"]) <= 512  # what actions/cache accepts


# --- the README's CI snippets ---------------------------------------------------------------------


def readme_yaml() -> list:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_the_readme_yaml_snippets_are_valid_and_the_gitlab_job_keeps_the_cache_it_names():
    snippets = readme_yaml()
    (job,) = [s["contractlint"] for s in snippets if isinstance(s, dict) and "contractlint" in s]
    cache = job["cache"]
    (folder,) = cache["paths"]
    script = " ".join(job["script"])
    assert f"--cache-dir {folder.rstrip('/')}" in script
    assert cache["when"] == "always"  # findings fail the job: keep what it analysed anyway
    assert "pyproject.toml" in cache["key"]["files"] and len(cache["key"]["files"]) <= 2
    # the tool's version: the one installed
    assert job["variables"]["CONTRACTLINT_VERSION"]
    assert "$CONTRACTLINT_VERSION" in cache["key"]["prefix"]
    assert 'pip install "contractlint==$CONTRACTLINT_VERSION"' in job["script"]
    (workflow,) = [s for s in snippets if isinstance(s, dict) and "jobs" in s]
    (uses,) = [
        step
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("uses", "").startswith("contractlint/contractlint@")
    ]
    assert set(uses["with"]) <= set(ACTION["inputs"])
