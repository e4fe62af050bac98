"""The map file in real Chromium: drawn offline, chains highlighted on click, text never run."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from webtest_support import PAYLOAD, node_brightness, wait_for_map

from services.clock import today
from toc.graph import build_graph
from toc.model import TheoryOfChange
from web.map import render_map_html

pytestmark = pytest.mark.browser

BENCH_MAP = Path(__file__).resolve().parents[2] / "bench" / "map.py"


def _bench_map() -> Any:
    """bench/map.py, loaded by path: bench/ also holds an `api.py` that must not shadow `api`."""
    spec = importlib.util.spec_from_file_location("toc_bench_map", BENCH_MAP)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _open(page: Any, model: TheoryOfChange, tmp_path: Path) -> list[str]:
    """Open the model's map file with every network request refused; returns those requests."""
    requests: list[str] = []

    def refuse(route: Any) -> None:
        requests.append(route.request.url)
        route.abort()

    page.route("http://**/*", refuse)
    page.route("https://**/*", refuse)
    path = tmp_path / "map.html"
    path.write_text(render_map_html(model), encoding="utf-8")
    page.goto(path.as_uri())
    wait_for_map(page)
    return requests


def _click_node(page: Any, node_id: str) -> None:
    point = page.evaluate("(id) => network.canvasToDOM(network.getPositions([id])[id])", node_id)
    box = page.locator("#toc-network").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def _hover_node(page: Any, node_id: str) -> None:
    point = page.evaluate("(id) => network.canvasToDOM(network.getPositions([id])[id])", node_id)
    box = page.locator("#toc-network").bounding_box()
    page.mouse.move(box["x"] + point["x"] - 3, box["y"] + point["y"] - 3)
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"], steps=3)


def test_the_map_is_drawn_with_no_network(
    page: Any, demo_model: TheoryOfChange, tmp_path: Path
) -> None:
    requests = _open(page, demo_model, tmp_path)
    assert requests == []
    assert page.evaluate("network.body.data.nodes.length") == len(demo_model.nodes)
    assert page.evaluate("network.body.data.edges.length") == len(demo_model.links)
    assert page.evaluate("network.physics.options.enabled") is False
    assert page.errors == []


def test_clicking_an_initiative_highlights_its_chains(
    page: Any, demo_model: TheoryOfChange, tmp_path: Path
) -> None:
    _open(page, demo_model, tmp_path)
    before = {node: node_brightness(page, node) for node in ("laptops", "elicit")}
    _click_node(page, "hqi-live")
    page.wait_for_function(
        "() => document.querySelector('#toc-network').dataset.highlighted === 'hqi-live'"
    )
    state = page.evaluate("tocMap.state()")
    chains = build_graph(demo_model, as_of=today()).chains_of("hqi-live")
    assert state["highlighted"] == "hqi-live"
    assert state["nodes"] == chains.nodes
    assert sorted(state["links"]) == sorted(chains.links)
    # The rest fades: a node off the chains is drawn paler, a node on them as before.
    assert node_brightness(page, "laptops") > before["laptops"] + 20
    assert abs(node_brightness(page, "elicit") - before["elicit"]) < 3
    assert "Chains of" in page.locator(".toc-map-status").inner_text()

    # A click on the background clears the highlight.
    box = page.locator("#toc-network").bounding_box()
    page.mouse.click(box["x"] + 8, box["y"] + box["height"] - 8)
    page.wait_for_function(
        "() => document.querySelector('#toc-network').dataset.highlighted === undefined"
    )
    assert page.evaluate("tocMap.state().highlighted") is None
    assert abs(node_brightness(page, "laptops") - before["laptops"]) < 3


def test_the_script_finds_the_same_chains_as_the_domain(page: Any, tmp_path: Path) -> None:
    synthetic_model = _bench_map().synthetic_model
    model = synthetic_model(300)
    _open(page, model, tmp_path)
    graph = build_graph(model, as_of=today())
    found = page.evaluate(
        "(ids) => ids.map((id) => { const c = tocMap.chainsOf(id); return [c.nodes, c.links]; })",
        graph.initiatives,
    )
    for initiative, (nodes, links) in zip(graph.initiatives, found, strict=True):
        chains = graph.chains_of(initiative)
        assert nodes == chains.nodes, initiative
        assert sorted(links) == sorted(chains.links), initiative


def test_hover_shows_the_text_and_runs_none_of_it(
    page: Any, hostile_model: TheoryOfChange, tmp_path: Path
) -> None:
    _open(page, hostile_model, tmp_path)
    _hover_node(page, "grant")
    tip = page.locator(".toc-tip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "<script>window.__pwned=1</script>" in text
    assert 'onerror="window.__pwned=1"' in text
    assert tip.locator("img, script").count() == 0
    # Every field of the node is there, as text: indicator details and tags too.
    assert text.count("window.__pwned") >= 10
    # A link's because, evidence and assumptions, through the details panel.
    assert page.evaluate("tocMap.focus('grant->practice')") is True
    details = page.locator(".toc-details")
    assert details.inner_text().count("<script>window.__pwned=1</script>") >= 4
    assert "tier 2 (moderate)" in details.inner_text()
    _click_node(page, "grant")
    assert page.locator("img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.title").startswith(PAYLOAD[:20])
    assert page.errors == []


def test_the_chains_can_be_chosen_from_a_list(
    page: Any, demo_model: TheoryOfChange, tmp_path: Path
) -> None:
    _open(page, demo_model, tmp_path)
    choice = page.locator(".toc-chain-select")
    assert choice.locator("option").all_inner_texts() == [
        "every initiative (show everything)",
        "HQI Live! week",
        "Instructional coaching cycles",
        "One laptop per student",
    ]
    choice.select_option("coaching")
    page.wait_for_function(
        "() => document.querySelector('#toc-network').dataset.highlighted === 'coaching'"
    )
    assert (
        page.evaluate("tocMap.state().nodes")
        == build_graph(demo_model, as_of=today()).chains_of("coaching").nodes
    )
    choice.select_option("")
    assert page.evaluate("tocMap.state().highlighted") is None
