"""The cached `GET .../check`, answered before routing: the route's answer, or the route's turn.

The tests run on SQLite and on PostgreSQL (the `database_url` fixture of this folder), but
two, each about how one store's own reads fail.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import services.reports
from api.hotpath import APPLICATION_NAME, cached_report_parameters, open_cached_reports
from services import clock
from services.db import make_engine


def checked(version: str) -> str:
    """The ETag of a checked answer today: `"VERSION;AS_OF"` (SPEC §4)."""
    return f'"{version};{clock.today().isoformat()}"'


M = "/api/v1/models/milford-hqi"


def _route_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the route itself can only fail: whatever answers 200 is the cache."""

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("the route was asked")

    monkeypatch.setattr(services.reports, "report_json", broken)


def test_a_cached_report_is_answered_as_the_route_answered_it(
    client: TestClient, auth: Any, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    cold = client.get(f"{M}/check", headers=auth.viewer)  # the route: checks, caches
    _route_unavailable(monkeypatch)
    cached = client.get(f"{M}/check", headers=auth.editor)
    assert cached.status_code == cold.status_code == 200
    assert cached.content == cold.content
    for header in ("content-type", "content-length", "etag"):
        assert cached.headers[header] == cold.headers[header]
    assert cached.headers["etag"] == checked("1")


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer not-a-token"}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "Bearer"}, 401),
    ],
)
def test_without_a_valid_token_the_route_answers_even_when_a_report_is_cached(
    client: TestClient, auth: Any, document: dict[str, Any], headers: dict[str, str], status: int
) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    assert client.get(f"{M}/check", headers=auth.viewer).status_code == 200
    answer = client.get(f"{M}/check", headers=headers)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"


def test_another_workspace_never_sees_a_cached_report(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    assert client.get(f"{M}/check", headers=auth.viewer).status_code == 200
    answer = client.get(f"{M}/check", headers=auth.other)
    assert answer.status_code == 404
    assert answer.json()["detail"] == "no model 'milford-hqi'"


def test_a_report_of_an_older_version_is_never_answered(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    before = client.get(f"{M}/check", headers=auth.viewer)
    client.patch(
        f"{M}/links/shared-model-%3Emath-reasoning", json={"because": "b"}, headers=auth.editor
    )
    after = client.get(f"{M}/check", headers=auth.viewer)
    assert after.headers["etag"] == checked("2")
    assert after.json() != before.json()
    assert "TOC102" in {f["code"] for f in before.json()["findings"]}  # no because-chain
    assert "TOC102" not in {f["code"] for f in after.json()["findings"]}


def test_other_paths_and_methods_are_not_taken_for_the_check(
    client: TestClient, auth: Any, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    client.get(f"{M}/check", headers=auth.viewer)
    assert client.post(f"{M}/check", headers=auth.viewer).status_code == 405
    slash = client.get(f"{M}/check/", headers=auth.viewer, follow_redirects=False)
    assert slash.status_code == 307 and slash.headers["location"].endswith(f"{M}/check")
    assert client.get(f"{M}/chains/hqi-live", headers=auth.viewer).json()["initiative"] == (
        "hqi-live"
    )


M_ID = "milford-hqi"


def _cached_model(client: TestClient, auth: Any, document: dict[str, Any]) -> dict[str, str]:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    client.get(f"{M}/check", headers=auth.viewer)
    token = auth.viewer["Authorization"].removeprefix("Bearer ")
    parameters = cached_report_parameters(token, "milford-hqi")
    assert parameters is not None
    return parameters


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_sqlite_store_that_cannot_answer_passes_the_read_on(
    client: TestClient, auth: Any, document: dict[str, Any], tmp_path: Path
) -> None:
    parameters = _cached_model(client, auth, document)
    reports = open_cached_reports(client.app.state.engine)  # type: ignore[attr-defined]
    found = asyncio.run(reports.find(parameters))
    assert found is not None and found[1] == 1
    asyncio.run(reports.aclose())
    # A store not migrated yet (or not toc's at all) raises in SQLite: the route's turn.
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        reports = open_cached_reports(empty)
        assert asyncio.run(reports.find(parameters)) is None
        asyncio.run(reports.aclose())
    finally:
        empty.dispose()


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_lost_postgresql_connection_is_replaced(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    parameters = _cached_model(client, auth, document)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    reports = open_cached_reports(engine)

    # Another token for the reads after the loss: the first read's answer is remembered (and
    # would be served from memory, not from a connection).
    editor = cached_report_parameters(auth.editor["Authorization"].removeprefix("Bearer "), M_ID)
    assert editor is not None

    async def scenario() -> list[tuple[str, int] | None]:
        found = [await reports.find(parameters)]
        with engine.begin() as admin:  # as when the server restarts or a proxy drops it
            admin.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = :name"
                ),
                {"name": APPLICATION_NAME},
            )
        found.append(await reports.find(editor))  # the dead connection: the route's turn
        found.append(await reports.find(editor))  # a new connection
        await reports.aclose()
        return found

    first, lost, again = asyncio.run(scenario())
    assert first is not None and again == first
    assert lost is None


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE toc_model SET version = version + 1",  # a write: no report for version 2 yet
        "UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP",  # the token is revoked
    ],
)
def test_a_remembered_answer_is_forgotten_when_another_connection_writes(
    client: TestClient, auth: Any, document: dict[str, Any], change: str
) -> None:
    parameters = _cached_model(client, auth, document)
    assert services.reports.settle()  # no background commit of ours between the reads below
    engine = client.app.state.engine  # type: ignore[attr-defined]
    reports = open_cached_reports(engine)

    async def scenario() -> list[tuple[bytes, int] | None]:
        await reports.find(parameters)
        await asyncio.sleep(0.5)  # PostgreSQL: the listening connection is up
        found = [await reports.find(parameters)]  # read, and kept
        found.append(await reports.find(parameters))  # remembered
        # As another process would: plain SQL on a connection of its own, no session of ours.
        with engine.connect() as other:
            other.exec_driver_sql(change)
            other.commit()
        await asyncio.sleep(0.5)  # PostgreSQL: the notification comes (SQLite needs no wait)
        found.append(await reports.find(parameters))  # the route's turn
        await reports.aclose()
        return found

    first, remembered, after = asyncio.run(scenario())
    assert first is not None
    assert remembered is first  # the very answer read before: no query was made for it
    assert after is None
