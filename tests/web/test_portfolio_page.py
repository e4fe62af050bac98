"""The portfolio page over HTTP (no browser): the state's grid first, the mirror, escaping."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webtest_support import PAYLOAD, assert_inert, sign_in

from services import portfolio as portfolio_service

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = ["state-portfolio.json", "portfolio/riverside-usd.json", "portfolio/lakeview-sd.json"]


def _store(client: TestClient, token: str, document: dict[str, Any]) -> None:
    answer = client.post(
        "/api/v1/models", json=document, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.text


@pytest.fixture
def viewer(client: TestClient, tokens: Any) -> TestClient:
    portfolio_service.clear_cache()
    for name in FILES:
        _store(client, tokens.editor, json.loads((EXAMPLES / name).read_text(encoding="utf-8")))
    assert sign_in(client, tokens.viewer).status_code == 303
    return client


def _page(client: TestClient, tokens: Any, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_models_list_links_to_the_portfolio(viewer: TestClient, tokens: Any) -> None:
    assert 'href="/portfolio"' in _page(viewer, tokens, "/models")


def test_the_first_screen_is_the_states_grid(viewer: TestClient, tokens: Any) -> None:
    html = _page(viewer, tokens, "/portfolio")
    first = html.index('class="portfolio-grid"')
    assert first < html.index('id="scorecard"') < html.index('id="portfolio-map"')
    # Columns: the districts, grouped by designations.
    assert ">CSI · Title I</th>" in html and ">Title I</th>" in html
    grant = re.search(
        r'<tr data-initiative="state-portfolio:coaching-grant"[^>]*>(.*?)</tr>', html, re.S
    )
    assert grant is not None
    row = grant.group(1)
    assert "carried out in 2 of 4 eligible districts" in row
    assert "missing: 3100003, 3100005" in row
    assert row.count('class="standing standing-') == 2  # a mark in each district's cell
    # A state initiative nobody carries out comes first, and says so.
    rows = re.findall(r'<tr data-initiative="(state-portfolio:[^"]+)"( class="nobody")?', html)
    assert rows[0][1] == ' class="nobody"'
    # The cross-level conflict above the grid; whose plans are missing below it.
    assert html.index("Cross-level conflicts") < first
    assert "work against" in html
    assert "Plans missing: eligible districts with no plan here — 3100003, 3100004, 3100005" in html
    assert "Spend by standing" in html


def test_a_districts_page_is_the_mirror(viewer: TestClient, tokens: Any) -> None:
    html = _page(viewer, tokens, "/portfolio?model=lakeview-sd")
    carries = html[html.index('class="mirror-carries"') :]
    assert "Early literacy coaching grant" in carries.split("</ul>")[0]
    unseen = html[html.index('class="mirror-unseen"') :].split("</ul>")[0]
    assert "K-3 social-emotional learning curriculum" in unseen


def test_the_scorecard_has_a_model_column_and_sorts(viewer: TestClient, tokens: Any) -> None:
    html = _page(viewer, tokens, "/portfolio?sort=standing")
    table = html[html.index('class="scorecard-table portfolio-scorecard"') :].split("</table>")[0]
    standings = re.findall(r'data-standing="([^"]+)" data-model="([^"]+)"', table)
    assert {model for _, model in standings} == {"lakeview-sd", "riverside-usd", "state-portfolio"}
    assert standings[0][0] == "no-chain"  # worst first
    csv_text = viewer.get("/portfolio.csv").text
    assert csv_text.startswith("model,id,")


def test_the_map_draws_references_apart_with_a_plan_filter(viewer: TestClient, tokens: Any) -> None:
    html = _page(viewer, tokens, "/portfolio")
    assert 'data-filter="model"' in html
    data = json.loads(
        re.search(r'<script type="application/json"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    edges = {edge["id"]: edge for edge in data["edges"]}
    reference = edges["riverside-usd:rv-coaching->state-portfolio:coaching-grant"]
    assert reference["dashes"] and reference["from"] == "state-portfolio:coaching-grant"
    assert data["details"]["nodes"]["riverside-usd:rv-coaching"]["model"] == "riverside-usd"


def test_user_text_is_escaped_everywhere(client: TestClient, tokens: Any) -> None:
    portfolio_service.clear_cache()
    state = json.loads((EXAMPLES / "state-portfolio.json").read_text(encoding="utf-8"))
    district = json.loads((EXAMPLES / "portfolio/riverside-usd.json").read_text(encoding="utf-8"))
    district["title"] = PAYLOAD[:290]
    district["designations"] = [PAYLOAD[:90]]
    district["org"] = PAYLOAD[:90]
    for node in district["nodes"]:
        node["title"] = PAYLOAD[:290]
    _store(client, tokens.editor, state)
    _store(client, tokens.editor, district)
    html = _page(client, tokens, "/portfolio")
    assert_inert(html)
    html = _page(client, tokens, "/portfolio?model=riverside-usd")
    assert_inert(html)
