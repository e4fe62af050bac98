"""Generated artefacts stay in step with the code that generates them."""

from __future__ import annotations

import json

import pytest

from toc import catalogue_docs, schema
from toc.checks import all_checks

REGENERATE = "regenerate with `python -m toc.schema` and `python -m toc.catalogue_docs`"


def test_json_schema_is_current() -> None:
    assert schema.SCHEMA_PATH.read_text(encoding="utf-8") == schema.render(), REGENERATE


def test_checks_docs_are_current() -> None:
    assert catalogue_docs.DOCS_PATH.read_text(encoding="utf-8") == catalogue_docs.render(), (
        REGENERATE
    )


@pytest.mark.parametrize("check", all_checks(), ids=lambda c: c.code)
def test_every_check_is_documented_in_full(check) -> None:
    docs = catalogue_docs.DOCS_PATH.read_text(encoding="utf-8")
    start = docs.index(f"## {check.code} {check.name}")
    end = docs.find("\n## ", start + 1)
    section = docs[start : end if end != -1 else None]
    for heading in (
        "### What it finds",
        "### Why it matters",
        "### How to fix it",
        "### Failing example",
        "### Passing example",
    ):
        assert heading in section, f"{check.code} docs lack {heading!r}"
    assert len(check.rationale.split()) >= 40, f"{check.code} rationale is not a paragraph"
    assert f"{check.code} {check.name} " in section.split("### Failing example")[1], (
        f"{check.code}'s failing example does not show the finding"
    )


def test_schema_accepts_the_examples_and_names_every_check() -> None:
    document = schema.json_schema()
    assert document["properties"]["checks"]["propertyNames"]["enum"] == sorted(
        c.code for c in all_checks()
    )
    assert json.loads(schema.render()) == document
