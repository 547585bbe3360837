"""`contractlint report --from`: the owners' report, merged from the inventories of many projects.

The two consumer projects under examples/owners/ save their inventories as their CI would; the
owners merge them. The tests read what an owner reads: both projects, both accepted risks by
expiry, what a fix changes `--since` the last merge, stale data and older contracts flagged; and
that bad input is one line naming the file, never a traceback.
"""

from __future__ import annotations

import html as html_module
import json
import re
import shutil
from pathlib import Path

import cmarkgfm
import jsonschema
import pytest
from clirun import invoke
from cmarkgfm.cmark import Options
from formats import assert_rejects, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import contractlint

ROOT = Path(__file__).resolve().parents[2]
OWNERS = ROOT / "examples" / "owners"
SCHEMAS = Path(contractlint.__file__).parent / "schemas"
TODAY = "2026-11-28"
BOT_REASON = "suggestions are a hint; the bot retries next message"
SHOP_REASON = "the badge is cosmetic; the page retries"


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def save_inventory(project: Path, target: Path, today: str = TODAY) -> dict:
    """What a consumer's CI does: `contractlint report --format json --output FILE`."""
    result = invoke(
        "report", "--today", today, "--format", "json", "--output", str(target), cwd=project
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(target.read_text(encoding="utf-8"))
    validator("inventory-v2.schema.json").validate(doc)
    return doc


def merge(*args: str, today: str = TODAY, fmt: str = "json", code: int = 0):
    result = invoke("report", "--today", today, "--format", fmt, *args)
    assert result.exit_code == code, result.stdout + result.stderr
    if fmt == "json" and code == 0:
        doc = json.loads(result.stdout)
        validator("owners-report-v1.schema.json").validate(doc)
        return doc, result
    return result.stdout, result


@pytest.fixture
def inventories(tmp_path) -> Path:
    """The two example consumers' inventories, saved side by side as the owners collect them."""
    folder = tmp_path / "inventories"
    folder.mkdir()
    for name in ("sticker-bot", "shop-web"):
        save_inventory(OWNERS / name, folder / f"{name}.json")
    return folder


# --- the example: two consumers, one report ---------------------------------------------------


def test_each_inventory_names_its_project(inventories):
    bot = json.loads((inventories / "sticker-bot.json").read_text())
    assert bot["project"]["name"] == "sticker-bot"  # [project] name of its pyproject.toml
    assert [r["until"] for r in bot["risks"]] == ["2027-01-31"]


def test_two_projects_merge_into_one_report_with_both_risks_earliest_expiry_first(inventories):
    doc, _ = merge("--from", str(inventories / "*.json"))
    assert [p["name"] for p in doc["projects"]] == ["shop-web", "sticker-bot"]
    assert [(r["project"], r["until"], r["owner"], r["reason"]) for r in doc["risks"]] == [
        ("sticker-bot", "2027-01-31", "bot-team", BOT_REASON),
        ("shop-web", "2027-04-30", "shop-team", SHOP_REASON),
    ]
    (cap,) = doc["contracts"]
    assert cap["name"] == "capability-server"
    assert {u["name"]: u["counts"] for u in cap["projects"]} == {
        "shop-web": {
            "compliant": 1,
            "approved wrapper": 0,
            "accepted": 1,
            "baselined": 0,
            "violating": 1,
        },
        "sticker-bot": {
            "compliant": 1,
            "approved wrapper": 0,
            "accepted": 1,
            "baselined": 0,
            "violating": 0,
        },
    }
    assert cap["counts"]["accepted"] == 2 and cap["counts"]["compliant"] == 2
    assert [r["project"] for r in cap["risks"]] == ["sticker-bot", "shop-web"]
    shop = next(u for u in cap["projects"] if u["name"] == "shop-web")
    assert [(c["path"], c["line"], c["state"]) for c in shop["calls"]] == [
        ("shop_web/checkout.py", 17, "compliant"),
        ("shop_web/checkout.py", 24, "accepted"),
        ("shop_web/checkout.py", 29, "violating"),
    ]
    assert doc["since"] is None and doc["stale_after"] is None


def test_the_markdown_and_html_name_both_projects_and_risks_in_order(inventories):
    files = (
        "--from",
        str(inventories / "shop-web.json"),
        "--from",
        str(inventories / "sticker-bot.json"),
    )
    markdown, _ = merge(*files, fmt="markdown")
    assert markdown.startswith(f"# contractlint owners' report — {TODAY}\n")
    register = markdown[markdown.index("### Risk register of capability") :]
    assert register.index(BOT_REASON) < register.index(SHOP_REASON)
    assert "| sticker-bot | 1 | 0 | 1 | 0 | 0 | capability-client 1.0.0 |  |" in markdown
    assert "| shop-web | 1 | 0 | 1 | 0 | 1 | capability-client 1.0.0 |  |" in markdown
    assert "| 2027-01-31 | 64 days left | sticker-bot | bot-team | CL001 |" in markdown
    page = parse(merge(*files, fmt="html")[0])
    assert page.errors == [] and page.stack == []
    text = " ".join(" ".join(page.text).split())
    assert text.index("2027-01-31 64 days left sticker-bot bot-team CL001") < text.index(
        "2027-04-30 153 days left shop-web shop-team CL001"
    )
    assert "shop-web: 3 calls" in text and "sticker-bot: 2 calls" in text


def test_after_a_fix_since_the_earlier_merge_reports_it_fixed(inventories, tmp_path):
    earlier = tmp_path / "merged-2026-11.json"
    result = invoke(
        "report", "--from", str(inventories / "*.json"), "--today", TODAY,
        "--format", "json", "--output", str(earlier),
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    shop = tmp_path / "shop-web"
    shutil.copytree(OWNERS / "shop-web", shop)
    code = shop / "shop_web" / "checkout.py"
    fixed = code.read_text().replace(
        "    capability = client.check(user, pack)\n    return {",
        "    try:\n        capability = client.check(user, pack)\n"
        "    except CapabilityError:\n        capability = Capability.static_only()\n    return {",
    )
    assert fixed != code.read_text()
    code.write_text(fixed)
    later = "2026-12-28"
    save_inventory(shop, inventories / "shop-web.json", today=later)
    save_inventory(OWNERS / "sticker-bot", inventories / "sticker-bot.json", today=later)
    doc, _ = merge("--from", str(inventories / "*.json"), "--since", str(earlier), today=later)
    assert doc["since"]["date"] == TODAY
    (change,) = doc["since"]["projects"]
    assert (change["name"], change["status"]) == ("shop-web", "changed")
    assert [(v["path"], v["line"], v["code"], v["scope"]) for v in change["fixed"]] == [
        ("shop_web/checkout.py", 29, "CL001", "preview")
    ]
    assert change["fixed"][0]["fingerprint"]
    assert change["new_violations"] == change["newly_accepted"] == change["expired"] == []
    markdown, _ = merge(
        "--from", str(inventories / "*.json"), "--since", str(earlier), today=later, fmt="markdown"
    )
    assert "- shop-web: 1 fixed\n" in markdown
    assert (
        "| fixed | shop-web | capability-server | CL001 | <code>shop_web/checkout.py:29</code> |"
        in markdown
    )
    text = " ".join(
        parse(
            merge(
                "--from",
                str(inventories / "*.json"),
                "--since",
                str(earlier),
                today=later,
                fmt="html",
            )[0]
        ).text
    )
    assert "fixed shop-web capability-server CL001 shop_web/checkout.py:29" in " ".join(
        text.split()
    )


# --- what --since, --stale-after and versions tell, on edited inventories ---------------------


def edit(path: Path, change) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc, indent=2))


def merged_file(folder: Path, target: Path, today: str, *paths: Path) -> Path:
    args = [a for p in paths for a in ("--from", str(p))] or ["--from", str(folder / "*.json")]
    result = invoke("report", *args, "--today", today, "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    return target


def test_since_tells_new_violations_accepted_and_expired_risks_and_projects_that_came_and_went(
    inventories, tmp_path
):
    bot, shop = inventories / "sticker-bot.json", inventories / "shop-web.json"
    # Last month: sticker-bot only, its acceptance still running; shop-web's violation not
    # yet there.
    old_bot = tmp_path / "old-bot.json"
    shutil.copy(bot, old_bot)
    edit(old_bot, lambda d: d["risks"].clear())
    earlier = merged_file(inventories, tmp_path / "earlier.json", "2027-01-15", old_bot)
    doc, _ = merge(
        "--from", str(bot), "--from", str(shop), "--since", str(earlier), today="2027-02-15"
    )
    changes = {c["name"]: c for c in doc["since"]["projects"]}
    assert changes["shop-web"]["status"] == "appeared"
    bot_change = changes["sticker-bot"]
    assert bot_change["status"] == "changed"
    assert [(r["owner"], r["until"], r["expired"]) for r in bot_change["newly_accepted"]] == [
        ("bot-team", "2027-01-31", True)
    ]
    assert [r["status"] for r in bot_change["expired"]] == ["expired"]
    # The acceptance expired after the earlier merge: it is reported expired, then not again.
    again = merged_file(inventories, tmp_path / "again.json", "2027-01-15", bot)
    doc, _ = merge("--from", str(bot), "--since", str(again), today="2027-02-15")
    (change,) = doc["since"]["projects"]
    assert change["newly_accepted"] == [] and [r["owner"] for r in change["expired"]] == [
        "bot-team"
    ]
    assert doc["risks"][0]["status"] == "expired"  # judged on the merge's date, not the inventory's
    later = merged_file(inventories, tmp_path / "later.json", "2027-02-15", bot)
    doc, _ = merge("--from", str(bot), "--since", str(later), today="2027-03-15")
    assert doc["since"]["projects"] == []
    # A project that is gone, and a violation that is new.
    edit(shop, lambda d: d["contracts"][0]["calls"][0].update(state="violating", findings=[]))
    doc, _ = merge("--from", str(shop), "--since", str(again), today="2027-02-15")
    changes = {c["name"]: c for c in doc["since"]["projects"]}
    assert changes["sticker-bot"]["status"] == "disappeared"
    assert changes["shop-web"]["status"] == "appeared"
    both = merged_file(inventories, tmp_path / "both.json", "2027-01-15")
    edit(shop, lambda d: d["contracts"][0]["calls"][1].update(state="violating", acceptance=None))
    doc, _ = merge("--from", str(inventories / "*.json"), "--since", str(both), today="2027-01-15")
    (change,) = doc["since"]["projects"]
    assert [(v["line"], v["code"], v["fingerprint"]) for v in change["new_violations"]] == [
        (24, None, None)
    ]  # no finding named: known by path, callee and enclosing function
    markdown, _ = merge(
        "--from",
        str(inventories / "*.json"),
        "--since",
        str(both),
        today="2027-01-15",
        fmt="markdown",
    )
    assert "- shop-web: 1 new violation\n" in markdown


def shipped(version: str) -> dict[str, str]:
    return {"kind": "distribution", "name": "capability-client", "version": version}


def test_stale_inventories_and_older_contract_versions_are_flagged(inventories):
    bot, shop = inventories / "sticker-bot.json", inventories / "shop-web.json"
    edit(bot, lambda d: d.update(date="2026-09-01"))
    # Each ran the release of the client package it had installed: the contract's version is
    # the package's.
    edit(bot, lambda d: d["contracts"][0].update(version="2026.9", source=shipped("2026.9")))
    edit(shop, lambda d: d["contracts"][0].update(version="2026.10", source=shipped("2026.10")))
    doc, _ = merge("--from", str(inventories / "*.json"), "--stale-after", "30")
    assert {p["name"]: (p["age_days"], p["stale"]) for p in doc["projects"]} == {
        "shop-web": (0, False),
        "sticker-bot": (88, True),
    }
    (cap,) = doc["contracts"]
    assert cap["latest_version"] == "2026.10"
    assert {u["name"]: (u["version"], u["older_version"], u["stale"]) for u in cap["projects"]} == {
        "shop-web": ("2026.10", False, False),
        "sticker-bot": ("2026.9", True, True),
    }
    markdown, _ = merge(
        "--from", str(inventories / "*.json"), "--stale-after", "30", fmt="markdown"
    )
    assert "| sticker-bot | 2026-09-01 | 88 days |" in markdown and "**stale data**" in markdown
    assert "| capability-client 2026.9 | **stale data**, **older contract** |" in markdown
    flags = [
        t
        for t in parse(
            merge("--from", str(bot), "--from", str(shop), "--stale-after", "30", fmt="html")[0]
        ).text
        if t in ("stale data", "older contract")
    ]
    assert flags == ["stale data", "stale data", "older contract"]
    doc, _ = merge("--from", str(inventories / "*.json"))
    assert not any(p["stale"] for p in doc["projects"])  # no --stale-after: no judgement


def test_an_inventory_of_version_1_is_read_and_named_after_its_file(inventories, tmp_path):
    old = tmp_path / "legacy-app.json"
    shutil.copy(inventories / "shop-web.json", old)

    def to_v1(d):
        d.update(version=1)
        d.pop("project")
        for c in d["contracts"]:
            c.pop("source"), c.pop("version")
            for call in c["calls"]:
                call.pop("findings")

    edit(old, to_v1)
    validator("inventory-v1.schema.json").validate(json.loads(old.read_text()))
    doc, _ = merge("--from", str(old), "--from", str(inventories / "sticker-bot.json"))
    assert [(p["name"], p["inventory_version"], p["commit"]) for p in doc["projects"]] == [
        ("legacy-app", 1, None),
        ("sticker-bot", 2, doc["projects"][1]["commit"]),
    ]
    use = doc["contracts"][0]["projects"][0]
    assert (use["name"], use["source"], use["counts"]["violating"]) == ("legacy-app", None, 1)


def test_two_inventories_of_one_project_keep_the_newest_with_a_note(inventories, tmp_path):
    older = tmp_path / "shop-web-october.json"
    shutil.copy(inventories / "shop-web.json", older)
    edit(older, lambda d: (d.update(date="2026-10-01"), d["contracts"][0]["calls"].pop()))
    for order in ((older, inventories / "shop-web.json"), (inventories / "shop-web.json", older)):
        doc, result = merge(*(a for p in order for a in ("--from", str(p))))
        assert [p["date"] for p in doc["projects"]] == [TODAY]
        assert doc["contracts"][0]["counts"]["violating"] == 1
        (note,) = result.stderr.splitlines()
        assert note.startswith("contractlint: note: ") and "'shop-web'" in note
        assert (
            str(older) in note
            and f"using {inventories / 'shop-web.json'} ({TODAY}, the newer)" in note
        )


# --- bad input: one line naming the file, exit 2 ------------------------------------------------


@pytest.mark.parametrize(
    "content, says",
    [
        ('{"version": 2, "tool": {"name": "contractl', r":1:\d+: an inventory that is not valid "
            r"JSON \(damaged or cut short\?\)"),
        (b"\xff\xfe{}", "not an inventory: not UTF-8 text"),
        ('["a list"]', "not a contractlint inventory \\(write one with `contractlint report "
            "--format json`\\)"),
        ('{"version": 1, "tool": "contractlint", "findings": []}', "a contractlint baseline, not "
            "an inventory"),
        ('{"schema_version": 1, "tool": {"name": "contractlint", "version": "0.1.0"}, "findings": '
            '[]}', "the JSON of `contractlint check`, not an inventory"),
        ('{"kind": "contractlint-owners-report", "version": 1}', "a merged owners' report, not an "
            "inventory: give it to --since"),
        ('{"version": 3, "tool": {"name": "contractlint", "version": "9.0"}}',
            "an inventory of schema version 3, newer than contractlint .* reads \\(up to 2\\): "
            "upgrade contractlint"),
        ('{"version": "2", "tool": {"name": "contractlint", "version": "9.0"}}',
            "not a contractlint inventory: no schema version"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_readable_inventory_is_one_line(tmp_path, inventories, content, says):
    bad = tmp_path / "bad.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    _, result = merge("--from", str(inventories / "*.json"), "--from", str(bad), code=2)
    (line,) = result.stderr.splitlines()
    assert re.fullmatch(
        f"contractlint: error: {re.escape(str(bad))}{says}.*", line
    ) or re.fullmatch(f"contractlint: error: {re.escape(str(bad))}: {says}.*", line), line
    assert result.stdout == ""


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda d: d["contracts"][0]["calls"][1].update(line="24"), "contracts[1].calls[2].line: "
            "expected a whole number from 1, got '24'"),
        (lambda d: d["contracts"][0]["calls"][0].update(state="fine"),
            "contracts[1].calls[1].state: expected one of compliant, approved wrapper, accepted, "
            "baselined, violating, got 'fine'"),
        (lambda d: d.update(date="28/11/2026"), "date: expected a date like 2026-11-28, got "
            "'28/11/2026'"),
        (lambda d: d["risks"][0].update(until="soon"), "risks[1].until: expected a date like "
            "2026-11-28 or null, got 'soon'"),
        (lambda d: d["project"].pop("name"), "project.name: expected a non-empty string, got None"),
        (lambda d: d["contracts"][0].update(source="builtin"), "contracts[1].source: expected a "
            "table with kind builtin, path or distribution, got 'builtin'"),
        (lambda d: d["contracts"][0]["calls"][2]["findings"].append("CL001"),
            "contracts[1].calls[3].findings[2]: expected an object, got 'CL001'"),
        (lambda d: d.pop("contracts"), "contracts: expected a list, got None"),
    ],
)  # fmt: skip
def test_a_damaged_inventory_names_the_file_and_the_key(inventories, change, says):
    shop = inventories / "shop-web.json"
    edit(shop, change)
    _, result = merge("--from", str(inventories / "*.json"), code=2)
    assert result.stderr.splitlines() == [f"contractlint: error: {shop}: {says}"]


def test_every_bad_file_is_named_at_once(tmp_path):
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text("{}")
    _, result = merge(
        "--from", str(tmp_path / "*.json"), "--from", str(tmp_path / "none.json"), code=2
    )
    lines = result.stderr.splitlines()
    assert [line.split(": ")[2] for line in lines] == [
        str(tmp_path / n) for n in ("a.json", "b.json", "none.json")
    ]
    assert lines[2].endswith("cannot read an inventory: No such file or directory")


def test_usage_errors(inventories, tmp_path):
    some = str(inventories / "shop-web.json")
    for args, says in [
        (("--from", str(tmp_path / "nothing-*.json")), f"--from {tmp_path / 'nothing-*.json'}: no "
            "file matches"),
        (("--from", some, "examples/"), "--from merges saved inventories: PATHS (for checking "
            "code) cannot go with it"),
        (("--from", some, "--project", "x"), "--from merges saved inventories: --project (for "
            "checking code) cannot go with it"),
        (("--since", some), "--since needs --from"),
        (("--stale-after", "3"), "--stale-after needs --from"),
        (("--from", some, "--since", some), f"{some}: an inventory, not a merged owners' report "
            "(give --since the JSON of an earlier `contractlint report --from ... --format json`)"),
        (("--from", some, "--stale-after", "-1"), "report: Invalid value for '--stale-after': -1 "
            "is not in the range x>=0."),
    ]:  # fmt: skip
        _, result = merge(*args, code=2)
        assert result.stderr.splitlines() == [f"contractlint: error: {says}"], args


def test_a_merged_report_of_a_newer_schema_is_refused_by_since(inventories, tmp_path):
    later = tmp_path / "later.json"
    later.write_text('{"kind": "contractlint-owners-report", "version": 2}')
    _, result = merge("--from", str(inventories / "*.json"), "--since", str(later), code=2)
    assert "a merged owners' report of schema version 2, newer than contractlint" in result.stderr


# --- every text consumers write is data -------------------------------------------------------

HOSTILE = (
    "a | b <script>alert(1)</script> *em* _u_ [x](http://e.x) www.e.x `tick`` ~~s~~ $x$ &amp; "
    "\\| ![i](y) <!-- c"
)


def hostile(inventories: Path) -> None:
    def spoil(d):
        d["project"]["name"] = "team " + HOSTILE
        c = d["contracts"][0]
        for call in c["calls"]:
            call.update(path="src/" + HOSTILE + ".py", callee="svc." + HOSTILE, scope=HOSTILE)
        d["risks"][0].update(owner=HOSTILE, reason=HOSTILE, path=HOSTILE)
        c["summary"] = HOSTILE

    edit(inventories / "shop-web.json", spoil)


def test_markdown_shows_every_consumer_text_literally(inventories):
    hostile(inventories)
    markdown, _ = merge("--from", str(inventories / "*.json"), fmt="markdown")
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    page = parse(rendered)
    # No tag, link, emphasis, code or math made of the consumer's text.
    assert {t for t, _ in page.tags} <= {
        "h1",
        "h2",
        "h3",
        "h4",
        "p",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "strong",
        "ul",
        "li",
    }
    assert not [a for t, a in page.tags if a.get("href")]
    cells = [t for t in page.text if "alert" in t]
    assert cells and all("<script>alert(1)</script>" in c for c in cells)
    flat = " ".join(" ".join(page.text).split())
    for shown in (f"team {HOSTILE}", f"src/{HOSTILE}.py:", f"svc.{HOSTILE}"):
        assert shown in flat, shown
    # Every table row has as many cells as its header.
    for table in re.findall(r"<table>.*?</table>", rendered, flags=re.S):
        widths = {
            len(re.findall(r"<t[hd][ >]", row))
            for row in re.findall(r"<tr>.*?</tr>", table, flags=re.S)
        }
        assert len(widths) == 1, table


def test_html_shows_every_consumer_text_literally(inventories):
    hostile(inventories)
    text, _ = merge("--from", str(inventories / "*.json"), fmt="html")
    page = parse(text)
    assert page.errors == [] and page.stack == []
    assert "script" not in {t for t, _ in page.tags} and "a" not in {t for t, _ in page.tags}
    flat = " ".join(" ".join(page.text).split())
    for shown in (f"team {HOSTILE}", f"src/{HOSTILE}.py:", f"svc.{HOSTILE}", HOSTILE):
        assert shown in flat, shown


def test_markdown_code_spans_hold_any_backticks():
    from cmarkgfm.cmark import Options

    from contractlint.output.owners import md_code, md_text

    for text in ("plain", "a`b", "``x``", "`edge`", "p|q", "a\\|b", "<b>&amp;"):
        html = cmarkgfm.github_flavored_markdown_to_html(
            f"| h |\n|---|\n| {md_code(text)} |", options=Options.CMARK_OPT_UNSAFE
        )
        cell = re.search(r"<td>(.*)</td>", html).group(1)
        inner = re.fullmatch(r"<code>(.*)</code>", cell).group(1)
        assert html_module.unescape(inner) == text, text
    assert md_text("a\nb\tc") == "a b c" and md_code("") == ""


# --- the merged JSON ----------------------------------------------------------------------------


def test_merged_json_is_deterministic_and_the_same_on_stdout_and_in_a_file(inventories, tmp_path):
    first, _ = merge("--from", str(inventories / "*.json"), fmt="markdown")
    target = tmp_path / "owners.json"
    merged_file(inventories, target, TODAY)
    out = invoke(
        "report", "--from", str(inventories / "*.json"), "--today", TODAY, "--format", "json"
    )
    assert out.stdout == target.read_text(encoding="utf-8")
    assert first == merge("--from", str(inventories / "*.json"), fmt="markdown")[0]


def test_the_merged_schema_is_strict(inventories):
    check = validator("owners-report-v1.schema.json")
    doc, _ = merge("--from", str(inventories / "*.json"))
    broken = [
        lambda d: d.update(extra=1),
        lambda d: d.update(kind="inventory"),
        lambda d: d.update(version=2),
        lambda d: d["projects"][0].pop("stale"),
        lambda d: d["contracts"][0]["projects"][0].update(older_version="no"),
        lambda d: d["contracts"][0]["projects"][0]["calls"][0].update(state="fine"),
        lambda d: d["risks"][0].pop("project"),
        lambda d: d.update(since={"date": TODAY, "file": "x", "projects": [{
            "name": "a", "status": "moved", "new_violations": [], "fixed": [], "newly_accepted": [],
            "expired": [],
        }]}),
    ]  # fmt: skip
    assert_rejects(check, doc, broken)


def test_the_fast_reading_of_a_call_agrees_with_the_checked_one(inventories):
    """Well-formed calls are read by a fast path; the checking path must read them the same."""
    from contractlint.owners.read import _call, _Check, _plain_call

    calls = [
        call
        for name in ("shop-web", "sticker-bot")
        for c in json.loads((inventories / f"{name}.json").read_text())["contracts"]
        for call in c["calls"]
    ]
    calls.append({**calls[0], "findings": [{"code": "CL002", "fingerprint": "0" * 20}]})
    fast = [_plain_call(call, 2) for call in calls]
    assert sum(1 for f in fast if f is not None) >= len(calls) - 2  # the accepted ones go slow
    for call, quick in zip(calls, fast):
        if quick is not None:
            assert quick == _call(_Check("x"), call, "call", 2)
    for spoilt in (
        {"line": True},
        {"scope": None},
        {"findings": [{"code": "CL001"}]},
        {"state": "ok"},
    ):
        assert _plain_call({**calls[0], **spoilt}, 2) is None


# --- any damage: exit 0 or one line naming the file, never a traceback --------------------------

SAMPLE = OWNERS / "shop-web"
_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(value, path=()):
    """Every place in a JSON document: the paths of its keys and items."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _places(item, (*path, i))


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict:
    """A real inventory and a real merged report, to damage."""
    folder = tmp_path_factory.mktemp("sample")
    inventory = save_inventory(SAMPLE, folder / "shop-web.json")
    result = invoke(
        "report", "--from", str(folder / "shop-web.json"), "--today", TODAY, "--format", "json"
    )
    return {
        "inventory": inventory,
        "merged": json.loads(result.stdout),
        "file": folder / "shop-web.json",
    }


@pytest.mark.parametrize("kind", ["inventory", "merged"])
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_a_damaged_file_never_raises(samples, tmp_path, kind, data):
    """An inventory for --from, or a merged report for --since, damaged anywhere."""
    doc = json.loads(json.dumps(samples[kind]))
    places = list(_places(doc))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(places))
        value = data.draw(_json_values)
        if not path:
            doc = value
            break
        holder = doc
        try:
            for step in path[:-1]:
                holder = holder[step]
            if data.draw(st.booleans()) and isinstance(holder, dict):
                holder.pop(path[-1], None)
            else:
                holder[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    bad = tmp_path / "damaged.json"
    bad.write_text(json.dumps(doc))
    args = (
        ["--from", str(bad)]
        if kind == "inventory"
        else ["--from", str(samples["file"]), "--since", str(bad)]
    )
    for fmt in ("json", "markdown"):
        result = invoke("report", *args, "--today", TODAY, "--format", fmt)
        assert result.exit_code in (0, 2), result.stderr
        if result.exit_code == 2:
            (line,) = result.stderr.splitlines()
            assert line.startswith(f"contractlint: error: {bad}"), line


def test_an_output_that_cannot_be_written_is_one_line_and_leaves_nothing(inventories, tmp_path):
    target = tmp_path / "missing" / "owners.html"
    _, result = merge("--from", str(inventories / "*.json"), "--output", str(target), code=2)
    assert result.stderr.splitlines() == [
        f"contractlint: error: {target}: cannot write: No such file or directory"
    ]
    assert not target.parent.exists()
