"""The pages in real Chromium on a live server: sign in, follow chains, edit, conflicts, XSS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from webtest_support import PAYLOAD, demo_document, hostile_document, wait_for_map

from app.cli import main as toc_main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(live_server: Any) -> Iterator[Any]:
    """The live server with the demo model and the hostile one stored in workspace `district`."""
    with httpx.Client(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {live_server.tokens['admin']}"},
    ) as api:
        for document in (demo_document(), hostile_document()):
            api.put(f"/api/v1/models/{document['id']}", json=document).raise_for_status()
        live_server.api = api
        yield live_server


def _sign_in(page: Any, server: Any, role: str = "editor") -> None:
    server.sign_in(page, role)
    assert page.url == f"{server.url}/models"


def _click_node(page: Any, node_id: str) -> None:
    # The scorecard heads the page: the map is below it, scrolled to as a person would.
    page.locator("#toc-network").scroll_into_view_if_needed()
    point = page.evaluate("(id) => network.canvasToDOM(network.getPositions([id])[id])", node_id)
    box = page.locator("#toc-network").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def _reset_demo(server: Any) -> None:
    server.api.put("/api/v1/models/milford-hqi", json=demo_document()).raise_for_status()


def test_sign_in_open_a_model_and_follow_an_initiatives_chains(page: Any, server: Any) -> None:
    _reset_demo(server)
    _sign_in(page, server)
    page.get_by_role("link", name="Milford: a shared picture of high-quality instruction").click()
    wait_for_map(page)
    assert page.evaluate("network.body.data.nodes.length") == len(demo_document()["nodes"])
    _click_node(page, "hqi-live")
    page.wait_for_function(
        "() => document.querySelector('#toc-network').dataset.highlighted === 'hqi-live'"
    )
    state = page.evaluate("tocMap.state()")
    assert state["nodes"] == [
        "hqi-live",
        "shared-model",
        "elicit",
        "students-talk",
        "math-reasoning",
        "belonging",
    ]
    assert page.locator("#toc-network").get_attribute("data-highlighted") == "hqi-live"
    assert page.errors == []


def test_a_finding_focuses_the_map_on_its_subject(page: Any, server: Any) -> None:
    _reset_demo(server)
    _sign_in(page, server)
    page.goto(f"{server.url}/models/milford-hqi")
    wait_for_map(page)
    page.select_option("select[name=severity]", "error")
    assert page.locator(".findings-table tbody tr:visible").count() == 2
    page.locator(".findings-table tr[data-code=TOC101] a.focus-link").click()
    page.wait_for_function("() => network.getSelectedNodes()[0] === 'laptops'")
    assert "One laptop per student" in page.locator(".toc-details").inner_text()


def test_add_a_link_through_the_form_and_see_a_finding_disappear(page: Any, server: Any) -> None:
    _reset_demo(server)
    _sign_in(page, server)
    page.goto(f"{server.url}/models/milford-hqi")
    assert page.locator(".findings-table tr[data-code=TOC101][data-subject=laptops]").count() == 1
    page.get_by_role("link", name="Add a link").click()
    page.select_option("#f-from", "laptops")
    page.select_option("#f-to", "students-talk")
    page.fill("#f-because", "Devices let students share their reasoning with the class")
    page.fill("#f-evidence-0-citation", "Device study (2021)")  # evidence is a row each
    page.select_option("#f-evidence-0-tier", "3")
    page.fill("#f-assumptions", "Teachers use the devices for talk")
    page.get_by_role("button", name="Add the link").click()
    page.wait_for_url("**/models/milford-hqi?saved=link-added*")
    wait_for_map(page)
    assert page.locator(".notice.ok").inner_text() == "Link added."
    assert page.locator(".findings-table tr[data-code=TOC101][data-subject=laptops]").count() == 0
    # The map opens on the new link, solid because it has a because.
    page.wait_for_function("() => network.getSelectedEdges()[0] === 'laptops->students-talk'")
    assert not page.evaluate("network.body.edges['laptops->students-talk'].options.dashes")


def test_a_stale_version_shows_the_conflict(page: Any, server: Any) -> None:
    _reset_demo(server)
    _sign_in(page, server)
    page.goto(f"{server.url}/models/milford-hqi/nodes/laptops/edit")
    page.fill("#f-function", "Gives every student a way to show their thinking")
    # Meanwhile someone else edits the model.
    server.api.patch(
        "/api/v1/models/milford-hqi/nodes/laptops", json={"title": "Laptops, renamed"}
    ).raise_for_status()
    page.get_by_role("button", name="Save the node").click()
    alert = page.locator(".notice.conflict")
    alert.wait_for()
    assert "Not saved: someone changed this model" in alert.inner_text()
    assert "Laptops, renamed" in alert.inner_text()
    stored = server.api.get("/api/v1/models/milford-hqi/nodes/laptops").json()
    assert "function" not in stored and stored["title"] == "Laptops, renamed"
    # What the person typed is still in the form.
    assert page.input_value("#f-function") == "Gives every student a way to show their thinking"


def test_no_script_runs_from_text_anywhere(chromium: Any, server: Any, tmp_path: Path) -> None:
    # The pages' Content-Security-Policy would stop inline script anyway; bypassing it proves
    # that the escaping alone keeps the text inert.
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script("window.__pwned = undefined; delete window.__pwned;")
    try:
        _sign_in(page, server)
        for url in (
            "/models",
            "/models/hostile",
            "/models/hostile/nodes/grant/edit",
            "/models/hostile/links/grant-%3Epractice/edit",
            "/models/hostile/links/new",
        ):
            page.goto(server.url + url)
            if url == "/models/hostile":
                wait_for_map(page)
                _click_node(page, "grant")
                page.wait_for_function("() => !document.querySelector('.toc-details').hidden")
                details = page.locator(".toc-details").inner_text()
                assert "<script>window.__pwned=1</script>" in details
                assert page.evaluate("tocMap.focus('grant->practice')") is True
            assert page.evaluate("typeof window.__pwned") == "undefined", url
            assert page.locator("main img").count() == 0, url
        page.goto(server.url + "/models/hostile/nodes/grant/edit")
        assert page.input_value("#f-title") == PAYLOAD
        # The `toc map` file of the same model.
        source = tmp_path / "hostile.json"
        source.write_text(server.api.get("/api/v1/models/hostile").text, encoding="utf-8")
        out = tmp_path / "hostile.html"
        assert toc_main(["map", str(source), "-o", str(out)]) == 0
        page.goto(out.as_uri())
        wait_for_map(page)
        _click_node(page, "practice")
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert errors == []
    finally:
        context.close()


def test_viewers_see_no_edit_forms(page: Any, server: Any) -> None:
    _sign_in(page, server, "viewer")
    page.goto(f"{server.url}/models/milford-hqi")
    wait_for_map(page)
    assert page.get_by_role("link", name="Add a link").count() == 0
    assert page.locator("form[action$='/delete']").count() == 0
    response = page.goto(f"{server.url}/models/milford-hqi/links/new")
    assert response is not None and response.status == 403
