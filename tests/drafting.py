"""Drafts as the tests of `contractlint draft` need them: small packages written to disk, drafted
from a folder and loaded through the contract loader."""

from __future__ import annotations

import tempfile
from pathlib import Path

from contractlint.contracts import load_contract
from contractlint.draft import draft_contract
from contractlint.model import Contract

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def drafted(spec: str, where: Path, monkeypatch) -> tuple[Contract, str, list[str]]:
    """The draft of ``spec`` as seen from the folder ``where``, loaded as a contract."""
    monkeypatch.chdir(where)
    text, problems = draft_contract(spec)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "draft.toml"
        path.write_text(text, encoding="utf-8")
        return load_contract(str(path)), text, problems


def comments(text: str) -> str:
    """The draft's comments as one line, however they are wrapped."""
    return " ".join(
        line.strip().lstrip("#").strip()
        for line in text.splitlines()
        if line.strip().startswith("#")
    )


def group_of(contract: Contract, description: str):
    return next(g for g in contract.calls if g.description == description)
