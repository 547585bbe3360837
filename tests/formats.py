"""The output formats read as their consumers read them: the official SARIF 2.1.0 schema (a copy
in ``tests/schemas/``, with its source), the Actions runner's reading of a workflow command, the
tags and text of an HTML page, and a JSON schema that must reject every mutation of a document."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

SARIF_SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json"


def sarif_validator():
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """The Actions runner's reading of ``::cmd k=v,k=v::data``
    (ActionCommand.TryParseV2), unescaping included."""
    assert line.startswith("::") and "\n" not in line and "\r" not in line
    end = line.index("::", 2)
    head, data = line[2:end], line[end + 2 :]
    command, _, props = head.partition(" ")

    def unescape(text: str, prop: bool) -> str:
        text = text.replace("%0D", "\r").replace("%0A", "\n")
        if prop:
            text = text.replace("%3A", ":").replace("%2C", ",")
        return text.replace("%25", "%")

    properties = {}
    for pair in props.split(","):
        key, _, value = pair.partition("=")
        assert key and key not in properties
        properties[key] = unescape(value, prop=True)
    return command, properties, unescape(data, prop=False)


class Page(HTMLParser):
    """Collects what an offline reader depends on: tags, attributes, text, and
    whether tags balance."""

    VOID = {"meta", "br", "img", "link", "input", "hr", "col", "source", "wbr", "rect"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.stack, self.text, self.errors = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def assert_rejects(check: jsonschema.Draft202012Validator, doc: dict, mutations) -> None:
    """Each mutation of a copy of ``doc`` must fail validation."""
    for i, mutate in enumerate(mutations):
        copy = json.loads(json.dumps(doc))
        mutate(copy)
        with pytest.raises(jsonschema.ValidationError):
            check.validate(copy)
            pytest.fail(f"mutation {i} was accepted")
