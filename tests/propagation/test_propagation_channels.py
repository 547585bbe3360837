"""How an error leaves a function on purpose: declared in its docstring (and ``propagate`` globs of
the configuration), re-raised from a retry loop, translated under fail-open (``translates-to``), or
signalled by a fail-closed sentinel every caller tests; and ``docstring_raises``, which reads
Google, NumPy and Sphinx docstrings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from propagating import CAPABILITY, REQ_CLIENT, cap, check, only, place, req, rows

from contractlint.analysis.functions import docstring_raises
from contractlint.config import Config
from contractlint.contracts import load_contract
from contractlint.errors import UserError

# -- declared channels ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        # Google
        '''"""Fetch it.

    Raises:
        requests.RequestException: when the server is down.
    """''',
        # Google, by the short name of a base
        '''"""Fetch it.

    Raises:
        RequestException: when the server is down.
    """''',
        # NumPy
        '''"""Fetch it.

    Raises
    ------
    requests.RequestException
        When the server is down.
    """''',
        # Sphinx
        '''"""Fetch it.

    :param url: where.
    :raises requests.RequestException: when the server is down.
    """''',
        # Sphinx, both errors named one by one
        '''"""Fetch it.

    :raises requests.ConnectionError: when the server is down.
    :raises requests.Timeout: when it is slow.
    """''',
    ],
)
def test_docstring_declares_the_error(root, doc):
    body = textwrap.indent(textwrap.dedent(doc), "    ")
    report = check(
        root,
        {
            "app/client.py": f"import requests\n\n\ndef fetch(url):\n{body}\n"
            "    return requests.get(url, timeout=1)\n",
        },
        [req()],
    )
    assert rows(report) == []


@pytest.mark.parametrize(
    "doc",
    [
        '''"""Fetch it.

    Raises:
        ValueError: when the url is bad.
    """''',
        # only one of the two errors is declared
        '''"""Fetch it.

    Raises:
        requests.Timeout: when it is slow.
    """''',
    ],
)
def test_docstring_naming_another_error_does_not_count(root, doc):
    body = textwrap.indent(textwrap.dedent(doc), "    ")
    report = check(
        root,
        {
            "app/client.py": f"import requests\n\n\ndef fetch(url):\n{body}\n"
            "    return requests.get(url, timeout=1)\n",
        },
        [req()],
    )
    line = 4 + len(body.splitlines()) + 1
    assert rows(report) == [("app/client.py", line, 12, "CL001")]


def test_declared_carrier_is_still_followed_to_its_callers(root):
    report = check(
        root,
        {
            "app/client.py": '''
            import requests


            def fetch(url):
                """Raises:
                    requests.RequestException: when the server is down.
                """
                return requests.get(url, timeout=1)
        ''',
            "app/views.py": "from app.client import fetch\n\n\ndef show():\n    return fetch('http://x.invalid')\n",
        },
        [req()],
    )
    assert rows(report) == [("app/views.py", 5, 12, "CL001")]
    assert report.findings[0].via == ("fetch", "requests.get")


def test_capability_docstring_declares_a_base(root):
    report = check(
        root,
        {
            "app/client.py": '''
            from capability_client import CapabilityClient


            def fetch(user, sticker):
                """Check.

                Raises:
                    CapabilityError: when capability-server is down.
                """
                return CapabilityClient().check(user, sticker)
        ''',
        },
        [cap()],
    )
    assert rows(report) == []


def test_propagate_globs_of_the_configuration(root):
    files = {
        "app/adapters.py": REQ_CLIENT,
        "app/other.py": REQ_CLIENT,
    }
    report = check(
        root, files, [req()], config=Config(root=str(root), propagate=("app.adapters.*",))
    )
    assert rows(report) == [("app/other.py", 7, 12, "CL001")]
    report = check(root, files, [req()])
    assert rows(report) == [("app/adapters.py", 7, 12, "CL001"), ("app/other.py", 7, 12, "CL001")]


def test_propagate_glob_star_stays_within_one_dotted_part(root):
    files = {
        "app/adapters.py": """
        import requests


        class Api:
            def fetch(self):
                return requests.get("http://x.invalid", timeout=1)
    """
    }
    one = check(root, files, [req()], config=Config(root=str(root), propagate=("app.adapters.*",)))
    assert rows(one) == [("app/adapters.py", 6, 16, "CL001")]
    both = check(
        root, files, [req()], config=Config(root=str(root), propagate=("app.adapters.**",))
    )
    assert rows(both) == []
    method = check(
        root, files, [req()], config=Config(root=str(root), propagate=("app.*.Api.fetch",))
    )
    assert rows(method) == []


@pytest.mark.parametrize(
    "imports",
    [
        pytest.param("import requests\n", id="imported"),
        # the full name in the docstring, without the import
        pytest.param("", id="full-name-not-imported"),
    ],
)
def test_root_caller_whose_docstring_declares_the_error(root, imports):
    report = check(
        root,
        {
            "app/client.py": REQ_CLIENT,
            "app/views.py": f'''
            {imports}
            from app.client import fetch


            def show():
                """Show.

                Raises:
                    requests.RequestException: when the server is down.
                """
                return fetch()
        ''',
        },
        [req()],
    )
    assert rows(report) == []
    assert [c.state for c in report.calls] == ["kept"]


def test_docstring_naming_a_subclass_does_not_declare_the_error(root):
    report = check(
        root,
        {
            "app/client.py": '''
            import requests


            def fetch(url):
                """Raises:
                    requests.ConnectTimeout: when it is slow to connect.
                    requests.ReadTimeout: when it is slow to answer.
                    requests.ConnectionError: when it is down.
                """
                return requests.get(url, timeout=1)
        ''',
        },
        [req()],
    )
    assert rows(report) == [("app/client.py", 10, 12, "CL001")]


# -- re-raise in a retry loop -------------------------------------------------------------------

REQ_RETRY = """
import requests


def fetch(url):
    for attempt in range(3):
        try:
            return requests.get(url, timeout=1)
        except requests.RequestException:
            if attempt == 2:
                raise
"""

CAP_RETRY = """
from capability_client import CapabilityClient, CapabilityError


def fetch(user, sticker):
    for attempt in range(3):
        try:
            return CapabilityClient().check(user, sticker)
        except CapabilityError:
            if attempt == 2:
                raise
"""


def test_retry_reraise_guarded_by_caller_requests(root):
    report = check(
        root,
        {
            "app/client.py": REQ_RETRY,
            "app/views.py": """
            import requests

            from app.client import fetch


            def show(url):
                try:
                    return fetch(url)
                except requests.RequestException:
                    return None
        """,
        },
        [req()],
    )
    assert rows(report) == []
    assert [(c.path, c.state) for c in report.calls] == [("app/client.py", "kept")]


def test_retry_reraise_with_root_caller_requests(root):
    report = check(
        root,
        {
            "app/client.py": REQ_RETRY,
            "app/views.py": "from app.client import fetch\n\n\ndef show(url):\n"
            "    return fetch(url)\n",
        },
        [req()],
    )
    finding = only(report)
    assert place(finding) == ("app/views.py", 5, 12, "CL001")
    assert finding.via == ("fetch", "requests.get")
    assert finding.origins == ("app/client.py:7:20",)
    assert "escape here via fetch -> requests.get" in finding.message


def test_retry_reraise_in_a_root_requests(root):
    report = check(root, {"app/client.py": REQ_RETRY}, [req()])
    finding = only(report)
    assert place(finding) == ("app/client.py", 7, 20, "CL001")
    assert finding.handler_line == 8
    assert "the handler at line 8 raises" in finding.message
    assert "again, and nothing up the call chain handles them" in finding.message


def test_retry_reraise_in_a_root_fail_open_is_cl003(root):
    report = check(root, {"app/client.py": CAP_RETRY}, [cap()])
    finding = only(report)
    assert place(finding) == ("app/client.py", 7, 20, "CL003")
    assert finding.handler_line == 8
    assert "the handler at line 8 raises, but the contract says fail open" in finding.message


def test_retry_reraise_guarded_by_caller_fail_open(root):
    report = check(
        root,
        {
            "app/client.py": CAP_RETRY,
            "app/views.py": """
            from capability_client import Capability, CapabilityError

            from app.client import fetch


            def show(user, sticker):
                try:
                    return fetch(user, sticker)
                except CapabilityError:
                    return Capability.static_only()
        """,
        },
        [cap()],
    )
    assert rows(report) == []


def test_a_caller_that_retries_a_carrier_and_falls_back_after_the_loop_handles_it(root):
    """The retry pattern of docs/propagation.md, at the call of a helper: ``continue``
    then a fallback after the loop handles the error; the same loop with nothing after
    it swallows it (CL004)."""
    report = check(
        root,
        {
            "app/client.py": """
            from capability_client import CapabilityClient


            def fetch(user, sticker):
                return CapabilityClient().check(user, sticker)
            """,
            "app/views.py": """
            from capability_client import Capability, CapabilityError

            from app.client import fetch


            def show(user, sticker):
                for attempt in range(3):
                    try:
                        return fetch(user, sticker)
                    except CapabilityError:
                        continue
                return Capability.static_only()


            def preview(user, sticker):
                for attempt in range(3):
                    try:
                        return fetch(user, sticker)
                    except CapabilityError:
                        continue
            """,
        },
        [cap()],
    )
    assert rows(report) == [("app/views.py", 18, 20, "CL004")]


def test_retry_reraise_with_root_caller_fail_open(root):
    report = check(
        root,
        {
            "app/client.py": CAP_RETRY,
            "app/views.py": "from app.client import fetch\n\n\ndef show(user, sticker):\n"
            "    return fetch(user, sticker)\n",
        },
        [cap()],
    )
    finding = only(report)
    assert place(finding) == ("app/views.py", 5, 12, "CL001")
    assert finding.via == ("fetch", "CapabilityClient.check")
    assert finding.origins == ("app/client.py:7:20",)


# -- translating an error under fail-open ----------------------------------------------------------

TRANSLATE = {
    "app/errors.py": "class Domain(Exception):\n    pass\n",
    "app/views.py": """
        from capability_client import CapabilityClient, CapabilityError

        from app.errors import Domain


        def show(user, sticker):
            try:
                return CapabilityClient().check(user, sticker)
            except CapabilityError as err:
                raise Domain() from err
    """,
}


def contract_with(tmp_path: Path, line: str, after: str = 'policy = "fail-open"') -> str:
    text = CAPABILITY.read_text()
    assert text.count(after) == 1
    path = tmp_path / "contract.toml"
    path.write_text(text.replace(after, f"{after}\n{line}"))
    return str(path)


def test_raise_from_under_fail_open_is_cl003(root):
    report = check(root, TRANSLATE, [cap()])
    finding = only(report)
    assert (finding.path, finding.span.line, finding.code) == ("app/views.py", 8, "CL003")
    assert "fail open" in finding.message


def test_raise_from_listed_in_translates_to_is_allowed(root, tmp_path):
    contract = load_contract(contract_with(tmp_path, 'translates_to = ["app.errors.Domain"]'))
    assert contract.calls[0].translates_to == ("app.errors.Domain",)
    report = check(root, TRANSLATE, [contract])
    assert rows(report) == []


def test_translates_to_listing_another_error_still_cl003(root, tmp_path):
    contract = load_contract(contract_with(tmp_path, 'translates_to = ["app.errors.Other"]'))
    report = check(root, TRANSLATE, [contract])
    assert [f.code for f in report.findings] == ["CL003"]


def test_translates_to_in_a_helper_whose_caller_is_a_root(root, tmp_path):
    """The translated error is the project's own: the helper's call is not the one that lets a
    capability-server error out, so nothing is reported at its caller either."""
    contract = load_contract(contract_with(tmp_path, 'translates_to = ["app.errors.Domain"]'))
    files = dict(TRANSLATE)
    files["app/views.py"] = TRANSLATE["app/views.py"].replace("def show", "def helper")
    files["app/main.py"] = (
        "from app.views import helper\n\n\ndef main():\n    return helper('u', 's')\n"
    )
    report = check(root, files, [contract])
    assert rows(report) == []


def test_translates_to_under_fail_closed_is_a_contract_error(tmp_path):
    path = contract_with(
        tmp_path, 'translates_to = ["app.errors.Domain"]', after='policy = "fail-closed"'
    )
    with pytest.raises(UserError) as info:
        load_contract(path)
    assert len(info.value.messages) == 1
    message = info.value.messages[0]
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    assert "calls" in message and "translates_to" in message
    assert "only a fail-open group needs it" in message


# -- a fail-closed sentinel that callers test ---------------------------------------------------

SENTINEL = """
    from capability_client import CapabilityClient, CapabilityError


    class PurchaseFailed(Exception):
        pass


    def _grant(client: CapabilityClient, user, sticker):
        try:
            client.grant(user, sticker)
        except CapabilityError:
            return False
        return True
"""


def test_a_fail_closed_sentinel_that_every_caller_tests_is_compliant(root):
    report = check(
        root,
        {
            "app/grants.py": SENTINEL
            + """

    def buy(client: CapabilityClient, user, sticker):
        if not _grant(client, user, sticker):
            raise PurchaseFailed(sticker)


    def gift(client: CapabilityClient, user, sticker):
        ok = _grant(client, user, sticker)
        if ok is False:
            raise PurchaseFailed(sticker)
        return ok
    """
        },
        [cap()],
    )
    assert rows(report) == []
    assert [c.state for c in report.calls] == ["kept"]


def test_a_caller_that_does_not_test_the_sentinel_is_cl003_there(root):
    report = check(
        root,
        {
            "app/grants.py": SENTINEL
            + """

    def buy(client: CapabilityClient, user, sticker):
        if not _grant(client, user, sticker):
            raise PurchaseFailed(sticker)


    def lend(client: CapabilityClient, user, sticker):
        ok = _grant(client, user, sticker)
        if ok is False:
            print("not granted")  # goes on: it does not fail closed
        return "lent"
    """
        },
        [cap()],
    )
    finding = only(report)
    assert (finding.span.line, finding.code, finding.scope) == (22, "CL003", "lend")
    assert (
        "_grant() returns a value in place of raising when capability-server fails"
        in finding.message
    )
    assert finding.via == ("_grant", "CapabilityClient.grant")
    assert finding.origins == ("app/grants.py:10:9",)
    assert [c.state for c in report.calls] == ["broken"]


def test_a_sentinel_returned_by_a_function_nobody_calls_is_cl003_at_its_handler(root):
    report = check(root, {"app/grants.py": SENTINEL}, [cap()])
    finding = only(report)
    assert (finding.span.line, finding.code) == (10, "CL003")
    assert "can finish without raising, but the contract says fail closed" in finding.message


# -- docstring_raises -----------------------------------------------------------------------------


def test_docstring_raises_google():
    doc = textwrap.dedent("""\
        Fetch a thing.

        Args:
            url: where.

        Raises:
            requests.ConnectionError: when the server is down.
            TimeoutError: when it is slow,
                and a continuation line that mentions ValueError: here.

        Returns:
            The thing.
    """)
    assert docstring_raises(doc) == ["requests.ConnectionError", "TimeoutError"]


def test_docstring_raises_numpy():
    doc = textwrap.dedent("""\
        Fetch a thing.

        Raises
        ------
        requests.ConnectionError
            When the server is down.
        TimeoutError
            When it is slow.

        Returns
        -------
        int
    """)
    assert docstring_raises(doc) == ["requests.ConnectionError", "TimeoutError"]


def test_docstring_raises_numpy_last_section():
    doc = (
        "Fetch.\n\nRaises\n------\nrequests.ConnectionError\n    When down.\n"
        "KeyError\n    When missing.\n"
    )
    assert docstring_raises(doc) == ["requests.ConnectionError", "KeyError"]


def test_docstring_raises_sphinx():
    doc = textwrap.dedent("""\
        Fetch a thing.

        :param url: where.
        :raises requests.ConnectionError: when the server is down.
        :raise TimeoutError: when it is slow.
        :returns: the thing.
    """)
    assert docstring_raises(doc) == ["requests.ConnectionError", "TimeoutError"]


def test_docstring_raises_sphinx_roles_in_google_section():
    doc = textwrap.dedent("""\
        Fetch.

        Raises:
            :exc:`~requests.ConnectionError`: when down.
            `KeyError`: when missing.
    """)
    assert docstring_raises(doc) == ["requests.ConnectionError", "KeyError"]


def test_docstring_raises_mixed():
    doc = textwrap.dedent("""\
        Fetch.

        :raises ValueError: when the url is bad.

        Raises:
            requests.Timeout: when it is slow.
    """)
    assert sorted(docstring_raises(doc)) == ["ValueError", "requests.Timeout"]


def test_docstring_raises_nothing():
    assert docstring_raises("Fetch a thing. It raises nothing: it returns None.") == []
    assert docstring_raises("Fetch.\n\nReturns:\n    None: never raises.\n") == []
    assert docstring_raises("") == []
