"""The rule catalogue: one code, one name, one page of ``contractlint explain``.

Each rule's ``invalid`` and ``valid`` snippets are checked by the test-suite against the
example's ``capability-server`` contract (shipped by ``examples/capability-client``), so the pages
cannot drift from what the analysis does. ``contractlint.model.rules`` finds a rule and builds
its findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from contractlint.model.vocabulary import Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    what: str
    why: str
    invalid: tuple[str, ...] = ()
    valid: tuple[str, ...] = ()

    def page(self) -> str:
        """The ``explain`` page, in Markdown."""
        parts = [
            f"# {self.code} {self.name}",
            "",
            self.summary,
            "",
            "## What it does",
            "",
            self.what,
            "",
            "## Why is this bad?",
            "",
            self.why,
            "",
        ]
        if self.invalid:
            parts += ["## Example", "", "```python", self.invalid[0].rstrip(), "```", ""]
        if self.valid:
            parts += ["## Use instead", "", "```python", self.valid[0].rstrip(), "```", ""]
        parts += [
            f"Fix: {FIXES.get(self.code, _NO_FIX)}",
            "",
            f"Default severity: {self.severity}.",
        ]
        return "\n".join(parts) + "\n"


_NO_FIX = "none, a suggestion only: a person must decide."
#: Whether ``check --fix`` can resolve a rule's findings, and how (the explain page says it).
FIXES = {
    "CL001": (
        "safe, applied by `check --fix`, where the contract decides the handler: the statement "
        "holding the call is wrapped in `try`/`except` (the group's errors, spelled as the file "
        "imports them) with a handler that binds or returns the fallback in place of the call, or, "
        "for a call whose value is dropped under `fail-open`, logs on the module's logger. A "
        "suggestion only where a person must choose: no fallback, `fail-closed` (a bare re-raise "
        "would change nothing), a policy of `any` without a fallback, a statement whose other "
        "calls the handler would repeat, and a call in a comprehension, a lambda, a condition, a "
        "decorator or a default value."
    ),
    "CL002": (
        "safe, applied by `check --fix`: the missing errors are added to the clause that covers "
        "the others, in place of any name there that derives from one of them (a suggestion only "
        "when that handler itself breaks the policy, or is `contextlib.suppress`)."
    ),
    "CL003": _NO_FIX,
    "CL004": _NO_FIX,
    "CL005": _NO_FIX,
    "CL006": (
        "safe, applied by `check --fix` when the contract gives a fallback: the handler binds the "
        "name to it (in place of a lone `pass`)."
    ),
}


_IMPORT = "from capability_client import CapabilityClient, CapabilityError, Capability\n"

RULES: tuple[Rule, ...] = (
    Rule(
        code="CL001",
        name="unguarded-call",
        severity=Severity.ERROR,
        summary="A call to the service is not inside any `try` that catches the errors the "
        "contract says it raises.",
        what=(
            "Finds every call that a contract's `[[calls]]` group matches and looks for the `try` "
            "statements whose body holds the call in the same function. When none of them has an "
            "`except` clause that catches any of the group's `raises` (by name or through a base "
            "class), the call is unguarded. A call passed to an approved wrapper, or made in a "
            "function with an approved decorator, complies. The error is followed through the "
            "project's own functions: a function that lets it escape is a carrier, its calls are "
            "judged like the service's, and the finding is where the error leaves the project (a "
            "function no checked code calls), naming the path: `... escapes here via "
            "TalkService._check -> CapabilityClient.check`. A helper whose every caller handles "
            "the error is compliant; a `Raises:` docstring section or the `propagate` setting lets "
            "it leave on purpose (docs/propagation.md)."
        ),
        why=(
            "When the service is down, the error escapes to whatever happens to be above: usually "
            "a 500 for a feature the service's owners meant to degrade gracefully. The contract "
            "says how callers must handle the failure (fail open with a fallback, or fail closed); "
            "an unguarded call does neither on purpose."
        ),
        invalid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    cap = client.check(user, sticker)\n"
            "    return cap.animated\n",
            _IMPORT + "async def preview(client: CapabilityClient, user, sticker):\n"
            "    return await client.check_async(user, sticker)\n",
            _IMPORT + "def _check(client: CapabilityClient, user, sticker):\n    return "
            "client.check(user, sticker)\n\ndef send_sticker(client: CapabilityClient, user, "
            "sticker):\n    return _check(client, user, sticker).animated  # the error leaves the "
            "project here\n",
        ),
        valid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        cap = client.check(user, sticker)\n"
            "    except CapabilityError:\n"
            "        cap = Capability.static_only()\n"
            "    return cap.animated\n",
            _IMPORT + "from capability_client import call_with_fallback\n"
            "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    return call_with_fallback(lambda: client.check(user, sticker))\n",
            _IMPORT + "def _check(client: CapabilityClient, user, sticker):\n"
            "    return client.check(user, sticker)  # its only caller handles the error\n"
            "\n"
            "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        return _check(client, user, sticker).animated\n"
            "    except CapabilityError:\n"
            "        return Capability.static_only().animated\n",
            _IMPORT + "def check(client: CapabilityClient, user, sticker):\n"
            '    """Raises:\n'
            "        CapabilityError: when capability-server is down; the caller chooses.\n"
            '    """\n'
            "    return client.check(user, sticker)\n",
        ),
    ),
    Rule(
        code="CL002",
        name="uncovered-error",
        severity=Severity.ERROR,
        summary="The call is guarded, but some errors the contract lists are not caught.",
        what=(
            "The call sits in a `try` that catches some of the call group's `raises` but not all: "
            "a handler that names a subclass (say `CapabilityTimeout`) does not catch its base "
            "(`CapabilityError`), and a builtin `ConnectionError` does not catch a library's own "
            "`ConnectionError` class. The message names the errors that still escape."
        ),
        why=(
            "The failure the owners planned for is usually the one that does not happen in tests. "
            "A handler for timeouts only lets every other outage of the service escape as an "
            "unhandled error."
        ),
        invalid=(
            "from capability_client import CapabilityClient, CapabilityTimeout, Capability\n"
            "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        cap = client.check(user, sticker)\n"
            "    except CapabilityTimeout:\n"
            "        cap = Capability.static_only()\n"
            "    return cap\n",
        ),
        valid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        cap = client.check(user, sticker)\n"
            "    except CapabilityError:\n"
            "        cap = Capability.static_only()\n"
            "    return cap\n",
        ),
    ),
    Rule(
        code="CL003",
        name="policy-violation",
        severity=Severity.ERROR,
        summary="The handler does the opposite of the contract's policy: it raises under "
        "`fail-open`, or can finish without raising under `fail-closed`.",
        what=(
            'Under `policy = "fail-open"` a handler that catches the service\'s errors must '
            "recover: any "
            "`raise` in it (a bare `raise` or `raise X`) breaks the contract. Under `policy = "
            '"fail-closed"` '
            "every path through the handler must raise (or call `sys.exit`); a path that falls "
            "through, "
            "returns, breaks or continues lets the caller go on as if the service had said yes."
        ),
        why=(
            "The policy is the owners' decision about which risk to accept. Failing closed where "
            "they chose to fail open turns an outage of a low-SLO service into an outage of every "
            "feature that calls it; failing open where they chose to fail closed grants what "
            "should have been refused."
        ),
        invalid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        return client.check(user, sticker)\n"
            "    except CapabilityError as exc:\n"
            "        raise RuntimeError('sticker check failed') from exc\n",
        ),
        valid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        return client.check(user, sticker)\n"
            "    except CapabilityError:\n"
            "        return Capability.static_only()\n",
        ),
    ),
    Rule(
        code="CL004",
        name="silent-handler",
        severity=Severity.ERROR,
        summary="The handler catches the service's errors and does nothing.",
        what=(
            "Under `fail-open` or `any`, a covering handler whose body is only `pass`, `...`, "
            "`continue` or `break` (or a `with contextlib.suppress(...)` around the call) swallows "
            "the failure without choosing a fallback, logging or counting it. A retry is not "
            "silent: a handler that `continue`s a loop the call leaves when it succeeds (`return`, "
            "`break`), where the code after the loop falls back (it returns, or binds the name the "
            "call's result is bound to)."
        ),
        why=(
            "A silent handler is how accepted risk becomes invisible risk: nobody sees the outage, "
            "the degraded path is never chosen on purpose, and errors injected in a test "
            "environment go unnoticed."
        ),
        invalid=(
            _IMPORT + "def warm_cache(client: CapabilityClient, user, stickers):\n"
            "    for sticker in stickers:\n"
            "        try:\n"
            "            client.check(user, sticker)\n"
            "        except CapabilityError:\n"
            "            pass\n",
        ),
        valid=(
            _IMPORT + "import logging\n"
            "log = logging.getLogger(__name__)\n"
            "def warm_cache(client: CapabilityClient, user, stickers):\n"
            "    for sticker in stickers:\n"
            "        try:\n"
            "            client.check(user, sticker)\n"
            "        except CapabilityError:\n"
            "            log.warning('capability-server down; cache stays cold')\n",
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    for attempt in range(3):\n"
            "        try:\n"
            "            return client.check(user, sticker)\n"
            "        except CapabilityError:\n"
            "            continue\n"
            "    return Capability.static_only()\n",
        ),
    ),
    Rule(
        code="CL005",
        name="overbroad-handler",
        severity=Severity.ERROR,
        summary="The clause that catches the service's errors is bare `except:` or `except "
        "BaseException` (or `Exception`, where the contract forbids it).",
        what=(
            "A bare `except:` or `except BaseException:` that does not re-raise also swallows "
            "`KeyboardInterrupt`, `SystemExit` and `asyncio.CancelledError`. `except Exception:` "
            "is reported "
            'when the call group says `broad = "warn"` (as a warning) or `broad = "deny"` (as an '
            "error)."
        ),
        why=(
            "The fallback was designed for the service being down, not for cancellation, shutdown "
            "or a bug in the caller's own code: those must not turn into a static sticker."
        ),
        invalid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        return client.check(user, sticker)\n"
            "    except:\n"
            "        return Capability.static_only()\n",
        ),
        valid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        return client.check(user, sticker)\n"
            "    except CapabilityError:\n"
            "        return Capability.static_only()\n",
        ),
    ),
    Rule(
        code="CL006",
        name="unbound-fallback",
        severity=Severity.ERROR,
        summary="The call's result is bound in the `try`, the handler neither binds it nor leaves, "
        "and the name is read after the `try`.",
        what=(
            "Under `fail-open` or `any`: `cap = client.check(...)` inside the `try`, a handler "
            "that logs and goes on, and `cap` read after the `try` statement. When the service is "
            "down, the code crashes with `UnboundLocalError` (or `NameError`) one line later, "
            "instead of degrading."
        ),
        why=(
            "It looks handled in review and in the happy-path tests, and fails exactly when the "
            "service is down: the case the handler was written for."
        ),
        invalid=(
            _IMPORT + "import logging\n"
            "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        cap = client.check(user, sticker)\n"
            "    except CapabilityError:\n"
            "        logging.warning('capability-server down')\n"
            "    return cap.animated\n",
        ),
        valid=(
            _IMPORT + "import logging\n"
            "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    try:\n"
            "        cap = client.check(user, sticker)\n"
            "    except CapabilityError:\n"
            "        logging.warning('capability-server down')\n"
            "        cap = Capability.static_only()\n"
            "    return cap.animated\n",
        ),
    ),
    Rule(
        code="CL100",
        name="malformed-acceptance",
        severity=Severity.ERROR,
        summary="A `# contractlint:` comment that is not a valid acceptance.",
        what=(
            "An acceptance is written exactly `# contractlint: accept CL001[,CL004...] "
            "[until=YYYY-MM-DD] [owner=NAME] -- reason` (a rule's name, such as `unguarded-call`, "
            "may stand for its code), or `accept-file` in the file's header. A comment that starts "
            "with `# contractlint:` but misspells `accept`, names no rule or an unknown one, gives "
            "an unknown option or a date that is not a date, or an `accept-file` below the first "
            "statement, is reported with what is wrong. It accepts nothing."
        ),
        why=(
            "A typo in an acceptance would otherwise silently leave the finding reported, or "
            "worse, look like an accepted risk in review while accepting nothing."
        ),
        invalid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n    return "
            "client.check(user, sticker)  # contractlint: acept CL001 -- typo in accept\n",
        ),
        valid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n    return "
            "client.check(user, sticker)  # contractlint: accept CL001 owner=stickers -- the "
            "caller retries\n",
        ),
    ),
    Rule(
        code="CL101",
        name="acceptance-expired",
        severity=Severity.ERROR,
        summary="An accepted risk is past its `until` date: look at it again.",
        what=(
            "The acceptance's `until=YYYY-MM-DD` is before today (`--today` sets the date). An "
            "expired acceptance no longer suppresses anything, so the finding it covered is "
            "reported again beside it."
        ),
        why=(
            "Risks accepted when a feature earned nothing are not acceptable forever: a banner-ad "
            "feature that hid its banners whenever the profile lookup failed cost months of "
            "revenue once it earned money, and nobody had looked again. The date makes the review "
            "happen."
        ),
        invalid=(
            _IMPORT + "def banner(client: CapabilityClient, user, sticker):\n    # contractlint: "
            "accept CL001 until=2020-01-31 owner=ads -- banners earn nothing yet\n    return "
            "client.check(user, sticker)\n",
        ),
        valid=(
            _IMPORT + "def banner(client: CapabilityClient, user, sticker):\n    # contractlint: "
            "accept CL001 until=2999-01-31 owner=ads -- banners earn nothing yet\n    return "
            "client.check(user, sticker)\n",
        ),
    ),
    Rule(
        code="CL102",
        name="acceptance-without-reason",
        severity=Severity.ERROR,
        summary="An acceptance gives no reason after `--`.",
        what="The acceptance names codes but no reason. It still covers its finding; this one "
        "fails the run until a reason is written.",
        why="An accepted risk nobody can explain cannot be looked at again: the reason is what the "
        "review reads.",
        invalid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n"
            "    return client.check(user, sticker)  # contractlint: accept CL001\n",
        ),
        valid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n    return "
            "client.check(user, sticker)  # contractlint: accept CL001 -- the caller shows a retry "
            "button\n",
        ),
    ),
    Rule(
        code="CL103",
        name="acceptance-unused",
        severity=Severity.WARNING,
        summary="An acceptance accepts nothing: no finding it names is reported where it stands.",
        what=(
            "The code was fixed, moved or deleted, and the comment stayed. Only codes that are "
            "selected are checked, so `--select CL001` does not call a CL004 acceptance unused. An "
            "acceptance of CL001 on a service call inside a helper accepts the error for every "
            "caller it reaches, and is used when it keeps a finding at one of them from being "
            "reported (docs/propagation.md)."
        ),
        why="Stale acceptances read like accepted risks in review and hide the real inventory.",
        invalid=(
            _IMPORT + "def send_sticker(client: CapabilityClient, user, sticker):\n    "
            "try:\n        return client.check(user, sticker)  # contractlint: accept CL001 -- was "
            "unguarded once\n    except CapabilityError:\n        return "
            "Capability.static_only()\n",
        ),
    ),
    Rule(
        code="CL104",
        name="acceptance-against-policy",
        severity=Severity.ERROR,
        summary="An acceptance lacks what the configuration requires of every acceptance: an "
        "owner, a date, a near date.",
        what=(
            "An organisation sets what every acceptance must give, in the configuration it shares "
            "with "
            'its projects: `acceptance-requires = ["until", "owner"]` makes `until=` and `owner=` '
            "required, and `acceptance-max-days = 180` lets a risk be accepted for at most 180 "
            "days from "
            "the run's date (`--today`): a later `until=`, or none at all, is reported. The "
            "acceptance still "
            "covers its finding; this one fails the run until the acceptance is brought within the "
            "policy. "
            "Without these settings, nothing is required but a reason (CL102)."
        ),
        why=(
            "An acceptance with no owner has nobody to look at it again, and one that runs until "
            "2099 is never looked at: the banner-ad risk cost months of revenue because nobody had "
            "to decide again. The policy makes every accepted risk come back to a named person "
            "within a known time."
        ),
        invalid=(
            _IMPORT + "def banner(client: CapabilityClient, user, sticker):\n"
            "    # contractlint: accept CL001 until=2099-01-01 -- banners earn nothing yet\n"
            "    return client.check(user, sticker)\n",
        ),
        valid=(
            _IMPORT + "def banner(client: CapabilityClient, user, sticker):\n    # contractlint: "
            "accept CL001 until=2027-01-31 owner=ads-team -- banners earn nothing yet\n    return "
            "client.check(user, sticker)\n",
        ),
    ),
    Rule(
        code="CL201",
        name="contract-review-overdue",
        severity=Severity.WARNING,
        summary="A contract's `review_by` date has passed.",
        what=(
            "One finding per contract whose `[contract].review_by` is before today, reported "
            "against the "
            "contract file. A warning by default (the exit status does not change); an error when "
            "the "
            'configuration says `review-overdue = "error"`.'
        ),
        why=(
            "The policy in a contract is an accepted risk too (fail open: misuse of stickers while "
            "the server is down). The owners set a date to decide again whether it still holds."
        ),
    ),
    Rule(
        code="CL900",
        name="unparsable-file",
        severity=Severity.ERROR,
        summary="A file could not be read or parsed, so its calls could not be checked.",
        what=(
            "The file has a syntax error, cannot be decoded, or cannot be read. The message gives "
            "the position the parser reported. Files whose text names no module of any contract in "
            "force cannot hold a service call and are not parsed at all, so their syntax errors "
            "are left to your other linters."
        ),
        why="Unknown compliance is not compliance: a file nobody could check fails the run.",
        invalid=("def broken(:\n    pass\n",),
    ),
    Rule(
        code="CL901",
        name="analysis-cut-short",
        severity=Severity.ERROR,
        summary="A file's analysis needed more work than its budget allows; its calls were not "
        "checked, the other files were.",
        what=(
            "The analysis of one file walks its syntax tree once, and at most `analysis-budget` "
            "nodes of it (default 1,000,000: a module of 2 MB walks about 400,000). A file past "
            "the budget gets this one finding at its first line, naming the budget and the line "
            "and function where the walk stopped; whatever the analysis found before the cut is "
            "dropped, and the file's functions are not followed through the project (it is treated "
            "as a file that could not be checked). The budget counts work, not time: a file is cut "
            "short, or not, on every machine alike. Set it in `[tool.contractlint]` "
            "(`analysis-budget = 2000000`), or split the file."
        ),
        why=(
            "Unknown compliance is not compliance: a file nobody could check fails the run, as one "
            "that cannot be parsed does (CL900), and one huge generated module does not hold up "
            "every other file."
        ),
    ),
    Rule(
        code="CL902",
        name="resolution-cut-short",
        severity=Severity.WARNING,
        summary="The project-wide pass stopped resolving what a call may run at one of its limits, "
        "where the rest may carry a service error.",
        what=(
            "Following errors through the project resolves each call's callee through aliases, "
            "instances, factories and class families. One resolution looks at most at "
            "`resolution-budget` names (default 4096), keeps at most `resolution-targets` "
            "functions (default 64: a base-class method with hundreds of overrides) and follows a "
            "chain of at most 13 names. A call whose resolution reached one of these limits is "
            "reported when what was left out matters: past the most targets, when resolving the "
            "name with no bound on them finds a function that lets a service error escape (a "
            "carrier) or a contract's call beyond what the call kept; past the other limits, where "
            "what was left out is not known, when the callee ends as a carrier or a contract's "
            "call does. The message names the limit. The call's other findings stand, from what "
            "was resolved; an error that reaches the call only through what was left out is not "
            "reported. A warning by default: "
            'the exit status does not change (`severity = {CL902 = "error"}` makes it one).'
        ),
        why=(
            "A linter that silently stops looking reports a project as compliant when it does not "
            "know. This finding says where the answer is partial, so that the limit can be raised "
            "in `[tool.contractlint]`, the call made plainer (a narrower type than the family's "
            "base), or the finding accepted with a reason."
        ),
    ),
    Rule(
        code="CL999",
        name="internal-error",
        severity=Severity.ERROR,
        summary="contractlint itself failed on a file; the other files were still checked.",
        what="An unexpected error inside contractlint while analysing one file. The message names "
        "the error.",
        why="The file's calls were not checked. Please report it with the file (or a reduced "
        "copy).",
    ),
)
