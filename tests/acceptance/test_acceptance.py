"""Accepted risks written in the code (CL100–CL103).

An acceptance is a promise someone reviews later: these tests pin the exact syntax people grep
for, where a comment may stand, and that a typo or an expired date never silently suppresses a
finding. Review dates and severities are in test_review_and_severity.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from accepting import IMPORT, SILENT_BROAD, UNGUARDED, check, found, messages, project
from clirun import run

from contractlint import acceptance
from contractlint.model import rule_by_code

# --- syntax -------------------------------------------------------------------------------


def test_without_an_acceptance_the_samples_report_what_the_tests_below_accept(tmp_path):
    """The baselines of the tests below: each sample really has the findings its
    acceptance names."""
    assert found(tmp_path, UNGUARDED.format(comment="")) == [(4, "CL001")]
    assert found(tmp_path, SILENT_BROAD.format(comment="")) == [(5, "CL004"), (5, "CL005")]


@pytest.mark.parametrize(
    "codes", ["CL004,CL005", "CL004, CL005", "CL004 ,CL005", "CL004 , CL005", "CL005,CL004"]
)
def test_several_codes_with_or_without_spaces_after_commas(tmp_path, codes):
    """People write lists both ways; each spelling must accept every code it names,
    and only those."""
    source = SILENT_BROAD.format(
        comment=f"  # contractlint: accept {codes} -- best effort, logged upstream"
    )
    assert found(tmp_path, source) == []
    parsed = acceptance.parse(source.encode(), "m.py")
    assert parsed.problems == []
    assert sorted(parsed.acceptances[0].codes) == ["CL004", "CL005"]


def test_an_acceptance_names_only_the_codes_it_accepts(tmp_path):
    """Accepting CL004 must not also hide the CL005 reported on the same handler."""
    source = SILENT_BROAD.format(comment="  # contractlint: accept CL004 -- best effort")
    assert found(tmp_path, source) == [(5, "CL005")]


def test_no_space_anywhere_is_still_an_acceptance(tmp_path):
    """`#contractlint:accept CL001--reason` is what a terse writer types; it must parse,
    reason included."""
    source = UNGUARDED.format(comment="  #contractlint:accept CL001--the caller retries")
    assert found(tmp_path, source) == []
    (accepted,) = acceptance.parse(source.encode(), "m.py").acceptances
    assert (accepted.codes, accepted.reason, accepted.line, accepted.column) == (
        ("CL001",),
        "the caller retries",
        4,
        32,
    )


def test_owner_and_until_are_read(tmp_path):
    source = UNGUARDED.format(
        comment="  # contractlint: accept CL001 until=2027-01-31 owner=ads-team "
        "-- banners earn nothing"
    )
    (accepted,) = acceptance.parse(source.encode(), "m.py").acceptances
    assert (accepted.until, accepted.owner, accepted.reason) == (
        dt.date(2027, 1, 31),
        "ads-team",
        "banners earn nothing",
    )
    assert found(tmp_path, source) == []


@pytest.mark.parametrize(
    "until, why",
    [
        ("2026-02-30", "(February 2026 has 28 days)"),
        ("2026-13-01", "(month 13)"),
        ("2026-04-00", "(day 0)"),
        ("tomorrow", "like 2027-03-31"),
    ],
)
def test_a_date_that_does_not_exist_is_malformed_and_accepts_nothing(tmp_path, until, why):
    """A bad date must not read as "no expiry": the acceptance is rejected and the finding stays.
    The message says what is wrong with a date that has the right shape."""
    report = check(
        tmp_path, UNGUARDED.format(comment=f"  # contractlint: accept CL001 until={until} -- r")
    )
    assert [(f.span.line, f.code) for f in report.findings] == [(4, "CL001"), (4, "CL100")]
    assert messages(report, "CL100") == [f"until={until} is not a date {why}"]
    assert report.risks == []


@pytest.mark.parametrize("until", ["20270228", "2027-W09-7", "2027-2-28", "2027-02-28T00:00"])
def test_until_is_written_exactly_yyyy_mm_dd(tmp_path, until):
    """Python 3.11's fromisoformat also takes 20270228 and ISO weeks; the syntax people
    grep for is YYYY-MM-DD."""
    report = check(
        tmp_path, UNGUARDED.format(comment=f"  # contractlint: accept CL001 until={until} -- r")
    )
    assert [f.code for f in report.findings] == ["CL001", "CL100"]
    assert messages(report, "CL100") == [f"until={until} is not a date like 2027-03-31"]


@pytest.mark.parametrize(
    "today, codes",
    [
        (dt.date(2026, 11, 27), []),  # the day before
        (dt.date(2026, 11, 28), []),  # the day itself: still valid
        (dt.date(2026, 11, 29), ["CL001", "CL101"]),  # the day after: expired, the finding is back
    ],
)
def test_until_is_valid_through_its_day(tmp_path, today, codes):
    source = UNGUARDED.format(comment="  # contractlint: accept CL001 until=2026-11-28 -- r")
    assert [code for _, code in found(tmp_path, source, today=today)] == codes


def test_an_acceptance_on_the_line_of_the_call(tmp_path):
    assert found(tmp_path, UNGUARDED.format(comment="  # contractlint: accept CL001 -- r")) == []


def test_an_acceptance_alone_on_the_line_above_the_statement(tmp_path):
    source = (
        IMPORT + "def f(u, s):\n    # contractlint: accept CL001 -- r\n"
        "    cap = client.check(u, s)\n    return cap\n"
    )
    assert found(tmp_path, source) == []
    (accepted,) = acceptance.parse(source.encode(), "m.py").acceptances
    assert accepted.standalone


def test_an_acceptance_two_lines_above_covers_nothing(tmp_path):
    """Only the line directly above counts: a blank line between breaks the link, and
    both are reported."""
    source = (
        IMPORT + "def f(u, s):\n    # contractlint: accept CL001 -- r\n\n"
        "    cap = client.check(u, s)\n    return cap\n"
    )
    assert found(tmp_path, source) == [(4, "CL103"), (6, "CL001")]


def test_an_acceptance_on_the_first_line_of_the_statement_that_holds_the_call(tmp_path):
    """The call may be lines below the statement's start (a multi-line call); the
    statement's line still counts."""
    source = IMPORT + (
        "def f(u, s):\n"
        "    result = dict(  # contractlint: accept CL001 -- r\n"
        "        cap=client.check(u, s),\n"
        "    )\n"
        "    return result\n"
    )
    assert found(tmp_path, source.replace("  # contractlint: accept CL001 -- r", "")) == [
        (5, "CL001")
    ]
    assert found(tmp_path, source) == []


@pytest.mark.parametrize(
    "above, inside",
    [
        ("    # contractlint: accept CL001 -- r\n", ""),
        ("", "        # contractlint: accept CL001 -- r\n"),
    ],
    ids=["above", "alone inside"],
)
def test_an_acceptance_above_or_alone_inside_a_multi_line_statement(tmp_path, above, inside):
    source = IMPORT + (
        f"def f(u, s):\n{above}    result = dict(\n{inside}        other=1,\n"
        "        cap=client.check(u, s),\n    )\n    return result\n"
    )
    assert found(tmp_path, source) == []


BLACK = IMPORT + (
    "def f(u, s):\n"
    "    capability = client.check(\n"
    "        u,{first}\n"
    "        s,{second}\n"
    "    ){last}\n"
    "    return capability\n"
)


@pytest.mark.parametrize("where", ["first", "second", "last"])
def test_an_acceptance_on_any_line_of_a_statement_black_spread_over_several(tmp_path, where):
    """Black puts each argument on a line of its own: any of them may hold the comment."""
    comments = dict.fromkeys(("first", "second", "last"), "")
    assert found(tmp_path, BLACK.format(**comments)) == [(4, "CL001")]
    comments[where] = "  # contractlint: accept CL001 -- r"
    assert found(tmp_path, BLACK.format(**comments)) == []


@pytest.mark.parametrize(
    "block",
    [
        "    # contractlint: accept CL001 -- r\n    # (the reason goes on here)\n",
        "    # A note about the call below.\n    # contractlint: accept CL001 -- r\n",
    ],
)
def test_an_acceptance_in_the_comment_block_directly_above_the_statement(tmp_path, block):
    source = IMPORT + "def f(u, s):\n" + block + "    return client.check(\n        u, s\n    )\n"
    assert found(tmp_path, source) == []


def test_an_acceptance_in_a_statement_covers_neither_the_next_nor_a_call_free_one(tmp_path):
    """CL103 still sees an acceptance that stands in the wrong statement, however
    many lines it has."""
    source = IMPORT + (
        "def f(u, s):\n"
        "    options = dict(\n"
        "        retries=1,  # contractlint: accept CL001 -- r\n"
        "    )\n"
        "    return client.check(u, s)\n"
    )
    assert found(tmp_path, source) == [(5, "CL103"), (7, "CL001")]
    above_other = IMPORT + (
        "def f(u, s):\n"
        "    # contractlint: accept CL001 -- r\n"
        "    # (the reason goes on here)\n"
        "    options = dict(\n"
        "        retries=1,\n"
        "    )\n"
        "    return client.check(u, s)\n"
    )
    assert found(tmp_path, above_other) == [(4, "CL103"), (9, "CL001")]


def test_a_handler_finding_is_accepted_on_any_line_of_a_multi_line_except(tmp_path):
    source = IMPORT + (
        "def f(u, s):\n"
        "    try:\n"
        "        client.check(u, s)\n"
        "    except (\n"
        "        BaseException  # contractlint: accept CL004,CL005 -- r\n"
        "    ):\n"
        "        pass\n"
    )
    assert found(tmp_path, source) == []


def test_a_handler_finding_is_accepted_on_the_handler_line_or_above_it(tmp_path):
    on_line = SILENT_BROAD.format(comment="  # contractlint: accept CL004,CL005 -- r")
    assert found(tmp_path, on_line) == []
    above = IMPORT + (
        "def f(u, s):\n"
        "    try:\n"
        "        client.check(u, s)\n"
        "    # contractlint: accept CL004,CL005 -- r\n"
        "    except BaseException:\n"
        "        pass\n"
    )
    assert found(tmp_path, above) == []


def test_a_handler_finding_is_not_accepted_from_the_handler_body_or_the_call_line_of_another_code(
    tmp_path,
):
    """The body line is neither the call, its statement nor the handler: the acceptance
    is unused there."""
    in_body = IMPORT + (
        "def f(u, s):\n"
        "    try:\n"
        "        client.check(u, s)\n"
        "    except CapabilityError:\n"
        "        pass  # contractlint: accept CL004 -- r\n"
    )
    assert found(tmp_path, in_body) == [(5, "CL004"), (7, "CL103")]


def test_accept_file_in_the_header_covers_the_whole_file(tmp_path):
    source = (
        "#!/usr/bin/env python\n"
        '"""A legacy module, replaced next quarter."""\n'
        "# contractlint: accept-file CL001 until=2027-01-31 owner=legacy -- replaced next quarter\n"
        + IMPORT
        + "def f(u, s):\n    return client.check(u, s)\n"
        + "def g(u, s):\n    return client.check_async(u, s)\n"
    )
    assert found(tmp_path, source.replace("accept-file", "nothing-here")) != []
    report = check(tmp_path, source)
    assert report.findings == []
    (risk,) = report.risks
    assert risk.acceptance.file_level and risk.findings == 2
    assert {c.state for c in report.calls} == {"accepted"}


def test_accept_file_after_the_first_statement_is_malformed(tmp_path):
    source = (
        IMPORT
        + "# contractlint: accept-file CL001 -- r\ndef f(u, s):\n    return client.check(u, s)\n"
    )
    report = check(tmp_path, source)
    assert [(f.span.line, f.code) for f in report.findings] == [(3, "CL100"), (5, "CL001")]
    assert messages(report, "CL100") == [
        "accept-file must stand in the file's header, before the first statement"
    ]


def test_accept_file_on_the_line_of_a_call_is_malformed(tmp_path):
    """Only the header may hold one: on a call's line it would look local while
    covering the file."""
    report = check(tmp_path, UNGUARDED.format(comment="  # contractlint: accept-file CL001 -- r"))
    assert [f.code for f in report.findings] == ["CL001", "CL100"]


@pytest.mark.parametrize(
    "comment, problem",
    [
        (
            "accept CL777 -- r",
            "CL777 is not a rule; an acceptance names codes of findings about calls: "
            "CL001, CL002, CL003, CL004, CL005, CL006, CL900",
        ),
        (
            "accept CL001,CL101 -- r",
            "CL101 cannot be accepted; an acceptance names codes of findings about calls: "
            "CL001, CL002, CL003, CL004, CL005, CL006, CL900",
        ),
        (
            "accept CL1 -- r",
            '"CL1" is not a rule code or name (like CL001 or unguarded-call) nor until=/owner=',
        ),
        (
            "accept unguarded-cal -- r",
            '"unguarded-cal" is not a rule code or name (like CL001 or unguarded-call) nor '
            'until=/owner=; did you mean "unguarded-call"?',
        ),
        (
            "accept malformed-acceptance -- r",
            "CL100 cannot be accepted; an acceptance names codes of findings about calls: "
            "CL001, CL002, CL003, CL004, CL005, CL006, CL900",
        ),
        (
            "accept -- r",
            "names no rule code: write the codes it accepts, like `accept CL001,CL004`",
        ),
        (
            "accept CL001 expires=2027-01-01 -- r",
            'unknown option "expires=": an acceptance takes until=YYYY-MM-DD and owner=NAME',
        ),
        ("accept CL001 owner=a owner=b -- r", '"owner=" is given twice'),
        ("accept CL001 until=2027-01-01 until=2028-01-01 -- r", '"until=" is given twice'),
        ("accept CL001 owner= -- r", '"owner=" has no value'),
        (
            "acept CL001 -- r",
            'unknown contractlint comment: expected "# contractlint: accept CODES ... -- reason"',
        ),
        (
            "ignore CL001 -- r",
            'unknown contractlint comment: expected "# contractlint: accept CODES ... -- reason"',
        ),
    ],
)
def test_a_malformed_acceptance_says_what_is_wrong_and_accepts_nothing(tmp_path, comment, problem):
    report = check(tmp_path, UNGUARDED.format(comment=f"  # contractlint: {comment}"))
    assert [(f.span.line, f.span.column, f.code) for f in report.findings] == [
        (4, 12, "CL001"),
        (4, 32, "CL100"),
    ]
    assert messages(report, "CL100") == [problem]
    assert all(f.severity == "error" for f in report.findings)


def test_a_missing_colon_is_reported_not_ignored(tmp_path):
    """`# contractlint accept …` is a typo too; ignoring it would leave the writer
    believing it works."""
    report = check(tmp_path, UNGUARDED.format(comment="  # contractlint accept CL001 -- r"))
    assert [f.code for f in report.findings] == ["CL001", "CL100"]


def test_a_comment_that_only_mentions_contractlint_is_not_an_acceptance(tmp_path):
    source = UNGUARDED.format(comment="  # contractlint reports this; see the wiki")
    assert found(tmp_path, source) == [(4, "CL001")]


def test_acceptance_text_inside_a_string_is_not_a_comment(tmp_path):
    """Comments are found with tokenize: a string that looks like one neither accepts
    nor is malformed."""
    source = IMPORT + (
        "def f(u, s):\n"
        "    note = '# contractlint: accept CL001 -- r'; return client.check(u, s, note)\n"
        "def g(u, s):\n"
        '    """Never write # contractlint: acept CL001 here."""\n'
        "    return client.check(u, s, '''\n"
        "    # contractlint: accept CL001 -- inside a multi-line string\n"
        "    ''')\n"
    )
    assert found(tmp_path, source) == [(4, "CL001"), (7, "CL001")]
    assert acceptance.parse(source.encode(), "m.py").acceptances == []


def test_a_comment_after_a_string_on_the_same_line_is_still_read(tmp_path):
    source = (
        IMPORT
        + "def f(u, s):\n    return client.check(u, '#')  # contractlint: accept CL001 -- r\n"
    )
    assert found(tmp_path, source) == []


# --- CL101, CL102, CL103 end to end --------------------------------------------------------


def test_cl101_an_expired_acceptance_suppresses_nothing(tmp_path):
    source = IMPORT + (
        "def banner(u, s):\n"
        "    # contractlint: accept CL001 until=2026-05-31 owner=ads-team -- "
        "banners earn nothing yet\n"
        "    return client.check(u, s)\n"
    )
    report = check(tmp_path, source)
    assert [(f.span.line, f.span.column, f.code) for f in report.findings] == [
        (4, 5, "CL101"),
        (5, 12, "CL001"),
    ]
    assert messages(report, "CL101") == [
        "the acceptance of CL001 expired on 2026-05-31 (owner ads-team): look at the risk again, "
        "then renew the date or handle the failure"
    ]
    (risk,) = report.risks
    assert risk.expired and risk.contracts == ("capability-server",)
    assert [c.state for c in report.calls] == ["broken"]
    # Renewed: covered again, and the call counts as accepted.
    renewed = check(tmp_path, source.replace("2026-05-31", "2027-05-31"))
    assert renewed.findings == [] and [c.state for c in renewed.calls] == ["accepted"]


def test_cl101_an_expired_acceptance_does_not_hide_a_valid_one_for_the_same_call(tmp_path):
    source = IMPORT + (
        "def f(u, s):\n"
        "    # contractlint: accept CL001 until=2020-01-01 -- old\n"
        "    return client.check(u, s)  # contractlint: accept CL001 until=2027-01-01 -- renewed\n"
    )
    assert found(tmp_path, source) == [(4, "CL101")]


def test_cl102_an_acceptance_without_a_reason_still_covers_but_fails(tmp_path):
    for comment in (
        "  # contractlint: accept CL001",
        "  # contractlint: accept CL001 --",
        "  # contractlint: accept CL001 --   ",
    ):
        report = check(tmp_path, UNGUARDED.format(comment=comment))
        assert [(f.span.line, f.code, f.severity) for f in report.findings] == [
            (4, "CL102", "error")
        ], comment
        assert messages(report, "CL102") == [
            "the acceptance of CL001 gives no reason: write why the risk is accepted after `--`"
        ]


def test_cl103_an_acceptance_of_nothing_is_a_warning(tmp_path):
    source = IMPORT + (
        "def f(u, s):\n"
        "    try:\n"
        "        return client.check(u, s)  # contractlint: accept CL001 -- was unguarded once\n"
        "    except CapabilityError:\n"
        "        return Capability.static_only()\n"
    )
    report = check(tmp_path, source)
    assert [(f.span.line, f.code, f.severity) for f in report.findings] == [(5, "CL103", "warning")]
    assert messages(report, "CL103") == [
        "the acceptance of CL001 accepts nothing: no CL001 finding is reported here; remove it"
    ]


def test_cl103_names_only_the_unused_codes_and_only_selected_ones(tmp_path):
    """With --select CL001 a CL004 acceptance cannot be judged: calling it unused would be wrong."""
    source = UNGUARDED.format(comment="  # contractlint: accept CL001,CL004 -- r")
    report = check(tmp_path, source)
    assert [(f.code, f.message) for f in report.findings] == [
        (
            "CL103",
            "the acceptance of CL004 accepts nothing: no CL004 finding is reported here; remove it",
        )
    ]
    assert check(tmp_path, source, select=("CL001", "CL103")).findings == []
    assert check(tmp_path, source, ignore=("CL004",)).findings == []
    per_file = check(tmp_path, source, per_file_ignores={"m.py": ("CL004",)})
    assert per_file.findings == []


def test_cl103_for_a_file_level_acceptance(tmp_path):
    source = "# contractlint: accept-file CL004 -- r\n" + UNGUARDED.format(comment="")
    report = check(tmp_path, source)
    assert [(f.span.line, f.code) for f in report.findings] == [(1, "CL103"), (5, "CL001")]
    assert "no CL004 finding is reported in this file" in messages(report, "CL103")[0]


def test_the_acceptance_rules_follow_select_and_ignore(tmp_path):
    """`--ignore CL100` is honoured like any code (the finding the typo failed to accept
    stays reported)."""
    typo = UNGUARDED.format(comment="  # contractlint: acept CL001 -- r")
    assert [f.code for f in check(tmp_path, typo).findings] == ["CL001", "CL100"]
    assert [f.code for f in check(tmp_path, typo, ignore=("CL100",)).findings] == ["CL001"]
    assert [f.code for f in check(tmp_path, typo, select=("CL0",)).findings] == ["CL001"]
    expired = UNGUARDED.format(comment="  # contractlint: accept CL001 until=2020-01-01 -- r")
    assert [f.code for f in check(tmp_path, expired, ignore=("CL101",)).findings] == ["CL001"]


def _cli_project(tmp_path: Path, comment: str) -> Path:
    return project(tmp_path, {"app/m.py": UNGUARDED.format(comment=comment)})


def test_cli_cl101_depends_on_today(tmp_path):
    root = _cli_project(tmp_path, "  # contractlint: accept CL001 until=2026-05-31 owner=ads -- r")
    before = run("check", ".", "--today", "2026-05-31", "-q", cwd=root)
    assert (before.exit_code, before.stdout) == (0, "")
    after = run("check", ".", "--today", "2026-06-01", "-q", cwd=root)
    assert after.exit_code == 1
    assert after.stdout.splitlines() == [
        "app/m.py:4:12: CL001 [capability-server] "
        "capability_client.CapabilityClient.check() is not guarded: "
        "capability_client.CapabilityError escapes; the contract says fail open",
        "app/m.py:4:32: CL101 the acceptance of CL001 expired on 2026-05-31 (owner ads): "
        "look at the risk again, "
        "then renew the date or handle the failure",
    ]


def test_cli_today_must_be_a_date(tmp_path):
    root = _cli_project(tmp_path, "")
    result = run("check", ".", "--today", "2026-02-30", cwd=root)
    assert result.exit_code == 2
    assert "'2026-02-30' is not a date like 2026-11-28" in result.stderr


def test_cli_cl100_and_cl102_fail_the_run(tmp_path):
    root = _cli_project(tmp_path, "  # contractlint: accept CL001")
    result = run("check", ".", "--today", "2026-11-28", "-q", cwd=root)
    assert result.exit_code == 1
    assert [line.split(": ")[1].split(" ")[0] for line in result.stdout.splitlines()] == ["CL102"]
    (tmp_path / "app" / "m.py").write_text(
        UNGUARDED.format(comment="  # contractlint: acept CL001 -- r")
    )
    result = run("check", ".", "-q", cwd=root)
    assert result.exit_code == 1
    assert "app/m.py:4:32: CL100 unknown contractlint comment" in result.stdout


def test_cli_cl103_alone_is_a_warning_and_exits_0(tmp_path):
    root = project(
        tmp_path,
        {"app/m.py": IMPORT + "def f():\n    return 1  # contractlint: accept CL001 -- r\n"},
    )
    result = run("check", ".", cwd=root)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "app/m.py:4:15: CL103 (warning) the acceptance of CL001 accepts nothing: no "
        "CL001 finding is reported "
        "here; remove it"
    )
    assert "Found 1 finding (0 errors, 1 warning) in 1 file" in result.stdout


# --- the rule pages' examples ------------------------------------------------------------


@pytest.mark.parametrize("code", ["CL100", "CL101", "CL102", "CL103"])
def test_rule_page_examples_run_through_the_engine(tmp_path, code):
    """The examples people read in `contractlint explain` are what the engine does,
    on a real file."""
    rule = rule_by_code(code)
    assert rule.invalid, f"{code} has an example"
    for i, example in enumerate(rule.invalid):
        codes = [f.code for f in check(tmp_path, example).findings]
        assert code in codes, (i, codes)
        if code == "CL101":
            # Expired, it no longer covers: the CL001 it accepted is reported again beside it.
            assert sorted(codes) == ["CL001", "CL101"]
        if code == "CL100":
            # The typo accepts nothing either.
            assert sorted(codes) == ["CL001", "CL100"]
    for example in rule.valid:
        assert check(tmp_path, example).findings == []
