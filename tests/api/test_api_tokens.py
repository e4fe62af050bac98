"""Tokens with a lifecycle: listed (never shown), revoked and expired tokens refused at once,
the cached check included."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.db import writing
from services.tables import ApiToken

M = "/api/v1/models/milford-hqi"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _new(client: TestClient, auth: Any, role: str = "viewer", **extra: Any) -> str:
    answer = client.post("/api/v1/tokens", json={"role": role, **extra}, headers=auth.admin)
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def _id_of(client: TestClient, auth: Any, state: str = "active") -> list[int]:
    listed = client.get("/api/v1/tokens", headers=auth.admin).json()["items"]
    return [token["id"] for token in listed if token["state"] == state]


def test_an_admin_lists_its_workspace_tokens_and_never_sees_one(
    client: TestClient, auth: Any
) -> None:
    token = _new(client, auth, "editor", expires="30d")
    answer = client.get("/api/v1/tokens", headers=auth.admin)
    assert answer.status_code == 200
    assert token not in answer.text
    items = answer.json()["items"]
    assert {item["workspace"] for item in items} == {"w1"}  # not w2's
    newest = items[-1]
    assert newest["role"] == "editor" and newest["state"] == "active"
    assert newest["expires_at"] is not None
    assert set(newest) >= {"id", "workspace", "role", "created_at", "expires_at", "state"}


def test_only_an_admin_lists_or_revokes(client: TestClient, auth: Any) -> None:
    for headers in (auth.viewer, auth.editor):
        assert client.get("/api/v1/tokens", headers=headers).status_code == 403
        assert client.delete("/api/v1/tokens/1", headers=headers).status_code == 403


def test_a_revoked_token_is_refused_at_once_even_on_a_cached_check(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    token = _new(client, auth)
    client.post("/api/v1/models", json=document, headers=auth.editor)
    assert client.get(f"{M}/check", headers=_bearer(token)).status_code == 200  # cached now
    assert client.get(f"{M}/check", headers=_bearer(token)).status_code == 200  # from cache
    token_id = _id_of(client, auth)[-1]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=auth.admin).status_code == 204
    answer = client.get(f"{M}/check", headers=_bearer(token))
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/models", headers=_bearer(token)).status_code == 401
    assert token_id in _id_of(client, auth, "revoked")
    assert client.get(f"{M}/check", headers=auth.viewer).status_code == 200  # others unharmed


def test_an_expired_token_is_refused_at_once_even_on_a_cached_check(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    token = _new(client, auth, expires="1h")
    client.post("/api/v1/models", json=document, headers=auth.editor)
    assert client.get(f"{M}/check", headers=_bearer(token)).status_code == 200
    engine = client.app.state.engine  # type: ignore[attr-defined]
    # An hour passes. A write transaction, as the app's own: the background check of the
    # model's version may be writing its counts at this moment (SQLite: one writer).
    with Session(engine) as session, writing(session):
        row = session.exec(select(ApiToken).where(ApiToken.expires_at.is_not(None))).one()  # type: ignore[union-attr]
        row.expires_at = int(time.time()) - 1
        session.add(row)
    assert client.get(f"{M}/check", headers=_bearer(token)).status_code == 401
    assert client.get("/api/v1/models", headers=_bearer(token)).status_code == 401
    assert _id_of(client, auth, "expired")


def test_another_workspace_token_cannot_be_revoked(client: TestClient, auth: Any) -> None:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        other = session.exec(select(ApiToken).where(ApiToken.workspace_id != 1)).first()
        ids = {token.id for token in session.exec(select(ApiToken))}
    assert other is not None and other.id is not None
    own = set(_id_of(client, auth))
    foreign = next(token_id for token_id in ids if token_id not in own)
    assert client.delete(f"/api/v1/tokens/{foreign}", headers=auth.admin).status_code == 404
    assert client.get("/api/v1/models", headers=auth.other).status_code == 200


@pytest.mark.parametrize("token_id", ["0", "-1", "9" * 5000, "²", "abc", "99999999999"])
def test_odd_token_ids_are_4xx(client: TestClient, auth: Any, token_id: str) -> None:
    answer = client.delete(f"/api/v1/tokens/{token_id}", headers=auth.admin)
    assert 400 <= answer.status_code < 500


@pytest.mark.parametrize("expires", ["0d", "3y", "30", "-1d", "9999999d"])
def test_a_lifetime_that_is_none_is_refused(client: TestClient, auth: Any, expires: str) -> None:
    answer = client.post(
        "/api/v1/tokens", json={"role": "viewer", "expires": expires}, headers=auth.admin
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "expires"
