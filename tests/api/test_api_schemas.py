"""The named schemas of the OpenAPI document say what the code answers, key for key.

The report, scorecard rows and diff are built as dicts by the domain core; their schemas are
pydantic types in `api/schemas.py` that forbid unknown keys (SPEC §3's newer fields are
declared optional until the code answers them). These tests run the real code over the
examples and hold both to each other, so a key answered and not declared, or declared
required and not answered, fails here (and schemathesis would refuse the answer).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from api.schemas import Diff, Metrics, Report, ScorecardRow
from services.clock import today
from toc.diff import diff_models
from toc.document import parse_document
from toc.report import check

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.json"))


def _declared_and_answered(model: type[BaseModel], answer: dict[str, Any]) -> None:
    """Every key answered is declared, and every key declared required is answered."""
    fields = model.model_fields.items()
    declared = {field.alias or name for name, field in fields}
    required = {field.alias or name for name, field in fields if field.is_required()}
    assert set(answer) <= declared, (model.__name__, set(answer) - declared)
    assert required <= set(answer), (model.__name__, required - set(answer))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_the_report_schema_is_what_the_check_answers(path: Path) -> None:
    report = check(parse_document(json.loads(path.read_text())), as_of=today()).to_dict()
    Report.model_validate(report)
    _declared_and_answered(Report, report)
    _declared_and_answered(Metrics, report["metrics"])
    for row in report["initiatives"]:
        _declared_and_answered(ScorecardRow, row)


def test_the_diff_schema_is_what_a_diff_answers() -> None:
    old = parse_document(json.loads(EXAMPLES[0].read_text()))
    new = old.model_copy(deep=True)
    new.title = "Renamed"
    new.nodes = new.nodes[1:]
    diff = diff_models(old, new, from_version=1, to_version=2, as_of=today())
    Diff.model_validate(diff)
    _declared_and_answered(Diff, diff)
    assert diff["model"]["title"] == [old.title, "Renamed"]
