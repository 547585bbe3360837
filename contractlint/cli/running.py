"""One run of the engine from the shared options: each project's configuration and contracts in
force, then a check (or the fixes) of the paths."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import click

from contractlint.config import (
    Config,
    check_codes,
    configured,
    find_pyproject,
    load_config,
    parse_target_version,
    split_codes,
)
from contractlint.contracts import default_names, load_contracts
from contractlint.errors import UserError
from contractlint.model import Contract

from .options import Selection, speed_settings


def setup(
    paths: Sequence[str],
    config_path: str | None,
    contract_specs: Sequence[str],
    quiet: bool = False,
) -> tuple[Config, list[Contract]]:
    source = config_path or find_pyproject(paths)
    config = load_config(source)
    return config, _contracts_for(config, contract_specs, quiet)


def _contracts_for(config: Config, contract_specs: Sequence[str], quiet: bool) -> list[Contract]:
    """The contracts ``config`` puts in force (``--contract`` replaces its set), with the project's
    own approved helpers; the note that the default set is used, unless ``quiet``."""
    known = configured(config)
    if contract_specs:
        # Paths typed on the command line are the shell's, read from here; names may be configured
        # ones.
        contracts = load_contracts(contract_specs, base_dir=".", configured=known)
    elif config.contracts is not None:
        contracts = load_contracts(config.contracts, base_dir=config.root, configured=known)
    else:
        names = default_names()
        if not quiet:
            click.echo(
                f"contractlint: no contracts configured; using the default builtin ones: "
                f"{', '.join(names)}",
                err=True,
            )
        contracts = load_contracts(names, configured=known)
    # The project's own helpers that handle a contract's errors ([tool.contractlint.approved.NAME]).
    return [
        c.approving(*config.approved[c.name]) if c.name in config.approved else c for c in contracts
    ]


def run(
    selection: Selection,
    quiet=False,
    changed=None,
    fixing: list | None = None,
    write: bool = True,
    only_changed_lines: bool = False,
    progress=None,
):
    """Load each project's configuration and contracts, check the paths ``selection`` names (only
    the ``changed`` files among them, when given), and return (the projects, the report).
    ``progress`` (``progress_line``) starts once the contracts are loaded."""
    paths, contract_specs, exclude = selection.checked, selection.contract_specs, selection.exclude
    config_path, today, baseline_path = (
        selection.config_path,
        selection.today,
        selection.baseline_path,
    )
    select, ignore = split_codes(selection.select), split_codes(selection.ignore)
    check_codes(select, "--select")
    check_codes(ignore, "--ignore")
    meta = click.get_current_context().meta
    gitignore = {  # --respect-gitignore/--no-respect-gitignore, --force-exclude
        key: meta[f"contractlint.{key}"]
        for key in ("respect_gitignore", "force_exclude")
        if meta.get(f"contractlint.{key}") is not None
    }
    target = click.get_current_context().meta.get("contractlint.target_version")
    version = parse_target_version(target) if target else None
    said: list[bool] = []

    def configure(config: Config) -> tuple[Config, list[Contract]]:
        if exclude:
            config = dataclasses.replace(config, exclude=(*config.exclude, *exclude))
        if version:
            config = dataclasses.replace(config, target_version=version)
        if gitignore:
            config = dataclasses.replace(config, **gitignore)
        # the note on the default set, once a run
        contracts = _contracts_for(config, contract_specs, quiet or bool(said))
        if config.contracts is None and not contract_specs:
            said.append(True)
        return config, contracts

    from contractlint.run.projects import Projects

    speed = speed_settings()
    projects = Projects(configure, forced=config_path, cache_dir=speed.pop("cache_dir"))
    projects.of(paths[0])  # its configuration's errors before any other
    missing = [p for p in paths if not _exists(p)]
    if missing:
        raise UserError([f"{p}: no such file or folder" for p in missing])
    if progress is not None:
        progress.start()
    if changed is not None:
        from contractlint.changes import select as select_changed

        paths = select_changed(changed, paths)
    entries = None
    if baseline_path:  # json and hashlib only then
        from contractlint import baseline

        entries = baseline.read(baseline_path)
    options = dict(
        select=select,
        ignore=ignore,
        today=today,
        baseline=entries,
        projects=projects,
        changes=changed,
        only_changed_lines=only_changed_lines,
        progress=progress,
        **speed,
    )
    if (
        fixing is not None
    ):  # --fix, --diff: one FileFix per file with a safe fix lands in ``fixing``
        from contractlint.engine import fix_paths

        report, files = fix_paths(paths, write=write, **options)
        fixing.extend(files)
        return projects, report
    from contractlint.engine import check_paths

    return projects, check_paths(paths, **options)


def common_root(projects) -> str:
    """The folder the paths of sarif and gitlab output are relative to: the folder of the
    configuration of the projects the run checked (the one they share)."""
    import os

    roots = sorted({os.path.abspath(p.config.root) for p in projects.used()}) or [os.getcwd()]
    try:
        return os.path.commonpath(roots)
    except ValueError:  # another drive on Windows
        return roots[0]


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)
