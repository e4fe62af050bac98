"""Tokens under real use (issues #18, #21, #22): bounded lifetimes, a store that already holds
one past any date, `POST /tokens` with name and models, and district tokens that write only
their own plan and read the state's."""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from services import store
from services.db import writing

TOKENS = "/api/v1/tokens"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("expires", ["500000w", "3651d", "87601h", "522w"])
def test_a_lifetime_past_ten_years_is_a_422_and_no_token_is_made(
    client: TestClient, auth: Any, expires: str
) -> None:
    before = client.get(TOKENS, headers=auth.admin).json()["items"]
    answer = client.post(TOKENS, json={"role": "viewer", "expires": expires}, headers=auth.admin)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"] == [
        {
            "path": "expires",
            "message": f"{expires!r} is too long a lifetime: a token lives at most 3,650 days "
            "(e.g. 3650d)",
        }
    ]
    listed = client.get(TOKENS, headers=auth.admin)
    assert listed.status_code == 200 and listed.json()["items"] == before


def test_ten_years_is_allowed(client: TestClient, auth: Any) -> None:
    answer = client.post(TOKENS, json={"role": "viewer", "expires": "3650d"}, headers=auth.admin)
    assert answer.status_code == 201, answer.text
    assert int(answer.json()["expires_at"][:4]) - time.gmtime().tm_year in (9, 10)
    assert client.get("/api/v1/models", headers=_bearer(answer.json()["token"])).status_code == 200


def test_a_stored_expiry_past_any_date_still_lists_and_revokes(
    client: TestClient, auth: Any
) -> None:
    # What `POST /tokens {"expires": "500000w"}` left in a store before lifetimes were bounded.
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session, writing(session):
        w1 = store.workspace_id(session, "w1")
        assert w1 is not None
        store.insert_token(
            session, w1, "viewer", "f" * 64, "far", expires_at=int(time.time()) + 302400000000
        )
    listed = client.get(TOKENS, headers=auth.admin)
    assert listed.status_code == 200, listed.text
    [far] = [token for token in listed.json()["items"] if token["name"] == "far"]
    assert far["state"] == "active" and far["expires_at"].startswith("9999-12-31")
    assert client.delete(f"{TOKENS}/{far['id']}", headers=auth.admin).status_code == 204
    listed = client.get(TOKENS, headers=auth.admin).json()["items"]
    assert [token["state"] for token in listed if token["name"] == "far"] == ["revoked"]


def test_post_tokens_takes_a_name_the_history_shows(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    made = client.post(
        TOKENS, json={"role": "editor", "name": "Sync from PlanTool"}, headers=auth.admin
    )
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "Sync from PlanTool"
    headers = _bearer(made.json()["token"])
    assert client.post("/api/v1/models", json=document, headers=headers).status_code == 201
    versions = client.get("/api/v1/models/milford-hqi/versions", headers=headers).json()["items"]
    assert [entry["by"] for entry in versions] == ["Sync from PlanTool"]
    listed = client.get(TOKENS, headers=auth.admin).json()["items"]
    assert "Sync from PlanTool" in [token["name"] for token in listed]


# -- a state and its districts in one workspace ----------------------------------------------

STATE, NORTH, SOUTH = "state-plan", "north-district", "south-district"


@pytest.fixture
def portfolio(client: TestClient, auth: Any, document: dict[str, Any]) -> dict[str, str]:
    """Three models of w1 and a token for the north district that writes only its plan."""
    for model_id in (STATE, NORTH, SOUTH):
        model = copy.deepcopy(document)
        model["id"] = model_id
        assert client.post("/api/v1/models", json=model, headers=auth.editor).status_code == 201
    made = client.post(
        TOKENS,
        json={"role": "editor", "name": "North district", "models": [NORTH]},
        headers=auth.admin,
    )
    assert made.status_code == 201, made.text
    assert made.json()["models"] == [NORTH]
    return _bearer(made.json()["token"])


def test_a_district_token_writes_its_own_plan(
    client: TestClient, portfolio: dict[str, str]
) -> None:
    node = f"/api/v1/models/{NORTH}/nodes/shared-model"
    assert (
        client.patch(node, json={"title": "North's change"}, headers=portfolio).status_code == 200
    )
    observations = client.post(f"/api/v1/models/{NORTH}/observations", json=[], headers=portfolio)
    assert observations.status_code in (200, 422), observations.text  # allowed to try


@pytest.mark.parametrize("model_id", [STATE, SOUTH])
def test_a_district_token_cannot_write_the_state_or_a_neighbour_but_reads_them(
    client: TestClient,
    auth: Any,
    portfolio: dict[str, str],
    document: dict[str, Any],
    model_id: str,
) -> None:
    base = f"/api/v1/models/{model_id}"
    model = copy.deepcopy(document)
    model["id"] = model_id
    writes = [
        client.patch(f"{base}/nodes/shared-model", json={"title": "X"}, headers=portfolio),
        client.post(
            f"{base}/nodes",
            json={"id": "n", "level": "teacher", "kind": "change", "title": "N"},
            headers=portfolio,
        ),
        client.delete(f"{base}/nodes/shared-model", headers=portfolio),
        client.delete(f"{base}/links/hqi-live-%3Eshared-model", headers=portfolio),
        client.put(base, json=model, headers=portfolio),
        client.post(f"{base}/versions/1/restore", headers=portfolio),
        client.post(
            f"{base}/observations",
            json=[
                {
                    "node": "hqi-live",
                    "indicator": "Educators attending",
                    "date": "2026-01-05",
                    "value": 3,
                }
            ],
            headers=portfolio,
        ),
        client.delete(base, headers=portfolio),
    ]
    for answer in writes:
        assert answer.status_code == 403, (answer.request.method, answer.request.url, answer.text)
        assert f"not '{model_id}'" in answer.json()["detail"]
    assert client.get(base, headers=portfolio).json()["version"] == 1  # nothing written
    assert client.get(f"{base}/check", headers=portfolio).status_code == 200


def test_a_limited_token_creates_no_model(
    client: TestClient, portfolio: dict[str, str], document: dict[str, Any]
) -> None:
    model = copy.deepcopy(document)
    model["id"] = "new-plan"
    created = client.post("/api/v1/models", json=model, headers=portfolio)
    assert created.status_code == 403
    assert "cannot create models" in created.json()["detail"]
    imported = client.post("/api/v1/models/import?format=json", json=model, headers=portfolio)
    assert imported.status_code == 403
    assert client.get("/api/v1/models/new-plan", headers=portfolio).status_code == 404


@pytest.mark.parametrize(
    ("asked", "path"),
    [
        ({"role": "viewer", "models": [NORTH]}, "models"),
        ({"role": "admin", "models": [NORTH]}, "models"),
        ({"role": "editor", "models": ["Not an id!"]}, "models"),
        ({"role": "editor", "models": []}, "models"),
    ],
)
def test_models_only_on_an_editor_token_and_only_ids(
    client: TestClient, auth: Any, asked: dict[str, Any], path: str
) -> None:
    answer = client.post(TOKENS, json=asked, headers=auth.admin)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["path"] == path


def test_the_cli_bounds_lifetimes_and_limits_models(tmp_path: Any) -> None:
    import os

    env = {**os.environ, "TOC_DATABASE_URL": f"sqlite:///{tmp_path / 'toc.db'}"}
    toc = [sys.executable, "-c", "from app.cli import main; raise SystemExit(main())"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            toc + list(args), env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )

    too_long = run(
        "token", "create", "--workspace", "w", "--role", "viewer", "--expires", "600000w"
    )
    assert too_long.returncode == 2 and "at most 3,650 days" in too_long.stderr
    limited = run(
        "token", "create", "--workspace", "w", "--role", "editor", "--models", "north,south"
    )
    assert limited.returncode == 0, limited.stderr
    refused = run("token", "create", "--workspace", "w", "--role", "viewer", "--models", "north")
    assert refused.returncode == 2 and "only an editor token" in refused.stderr
    listed = run("token", "list")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[-2:] for line in listed.stdout.splitlines()] == [
        ["WRITES", "STATE"],
        ["north,south", "active"],
    ]
