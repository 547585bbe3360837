"""The acceptances of a project's files, applied once its errors are followed through it.

A risk is accepted once, where it is taken: an acceptance at a service call inside a helper
(``# contractlint: accept CL001 -- ...``) accepts that call's error for every caller it reaches
(``contractlint.acceptance.accepted_upstream``), whichever files the run reports, so the file of
the service call is read for its acceptances even when the run was given only a caller's. Then
each file's own acceptances and per-file ignores (``contractlint.run.filecheck``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from contractlint.run.filecheck import FileOutcome, Job, apply_acceptances, read_marks

if TYPE_CHECKING:
    from contractlint.acceptance import Parsed


def accepted(
    job: Job, outcomes: Sequence[FileOutcome], sources: Mapping[str, bytes] | None = None
) -> Iterator[FileOutcome]:
    """The outcome the report takes of each file of ``outcomes`` (followed, before acceptances)."""
    sources = sources or {}
    if not any(f.origins for o in outcomes for f in o.findings):
        for o in outcomes:  # no error reported away from where it comes from: each file alone
            yield apply_acceptances(job, o, sources.get(o.source))
        return
    from contractlint.acceptance import accepted_upstream

    by_path = {o.path: o for o in outcomes}
    marks: dict[str, Parsed] = {}

    def marks_of(path: str) -> Parsed | None:
        outcome = by_path.get(path)
        if outcome is None or not outcome.marked:
            return None
        if path not in marks:
            marks[path] = read_marks(outcome, sources.get(outcome.source))
        return marks[path]

    from contractlint.run.filecheck import selected_codes

    sources_of = {o.path: o.source for o in outcomes}
    upstream = accepted_upstream(
        {o.path: list(o.findings) for o in outcomes if o.findings},
        marks_of,
        job.today,
        lambda path: selected_codes(job, sources_of.get(path, path)),
    )
    for o in outcomes:
        if o.findings:
            o = o._replace(findings=upstream.findings[o.path])
        yield apply_acceptances(
            job,
            o,
            sources.get(o.source),
            marks.get(o.path),
            upstream.used.get(o.path),
            upstream.accepted,
        )
