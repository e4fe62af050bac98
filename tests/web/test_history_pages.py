"""The history, comparison, restore, chart and observation pages through the ASGI app."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webtest_support import PAYLOAD, demo_document, sign_in

M = "/models/milford-hqi"


def tracked_document(note: str = "first visit") -> dict[str, Any]:
    """The demo model with one tracked indicator: baseline, target, two observations."""
    document = demo_document()
    node = next(n for n in document["nodes"] if n["id"] == "shared-model")
    indicator = node["indicators"][0]
    indicator.update(
        {
            "id": "questioning",
            "baseline": 0.2,
            "target": 0.6,
            "cadence": "monthly",
            "observations": [
                {"date": "2026-01-10", "value": 0.25, "note": note},
                {"date": "2026-03-10", "value": 0.5},
            ],
        }
    )
    return document


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert match is not None
    return match.group(1)


@pytest.fixture
def editor(client: TestClient, tokens: Any) -> TestClient:
    """Signed in as an editor, the tracked model stored, then its title changed once."""
    answer = client.post("/api/v1/models", json=tracked_document(), headers=_bearer(tokens.editor))
    assert answer.status_code == 201
    client.patch(
        "/api/v1/models/milford-hqi/nodes/hqi-live",
        json={"title": "HQI week"},
        headers=_bearer(tokens.editor),
    )
    assert sign_in(client, tokens.editor).status_code == 303
    return client


def test_the_history_lists_who_when_and_findings(editor: TestClient) -> None:
    html = editor.get(f"{M}/history").text
    assert re.findall(r'<tr data-version="(\d+)">', html) == ["2", "1"]
    assert "editor" in html and "error(s)" in html
    assert html.count('class="inline restore-form"') == 1  # not on the current version


def test_a_viewer_sees_the_history_without_restore(client: TestClient, tokens: Any) -> None:
    client.post("/api/v1/models", json=tracked_document(), headers=_bearer(tokens.editor))
    sign_in(client, tokens.viewer)
    html = client.get(f"{M}/history").text
    assert "restore-form" not in html
    assert client.post(f"{M}/versions/1/restore", data={"version": "1"}).status_code == 403


def test_the_comparison_shows_fields_side_by_side(editor: TestClient) -> None:
    html = editor.get(f"{M}/compare", params={"old": 1, "new": 2}).text
    assert 'data-changed="hqi-live"' in html
    assert '<td class="old">HQI Live! week</td><td class="new">HQI week</td>' in html
    assert editor.get(f"{M}/compare", params={"old": 9}).status_code == 404
    assert editor.get(f"{M}/compare", params={"old": "x"}).status_code == 400


def test_restore_from_the_page_writes_a_new_version(editor: TestClient) -> None:
    csrf = _csrf(editor.get(f"{M}/history").text)
    answer = editor.post(
        f"{M}/versions/1/restore", data={"csrf": csrf, "version": "2"}, follow_redirects=False
    )
    assert answer.status_code == 303
    html = editor.get(answer.headers["location"]).text
    assert "HQI Live! week" in html and "Restored" in html
    # The same form again is stale now: a conflict, and nothing changes.
    stale = editor.post(f"{M}/versions/1/restore", data={"csrf": csrf, "version": "2"})
    assert stale.status_code == 409
    assert re.findall(r'<tr data-version="(\d+)">', editor.get(f"{M}/history").text) == [
        "3",
        "2",
        "1",
    ]
    forged = editor.post(f"{M}/versions/1/restore", data={"csrf": "0" * 64, "version": "3"})
    assert forged.status_code == 403


def test_each_tracked_indicator_is_a_chart_with_its_numbers(editor: TestClient) -> None:
    html = editor.get(M).text
    assert html.count('<figure class="indicator-chart"') == 1
    assert re.search(r'<svg [^>]*role="img" aria-label="[^"]*baseline 0.2, target 0.6', html)
    assert "<td>2026-03-10</td><td>0.5</td>" in html
    assert "75% of the way to the target" in html


def test_an_observation_added_on_the_page_draws_on_the_chart(editor: TestClient) -> None:
    page = editor.get(M).text
    answer = editor.post(
        f"{M}/observations",
        data={
            "csrf": _csrf(page),
            "version": "2",
            "indicator": "shared-model/questioning",
            "date": "2026-04-10",
            "value": "0.6",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "<td>2026-04-10</td><td>0.6</td>" in editor.get(M).text
    bad = editor.post(
        f"{M}/observations",
        data={
            "csrf": _csrf(page),
            "version": "3",
            "indicator": "shared-model/questioning",
            "date": "soon",
            "value": "lots",
        },
    )
    assert bad.status_code == 400
    assert "expected a number" in bad.text and "YYYY-MM-DD" in bad.text


def test_the_map_colours_nodes_by_progress_when_asked(editor: TestClient) -> None:
    plain = editor.get(M).text
    assert "#b7e4c7" not in plain
    coloured = editor.get(M, params={"colour": "progress"}).text
    assert '"background":"#b7e4c7"' in coloured.replace(" ", "")  # the moved node
    assert "Colour by kind" in coloured


def test_user_text_in_history_pages_is_escaped(client: TestClient, tokens: Any) -> None:
    document = tracked_document(note=PAYLOAD)
    node = next(n for n in document["nodes"] if n["id"] == "shared-model")
    node["indicators"][0]["name"] = PAYLOAD
    client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
    client.patch(
        "/api/v1/models/milford-hqi/nodes/hqi-live",
        json={"title": PAYLOAD},
        headers=_bearer(tokens.editor),
    )
    sign_in(client, tokens.editor)
    for path in (M, f"{M}/history", f"{M}/compare?old=1&new=2"):
        html = client.get(path).text
        assert "<script>window.__pwned" not in html
        assert '<img src=x onerror="window.__pwned=1">' not in html


def test_the_comparison_says_what_changed_on_the_scorecard(editor: TestClient, tokens: Any) -> None:
    decision = {"verdict": "keep", "rationale": "Teachers ask for it", "date": "2026-11-02"}
    answer = editor.patch(
        "/api/v1/models/milford-hqi/nodes/hqi-live",
        json={"decision": decision},
        headers=_bearer(tokens.editor),
    )
    assert answer.status_code == 200, answer.text
    html = editor.get(f"{M}/compare", params={"old": 2, "new": 3}).text
    scorecard = html[html.index('id="scorecard-changes"') : html.index('id="findings-new"')]
    assert 'data-changed="hqi-live"' in scorecard
    assert '<th scope="row">decision</th><td class="old">—</td><td class="new">keep</td>' in (
        scorecard
    )
