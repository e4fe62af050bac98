"""The scorecard rows (`Report.initiatives`): what a cabinet reads per initiative, SPEC §3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from services.clock import today
from toc.document import load_json, parse_document
from toc.reading import read_document
from toc.report import check

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "state-portfolio.json"
KEYS = [
    "id",
    "title",
    "standing",
    "mixed",
    "works_against",
    "worked_against_by",
    "progress",
    "raises",
    "lowers",
    "because_chain",
    "measured",
    "evidence",
    "essa_tier",
    "rated_links",
    "conflicts",
    "siloed",
    "decision",
    "required",
    "cost",
    "reach",
    "cost_per_student",
    "findings",
]


def _rows(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in check(parse_document(data), as_of=today()).initiatives}


def _portfolio() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_the_state_portfolio_shows_every_standing() -> None:
    rows = check(read_document(EXAMPLE.read_bytes()), as_of=today()).initiatives
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert all(list(row) == KEYS for row in rows)
    standing = {row["id"]: row["standing"] for row in rows}
    assert standing == {
        "coaching-grant": "unmeasured",
        "family-reading-app": "no-chain",
        "hqim-literacy-grants": "no-because",
        "pacing-compliance-review": "sound",
        "teacher-eval-rubric": "only-lowers",
        "universal-screening": "sound",
    }


def test_the_state_portfolio_rows_say_what_each_initiative_does() -> None:
    rows = {
        row["id"]: row
        for row in check(read_document(EXAMPLE.read_bytes()), as_of=today()).initiatives
    }
    rubric = rows["teacher-eval-rubric"]
    assert (rubric["raises"], rubric["lowers"]) == ([], ["grade3-reading"])
    assert rubric["findings"]["error"] == 1  # TOC105
    pacing = rows["pacing-compliance-review"]
    assert (pacing["raises"], pacing["lowers"]) == (["grade3-reading"], ["grade3-reading"])
    # Drawing its trade-off does not rank it below a plan that draws none: mixed is a flag.
    assert (pacing["standing"], pacing["mixed"]) == ("sound", True)
    assert pacing["works_against"] == ["hqim-literacy-grants", "universal-screening"]
    assert rows["universal-screening"]["worked_against_by"] == [
        "pacing-compliance-review",
        "teacher-eval-rubric",
    ]
    # The coaching grant is measured by counts and by the state test every initiative shares.
    assert rows["coaching-grant"]["measured"] == "outcome-only"
    assert rows["universal-screening"]["measured"] == "leading"
    app = rows["family-reading-app"]
    assert (app["measured"], app["raises"], app["because_chain"]) == (None, [], False)
    assert rows["hqim-literacy-grants"]["because_chain"] is False
    # Two initiatives push small-group reteaching up and two push it down: all four see it.
    for name in (
        "hqim-literacy-grants",
        "universal-screening",
        "pacing-compliance-review",
        "teacher-eval-rubric",
    ):
        assert rows[name]["conflicts"] == ["small-group-reteaching"]
    assert rows["coaching-grant"]["conflicts"] == []


def test_every_pusher_is_listed_and_named_by_title() -> None:
    report = check(read_document(EXAMPLE.read_bytes()), as_of=today())
    (conflict,) = [f for f in report.findings if f.code == "TOC501"]
    assert conflict.pushers == {
        "+": ["hqim-literacy-grants", "universal-screening"],
        "-": ["pacing-compliance-review", "teacher-eval-rubric"],
    }
    titles = {node["id"]: node["title"] for node in _portfolio()["nodes"]}
    for name in conflict.pushers["+"] + conflict.pushers["-"]:
        assert f"'{titles[name]}'" in conflict.message
    others = [f for f in report.findings if f.code != "TOC501"]
    assert others and all(f.pushers is None for f in others)


def test_standing_and_conflicts_hold_when_checks_are_switched_off() -> None:
    data = _portfolio()
    before = _rows(data)
    data["checks"] = {
        code: "off" for code in ("TOC101", "TOC105", "TOC106", "TOC304", "TOC501", "TOC703")
    }
    data["checks"]["TOC102"] = "info"
    after = _rows(data)
    for name, row in before.items():
        changed = {key for key in KEYS if row[key] != after[name][key]}
        assert changed <= {"findings"}, name
    # Only the counts follow the re-ratings.
    assert after["teacher-eval-rubric"]["findings"]["error"] == 0
    assert after["hqim-literacy-grants"]["findings"] == {"error": 0, "warning": 0, "info": 1}


def test_retired_initiatives_have_no_row_and_their_links_are_left_out() -> None:
    data = {
        "id": "m",
        "title": "M",
        "nodes": [
            {
                "id": "old",
                "level": "system",
                "kind": "initiative",
                "title": "Old",
                "status": "retired",
            },
            {"id": "grant", "level": "system", "kind": "initiative", "title": "Grant"},
            {"id": "reading", "level": "student", "kind": "outcome", "title": "Reading"},
        ],
        "links": [
            {"from": "old", "to": "grant", "polarity": "-"},
            {"from": "grant", "to": "reading", "because": "b"},
        ],
    }
    rows = _rows(data)
    assert list(rows) == ["grant"]
    assert rows["grant"]["standing"] == "unmeasured" and rows["grant"]["measured"] == "none"


def test_the_report_carries_the_scorecard_in_spec_order() -> None:
    report = check(read_document(EXAMPLE.read_bytes()), as_of=today())
    assert list(report.to_dict()) == ["findings", "metrics", "inferred", "initiatives", "as_of"]
    written = json.loads(report.to_json())
    assert list(written) == ["findings", "metrics", "inferred", "initiatives", "as_of"]
    assert written == json.loads(json.dumps(report.to_dict()))
    assert written["initiatives"] == report.initiatives


def test_a_model_without_initiatives_has_an_empty_scorecard() -> None:
    document = load_json(
        b'{"id": "m", "title": "M", "nodes": [{"id": "o", "level": "student",'
        b' "kind": "outcome", "title": "O"}]}'
    )
    assert check(document, as_of=today()).initiatives == []


def test_the_state_portfolio_rows_carry_the_decision_and_the_money() -> None:
    rows = {
        row["id"]: row
        for row in check(read_document(EXAMPLE.read_bytes()), as_of=today()).initiatives
    }
    coaching = rows["coaching-grant"]
    assert (coaching["decision"], coaching["cost"], coaching["reach"]) == ("scale", 2200000, 96000)
    assert round(coaching["cost_per_student"], 2) == 22.92
    # The data moves on the coaching chain and stalls on the screening chain.
    assert coaching["progress"] == "moving"
    screening = rows["universal-screening"]
    assert (screening["progress"], screening["required"], screening["decision"]) == (
        "stalled",
        True,
        "revise",
    )
    assert screening["rated_links"] == {"rated": 5, "links": 5}
    # A cost given by funding alone is the sum of its funding; no reach, no cost per student.
    rubric = rows["teacher-eval-rubric"]
    assert (rubric["cost"], rubric["reach"], rubric["cost_per_student"]) == (400000, None, None)
    assert rows["hqim-literacy-grants"]["essa_tier"] is None


def test_the_metrics_count_every_standing_and_verdict_and_cost_where_given() -> None:
    metrics = check(read_document(EXAMPLE.read_bytes()), as_of=today()).metrics
    assert metrics["standings"] == {
        "no-chain": 1,
        "only-lowers": 1,
        "no-because": 1,
        "unmeasured": 1,
        "sound": 2,
    }
    assert metrics["decisions"] == {"keep": 0, "revise": 1, "stop": 0, "scale": 1, "none": 4}
    assert metrics["cost_by_standing"] == {
        "no-chain": 1200000,
        "only-lowers": 400000,
        "no-because": 6000000,
        "unmeasured": 2200000,
        "sound": 3850000,
    }


def _chain(*links: dict[str, Any], **initiative: Any) -> dict[str, Any]:
    return {
        "id": "m",
        "title": "M",
        "nodes": [
            {"id": "a", "level": "system", "kind": "initiative", "title": "A", **initiative},
            {"id": "b", "level": "system", "kind": "initiative", "title": "B"},
            {"id": "practice", "level": "teacher", "kind": "change", "title": "Practice"},
            {"id": "reading", "level": "student", "kind": "outcome", "title": "Reading"},
        ],
        "links": list(links),
    }


def test_two_initiatives_that_undermine_each_other_work_against_each_other() -> None:
    rows = _rows(
        _chain(
            {"from": "a", "to": "b", "polarity": "-"},
            {"from": "b", "to": "a", "polarity": "-"},
            {"from": "a", "to": "reading"},
        )
    )
    assert rows["a"]["works_against"] == ["b"] and rows["a"]["worked_against_by"] == ["b"]
    assert rows["b"]["works_against"] == ["a"] and rows["b"]["worked_against_by"] == ["a"]
    assert rows["a"]["conflicts"] == ["a", "b"]


def test_rated_links_count_every_link_on_the_chains_even_when_the_first_cites_nothing() -> None:
    tier1 = [{"citation": "RCT", "tier": 1}]
    rows = _rows(
        _chain(
            {"from": "a", "to": "practice", "because": "admin step"},
            {"from": "practice", "to": "reading", "because": "b", "evidence": tier1},
            {"from": "b", "to": "practice", "because": "b", "evidence": tier1},
        )
    )
    assert rows["a"]["evidence"] is None  # its weakest step is unrated
    assert rows["a"]["rated_links"] == {"rated": 1, "links": 2}
    assert rows["b"]["rated_links"] == {"rated": 2, "links": 2}


def test_a_node_reached_only_through_an_outcome_is_no_leading_measure() -> None:
    data = _chain(
        {"from": "a", "to": "reading", "because": "b"},
        {"from": "reading", "to": "practice", "because": "b"},
    )
    data["nodes"][2]["indicators"] = [{"name": "Change in practice"}]
    data["nodes"].append({"id": "later", "level": "student", "kind": "outcome", "title": "Later"})
    data["links"].append({"from": "practice", "to": "later", "because": "b"})
    row = _rows(data)["a"]
    assert (row["measured"], row["standing"]) == ("outcome-only", "unmeasured")
