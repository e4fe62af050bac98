"""The report's summary metrics and inferences, as SPEC §3 defines them."""

from __future__ import annotations

import dataclasses
import datetime
import json
from typing import Any

from services.clock import today
from toc.checks import catalogue
from toc.document import parse_document
from toc.reading import read_document
from toc.report import check


def _model(nodes: list[dict[str, Any]], links: list[dict[str, Any]], **extra: Any):
    return parse_document({"id": "m", "title": "M", "nodes": nodes, "links": links, **extra})


def _n(node_id: str, level: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": node_id, "level": level, "kind": kind, "title": node_id, **fields}


def test_shares_are_null_without_initiatives_or_chain_links() -> None:
    metrics = check(_model([_n("o", "student", "outcome")], []), as_of=today()).metrics
    assert metrics["anchored_share"] is None and metrics["explained_share"] is None
    assert metrics["because_share"] is None and metrics["evidence_share"] is None
    assert metrics["evidence_strength"] == {}


def test_metrics_count_what_is_not_retired_and_every_link_between_it() -> None:
    model = _model(
        [
            _n("grant", "system", "initiative"),
            _n("coach", "system", "initiative"),
            _n("old", "system", "initiative", status="retired"),
            _n("practice", "teacher", "change"),
            _n("reading", "student", "outcome"),
        ],
        [
            {
                "from": "grant",
                "to": "practice",
                "because": "b",
                "evidence": [{"citation": "A", "tier": 4}, {"citation": "B", "tier": 2}],
            },
            {
                "from": "practice",
                "to": "reading",
                "because": "b",
                "evidence": [{"citation": "C", "tier": 3}],
            },
            {"from": "coach", "to": "practice"},
            {"from": "reading", "to": "practice", "type": "feedback"},
            {"from": "old", "to": "practice", "because": "b"},
        ],
    )
    metrics = check(model, as_of=today()).metrics
    assert (metrics["nodes"], metrics["links"]) == (4, 4)  # the feedback link counts
    assert (metrics["initiatives"], metrics["outcomes"]) == (2, 1)
    assert metrics["anchored_share"] == 1.0
    assert metrics["explained_share"] == 0.5
    # Chain links: grant->practice, practice->reading, coach->practice.
    assert metrics["because_share"] == 2 / 3
    assert metrics["evidence_share"] == 2 / 3
    # grant's only chain: best tier 2 on its first link, 3 on its second → weakest is 3.
    assert metrics["evidence_strength"] == {"grant": 3, "coach": None}


def test_the_strongest_chain_wins_and_an_unrated_link_breaks_a_chain() -> None:
    model = _model(
        [
            _n("i", "system", "initiative"),
            _n("a", "teacher", "change"),
            _n("b", "teacher", "change"),
            _n("o", "student", "outcome"),
        ],
        [
            {"from": "i", "to": "a", "evidence": [{"citation": "x", "tier": 1}]},
            {"from": "a", "to": "o", "evidence": [{"citation": "x"}]},  # unrated
            {"from": "i", "to": "b", "evidence": [{"citation": "x", "tier": 2}]},
            {"from": "b", "to": "o", "evidence": [{"citation": "x", "tier": 2}]},
        ],
    )
    assert check(model, as_of=today()).metrics["evidence_strength"] == {"i": 2}


def test_finding_counts_follow_the_models_rerating() -> None:
    nodes = [_n("lonely", "system", "initiative")]
    plain = check(_model(nodes, []), as_of=today()).metrics["findings"]
    rerated = check(_model(nodes, [], checks={"TOC101": "info", "TOC201": "off"}), as_of=today())
    assert plain == {"error": 1, "warning": 1, "info": 0}
    assert rerated.metrics["findings"] == {"error": 0, "warning": 0, "info": 1}
    assert not rerated.has_errors


def test_inferred_lists_every_indicator_without_a_stated_kind() -> None:
    model = _model(
        [
            _n(
                "t",
                "teacher",
                "change",
                indicators=[
                    {"name": "Coaching sessions held"},
                    {"name": "Share of lessons observed", "measures": "change"},
                    {"name": "Weekly reflection", "id": "reflection"},
                ],
            ),
            _n(
                "r",
                "teacher",
                "change",
                status="retired",
                indicators=[{"name": "Improved questioning"}],
            ),
        ],
        [],
    )
    assert check(model, as_of=today()).inferred == [
        {"node": "t", "indicator": "Coaching sessions held", "measures": "count"},
        # Named by its id when it has one (SPEC §3), as observations and findings name it.
        {"node": "t", "indicator": "reflection", "measures": None},
        {"node": "r", "indicator": "Improved questioning", "measures": "change"},
    ]


def test_a_finding_names_exactly_one_subject() -> None:
    model = _model(
        [
            _n("i", "system", "initiative"),
            _n("a", "teacher", "change"),
            _n("b", "teacher", "change"),
        ],
        [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
    )
    for finding in check(model, as_of=today()).to_dict()["findings"]:
        named = [finding[key] for key in ("initiative", "node", "link") if finding[key]]
        assert len(named) == 1, finding
        if finding["code"] == "TOC402":
            assert finding["node"] == "a" and finding["nodes"] == ["a", "b"]
        else:
            assert finding["nodes"] is None


def test_checks_are_given_the_day_they_judge_by(monkeypatch) -> None:
    # Monitoring checks compare dates with the day of the check; both roads carry it.
    day = datetime.date(2026, 1, 31)
    seen = []
    original = catalogue.get("TOC101")

    def spy(engine):
        seen.append(engine.as_of)
        return original.run(engine)

    monkeypatch.setitem(catalogue._BY_CODE, "TOC101", dataclasses.replace(original, run=spy))
    document = {"id": "m", "title": "M", "nodes": [_n("o", "student", "outcome")]}
    check(parse_document(document), as_of=day)
    check(read_document(json.dumps(document).encode("utf-8")), as_of=day)
    check(parse_document(document), as_of=today())
    # The service's clock gives today in UTC.
    assert seen == [day, day, today()]


def test_a_loop_finding_says_which_kind_of_loop_in_json() -> None:
    model = _model(
        [_n("a", "teacher", "change"), _n("b", "teacher", "change")],
        [{"from": "a", "to": "b"}, {"from": "b", "to": "a", "polarity": "-"}],
    )
    written = json.loads(check(model, as_of=today()).to_json())
    (loop,) = [f for f in written["findings"] if f["code"] == "TOC402"]
    assert loop["loop"] == "balancing" and "balancing loop" in loop["message"]
    # SPEC §6: `loop` is present only on the findings it belongs to.
    assert all("loop" not in f for f in written["findings"] if f["code"] != "TOC402")
