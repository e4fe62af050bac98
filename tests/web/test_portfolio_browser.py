"""The portfolio page in real Chromium: the map draws every plan and the plan filter narrows it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from webtest_support import wait_for_map

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = ["state-portfolio.json", "portfolio/riverside-usd.json", "portfolio/lakeview-sd.json"]


@pytest.fixture(scope="module")
def server(live_server: Any) -> Iterator[Any]:
    with httpx.Client(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {live_server.tokens['admin']}"},
    ) as api:
        for name in FILES:
            document = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
            api.put(f"/api/v1/models/{document['id']}", json=document).raise_for_status()
        yield live_server


def test_the_plan_filter_shows_one_plans_nodes(page: Any, server: Any) -> None:
    server.sign_in(page, "viewer")
    page.goto(f"{server.url}/portfolio")
    wait_for_map(page)
    assert page.locator("table.portfolio-grid").is_visible()
    every = page.evaluate("Object.keys(network.body.data.nodes.get({returnType: 'Object'})).length")
    assert every > 30
    select = page.locator('select[data-filter="model"]')
    assert sorted(select.locator("option").all_inner_texts())[1:] == sorted(
        ["lakeview-sd", "riverside-usd", "state-portfolio"]
    )
    select.select_option("lakeview-sd")
    shown = page.evaluate("tocMap.state().nodes")
    assert shown and all(node.startswith("lakeview-sd:") for node in shown)
    assert page.errors == []
