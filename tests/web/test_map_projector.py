"""The map and the report on a projector, in Chromium: label size, presentation, marks, PNG, PDF."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webtest_support import wait_for_map

from services.clock import today
from toc.formats import read_path
from toc.graph import build_graph
from toc.model import Polarity, TheoryOfChange
from toc.report import check
from web.map import render_map_html
from web.map.render import FOCUS_ABOVE
from web.report import render_report_html

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def projector(chromium: Any) -> Iterator[Any]:
    """A page the size of a meeting-room projector, refusing every network request."""
    context = chromium.new_context(viewport=PROJECTOR, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    requests: list[str] = []

    def refuse(route: Any) -> None:
        requests.append(route.request.url)
        route.abort()

    page.route("http://**/*", refuse)
    page.route("https://**/*", refuse)
    page.refused = requests
    try:
        yield page
    finally:
        context.close()


def _open_map(page: Any, model: TheoryOfChange, tmp_path: Path, suffix: str = "") -> None:
    path = tmp_path / "map.html"
    path.write_text(render_map_html(model), encoding="utf-8")
    page.goto(path.as_uri() + suffix)
    wait_for_map(page)


def _drawn_label_sizes(page: Any) -> dict[str, float]:
    """Each node's label size on screen, in CSS pixels: its font size times the view's scale."""
    sizes: dict[str, float] = page.evaluate(
        """() => { const scale = network.getScale(); const sizes = {};
        for (const [id, node] of Object.entries(network.body.nodes)) {
            sizes[id] = node.labelModule.fontOptions.size * scale; }
        return sizes; }"""
    )
    return sizes


def _canvas_pixel(page: Any, point: dict[str, float]) -> list[int]:
    """The red, green and blue the canvas shows at a DOM point of the map."""
    pixel: list[int] = page.evaluate(
        """(p) => { const canvas = document.querySelector('#toc-network canvas');
        const ratio = canvas.width / canvas.clientWidth;
        const x = Math.round(p.x * ratio), y = Math.round(p.y * ratio);
        const d = canvas.getContext('2d').getImageData(x, y, 1, 1).data;
        return [d[0], d[1], d[2]]; }""",
        point,
    )
    return pixel


# -- readable at a glance --------------------------------------------------------------------
def _bench() -> Any:
    """bench/map.py, loaded by path (bench/ also holds an `api.py` that must not shadow `api`)."""
    spec = importlib.util.spec_from_file_location("toc_bench_map", ROOT / "bench" / "map.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


@pytest.mark.parametrize(
    "example", [*EXAMPLES, 40], ids=lambda e: e.stem if isinstance(e, Path) else f"synthetic-{e}"
)
def test_every_label_is_drawn_at_12_px_or_more_at_1280x720(
    projector: Any, example: Path | int, tmp_path: Path
) -> None:
    model = read_path(example) if isinstance(example, Path) else _bench().synthetic_model(example)
    assert len(model.nodes) <= 40
    _open_map(projector, model, tmp_path)
    sizes = _drawn_label_sizes(projector)
    assert set(sizes) == {node.id for node in model.nodes}
    small = {node: round(size, 1) for node, size in sizes.items() if size < 12}
    assert small == {}
    # Every node is in view: the first fit shows the whole map.
    box = projector.locator("#toc-network").bounding_box()
    for node, point in projector.evaluate(
        "() => Object.fromEntries(Object.entries(network.getPositions()).map("
        "([id, p]) => [id, network.canvasToDOM(p)]))"
    ).items():
        assert 0 <= point["x"] <= box["width"] and 0 <= point["y"] <= box["height"], node
    # Labels wrap to three lines at most; the whole title is in the tooltip.
    lines = projector.evaluate(
        "() => network.body.data.nodes.get().map((n) => n.label.split('\\n').length)"
    )
    assert max(lines) <= 3
    longest = max(model.nodes, key=lambda node: len(node.title))
    assert projector.evaluate("(id) => tocMap.focus(id)", longest.id) is True
    assert longest.title in projector.locator(".toc-details").inner_text()
    assert projector.refused == [] and projector.errors == []


# -- presentation mode ----------------------------------------------------------------------
def test_presentation_mode_is_entered_stepped_and_left_by_keyboard(
    projector: Any, tmp_path: Path
) -> None:
    model = read_path(ROOT / "examples" / "state-portfolio.json")
    graph = build_graph(model, as_of=today())
    titles = {node.id: node.title for node in model.nodes}
    order = sorted(graph.initiatives, key=lambda i: titles[i])
    _open_map(projector, model, tmp_path)
    legend = projector.locator(".toc-legend")
    assert legend.get_attribute("open") is not None
    ordinary = projector.evaluate("network.getScale()")

    projector.focus(".toc-present-button")
    projector.keyboard.press("Enter")
    projector.wait_for_function("() => tocMap.presenting()")
    canvas = projector.locator("#toc-network")
    projector.wait_for_function(
        "() => document.querySelector('#toc-network').getBoundingClientRect().height > 600"
    )
    box = canvas.bounding_box()
    # The map fills the window but for the line of the hint below it (it covers no node).
    assert box["width"] > 1240 and box["height"] > 600  # the map fills the window
    assert not projector.locator(".toc-map-tools").is_visible()  # the map alone
    assert legend.get_attribute("open") is None  # the legend starts collapsed
    projector.wait_for_timeout(150)
    assert projector.evaluate("network.getScale()") > ordinary  # larger type

    projector.keyboard.press("ArrowRight")
    assert projector.evaluate("tocMap.state().highlighted") == order[0]
    assert projector.evaluate("tocMap.state().nodes") == graph.chains_of(order[0]).nodes
    status = projector.locator(".toc-map-status-text").inner_text()
    assert status.startswith(f"Initiative 1 of {len(order)}")
    projector.keyboard.press("n")
    assert projector.evaluate("tocMap.state().highlighted") == order[1]
    projector.keyboard.press("ArrowLeft")
    projector.keyboard.press("p")
    assert projector.evaluate("tocMap.state().highlighted") == order[-1]

    projector.keyboard.press("Escape")
    projector.wait_for_function("() => !tocMap.presenting()")
    assert canvas.get_attribute("data-presenting") is None
    assert projector.locator(".toc-map-tools").is_visible()
    assert projector.errors == []


@pytest.mark.parametrize("suffix", ["?present=1", "#present"])
def test_a_url_opens_the_map_in_presentation_mode(
    projector: Any, demo_model: TheoryOfChange, tmp_path: Path, suffix: str
) -> None:
    _open_map(projector, demo_model, tmp_path, suffix)
    projector.wait_for_function("() => tocMap.presenting()")
    assert projector.locator(".toc-legend").get_attribute("open") is None
    projector.keyboard.press("Escape")
    projector.wait_for_function("() => !tocMap.presenting()")


# -- signs and conflicts ---------------------------------------------------------------------
def test_weakening_links_and_conflicts_are_drawn_apart(projector: Any, tmp_path: Path) -> None:
    model = read_path(ROOT / "examples" / "state-portfolio.json")
    report = check(model, as_of=today())
    minus = sorted(link.key for link in model.links if link.polarity is Polarity.MINUS)
    conflicts = sorted({f.node for f in report.findings if f.code == "TOC501" and f.node})
    assert minus and conflicts
    _open_map(projector, model, tmp_path)
    assert sorted(projector.evaluate("tocMap.minusLinks()")) == minus
    assert projector.evaluate("tocMap.conflicts()") == conflicts

    colours = projector.evaluate(
        "() => Object.fromEntries(Object.entries(network.body.edges).map("
        "([id, e]) => [id, e.options.color.color]))"
    )
    plus_colours = {colour for key, colour in colours.items() if key not in minus}
    assert all(colours[key] not in plus_colours for key in minus)

    def badge_ring(link: str) -> list[int]:
        # The "−" badge sits where the map placed it on its own link (`tocMap.minusBadges()`:
        # its centre and outer radius); its ring is drawn a quarter of the radius wide.
        # Sampled on the ring's middle across four directions: the most saturated sample,
        # as anti-aliasing blends a thin ring's edge pixels with the white inside.
        points = projector.evaluate(
            """(id) => { const b = tocMap.minusBadges()[id];
            const ring = b.r - Math.max(2, b.r / 4.5) / 2;
            return [[1, 0], [-1, 0], [0, 1], [0, -1]].map(([dx, dy]) =>
                network.canvasToDOM({x: b.x + dx * ring, y: b.y + dy * ring})); }""",
            link,
        )
        return min((_canvas_pixel(projector, point) for point in points), key=lambda rgb: rgb[1])

    def is_magenta(rgb: list[int]) -> bool:
        red, green, blue = rgb
        return red > 150 and green < 90 and blue > 60

    for link in minus:
        assert is_magenta(badge_ring(link)), link

    # A conflict node: a border no other node has, a badge, and its pushers on hover.
    borders = projector.evaluate(
        "() => Object.fromEntries(Object.entries(network.body.nodes).map("
        "([id, n]) => [id, [n.options.color.border, n.options.borderWidth]]))"
    )
    others = {tuple(style) for node, style in borders.items() if node not in conflicts}
    for node in conflicts:
        assert tuple(borders[node]) not in others
    node = conflicts[0]
    point = projector.evaluate("(id) => network.canvasToDOM(network.getPositions([id])[id])", node)
    frame = projector.locator("#toc-network").bounding_box()
    projector.mouse.move(frame["x"] + point["x"] - 2, frame["y"] + point["y"] - 2)
    projector.mouse.move(frame["x"] + point["x"], frame["y"] + point["y"], steps=3)
    tip = projector.locator(".toc-tip")
    tip.wait_for(state="visible")
    message = next(f.message for f in report.findings if f.code == "TOC501" and f.node == node)
    pushers = next(
        (f.to_dict().get("pushers") for f in report.findings if f.code == "TOC501"), None
    )
    text = tip.inner_text()
    assert "Conflict" in text
    if pushers:
        titles = {n.id: n.title for n in model.nodes}
        assert all(titles[i] in text for sign in ("+", "-") for i in pushers[sign])
    else:
        assert message in text

    # Highlighted, a chain keeps its weakening steps magenta and marked.
    graph = build_graph(model, as_of=today())
    initiative = next(i for i in graph.initiatives if set(graph.chains_of(i).links) & set(minus))
    projector.mouse.move(1, 1)
    projector.evaluate("(id) => tocMap.highlight(id)", initiative)
    for link in set(graph.chains_of(initiative).links) & set(minus):
        assert is_magenta(badge_ring(link)), link


# -- big models ------------------------------------------------------------------------------
def test_filters_and_search_pick_out_nodes(projector: Any, tmp_path: Path) -> None:
    model = read_path(ROOT / "examples" / "state-portfolio.json")
    _open_map(projector, model, tmp_path)
    projector.select_option(".toc-filter[data-filter='level']", "teacher")
    shown = projector.evaluate("tocMap.state().nodes")
    assert shown == [n.id for n in model.nodes if n.level.value == "teacher"]
    projector.select_option(".toc-filter[data-filter='level']", "")
    actor = next(n.actor for n in model.nodes if n.actor)
    projector.select_option(".toc-filter[data-filter='actor']", actor)
    assert projector.evaluate("tocMap.state().nodes") == [
        n.id for n in model.nodes if n.actor == actor
    ]
    projector.select_option(".toc-filter[data-filter='actor']", "")
    projector.fill(".toc-search", "coach")
    assert projector.evaluate("tocMap.state().nodes") == [
        n.id for n in model.nodes if "coach" in n.title.lower() or "coach" in n.id
    ]
    assert "match" in projector.locator(".toc-map-status-text").inner_text()


def test_a_big_model_opens_on_one_initiatives_chains(projector: Any, tmp_path: Path) -> None:
    model = _bench().synthetic_model(FOCUS_ABOVE * 2)
    assert len(model.nodes) > FOCUS_ABOVE
    _open_map(projector, model, tmp_path)
    projector.wait_for_function("() => tocMap.state().highlighted !== null")
    state = projector.evaluate("tocMap.state()")
    assert 1 < len(state["nodes"]) < len(model.nodes)
    assert "opens on the chains of" in projector.locator(".toc-map-status-text").inner_text()
    # A small one opens on everything.
    _open_map(projector, read_path(EXAMPLES[0]), tmp_path)
    assert projector.evaluate("tocMap.state().highlighted") is None


# -- pictures and handouts -------------------------------------------------------------------
def test_the_png_button_downloads_a_picture_of_the_view(
    projector: Any, demo_model: TheoryOfChange, tmp_path: Path
) -> None:
    _open_map(projector, demo_model, tmp_path)
    with projector.expect_download() as event:
        projector.click(".toc-png")
    download = event.value
    assert download.suggested_filename == f"{demo_model.id}.png"
    picture = Path(download.path()).read_bytes()
    assert picture.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(picture) > 5_000
    assert projector.refused == []


def test_the_report_prints_to_pdf_naming_every_initiative(projector: Any, tmp_path: Path) -> None:
    model = read_path(ROOT / "examples" / "state-portfolio.json")
    path = tmp_path / "report.html"
    path.write_text(render_report_html(model), encoding="utf-8")
    projector.goto(path.as_uri())
    wait_for_map(projector)
    titles = {node.id: node.title for node in model.nodes}
    text = projector.locator("body").inner_text()
    for initiative in build_graph(model, as_of=today()).initiatives:
        assert titles[initiative] in text
    projector.emulate_media(media="print")
    assert not projector.locator(".toc-map-tools").is_visible()  # no controls printed
    assert not projector.locator(".toc-png").is_visible()
    pdf = projector.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 50_000
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") >= 3  # a page per section
    assert projector.refused == [] and projector.errors == []


def test_hostile_text_in_the_report_is_shown_as_text(
    chromium: Any, hostile_model: TheoryOfChange, tmp_path: Path
) -> None:
    # The CSP is bypassed so that escaping alone is what this tests.
    context = chromium.new_context(bypass_csp=True, viewport=PROJECTOR)
    page = context.new_page()
    try:
        path = tmp_path / "report.html"
        path.write_text(render_report_html(hostile_model), encoding="utf-8")
        page.goto(path.as_uri())
        wait_for_map(page)
        heading = page.locator("h1").inner_text()
        assert "<script>window.__pwned=1</script>" in heading
        assert "<script>window.__pwned=1</script>" in page.locator(".scorecard").inner_text()
        assert page.locator("main img, header img").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
        page.pdf()
        assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        context.close()
