"""`toc diff`: what changed between two versions, which findings came or went, and the CI gate."""

from __future__ import annotations

import datetime
import json
from typing import Any

from services.clock import today
from toc.diff import diff_command, diff_models, render_diff_text
from toc.document import parse_document
from toc.model import TheoryOfChange
from toc.report import check

DAY = datetime.date(2026, 6, 30)


def _model(
    nodes: list[dict[str, Any]], links: list[dict[str, Any]], **fields: Any
) -> TheoryOfChange:
    return parse_document({"id": "m", "title": "M", "nodes": nodes, "links": links, **fields})


def _n(node_id: str, level: str = "teacher", kind: str = "change", **fields: Any) -> dict[str, Any]:
    return {"id": node_id, "level": level, "kind": kind, "title": node_id.title(), **fields}


GRANT = _n("grant", "system", "initiative")
COACHING = _n("coaching", "system", "initiative")
PRACTICE = _n("practice")
READING = _n("reading", "student", "outcome")
CHAIN = [
    {"from": "grant", "to": "practice", "because": "b"},
    {"from": "practice", "to": "reading", "because": "b"},
]


def test_identical_models_differ_in_nothing_and_every_key_is_there() -> None:
    model = _model([GRANT, PRACTICE, READING], CHAIN)
    assert diff_models(model, model, as_of=DAY) == {
        "from": None,
        "to": None,
        "model": {},
        "nodes": {"added": [], "removed": [], "changed": {}},
        "links": {"added": [], "removed": [], "changed": {}},
        "findings": {"new": [], "resolved": []},
        "metrics": {},
        "initiatives": {},
    }


def test_only_what_changed_is_listed_with_ids_sorted() -> None:
    old = _model([GRANT, PRACTICE, READING], CHAIN, description="first draft")
    new = _model(
        [
            {**GRANT, "title": "Literacy grant", "actor": "district"},
            READING,
            _n("zeta"),
            _n("alpha"),
        ],
        [{"from": "grant", "to": "reading", "because": "b"}, {"from": "zeta", "to": "alpha"}],
        title="M2",
        version=7,
    )
    diff = diff_models(old, new, from_version=3, to_version=4, as_of=DAY)
    assert (diff["from"], diff["to"]) == (3, 4)
    # `version` is bookkeeping, carried by from/to; an absent description is null.
    assert diff["model"] == {"description": ["first draft", None], "title": ["M", "M2"]}
    assert diff["nodes"]["added"] == ["alpha", "zeta"]
    assert diff["nodes"]["removed"] == ["practice"]
    assert diff["nodes"]["changed"] == {
        "grant": {"actor": [None, "district"], "title": ["Grant", "Literacy grant"]}
    }
    assert diff["links"]["added"] == ["grant->reading", "zeta->alpha"]
    assert diff["links"]["removed"] == ["grant->practice", "practice->reading"]
    assert diff["links"]["changed"] == {}


def test_a_link_is_matched_by_its_id_and_its_fields_compared() -> None:
    old = _model([GRANT, PRACTICE], [{"id": "step", "from": "grant", "to": "practice"}])
    new = _model(
        [GRANT, PRACTICE],
        [{"id": "step", "from": "grant", "to": "practice", "polarity": "-", "because": "b"}],
    )
    assert diff_models(old, new, as_of=DAY)["links"]["changed"] == {
        "step": {"because": [None, "b"], "polarity": ["+", "-"]}
    }


def test_findings_are_matched_by_code_and_subject() -> None:
    old = _model([GRANT, PRACTICE, READING], [CHAIN[0]])
    new = _model([GRANT, COACHING, PRACTICE, READING], CHAIN)
    findings = diff_models(old, new, as_of=DAY)["findings"]
    resolved = {
        (f["code"], f["initiative"] or f["node"] or f["link"]) for f in findings["resolved"]
    }
    added = {(f["code"], f["initiative"] or f["node"] or f["link"]) for f in findings["new"]}
    assert ("TOC101", "grant") in resolved and ("TOC202", "practice") in resolved
    assert ("TOC101", "coaching") in added and ("TOC201", "coaching") in added
    # A finding present in both (same code and subject) is neither new nor resolved.
    assert not resolved & added
    both = {(f.code, f.subject) for f in check(old, as_of=today()).findings} & {
        (f.code, f.subject) for f in check(new, as_of=today()).findings
    }
    assert both and not both & (resolved | added)


def _tracked(node: dict[str, Any], indicators: list[dict[str, Any]]) -> dict[str, Any]:
    return {**node, "indicators": indicators}


def _weekly(indicator_id: str, date: str) -> dict[str, Any]:
    return {
        "id": indicator_id,
        "name": indicator_id,
        "cadence": "weekly",
        "observations": [{"date": date, "value": 1}],
    }


def test_stale_indicators_are_matched_by_their_indicator_too() -> None:
    old = _model(
        [_tracked(PRACTICE, [_weekly("visits", "2026-01-01"), _weekly("talk", "2026-06-29")])], []
    )
    new = _model(
        [_tracked(PRACTICE, [_weekly("visits", "2026-06-29"), _weekly("talk", "2026-01-01")])], []
    )
    findings = diff_models(old, new, as_of=DAY)["findings"]
    assert [(f["code"], f["node"], f["indicator"]) for f in findings["new"]] == [
        ("TOC701", "practice", "talk")
    ]
    assert [(f["code"], f["node"], f["indicator"]) for f in findings["resolved"]] == [
        ("TOC701", "practice", "visits")
    ]


def test_metrics_changed_are_old_and_new() -> None:
    old = _model([GRANT, PRACTICE, READING], [CHAIN[0]])
    new = _model([GRANT, PRACTICE, READING], CHAIN)
    metrics = diff_models(old, new, as_of=DAY)["metrics"]
    assert metrics["links"] == [1, 2]
    assert metrics["anchored_share"] == [0.0, 1.0]
    assert "nodes" not in metrics


def test_given_reports_are_used_as_they_are_as_objects_or_dicts() -> None:
    old = _model([GRANT], [])
    new = _model([GRANT, PRACTICE], [])
    stored = check(old, as_of=DAY).to_dict()
    stored["findings"] = []  # a report as a store kept it, from before a check existed
    diff = diff_models(old, new, old_report=stored, new_report=check(new, as_of=today()), as_of=DAY)
    assert {f["code"] for f in diff["findings"]["new"]} == {"TOC101", "TOC201"}


def test_exit_status_is_1_only_when_new_has_an_error_old_had_not() -> None:
    sound = _model([GRANT, PRACTICE, READING], CHAIN)
    unanchored = _model([GRANT, PRACTICE, READING], [CHAIN[1]])
    assert diff_command(sound, unanchored, as_of=DAY)[1] == 1
    assert diff_command(unanchored, sound, as_of=DAY)[1] == 0
    assert diff_command(unanchored, unanchored, as_of=DAY)[1] == 0
    # New warnings do not fail the gate.
    warned = _model([GRANT, PRACTICE, READING, _n("lonely")], CHAIN)
    assert diff_command(sound, warned, as_of=DAY)[1] == 0
    # An error re-rated to a warning by the model is a warning.
    rerated = _model([GRANT, PRACTICE, READING], [CHAIN[1]], checks={"TOC101": "warning"})
    assert diff_command(sound, rerated, as_of=DAY)[1] == 0


def test_json_output_is_the_diff_and_text_output_reads_as_a_list_of_changes() -> None:
    old = _model([GRANT, PRACTICE, READING], CHAIN)
    new = _model([{**GRANT, "title": "Literacy grant"}, PRACTICE, READING], [CHAIN[1]])
    payload, status = diff_command(old, new, "json", as_of=DAY)
    assert json.loads(payload) == diff_models(old, new, as_of=DAY)
    text, _ = diff_command(old, new, "text", as_of=DAY)
    assert text == render_diff_text(diff_models(old, new, as_of=DAY))
    lines = text.splitlines()
    assert "  - grant->practice" in lines
    assert '      title: "Grant" → "Literacy grant"' in lines
    assert any(line.startswith("  new error TOC101 unanchored-initiative grant:") for line in lines)
    assert lines[-1] == "worse: the new version has an error the old one had not"
    assert status == 1


def test_the_scorecard_changes_per_initiative_read_as_one_line_each() -> None:
    # auto-enroll gains a measure before the outcome: its standing moves from unmeasured.
    enroll = _n("auto-enroll", "system", "initiative", title="Auto-enroll in Algebra I")
    old = _model(
        [enroll, PRACTICE, READING],
        [
            {"from": "auto-enroll", "to": "practice", "because": "b"},
            {"from": "practice", "to": "reading", "because": "b"},
        ],
    )
    measured = {**PRACTICE, "indicators": [{"name": "Change in practice"}]}
    new = _model(
        [{**enroll, "cost": 90000, "reach": 300}, measured, READING],
        [
            {"from": "auto-enroll", "to": "practice", "because": "b"},
            {"from": "practice", "to": "reading", "because": "b"},
        ],
    )
    diff = diff_models(old, new, as_of=DAY)
    changed = diff["initiatives"]["auto-enroll"]
    assert changed["standing"] == ["unmeasured", "sound"]
    assert changed["measured"] == ["none", "leading"]
    assert changed["cost"] == [None, 90000] and changed["cost_per_student"] == [None, 300.0]
    assert "id" not in changed and "title" not in changed
    text = render_diff_text(diff)
    assert "  auto-enroll: standing unmeasured → sound\n" in text
    assert "  auto-enroll: cost none → 90000\n" in text
    assert json.loads(diff_command(old, new, "json", as_of=DAY)[0])["initiatives"] == json.loads(
        json.dumps(diff["initiatives"])
    )


def test_a_field_one_stored_report_lacks_is_not_a_change() -> None:
    model = _model([GRANT, PRACTICE, READING], CHAIN)
    report = check(model, as_of=DAY).to_dict()
    older = json.loads(json.dumps(report))
    for row in older["initiatives"]:
        del row["progress"]
    assert diff_models(model, model, older, report, as_of=DAY)["initiatives"] == {}
