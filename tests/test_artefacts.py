"""Generated artefacts stay in step with the code that generates them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from toc import catalogue_docs, schema
from toc.checks import all_checks
from toc.checks.cases import case_documents, load_cases

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


EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json"))
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "toc-1.schema.json"


def _validator() -> Any:
    published = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(published)
    validator_class.check_schema(published)
    return validator_class(published, format_checker=validator_class.FORMAT_CHECKER)


def test_the_schema_names_every_check() -> None:
    document = schema.json_schema()
    assert document["properties"]["checks"]["propertyNames"]["enum"] == sorted(
        c.code for c in all_checks()
    )
    assert json.loads(schema.render()) == document


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_the_published_schema_accepts_every_example(path: Path) -> None:
    # What a user's editor or another planning tool would do with the schema file alone.
    errors = list(_validator().iter_errors(json.loads(path.read_text(encoding="utf-8"))))
    assert [error.message for error in errors] == []


def test_the_published_schema_accepts_every_check_case() -> None:
    validator = _validator()
    rejected = {
        f"{case.code} {case.name}": [error.message for error in validator.iter_errors(doc)]
        for case in load_cases()
        for doc in case_documents(case)
        if list(validator.iter_errors(doc))
    }
    assert rejected == {}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["nodes"][0].update(level="district"), "'district'"),
        (lambda d: d["nodes"][0].update(becuase="typo"), "becuase"),
        (lambda d: d["nodes"][0].update(id="Not A Slug"), "Not A Slug"),
        (lambda d: d["links"][0].update(polarity="x"), "'x'"),
        (lambda d: d.update(checks={"TOC999": "off"}), "TOC999"),
        (
            lambda d: d["nodes"][0].update(
                indicators=[{"name": "n", "observations": [{"date": "soon", "value": 1}]}]
            ),
            "soon",
        ),
    ],
)
def test_the_published_schema_rejects_what_the_contract_rejects(change: Any, where: str) -> None:
    document = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    change(document)
    messages = [error.message for error in _validator().iter_errors(document)]
    assert any(where in message for message in messages), messages
