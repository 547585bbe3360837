"""Which files and lines changed, asked of git: ``check --changed`` checks those files only.

CI on a pull request wants the files the branch touched, not the whole repository; pre-commit wants
the staged ones. The git plumbing is kept in :class:`Git` (one method per question, so tests can
drive a real temporary repository) and the parsing of git's output in plain functions.

The lines of a file count as changed when git's diff against the base adds or rewrites them; a pure
deletion changes no line that is still there. A file git does not track yet (and does not ignore)
is changed as a whole, unless only the staged changes are asked for.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from contractlint.errors import UserError
from contractlint.model import Finding, Report
from contractlint.run.names import display_path

#: Where ``--changed`` looks for the default branch when no ``--base`` is given, in this order.
DEFAULT_BASES = ("origin/HEAD", "main", "master", "origin/main", "origin/master")

#: Findings about a whole file that could not be checked (CL900 unparsable-file, CL901
#: analysis-cut-short, CL999 internal-error).
WHOLE_FILE_CODES = frozenset({"CL900", "CL901", "CL999"})

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_C_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


@dataclass(frozen=True)
class Changes:
    """The outcome of one question to git: each changed file (absolute, real path) -> its changed
    lines.

    ``None`` for a file means every line (a file git does not track yet).
    """

    #: What the files were compared with, for people: "the staged changes", "main (merge base
    #: 1a2b3c4)".
    against: str
    files: Mapping[str, frozenset[int] | None] = field(default_factory=dict)

    def paths(self) -> list[str]:
        return sorted(self.files)

    def touches(self, path: str, first: int, last: int) -> bool:
        """Whether any of the lines ``first``..``last`` of ``path`` changed."""
        key = _real(path)
        if key not in self.files:
            return False
        lines = self.files[key]
        return lines is None or any(first <= line <= last for line in lines)


def unquote(name: str) -> str:
    """A path as git prints it: C-quoted (``"a\\tb"``, octal bytes) when it holds unusual
    characters."""
    if len(name) < 2 or not (name.startswith('"') and name.endswith('"')):
        return name
    body = name[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 == len(body):
            out.extend(ch.encode("utf-8", "surrogateescape"))
            i += 1
            continue
        nxt = body[i + 1]
        if nxt in "01234567" and re.match(r"[0-7]{3}", body[i + 1 : i + 4]):
            out.append(int(body[i + 1 : i + 4], 8))
            i += 4
        elif nxt in _C_ESCAPES:
            out.append(_C_ESCAPES[nxt])
            i += 2
        else:
            out.extend(nxt.encode("utf-8", "surrogateescape"))
            i += 2
    return out.decode("utf-8", "surrogateescape")


def parse_diff(text: str) -> dict[str, frozenset[int]]:
    """``git diff -U0`` output -> each new-side path (relative to the repository) -> its added
    lines.

    A file that only lost lines, or was only renamed, maps to an empty set: it changed, no line of
    it did.
    """
    found: dict[str, set] = {}
    current: str | None = None
    in_header = False
    for line in text.splitlines():
        if line.startswith("diff --git "):
            current, in_header = None, True
        elif in_header and line.startswith("rename to "):
            current = unquote(line[len("rename to ") :])
            found.setdefault(current, set())
        elif in_header and line.startswith("+++ "):
            target = line[4:]
            if target.endswith("\t"):  # git ends a name that holds a space with a tab
                target = target[:-1]
            target = unquote(target)
            current = target[2:] if target.startswith("b/") else None
            if current is not None:
                found.setdefault(current, set())
        elif line.startswith("@@"):
            in_header = False
            match = _HUNK.match(line)
            if match and current is not None:
                start, count = int(match.group(1)), int(match.group(2) or "1")
                found[current].update(range(start, start + count))
    return {path: frozenset(lines) for path, lines in found.items()}


def split_nul(text: str) -> list[str]:
    return [name for name in text.split("\0") if name]


class Git:
    """Asks git in ``cwd``; every failure becomes a one-line :class:`UserError`."""

    def __init__(self, cwd: str = "."):
        self.cwd = cwd

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        try:
            proc = subprocess.run(
                ["git", "-c", "core.quotePath=false", *args],
                cwd=self.cwd,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="surrogateescape",
            )
        except FileNotFoundError:
            raise UserError(["--changed: git is not installed (or not on PATH)"]) from None
        if check and proc.returncode != 0:
            said = (proc.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise UserError([f"--changed: git {args[0]} failed: {said}"])
        return proc

    def toplevel(self) -> str:
        proc = self.run("rev-parse", "--show-toplevel", check=False)
        if proc.returncode != 0:
            raise UserError([f"--changed: {os.path.abspath(self.cwd)} is not in a git repository"])
        return proc.stdout.strip()

    def has_commit(self, ref: str) -> bool:
        return (
            self.run(
                "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False
            ).returncode
            == 0
        )

    def is_shallow(self) -> bool:
        return (
            self.run("rev-parse", "--is-shallow-repository", check=False).stdout.strip() == "true"
        )

    def merge_base(self, ref: str) -> str | None:
        proc = self.run("merge-base", ref, "HEAD", check=False)
        return (proc.stdout.strip() or None) if proc.returncode == 0 else None

    def diff(self, *args: str) -> str:
        return self.run(
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--diff-filter=d",
            "-U0",
            *args,
        ).stdout

    def untracked(self) -> list[str]:
        return split_nul(
            self.run("ls-files", "-z", "--others", "--exclude-standard", "--full-name", ":/").stdout
        )


def default_base(git: Git) -> str:
    """The default branch: what ``origin/HEAD`` points at, else the first of main, master, ... that
    exists.

    A single-branch clone (``git clone --depth 1 --branch feature``, as CI makes them) points
    ``origin/HEAD`` at the branch it cloned: that is not the default branch, and comparing with it
    would find nothing changed, so it is passed over.
    """
    proc = git.run("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False)
    target = proc.stdout.strip() if proc.returncode == 0 else ""
    current = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
    if target and git.has_commit(target) and target.split("/", 1)[-1] != current:
        return target
    for ref in DEFAULT_BASES[1:]:
        if git.has_commit(ref):
            return ref
    hint = (
        " (this is a shallow clone: fetch the base branch, e.g. actions/checkout with fetch-depth: "
        "0)"
        if git.is_shallow()
        else ""
    )
    raise UserError(
        [
            f"--changed: no default branch found (tried {', '.join(DEFAULT_BASES)}){hint}; name "
            "the base with --base REF"
        ]
    )


def changed(git: Git, base: str | None = None, staged: bool = False) -> Changes:
    """The files (and lines) that differ from the merge base of ``base`` and HEAD, or the staged
    ones.

    Comparing with the merge base, not with ``base`` itself, leaves out what the default branch
    changed since the branch left it: those are not this branch's changes.
    """
    top = git.toplevel()
    if staged:
        lines: dict[str, frozenset[int] | None] = dict(parse_diff(git.diff("--cached")))
        against = "the staged changes"
    else:
        ref = base or default_base(git)
        if not git.has_commit(ref):
            hint = (
                " (this is a shallow clone: fetch the base, e.g. actions/checkout with "
                "fetch-depth: 0, or git fetch origin <branch>)"
                if git.is_shallow()
                else ""
            )
            raise UserError(
                [f'--changed: the base "{ref}" is not a commit in this repository{hint}']
            )
        if not git.has_commit("HEAD"):
            raise UserError(["--changed: HEAD has no commit yet; use --staged"])
        point = git.merge_base(ref)
        if point is None:
            hint = (
                "; the history is shallow: fetch more of it (git fetch --unshallow, or "
                "actions/checkout with fetch-depth: 0)"
                if git.is_shallow()
                else ""
            )
            raise UserError([f'--changed: "{ref}" and HEAD have no common ancestor{hint}'])
        lines = dict(parse_diff(git.diff(point)))
        for name in git.untracked():
            lines[name] = None
        against = f"{ref} (merge base {point[:10]})"
    files = {_real(os.path.join(top, name)): value for name, value in lines.items()}
    return Changes(against=against, files=files)


def select(changes: Changes, paths: Sequence[str]) -> list[str]:
    """The changed files that exist and lie under one of ``paths`` (files or folders), as paths to
    check.

    The paths are given relative to the working directory when they lie below it, as ``check`` shows
    them.
    """
    roots = [_real(p) for p in paths]
    out = []
    for path in changes.paths():
        if not os.path.isfile(path):
            continue
        if any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
            out.append(display_path(path))
    return out


def restrict(report: Report, changes: Changes) -> Report:
    """Only the findings and calls on changed lines.

    A finding about a call counts from the first line of the statement that holds the call to the
    last line of the call. A finding about a whole file (it cannot be parsed, or contractlint failed
    on it) is kept whatever lines changed: nothing in the file was checked.
    """

    def on_changed_line(path: str, first: int, last: int) -> bool:
        return changes.touches(path, min(first, last), max(first, last))

    findings = [
        f for f in report.findings if f.code in WHOLE_FILE_CODES or on_changed_line(*_lines(f))
    ]
    calls = [c for c in report.calls if on_changed_line(c.path, c.span.line, c.span.end_line)]
    return replace(report, findings=findings, calls=calls)


def _lines(finding: Finding):
    first = finding.statement_line if finding.statement_line is not None else finding.span.line
    return finding.path, first, finding.span.end_line


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def describe_selection(changes: Changes, count: int) -> str:
    """The one line ``check --changed`` says on stderr."""
    files = f"{count} changed Python file{'s' if count != 1 else ''}"
    return f"contractlint: checking {files} against {changes.against}"
