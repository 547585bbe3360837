"""Checking files one by one: the prefilter, the cache, the analysis and the acceptances of one
file, in this process or in a pool of worker processes.

The parent reads every file once, as bytes, and tests it with the prefilter; a file that cannot
hold a service call is finished there, never parsed. A file whose analysis is cached is finished
there too. Only the files left are analysed: in this process when they are few, else by worker
processes (started only then, so a small run never pays for them) that read the file again,
analyse it, store the entry and send back the outcome. Outcomes come out in the order of the
paths whatever the number of workers, and the parent keeps no source text beyond the few files
it holds at once, so memory does not grow with the number of files.

A worker that dies on a file (a crash in a native extension, the out-of-memory killer) costs
that file a CL999 finding; a new worker takes up the rest.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import (
    TYPE_CHECKING,
)

from contractlint import __version__
from contractlint.model import (
    BUILTIN_ALIASES,
    CallSite,
    Contract,
    Finding,
    Risk,
    Span,
    rule_by_code,
    select_codes,
)

if TYPE_CHECKING:
    from contractlint.cache import Cache
    from contractlint.config import Config
    from contractlint.model.project import Facts

#: Below this much work (files, or bytes of source) to analyse, a pool costs more than it saves.
POOL_MIN_FILES = 12
POOL_MIN_BYTES = 192 * 1024
#: Files sent to a worker at once, and how many sends a worker may have waiting.
CHUNK = 4
AHEAD = 2
#: Outcomes held back behind a slow file before the parent stops reading and waits for it.
WINDOW = 4096


def display_path(path: str) -> str:
    """A path as people see it in output: relative to the working directory, with forward slashes."""
    if not os.path.isabs(path) and ".." not in path:
        return os.path.normpath(path).replace(os.sep, "/")  # what relpath says, without its cost
    try:
        rel = os.path.relpath(path)
    except ValueError:
        rel = path
    if rel.startswith(".." + os.sep) and os.path.isabs(path):
        rel = path
    return rel.replace(os.sep, "/")


def module_name(path: str, root: str) -> str:
    full, base = os.path.abspath(path), os.path.abspath(root)
    if full.startswith(base) and full[len(base) : len(base) + 1] == os.sep:
        rel = full[len(base) + 1 :].replace(os.sep, "/")  # what relpath says, without its cost
    else:
        rel = os.path.relpath(full, base).replace(os.sep, "/")
    return _module(rel)


class _Names:
    """``(display_path(path), _module(config.relative(path)))``, with the work on the folder done
    once per folder: discovery gives each folder's files one after the other.

    A file's folder is cut off at its last separator. For a relative path without ``..``,
    ``display_path`` is ``normpath``, and ``normpath(folder + sep + name)`` is ``normpath(folder)``
    joined with ``name`` when the name is one plain part; ``config.relative`` is the folder's path
    relative to the root joined with the name when the folder is inside the root (see
    ``Config.relative``); ``_module`` of that is the folder's dotted name joined with the name's.
    Any other path (absolute, with ``..``, at the top, outside the root, on a system with two
    separators) takes the functions themselves. The working directory is read once, when the
    first path comes: the paths of a run are relative to the same one.
    """

    def __init__(self, config: Config):
        self.config = config
        self.folders: dict[str, tuple[str | None, str | None]] = {}
        self.cwd: str | None = None
        self.fast = os.altsep is None

    def __call__(self, path: str) -> tuple[str, str]:
        folder, _, name = path.rpartition(os.sep)
        if not self.fast or not folder or folder.endswith(os.sep) or name in ("", ".", ".."):
            return display_path(path), _module(self.config.relative(path))
        known = self.folders.get(folder)
        if known is None:
            known = self.folders[folder] = self._folder(folder)
        shown, dotted = known
        if shown is None or ".." in name:
            shown = display_path(path)
        else:
            shown += name
        if dotted is None:
            return shown, _module(self.config.relative(path))
        stem = name[:-3] if name.endswith(".py") else name
        if stem == "__init__" or stem in ("", ".", ".."):
            return shown, dotted  # a package's __init__ is the package; an empty part is no part
        return shown, f"{dotted}.{stem}" if dotted else stem

    def _folder(self, folder: str) -> tuple[str | None, str | None]:
        """The display prefix of the folder's files and its dotted name (None: ask per file)."""
        shown = None
        if not os.path.isabs(folder) and ".." not in folder:
            normal = os.path.normpath(folder)
            shown = "" if normal == "." else normal + "/"
        if self.cwd is None:
            self.cwd = os.getcwd()
        base = self.config.relative_folder(folder, self.cwd)
        dotted = None
        if base != "." and base != ".." and not base.startswith("../"):
            dotted = ".".join(p for p in base.split("/") if p not in ("", ".", ".."))
        return shown, dotted


def _module(rel: str) -> str:
    """The dotted module name of a path relative to the project root."""
    if rel.endswith(".py"):
        rel = rel[:-3]
    if rel.endswith("/__init__"):
        rel = rel[: -len("/__init__")]
    return ".".join(p for p in rel.split("/") if p not in ("", ".", ".."))


def contract_names(contracts: Sequence[Contract]) -> list[str]:
    """Every dotted name through which the analysis can reach a contract's call: ``match`` globs,
    ``[types]``, ``[aliases]`` and ``[approved]`` names, and any alias that leads to one of them
    (Python's own too: ``socket.error`` is ``OSError``)."""
    names: list[str] = []
    for contract in contracts:
        names += [p for g in contract.calls for p in g.match]
        names += list(contract.types) + list(contract.types.values()) + list(contract.aliases)
        names += list(contract.approved_wrappers) + list(contract.approved_decorators)
    names = [n for n in names if n]
    aliases = list(BUILTIN_ALIASES.items()) + [
        (k, v) for c in contracts for k, v in c.aliases.items()
    ]
    roots = {n.split(".", 1)[0] for n in names}
    grew = True
    while grew:
        grew = False
        for name, target in aliases:
            if name.split(".", 1)[0] not in roots and target.split(".", 1)[0] in roots:
                names.append(name)
                roots.add(name.split(".", 1)[0])
                grew = True
    return names


class Prefilter:
    """Whether a file may hold a service call; a file it turns away is never parsed.

    The analysis resolves a callee only through an import statement, a builtin name, an alias or
    a definition of the module itself. So a file can only hold a call it resolves if its text
    imports the top-level module of some contract name (``contract_names``): ``import R``,
    ``import a, R.b as c``, ``from R.x import y``, with backslash continuations; or names a builtin
    root as a word; or if its own module name is a prefix of such a name
    (``capability_client/__init__.py`` calls its own ``CapabilityClient`` without naming its
    package). A mention in a comment or a docstring ("handles requests") is not enough, which is
    what keeps most files of a large project from being parsed. The text test is one compiled
    search; a scan for each root as plain bytes comes first (several times faster than the regex
    on text that holds none), so only files that name a root go on to the regex, and the regex
    only searches the logical lines that name one (``_search_near``).
    """

    def __init__(self, contracts: Sequence[Contract]):
        import builtins

        names = contract_names(contracts)
        self.roots: frozenset[str] = frozenset(
            n.split(".", 1)[0] for n in names if n[0] not in "*?"
        )
        imported = sorted(r for r in self.roots if not hasattr(builtins, r))
        bare = sorted(r for r in self.roots if hasattr(builtins, r))
        alternatives = []
        if imported:
            one_of = rb"(?:" + b"|".join(re.escape(r.encode()) for r in imported) + rb")\b"
            space = (
                rb"(?:[ \t\f]|\\\r?\n)"  # inside a statement: blanks and backslash continuations
            )
            name = rb"[^ \t\f\r\n,;#()\\]+"  # a dotted name, non-ASCII ones included
            item = name + rb"(?:" + space + rb"+as" + space + rb"+" + name + rb")?"
            alternatives.append(rb"\bfrom" + space + rb"+" + one_of)
            alternatives.append(
                rb"\bimport" + space + rb"+(?:" + item + space + rb"*," + space + rb"*)*" + one_of
            )
        if bare:  # a builtin needs no import: its name as a word is enough
            alternatives.append(
                rb"\b(?:" + b"|".join(re.escape(r.encode()) for r in bare) + rb")\b"
            )
        self.pattern = re.compile(b"|".join(alternatives)) if alternatives else None
        ordered = sorted(self.roots)
        self._literals = [r.encode() for r in ordered] if len(ordered) <= 12 else None
        #: The literal head of each name (up to its first wildcard): what a module's own names start with.
        self.prefixes: tuple[str, ...] = tuple(
            sorted({re.split(r"[*?\[]", n, maxsplit=1)[0] for n in names})
        )
        self.everything = any(p == "" for p in self.prefixes)  # a name that starts with a wildcard
        # A prefix with a dot can only relate to modules of its first part; one without (a top-level
        # name, or a glob's head such as "capa" of "capa*") to modules whose first part it starts.
        self._dotted: dict[str, tuple[str, ...]] = {}
        for prefix in self.prefixes:
            if "." in prefix:
                head = prefix.split(".", 1)[0]
                self._dotted[head] = self._dotted.get(head, ()) + (prefix,)
        self._dotless = tuple(p for p in self.prefixes if "." not in p)

    def search(self, data: bytes) -> bool:
        if self.everything or data[:2] in (
            b"\xff\xfe",
            b"\xfe\xff",
        ):  # UTF-16: the bytes say nothing
            return True
        if self.pattern is None:
            return False
        literals = self._literals
        if literals is None:
            return self.pattern.search(data) is not None
        if len(literals) == 1:
            return literals[0] in data and self._search_near(data, literals[0])
        return any(self._search_near(data, literal) for literal in literals if literal in data)

    def _search_near(self, data: bytes, literal: bytes) -> bool:
        r"""``self.pattern.search(data)``, for the matches that hold ``literal``: the regex searches
        only the logical line around each place the literal occurs.

        Every match of the pattern holds a root, and stays within one logical line: no part of it
        takes a line break but a backslash continuation (``\\\r?\n``), and a name takes no blank,
        backslash or line break. So a match exists exactly when one exists within the logical line
        of an occurrence of some root. The search runs from that line's start to the line break
        that ends it (or the end of the data): ``\b`` at the start looks at the byte before it, as
        a search of the whole text would, and the end is a line break, where a search of the whole
        text sees a boundary too, so each window answers as the whole text would there. Lines are
        joined wherever the pattern could join them (a backslash before the line break, in a string
        or not), so a window is never narrower than a match; bench/equivalence.py compares the two
        searches on random text.
        """
        search, find, rfind = self.pattern.search, data.find, data.rfind
        at = find(literal)
        while at >= 0:
            start = rfind(b"\n", 0, at) + 1
            while start and (
                data[start - 2 : start - 1] == b"\\" or data[start - 3 : start - 1] == b"\\\r"
            ):
                start = rfind(b"\n", 0, start - 1) + 1  # the line before continues into this one
            end = find(b"\n", at)
            while end >= 0 and (data[end - 1 : end] == b"\\" or data[end - 2 : end] == b"\\\r"):
                end = find(b"\n", end + 1)  # this line continues into the next one
            if end < 0:
                end = len(data)
            if search(data, start, end) is not None:
                return True
            at = find(literal, end)
        return False

    def names_module(self, module: str) -> bool:
        """Whether a definition of ``module`` (named ``module.X``) may be, or lead to, a contract name."""
        head = module.split(".", 1)[0]
        if head.startswith(self._dotless):
            return True  # "M.".startswith(p): p is the head itself, or the start of it
        dotted = module + "."
        return any(dotted.startswith(p) or p.startswith(dotted) for p in self._dotted.get(head, ()))

    def keeps(self, data: bytes, module: str) -> bool:
        return self.search(data) or self.names_module(module)


@dataclass(frozen=True)
class Job:
    """Everything a worker needs to check a file, sent to each worker once."""

    contracts: tuple[Contract, ...]
    config: Config
    #: The codes selected for the run, before per-file ignores.
    codes: frozenset[str]
    today: dt.date
    cache_dir: str | None = None
    use_prefilter: bool = True
    #: Top-level names of the project's modules: calls into them are followed (``contractlint.propagation``).
    project: frozenset[str] = frozenset()
    #: Hand back what the analysis found before acceptances and per-file ignores, with the file's
    #: facts: the engine follows errors through the project first, then calls ``finish_outcome``.
    raw: bool = False


@dataclass
class FileOutcome:
    """What one file adds to the report."""

    path: str
    findings: Sequence[Finding] = ()
    calls: Sequence[CallSite] = ()
    risks: Sequence[Risk] = ()
    #: Whether the prefilter kept the file (it was analysed, or its analysis came from the cache).
    parsed: bool = False
    #: What the file tells about the project (raw outcomes of parsed files only).
    facts: Facts | None = None
    #: Whether the text mentions contractlint (it may hold acceptances), for raw outcomes.
    marked: bool = False
    #: The path as discovered (``path`` is as shown), for raw outcomes.
    source: str = ""
    #: The cache key of the text that was analysed, for raw outcomes of parsed files when the run has
    #: a cache and the analysis could be stored ("" otherwise): the run's own entry names it.
    key: str = ""
    #: What ``fstat`` said of the file just before it was read (``read_stamped``), for raw outcomes.
    stamp: tuple[int, int, int, int, int] | None = None


def open_cache(job: Job) -> Cache | None:
    """The cache of ``job`` (None when it has no ``cache_dir``): its entries are those of the same
    tool, contracts, configuration and project modules."""
    if not job.cache_dir:
        return None
    from contractlint.cache import Cache, run_digest

    return Cache(
        job.cache_dir, run_digest(job.contracts, job.config) + "|" + ",".join(sorted(job.project))
    )


class _Task:
    """A file to check: its place in the run, its path as discovered and as shown, its module name."""

    __slots__ = ("seq", "path", "shown", "module", "data", "given", "key", "stamp")

    def __init__(
        self,
        seq: int,
        path: str,
        shown: str,
        module: str,
        data: bytes | None = None,
        given: bool = False,
    ):
        self.seq = seq
        self.path = path
        self.shown = shown
        self.module = module
        #: The text, while the parent holds it (in-process work, or text given instead of the disk).
        self.data = data
        self.given = given
        #: The cache key of the text analysed (or found in the cache), once known.
        self.key = ""
        #: What ``fstat`` said of the file before this process read it.
        self.stamp: tuple[int, int, int, int, int] | None = None


class _State:
    """One process's view of a job: the prefilter, the cache and the contract index, each built on
    first use (the index imports the analysis, and with it libcst)."""

    def __init__(self, job: Job):
        self.job = job
        self.filter = Prefilter(job.contracts) if job.use_prefilter else None
        self._index = None
        self._cache: Cache | None = None
        self._cache_made = False

    @property
    def cache(self) -> Cache | None:
        if not self._cache_made:
            self._cache_made = True
            self._cache = open_cache(self.job)
        return self._cache

    def keeps(self, data: bytes, module: str) -> bool:
        return self.filter is None or self.filter.keeps(data, module)

    def lookup(
        self, data: bytes, task: _Task
    ) -> tuple[list[Finding], list[CallSite], Facts | None] | None:
        cache = self.cache
        if cache is None:
            return None
        key = cache.key(data, task.module)
        entry = cache.get(key, task.shown)
        if entry is not None:
            task.key = key
        return entry

    def analyse(
        self, data: bytes, task: _Task
    ) -> tuple[list[Finding], list[CallSite], Facts | None]:
        """The analysis of one file, through the cache; a failure is a finding, never an exception."""
        from contractlint.analysis import (  # libcst only when there is work
            ContractIndex,
            analyse_source,
        )

        if self._index is None:
            self._index = ContractIndex(self.job.contracts)
        keep, facts = True, None
        options = {"project": self.job.project}
        target = self.job.config.target_version
        if target:
            options["target_version"] = target
        try:
            result = analyse_source(data, task.shown, self._index, task.module, **options)
            findings, calls, facts = result.findings, result.calls, result.facts
        except (
            RecursionError
        ):  # valid, but deeper than the recursion limit: again, with room to recurse
            from contractlint.analysis import analyse_deep

            try:
                result = analyse_deep(data, task.shown, self._index, task.module, **options)
                findings, calls, facts = result.findings, result.calls, result.facts
            except (RecursionError, MemoryError):
                findings, calls, keep = (
                    [_cl900(task.shown, "cannot check: the code is nested too deeply")],
                    [],
                    False,
                )
            except Exception as exc:
                findings, calls, keep = [internal_error(task.shown, exc)], [], False
        except Exception as exc:  # one file's surprise must not lose the others' results
            findings, calls, keep = [internal_error(task.shown, exc)], [], False
        cache = self.cache
        if keep and cache is not None:
            task.key = cache.key(data, task.module)
            cache.put(task.key, findings, calls, facts)
        return findings, calls, facts

    def finish(
        self,
        data: bytes,
        task: _Task,
        findings: Sequence[Finding],
        calls: Sequence[CallSite],
        facts: Facts | None = None,
        *,
        parsed: bool,
    ) -> FileOutcome:
        """Per-file ignores and the file's acceptances: cheap, and never cached (they depend on the date)."""
        if self.job.raw:
            return FileOutcome(
                task.shown,
                list(findings),
                list(calls),
                (),
                parsed,
                facts,
                b"contractlint" in data,
                task.path,
                task.key,
                task.stamp,
            )
        return self.settle(data, task, findings, calls, parsed)

    def settle(
        self,
        data: bytes,
        task: _Task,
        findings: Sequence[Finding],
        calls: Sequence[CallSite],
        parsed: bool,
    ) -> FileOutcome:
        if not findings and not calls and b"contractlint" not in data:
            return FileOutcome(
                task.shown, parsed=parsed
            )  # most files: nothing to filter, nothing accepted
        from contractlint import acceptance  # only for a file with findings, calls or acceptances

        codes = self.job.codes - set(_expand(self.job.config.ignored_codes(task.path)))
        kept = [f for f in findings if f.code in codes]
        marks = (
            acceptance.parse(data, task.shown) if b"contractlint" in data else acceptance.Parsed()
        )
        applied = acceptance.apply(
            marks, kept, calls, self.job.today, set(codes), self.job.config.acceptance_policy
        )
        risks = []
        for i, accepted in enumerate(marks.acceptances):
            covered = applied.used[i]
            risks.append(
                Risk(
                    accepted,
                    tuple(sorted({f.contract for f in covered if f.contract})),
                    len(covered),
                    accepted.expired(self.job.today),
                )
            )
        return FileOutcome(task.shown, applied.findings, applied.calls, risks, parsed)

    def triage(self, task: _Task) -> FileOutcome | None:
        """The outcome of a file that needs no analysis, or None (``task.data`` then holds its text)."""
        data = task.data
        if data is None:
            try:
                data, task.stamp = read_stamped(task.path)
            except OSError as exc:
                return FileOutcome(
                    task.shown, [_cl900(task.shown, f"cannot read: {exc.strerror or exc}")]
                )
        if not self.keeps(data, task.module):
            return self.finish(data, task, (), (), parsed=False)
        return self.known(data, task)

    def known(self, data: bytes, task: _Task) -> FileOutcome | None:
        """``triage`` of a file the prefilter keeps: its cached outcome, or None (``task.data`` then holds its text)."""
        entry = self.lookup(data, task)
        if entry is not None:
            return self.finish(data, task, *entry, parsed=True)
        task.data = data
        return None

    def turned_away(
        self,
        data: bytes,
        seq: int,
        path: str,
        shown: str,
        module: str,
        stamp: tuple[int, int, int, int, int] | None = None,
    ) -> FileOutcome:
        """``finish(data, task, (), (), parsed=False)``: the outcome of a file the prefilter turns away
        (most files of a large project), without a ``_Task`` when the file mentions no contractlint."""
        if self.job.raw:
            return FileOutcome(
                shown, [], [], (), False, None, b"contractlint" in data, path, "", stamp
            )
        if b"contractlint" not in data:
            return FileOutcome(shown, parsed=False)
        return self.finish(data, _Task(seq, path, shown, module), (), (), parsed=False)

    def check(self, task: _Task, lookup: bool = True) -> FileOutcome:
        """Everything for one file, in this process."""
        if lookup:
            outcome = self.triage(task)
            if outcome is not None:
                return outcome
        elif task.data is None:
            try:
                task.data = read_file(task.path)
            except OSError as exc:
                return FileOutcome(
                    task.shown, [_cl900(task.shown, f"cannot read: {exc.strerror or exc}")]
                )
            if not self.keeps(task.data, task.module):  # the file changed since the parent read it
                return self.finish(task.data, task, (), (), parsed=False)
        data, task.data = task.data, None
        return self.finish(data, task, *self.analyse(data, task), parsed=True)


def finisher(job: Job):
    """``finish(outcome, data=None)``: a raw outcome (``Job.raw``) with its per-file ignores and
    acceptances applied. ``data``, the file's text, is needed only when it mentions contractlint
    (it is read from the disk if not given)."""
    state = _State(replace(job, use_prefilter=False))

    def finish(outcome: FileOutcome, data: bytes | None = None) -> FileOutcome:
        if data is None:
            data = b""
            if outcome.marked:
                try:
                    data = read_file(outcome.source)
                except OSError:
                    pass
        task = _Task(0, outcome.source, outcome.path, "")
        return state.settle(data, task, outcome.findings, outcome.calls, outcome.parsed)

    return finish


def check_files(
    paths: Iterable[str], job: Job, jobs: int = 1, sources: Mapping[str, bytes] | None = None
) -> Iterator[FileOutcome]:
    """The outcome of each path, in the order given, checked by up to ``jobs`` worker processes
    (1: all in this process). ``sources`` gives the text of some paths instead of the disk."""
    state = _State(job)
    prefilter = state.filter
    names = _Names(job.config)
    pool: _Pool | None = None
    done: dict[int, FileOutcome] = {}
    waiting: deque[_Task] = deque()
    waiting_bytes = 0
    emitted = 0
    try:
        for seq, path in enumerate(paths):
            shown, module = names(path)
            if sources is not None and path in sources:
                task = _Task(seq, path, shown, module, sources[path], True)
                outcome = state.triage(task)
            elif prefilter is None:
                task = _Task(seq, path, shown, module)
                outcome = state.triage(task)
            else:  # triage, with no _Task for a file the prefilter turns away
                try:
                    data, stamp = read_stamped(path)
                except OSError as exc:
                    data, outcome = (
                        None,
                        FileOutcome(shown, [_cl900(shown, f"cannot read: {exc.strerror or exc}")]),
                    )
                if data is None:
                    pass
                elif not prefilter.keeps(data, module):
                    outcome = state.turned_away(data, seq, path, shown, module, stamp)
                else:
                    task = _Task(seq, path, shown, module)
                    task.stamp = stamp
                    outcome = state.known(data, task)
            if outcome is not None and emitted == seq and pool is None:
                emitted += 1  # nothing held back: out it goes, as the loop below would send it
                yield outcome
                continue
            if outcome is not None:
                done[seq] = outcome
                if (
                    pool is not None and not seq % 16
                ):  # keep the workers fed while files go by unparsed
                    pool.dispatch(waiting)
                    pool.collect(done, waiting, block=False)
            elif jobs <= 1:
                done[seq] = state.check(task, lookup=False)
            else:
                waiting.append(task)
                waiting_bytes += len(task.data or b"")
                if pool is None and (
                    len(waiting) >= POOL_MIN_FILES or waiting_bytes >= POOL_MIN_BYTES
                ):
                    pool = _Pool(job, jobs)
                if pool is not None:
                    for queued in waiting:
                        if not queued.given:
                            queued.data = (
                                None  # the worker reads it again: the parent holds no text
                            )
                    waiting_bytes = 0
                    pool.dispatch(waiting)
                    pool.collect(done, waiting, block=False)
            while emitted in done:
                yield done.pop(emitted)
                emitted += 1
            if pool is None and len(done) > WINDOW:
                while waiting:  # too few files for a pool, but the outcomes behind them pile up
                    queued = waiting.popleft()
                    done[queued.seq] = state.check(queued, lookup=False)
                waiting_bytes = 0
            while pool is not None and len(done) > WINDOW:
                pool.dispatch(waiting)
                pool.collect(done, waiting, block=True)
                while emitted in done:
                    yield done.pop(emitted)
                    emitted += 1
        if pool is None:
            while waiting:
                task = waiting.popleft()
                done[task.seq] = state.check(task, lookup=False)
                while emitted in done:
                    yield done.pop(emitted)
                    emitted += 1
        else:
            while waiting or pool.busy():
                pool.dispatch(waiting)
                pool.collect(done, waiting, block=True)
                while emitted in done:
                    yield done.pop(emitted)
                    emitted += 1
        while emitted in done:
            yield done.pop(emitted)
            emitted += 1
    finally:
        if pool is not None:
            pool.close()


# -- the pool ------------------------------------------------------------------------------------


def _context():
    import multiprocessing

    # fork starts a worker in milliseconds and shares what the parent imported; macOS and Windows
    # cannot fork safely, and spawn re-imports this module there.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context(
        "fork" if sys.platform.startswith("linux") and "fork" in methods else "spawn"
    )


def _worker_main(conn, job: Job) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    state = _State(job)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        for seq, path, shown, module, data in message:
            try:
                outcome = state.check(_Task(seq, path, shown, module, data), lookup=False)
            except (
                Exception
            ) as exc:  # past the analysis (which reports its own): still one file's problem
                outcome = FileOutcome(shown, [internal_error(shown, exc)], parsed=True)
            conn.send((seq, outcome))


@dataclass
class _Worker:
    process: object
    conn: object
    outstanding: deque[_Task] = field(default_factory=deque)
    sends: int = 0


class _Pool:
    """Worker processes, each fed through its own pipe, so that the file a dead worker was on is known."""

    def __init__(self, job: Job, size: int):
        self.job = job
        self.ctx = _context()
        self.workers: list[_Worker] = [self._start() for _ in range(size)]

    def _start(self) -> _Worker:
        parent_end, child_end = self.ctx.Pipe(duplex=True)
        process = self.ctx.Process(
            target=_worker_main, args=(child_end, self.job), daemon=True, name="contractlint-worker"
        )
        process.start()
        child_end.close()
        return _Worker(process, parent_end)

    def busy(self) -> bool:
        return any(w.outstanding for w in self.workers)

    def dispatch(self, waiting: deque[_Task]) -> None:
        """Keep every worker fed: up to ``AHEAD`` chunks sent and not yet done."""
        for worker in self.workers:
            while waiting and len(worker.outstanding) < CHUNK * AHEAD:
                chunk = [waiting.popleft() for _ in range(min(CHUNK, len(waiting)))]
                worker.outstanding.extend(chunk)
                try:
                    worker.conn.send(
                        [
                            (t.seq, t.path, t.shown, t.module, t.data if t.given else None)
                            for t in chunk
                        ]
                    )
                except (OSError, ValueError):
                    break  # it died: collect() finds out and hands its files on

    def collect(self, done: dict[int, FileOutcome], waiting: deque[_Task], block: bool) -> None:
        from multiprocessing.connection import wait

        active = [w for w in self.workers if w.outstanding]
        if not active:
            return
        handles = [w.conn for w in active] + [w.process.sentinel for w in active]
        ready = set(wait(handles, timeout=None if block else 0))
        for worker in active:
            dead = False
            if worker.conn in ready:
                dead = not self._receive(worker, done)
            if dead or worker.process.sentinel in ready:
                if not dead:
                    self._receive(worker, done)  # what it sent before it died
                if not worker.process.is_alive() or dead:
                    self._replace(worker, done, waiting)

    def _receive(self, worker: _Worker, done: dict[int, FileOutcome]) -> bool:
        """Every outcome waiting in the worker's pipe; False when the pipe is closed."""
        try:
            while worker.conn.poll():
                seq, outcome = worker.conn.recv()
                while worker.outstanding and worker.outstanding[0].seq != seq:
                    worker.outstanding.popleft()  # cannot happen: a worker answers in order
                if worker.outstanding:
                    outcome.stamp = (
                        worker.outstanding.popleft().stamp
                    )  # taken before the parent read it
                done[seq] = outcome
        except Exception:  # closed, or cut short by the worker's death
            return False
        return True

    def _replace(
        self, worker: _Worker, done: dict[int, FileOutcome], waiting: deque[_Task]
    ) -> None:
        process = worker.process
        process.join(timeout=5)
        if worker.outstanding:
            culprit = worker.outstanding.popleft()
            done[culprit.seq] = crash_outcome(self.job, culprit, process.exitcode)
            waiting.extendleft(reversed(worker.outstanding))
        try:
            worker.conn.close()
        except OSError:
            pass
        fresh = self._start()
        self.workers[self.workers.index(worker)] = fresh

    def close(self) -> None:
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            worker.process.join(timeout=2)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=2)
            try:
                worker.conn.close()
            except OSError:
                pass


def crash_outcome(job: Job, task: _Task, exitcode: int | None) -> FileOutcome:
    """A worker died on this file: CL999 (when selected) and the run goes on."""
    if exitcode is not None and exitcode < 0:
        import signal

        try:
            how = f"was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            how = f"was killed by signal {-exitcode}"
    else:
        how = f"exited with status {exitcode}"
    rule = rule_by_code("CL999")
    finding = Finding(
        path=task.shown,
        span=Span(1, 1, 1, 1),
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=(
            f"contractlint {__version__} failed on this file: the worker process checking it "
            f"{how}; please report it with the file"
        ),
    )
    codes = job.codes - set(_expand(job.config.ignored_codes(task.path)))
    return FileOutcome(task.shown, [finding] if finding.code in codes else [], parsed=True)


# -- findings about files --------------------------------------------------------------------------

#: Never wait on the file: a named pipe opens at once (and is then refused), a terminal is not taken.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
)
#: What a file that is not a regular file is, by the type bits of its mode.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


class NotRegularFile(OSError):
    """A path that names a named pipe, a socket, a device or a folder: never read, never waited on."""

    def __init__(self, mode: int):
        kind = next((name for test, name in _KINDS if test(mode)), "of an unknown kind")
        super().__init__(errno.EINVAL, f"not a regular file ({kind})")


def read_file(path: str) -> bytes:
    """The whole file, read to its end: what ``open(path, "rb").read()`` gives, in fewer calls (no
    file object, no buffer; one read of the size ``fstat`` says, then one that finds the end)."""
    return read_stamped(path)[0]


def read_stamped(path: str) -> tuple[bytes, tuple[int, int, int, int, int]]:
    """``read_file``, and what ``fstat`` said of the file before it was read: its size, modification
    and change times in nanoseconds, inode and device (``contractlint.runcache`` compares them).

    Anything but a regular file raises ``NotRegularFile``: the file is opened without blocking and
    ``fstat`` (which the read needs anyway) says what it is, so a named pipe called ``x.py`` can
    never hold up a run and a device is never read."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:  # a socket cannot be opened at all: say what it is
        try:
            mode = os.stat(path).st_mode
        except (OSError, ValueError):
            raise exc from None
        if stat.S_ISREG(mode):
            raise
        raise NotRegularFile(mode) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(st.st_mode)
        chunks = [os.read(fd, st.st_size + 1)]
        while chunks[-1]:
            chunks.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return (
        chunks[0] if len(chunks) <= 2 else b"".join(chunks),
        (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev),
    )


def _expand(prefixes: Iterable[str]) -> list[str]:
    return sorted(select_codes(list(prefixes), [])) if prefixes else []


def _cl900(path: str, message: str) -> Finding:
    rule = rule_by_code("CL900")
    return Finding(
        path=path,
        span=Span(1, 1, 1, 1),
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=message,
    )


def internal_error(path: str, exc: BaseException) -> Finding:
    import traceback

    rule = rule_by_code("CL999")
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {os.path.basename(where.filename)}:{where.lineno}" if where else ""
    frames = traceback.extract_tb(exc.__traceback__)[-8:] if exc.__traceback__ else []
    trace = "\n".join(
        f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}: {f.line or ''}".rstrip(": ")
        for f in frames
    )
    text = " ".join(str(exc).split())[:200]
    return Finding(
        path=path,
        span=Span(1, 1, 1, 1),
        code=rule.code,
        name=rule.name,
        severity=rule.severity,
        message=(
            f"contractlint {__version__} failed on this file: {type(exc).__name__}: {text}{at}; "
            "please report it with the file (--verbose shows the trace)"
        ),
        suggestion=f"trace (most recent call last):\n{trace}" if trace else "",
    )
