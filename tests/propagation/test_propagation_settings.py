"""The run around propagation: the per-file cache and the workers give the same findings, and the
configuration's propagation settings are read, or refused with file, line and key."""

from __future__ import annotations

import pytest
from propagating import REQ_CLIENT, check, key, req

from contractlint.config import load_config
from contractlint.errors import UserError

# -- cache and workers ---------------------------------------------------------------------------


def test_cache_and_jobs_give_the_same_findings(root, tmp_path):
    files = {
        "app/client.py": REQ_CLIENT,
        "app/service.py": "from app.client import fetch\n\n\ndef lookup():\n    return fetch()\n",
        "app/views.py": "from app.service import lookup\n\n\ndef show():\n    return lookup()\n",
        "app/partial.py": """
            import requests

            from app.client import fetch


            def show():
                try:
                    return fetch()
                except requests.Timeout:
                    return None
        """,
        "app/factory.py": "import requests\n\n\ndef get_session() -> requests.Session:\n"
        "    return requests.Session()\n",
        "app/uses.py": "from app.factory import get_session\n\nget_session().get('http://x.invalid')\n",
    }
    cold = check(root, files, [req()])
    assert len(key(cold)) == 3
    cache_dir = str(tmp_path / "cache")
    first = check(root, {}, [req()], cache_dir=cache_dir)
    warm = check(root, {}, [req()], cache_dir=cache_dir)
    parallel = check(root, {}, [req()], jobs=2)
    warm_parallel = check(root, {}, [req()], jobs=2, cache_dir=cache_dir)
    for report in (first, warm, parallel, warm_parallel):
        assert key(report) == key(cold)
        assert [(c.path, c.span, c.state) for c in report.calls] == [
            (c.path, c.span, c.state) for c in cold.calls
        ]


# -- configuration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        ("propagate = [1]", "[tool.contractlint].propagate[1]: expected a string, got int 1"),
        (
            'propagate = ["app.*", "a..b"]',
            '[tool.contractlint].propagate[2]: "a..b": it has an empty dotted part',
        ),
        (
            'follow-calls = "yes"',
            '[tool.contractlint].follow-calls: expected true or false, got "yes"',
        ),
        (
            'propagate = "app.*"',
            '[tool.contractlint].propagate: expected a list of strings, got "app.*"',
        ),
    ],
)
def test_config_problems(tmp_path, line, expected):
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[project]\nname = 'x'\n\n[tool.contractlint]\n{line}\n")
    with pytest.raises(UserError) as info:
        load_config(str(path))
    assert info.value.messages == [f"{path}:5: {expected}"]


def test_config_values(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        '[tool.contractlint]\npropagate = ["app.adapters.*", "app.*.client"]\n'
        "follow-calls = false\n"
    )
    config = load_config(str(path))
    assert config.propagate == ("app.adapters.*", "app.*.client")
    assert config.follow_calls is False
    path.write_text("[tool.contractlint]\nselect = ['CL0']\n")
    config = load_config(str(path))
    assert config.propagate == () and config.follow_calls is True
