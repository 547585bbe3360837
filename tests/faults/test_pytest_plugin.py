"""The pytest plugin, run the way consumers run it: inner pytest sessions through ``pytester``.

Each test writes a small service client (``svc``), its contract and a consumer
(tests/faultproject.py), then runs the consumer's tests with and without ``--contract-faults`` and
reads the outcomes pytest reports. How faults are asked for, and bad input, are in
test_pytest_plugin_setup.py; the runs a test gets in test_pytest_plugin_runs.py; the session's
bookkeeping on plain data in test_faults.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

from faultproject import CONTRACT, EXAMPLES, GUARDED, line_of, outcomes, project, run

pytest_plugins = ["pytester"]


# --- the fallback, proven or not ------------------------------------------------------------------


def test_a_fallback_that_is_missing_fails_naming_the_call_site_the_error_and_where_it_escaped(
    pytester,
):
    project(
        pytester,
        app="""
        import svc

        client = svc.Client()


        def greet(user):
            allowed = client.check(user)
            return "hello" if allowed else "go away"
        """,
        tests="""
        from app import greet


        def test_greet():
            assert greet("alice") == "hello"
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA")
    assert outcomes(result) == {
        "test_app.py::test_greet": "PASSED",
        "test_app.py::test_greet[fault:svc.ServiceError@Client.check]": "FAILED",
    }
    result.assert_outcomes(passed=1, failed=1)
    call_line = line_of(pytester, "app.py", "client.check(user)")
    out = result.stdout.str()
    assert (
        "svc [[calls]][1] (fail-open): svc.ServiceError injected into the call "
        "to svc.Client.check at "
        f"app.py:{call_line} (greet) escaped; the contract says fail open: catch "
        "it and recover with False"
    ) in out
    # The traceback where it escaped: from the test down to the consumer's call, not
    # into the plugin.
    result.stdout.fnmatch_lines(
        [
            "*test_greet*",
            ">*allowed = client.check(user)",
            "E*svc.ServiceError",
            f"app.py:{call_line}: ServiceError",
        ]
    )
    assert "inject.py" not in out


def test_a_fallback_that_degrades_passes_even_when_the_tests_own_assertion_no_longer_holds(
    pytester,
):
    project(
        pytester,
        app="""
        import svc


        def greet(user):
            try:
                allowed = svc.Client().check(user)
            except svc.ServiceError:
                allowed = False
            return "hello" if allowed else "go away"
        """,
        tests="""
        from app import greet


        def test_greet_alice():
            assert greet("alice") == "hello"   # fails under the fault: the degraded answer is "go away"


        def test_greet_bob():
            assert greet("bob") == "go away"
        """,  # noqa: E501
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA")
    result.assert_outcomes(passed=4)
    assert outcomes(result) == {
        "test_app.py::test_greet_alice": "PASSED",
        "test_app.py::test_greet_alice[fault:svc.ServiceError@Client.check]": "PASSED",
        "test_app.py::test_greet_bob": "PASSED",
        "test_app.py::test_greet_bob[fault:svc.ServiceError@Client.check]": "PASSED",
    }
    assert (
        "the test's own check then failed on the degraded result (AssertionError)"
        in result.stdout.str()
    )


def test_a_crash_of_another_type_after_the_error_is_not_degrading(pytester):
    project(
        pytester,
        app="""
        import svc


        def greet(user):
            try:
                allowed = svc.Client().check(user)
            except svc.ServiceError:
                pass
            return "hello" if allowed else "go away"
        """,
        tests="""
        from app import greet


        def test_greet():
            assert greet("alice") == "hello"
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml")
    result.assert_outcomes(passed=1, failed=1)
    line = line_of(pytester, "app.py", ".check(user)")
    result.stdout.fnmatch_lines(
        [
            "*UnboundLocalError after svc.ServiceError injected into the call to svc.Client.check"
            f" at app.py:{line} (greet): the code did not degrade, it crashed*"
        ]
    )


def test_a_handler_that_raises_under_fail_open_fails(pytester):
    project(
        pytester,
        app="""
        import svc


        def greet(user):
            try:
                return svc.Client().check(user)
            except svc.ServiceError as exc:
                raise RuntimeError("no greeting") from exc
        """,
        tests="""
        from app import greet


        def test_greet():
            assert greet("alice")
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml")
    result.assert_outcomes(passed=1, failed=1)
    line = line_of(pytester, "app.py", ".check(user)")
    result.stdout.fnmatch_lines(
        [
            "*RuntimeError was raised from svc.ServiceError injected into the call to "
            f"svc.Client.check at app.py:{line} (greet); the contract says fail "
            "open*instead of raising"
        ]
    )


def test_fail_closed_passes_when_the_error_or_one_raised_from_it_comes_out_and_fails_otherwise(
    pytester,
):
    project(
        pytester,
        app="""
        import svc


        class PurchaseFailed(Exception):
            pass


        def buy_wrapped(user):
            try:
                return svc.Client().buy(user)
            except svc.ServiceError as exc:
                raise PurchaseFailed(user) from exc


        def buy_plain(user):
            return svc.Client().buy(user)


        def buy_swallowed(user):
            try:
                return svc.Client().buy(user)
            except svc.ServiceError:
                return "receipt"


        def buy_crashing(user):
            try:
                return svc.Client().buy(user)
            except svc.ServiceError:
                return {}["receipt"]
        """,
        tests="""
        import app


        def test_wrapped():
            assert app.buy_wrapped("alice") == "receipt"


        def test_plain():
            assert app.buy_plain("alice") == "receipt"


        def test_swallowed():
            assert app.buy_swallowed("alice") == "receipt"


        def test_crashing():
            assert app.buy_crashing("alice") == "receipt"
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA")
    tag = "[fault:svc.ServiceError@Client.buy]"
    assert outcomes(result) == {
        "test_app.py::test_wrapped": "PASSED",
        f"test_app.py::test_wrapped{tag}": "PASSED",
        "test_app.py::test_plain": "PASSED",
        f"test_app.py::test_plain{tag}": "PASSED",
        "test_app.py::test_swallowed": "PASSED",
        f"test_app.py::test_swallowed{tag}": "FAILED",
        "test_app.py::test_crashing": "PASSED",
        f"test_app.py::test_crashing{tag}": "FAILED",
    }
    out = result.stdout.str()
    swallowed, crashing = [
        line_of(pytester, "app.py", f"def buy_{n}(") + 2 for n in ("swallowed", "crashing")
    ]
    assert (
        "svc [[calls]][2] (fail-closed): svc.ServiceError injected into the call to "
        f"svc.Client.buy at app.py:{swallowed} "
        "(buy_swallowed) was swallowed and the test went on; the contract says fail closed"
    ) in out
    assert (
        "svc [[calls]][2] (fail-closed): KeyError was raised while handling svc.ServiceError "
        "injected into the call "
        f"to svc.Client.buy at app.py:{crashing} (buy_crashing); the contract says fail "
        "closed: raise from the error "
        "(raise X from exc)"
    ) in out
    # Swallowed: the report shows where the error was raised and caught, the line that swallowed it.
    result.stdout.fnmatch_lines(["*_ test_swallowed[[]fault:*", ">*return svc.Client().buy(user)"])


def test_async_calls_are_wrapped_with_async_wrappers_and_faulted_when_awaited(pytester):
    project(
        pytester,
        app="""
        import inspect

        import svc


        async def preview(user):
            try:
                return await svc.Client().check_async(user)
            except svc.ServiceError:
                return False


        async def preview_unguarded(user):
            return await svc.Client().check_async(user)
        """,
        tests="""
        import asyncio
        import inspect

        import app
        import svc


        def test_preview():
            assert inspect.iscoroutinefunction(svc.Client.check_async)  # patched or not, still a coroutine function
            assert asyncio.run(app.preview("alice")) is True


        def test_preview_unguarded():
            assert asyncio.run(app.preview_unguarded("alice")) is True
        """,  # noqa: E501
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA")
    tag = "[fault:svc.ServiceError@Client.check_async]"
    assert outcomes(result) == {
        "test_app.py::test_preview": "PASSED",
        f"test_app.py::test_preview{tag}": "PASSED",
        "test_app.py::test_preview_unguarded": "PASSED",
        f"test_app.py::test_preview_unguarded{tag}": "FAILED",
    }
    # The nested check() inside check_async() is the client's own business: one call, one run.
    assert "@Client.check]" not in result.stdout.str()
    line = line_of(pytester, "app.py", "async def preview_unguarded") + 1
    result.stdout.fnmatch_lines(
        [
            "*svc.ServiceError injected into the call to svc.Client.check_async at "
            f"app.py:{line} (preview_unguarded) escaped*"
        ]
    )


def test_methods_of_instances_made_before_the_test_and_functions_imported_by_name_are_reached(
    pytester,
):
    project(
        pytester,
        app="""
        from svc import Client, lookup

        shared = Client()  # made at import, long before any patch


        def allowed(user):
            return shared.check(user)


        def allowed_by_lookup(user):
            return lookup(user)
        """,
        tests="""
        import app


        def test_allowed():
            assert app.allowed("alice")


        def test_allowed_by_lookup():
            assert app.allowed_by_lookup("alice")
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA")
    assert outcomes(result) == {
        "test_app.py::test_allowed": "PASSED",
        "test_app.py::test_allowed[fault:svc.ServiceError@Client.check]": "FAILED",
        "test_app.py::test_allowed_by_lookup": "PASSED",
        # lookup() calls Client.check itself: only the outer call is the consumer's.
        "test_app.py::test_allowed_by_lookup[fault:svc.ServiceError@lookup]": "FAILED",
    }
    line = line_of(pytester, "app.py", "return lookup(user)")
    result.stdout.fnmatch_lines(
        [f"*injected into the call to svc.lookup at app.py:{line} (allowed_by_lookup) escaped*"]
    )


def test_static_methods_stay_static_methods(pytester):
    contract = CONTRACT.replace(
        'match = ["svc.Client.check*", "svc.lookup"]',
        'match = ["svc.Client.check*", "svc.lookup", "svc.Client.version"]',
    )
    project(
        pytester,
        contract=contract,
        app="""
        import svc


        def versions():
            return svc.Client.version(), svc.Client().version()
        """,
        tests="""
        import svc
        from app import versions


        def test_versions():
            assert isinstance(svc.Client.__dict__["version"], staticmethod)
            assert versions() == ("1.0", "1.0")
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA")
    assert sorted(outcomes(result).items()) == [
        ("test_app.py::test_versions", "PASSED"),
        ("test_app.py::test_versions[fault:svc.ServiceError@Client.version]", "FAILED"),
    ]


def test_a_fault_run_that_no_longer_reaches_the_call_is_skipped_as_not_exercised(pytester):
    project(
        pytester,
        app=GUARDED,
        tests="""
        from app import greet

        RUNS = []


        def test_only_the_first_time():
            RUNS.append(1)
            if len(RUNS) == 1:
                greet("alice")
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA", "-v")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "test_app.py::test_only_the_first_time[[]fault:svc.ServiceError@Client.check] SKIPPED*",
            "*reached, never under fault",
            "fault runs that reached no call this time (skipped) (1 test):",
            "  test_app.py::test_only_the_first_time[[]fault:svc.ServiceError@Client.check]",
            "SKIPPED [[]1] test_app.py:*: not exercised under fault: the run reached no "
            "call to svc.Client.check",
        ]
    )


def test_a_test_that_reaches_no_call_is_not_exercised_and_unreached_call_sites_are_the_blind_spots(
    pytester,
):
    project(
        pytester,
        app="""
        import svc


        def greet(user):
            try:
                return svc.Client().check(user)
            except svc.ServiceError:
                return False


        def never_tested(user):
            try:
                return svc.Client().buy(user)
            except svc.ServiceError:
                raise
        """,
        tests="""
        import svc
        from app import greet


        def test_greet():
            assert greet("alice")


        def test_arithmetic():
            assert 1 + 1 == 2


        def test_arranging_with_the_client_itself():
            # A call written in a test arranges the world: it is not the code under test and is not faulted.
            assert svc.Client().check("alice")
        """,  # noqa: E501
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA")
    assert outcomes(result) == {
        "test_app.py::test_greet": "PASSED",
        "test_app.py::test_greet[fault:svc.ServiceError@Client.check]": "PASSED",
        "test_app.py::test_arithmetic": "PASSED",
        "test_app.py::test_arranging_with_the_client_itself": "PASSED",
    }
    checked, bought = (
        line_of(pytester, "app.py", ".check(user)"),
        line_of(pytester, "app.py", ".buy(user)"),
    )
    result.stdout.fnmatch_lines(
        [
            "*= contract faults =*",
            "svc (mode each): 1 run under fault: 1 passed, 0 failed",
            "  [[calls]][1] fail-open: svc.Client.check*, svc.lookup",
            f"    app.py:{checked} * greet * under fault: passed",
            "  [[calls]][2] fail-closed: svc.Client.buy",
            f"    app.py:{bought} * never_tested * never reached by a test",
            "not exercised: reached no call of svc (2 tests):",
            "  test_app.py::test_arithmetic",
            "  test_app.py::test_arranging_with_the_client_itself",
        ]
    )
    # The client's own call inside lookup() is not a consumer's call site.
    assert "svc.py:" not in result.stdout.str()


# --- patching is undone, and nothing happens unless asked -----------------------------------------

WATCH = """
    import svc

    ORIGINAL = {name: svc.Client.__dict__[name] for name in ("check", "check_async", "buy")}
    LOOKUP = svc.lookup
    SEEN = []


    def restored():
        import app
        return (all(svc.Client.__dict__[name] is value for name, value in ORIGINAL.items())
                and svc.lookup is LOOKUP and getattr(app, "lookup", LOOKUP) is LOOKUP)


    def pytest_runtest_logfinish(nodeid):
        SEEN.append((nodeid, restored()))


    def pytest_sessionfinish(session):
        print("\\nrestored after each test:", all(ok for _, ok in SEEN), len(SEEN))
    """


def test_patches_are_undone_after_each_test_even_when_it_errors(pytester):
    project(
        pytester,
        app="""
        import svc
        from svc import lookup


        def greet(user):
            try:
                return lookup(user)
            except svc.ServiceError:
                return False
        """,
        tests="""
        import pytest

        import svc
        from app import greet


        @pytest.fixture
        def broken():
            raise RuntimeError("the fixture breaks")


        def test_errors_in_setup(broken):
            greet("alice")


        def test_errors_in_the_call():
            greet("alice")
            raise RuntimeError("the test breaks")


        def test_passes():
            assert greet("alice")


        def test_replaces_the_method_itself(monkeypatch):
            monkeypatch.setattr(svc.Client, "check", lambda self, user: True)
            assert greet("bob")


        def test_is_patched_while_it_runs():
            assert hasattr(svc.Client.__dict__["check"], "__contractlint_target__")
            assert greet("alice")
        """,
        conftest=WATCH,
    )
    result = run(pytester, "--contract-faults=svc.toml", "-s", "-rA")
    assert outcomes(result) == {
        "test_app.py::test_errors_in_setup": "ERROR",
        "test_app.py::test_errors_in_the_call": "FAILED",
        "test_app.py::test_passes": "PASSED",
        "test_app.py::test_passes[fault:svc.ServiceError@lookup]": "PASSED",
        "test_app.py::test_replaces_the_method_itself": "PASSED",
        "test_app.py::test_replaces_the_method_itself[fault:svc.ServiceError@lookup]": "PASSED",
        "test_app.py::test_is_patched_while_it_runs": "PASSED",
        "test_app.py::test_is_patched_while_it_runs[fault:svc.ServiceError@lookup]": "PASSED",
    }
    assert "restored after each test: True 5" in result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "not run under fault: they fail without one (1 test):",
            "  test_app.py::test_errors_in_the_call",
        ]
    )


def test_the_plugin_does_nothing_unless_asked(pytester):
    project(
        pytester,
        app="""
        import svc


        def greet(user):
            return svc.Client().check(user)
        """,
        tests="""
        import svc
        from app import greet


        def test_greet():
            assert greet("alice")


        def test_nothing_is_patched():
            assert not hasattr(svc.Client.__dict__["check"], "__contractlint_target__")


        def test_fails():
            assert greet("bob")
        """,
        conftest=WATCH,
    )
    plain = run(pytester, "-rA", "-s")
    disabled = run(pytester, "-rA", "-s", "-p", "no:contractlint")
    assert (
        outcomes(plain)
        == outcomes(disabled)
        == {
            "test_app.py::test_greet": "PASSED",
            "test_app.py::test_nothing_is_patched": "PASSED",
            "test_app.py::test_fails": "FAILED",
        }
    )
    plain.assert_outcomes(passed=2, failed=1)
    for result in (plain, disabled):
        assert "contract faults" not in result.stdout.str()
        assert "restored after each test: True 3" in result.stdout.str()


# --- the example ----------------------------------------------------------------------------------


def _run_example(*args):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *args],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_the_chat_server_keeps_its_fallbacks_under_fault():
    proc = _run_example("--contract-faults=capability-server", "tests/test_chat_server.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "15 passed" in proc.stdout
    for needle in (
        "test_preview_of_an_owned_sticker_is_animated[fault:capability_client.CapabilityError"
        "@CapabilityClient.check_async] ",
        "test_a_purchase_is_recorded[fault:capability_client.CapabilityError"
        "@CapabilityClient.grant] ",
        "@CapabilityClient.check@stickers.py:70] ",
    ):
        assert needle in proc.stdout
    assert (
        "chat_server/stickers.py:70               capability_for_reply         under fault: passed"
        in proc.stdout
    )


def test_the_sticker_gallery_fails_where_it_does_not_degrade():
    plain = _run_example("tests/test_sticker_gallery.py")
    assert plain.returncode == 0 and "7 passed" in plain.stdout
    proc = _run_example("--contract-faults=capability-server", "tests/test_sticker_gallery.py")
    assert proc.returncode == 1
    failed = sorted(
        line.split(" ")[1] for line in proc.stdout.splitlines() if line.startswith("FAILED ")
    )
    base = "tests/test_sticker_gallery.py::"
    assert failed == sorted(
        [
            f"{base}test_show_sticker[fault:capability_client.CapabilityError@CapabilityClient.check]",
            f"{base}test_show_animated[fault:capability_client.CapabilityError@CapabilityClient.check]",
            f"{base}test_badge[fault:capability_client.CapabilityError@check_capability]",
            f"{base}test_share[fault:capability_client.CapabilityError@CapabilityClient.check]",
            f"{base}test_gift[fault:capability_client.CapabilityError@CapabilityClient.grant]",
        ]
    )
    assert "5 failed, 9 passed" in proc.stdout
    assert (
        "sticker_gallery/gallery.py:62            gift                         under "
        "fault: failed (swallowed)" in proc.stdout
    )
