"""The forms and pages in real Chromium at 1280×720: every edit form of every example opened and
saved untouched leaves the stored document as it was; the model page fits the window."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from formtest_support import example_documents

pytestmark = pytest.mark.browser

# What the browser itself sends for a form: its own serialisation of the form's controls.
_SEND_FORM = """async (selector) => {
    const form = document.querySelector(selector);
    const body = new URLSearchParams(new FormData(form));
    const answer = await fetch(form.action, {method: "POST", body, redirect: "manual",
                                             credentials: "same-origin"});
    return answer.type === "opaqueredirect" ? 303 : answer.status;
}"""


@pytest.fixture(scope="module")
def server(live_server: Any) -> Iterator[Any]:
    """The live server with every example stored in workspace `district`."""
    with httpx.Client(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {live_server.tokens['admin']}"},
        timeout=30,
    ) as api:
        for document in example_documents():
            api.put(f"/api/v1/models/{document['id']}", json=document).raise_for_status()
        live_server.api = api
        yield live_server


@pytest.fixture
def window(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    try:
        yield page
    finally:
        context.close()


def _document(server: Any, model_id: str) -> dict[str, Any]:
    response = server.api.get(f"/api/v1/models/{model_id}")
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def _link_key(link: dict[str, Any]) -> str:
    return str(link.get("id") or f"{link['from']}->{link['to']}")


def test_every_form_of_every_example_saved_untouched_changes_nothing(
    window: Any, server: Any
) -> None:
    page = window
    server.sign_in(page, "editor")
    for number, document in enumerate(example_documents()):
        model_id = document["id"]
        before = _document(server, model_id)
        forms = [
            (f"nodes/{quote(node['id'], safe='')}", "form.node-form") for node in before["nodes"]
        ]
        forms += [
            (f"links/{quote(_link_key(link), safe='')}", "form.link-form")
            for link in before["links"]
        ]
        for index, (item, selector) in enumerate(forms):
            page.goto(f"{server.url}/models/{quote(model_id, safe='')}/{item}/edit")
            if number == 0 and index in (0, len(before["nodes"])):
                # One node and one link saved with a click, as a person would.
                page.locator(f"{selector} button[type=submit]").click()
                page.wait_for_url(f"**/models/{model_id}?saved=*")
            else:
                assert page.evaluate(_SEND_FORM, selector) == 303, item
        assert _document(server, model_id) == before, model_id
    assert not page.errors


def test_the_model_page_fits_a_1280_window(window: Any, server: Any) -> None:
    page = window
    server.sign_in(page, "viewer")
    for document in example_documents():
        page.goto(f"{server.url}/models/{document['id']}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, (document["id"], width)


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


_NODE_COLOURS = """() => Object.values(network.body.nodes)
    .filter((node) => !node.isCluster && node.options.label !== undefined && node.shape.width)
    .map((node) => [node.id, node.options.color.background, node.labelModule.fontOptions.color])"""

_BADGES = """() => {
    const badges = tocMap.minusBadges();
    const boxes = Object.values(network.body.nodes).filter((n) => n.shape && n.shape.width)
        .map((n) => [n.id, n.shape.left, n.shape.top, n.shape.width, n.shape.height]);
    return Object.entries(badges).map(([id, badge]) => {
        const edge = network.body.edges[id];
        const points = [];
        for (let t = 0; t <= 1.0001; t += 0.02) { points.push(edge.edgeType.getPoint(t)); }
        const xs = points.map((p) => p.x), ys = points.map((p) => p.y);
        const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
        const covered = boxes.filter(([node, left, top, width, height]) => {
            const x = Math.max(left, Math.min(badge.x, left + width));
            const y = Math.max(top, Math.min(badge.y, top + height));
            return (badge.x - x) ** 2 + (badge.y - y) ** 2 < badge.r ** 2;
        }).map(([node]) => node);
        return {id, badge, box, covered};
    });
}"""

_OUTCOME_BOXES = """() => {
    const frame = document.querySelector('#toc-network').getBoundingClientRect();
    return Object.values(network.body.nodes)
        .filter((n) => n.options.group && n.options.group.startsWith('outcome') && n.shape.width)
        .map((n) => {
            const a = network.canvasToDOM({x: n.shape.left, y: n.shape.top});
            const b = network.canvasToDOM({x: n.shape.left + n.shape.width,
                                           y: n.shape.top + n.shape.height});
            return [frame.x + a.x, frame.y + a.y, frame.x + b.x, frame.y + b.y];
        });
}"""


def _overlap(one: list[float], other: list[float]) -> bool:
    return one[0] < other[2] and other[0] < one[2] and one[1] < other[3] and other[1] < one[3]


def test_the_map_reads_at_1280_on_screen_in_presentation_and_on_paper(
    window: Any, server: Any
) -> None:
    from webtest_support import wait_for_map

    page = window
    server.sign_in(page, "viewer")
    url = f"{server.url}/models/state-portfolio"
    # Text contrast of at least 4.5:1 on every node, coloured by kind and by progress.
    for colouring in ("", "?colour=progress"):
        page.goto(url + colouring)
        wait_for_map(page)
        for node_id, background, font in page.evaluate(_NODE_COLOURS):
            assert _contrast(background, font) >= 4.5, (colouring, node_id, background, font)
    # Each "−" badge on its own link, covering no node.
    page.goto(url)
    wait_for_map(page)
    page.evaluate("network.redraw()")
    badges = page.evaluate(_BADGES)
    assert badges
    for entry in badges:
        x, y = entry["badge"]["x"], entry["badge"]["y"]
        left, top, right, bottom = entry["box"]
        assert left - 1 <= x <= right + 1 and top - 1 <= y <= bottom + 1, entry
        assert not entry["covered"], entry
    # Presenting: the keys' hint covers no outcome.
    page.evaluate("tocMap.present()")
    page.wait_for_function("() => tocMap.presenting()")
    page.wait_for_timeout(300)
    hint = page.locator(".toc-present-help").bounding_box()
    assert hint is not None and hint["height"] > 0
    hint_box = [hint["x"], hint["y"], hint["x"] + hint["width"], hint["y"] + hint["height"]]
    outcomes = page.evaluate(_OUTCOME_BOXES)
    assert outcomes and not any(_overlap(hint_box, box) for box in outcomes)
    # ... nor any part of the map, wherever the students' row is panned to.
    frame = page.locator("#toc-network").bounding_box()
    frame_box = [frame["x"], frame["y"], frame["x"] + frame["width"], frame["y"] + frame["height"]]
    assert not _overlap(hint_box, frame_box), (hint_box, frame_box)
    # On paper (A4 at 96 dpi) the map keeps the shape it had on screen, within 5%.
    page.goto(url)
    wait_for_map(page)
    screen = page.locator("#toc-network").bounding_box()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})
    page.wait_for_timeout(300)
    paper = page.locator("#toc-network").bounding_box()
    on_screen, on_paper = screen["width"] / screen["height"], paper["width"] / paper["height"]
    assert abs(on_paper / on_screen - 1) <= 0.05, (on_screen, on_paper)
    assert not page.errors
