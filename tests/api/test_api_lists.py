"""Lists of a model's nodes and links, filtered and paginated; models by words and tags;
and no route quietly ignores a query parameter it does not take."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

M = "/api/v1/models/milford-hqi"


@pytest.fixture
def stored(client: TestClient, auth: Any, document: dict[str, Any]) -> dict[str, Any]:
    document["nodes"][1]["tags"] = ["math", "coaching"]
    document["nodes"][2]["tags"] = ["math"]
    document["nodes"].append(
        {
            "id": "old-pd",
            "level": "teacher",
            "kind": "change",
            "title": "Old PD",
            "status": "retired",
        }
    )
    document["links"].append(
        {"id": "drag", "from": "old-pd", "to": "math-reasoning", "polarity": "-"}
    )
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201
    return document


def ids(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [item.get("id") or f"{item['from']}->{item['to']}" for item in answer.json()["items"]]


def test_nodes_filter_by_level_kind_status_tags_and_words(
    client: TestClient, auth: Any, stored: Any
) -> None:
    get = lambda query: client.get(f"{M}/nodes?{query}", headers=auth.viewer)  # noqa: E731
    assert ids(get("")) == ["hqi-live", "shared-model", "math-reasoning", "old-pd"]
    assert ids(get("level=teacher")) == ["shared-model", "old-pd"]
    assert ids(get("kind=outcome")) == ["math-reasoning"]
    assert ids(get("status=retired")) == ["old-pd"]
    assert ids(get("tag=math")) == ["shared-model", "math-reasoning"]
    assert ids(get("tag=math&tag=coaching")) == ["shared-model"]  # every tag
    assert ids(get("q=MATHEMATICAL students")) == ["math-reasoning"]  # every word, any case
    assert ids(get("q=old-pd")) == ["old-pd"]  # ids count too
    assert ids(get("level=teacher&tag=math")) == ["shared-model"]
    assert get("level=district").status_code == 422


def test_links_filter_by_ends_type_and_polarity(client: TestClient, auth: Any, stored: Any) -> None:
    get = lambda query: client.get(f"{M}/links?{query}", headers=auth.viewer)  # noqa: E731
    assert ids(get("from=hqi-live")) == ["hqi-live->shared-model"]
    assert ids(get("to=math-reasoning")) == ["shared-model->math-reasoning", "drag"]
    assert ids(get("polarity=-")) == ["drag"]
    assert ids(get("type=leads_to&polarity=%2B")) == [
        "hqi-live->shared-model",
        "shared-model->math-reasoning",
    ]


def test_lists_are_paginated_like_models(client: TestClient, auth: Any, stored: Any) -> None:
    seen: list[str] = []
    url = f"{M}/nodes?limit=1"
    while True:
        page = client.get(url, headers=auth.viewer).json()
        seen += [node["id"] for node in page["items"]]
        if page["next_cursor"] is None:
            break
        url = f"{M}/nodes?limit=1&cursor={page['next_cursor']}"
    assert seen == ["hqi-live", "shared-model", "math-reasoning", "old-pd"]
    bad = client.get(f"{M}/nodes?cursor=nonsense", headers=auth.viewer)
    assert bad.status_code == 422


def test_models_by_words_and_tags(
    client: TestClient, auth: Any, stored: Any, document: dict[str, Any]
) -> None:
    other = {
        "id": "reading",
        "title": "Reading for all",
        "nodes": [
            {"id": "r", "level": "student", "kind": "outcome", "title": "R", "tags": ["ela"]}
        ],
    }
    client.post("/api/v1/models", json=other, headers=auth.editor)
    get = lambda query: client.get(f"/api/v1/models?{query}", headers=auth.viewer)  # noqa: E731
    assert ids(get("")) == ["milford-hqi", "reading"]
    assert ids(get("q=math")) == []  # words are looked for in the model's id and title
    assert ids(get("q=MILFORD instruction")) == ["milford-hqi"]
    assert ids(get("tag=ela")) == ["reading"]
    assert ids(get("tag=math&tag=coaching")) == ["milford-hqi"]
    assert ids(get("tag=math&tag=ela")) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/models?sort=title"),
        ("GET", f"{M}?fields=id"),
        ("GET", f"{M}/nodes?levle=teacher"),
        ("GET", f"{M}/check?asof=2026-01-01"),
        ("DELETE", f"{M}?force=true"),
        ("POST", f"{M}/changes?dry_run=1"),
    ],
)
def test_an_unknown_query_parameter_is_a_422_and_changes_nothing(
    client: TestClient, auth: Any, stored: Any, method: str, path: str
) -> None:
    answer = client.request(method, path, headers=auth.editor, json={"changes": []})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"].endswith("/problems/invalid-request")
    name = path.split("?")[1].split("=")[0]
    assert problem["errors"] == [
        {"path": f"query.{name}", "message": "not a parameter of this route"}
    ]
    assert client.get(M, headers=auth.viewer).headers["ETag"] == '"1"'
