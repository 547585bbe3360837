"""The GitHub Action (``action.yml``): its shell steps run here as the Actions runner would run them,
``${{ }}`` expressions evaluated and the ``GITHUB_*`` files given."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from test_output_formats import parse_workflow_command, sarif_validator

ROOT = Path(__file__).resolve().parent.parent


def action_step_env(step: dict, inputs: dict, contractlint: str) -> dict[str, str]:
    """The step's ``env:`` with its ``${{ }}`` expressions evaluated as the Actions runner would."""
    values = {f"inputs.{k}": v for k, v in inputs.items()}
    values.update(
        {
            "github.base_ref": "",
            "github.action_path": str(ROOT),
            "steps.install.outputs.contractlint": contractlint,
        }
    )

    def evaluate(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], str(text))

    return {key: evaluate(value) for key, value in step.get("env", {}).items()}


def run_action(tmp_path: Path, **overrides: str):
    import subprocess
    import sys

    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    inputs["sarif-file"] = str(tmp_path / inputs["sarif-file"])  # not in the repository
    inputs.update(overrides)
    steps = {step["id"]: step for step in action["runs"]["steps"]}
    check = steps["check"]
    files = {name: tmp_path / name for name in ("output", "summary")}
    env = dict(os.environ)
    env.update(action_step_env(check, inputs, str(Path(sys.executable).with_name("contractlint"))))
    env.update(
        GITHUB_WORKSPACE=str(ROOT),
        GITHUB_OUTPUT=str(files["output"]),
        GITHUB_STEP_SUMMARY=str(files["summary"]),
        RUNNER_TEMP=str(tmp_path),
    )
    assert (
        "working-directory" not in check
    )  # it runs at the workspace root, whatever the project's folder
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", check["run"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    outputs = dict(line.split("=", 1) for line in files["output"].read_text().splitlines())
    summary = files["summary"].read_text() if files["summary"].exists() else ""
    return action, proc, outputs, summary


def test_the_action_is_a_composite_that_installs_contractlint_from_its_own_path():
    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    install = action["runs"]["steps"][0]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install --disable-pip-version-check --quiet "$ACTION_PATH"' in install["run"]
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        assert (
            "${{" not in step["run"]
        )  # inputs reach the scripts through env:, never spliced into the code


def test_the_action_annotates_writes_sarif_and_the_job_summary(tmp_path):
    sarif_path = tmp_path / "out" / "results.sarif"
    action, proc, outputs, summary = run_action(
        tmp_path, paths="examples/", **{"sarif-file": str(sarif_path)}
    )
    assert proc.returncode == 1, proc.stderr
    annotations = [parse_workflow_command(line) for line in proc.stdout.splitlines()]
    assert annotations and all(command == "error" for command, _, _ in annotations)
    assert {props["file"] for _, props, _ in annotations} >= {"examples/sticker_gallery/gallery.py"}
    assert outputs == {"sarif-file": str(sarif_path), "exit-code": "1"}
    log = json.loads(sarif_path.read_text())
    sarif_validator().validate(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert (
        "examples/sticker_gallery/gallery.py" in uris
    )  # relative to the repository: the workspace
    assert "| capability-server | stickers-sre |" in summary
    assert set(outputs) == set(action["outputs"])


def test_the_action_takes_paths_in_the_project_folder_and_reports_them_from_the_repository_root(
    tmp_path,
):
    _, proc, outputs, _ = run_action(
        tmp_path,
        paths="sticker_gallery banner_ads",
        **{"working-directory": "examples", "sarif-file": str(tmp_path / "x.sarif")},
    )
    assert proc.returncode == 1, proc.stderr
    files = {
        props["file"]
        for _, props, _ in (parse_workflow_command(ln) for ln in proc.stdout.splitlines())
    }
    assert files == {"examples/sticker_gallery/gallery.py", "examples/banner_ads/banners.py"}
    log = json.loads(Path(outputs["sarif-file"]).read_text())
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert uris == files


def test_the_action_can_let_the_job_pass_and_still_fails_on_usage_errors(tmp_path):
    _, proc, outputs, summary = run_action(
        tmp_path, paths="examples/", **{"exit-zero": "true", "summary": "false"}
    )
    assert proc.returncode == 0 and outputs["exit-code"] == "0"
    assert proc.stdout.startswith("::error ")
    assert summary == ""
    _, proc, outputs, _ = run_action(
        tmp_path, paths="examples/", args="--select CL07", **{"exit-zero": "true"}
    )
    assert proc.returncode == 2 and outputs["exit-code"] == "2"
    assert "contractlint: error: --select" in proc.stderr
