"""The portfolio (SPEC §6): a state and its districts checked together as one graph."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest

import toc
from services.clock import today
from toc.document import parse_document
from toc.portfolio import check_portfolio, read_portfolio, take_up_line

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
AS_OF = datetime.date(2026, 10, 1)


def node(id: str, level: str, kind: str, title: str, **fields: Any) -> dict[str, Any]:
    return {"id": id, "level": level, "kind": kind, "title": title, **fields}


def link(source: str, target: str, **fields: Any) -> dict[str, Any]:
    return {"from": source, "to": target, "because": "why", **fields}


def state(**fields: Any) -> dict[str, Any]:
    """A state plan: a coaching grant and a pacing mandate, both on K-2 phonics."""
    return {
        "id": "state",
        "title": "State literacy plan",
        "scope": "state",
        "org": "SEA",
        "nodes": [
            node(
                "coaching-grant",
                "system",
                "initiative",
                "Coaching grants",
                eligible=["d1", "d2", "d3"],
                cost=1000,
            ),
            node("pacing", "system", "initiative", "Pacing reviews"),
            node("phonics", "teacher", "change", "K-2 teachers teach phonics explicitly"),
            node("small-groups", "teacher", "change", "Teachers reteach in small groups"),
            node("reading", "student", "outcome", "Students read on grade level"),
        ],
        "links": [
            link("coaching-grant", "phonics"),
            link("phonics", "reading"),
            link("small-groups", "reading"),
            link("pacing", "small-groups", polarity="-"),
        ],
        **fields,
    }


def district(id: str, org: str, **fields: Any) -> dict[str, Any]:
    """A district that carries out the coaching grant and rolls its changes up."""
    return {
        "id": id,
        "title": f"{id} reading plan",
        "scope": "district",
        "org": org,
        "nodes": [
            node(
                "coach",
                "system",
                "initiative",
                f"{id} coaching",
                realizes=["state:coaching-grant"],
                cost=600,
                funding=[
                    {"source": "state:coaching-grant", "amount": 400},
                    {"source": "local", "amount": 200},
                ],
            ),
            node("phonics", "teacher", "change", f"{id} phonics", realizes=["state:phonics"]),
            node(
                "small-groups",
                "teacher",
                "change",
                f"{id} small groups",
                realizes=["state:small-groups"],
            ),
            node("reading", "student", "outcome", f"{id} reading", realizes=["state:reading"]),
        ],
        "links": [
            link("coach", "phonics"),
            link("coach", "small-groups"),
            link("phonics", "reading"),
            link("small-groups", "reading"),
        ],
        **fields,
    }


def check(*models: dict[str, Any], as_of: datetime.date = AS_OF) -> Any:
    documents = [(model["id"] + ".json", parse_document(model)) for model in models]
    return check_portfolio(documents, as_of=as_of)


def codes(report: Any, code: str) -> list[str]:
    return [f.subject for f in report.findings if f.code == code]


def row(report: Any, id: str) -> dict[str, Any]:
    return next(r for r in report.initiatives if r["id"] == id)


# -- the graph --------------------------------------------------------------------------------


def test_a_state_initiative_reaches_students_through_the_districts() -> None:
    report = check(state(), district("d1", "d1"), district("d2", "d2"))
    assert report.models == ["d1", "d2", "state"]
    grant = row(report, "state:coaching-grant")
    assert grant["model"] == "state"
    assert grant["carried_out_by"] == ["d1:coach", "d2:coach"]
    assert row(report, "d1:coach")["carried_out_by"] == []
    # Every finding carries the model of its subject, and names it MODEL:NODE.
    assert all(f.model == f.subject.partition(":")[0] for f in report.findings)


def test_reference_links_are_identities_not_steps() -> None:
    report = check(state(), district("d1", "d1"))
    links = [f.subject for f in report.findings if f.link is not None]
    assert not any("->state:" in subject for subject in links)  # no TOC103/104/401/601 on them
    # Reference links are not counted among the links (4 of the state + 4 of the district).
    assert report.metrics["links"] == 8
    assert report.metrics["because_share"] == 1.0


def test_reference_links_leave_evidence_strength_to_the_real_steps() -> None:
    district_plan = district("d1", "d1")
    for step in district_plan["links"]:
        step["evidence"] = [{"citation": "Study", "tier": 2}]
    plan = state()
    for step in plan["links"]:
        step["evidence"] = [{"citation": "Study", "tier": 3}]
    report = check(plan, district_plan)
    strength = report.metrics["evidence_strength"]
    assert strength["d1:coach"] == 2
    # The state's grant reaches its outcome through its own tier-3 steps; through d1 at tier 2.
    assert strength["state:coaching-grant"] == 2


def test_a_state_mandate_meets_district_programs_at_the_state_node() -> None:
    report = check(state(), district("d1", "d1"))
    conflict = next(f for f in report.findings if f.code == "TOC501")
    assert conflict.node == "state:small-groups"
    assert conflict.model == "state"
    assert conflict.pushers == {"+": ["d1:coach", "state:coaching-grant"], "-": ["state:pacing"]}


def test_each_model_re_rates_its_own_findings() -> None:
    quiet = district("d1", "d1", checks={"TOC104": "off", "TOC601": "warning"})
    report = check(state(), quiet, district("d2", "d2"))
    assert [s for s in codes(report, "TOC104") if s.startswith("d1:")] == []
    toc601 = [f for f in report.findings if f.code == "TOC601"]
    assert {f.severity.value for f in toc601 if f.model == "d1"} == {"warning"}
    assert {f.severity.value for f in toc601 if f.model == "d2"} == {"info"}


# -- references that do not resolve -----------------------------------------------------------


def test_every_unresolved_reference_is_reported_and_the_rest_still_checked() -> None:
    plan = district("d1", "d1")
    plan["nodes"][0]["realizes"] = ["state:coaching-grant", "state:nope", "other:x"]
    report = check(state(), plan)
    found = [(f.node, f.reference) for f in report.findings if f.code == "TOC801"]
    assert found == [("d1:coach", "other:x"), ("d1:coach", "state:nope")]
    assert row(report, "state:coaching-grant")["carried_out_by"] == ["d1:coach"]
    assert all(f.severity.value == "error" for f in report.findings if f.code == "TOC801")


def test_a_reference_from_a_retired_node_is_ignored() -> None:
    plan = district("d1", "d1")
    plan["nodes"][0]["status"] = "retired"
    plan["nodes"][0]["realizes"] = ["nowhere:x"]
    report = check(state(), plan)
    assert codes(report, "TOC801") == []


def test_a_model_read_alone_does_not_resolve_its_references() -> None:
    alone = toc.check(parse_document(district("d1", "d1")), as_of=today())
    assert [f for f in alone.findings if f.code in ("TOC801", "TOC802")] == []


def test_a_long_loop_of_references_is_refused_without_hanging() -> None:
    models = []
    size = 300
    for position in range(size):
        nxt = (position + 1) % size
        models.append(
            {
                "id": f"m{position}",
                "title": "M",
                "nodes": [node("x", "system", "initiative", "X", realizes=[f"m{nxt}:x"])],
            }
        )
    report = check(*models)
    assert len(codes(report, "TOC801")) == size


# -- duplicate effort across levels -----------------------------------------------------------


def _copycat(scope: str | None = "district", carries: bool = False) -> dict[str, Any]:
    """A district program that pushes exactly what the state's coaching grant pushes."""
    plan = {
        "id": "d9",
        "title": "D9",
        "nodes": [
            node(
                "own-coaching",
                "system",
                "initiative",
                "D9 coaching",
                **({"realizes": ["state:coaching-grant"]} if carries else {}),
            ),
            node("phonics", "teacher", "change", "D9 phonics", realizes=["state:phonics"]),
            node("reading", "student", "outcome", "D9 reading", realizes=["state:reading"]),
        ],
        "links": [link("own-coaching", "phonics"), link("own-coaching", "reading")],
    }
    if scope:
        plan["scope"] = scope
    return plan


def _two_target_state() -> dict[str, Any]:
    plan = state()
    plan["links"].append(link("coaching-grant", "reading"))
    return plan


@pytest.mark.parametrize(
    ("models", "expected"),
    [
        # A district program doing the state's job without carrying it out.
        (
            lambda: [_two_target_state(), _copycat()],
            [("d9:own-coaching", ["d9:own-coaching", "state:coaching-grant"])],
        ),
        # Carrying it out is how the district does the state's job: no duplicate.
        (lambda: [_two_target_state(), _copycat(carries=True)], []),
        # A plan without a scope is never above or below another.
        (lambda: [_two_target_state(), _copycat(scope=None)], []),
        # Two sibling districts serve different people.
        (
            lambda: [
                {**_copycat(), "id": "d8", "nodes": copy.deepcopy(_copycat()["nodes"])},
                _copycat(),
                _two_target_state(),
            ],
            [("d8:own-coaching", ["d8:own-coaching", "d9:own-coaching", "state:coaching-grant"])],
        ),
    ],
    ids=["across-levels", "carries-it-out", "no-scope", "siblings-only-with-the-state"],
)
def test_duplicate_effort_across_models(models: Any, expected: list[Any]) -> None:
    report = check(*models())
    found = [(f.initiative, list(f.initiatives)) for f in report.findings if f.code == "TOC503"]
    assert found == expected
    for finding in report.findings:
        if finding.code == "TOC503":
            assert finding.model == finding.initiative.partition(":")[0]


def test_siblings_alone_are_never_duplicates() -> None:
    sibling = {**_copycat(), "id": "d8", "nodes": copy.deepcopy(_copycat()["nodes"])}
    report = check(state(), sibling, _copycat())
    assert codes(report, "TOC503") == []


# -- take-up ------------------------------------------------------------------------------------


def test_take_up_counts_carriers_against_the_eligible() -> None:
    plan = district("d2", "d2")
    plan["links"] = [link("coach", "phonics")]  # no chain from d2's coaching: no-chain
    report = check(state(), district("d1", "d1"), plan, district("d4", "d4"))
    rows = {r["initiative"]: r for r in report.take_up}
    grant = rows["state:coaching-grant"]
    assert grant["models_below"] == 3
    assert grant["carried_out"] == 3
    assert grant["eligible"] == 3
    assert grant["missing"] == ["d3"]
    assert sum(grant["standings"].values()) == 3
    # The row a state needs most: nobody carries out its pacing reviews.
    assert rows["state:pacing"] == {
        "initiative": "state:pacing",
        "models_below": 3,
        "carried_out": 0,
        "standings": {},
        "eligible": None,
        "missing": [],
    }
    # Districts have no plans below them here: no rows of theirs.
    assert set(rows) == {"state:coaching-grant", "state:pacing"}


def test_take_up_line_reads_as_the_states_question() -> None:
    report = check(state(), district("d1", "d1"))
    grant = next(r for r in report.take_up if r["initiative"] == "state:coaching-grant")
    line = take_up_line(grant, "Coaching grants")
    assert line.startswith("Coaching grants: carried out in 1 of 3 eligible districts; 1 ")
    assert line.endswith("missing d2, d3")


def test_pass_through_money_is_not_summed_twice() -> None:
    report = check(state(), district("d1", "d1"), district("d2", "d2"))
    spend = report.metrics["cost_by_standing"]
    # State 1000 + each district's own 200 (its 400 passes the state's money through).
    assert sum(spend.values()) == 1400


def test_money_from_a_plan_outside_the_portfolio_is_counted_where_it_is_spent() -> None:
    report = check(district("d1", "d1"))  # the state's plan is not read
    assert sum(report.metrics["cost_by_standing"].values()) == 600


def test_costs_in_different_currencies_are_not_summed() -> None:
    report = check(state(), district("d1", "d1", currency="CAD"))
    assert report.metrics["cost_by_standing"] is None
    assert report.currencies == ["CAD", "USD"]


# -- output -------------------------------------------------------------------------------------


def test_a_second_model_with_the_same_id_is_rejected_and_the_rest_checked() -> None:
    report = check(state(), district("d1", "d1"), district("d1", "d1"))
    assert report.models == ["d1", "state"]
    assert [r["file"] for r in report.rejected] == ["d1.json"]


def test_rejected_files_are_listed_with_their_problems() -> None:
    good = json.dumps(state()).encode()
    bad = json.dumps({"id": "d1", "title": "D1", "nodes": [{"id": "x", "level": "district"}]})
    report = read_portfolio([("state.json", good), ("d1.json", bad.encode())], as_of=AS_OF)
    assert report.models == ["state"]
    assert report.rejected[0]["file"] == "d1.json"
    assert any("level" in problem for problem in report.rejected[0]["problems"])


def test_the_json_has_the_keys_spec_names_and_optional_fields_only_where_they_belong() -> None:
    plan = district("d1", "d1")
    plan["nodes"][0]["realizes"].append("state:nope")
    report = check(state(), plan)
    whole = json.loads(report.to_json())
    assert list(whole) == [
        "models",
        "findings",
        "metrics",
        "initiatives",
        "take_up",
        "rejected",
        "as_of",
    ]
    assert whole["as_of"] == "2026-10-01"
    assert whole["findings"] == [f.to_dict() for f in report.findings]
    for finding in whole["findings"]:
        assert finding["model"]
        assert ("reference" in finding) == (finding["code"] == "TOC801")
        assert ("initiatives" in finding) == (finding["code"] == "TOC503")
    # A model checked alone keeps the §3 shape: no model, reference or initiatives keys.
    alone = json.loads(toc.check(parse_document(state()), as_of=today()).to_json())
    assert all("model" not in finding for finding in alone["findings"])


def test_findings_sort_by_severity_code_subject_reference() -> None:
    report = check(state(), district("d1", "d1"), district("d2", "d2"))
    order = [f.sort_key() for f in report.findings]
    assert order == sorted(order)


def test_the_example_portfolio() -> None:
    files = [EXAMPLES / "state-portfolio.json", *sorted((EXAMPLES / "portfolio").glob("*.json"))]
    report = read_portfolio([(p.name, p.read_bytes()) for p in files], as_of=AS_OF)
    assert report.rejected == []
    assert codes(report, "TOC801") == []
    assert "lakeview-sd:lv-sel" in codes(report, "TOC802")
    duplicate = next(f for f in report.findings if f.code == "TOC503")
    assert list(duplicate.initiatives) == [
        "lakeview-sd:lv-saturday-academy",
        "lakeview-sd:lv-tutoring",
    ]
    conflict = next(
        f
        for f in report.findings
        if f.code == "TOC501" and f.node == "state-portfolio:small-group-reteaching"
    )
    assert "riverside-usd:rv-data-meetings" in conflict.pushers["+"]
    grant = next(r for r in report.take_up if r["initiative"] == "state-portfolio:coaching-grant")
    assert grant["carried_out"] == 2
    assert grant["missing"] == ["3100003", "3100005"]
