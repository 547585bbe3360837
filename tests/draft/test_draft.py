"""`contractlint draft PACKAGE`: a contract read from a client's source, never imported.

Each draft is loaded through the contract loader (it must be a valid contract as printed), then
compared with what the package really is: the example client and its hand-written contract, small
packages written here for each rule of the reading, and the installed requests, redis and httpx,
imported by the test (never by the draft) to compare with their real classes.
test_draft_builtin_contracts.py compares the same drafts with the builtin contracts.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import sys

import pytest
from clirun import invoke
from drafting import EXAMPLES, comments, drafted, group_of
from exampleclient import CLIENT, CONTRACT
from hypothesis import given
from hypothesis import strategies as st
from libraries import resolve
from trees import write

from contractlint.contracts import load_contract
from contractlint.draft.render import toml_string
from contractlint.model import BUILTIN_EXCEPTIONS
from contractlint.tomlfile import tomllib

# --- the example client ---------------------------------------------------------------------------


def test_the_example_client_drafts_its_hand_written_hierarchy_calls_and_factory(monkeypatch):
    contract, text, problems = drafted("capability_client", CLIENT, monkeypatch)
    written = load_contract(str(CONTRACT))
    assert problems == []
    assert contract.errors.bases == written.errors.bases
    assert contract.name == "capability-client"
    assert contract.summary.startswith("A stub of the capability-server client")
    client = group_of(contract, "Calls on capability_client.CapabilityClient")
    assert client.match == (
        "capability_client.CapabilityClient.check",
        "capability_client.CapabilityClient.check_async",
        "capability_client.CapabilityClient.grant",
    )
    assert client.raises == ("capability_client.CapabilityError",)
    assert client.policy == "any"
    functions = group_of(contract, "Functions of capability_client")
    # get_client only builds a client ([types]); call_with_fallback and fail_open take a callable.
    assert functions.match == ("capability_client.check_capability",)
    assert dict(contract.types) == dict(written.types)
    assert '# wrappers = ["capability_client.call_with_fallback"]' in text
    assert '# decorators = ["capability_client.fail_open"]' in text
    # Capability is what the service answers with, not a client: named for the owners to judge.
    assert "not taken for clients: capability_client.Capability." in comments(text)
    # Every call the hand-written contract lists is in the draft, under the same name.
    for group in written.calls:
        for pattern in group.match:
            name = pattern.rstrip("*")
            assert any(g.matches(name) for g in contract.calls), name


def test_every_group_asks_the_owners_for_a_policy_and_a_fallback(monkeypatch):
    contract, text, _ = drafted("capability_client", CLIENT, monkeypatch)
    policies = [line for line in text.splitlines() if line.startswith("policy = ")]
    assert len(policies) == len(contract.calls) == 2
    assert all('"fail-open"' in line and '"fail-closed"' in line for line in policies)
    assert text.count('# fallback = ""  # TODO(owners)') == 2


def test_the_command_prints_the_draft_and_contracts_validates_it(tmp_path):
    result = invoke("draft", "profile_client", cwd=EXAMPLES)
    assert result.exit_code == 0, result.stderr
    entry = (
        '"profile_client.ProfileUnavailable" = ["profile_client.ProfileError", "ConnectionError"]'
    )
    assert entry in result.stdout.splitlines()
    target = tmp_path / "profile.toml"
    result = invoke("draft", "./profile_client", "--output", str(target), cwd=EXAMPLES)
    assert result.exit_code == 0 and result.stdout == ""
    checked = invoke("contracts", "--contract", str(target))
    assert checked.exit_code == 0, checked.stderr
    group = "  [[calls]][1] any: profile_client.ProfileClient.lookup -> profile_client.ProfileError"
    assert group in checked.stdout.splitlines()


# --- never imported -------------------------------------------------------------------------------

TRAP = """\
import pathlib
pathlib.Path(__file__).with_name("IMPORTED").write_text("this package ran")
raise RuntimeError("imported")
"""


def test_the_package_and_its_parents_are_read_neverresolve(tmp_path, monkeypatch):
    write(
        tmp_path,
        {
            "trapped/__init__.py": TRAP + "from trapped.errors import TrapError\n",
            "trapped/errors.py": "class TrapError(Exception):\n    pass\n",
            "trapped/sub/__init__.py": TRAP + "from .client import TrapClient\n",
            "trapped/sub/client.py": """\
                from trapped.errors import TrapError
                class TrapTimeout(TrapError, TimeoutError):
                    pass
                class TrapClient:
                    def fetch(self):
                        raise TrapTimeout()
                """,
        },
    )
    # Where an import would find it too: reading must not take that road.
    monkeypatch.syspath_prepend(str(tmp_path))
    whole, _, _ = drafted("trapped", tmp_path, monkeypatch)
    sub, _, _ = drafted("trapped.sub", tmp_path, monkeypatch)
    by_path, _, _ = drafted(str(tmp_path / "trapped" / "sub"), tmp_path, monkeypatch)
    assert list(tmp_path.rglob("IMPORTED")) == []
    assert not any(name == "trapped" or name.startswith("trapped.") for name in sys.modules)
    assert whole.errors.bases["trapped.sub.client.TrapTimeout"] == (
        "trapped.errors.TrapError",
        "TimeoutError",
    )
    # The subpackage alone: its base from the parent package is read too, as a dependency.
    assert sub.errors.bases["trapped.errors.TrapError"] == ("Exception",)
    assert sub.canonical("trapped.sub.TrapClient") == "trapped.sub.client.TrapClient"
    assert by_path.errors.bases == sub.errors.bases
    assert [g.match for g in by_path.calls] == [g.match for g in sub.calls]


# --- the reading, rule by rule --------------------------------------------------------------------

SHOP = {
    "shop/__init__.py": '''\
        """Shop client: "orders" & payments \\\\ with a tab\there \\x01."""
        from ._errors import *
        from ._client import ShopClient, connect
        from .models import Order
        from . import models
        Client = ShopClient
        ''',
    "shop/_errors.py": """\
        from vendor.errors import VendorError
        try:
            from missing_dependency import Base
        except ImportError:
            from vendor.errors import VendorBase as Base
        from compiled_only import CompiledError
        import vendor
        __all__ = [
            "ShopError", "ShopTimeout", "ShopUnavailable", "PaymentError", "OddError", "ShopWarning",
            "StrangeError",
        ]
        class _Internal(Exception):
            pass
        class ShopError(_Internal):
            pass
        class ShopTimeout(ShopError, TimeoutError):
            pass
        class ShopUnavailable(ShopError, VendorError, IOError):
            pass
        class PaymentError(ShopError, Base):
            pass
        class OddError(CompiledError):
            pass
        class StrangeError(vendor.ValueError):  # an attribute of a module is never a builtin
            pass
        class ShopWarning(UserWarning):
            pass
        class _Hidden(ShopError):
            pass
        """,  # noqa: E501
    "shop/_client.py": """\
        from __future__ import annotations
        from typing import Optional
        from .models import Order
        class Batch:
            pass
        class ShopClient:
            @property
            def url(self):
                return ""
            def order(self, item) -> Order:
                return Order()
            def pay(self, order):
                pass
            def batch(self) -> "Pipeline":
                return Pipeline()
            def clone(self) -> Self:
                return self
            def _secret(self):
                pass
        class Pipeline(ShopClient):
            def execute(self):
                pass
        def connect(url: str) -> Optional[ShopClient]:
            return ShopClient()
        """,
    "shop/models.py": """\
        class Order:
            def total(self):
                return 0
        """,
    "shop/tests/test_shop.py": "class ShopTestError(Exception):\n    pass\n",
    "vendor/__init__.py": "",
    "vendor/errors.py": """\
        class VendorBase(Exception):
            pass
        class VendorError(VendorBase, ConnectionError):
            pass
        """,
}


@pytest.fixture
def shop(tmp_path, monkeypatch):
    write(tmp_path, SHOP)
    return drafted("shop", tmp_path, monkeypatch)


def test_errors_are_named_where_users_import_them_with_every_exception_base(shop):
    contract, text, _ = shop
    bases = dict(contract.errors.bases)
    # Defined in a private module and re-exported through `from ._errors import *` and __all__:
    # the public spelling is the name. The private base is replaced by its own bases.
    assert bases["shop.ShopError"] == ("Exception",)
    assert bases["shop.ShopTimeout"] == ("shop.ShopError", "TimeoutError")
    # IOError is OSError; a dependency's exception is named where it is defined, and listed.
    assert bases["shop.ShopUnavailable"] == (
        "shop.ShopError",
        "vendor.errors.VendorError",
        "OSError",
    )
    assert bases["vendor.errors.VendorError"] == ("vendor.errors.VendorBase", "ConnectionError")
    assert bases["vendor.errors.VendorBase"] == ("Exception",)
    # The import that works of `try: ... except ImportError: ...`.
    assert bases["shop.PaymentError"] == ("shop.ShopError", "vendor.errors.VendorBase")
    for left_out in ("shop._errors._Internal", "shop._errors._Hidden", "shop.ShopWarning"):
        assert not any(left_out.rpartition(".")[2] in key for key in bases), left_out
    assert not any("ShopTestError" in key for key in bases)
    assert contract.canonical("shop._errors.ShopTimeout") == "shop.ShopTimeout"
    assert "Warnings are left out (warnings.warn issues them): shop.ShopWarning." in comments(text)
    # A base with no source to read: the class cannot be known to be an exception; the
    # owners are told.
    assert "shop.OddError" not in bases and "shop.StrangeError" not in bases
    assert (
        "Not listed, because a base could not be followed to a class (no Python source for it, "
        "or a name bound at run time): shop.OddError, shop.StrangeError." in comments(text)
    )


def test_clients_methods_types_and_functions(shop):
    contract, text, _ = shop
    client = group_of(contract, "Calls on shop.ShopClient")
    # Public methods only: no property, no _secret.
    assert client.match == (
        "shop.ShopClient.order",
        "shop.ShopClient.pay",
        "shop.ShopClient.batch",
        "shop.ShopClient.clone",
    )
    # Pipeline is not exported, but a client's method returns it and its name says "client".
    pipeline = group_of(contract, "Calls on shop._client.Pipeline")
    assert pipeline.match[0] == "shop._client.Pipeline.execute"
    assert "shop._client.Pipeline.order" in pipeline.match
    assert "    # inherited from shop.ShopClient" in text
    assert dict(contract.types) == {
        "shop.ShopClient.batch": "shop._client.Pipeline",
        "shop.ShopClient.clone": "shop.ShopClient",
        "shop._client.Pipeline.batch": "shop._client.Pipeline",
        "shop._client.Pipeline.clone": "shop._client.Pipeline",
        "shop.connect": "shop.ShopClient",
    }
    # connect() is a factory: a [types] entry, not a call group of its own.
    assert not any(g.description == "Functions of shop" for g in contract.calls)
    assert "not taken for clients: shop.models.Order." in comments(text)
    # `Client = ShopClient` and the private module's spelling are aliases of the public name.
    assert contract.canonical("shop.Client.pay") == "shop.ShopClient.pay"
    assert contract.canonical("shop._client.ShopClient") == "shop.ShopClient"
    # Every root error of the package, for the owners to narrow.
    assert client.raises == ("shop.ShopError",)


def test_text_from_the_source_is_escaped_for_toml(shop):
    contract, _, _ = shop
    assert contract.summary == 'Shop client: "orders" & payments \\ with a tab\there \x01.'


@given(st.text())
def test_any_text_round_trips_through_a_toml_string(text):
    # A lone surrogate cannot be written in UTF-8: it becomes U+FFFD.
    expected = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    assert tomllib.loads(f"value = {toml_string(text)}\n")["value"] == expected


def test_a_client_with_many_methods_gets_one_glob(tmp_path, monkeypatch):
    methods = "".join(f"    def command_{i}(self):\n        pass\n" for i in range(45))
    write(
        tmp_path,
        {
            "big.py": '"""Big."""\nclass BigError(Exception):\n    pass\n'
            f"class Big:\n{methods}    def pipeline(self) -> 'BigPipeline':\n        pass\n"
            "class BigPipeline:\n    def execute(self):\n        pass\n",
        },
    )
    contract, text, _ = drafted("big", tmp_path, monkeypatch)
    group = group_of(contract, "Calls on big.Big")
    assert group.match == ("big.Big.*",)
    assert group.exclude == ("big.Big._*",)
    assert '    # "big.Big.pipeline",  # makes a big.BigPipeline' in text
    assert group.matches("big.Big.command_44") and not group.matches("big.Big.__init__")


def test_wrappers_and_decorators_are_suggested_for_approval_in_comments(tmp_path, monkeypatch):
    wrappers = "".join(
        f"def call_with_a_rather_long_fallback_name_{i}(fn: Callable[[], int]) -> int:\n"
        "    return fn()\n"
        for i in range(4)
    )
    write(
        tmp_path,
        {
            "wrapping.py": "from typing import Callable\n"
            + wrappers
            + "def retry(fn):\n    def inner():\n        return fn()\n    return inner\n"
            "def fetch() -> int:\n    return 1\n",
        },
    )
    contract, text, _ = drafted("wrapping", tmp_path, monkeypatch)
    assert contract.approved_wrappers == () and contract.approved_decorators == ()
    assert group_of(contract, "Functions of wrapping").match == ("wrapping.fetch",)
    approved = [line for line in text.splitlines() if "call_with_a_rather_long_fallback" in line]
    assert len(approved) == 4 and all(line.startswith("#") for line in approved)
    assert '# decorators = ["wrapping.retry"]' in text


def test_a_package_without_errors_or_clients_still_drafts_a_valid_contract(tmp_path, monkeypatch):
    write(tmp_path, {"plain.py": "X = 1\n"})
    contract, text, _ = drafted("plain", tmp_path, monkeypatch)
    assert [(g.match, g.raises) for g in contract.calls] == [(("plain.**",), ("Exception",))]
    assert "TODO(owners): no client class or function was found" in comments(text)


# --- bad input ------------------------------------------------------------------------------------


def test_an_unknown_package_is_one_line_and_exit_2(tree, cli):
    result = cli("draft", "no_such_package_here")
    assert result.exit_code == 2
    assert result.stderr == (
        "contractlint: error: no_such_package_here: no module of that name on the Python path "
        "(nothing was imported)\n"
    )
    result = cli("draft", "./missing/folder")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "not a package folder nor a .py file" in result.stderr
    tree({"solo.py": "X = 1\n"})
    result = cli("draft", "solo.nothing")
    assert result.exit_code == 2 and "solo.nothing: no module of that name" in result.stderr


def test_a_file_that_does_not_parse_is_skipped_with_its_position(tree, cli, monkeypatch):
    root = tree(
        {
            "half/__init__.py": "from .good import HalfError\n",
            "half/good.py": "class HalfError(Exception):\n    pass\n",
            "half/broken.py": "class Broken(Exception):\n    def (\n",
        }
    )
    result = cli("draft", "half")
    assert result.exit_code == 0
    broken = root / "half" / "broken.py"
    assert result.stderr.startswith(f"contractlint: {broken}:2:")
    assert result.stderr.endswith("; skipped\n") and result.stderr.count("\n") == 1
    assert '"half.good.HalfError" = ["Exception"]' in result.stdout
    contract, _, problems = drafted("half", root, monkeypatch)
    assert list(contract.errors.bases)[-1] == "half.good.HalfError" and len(problems) == 1


# --- real clients: the draft against the classes they define --------------------------------------


@pytest.mark.parametrize("package", ["requests", "redis", "httpx"])
def test_the_draft_is_the_installed_exception_hierarchy(package, tmp_path, monkeypatch):
    """Each error is a real exception class with exactly the draft's direct bases, and every
    exception class the package exports at its top is in the draft under that spelling."""
    draft, _, problems = drafted(package, tmp_path, monkeypatch)
    assert problems == []
    named = {getattr(builtins, name): name for name in BUILTIN_EXCEPTIONS}
    for error in draft.errors.bases:
        cls = resolve(error)
        assert inspect.isclass(cls) and issubclass(cls, BaseException), error
        assert cls not in named, f"{error} is also {named.get(cls)}"
        named[cls] = error
    for error, bases in draft.errors.bases.items():
        real = [named.get(b) for b in resolve(error).__bases__ if issubclass(b, BaseException)]
        assert list(bases) == real, error
    module = importlib.import_module(package)
    for attr in dir(module):
        obj = getattr(module, attr)
        if inspect.isclass(obj) and issubclass(obj, Exception) and not issubclass(obj, Warning):
            assert draft.canonical(f"{package}.{attr}") == named[obj], attr


def test_a_string_annotation_of_the_library_warns_nothing(tmp_path, monkeypatch):
    """The library's text is read, never ours to warn about: an invalid escape inside a string
    annotation (a SyntaxWarning on Python 3.12) is no warning of the draft's."""
    import warnings

    write(
        tmp_path,
        {
            "esc.py": "class EscError(Exception):\n    pass\n"
            "class Esc:\n    def pipeline(self) -> \"EscPipe['\\\\d']\":\n        pass\n"
            "class EscPipe:\n    def run(self):\n        pass\n",
        },
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        contract, text, _ = drafted("esc", tmp_path, monkeypatch)
    assert [str(w.message) for w in caught] == []
    assert group_of(contract, "Calls on esc.Esc").matches("esc.Esc.pipeline")
