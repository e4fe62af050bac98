"""Whole models over HTTP: store, list, read, replace, delete; versions and ETags."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

MODELS = "/api/v1/models"


def test_post_stores_the_document_and_answers_201_with_id_version_and_etag(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    created = client.post(MODELS, json=document, headers=auth.editor)
    assert created.status_code == 201
    body = created.json()
    assert body["id"] == "milford-hqi"
    assert body["version"] == 1
    assert body["nodes"] == 3 and body["links"] == 2
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == "/api/v1/models/milford-hqi"

    read = client.get(f"{MODELS}/milford-hqi", headers=auth.viewer)
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert read.headers["content-type"] == "application/json"
    assert read.json() == {**document, "version": 1} | {
        # Defaults come back filled in, as the canonical toc/1 document has them.
        "nodes": read.json()["nodes"],
        "links": read.json()["links"],
    }
    assert [n["id"] for n in read.json()["nodes"]] == ["hqi-live", "shared-model", "math-reasoning"]
    assert read.json()["links"][1] == {
        "from": "shared-model",
        "to": "math-reasoning",
        "type": "leads_to",
        "polarity": "+",
        "evidence": [],
        "assumptions": [],
    }


def test_document_read_back_is_the_same_model(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    from toc.document import parse_document

    document["checks"] = {"TOC601": "off"}
    document["description"] = 'Ünïcode and "quotes" </script>'
    client.post(MODELS, json=document, headers=auth.editor)
    read = client.get(f"{MODELS}/milford-hqi", headers=auth.viewer).json()
    assert read.pop("version") == 1
    assert parse_document(read) == parse_document(document)


def test_posting_an_id_twice_is_a_409_problem_and_changes_nothing(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post(MODELS, json=document, headers=auth.editor)
    again = dict(document, title="Another")
    answer = client.post(MODELS, json=again, headers=auth.editor)
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert (
        client.get(f"{MODELS}/milford-hqi", headers=auth.viewer).json()["title"]
        == (document["title"])
    )


def test_a_rejected_document_lists_every_problem_and_stores_nothing(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    document["nodes"][0]["level"] = "district"
    document["nodes"][1]["kind"] = "outcome"  # an outcome at teacher level
    document["links"][1]["to"] = "nowhere"
    answer = client.post(MODELS, json=document, headers=auth.editor)
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["type"] == "http://testserver/problems/rejected-document"
    assert {e["path"] for e in problem["errors"]} == {
        "nodes[0].level",
        "nodes[1].level",
        "links[1].to",
    }
    assert client.get(MODELS, headers=auth.viewer).json() == {"items": [], "next_cursor": None}
    assert client.get(f"{MODELS}/milford-hqi", headers=auth.viewer).status_code == 404


def test_malformed_json_is_a_rejected_document_with_its_position(
    client: TestClient, auth: Any
) -> None:
    answer = client.post(MODELS, content=b'{"id": "x",', headers=auth.editor)
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["path"] == "$"
    assert "not valid JSON" in error["message"]


def test_list_is_paginated_with_an_opaque_cursor(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    for index in range(5):
        client.post(MODELS, json=dict(document, id=f"m{index}"), headers=auth.editor)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get(MODELS, params=params, headers=auth.viewer).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["m0", "m1", "m2", "m3", "m4"]
    assert pages == 3
    item = client.get(MODELS, headers=auth.viewer).json()["items"][0]
    assert item["version"] == 1 and item["nodes"] == 3 and item["links"] == 2


def test_a_cursor_the_service_never_gave_is_a_422_problem(client: TestClient, auth: Any) -> None:
    answer = client.get(MODELS, params={"cursor": "!!not-a-cursor"}, headers=auth.viewer)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "query.cursor"


def test_put_replaces_the_whole_model_and_bumps_the_version_once(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post(MODELS, json=document, headers=auth.editor)
    smaller = dict(
        document, title="Smaller", nodes=document["nodes"][:2], links=document["links"][:1]
    )
    answer = client.put(f"{MODELS}/milford-hqi", json=smaller, headers=auth.editor)
    assert answer.status_code == 200
    assert answer.json()["version"] == 2 and answer.headers["ETag"] == '"2"'
    read = client.get(f"{MODELS}/milford-hqi", headers=auth.viewer).json()
    assert read["title"] == "Smaller" and len(read["nodes"]) == 2 and len(read["links"]) == 1


def test_put_creates_a_missing_model_and_takes_its_id_from_the_path(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    del document["id"]
    answer = client.put(f"{MODELS}/fresh", json=document, headers=auth.editor)
    assert answer.status_code == 201
    assert answer.json()["id"] == "fresh" and answer.json()["version"] == 1


def test_put_with_an_id_other_than_the_path_is_rejected(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    answer = client.put(f"{MODELS}/other", json=document, headers=auth.editor)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "id"
    assert client.get(f"{MODELS}/other", headers=auth.viewer).status_code == 404


def test_put_that_breaks_the_contract_changes_nothing(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post(MODELS, json=document, headers=auth.editor)
    before = client.get(f"{MODELS}/milford-hqi", headers=auth.viewer).json()
    broken = dict(document, links=[{"from": "hqi-live", "to": "ghost"}])
    answer = client.put(f"{MODELS}/milford-hqi", json=broken, headers=auth.editor)
    assert answer.status_code == 422
    assert client.get(f"{MODELS}/milford-hqi", headers=auth.viewer).json() == before


def test_stale_if_match_is_412_and_changes_nothing(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post(MODELS, json=document, headers=auth.editor)
    # Version 2 (a PUT of the same document would make none: SPEC §4).
    client.put(f"{MODELS}/milford-hqi", json=dict(document, description="v2"), headers=auth.editor)
    stale = client.put(
        f"{MODELS}/milford-hqi",
        json=dict(document, title="Lost update"),
        headers={**auth.editor, "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert stale.json()["type"] == "http://testserver/problems/version-conflict"
    assert stale.headers["ETag"] == '"2"'
    read = client.get(f"{MODELS}/milford-hqi", headers=auth.viewer)
    assert read.headers["ETag"] == '"2"' and read.json()["title"] == document["title"]

    fresh = client.put(
        f"{MODELS}/milford-hqi",
        json=dict(document, title="Current"),
        headers={**auth.editor, "If-Match": '"2"'},
    )
    assert fresh.status_code == 200 and fresh.headers["ETag"] == '"3"'


def test_if_match_that_is_no_version_never_matches(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post(MODELS, json=document, headers=auth.editor)
    answer = client.delete(f"{MODELS}/milford-hqi", headers={**auth.editor, "If-Match": '"banana"'})
    assert answer.status_code == 412
    assert client.get(f"{MODELS}/milford-hqi", headers=auth.viewer).status_code == 200


def test_delete_removes_the_model(client: TestClient, auth: Any, document: dict[str, Any]) -> None:
    client.post(MODELS, json=document, headers=auth.editor)
    answer = client.delete(f"{MODELS}/milford-hqi", headers={**auth.editor, "If-Match": '"1"'})
    assert answer.status_code == 204
    assert client.get(f"{MODELS}/milford-hqi", headers=auth.viewer).status_code == 404
    assert client.delete(f"{MODELS}/milford-hqi", headers=auth.editor).status_code == 404
    # The id is free again.
    assert client.post(MODELS, json=document, headers=auth.editor).json()["version"] == 1


def test_the_posted_version_is_ignored_the_server_owns_versions(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    answer = client.post(MODELS, json=dict(document, version=41), headers=auth.editor)
    assert answer.json()["version"] == 1
