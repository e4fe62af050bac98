"""Generated artefacts stay in step with the code that generates them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from toc import catalogue_docs, schema
from toc.checks.cases import case_documents, load_cases
from toc.checks.catalogue import all_checks

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


def _first_change(document: dict[str, Any]) -> dict[str, Any]:
    return next(node for node in document["nodes"] if node["kind"] == "change")


def test_the_published_schema_accepts_the_initiative_fields_on_an_initiative() -> None:
    document = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    document.update(scope="district", org="0612345", designations=["CSI"], currency="USD")
    document["nodes"][0].update(
        label="HQI",
        realizes=["state-plan:hqim-grants"],
        cost=120000,
        reach=4200,
        decision={"verdict": "keep", "rationale": "On track", "date": "2026-11-02"},
        required=False,
        funding=[{"source": "Title II-A", "amount": 120000, "ends": "2027-09-30"}],
        eligible=["0612345"],
        essa_tier={"tier": 2, "source": "WWC review"},
    )
    document["links"][0]["lag"] = "1 year"
    assert [error.message for error in _validator().iter_errors(document)] == []


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
        # The fields toc 0.2 added (SPEC §1).
        (lambda d: _first_change(d).update(cost=5), "5 is not of type 'null'"),
        (lambda d: _first_change(d).update(funding=[{"source": "Title I-A", "amount": 5}]), "[{"),
        (lambda d: d["nodes"][0].update(cost=-1), "-1"),
        (lambda d: d["nodes"][0].update(reach=2.5), "2.5"),
        (lambda d: d["nodes"][0].update(label="x" * 61), "xxxxxxxx"),
        (lambda d: d["nodes"][0].update(realizes=["no reference"]), "no reference"),
        (
            lambda d: d["nodes"][0].update(
                decision={"verdict": "kepp", "rationale": "r", "date": "2026-01-05"}
            ),
            "kepp",
        ),
        (lambda d: d["nodes"][0].update(decision={"verdict": "keep"}), "{'verdict': 'keep'}"),
        (lambda d: d["links"][0].update(lag="3 moons"), "3 moons"),
        (lambda d: d.update(currency="usd"), "usd"),
        (lambda d: d.update(scope="county"), "county"),
    ],
)
def test_the_published_schema_rejects_what_the_contract_rejects(change: Any, where: str) -> None:
    document = json.loads(EXAMPLES[0].read_text(encoding="utf-8"))
    change(document)
    messages = [error.message for error in _validator().iter_errors(document)]
    assert any(where in message for message in messages), messages
