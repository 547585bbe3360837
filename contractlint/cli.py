"""Command line: parse options, call the engine, pick a formatter, set the exit status.

Exit status: 0 no error findings, 1 error findings, 2 usage, configuration or contract error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from typing import List, Optional, Sequence, Tuple

import click

from contractlint import __version__
from contractlint.config import Config, check_codes, find_pyproject, load_config, split_codes
from contractlint.contracts import builtin_names, load_contracts
from contractlint.errors import UserError
from contractlint.model import RULES, Contract, rule_by_code
from contractlint.output import FORMATS, OutputOptions


def _fail(exc: UserError) -> None:
    for message in exc.messages:
        click.echo(f"contractlint: error: {message}", err=True)
    sys.exit(2)


def _setup(paths: Sequence[str], config_path: Optional[str], contract_specs: Sequence[str],
           quiet: bool = False) -> Tuple[Config, List[Contract]]:
    source = config_path or find_pyproject(paths)
    config = load_config(source)
    if contract_specs:
        contracts = load_contracts(contract_specs, base_dir=".")
    elif config.contracts is not None:
        contracts = load_contracts(config.contracts, base_dir=config.root)
    else:
        names = builtin_names()
        if not quiet:
            click.echo(f"contractlint: no contracts configured; using the builtin ones: {', '.join(names)}", err=True)
        contracts = load_contracts(names)
    return config, contracts


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contractlint")
def main() -> None:
    """Check that every call to a backend service handles its failures the way the service's owners intend.

    A service team publishes a contract (a TOML file: which calls reach the service, what they
    raise, and whether callers must fail open with a fallback or fail closed); contractlint finds
    every such call in your code and checks its guard and its handler.
    """


def _date(ctx, param, value: Optional[str]) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-28") from None


def _selection_options(command):
    """The options ``check`` and ``report`` share: what to check, against what, judged on which day."""
    for option in reversed([
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--contract", "contract_specs", multiple=True, metavar="PATH|NAME",
                     help="A contract file or a builtin contract name; repeatable. Replaces the configured set."),
        click.option("--select", multiple=True, metavar="CODES",
                     help="Only these rule codes or prefixes (comma-separated)."),
        click.option("--ignore", multiple=True, metavar="CODES",
                     help="Skip these rule codes or prefixes (comma-separated)."),
        click.option("--exclude", multiple=True, metavar="GLOB",
                     help="Skip files and folders matching this pattern; repeatable."),
        click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
                     help="The pyproject.toml to read instead of searching upwards from the paths."),
        click.option("--today", callback=_date, metavar="YYYY-MM-DD",
                     help="The date acceptances and contract reviews are judged by (default: today)."),
        click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Report only findings not recorded in this baseline (see --write-baseline)."),
    ]):
        command = option(command)
    return command


def _run(paths, contract_specs, select, ignore, exclude, config_path, today, baseline_path, quiet=False,
         changed=None):
    """Load configuration and contracts, check ``paths`` (only the ``changed`` files among them, when
    given), and return (config, report)."""
    select, ignore = split_codes(select), split_codes(ignore)
    check_codes(select, "--select")
    check_codes(ignore, "--ignore")
    config, contracts = _setup(paths, config_path, contract_specs, quiet)
    if exclude:
        config = dataclasses.replace(config, exclude=(*config.exclude, *exclude))
    missing = [p for p in paths if not _exists(p)]
    if missing:
        raise UserError([f"{p}: no such file or folder" for p in missing])
    from contractlint import baseline
    from contractlint.engine import check_paths

    entries = baseline.read(baseline_path) if baseline_path else None
    report = check_paths(paths, config, contracts, select=select, ignore=ignore, today=today, baseline=entries)
    return config, report


@main.command()
@_selection_options
@click.option("-q", "--quiet", is_flag=True, help="Print the findings only: no recommended handling, no summary.")
@click.option("--format", "formats", multiple=True, type=click.Choice(sorted(FORMATS)), metavar="FORMAT",
              help=f"Output format: {', '.join(sorted(FORMATS))} (default: text). Repeatable, paired in order with --output.")
@click.option("--output", "outputs", multiple=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the output of the matching --format to FILE instead of standard output.")
@click.option("--write-baseline", "write_baseline", type=click.Path(dir_okay=False), metavar="FILE",
              help="Record every current finding in FILE (sorted JSON) and exit 0: adopt the tool, then shrink it.")
def check(paths, contract_specs, select, ignore, exclude, config_path, today, baseline_path, quiet, formats,
          outputs, write_baseline) -> None:
    """Check PATHS (files or folders; default: the current folder) against the contracts in force.

    Prints `path:line:col: CODE [contract] message` for each finding, the recommended handling for
    that call, and a summary per contract. Exits 0 when no error is found, 1 when one is, and 2 on a
    usage, configuration or contract error.
    """
    paths = list(paths) or ["."]
    try:
        targets = _pair_outputs(formats, outputs)
        config, report = _run(paths, contract_specs, select, ignore, exclude, config_path, today, baseline_path,
                              quiet)
        if write_baseline:
            from contractlint import baseline

            baseline.write(write_baseline, baseline.entries(report.findings + report.baselined, config.relative))
            count = len(report.findings) + len(report.baselined)
            click.echo(f"contractlint: wrote {count} finding{'s' if count != 1 else ''} to {write_baseline}", err=True)
            sys.exit(0)
        for entry in report.baseline_gone:
            click.echo(f"contractlint: baseline entry no longer found: {entry.path} {entry.code} in "
                       f"{entry.scope or '<module>'} ({entry.callee or 'no call'}); remove it from {baseline_path}",
                       err=True)
        options = OutputOptions(quiet=quiet, root=config.root)
        for fmt, target in targets:
            _write(FORMATS[fmt](report, options), target)
    except UserError as exc:
        _fail(exc)
    sys.exit(1 if report.errors() else 0)


def _pair_outputs(formats: Sequence[str], outputs: Sequence[str]) -> List[Tuple[str, Optional[str]]]:
    """``--format`` and ``--output`` pair in order; a format without an output goes to standard output."""
    formats = list(formats) or ["text"]
    if len(outputs) > len(formats):
        raise UserError([f"--output {outputs[len(formats)]}: each --output needs a --format before it"])
    pairs = [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(formats)]
    if sum(1 for _, target in pairs if target is None) > 1:
        raise UserError(["only one --format can go to standard output; give the others an --output FILE"])
    return pairs


def _write(text: str, target: Optional[str]) -> None:
    if target is None:
        click.echo(text, nl=False)
        return
    try:
        with open(target, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise UserError([f"{target}: cannot write: {exc.strerror or exc}"]) from None


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)


@main.command()
@_selection_options
@click.option("--format", "fmt", type=click.Choice(["markdown", "json", "html"]), default="markdown",
              show_default=True, help="markdown fits a CI job summary or a pull-request comment; json has a "
              "versioned schema; html is one self-contained page.")
@click.option("--output", type=click.Path(dir_okay=False), metavar="FILE", help="Write the report to FILE.")
def report(paths, contract_specs, select, ignore, exclude, config_path, today, baseline_path, fmt, output) -> None:
    """The inventory for service owners and reviewers: every call site of each contract and its state.

    States: compliant, through an approved wrapper, accepted (with reason, owner and expiry),
    baselined, violating. Accepted risks are listed by expiry, expired first, with each contract's
    review date. Exits 0 (the report is for reading; `check` is the gate), 2 on a usage,
    configuration or contract error.
    """
    paths = list(paths) or ["."]
    try:
        _, result = _run(paths, contract_specs, select, ignore, exclude, config_path, today, baseline_path,
                         quiet=True)
        from contractlint.output.inventory import RENDERERS

        _write(RENDERERS[fmt](result, today or dt.date.today()), output)
    except UserError as exc:
        _fail(exc)


@main.command()
@click.argument("code", required=False)
def explain(code: Optional[str]) -> None:
    """Explain a rule (CL001 or unguarded-call): what it checks, why, an example and the fix.

    Without CODE, list every rule.
    """
    if code is None:
        for rule in RULES:
            click.echo(f"{rule.code}  {rule.name:<22} {rule.severity:<8} {rule.summary}")
        return
    rule = rule_by_code(code)
    if rule is None:
        click.echo(f"contractlint: error: unknown rule \"{code}\"; `contractlint explain` lists them", err=True)
        sys.exit(2)
    click.echo(rule.page(), nl=False)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--contract", "contract_specs", multiple=True, metavar="PATH|NAME",
              help="A contract file or a builtin contract name; repeatable. Replaces the configured set.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="The pyproject.toml to read instead of searching upwards.")
@click.option("--builtin", is_flag=True, help="List the builtin contracts that ship with contractlint.")
def contracts(paths, contract_specs, config_path, builtin) -> None:
    """List the contracts in force (for PATHS, default: here) and validate them.

    Exits 2 and names every problem, file and key, when a contract is not valid.
    """
    try:
        if builtin:
            found = load_contracts(builtin_names())
        else:
            _, found = _setup(list(paths) or ["."], config_path, contract_specs)
    except UserError as exc:
        _fail(exc)
    for contract in found:
        origin = "builtin" if contract.builtin else contract.source
        review = f", review by {contract.review_by.isoformat()}" if contract.review_by else ""
        click.echo(f"{contract.name} ({origin}) owner {contract.owner}{review}")
        click.echo(f"  {contract.summary}")
        for group in contract.calls:
            raises = ", ".join(group.raises)
            click.echo(f"  [[calls]][{group.index}] {group.policy}: {', '.join(group.match)} -> {raises}")
    click.echo(f"Contracts: {len(found)} valid.")
