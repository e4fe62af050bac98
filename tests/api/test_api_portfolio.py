"""`GET /portfolio`: the workspace's models checked together, cached on what it read."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from fastapi.testclient import TestClient

from services import portfolio as portfolio_service

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
M = "/api/v1/models"
P = "/api/v1/portfolio"


def _load(name: str) -> dict[str, Any]:
    path = EXAMPLES / name
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


@pytest.fixture
def stored(client: TestClient, auth: Any) -> list[str]:
    """The example portfolio in workspace w1: the state plan and its two districts."""
    portfolio_service.clear_cache()
    names = ["state-portfolio.json", "portfolio/riverside-usd.json", "portfolio/lakeview-sd.json"]
    for name in names:
        assert client.post(M, json=_load(name), headers=auth.editor).status_code == 201
    return names


def test_the_portfolio_is_the_workspaces_models_checked_together(
    client: TestClient, auth: Any, stored: list[str]
) -> None:
    answer = client.get(P, params={"as_of": "2026-10-01"}, headers=auth.viewer)
    assert answer.status_code == 200
    report = answer.json()
    assert report["models"] == ["lakeview-sd", "riverside-usd", "state-portfolio"]
    assert report["as_of"] == "2026-10-01"
    assert report["rejected"] == []
    grant = next(
        r for r in report["take_up"] if r["initiative"] == "state-portfolio:coaching-grant"
    )
    # The store kept each model's scope and org: the take-up counts the two districts.
    assert grant["carried_out"] == 2 and grant["missing"] == ["3100003", "3100005"]
    assert any(f["code"] == "TOC503" for f in report["findings"])


def test_a_repeated_get_costs_no_check_and_a_write_makes_it_fresh(
    client: TestClient, auth: Any, stored: list[str]
) -> None:
    first = client.get(P, headers=auth.viewer)
    with mock.patch.object(portfolio_service, "check_portfolio") as checker:
        again = client.get(P, headers=auth.viewer)
        assert checker.call_count == 0
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]
    unchanged = client.get(P, headers={**auth.viewer, "If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304
    # A district renames its coaching program: the next answer is checked afresh.
    patched = client.patch(
        f"{M}/riverside-usd/nodes/rv-coaching",
        json={"title": "Riverside K-2 literacy coaching, year 2"},
        headers=auth.editor,
    )
    assert patched.status_code == 200
    fresh = client.get(P, headers=auth.viewer)
    assert fresh.headers["ETag"] != first.headers["ETag"]
    titles = {row["id"]: row["title"] for row in fresh.json()["initiatives"]}
    assert titles["riverside-usd:rv-coaching"] == "Riverside K-2 literacy coaching, year 2"
    # Another check date is another answer.
    dated = client.get(P, params={"as_of": "2026-01-01"}, headers=auth.viewer)
    assert dated.headers["ETag"] != fresh.headers["ETag"]


def test_the_csv_is_the_scorecard_with_its_model_column(
    client: TestClient, auth: Any, stored: list[str]
) -> None:
    answer = client.get(P, params={"format": "csv"}, headers=auth.viewer)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(rows[0])[:2] == ["model", "id"]
    grant = next(r for r in rows if r["id"] == "state-portfolio:coaching-grant")
    assert grant["model"] == "state-portfolio"
    assert grant["carried_out_by"] == "lakeview-sd:lv-coaching;riverside-usd:rv-coaching"


def test_another_workspaces_model_reads_as_one_that_does_not_exist(
    client: TestClient, auth: Any
) -> None:
    portfolio_service.clear_cache()
    state = _load("state-portfolio.json")
    district = _load("portfolio/riverside-usd.json")
    # w2 holds the state plan; w1 holds only the district, which names the state's nodes.
    assert client.post(M, json=state, headers=auth.other).status_code == 201
    assert client.post(M, json=district, headers=auth.editor).status_code == 201
    seen = client.get(P, headers=auth.viewer).json()
    # The same district where no workspace holds a state plan at all.
    missing = {**district, "id": "riverside-alone"}
    portfolio_service.clear_cache()
    alone = client.get(P, headers=auth.other).json()
    assert alone["models"] == ["state-portfolio"]

    def unresolved(report: dict[str, Any], model: str) -> list[tuple[str, str, str]]:
        return [
            (f["node"].partition(":")[2], f["reference"], f["message"])
            for f in report["findings"]
            if f["code"] == "TOC801" and f["model"] == model
        ]

    assert client.post(M, json=missing, headers=auth.other).status_code == 201
    assert client.delete(f"{M}/state-portfolio", headers=auth.other).status_code in (200, 204)
    nowhere = client.get(P, headers=auth.other).json()
    assert unresolved(seen, "riverside-usd")
    assert unresolved(seen, "riverside-usd") == unresolved(nowhere, "riverside-alone")
    assert seen["models"] == ["riverside-usd"]


def test_no_token_no_portfolio(client: TestClient) -> None:
    assert client.get(P).status_code == 401


def test_a_cached_answer_is_served_before_routing_and_a_revoked_token_is_refused(
    client: TestClient, auth: Any, stored: list[str], database_url: str
) -> None:
    made = client.post("/api/v1/tokens", json={"role": "viewer"}, headers=auth.admin)
    assert made.status_code == 201
    token = {"Authorization": f"Bearer {made.json()['token']}"}
    first = client.get(P, headers=token)
    assert first.status_code == 200
    # The route's own path reads the versions with `versions`; the cached answer before
    # routing (SQLite) reads them in one statement with the token and never calls it.
    if database_url.startswith("sqlite"):
        with mock.patch.object(portfolio_service, "versions", side_effect=AssertionError):
            again = client.get(P, params={"format": "json"}, headers=token)
    else:  # PostgreSQL: the route answers, from the cache
        again = client.get(P, params={"format": "json"}, headers=token)
    assert again.status_code == 200
    assert again.content == first.content and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["content-type"] == "application/json"
    listed = client.get("/api/v1/tokens", headers=auth.admin).json()["items"]
    token_id = max(item["id"] for item in listed)
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=auth.admin).status_code == 204
    refused = client.get(P, headers=token)
    assert refused.status_code == 401
    # What the cache does not answer goes to the route: the CSV, say.
    answer = client.get(P, params={"format": "csv"}, headers=auth.viewer)
    assert answer.headers["content-type"].startswith("text/csv")
