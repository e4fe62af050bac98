"""History, comparison, restore and indicator charts in real Chromium on a live server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from test_history_pages import tracked_document
from webtest_support import wait_for_map

pytestmark = pytest.mark.browser

M = "/models/milford-hqi"
_SHARED = next(n for n in tracked_document()["nodes"] if n["id"] == "shared-model")
TITLE, INDICATOR = _SHARED["title"], _SHARED["indicators"][0]["name"]


@pytest.fixture(scope="module")
def server(live_server: Any) -> Iterator[Any]:
    with httpx.Client(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {live_server.tokens['editor']}"},
    ) as api:
        live_server.api = api
        yield live_server


def _fresh(server: Any) -> int:
    """The tracked model stored anew, then its initiative renamed: returns the version."""
    server.api.delete("/api/v1/models/milford-hqi")
    server.api.post("/api/v1/models", json=tracked_document()).raise_for_status()
    answer = server.api.patch(
        "/api/v1/models/milford-hqi/nodes/hqi-live", json={"title": "HQI week"}
    )
    answer.raise_for_status()
    return int(answer.headers["ETag"].strip('"'))


def _sign_in(page: Any, server: Any, role: str = "editor") -> None:
    server.sign_in(page, role)
    assert page.url == f"{server.url}/models"


def test_history_then_comparison_of_two_versions(page: Any, server: Any) -> None:
    _fresh(server)
    _sign_in(page, server)
    page.goto(server.url + M)
    page.get_by_role("link", name="History").click()
    rows = page.locator("table.history-table tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(2).inner_text() == "editor"
    page.get_by_role("button", name="Compare").click()
    assert "/compare?" in page.url
    changed = page.locator('table[data-kind="node"][data-changed="hqi-live"] tbody tr')
    assert changed.locator("td.old").inner_text() == "HQI Live! week"
    assert changed.locator("td.new").inner_text() == "HQI week"
    assert page.errors == []


def test_restore_asks_then_writes_a_new_version(page: Any, server: Any) -> None:
    _fresh(server)
    _sign_in(page, server)
    page.goto(server.url + M + "/history")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator('tr[data-version="1"]').get_by_role("button", name="Restore").click()
    page.wait_for_url("**/models/milford-hqi?saved=restored**")
    assert page.locator("p.notice.ok").inner_text().startswith("Restored")
    assert page.locator("h1").inner_text() == tracked_document()["title"]
    page.goto(server.url + M + "/history")
    assert page.locator("table.history-table tbody tr").count() == 3
    assert page.errors == []


def test_a_stale_restore_is_a_conflict_and_changes_nothing(page: Any, server: Any) -> None:
    version = _fresh(server)
    _sign_in(page, server)
    page.goto(server.url + M + "/history")
    server.api.patch("/api/v1/models/milford-hqi/nodes/hqi-live", json={"title": "Meanwhile"})
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator('tr[data-version="1"]').get_by_role("button", name="Restore").click()
    assert answer.value.status == 409
    assert "changed since you opened the page" in page.content()
    current = server.api.get("/api/v1/models/milford-hqi").json()
    assert current["version"] == version + 1
    assert current["nodes"][0]["title"] == "Meanwhile"


def test_a_viewer_gets_no_restore_button(page: Any, server: Any) -> None:
    _fresh(server)
    _sign_in(page, server, "viewer")
    page.goto(server.url + M + "/history")
    assert page.get_by_role("button", name="Restore").count() == 0


def test_the_chart_draws_without_a_script_and_takes_new_observations(
    chromium: Any, page: Any, server: Any
) -> None:
    _fresh(server)
    # Without JavaScript the chart and its numbers are all there.
    context = chromium.new_context(java_script_enabled=False)
    quiet = context.new_page()
    server.sign_in(quiet, "editor")
    quiet.goto(server.url + M)
    chart = quiet.locator("figure.indicator-chart svg[role=img]")
    assert chart.count() == 1
    assert "baseline 0.2, target 0.6" in (chart.get_attribute("aria-label") or "")
    assert quiet.locator("figure.indicator-chart circle").count() == 2
    context.close()

    _sign_in(page, server)
    page.goto(server.url + M)
    wait_for_map(page)
    form = page.locator("form.observation-form")
    form.get_by_label("Indicator").select_option(label=f"{TITLE} — {INDICATOR}")
    form.get_by_label("Date", exact=True).fill("2026-04-10")
    form.get_by_label("Value", exact=True).fill("0.6")
    form.get_by_label("Note").fill("end of term")
    form.get_by_role("button", name="Add an observation").click()
    page.wait_for_load_state()
    assert "saved=observed" in page.url, page.content()
    assert page.locator("figure.indicator-chart circle").count() == 3
    page.locator("figure.indicator-chart summary").click()
    assert "end of term" in page.locator("figure.indicator-chart table").inner_text()
    assert page.errors == []


def test_the_map_colours_nodes_by_progress_on_request(page: Any, server: Any) -> None:
    _fresh(server)
    _sign_in(page, server)
    page.goto(server.url + M)
    wait_for_map(page)
    page.get_by_role("link", name="Colour nodes by progress").click()
    wait_for_map(page)
    colour = page.evaluate("network.body.data.nodes.get('shared-model').color")
    assert colour == {"background": "#b7e4c7", "border": "#2d6a4f"}
    assert page.errors == []
