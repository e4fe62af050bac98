"""The scorecard on a model's page: first, one row per initiative, words and marks, escaped."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from webtest_support import PAYLOAD, assert_inert, hostile_document

from toc.scorecard import MARKS, WORDS

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "state-portfolio.json"
PORTFOLIO_STANDINGS = {
    "universal-screening": "sound",
    "hqim-literacy-grants": "no-because",
    "coaching-grant": "unmeasured",
    "pacing-compliance-review": "sound",
    "teacher-eval-rubric": "only-lowers",
    "family-reading-app": "no-chain",
}


def _store(client: TestClient, token: str, document: dict[str, Any]) -> None:
    response = client.post(
        "/api/v1/models", json=document, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text


@pytest.fixture
def portfolio() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def viewer(client: TestClient, tokens: Any, portfolio: dict[str, Any]) -> TestClient:
    _store(client, tokens.editor, portfolio)
    assert client.get(f"/login?token={tokens.viewer}", follow_redirects=False).status_code == 303
    return client


def _scorecard(html: str) -> str:
    match = re.search(r'<table class="scorecard-table">(.*?)</table>', html, re.S)
    assert match is not None, "no scorecard table on the page"
    return match.group(1)


def _rows(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'<tr data-initiative="([^"]+)" data-standing="[^"]+">(.*?)</tr>', html, re.S)
    )


def test_the_scorecard_is_the_first_thing_on_the_page(
    viewer: TestClient, portfolio: dict[str, Any]
) -> None:
    html = viewer.get(f"/models/{portfolio['id']}").text
    first_table = html.index("<table")
    assert html.index('<table class="scorecard-table">') == first_table
    assert first_table < html.index('id="toc-network"')
    assert first_table < html.index('id="findings"')


def test_every_standing_shows_as_a_word_and_a_mark(
    viewer: TestClient, portfolio: dict[str, Any]
) -> None:
    rows = _rows(_scorecard(viewer.get(f"/models/{portfolio['id']}").text))
    initiatives = [
        n["id"]
        for n in portfolio["nodes"]
        if n["kind"] == "initiative" and n.get("status") != "retired"
    ]
    assert sorted(rows) == sorted(initiatives)
    for initiative, standing in PORTFOLIO_STANDINGS.items():
        cells = rows[initiative]
        mark, words = MARKS[standing], WORDS[standing]
        assert f'<span class="mark" aria-hidden="true">{mark}</span> {words}' in cells
        assert f'href="#focus={initiative}"' in cells  # its chains on the map


def test_raises_lowers_and_conflicts_are_named_by_title(
    viewer: TestClient, portfolio: dict[str, Any]
) -> None:
    html = viewer.get(f"/models/{portfolio['id']}").text
    rows = _rows(_scorecard(html))
    titles = {n["id"]: n["title"] for n in portfolio["nodes"]}
    api = viewer.get(
        f"/models/{portfolio['id']}/scorecard.csv"
    )  # the page's own export, for the ids
    by_id = {r["id"]: r for r in csv.DictReader(io.StringIO(api.text))}
    checked = 0
    for initiative, cells in rows.items():
        for field in ("raises", "lowers", "conflicts"):
            for node in filter(None, by_id[initiative][field].split(";")):
                escaped = titles[node].replace("&", "&amp;").replace("'", "&#39;")
                assert escaped in cells, (initiative, field, node)
                checked += 1
    assert checked >= 3


def test_sorting_by_standing_puts_the_worst_first(
    viewer: TestClient, portfolio: dict[str, Any]
) -> None:
    order = list(STANDING_ORDER)
    by_id = viewer.get(f"/models/{portfolio['id']}").text
    assert 'href="?sort=standing#scorecard"' in by_id
    html = viewer.get(f"/models/{portfolio['id']}?sort=standing").text
    standings = re.findall(r'<tr data-initiative="[^"]+" data-standing="([^"]+)">', html)
    assert standings == sorted(standings, key=order.index)
    assert standings[0] == "no-chain" and standings[-1] == "sound"


STANDING_ORDER = ("no-chain", "only-lowers", "no-because", "unmeasured", "sound")


def test_the_page_opens_with_the_cabinet_summary_and_flags_beside_the_standing(
    viewer: TestClient, portfolio: dict[str, Any]
) -> None:
    html = viewer.get(f"/models/{portfolio['id']}").text
    summary = html[html.index('class="cabinet-summary"') : html.index('class="scorecard-table"')]
    assert "TOC" not in summary
    # The sign shows only when the stored model names its currency.
    assert re.search(r"no chain drawn to students</span> 1 \(\$?1\.2M a year\)", summary)
    assert "disagrees with the plan" in summary
    rows = _rows(_scorecard(html))
    assert "\u25b2 raises and lowers outcomes" in rows["pacing-compliance-review"]
    assert "stalled: a step did not hold" in rows["universal-screening"]


def test_the_page_exports_the_scorecard_as_csv_for_the_signed_in_visitor(
    viewer: TestClient, portfolio: dict[str, Any]
) -> None:
    html = viewer.get(f"/models/{portfolio['id']}").text
    assert f'href="/models/{portfolio["id"]}/scorecard.csv"' in html
    answer = viewer.get(f"/models/{portfolio['id']}/scorecard.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    parsed = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["id"]: r["standing"] for r in parsed if r["id"] in PORTFOLIO_STANDINGS} == (
        PORTFOLIO_STANDINGS
    )
    assert viewer.get("/models/absent/scorecard.csv").status_code == 404


def test_the_csv_export_wants_a_signed_in_visitor(
    client: TestClient, tokens: Any, portfolio: dict[str, Any]
) -> None:
    _store(client, tokens.editor, portfolio)
    answer = client.get(f"/models/{portfolio['id']}/scorecard.csv", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_hostile_titles_are_shown_as_text_in_the_scorecard(client: TestClient, tokens: Any) -> None:
    _store(client, tokens.editor, hostile_document())
    client.get(f"/login?token={tokens.viewer}", follow_redirects=False)
    html = client.get("/models/hostile").text
    table = _scorecard(html)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in table
    assert PAYLOAD not in table
    assert_inert(html)
    rows = _rows(table)
    assert sorted(rows) == ["grant", "pd"]


def test_a_model_without_initiatives_says_so(client: TestClient, tokens: Any) -> None:
    document = {
        "format": "toc/1",
        "id": "empty",
        "title": "Nothing yet",
        "nodes": [{"id": "o", "level": "student", "kind": "outcome", "title": "Reading"}],
        "links": [],
    }
    _store(client, tokens.editor, document)
    client.get(f"/login?token={tokens.viewer}", follow_redirects=False)
    html = client.get("/models/empty").text
    assert "No initiatives yet" in html
