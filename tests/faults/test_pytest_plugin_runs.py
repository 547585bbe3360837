"""The runs the pytest plugin gives a test, in inner pytest sessions through ``pytester``: the modes
(``each``, ``first``, a seeded ``random`` that replays), fixtures set up afresh for each run,
``--exitfirst``, the ids of parametrized tests, and the builtin contracts' faults built for real
clients (boto3 through its factory).
"""

from __future__ import annotations

import pytest
from faultproject import CONTRACT, EXAMPLES, GUARDED, line_of, outcomes, project, run

pytest_plugins = ["pytester"]


RANDOM_CONTRACT = CONTRACT.replace(
    'raises = ["svc.ServiceError"]\npolicy = "fail-open"',
    'raises = ["svc.ServiceTimeout", "svc.ServiceDown"]\npolicy = "fail-open"',
)
RANDOM_TESTS = "import app\n" + "".join(
    f"""

def test_{i}():
    assert app.greet("alice") in (True, False)
"""
    for i in range(6)
)


def _fault_ids(result: pytest.RunResult) -> list:
    return sorted(k for k in outcomes(result) if "[fault:" in k)


def test_modes_each_first_and_a_seeded_random_that_replays(pytester):
    project(pytester, app=GUARDED, tests=RANDOM_TESTS, contract=RANDOM_CONTRACT)
    each = run(pytester, "--contract-faults=svc.toml", "-rA")
    assert len(_fault_ids(each)) == 12
    assert {i.split("[")[1] for i in _fault_ids(each)} == {
        "fault:svc.ServiceTimeout@Client.check]",
        "fault:svc.ServiceDown@Client.check]",
    }
    first = run(pytester, "--contract-faults=svc.toml", "--contract-faults-mode=first", "-rA")
    assert _fault_ids(first) == [
        f"test_app.py::test_{i}[fault:svc.ServiceTimeout@Client.check]" for i in range(6)
    ]

    def random_run(seed):
        result = run(
            pytester,
            "--contract-faults=svc.toml",
            "--contract-faults-mode=random",
            f"--contract-faults-seed={seed}",
            "-rA",
        )
        result.assert_outcomes(passed=12)
        assert (
            f"mode random, seed {seed} (--contract-faults-seed {seed} replays it)"
            in result.stdout.str()
        )
        return _fault_ids(result)

    assert random_run(7) == random_run(7)
    picks = {tuple(random_run(seed)) for seed in (1, 2, 3)}
    assert len(picks) > 1  # the seed does choose
    for ids in picks:
        assert len(ids) == 6 and all(("ServiceTimeout" in i) != ("ServiceDown" in i) for i in ids)


def test_without_a_seed_random_mode_draws_one_and_says_which(pytester):
    project(pytester, app=GUARDED, tests=RANDOM_TESTS, contract=RANDOM_CONTRACT)
    result = run(pytester, "--contract-faults=svc.toml", "--contract-faults-mode=random")
    result.stdout.fnmatch_lines(
        [
            "contract faults: svc (svc.toml); mode random, seed * "
            "(--contract-faults-seed * replays it)"
        ]
    )
    result.assert_outcomes(passed=12)


def test_each_run_sets_up_function_fixtures_afresh_and_keeps_higher_scoped_ones(pytester):
    project(
        pytester,
        app=GUARDED,
        tests="""
        import pytest

        import app

        SETUPS = {"module": 0, "function": 0}


        @pytest.fixture(scope="module")
        def per_module():
            SETUPS["module"] += 1


        @pytest.fixture
        def per_test():
            SETUPS["function"] += 1
            yield
            SETUPS["function"] -= 1  # torn down after each run, so at most one at a time


        def test_a(per_module, per_test):
            assert SETUPS == {"module": 1, "function": 1}
            app.greet("alice")


        def test_b(per_module, per_test):
            assert SETUPS == {"module": 1, "function": 1}
            app.greet("alice")


        def test_after():
            assert SETUPS == {"module": 1, "function": 0}
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml")
    result.assert_outcomes(passed=5)


def test_exitfirst_stops_at_the_first_fault_run_that_fails(pytester):
    project(
        pytester,
        app="""
        import svc


        def greet(user):
            return svc.Client().check(user)
        """,
        tests="""
        from app import greet


        def test_1():
            assert greet("alice")


        def test_2():
            assert greet("alice")
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml", "-x", "-rA")
    assert outcomes(result) == {
        "test_app.py::test_1": "PASSED",
        "test_app.py::test_1[fault:svc.ServiceError@Client.check]": "FAILED",
    }


def test_parametrized_tests_get_the_fault_inside_their_id(pytester):
    project(
        pytester,
        app=GUARDED,
        tests="""
        import pytest

        from app import greet


        @pytest.mark.parametrize("user", ["alice", "bob"])
        def test_greet(user):
            greet(user)
        """,
    )
    result = run(pytester, "--contract-faults=svc.toml", "-rA")
    assert sorted(outcomes(result)) == [
        "test_app.py::test_greet[alice-fault:svc.ServiceError@Client.check]",
        "test_app.py::test_greet[alice]",
        "test_app.py::test_greet[bob-fault:svc.ServiceError@Client.check]",
        "test_app.py::test_greet[bob]",
    ]


def test_the_builtin_boto3_contract_faults_a_real_client_through_its_factory(pytester):
    """botocore makes each client class at run time; every API call goes through
    BaseClient._make_api_call."""
    pytest.importorskip("botocore.stub")
    pytester.makepyfile(
        app="""
        from botocore.exceptions import BotoCoreError, ClientError


        def bucket_names(s3):
            try:
                return [b["Name"] for b in s3.list_buckets()["Buckets"]]
            except ClientError as err:
                return ["<" + err.response["Error"]["Code"] + ">"]  # the factory's error has a real response
            except BotoCoreError:
                return []
        """,  # noqa: E501
        test_app="""
        import boto3
        from botocore.stub import Stubber

        from app import bucket_names


        def test_bucket_names():
            s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
            with Stubber(s3) as stub:
                stub.add_response("list_buckets", {"Buckets": [{"Name": "stickers"}]})
                assert bucket_names(s3) == ["stickers"]
        """,  # noqa: E501
    )
    pytester.syspathinsert()
    result = run(pytester, "--contract-faults=boto3", "-rA")
    assert outcomes(result) == {
        "test_app.py::test_bucket_names": "PASSED",
        "test_app.py::test_bucket_names[fault:botocore.exceptions.ClientError"
        "@BaseClient._make_api_call]": "PASSED",
        "test_app.py::test_bucket_names[fault:botocore.exceptions.BotoCoreError"
        "@BaseClient._make_api_call]": "PASSED",
    }
    line = line_of(pytester, "app.py", "s3.list_buckets()")
    result.stdout.fnmatch_lines(
        [
            "*degraded: botocore.exceptions.ClientError injected into the call to "
            f"botocore.client.BaseClient._make_api_call at app.py:{line} (bucket_names) did not "
            "escape; the test's own check then failed on the degraded result (AssertionError)*"
        ]
    )


def test_every_builtin_contract_resolves_and_builds_its_errors(monkeypatch):
    from contractlint.contracts import builtin_names, load_contracts
    from contractlint.faults import build_error, resolve

    for library in ("requests", "httpx", "redis", "boto3"):
        pytest.importorskip(library)
    monkeypatch.syspath_prepend(
        str(EXAMPLES)
    )  # the capability-server's client is the example's stub
    for contract in load_contracts(builtin_names()):
        resolution = resolve(contract)
        assert resolution.problems == [] and resolution.targets, contract.name
        for gi, group in enumerate(contract.calls):
            for j, name in enumerate(group.raises):
                error = build_error(contract, name, ["calls", gi, "raises", j])()
                assert (
                    isinstance(error, error.__class__)
                    and type(error).__name__ == name.rsplit(".", 1)[-1]
                )
