"""The map without a browser: bands, marks, escaping, self-containment, `toc map`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from webtest_support import PAYLOAD, hostile_document, parse_elements

from app.cli import main as toc_main
from services.clock import today
from toc.document import parse_document
from toc.graph import build_graph
from toc.model import TheoryOfChange
from web.map import band_layout, json_for_html, map_data, render_map_html


def _model(nodes: list[dict[str, Any]], links: list[dict[str, Any]]) -> TheoryOfChange:
    return parse_document({"id": "m", "title": "M", "nodes": nodes, "links": links})


def _node(node_id: str, level: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": node_id, "level": level, "kind": kind, "title": node_id.title(), **fields}


# -- layout -----------------------------------------------------------------------------------
def test_bands_put_system_on_top_and_students_at_the_bottom(demo_model: TheoryOfChange) -> None:
    positions, bands = band_layout(demo_model)
    by_level: dict[str, list[float]] = {}
    for node in demo_model.nodes:
        by_level.setdefault(node.level.value, []).append(positions[node.id].y)
    assert max(by_level["system"]) < min(by_level["teacher"])
    assert max(by_level["teacher"]) < min(by_level["student"])
    for node in demo_model.nodes:
        top, bottom = bands[node.level]
        assert top < positions[node.id].y < bottom


def test_a_step_inside_a_band_goes_down_a_sub_row() -> None:
    model = _model(
        [_node("a", "teacher", "change"), _node("b", "teacher", "change")],
        [{"from": "a", "to": "b"}],
    )
    positions, _ = band_layout(model)
    assert positions["a"].y < positions["b"].y


def test_barycentre_ordering_uncrosses_links() -> None:
    # Written crossed: a1 feeds the right-hand change, a2 the left-hand one.
    model = _model(
        [
            _node("a1", "system", "initiative"),
            _node("a2", "system", "initiative"),
            _node("c1", "teacher", "change"),
            _node("c2", "teacher", "change"),
        ],
        [{"from": "a1", "to": "c2"}, {"from": "a2", "to": "c1"}],
    )
    positions, _ = band_layout(model)
    assert (positions["a1"].x < positions["a2"].x) == (positions["c2"].x < positions["c1"].x)


def test_no_two_nodes_share_a_position() -> None:
    nodes = [_node(f"t{i}", "teacher", "change") for i in range(300)]
    positions, _ = band_layout(_model(nodes, []))
    assert len({(p.x, p.y) for p in positions.values()}) == 300


# -- what the map marks -------------------------------------------------------------------------
def test_links_without_because_are_dashed(demo_model: TheoryOfChange) -> None:
    edges = {edge["id"]: edge for edge in map_data(demo_model)["edges"]}
    for link in demo_model.links:
        assert bool(edges[link.key].get("dashes")) is (not link.has_because), link.key


def test_orphan_form_only_and_unanchored_nodes_are_marked() -> None:
    model = _model(
        [
            _node("unanchored", "system", "initiative"),
            _node("form-only", "system", "initiative", form="Trainings held"),
            _node("orphan", "teacher", "change"),
            _node("t", "teacher", "change"),
            _node("o", "student", "outcome"),
        ],
        [
            {"from": "unanchored", "to": "t"},
            {"from": "form-only", "to": "o", "because": "b"},
        ],
    )
    data = map_data(model)
    nodes = {node["id"]: node for node in data["nodes"]}

    def style(node_id: str) -> dict[str, Any]:
        return data["groups"][nodes[node_id]["group"]]

    assert nodes["unanchored"]["label"].startswith("\u2716")  # error: TOC101
    assert style("unanchored")["borderWidth"] >= 4
    assert nodes["form-only"]["label"].startswith("\u26a0")  # warning: TOC301
    assert style("form-only")["shapeProperties"]["borderDashes"]
    assert nodes["orphan"]["label"].startswith("\u26a0")  # warning: TOC201
    # A change is a rounded box, told from an initiative's square one by its corners.
    assert (
        style("orphan")["shapeProperties"]["borderRadius"]
        > style("unanchored")["shapeProperties"]["borderRadius"]
    )
    assert nodes["o"]["label"] == "\u2605 O"  # the outcome stands out
    assert style("o")["color"]["background"] != style("t")["color"]["background"]
    assert nodes["t"]["label"].startswith("\u26a0")  # warning: TOC202, a dead end
    assert not style("o")["shapeProperties"]["borderDashes"]


def test_details_carry_because_evidence_and_assumptions(demo_model: TheoryOfChange) -> None:
    data = map_data(demo_model)
    link = data["details"]["links"]["hqi-live->shared-model"]
    assert link["because"].startswith("Enacted experience")
    assert link["evidence"] == [{"citation": "Newmann et al. (2001)", "tier": 3}]
    assert data["tierNames"][3] == "promising"
    assert link["assumptions"] == ["Observed teachers volunteer"]
    coaching = data["details"]["nodes"]["coaching"]
    codes = {data["findings"][i]["code"] for i in coaching["findings"]}
    # Coaching's chains are measured only at the outcome (the state test): TOC304.
    assert codes == {"TOC102", "TOC301", "TOC304"}


def test_no_node_or_link_gets_a_title_that_vis_would_render_as_html(
    hostile_model: TheoryOfChange,
) -> None:
    data = map_data(hostile_model)
    assert all("title" not in item for item in data["nodes"] + data["edges"])


def test_the_script_sees_the_same_reach_as_the_domain(demo_model: TheoryOfChange) -> None:
    data = map_data(demo_model)
    assert set(data["reachesOutcome"]) == build_graph(demo_model, as_of=today()).reaches_outcome
    steps = {key for key, link in data["details"]["links"].items() if link["step"]}
    assert steps == {link.key for link in build_graph(demo_model, as_of=today()).leads_to}


def test_retired_nodes_are_drawn_grey_and_labelled() -> None:
    model = _model(
        [_node("old", "system", "initiative", status="retired"), _node("o", "student", "outcome")],
        [{"from": "old", "to": "o"}],
    )
    data = map_data(model)
    old = next(node for node in data["nodes"] if node["id"] == "old")
    assert old["label"].endswith("(retired)")
    assert old["group"] == "initiative-retired"
    assert data["details"]["links"]["old->o"]["step"] is False


# -- escaping -----------------------------------------------------------------------------------
def test_json_for_html_cannot_end_a_script_element() -> None:
    text = json_for_html({"a": "</script><!-- & \u2028 \u2029"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><!-- & \u2028 \u2029"}


def test_hostile_text_stays_text_in_the_map_file(hostile_model: TheoryOfChange) -> None:
    html = render_map_html(hostile_model)
    assert "<script>window.__pwned" not in html
    assert "<img" not in html
    elements = parse_elements(html)
    tags = [tag for tag, _ in elements.tags]
    assert "img" not in tags
    assert tags.count("script") == 3  # vis-network, the map's script, the data
    # The title went in as text: escaped in <title> and <h1>.
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    # The data block gives back every string exactly as written.
    data_script = next(
        i
        for i, (tag, attrs) in enumerate(t for t in elements.tags if t[0] == "script")
        if attrs.get("type") == "application/json"
    )
    data = json.loads(elements.scripts[data_script])
    assert data["details"]["nodes"]["grant"]["title"] == PAYLOAD
    assert data["details"]["links"]["grant->practice"]["evidence"][0]["note"] == PAYLOAD


def test_no_attribute_carries_a_handler(hostile_model: TheoryOfChange) -> None:
    for _, attrs in parse_elements(render_map_html(hostile_model)).tags:
        assert not any(name.startswith("on") for name in attrs)


# -- self-contained -------------------------------------------------------------------------------
def test_the_map_file_needs_no_network(demo_model: TheoryOfChange) -> None:
    html = render_map_html(demo_model)
    for tag, attrs in parse_elements(html).tags:
        assert "src" not in attrs, tag
        if tag == "link":
            pytest.fail(f"external stylesheet or resource: {attrs}")
    assert "vis-network" in html and "window.network = network" in html
    meta = [a for t, a in parse_elements(html).tags if t == "meta" and a.get("http-equiv")]
    policy = meta[0]["content"] or ""
    assert "default-src 'none'" in policy
    assert policy.count("'sha256-") == 2


def test_the_report_can_be_passed_in(demo_model: TheoryOfChange) -> None:
    from toc.report import check

    report = check(demo_model, as_of=today())
    assert render_map_html(demo_model, report=report) == render_map_html(demo_model)


def test_toc_map_writes_the_file(tmp_path: Path) -> None:
    source = tmp_path / "hostile.json"
    source.write_text(json.dumps(hostile_document()), encoding="utf-8")
    out = tmp_path / "map.html"
    assert toc_main(["map", str(source), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>")
    assert "<img" not in html
