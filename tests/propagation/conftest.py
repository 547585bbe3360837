"""The project the tests of tests/propagation/ write their files into."""

from __future__ import annotations

import shutil

import pytest
from propagating import CLIENT_STUB


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A project under tmp_path, the working directory (so findings show ``app/views.py``)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(
        CLIENT_STUB.parent,
        tmp_path / "capability_client",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    return tmp_path
