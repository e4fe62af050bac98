"""Workspaces, tokens and roles: 401 without a known token, 403 for a viewer writing, 404 across."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

M = "/api/v1/models/milford-hqi"
NODE = {"id": "new-node", "level": "teacher", "kind": "change", "title": "New"}
LINK = {"from": "hqi-live", "to": "math-reasoning"}

# Every route that names a model: (method, path, JSON body or None, is a write)
MODEL_ROUTES: list[tuple[str, str, Any, bool]] = [
    ("GET", M, None, False),
    ("PUT", M, "document", True),
    ("DELETE", M, None, True),
    ("GET", f"{M}/check", None, False),
    ("GET", f"{M}/chains/hqi-live", None, False),
    ("GET", f"{M}/scorecard", None, False),
    ("GET", f"{M}/scorecard?format=csv", None, False),
    ("GET", f"{M}/map", None, False),
    ("GET", f"{M}/export?format=json", None, False),
    ("POST", f"{M}/nodes", NODE, True),
    ("GET", f"{M}/nodes/hqi-live", None, False),
    ("PATCH", f"{M}/nodes/hqi-live", {"title": "Changed"}, True),
    ("DELETE", f"{M}/nodes/hqi-live", None, True),
    ("POST", f"{M}/links", LINK, True),
    ("GET", f"{M}/links/hqi-live-%3Eshared-model", None, False),
    ("PATCH", f"{M}/links/hqi-live-%3Eshared-model", {"because": "b"}, True),
    ("DELETE", f"{M}/links/hqi-live-%3Eshared-model", None, True),
]
WRITES = [route for route in MODEL_ROUTES if route[3]] + [
    ("POST", "/api/v1/models", "document", True),
    ("POST", "/api/v1/models/import?format=json", "document", True),
]


@pytest.fixture
def stored(client: TestClient, auth: Any, document: dict[str, Any]) -> dict[str, Any]:
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201
    return document


def _call(
    client: TestClient, method: str, path: str, body: Any, document: Any, headers: Any
) -> Any:
    payload = document if body == "document" else body
    return client.request(method, path, json=payload, headers=headers)


@pytest.mark.parametrize(("method", "path", "body", "write"), MODEL_ROUTES)
def test_another_workspace_gets_404_on_every_model_route(
    client: TestClient, auth: Any, stored: Any, method: str, path: str, body: Any, write: bool
) -> None:
    before = client.get(M, headers=auth.viewer).json()
    answer = _call(client, method, path, body, stored, auth.other)
    if method == "PUT":
        # PUT creates a model of that id in the caller's own workspace; w1's is untouched.
        assert answer.status_code == 201
    else:
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "milford-hqi" in answer.json()["detail"]
    assert client.get(M, headers=auth.viewer).json() == before


@pytest.mark.parametrize(("method", "path", "body", "write"), WRITES)
def test_a_viewer_gets_403_on_every_write(
    client: TestClient, auth: Any, stored: Any, method: str, path: str, body: Any, write: bool
) -> None:
    before = client.get(M, headers=auth.viewer).json()
    answer = _call(client, method, path, body, stored, auth.viewer)
    assert answer.status_code == 403
    assert answer.json()["type"] == "http://testserver/problems/forbidden"
    assert client.get(M, headers=auth.viewer).json() == before


@pytest.mark.parametrize(("method", "path", "body", "write"), MODEL_ROUTES + WRITES)
@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer toc_not-a-real-token"}, {"Authorization": "Basic dTpw"}],
    ids=["none", "unknown", "basic"],
)
def test_no_or_bad_token_gets_401(
    client: TestClient,
    stored: Any,
    method: str,
    path: str,
    body: Any,
    write: bool,
    headers: dict[str, str],
) -> None:
    answer = _call(client, method, path, body, stored, headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_list_shows_only_the_workspace_s_models(client: TestClient, auth: Any, stored: Any) -> None:
    assert client.get("/api/v1/models", headers=auth.other).json()["items"] == []
    assert [m["id"] for m in client.get("/api/v1/models", headers=auth.viewer).json()["items"]] == [
        "milford-hqi"
    ]


def test_two_workspaces_can_use_the_same_model_id(
    client: TestClient, auth: Any, stored: Any
) -> None:
    assert client.post("/api/v1/models", json=stored, headers=auth.other).status_code == 201
    assert client.delete(M, headers=auth.other).status_code == 204
    assert client.get(M, headers=auth.viewer).status_code == 200


def test_tokens_are_stored_hashed_never_in_plain_text(client: TestClient, tokens: Any) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        stored = [row[0] for row in connection.execute(text("select token_hash from api_token"))]
        dump = "\n".join(
            str(row) for row in connection.execute(text("select * from api_token")).all()
        )
    assert len(stored) == 4
    for raw in (tokens.admin, tokens.editor, tokens.viewer, tokens.other):
        assert raw not in dump
        assert len(raw) >= 43  # 32 random bytes, URL-safe base64


def test_an_admin_creates_tokens_of_its_own_workspace(
    client: TestClient, auth: Any, stored: Any
) -> None:
    answer = client.post("/api/v1/tokens", json={"role": "viewer"}, headers=auth.admin)
    assert answer.status_code == 201
    body = answer.json()
    assert body["workspace"] == "w1" and body["role"] == "viewer"
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get(M, headers=headers).status_code == 200
    assert client.delete(M, headers=headers).status_code == 403
    for other in (auth.editor, auth.viewer):
        assert (
            client.post("/api/v1/tokens", json={"role": "admin"}, headers=other).status_code == 403
        )
    bad = client.post("/api/v1/tokens", json={"role": "owner"}, headers=auth.admin)
    assert bad.status_code == 422 and bad.json()["errors"][0]["path"] == "role"


def test_healthz_needs_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
