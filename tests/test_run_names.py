"""What a run calls a file (``contractlint.run.names``): ``FileNames``, which works a folder out
once for all its files, names every file as ``display_path`` and ``module_name`` name it alone;
``Config.relative``, which cuts the root off a path inside it, says what ``os.path.relpath`` says."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contractlint.config import Config
from contractlint.run.names import FileNames, display_path, module_name

PARTS = ["a", "b", "pkg", "..", ".", "", "x.py", "__init__.py", "m.py", "a.b.py", "é.py", "c d"]

paths = st.builds(
    lambda head, parts: head + os.sep.join(parts),
    st.sampled_from(["", "", "./", "../", os.sep, "{cwd}" + os.sep]),
    st.lists(st.sampled_from(PARTS), min_size=1, max_size=5),
)


@pytest.mark.parametrize(
    "rel, module",
    [
        ("app/views.py", "app.views"),
        ("app/__init__.py", "app"),
        ("views.py", "views"),
        ("../outside/x.py", "outside.x"),
        ("./a//b.py", "a.b"),
    ],
)
def test_module_name(rel, module):
    assert module_name(rel) == module


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(paths, min_size=1, max_size=12), st.sampled_from([".", "a", "..", "a/b", "/"]))
def test_file_names_name_each_file_as_the_plain_functions_do(tmp_path, chosen, root):
    cwd = os.getcwd()
    os.chdir(tmp_path)  # the names are worked out from the working directory, never the disk
    try:
        config = Config(root=os.path.abspath(root))
        names = FileNames(config)
        for path in (p.replace("{cwd}", str(tmp_path)) for p in chosen):
            assert names(path) == (display_path(path), module_name(config.relative(path))), path
            plain = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
            assert config.relative(path) == plain.replace(os.sep, "/"), path
    finally:
        os.chdir(cwd)
