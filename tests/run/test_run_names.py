"""What a run calls a file (``contractlint.run.names``): a module is named as Python imports it,
from the deepest import root that holds it (``src/app/http.py`` is ``app.http``, a folder without
``__init__.py`` a namespace package), else by the packages its ``__init__.py`` files make;
``FileNames``, which works a folder out once for all its files, names every file as
``display_path`` and ``module_of`` name it alone; ``Config.relative``, which cuts the root off a
path inside it, says what ``os.path.relpath`` says."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from contractlint.config import Config
from contractlint.run.names import FileNames, display_path, import_roots, module_name, module_of

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
@example(["//../__init__.py"], "/")  # the root, spelled ``//``: a file at the root, not in it
def test_file_names_name_each_file_as_the_plain_functions_do(tmp_path, chosen, root):
    cwd = os.getcwd()
    os.chdir(tmp_path)  # the names are worked out from the working directory, never the disk
    try:
        config = Config(root=os.path.abspath(root))
        roots = import_roots(config)
        names = FileNames(roots)
        for path in (p.replace("{cwd}", str(tmp_path)) for p in chosen):
            assert names(path) == (display_path(path), module_of(path, roots)), path
            plain = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
            assert config.relative(path) == plain.replace(os.sep, "/"), path
    finally:
        os.chdir(cwd)


def _tree(root, names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


LAYOUT = [
    "setup.py",
    "tests/test_http.py",  # a folder without __init__.py under the root: a namespace package
    "src/app/__init__.py",
    "src/app/http.py",
    "src/acme/plugins/x.py",  # namespace packages under src/
    "flat/__init__.py",
    "flat/views.py",
]


@pytest.mark.parametrize(
    "name, module",
    [
        ("setup.py", "setup"),
        ("tests/test_http.py", "tests.test_http"),
        ("src/app/__init__.py", "app"),
        ("src/app/http.py", "app.http"),
        ("src/acme/plugins/x.py", "acme.plugins.x"),
        ("flat/views.py", "flat.views"),
    ],
)
def test_modules_are_named_from_the_deepest_import_root(tmp_path, monkeypatch, name, module):
    _tree(tmp_path, LAYOUT)
    monkeypatch.chdir(tmp_path)
    roots = import_roots(Config(root=str(tmp_path)))
    assert roots == (str(tmp_path / "src"), str(tmp_path))
    assert module_of(name, roots) == module
    assert FileNames(roots)(os.path.join(*name.split("/")))[1] == module


@pytest.mark.parametrize(
    "name, module",
    [
        ("wheel/pkg/__init__.py", "pkg"),
        ("wheel/pkg/sub/mod.py", "pkg.sub.mod"),
        ("wheel/pkg/loose/mod.py", "mod"),  # no __init__.py: not part of a package
        ("wheel/script.py", "script"),
        # a namespace package inside a package (airflow/providers/amazon): named through it
        ("wheel/pkg/providers/amazon/hooks.py", "pkg.providers.amazon.hooks"),
        ("wheel/pkg/providers/amazon/__init__.py", "pkg.providers.amazon"),
        # a folder Python cannot import stops the walk, whatever lies above it
        ("wheel/pkg/sub/my-tool/tool/run.py", "tool.run"),
    ],
)
def test_outside_every_root_a_module_is_named_by_its_packages(tmp_path, monkeypatch, name, module):
    _tree(tmp_path, ["wheel/pkg/__init__.py", "wheel/pkg/sub/__init__.py", "wheel/pkg/sub/mod.py"])
    _tree(tmp_path, ["wheel/pkg/loose/mod.py", "wheel/script.py"])
    _tree(
        tmp_path, ["wheel/pkg/providers/amazon/__init__.py", "wheel/pkg/providers/amazon/hooks.py"]
    )
    _tree(tmp_path, ["wheel/pkg/sub/my-tool/tool/__init__.py", "wheel/pkg/sub/my-tool/tool/run.py"])
    for cwd in (tmp_path, tmp_path / "wheel" / "pkg"):  # whatever the folder the run starts in
        monkeypatch.chdir(cwd)
        path = os.path.relpath(tmp_path / name)
        assert module_of(path, ()) == module
        assert FileNames(())(path)[1] == module
