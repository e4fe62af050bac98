"""The scorecard in real Chromium: the table is there, and a row's link highlights its chains."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from webtest_support import wait_for_map

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "state-portfolio.json"


@pytest.fixture(scope="module")
def server(live_server: Any) -> Iterator[Any]:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    with httpx.Client(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {live_server.tokens['admin']}"},
    ) as api:
        api.put(f"/api/v1/models/{document['id']}", json=document).raise_for_status()
        live_server.api = api
        live_server.model_id = document["id"]
        yield live_server


def _open(page: Any, server: Any) -> None:
    server.sign_in(page, "viewer")
    page.goto(f"{server.url}/models/{server.model_id}")
    wait_for_map(page)


@pytest.mark.parametrize("initiative", ["universal-screening", "pacing-compliance-review"])
def test_a_scorecard_rows_link_highlights_that_initiatives_chains(
    page: Any, server: Any, initiative: str
) -> None:
    _open(page, server)
    table = page.locator("table.scorecard-table")
    assert table.is_visible()
    scorecard = server.api.get(f"/api/v1/models/{server.model_id}/scorecard").json()
    assert table.locator("tbody tr").count() == len(scorecard["initiatives"])
    assert page.evaluate("tocMap.state().highlighted") is None

    table.locator(f'tr[data-initiative="{initiative}"] a.chain-link').click()
    page.wait_for_function(
        "(id) => document.querySelector('#toc-network').dataset.highlighted === id", arg=initiative
    )
    state = page.evaluate("tocMap.state()")
    chains = server.api.get(f"/api/v1/models/{server.model_id}/chains/{initiative}").json()
    assert state["highlighted"] == initiative
    assert sorted(state["nodes"]) == sorted(node["id"] for node in chains["nodes"])
    expected_links = sorted(
        link.get("id") or f"{link['from']}->{link['to']}" for link in chains["links"]
    )
    assert sorted(state["links"]) == expected_links
    assert page.evaluate("network.getSelectedNodes()") == [initiative]
    assert page.errors == []


def test_an_initiative_with_no_chain_says_so_on_the_map(page: Any, server: Any) -> None:
    _open(page, server)
    page.locator('tr[data-initiative="family-reading-app"] a.chain-link').click()
    page.wait_for_function(
        "() => document.querySelector('#toc-network').dataset.highlighted === 'family-reading-app'"
    )
    assert page.evaluate("tocMap.state().nodes") == []
    assert "has no chain to a student outcome" in page.locator(".toc-map-status-text").inner_text()


def test_sorting_by_standing_works_without_a_script(chromium: Any, server: Any) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        server.sign_in(page, "viewer")
        page.goto(f"{server.url}/models/{server.model_id}")
        page.get_by_role("link", name="Standing").click()
        standings = page.locator("table.scorecard-table tbody tr").evaluate_all(
            "rows => rows.map(row => row.dataset.standing)"
        )
        assert standings[0] == "no-chain" and standings[-1] == "sound"
        first = page.locator("table.scorecard-table tbody tr").first.inner_text()
        assert "no chain drawn to students" in first  # the standing table's words
    finally:
        context.close()
