"""`contractlint report`: the inventory service owners and reviewers read.

The report is where an expired acceptance gets noticed (the banner-ad story), so the tests check
what a reader sees: every call site of each contract with its state, the counts, the accepted
risks by expiry with the expired ones first, and the review date, in each of the three formats.
The JSON is held to a shipped, strict schema; the HTML page must open offline as one file.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import textwrap
from collections import Counter
from pathlib import Path

import jsonschema
from clirun import run
from formats import assert_rejects, parse

import contractlint

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = Path(contractlint.__file__).parent / "schemas" / "inventory-v2.schema.json"
TODAY = "2026-11-28"
BANNER = "examples/banner_ads/banners.py"
STICKERS = "examples/chat_server/stickers.py"
GALLERY = "examples/sticker_gallery/gallery.py"
BANNER_REASON = "banners earn nothing yet; hiding them while profile-service is down costs nothing"
PREFETCH_REASON = "best-effort prefetch; the send path checks again"


def report(fmt: str, *args, cwd: Path = ROOT, paths=("examples/",)) -> str:
    result = run("report", *paths, "--today", TODAY, "--format", fmt, *args, cwd=cwd)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


@functools.cache
def example(fmt: str, *args) -> str:
    """The example's report (checked once per format: each run analyses every file)."""
    return report(fmt, *args)


def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def example_json(*args) -> dict:
    doc = json.loads(example("json", *args))
    validator().validate(doc)
    return doc


# --- the example, in JSON --------------------------------------------------------------------


def test_json_validates_against_the_shipped_schema():
    doc = example_json()
    assert doc["version"] == 2 and doc["date"] == TODAY
    assert doc["tool"] == {"name": "contractlint", "version": contractlint.__version__}


def test_json_says_whose_inventory_it_is():
    """The project (examples/pyproject.toml has no [project] name: its folder's), the commit checked
    out, and where each contract came from."""
    doc = example_json()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    assert doc["project"] == {"name": "examples", "commit": head or None}
    assert [(c["name"], c["source"], c["version"]) for c in doc["contracts"]] == [
        (
            "capability-server",
            {"kind": "distribution", "name": "capability-client", "version": "1.0.0"},
            "1.0.0",
        ),
        ("profile-service", {"kind": "path", "path": "contracts/profile-service.toml"}, None),
    ]
    named = json.loads(report("json", "--project", "chat-platform"))
    assert named["project"]["name"] == "chat-platform"


def test_json_names_each_finding_at_a_call_with_its_fingerprint():
    """The fingerprints `check --write-baseline` records: what the owners' --since compares."""
    cap = example_json()["contracts"][0]
    by_place = {(c["path"], c["line"]): c for c in cap["calls"]}
    assert by_place[(GALLERY, 14)]["findings"][0]["code"] == "CL001"
    assert by_place[(STICKERS, 31)]["findings"] == []
    assert by_place[(STICKERS, 59)]["findings"] == []  # accepted: no finding is reported
    baseline = json.loads(run("check", "examples/", "--today", TODAY, "--format", "json").stdout)
    printed = {
        (f["path"], f["line"], f["code"]): f["fingerprint"]
        for f in baseline["findings"]
        if f["contract"] == "capability-server"
    }
    listed = {
        (c["path"], c["line"], f["code"]): f["fingerprint"]
        for c in cap["calls"]
        for f in c["findings"]
    }
    assert listed and listed.items() <= printed.items()
    assert {len(f) for f in listed.values()} == {20}


def test_a_project_is_named_by_its_pyproject(tmp_path):
    root = small(tmp_path, "import svc_client\n")
    doc = json.loads(report("json", cwd=root, paths=(".",)))
    assert doc["project"]["name"] == tmp_path.name  # no [project] name
    (root / "pyproject.toml").write_text('[project]\nname = "svc-consumer"\n' + CONFIG)
    doc = json.loads(report("json", cwd=root, paths=(".",)))
    validator().validate(doc)
    assert doc["project"]["name"] == "svc-consumer"
    assert doc["contracts"][0]["source"] == {"kind": "path", "path": "contracts/svc.toml"}
    assert "\nProject: svc-consumer\n" in report("markdown", cwd=root, paths=(".",))
    assert "svc-consumer · 2026-11-28" in " ".join(
        parse(report("html", cwd=root, paths=(".",))).text
    )


def test_json_lists_the_expired_banner_risk_first():
    risks = example_json()["risks"]
    assert [(r["path"], r["until"], r["expired"], r["status"]) for r in risks] == [
        (BANNER, "2026-05-31", True, "expired"),
        (STICKERS, "2027-02-28", False, "92 days left"),
    ]
    banner = risks[0]
    assert (banner["codes"], banner["owner"], banner["reason"]) == (
        ["CL001"],
        "ads-team",
        BANNER_REASON,
    )
    assert (banner["contracts"], banner["findings"], banner["file_level"], banner["line"]) == (
        ["profile-service"],
        1,
        False,
        16,
    )


def test_json_states_counts_and_review_date_per_contract():
    contracts = {c["name"]: c for c in example_json()["contracts"]}
    assert list(contracts) == ["capability-server", "profile-service"]
    cap, profile = contracts["capability-server"], contracts["profile-service"]
    assert cap["counts"] == {
        "compliant": 3,
        "approved wrapper": 2,
        "accepted": 1,
        "baselined": 0,
        "violating": 7,
    }
    assert profile["counts"] == {
        "compliant": 0,
        "approved wrapper": 0,
        "accepted": 0,
        "baselined": 0,
        "violating": 1,
    }
    assert (cap["review_by"], cap["review_overdue"], cap["owner"]) == (
        "2027-03-31",
        False,
        "stickers-sre",
    )
    assert (profile["review_by"], profile["review_overdue"], profile["owner"]) == (
        "2027-06-30",
        False,
        "profiles-team",
    )
    # The counts are the calls listed: every call site is there, with its state.
    for contract in contracts.values():
        listed = Counter(call["state"] for call in contract["calls"])
        assert {k: v for k, v in contract["counts"].items() if v} == dict(listed)
    by_place = {(c["path"], c["line"]): c for c in cap["calls"]}
    assert {line for path, line in by_place if path == GALLERY} == {14, 21, 30, 39, 45, 53, 62}
    assert all(c["state"] == "violating" for c in cap["calls"] if c["path"] == GALLERY)
    assert by_place[(STICKERS, 31)]["state"] == "compliant"
    assert by_place[(STICKERS, 65)]["state"] == "approved wrapper"
    accepted = by_place[(STICKERS, 59)]
    assert accepted["state"] == "accepted"
    assert accepted["acceptance"] == {
        "line": 60,
        "owner": "chat-team",
        "reason": PREFETCH_REASON,
        "until": "2027-02-28",
    }
    assert [(c["path"], c["line"], c["state"], c["scope"]) for c in profile["calls"]] == [
        (BANNER, 17, "violating", "banners_for")
    ]
    # Each contract lists the risks that concern it.
    assert [r["path"] for r in cap["risks"]] == [STICKERS]
    assert [r["path"] for r in profile["risks"]] == [BANNER]


def test_json_is_deterministic():
    assert report("json") == report("json") == example("json")


def test_the_schema_is_strict():
    """A misspelt or unexpected key, a state nobody knows, or an acceptance on a
    violating call must fail."""
    check = validator()
    doc = example_json()
    broken = [
        lambda d: d.update(extra=1),
        lambda d: d["tool"].update(extra=1),
        lambda d: d["contracts"][0].update(extra=1),
        lambda d: d["contracts"][0]["counts"].update(extra=1),
        lambda d: d["contracts"][0]["calls"][0].update(state="fine"),
        lambda d: d["contracts"][0]["calls"][0].update(extra=1),
        lambda d: d["contracts"][0]["calls"][0].update(
            acceptance={"line": 1, "owner": None, "reason": None, "until": None}
        ),
        lambda d: next(c for c in d["contracts"][0]["calls"] if c["state"] == "accepted").update(
            acceptance=None
        ),
        lambda d: d["risks"][0].update(extra=1),
        lambda d: d["risks"][0].update(until="31/05/2026"),
        lambda d: d["risks"][0].update(codes=["unguarded-call"]),
        lambda d: d["contracts"][0].pop("review_by"),
        lambda d: d.update(version=3),
        lambda d: d.pop("project"),
        lambda d: d["project"].update(commit="HEAD"),
        lambda d: d["contracts"][0].update(source={"kind": "url"}),
        lambda d: d["contracts"][0]["calls"][0].pop("findings"),
        lambda d: d["contracts"][0]["calls"][0]["findings"].append({"code": "CL001"}),
    ]
    assert_rejects(check, doc, broken)


# --- the example, in Markdown ------------------------------------------------------------------


def test_markdown_lists_risks_expired_first_with_reason_owner_and_expiry():
    text = example("markdown")
    assert text.startswith(f"# contractlint report — {TODAY}\n")
    rows = [line for line in text.splitlines() if line.startswith("| 20")]
    assert rows[0] == (
        "| 2026-05-31 | **expired** | ads-team | CL001 | "
        f"<code>{BANNER}:16</code> | {BANNER_REASON} |"
    )
    assert rows[1] == (
        "| 2027-02-28 | 92 days left | chat-team | CL004 | "
        f"<code>{STICKERS}:60</code> | {PREFETCH_REASON} |"
    )
    assert text.index("## Accepted risks, by expiry") < text.index("## capability-server")


def test_markdown_has_each_contract_with_counts_calls_and_review_date():
    text = example("markdown")
    cap = text[text.index("## capability-server") : text.index("## profile-service")]
    profile = text[text.index("## profile-service") :]
    assert "Owner: stickers-sre · review by: 2027-03-31" in cap
    assert "Owner: profiles-team · review by: 2027-06-30" in profile
    header = "| compliant | approved wrapper | accepted | baselined | violating |"
    assert f"{header}\n|---|---|---|---|---|\n| 3 | 2 | 1 | 0 | 7 |" in cap
    assert f"{header}\n|---|---|---|---|---|\n| 0 | 0 | 0 | 0 | 1 |" in profile
    calls = [
        line
        for line in cap.splitlines()
        if re.match(r"\| (compliant|approved wrapper|accepted|violating)\b.* \| <code>", line)
    ]
    assert Counter(line.split(" | ")[0][2:].split(" (")[0] for line in calls) == {
        "compliant": 3,
        "approved wrapper": 2,
        "accepted": 1,
        "violating": 7,
    }
    assert (
        f"| accepted (until 2027-02-28, chat-team: {PREFETCH_REASON}) | "
        f"<code>{STICKERS}:59</code> | "
        "<code>capability_client.CapabilityClient.check</code> | warm_preview_cache |"
    ) in cap
    assert (
        f"| violating | <code>{BANNER}:17</code> | "
        "<code>profile_client.ProfileClient.lookup</code> | banners_for |" in profile
    )
    # Each contract's own risks, under it.
    assert f"<code>{BANNER}:16</code>" in profile and f"<code>{BANNER}:16</code>" not in cap


def test_markdown_tables_are_well_formed():
    """Every row of a table has as many cells as its header: a reason with a `|` cannot break it."""
    for table in re.findall(r"((?:^\|.*\|\n)+)", example("markdown"), flags=re.M):
        widths = {len(re.split(r"(?<!\\)\|", row)) for row in table.splitlines()}
        assert len(widths) == 1, table


# --- the example, in HTML ----------------------------------------------------------------------


def test_html_is_one_self_contained_page():
    text = example("html")
    page = parse(text)
    assert text.startswith("<!DOCTYPE html>")
    assert page.errors == [] and page.stack == []
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "action", "data"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, attrs)
        assert tag not in ("script", "link", "iframe", "object", "embed", "img"), (tag, attrs)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, flags=re.I)
    assert not re.search(r"url\(|@import", text, flags=re.I)
    assert "<script" not in text.lower()


def test_html_shows_risks_states_counts_and_review_dates():
    page = parse(example("html"))
    text = " ".join(" ".join(page.text).split())
    assert text.index("2026-05-31 expired ads-team CL001") < text.index(
        "2027-02-28 92 days left chat-team CL004"
    )
    assert BANNER_REASON in text and PREFETCH_REASON in text
    assert "Owner: stickers-sre · review by: 2027-03-31" in text
    assert "Owner: profiles-team · review by: 2027-06-30" in text
    assert "compliant approved wrapper accepted baselined violating 3 2 1 0 7" in text
    assert "compliant approved wrapper accepted baselined violating 0 0 0 0 1" in text
    assert f"accepted until 2027-02-28, chat-team: {PREFETCH_REASON}" in text
    assert text.count("violating " + GALLERY) == 7
    expired_cells = [t for t, a in page.tags if a.get("class") == "expired"]
    assert expired_cells  # the expired risk stands out
    bars = [a for t, a in page.tags if t == "svg"]
    assert [a["aria-label"] for a in bars] == [
        "compliant 3, approved wrapper 2, accepted 1, violating 7",
        "violating 1",
    ]


# --- other states and cases, on small projects --------------------------------------------------


def test_baselined_calls_show_as_baselined(tmp_path):
    baseline = tmp_path / "baseline.json"
    written = run(
        "check", "examples/sticker_gallery", "--today", TODAY, "--write-baseline", str(baseline)
    )
    assert written.exit_code == 0, written.stderr
    doc = example_json("--baseline", str(baseline))
    cap = doc["contracts"][0]
    assert cap["counts"] == {
        "compliant": 3,
        "approved wrapper": 2,
        "accepted": 1,
        "baselined": 7,
        "violating": 0,
    }
    assert {c["state"] for c in cap["calls"] if c["path"] == GALLERY} == {"baselined"}
    assert doc["contracts"][1]["counts"]["violating"] == 1
    text = report("markdown", "--baseline", str(baseline))
    assert "| 3 | 2 | 1 | 7 | 0 |" in text
    assert f"| baselined | <code>{GALLERY}:14</code> |" in text


CONFIG = '[tool.contractlint]\ncontracts = ["contracts/svc.toml"]\n'
CONTRACT = """\
version = 1

[contract]
name = "svc"
summary = "A service"
owner = "svc-team"
review_by = {review_by}

[errors]
"svc_client.SvcError" = ["Exception"]

[[calls]]
match = ["svc_client.call"]
policy = "fail-open"
fallback = "None"
"""


def small(tmp_path: Path, code: str, review_by: str = "2027-12-31") -> Path:
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "svc.toml").write_text(CONTRACT.format(review_by=review_by))
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    (tmp_path / "app.py").write_text(textwrap.dedent(code))
    return tmp_path


def test_risks_are_sorted_by_expiry_expired_first_and_undated_last(tmp_path):
    root = small(
        tmp_path,
        """\
        import svc_client
        def a():
            return svc_client.call()  # contractlint: accept CL001 until=2026-12-31 owner=a -- later
        def b():
            return svc_client.call()  # contractlint: accept CL001 owner=b -- no date
        def c():
            return svc_client.call()  # contractlint: accept CL001 until=2026-01-01 owner=c -- long expired
        def d():
            return svc_client.call()  # contractlint: accept CL001 until=2026-11-28 owner=d -- last day
        def e():
            return svc_client.call()  # contractlint: accept CL001 until=2026-11-27 owner=e -- just expired
        def f():
            return 1  # contractlint: accept CL004 until=2026-12-01 owner=f -- stale
        """,  # noqa: E501
    )
    doc = json.loads(report("json", cwd=root, paths=(".",)))
    validator().validate(doc)
    assert [(r["owner"], r["status"]) for r in doc["risks"]] == [
        ("c", "expired"),
        ("e", "expired"),
        ("d", "0 days left"),
        ("f", "3 days left"),
        ("a", "33 days left"),
        ("b", "no expiry"),
    ]
    # The stale acceptance names no finding, so no contract; each contract lists its
    # own, in the same order.
    assert [r["owner"] for r in doc["contracts"][0]["risks"]] == ["c", "e", "d", "a", "b"]
    assert doc["contracts"][0]["counts"] == {
        "compliant": 0,
        "approved wrapper": 0,
        "accepted": 3,
        "baselined": 0,
        "violating": 2,
    }
    markdown = report("markdown", cwd=root, paths=(".",))
    owners = [
        line.split(" | ")[2]
        for line in markdown.split("## svc")[0].splitlines()
        if line.startswith("| 20") or line.startswith("| —")
    ]
    assert owners == ["c", "e", "d", "f", "a", "b"]
    assert "| 2026-11-28 | 0 days left | d |" in markdown
    assert "| — | no expiry | b |" in markdown


def test_an_overdue_review_is_flagged(tmp_path):
    root = small(tmp_path, "import svc_client\n", review_by="2026-06-30")
    doc = json.loads(report("json", cwd=root, paths=(".",)))
    validator().validate(doc)
    assert (doc["contracts"][0]["review_by"], doc["contracts"][0]["review_overdue"]) == (
        "2026-06-30",
        True,
    )
    assert "review by: 2026-06-30 (**overdue**)" in report("markdown", cwd=root, paths=(".",))
    html_text = " ".join(parse(report("html", cwd=root, paths=(".",))).text)
    assert "2026-06-30 (overdue)" in html_text
    on_time = json.loads(
        run("report", ".", "--today", "2026-06-30", "--format", "json", cwd=root).stdout
    )
    assert on_time["contracts"][0]["review_overdue"] is False


def test_reasons_are_escaped_in_markdown_and_html(tmp_path):
    reason = "a | b <script>alert(1)</script> & c"
    root = small(
        tmp_path,
        f"""\
        import svc_client
        def a():
            return svc_client.call()  # contractlint: accept CL001 owner=x -- {reason}
        """,
    )
    markdown = report("markdown", cwd=root, paths=(".",))
    assert "a \\| b \\<script\\>alert(1)\\</script\\> \\& c" in markdown
    text = report("html", cwd=root, paths=(".",))
    assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; c" in text
    assert reason in " ".join(parse(text).text)
    for table in re.findall(r"((?:^\|.*\|\n)+)", markdown, flags=re.M):
        assert len({len(re.split(r"(?<!\\)\|", row)) for row in table.splitlines()}) == 1


def test_report_exits_0_with_violations_and_writes_to_a_file(tmp_path):
    target = tmp_path / "report.html"
    result = run(
        "report", "examples/", "--today", TODAY, "--format", "html", "--output", str(target)
    )
    assert (result.exit_code, result.stdout) == (0, "")
    assert target.read_text(encoding="utf-8") == example("html")


def test_report_rejects_an_unknown_format():
    result = run("report", "examples/", "--format", "pdf")
    assert result.exit_code == 2
    assert "pdf" in result.stderr
