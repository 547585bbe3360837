"""The options several commands share (what to check, against what, on which day, how fast) and
the values they leave in the click context for the run to read back."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, fields

import click

from contractlint.config import TARGET_VERSIONS

#: ``--contract`` of every command that reads contracts: one spec, one resolution
#: (contracts/specs.py).
CONTRACT_HELP = (
    "A contract file (relative to the working folder), the name of a contract the configuration "
    "lists, a builtin contract name, or the name of a contract an installed package ships (see "
    "`contracts --installed`); repeatable. A configured contract wins over the others of its name. "
    "Replaces the configured set (without one: the default builtin set, see `contracts --builtin`)."
)


def _date(ctx, param, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-28") from None


@dataclass(frozen=True)
class Selection:
    """What ``check`` and ``report`` are asked about: the paths, the contracts, the rules, the
    excludes, the configuration, the day and the baseline (``selection_options``)."""

    paths: tuple[str, ...]
    contract_specs: tuple[str, ...]
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    exclude: tuple[str, ...]
    config_path: str | None
    today: dt.date | None
    baseline_path: str | None

    @property
    def checked(self) -> list[str]:
        """The paths to check: those given, else the current folder."""
        return list(self.paths) or ["."]


_SELECTION = [f.name for f in fields(Selection)]


def selection_options(command):
    """The options ``check`` and ``report`` share: what to check, against what, judged on which
    day; ``command`` takes their values as one ``selection`` (a ``Selection``)."""

    def given(callback):
        @functools.wraps(callback)
        def selected(**params):
            chosen = Selection(**{name: params.pop(name) for name in _SELECTION})
            return callback(selection=chosen, **params)

        return selected

    command = given(command)
    for option in reversed(
        [
            click.argument("paths", nargs=-1, type=click.Path()),
            click.option(
                "--contract",
                "contract_specs",
                multiple=True,
                metavar="PATH|NAME",
                help=CONTRACT_HELP,
            ),
            click.option(
                "--select",
                multiple=True,
                metavar="CODES",
                help="Only these rule codes, prefixes or names (comma-separated).",
            ),
            click.option(
                "--ignore",
                multiple=True,
                metavar="CODES",
                help="Skip these rule codes, prefixes or names (comma-separated).",
            ),
            click.option(
                "--exclude",
                multiple=True,
                metavar="GLOB",
                help="Skip files and folders matching this pattern; repeatable.",
            ),
            click.option(
                "--respect-gitignore/--no-respect-gitignore",
                default=None,
                callback=_remember,
                expose_value=False,
                help="Skip what git ignores: .gitignore files, .git/info/exclude and the global "
                "excludes file (default: on, or respect-gitignore in [tool.contractlint]).",
            ),
            click.option(
                "--force-exclude/--no-force-exclude",
                default=None,
                callback=_remember,
                expose_value=False,
                help="Skip files and folders named on the command line when git ignores them "
                "(--exclude applies to them always; default: off, or force-exclude).",
            ),
            click.option(
                "--config",
                "config_path",
                type=click.Path(dir_okay=False),
                metavar="FILE",
                help="The pyproject.toml whose configuration every project takes, instead of the "
                "nearest [tool.contractlint] table above each file's project.",
            ),
            click.option(
                "--today",
                callback=_date,
                metavar="YYYY-MM-DD",
                help="The date acceptances and contract reviews are judged by (default: today).",
            ),
            click.option(
                "--baseline",
                "baseline_path",
                type=click.Path(dir_okay=False),
                metavar="FILE",
                help="Report only findings not recorded in this baseline (see --write-baseline).",
            ),
            click.option(
                "--target-version",
                type=click.Choice(TARGET_VERSIONS),
                callback=_remember,
                expose_value=False,
                metavar="3.N",
                help="The oldest Python the checked code must run on: newer syntax cannot be "
                "parsed (default: the lower bound of requires-python in pyproject.toml, else any "
                "version).",
            ),
            *speed_options(),
        ]
    ):
        command = option(command)
    return command


def _remember(ctx, param, value):
    ctx.meta[f"contractlint.{param.name}"] = value


def speed_options():
    """--jobs, --cache-dir, --no-cache: how the work is done, never what is found (kept in
    ctx.meta)."""
    return [
        click.option(
            "-j",
            "--jobs",
            type=click.IntRange(min=1),
            callback=_remember,
            expose_value=False,
            metavar="N",
            help="Worker processes that parse files (default: the number of CPUs; 1: this process "
            "only).",
        ),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False),
            callback=_remember,
            expose_value=False,
            metavar="DIR",
            help="Where the cache lives: each parsed file's analysis, and each run's "
            "result over a folder (default: .contractlint_cache in the folder of pyproject.toml).",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            callback=_remember,
            expose_value=False,
            help="Neither read nor write the cache.",
        ),
    ]


def speed_settings() -> dict:
    """check_paths' jobs, and the cache folder of every project (``Projects``), from the options of
    the running command."""
    from contractlint.run.projects import BESIDE_CONFIG

    meta = click.get_current_context().meta
    jobs = meta.get("contractlint.jobs") or _cpu_count()
    cache_dir = (
        None
        if meta.get("contractlint.no_cache")
        else (meta.get("contractlint.cache_dir") or BESIDE_CONFIG)
    )
    return {"jobs": jobs, "cache_dir": cache_dir}


def _cpu_count() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1
