"""What the map and page tests share: the models they load, Chromium's flags, waiting for a map."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("TOC_CHROMIUM", "/usr/bin/chromium")
# The flags of every headless Chromium toc launches: these tests, bench/map.py, the screenshots.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Every way a text field could try to run script in a page: a script element, an element with
# an event handler, an early end of the script element the map's data sits in, and the line
# separators that end a JavaScript string literal in older engines.
PAYLOAD = (
    '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"></script>\u2028\'"&amp;'
)
SHORT_PAYLOAD = '<img src=x onerror="window.__pwned=1"></script>'


def demo_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((HERE / "demo_model.json").read_text(encoding="utf-8"))
    return document


def hostile_document() -> dict[str, Any]:
    """A model whose every text field carries script."""
    indicator = {
        "name": PAYLOAD,
        "target": PAYLOAD,
        "baseline": PAYLOAD,
        "source": PAYLOAD,
        "cadence": PAYLOAD,
    }
    evidence = {"citation": PAYLOAD, "url": PAYLOAD, "tier": 2, "note": PAYLOAD}

    def node(node_id: str, level: str, kind: str) -> dict[str, Any]:
        return {
            "id": node_id,
            "level": level,
            "kind": kind,
            "title": PAYLOAD,
            "description": PAYLOAD,
            "actor": PAYLOAD,
            "form": PAYLOAD,
            "function": PAYLOAD if kind != "change" else None,
            "indicators": [indicator],
            "tags": [SHORT_PAYLOAD],
        }

    nodes = [
        node("grant", "system", "initiative"),
        node("pd", "system", "initiative"),
        node("practice", "teacher", "change"),
        node("outcome", "student", "outcome"),
        node("lonely", "teacher", "change"),
    ]
    for item in nodes:
        if item["function"] is None:
            del item["function"]
    links = [
        {
            "from": "grant",
            "to": "practice",
            "because": PAYLOAD,
            "evidence": [evidence],
            "assumptions": [PAYLOAD],
        },
        {"from": "practice", "to": "outcome", "evidence": [evidence], "assumptions": [PAYLOAD]},
        {"id": "back", "from": "outcome", "to": "grant", "type": "feedback", "because": PAYLOAD},
    ]
    return {
        "format": "toc/1",
        "id": "hostile",
        "title": PAYLOAD,
        "description": PAYLOAD,
        "nodes": nodes,
        "links": links,
    }


def wait_for_map(page: Any) -> None:
    page.wait_for_function(
        "() => window.network !== undefined && window.tocMapFirstDrawn !== undefined",
        timeout=20_000,
    )


class _Elements(HTMLParser):
    """Every element of a document, with its attributes, and the text of its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse_elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(html: str) -> None:
    """No element or attribute in the page that user text could have made to run script."""
    assert "<script>window.__pwned" not in html
    elements = parse_elements(html)
    for tag, attrs in elements.tags:
        assert tag != "img", "an <img> element got into the page"
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"<{tag}> carries {handlers}"
        if tag == "script":
            assert attrs.get("type") in (None, "application/json"), attrs
            source = attrs.get("src")
            assert source is None or source.startswith(("/static/", "/assets/")), source


def node_brightness(page: Any, node_id: str) -> float:
    """The mean of the red, green and blue values the canvas shows over a node's box.

    The box is the node's drawn shape, not vis-network's bounding box, which a rounded box
    widens by its corner radius on every side.
    """
    return float(
        page.evaluate(
            """(id) => {
                const canvas = document.querySelector('#toc-network canvas');
                const ratio = canvas.width / canvas.clientWidth;
                const shape = network.body.nodes[id].shape;
                const box = {left: shape.left, top: shape.top,
                             right: shape.left + shape.width, bottom: shape.top + shape.height};
                const a = network.canvasToDOM({x: box.left, y: box.top});
                const b = network.canvasToDOM({x: box.right, y: box.bottom});
                const x = Math.max(0, Math.floor(a.x * ratio));
                const y = Math.max(0, Math.floor(a.y * ratio));
                const w = Math.max(1, Math.floor((b.x - a.x) * ratio));
                const h = Math.max(1, Math.floor((b.y - a.y) * ratio));
                const pixels = canvas.getContext('2d').getImageData(x, y, w, h).data;
                let sum = 0;
                for (let i = 0; i < pixels.length; i += 4) {
                    sum += pixels[i] + pixels[i + 1] + pixels[i + 2];
                }
                return sum / (3 * pixels.length / 4);
            }""",
            node_id,
        )
    )


def sign_in(client: Any, token: str) -> Any:
    """Sign a test client in as SPEC §4 says a person does: open `/login?token=`, then press
    the page's button (a same-site POST carrying the form's CSRF value). Returns the answer."""
    import re

    shown = client.get(f"/login?token={token}", follow_redirects=False)
    if shown.status_code != 200:
        return shown
    nonce = re.search(r'name="login_csrf" value="([^"]+)"', shown.text)
    assert nonce is not None, shown.text
    return client.post(
        "/login", data={"token": token, "login_csrf": nonce.group(1)}, follow_redirects=False
    )
