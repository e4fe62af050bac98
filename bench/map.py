"""Benchmark of the interactive map: build time in Python and draw time in headless Chromium.

    python bench/map.py [--sizes 100,1000,2000] [--chromium /usr/bin/chromium] [--repeat 3]

For each size it builds a synthetic portfolio (initiatives at the system level, changes for
teachers and students, outcomes), renders the self-contained map with `web.map.render_map_html`
and opens it in headless Chromium through playwright; the draw time is the time from the
start of navigation until vis-network's first `afterDrawing` event (`tocMapFirstDrawn`, set
by the map's script), so it counts parsing vis-network, building the DataSets and drawing.

The floor, run in the same browser, is the least any vis-network map of the model costs: a
page with vis-network inlined and the same nodes (id, label, position) and links, unstyled,
physics off. The ratio says what toc's styling, marks, bands and script add to it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from toc.document import parse_document
from toc.model import TheoryOfChange

# Every headless Chromium toc launches takes the browser tests' flags.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "web"))
from webtest_support import CHROMIUM_ARGS  # noqa: E402


def synthetic_model(size: int, seed: int = 7) -> TheoryOfChange:
    """A portfolio of `size` nodes: 10% initiatives, 35% teacher changes, 40% student changes,
    15% outcomes (each band also holds some system changes), with about 1.6 links per node."""
    rng = random.Random(seed)
    counts = {
        ("system", "initiative"): max(1, size // 10),
        ("system", "change"): max(1, size // 20),
        ("teacher", "change"): max(1, size * 30 // 100),
        ("student", "change"): max(1, size * 40 // 100),
    }
    counts[("student", "outcome")] = max(1, size - sum(counts.values()))
    nodes: list[dict[str, Any]] = []
    by_group: dict[tuple[str, str], list[str]] = {}
    for (level, kind), count in counts.items():
        for index in range(count):
            node_id = f"{level}-{kind}-{index}"
            by_group.setdefault((level, kind), []).append(node_id)
            node: dict[str, Any] = {
                "id": node_id,
                "level": level,
                "kind": kind,
                "title": f"{kind.title()} {index} at the {level} level",
            }
            if kind != "outcome" and rng.random() < 0.7:
                node["form"] = "What it looks like when it happens"
                if rng.random() < 0.8:
                    node["function"] = "What it does for learning"
            nodes.append(node)
    links: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def link(source: str, target: str) -> None:
        if source == target or (source, target) in seen:
            return
        seen.add((source, target))
        entry: dict[str, Any] = {"from": source, "to": target}
        if rng.random() < 0.75:
            entry["because"] = "A mechanism grounded in research"
            if rng.random() < 0.6:
                entry["evidence"] = [{"citation": "A study (2020)", "tier": rng.randint(1, 4)}]
        links.append(entry)

    layers = [
        by_group[("system", "initiative")],
        by_group[("system", "change")] + by_group[("teacher", "change")],
        by_group[("student", "change")],
        by_group[("student", "outcome")],
    ]
    for upper, lower in zip(layers, layers[1:], strict=False):
        for node_id in lower:
            link(rng.choice(upper), node_id)
        for node_id in upper:
            if rng.random() < 0.6:
                link(node_id, rng.choice(lower))
    # A few steps inside the teacher band, as real chains have.
    teachers = by_group[("teacher", "change")]
    for _ in range(len(teachers) // 5):
        a, b = rng.sample(teachers, 2) if len(teachers) > 1 else (teachers[0], teachers[0])
        link(a, b)
    return parse_document(
        {
            "id": f"synthetic-{size}",
            "title": f"Synthetic portfolio, {size} nodes",
            "nodes": nodes,
            "links": links,
        }
    )


FLOOR_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<div id="map" style="height:800px"></div><script>{vis}</script>
<script type="application/json" id="data">{data}</script><script>
var data = JSON.parse(document.getElementById("data").textContent);
var network = new vis.Network(document.getElementById("map"),
  {{nodes: new vis.DataSet(data.nodes), edges: new vis.DataSet(data.edges)}},
  {{physics: false, layout: {{improvedLayout: false}}, edges: {{smooth: false, arrows: "to"}}}});
network.once("afterDrawing", function () {{ window.tocMapFirstDrawn = performance.now(); }});
</script></body></html>"""


def floor_page(model: TheoryOfChange) -> str:
    """The bare vis-network page of the model: the floor of any map of it."""
    from web.map import band_layout, json_for_html, vis_network_js

    positions, _ = band_layout(model)
    data = {
        "nodes": [
            {"id": n.id, "label": n.title, "x": positions[n.id].x, "y": positions[n.id].y}
            for n in model.nodes
        ],
        "edges": [{"id": k.key, "from": k.source, "to": k.target} for k in model.links],
    }
    return FLOOR_PAGE.format(vis=vis_network_js(), data=json_for_html(data))


def _first_draw(browser: Any, path: Path) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => window.tocMapFirstDrawn !== undefined", timeout=120_000)
        return float(page.evaluate("window.tocMapFirstDrawn"))
    finally:
        page.close()


def measure(sizes: list[int], chromium: str, repeat: int) -> list[dict[str, float]]:
    from playwright.sync_api import sync_playwright

    from web.map import render_map_html

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for size in sizes:
                model = synthetic_model(size)
                started = time.perf_counter()
                html = render_map_html(model)
                build = time.perf_counter() - started
                path = Path(tmp) / f"map-{size}.html"
                path.write_text(html, encoding="utf-8")
                floor = Path(tmp) / f"floor-{size}.html"
                floor.write_text(floor_page(model), encoding="utf-8")
                draws, floors = [], []
                for _ in range(repeat):
                    # Alternate the two pages so that both see the same load on the machine.
                    draws.append(_first_draw(browser, path))
                    floors.append(_first_draw(browser, floor))
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(path.as_uri())
                page.wait_for_function("() => window.tocMapFirstDrawn !== undefined")
                # A click on an initiative: how long highlighting its chains takes.
                click = page.evaluate(
                    "() => { const t = performance.now();"
                    " tocMap.highlight(tocMap.network.body.data.nodes.getIds()[0]);"
                    " return performance.now() - t; }"
                )
                page.close()
                rows.append(
                    {
                        "nodes": len(model.nodes),
                        "links": len(model.links),
                        "html_kb": len(html.encode("utf-8")) / 1024,
                        "build_ms": build * 1000,
                        "draw_ms": statistics.median(draws),
                        "floor_ms": statistics.median(floors),
                        "highlight_ms": click,
                    }
                )
        finally:
            browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,2000")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not Path(args.chromium).exists():
        print(f"bench/map.py: no Chromium at {args.chromium}", file=sys.stderr)
        return 2
    rows = measure(sizes, args.chromium, args.repeat)
    print(
        f"{'nodes':>6} {'links':>6} {'html KB':>8} {'build ms':>9} {'draw ms':>8}"
        f" {'floor ms':>9} {'ratio':>6} {'highlight ms':>13}"
    )
    for row in rows:
        print(
            f"{row['nodes']:>6} {row['links']:>6} {row['html_kb']:>8.0f} {row['build_ms']:>9.0f}"
            f" {row['draw_ms']:>8.0f} {row['floor_ms']:>9.0f}"
            f" {row['draw_ms'] / row['floor_ms']:>6.2f} {row['highlight_ms']:>13.1f}"
        )
    print(
        "draw ms: navigation start to vis-network's first afterDrawing (median of --repeat runs);"
        " floor: the same nodes and links on a bare vis-network page"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
