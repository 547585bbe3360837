"""The builtin contracts of requests and httpx on consumer code: real snippets of code that uses
each library, analysed against its contract, with the exact findings (code, line) expected, and the
names the contract gives the calls."""

from __future__ import annotations

import pytest
from builtin_cases import calls, found

# -- requests --------------------------------------------------------------------------------------


REQUESTS_CASES = {
    "unguarded module function": (
        """\
        import requests
        requests.get(url)
        """,
        [("CL001", 2)],
    ),
    "session as a context manager, RequestException": (
        """\
        import requests
        try:
            with requests.Session() as s:
                s.get(url)
        except requests.RequestException:
            log()
        """,
        [],
    ),
    # requests' ConnectionError derives from OSError, not from the builtin ConnectionError: this
    # handler catches none of the errors, so the call is unguarded (CL001), not partly guarded.
    "builtin ConnectionError catches nothing requests raises": (
        """\
        import requests
        try:
            requests.get(url)
        except ConnectionError:
            log()
        """,
        [("CL001", 3)],
    ),
    "builtin ConnectionError next to requests.Timeout: requests' ConnectionError escapes": (
        """\
        import requests
        try:
            requests.get(url)
        except (ConnectionError, requests.Timeout):
            log()
        """,
        [("CL002", 3)],
    ),
    "OSError is the base of every requests error": (
        """\
        import requests
        try:
            requests.post(url, json={})
        except OSError:
            log()
        """,
        [],
    ),
    "IOError too": (
        """\
        import requests
        try:
            requests.put(url)
        except IOError:
            log()
        """,
        [],
    ),
    "ConnectionError and Timeout": (
        """\
        import requests
        try:
            requests.get(url, timeout=2)
        except (requests.ConnectionError, requests.Timeout):
            log()
        """,
        [],
    ),
    "ConnectionError alone lets a read timeout escape": (
        """\
        import requests
        try:
            requests.get(url, timeout=2)
        except requests.exceptions.ConnectionError:
            log()
        """,
        [("CL002", 3)],
    ),
    "ConnectTimeout is both, but only a connect timeout": (
        """\
        import requests
        try:
            requests.get(url, timeout=2)
        except requests.ConnectTimeout:
            log()
        """,
        [("CL002", 3)],
    ),
    "HTTPError is raise_for_status' error, not an outage's": (
        """\
        import requests
        try:
            requests.get(url).raise_for_status()
        except requests.HTTPError:
            log()
        """,
        [("CL001", 3)],
    ),
    "requests' ConnectionError imported by name shadows the builtin": (
        """\
        import requests
        from requests.exceptions import ConnectionError, Timeout
        try:
            requests.delete(url)
        except (ConnectionError, Timeout):
            log()
        """,
        [],
    ),
    "import requests as rq": (
        """\
        import requests as rq
        rq.get(url)
        try:
            rq.head(url)
        except rq.RequestException:
            log()
        """,
        [("CL001", 2)],
    ),
    "from requests import get, Session": (
        """\
        from requests import get, Session
        get(url)
        Session().options(url)
        """,
        [("CL001", 2), ("CL001", 3)],
    ),
    "requests.api spelling": (
        """\
        import requests.api
        requests.api.request("GET", url)
        """,
        [("CL001", 2)],
    ),
    "requests.session() factory and send": (
        """\
        import requests
        s = requests.session()
        s.send(prepared)
        """,
        [("CL001", 3)],
    ),
    "session helpers do not reach the server": (
        """\
        import requests
        s = requests.Session()
        s.mount("https://", adapter)
        s.prepare_request(req)
        s.merge_environment_settings(url, {}, None, None, None)
        s.close()
        """,
        [],
    ),
    "session held by a class": (
        """\
        import requests
        class Api:
            def __init__(self):
                self.http = requests.sessions.Session()
            def fetch(self, url):
                return self.http.get(url).json()
        """,
        [("CL001", 6)],
    ),
    "Exception is allowed": (
        """\
        import requests
        try:
            requests.patch(url)
        except Exception:
            log()
        """,
        [],
    ),
}


@pytest.mark.parametrize("case", REQUESTS_CASES)
def test_requests_consumer_code(case):
    code, expected = REQUESTS_CASES[case]
    assert found(code, "requests") == expected


def test_requests_callees_are_named_as_written():
    code = """\
        import requests
        requests.get(u)
        requests.Session().post(u)
        requests.session().request("GET", u)
        """
    assert calls(code, "requests") == [
        ("requests.get", 2),
        ("requests.sessions.Session.post", 3),
        ("requests.sessions.Session.request", 4),
    ]


# -- httpx -----------------------------------------------------------------------------------------


HTTPX_CASES = {
    "async client guarded by HTTPError": (
        """\
        import httpx
        async def fetch(u):
            try:
                async with httpx.AsyncClient() as c:
                    return await c.get(u)
            except httpx.HTTPError:
                return None
        """,
        [],
    ),
    "async client unguarded": (
        """\
        import httpx
        async def fetch(u):
            async with httpx.AsyncClient(timeout=2) as c:
                r = await c.post(u, json={})
            return r
        """,
        [("CL001", 4)],
    ),
    "from httpx import Client": (
        """\
        from httpx import Client
        with Client() as client:
            client.get(u)
            client.build_request("GET", u)
        """,
        [("CL001", 3)],
    ),
    "module functions, RequestError": (
        """\
        import httpx
        try:
            httpx.get(u)
            httpx.request("PUT", u)
        except httpx.RequestError:
            log()
        """,
        [],
    ),
    "TransportError": (
        """\
        import httpx
        try:
            httpx.delete(u)
        except httpx.TransportError:
            log()
        """,
        [],
    ),
    "connect errors and timeouts only: a reset connection escapes": (
        """\
        import httpx
        try:
            httpx.get(u)
        except (httpx.ConnectError, httpx.TimeoutException):
            log()
        """,
        [("CL002", 3)],
    ),
    "HTTPStatusError is raise_for_status' error": (
        """\
        import httpx
        try:
            httpx.get(u).raise_for_status()
        except httpx.HTTPStatusError:
            log()
        """,
        [("CL001", 3)],
    ),
    "httpx errors are not OSError": (
        """\
        import httpx
        try:
            httpx.get(u)
        except OSError:
            log()
        """,
        [("CL001", 3)],
    ),
    "stream opens the connection in the with": (
        """\
        import httpx
        client = httpx.Client()
        try:
            with client.stream("GET", u) as r:
                body = r.read()
        except httpx.HTTPError:
            body = b""
        with httpx.stream("GET", u) as r:
            pass
        """,
        [("CL001", 8)],
    ),
    "private module spellings": (
        """\
        from httpx._client import AsyncClient
        from httpx._exceptions import TransportError
        async def f(req):
            c = AsyncClient()
            try:
                await c.send(req)
            except TransportError:
                log()
        """,
        [],
    ),
    "close is not a request": (
        """\
        import httpx
        async def f():
            c = httpx.AsyncClient()
            await c.aclose()
            httpx.Client().close()
        """,
        [],
    ),
}


@pytest.mark.parametrize("case", HTTPX_CASES)
def test_httpx_consumer_code(case):
    code, expected = HTTPX_CASES[case]
    assert found(code, "httpx") == expected


def test_httpx_private_spellings_resolve_to_public_names():
    code = """\
        import httpx._client
        import httpx._api
        httpx._client.Client().get(u)
        httpx._api.post(u)
        """
    assert calls(code, "httpx") == [("httpx.Client.get", 3), ("httpx.post", 4)]
