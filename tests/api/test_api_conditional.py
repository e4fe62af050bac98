"""Conditional requests as RFC 9110 says: 304 for an unchanged answer, HEAD without a body,
`If-None-Match: *` and `If-Match` on a missing model; checked answers tagged with their day;
problem types that are pages of the server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services import clock

M = "/api/v1/models/milford-hqi"


@pytest.fixture
def stored(client: TestClient, auth: Any, document: dict[str, Any]) -> None:
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201


@pytest.mark.parametrize("path", ["", "/check", "/check", "/scorecard", "/nodes/hqi-live", "/map"])
def test_an_unchanged_answer_is_a_304(
    client: TestClient, auth: Any, stored: None, path: str
) -> None:
    first = client.get(M + path, headers=auth.viewer)
    tag = first.headers["ETag"]
    again = client.get(M + path, headers={**auth.viewer, "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == tag
    assert client.get(M + path, headers={**auth.viewer, "If-None-Match": "*"}).status_code == 304
    other = client.get(M + path, headers={**auth.viewer, "If-None-Match": '"99", W/"98"'})
    assert other.status_code == 200 and other.content == first.content


def test_a_304_stops_once_the_model_changes(client: TestClient, auth: Any, stored: None) -> None:
    tag = client.get(f"{M}/check", headers=auth.viewer).headers["ETag"]
    assert tag == f'"1;{clock.today().isoformat()}"'
    client.patch(f"{M}/nodes/hqi-live", json={"title": "HQI week"}, headers=auth.editor)
    answer = client.get(f"{M}/check", headers={**auth.viewer, "If-None-Match": tag})
    assert answer.status_code == 200 and answer.headers["ETag"].startswith('"2;')


def test_checked_answers_take_as_of_and_name_it_in_their_etag(
    client: TestClient, auth: Any, stored: None, document: dict[str, Any]
) -> None:
    answer = client.get(f"{M}/check?as_of=2026-01-15", headers=auth.viewer)
    assert answer.json()["as_of"] == "2026-01-15" and answer.headers["ETag"] == '"1;2026-01-15"'
    scorecard = client.get(f"{M}/scorecard?as_of=2026-01-15", headers=auth.viewer)
    assert scorecard.headers["ETag"] == '"1;2026-01-15"'
    report = client.get(f"{M}/report?as_of=2026-01-15", headers=auth.viewer)
    assert report.headers["ETag"] == '"1;2026-01-15"'
    posted = client.post("/api/v1/check?as_of=2026-01-15", json=document, headers=auth.viewer)
    assert posted.json()["as_of"] == "2026-01-15"
    assert client.get(f"{M}/check?as_of=tomorrow", headers=auth.viewer).status_code == 422


def test_head_is_get_without_the_body(client: TestClient, auth: Any, stored: None) -> None:
    got = client.get(M, headers=auth.viewer)
    head = client.head(M, headers=auth.viewer)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == got.headers["ETag"]
    assert head.headers["content-length"] == got.headers["content-length"]
    assert client.head(f"{M}/nodes", headers=auth.viewer).status_code == 200
    assert client.head("/api/v1/models/nowhere", headers=auth.viewer).status_code == 404
    refused = client.head(f"{M}/changes", headers=auth.editor)
    assert refused.status_code == 405 and refused.headers["allow"] == "POST, OPTIONS"


def test_put_preconditions_on_a_model_that_may_not_exist(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    for if_match in ('"1"', "*"):
        missing = client.put(M, json=document, headers={**auth.editor, "If-Match": if_match})
        assert missing.status_code == 412
        assert missing.json()["type"].endswith("/problems/precondition-failed")
    created = client.put(M, json=document, headers={**auth.editor, "If-None-Match": "*"})
    assert created.status_code == 201
    document["title"] = "Changed"
    again = client.put(M, json=document, headers={**auth.editor, "If-None-Match": "*"})
    assert again.status_code == 412
    assert client.get(M, headers=auth.viewer).json()["title"] != "Changed"
    replaced = client.put(M, json=document, headers={**auth.editor, "If-Match": "*"})
    assert replaced.status_code == 200 and replaced.headers["ETag"] == '"2"'


def test_import_replace_with_if_match_on_a_missing_model_is_412(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    answer = client.post(
        "/api/v1/models/import?replace=true",
        content=json.dumps(document),
        headers={**auth.editor, "If-Match": '"3"', "Content-Type": "application/json"},
    )
    assert answer.status_code == 412
    assert client.get(M, headers=auth.viewer).status_code == 404


def test_problem_types_are_public_pages_of_the_server(client: TestClient, auth: Any) -> None:
    problem = client.get("/api/v1/models/nowhere", headers=auth.viewer).json()
    assert problem["type"] == "http://testserver/problems/not-found"
    page = client.get("/problems/not-found")  # no token needed
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "How to fix it" in page.text and "<script" not in page.text
    assert client.get("/problems/no-such-kind").status_code == 404
    public = ["/healthz", "/openapi.json", "/api/v1/openapi.json", "/docs", "/problems/forbidden"]
    for path in public:
        assert client.get(path).status_code == 200, path
    assert client.get("/api/v1/openapi.json").json() == client.get("/openapi.json").json()


def test_every_problem_type_has_a_page_and_a_line_in_the_docs() -> None:
    import re
    from pathlib import Path

    from api.problems import PROBLEM_TYPES

    root = Path(__file__).parents[2]
    used = set()
    for folder in ("api", "services", "app"):
        for source in (root / folder).rglob("*.py"):
            used |= set(re.findall(r'kind="([a-z-]+)"', source.read_text()))
    assert used <= set(PROBLEM_TYPES), used - set(PROBLEM_TYPES)
    docs = (root / "docs" / "service.md").read_text()
    assert [kind for kind in PROBLEM_TYPES if f"`{kind}`" not in docs] == []
