"""One node or link at a time: add, read, patch, delete; every write validated and versioned."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

MODEL = "/api/v1/models/milford-hqi"


@pytest.fixture
def stored(client: TestClient, auth: Any, document: dict[str, Any]) -> dict[str, Any]:
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201
    return document


def _model(client: TestClient, auth: Any) -> dict[str, Any]:
    read: dict[str, Any] = client.get(MODEL, headers=auth.viewer).json()
    return read


def test_add_a_node_then_read_it(client: TestClient, auth: Any, stored: Any) -> None:
    node = {"id": "coaching", "level": "system", "kind": "initiative", "title": "Coaching"}
    added = client.post(f"{MODEL}/nodes", json=node, headers=auth.editor)
    assert added.status_code == 201
    assert added.headers["ETag"] == '"2"'
    assert added.headers["Location"] == f"{MODEL}/nodes/coaching"
    assert added.json()["status"] == "active"
    read = client.get(f"{MODEL}/nodes/coaching", headers=auth.viewer)
    assert read.status_code == 200 and read.json() == added.json()
    assert read.headers["ETag"] == '"2"'
    assert [n["id"] for n in _model(client, auth)["nodes"]][-1] == "coaching"


def test_adding_a_duplicate_node_is_rejected_and_changes_nothing(
    client: TestClient, auth: Any, stored: Any
) -> None:
    before = _model(client, auth)
    node = {"id": "hqi-live", "level": "system", "kind": "initiative", "title": "Again"}
    answer = client.post(f"{MODEL}/nodes", json=node, headers=auth.editor)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "nodes[3].id"
    assert _model(client, auth) == before


def test_patch_changes_only_the_fields_sent(client: TestClient, auth: Any, stored: Any) -> None:
    answer = client.patch(
        f"{MODEL}/nodes/shared-model",
        json={"function": "Makes thinking visible", "tags": ["math"]},
        headers={**auth.editor, "If-Match": '"1"'},
    )
    assert answer.status_code == 200
    assert answer.headers["ETag"] == '"2"'
    node = answer.json()
    assert node["function"] == "Makes thinking visible" and node["tags"] == ["math"]
    assert node["title"] == stored["nodes"][1]["title"]
    # null resets a field to its default
    reset = client.patch(
        f"{MODEL}/nodes/shared-model", json={"function": None}, headers=auth.editor
    )
    assert "function" not in reset.json() and reset.headers["ETag"] == '"3"'


def test_patch_that_breaks_the_contract_is_rejected_whole_and_changes_nothing(
    client: TestClient, auth: Any, stored: Any
) -> None:
    before = _model(client, auth)
    answer = client.patch(
        f"{MODEL}/nodes/shared-model",
        json={"kind": "outcome", "title": "", "becuase": "typo"},
        headers=auth.editor,
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    paths = {e["path"] for e in answer.json()["errors"]}
    assert paths == {"nodes[1].becuase", "nodes[1].level", "nodes[1].title"}
    assert _model(client, auth) == before  # version 1 still, no field changed


def test_a_node_id_cannot_be_patched(client: TestClient, auth: Any, stored: Any) -> None:
    answer = client.patch(f"{MODEL}/nodes/shared-model", json={"id": "x"}, headers=auth.editor)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "nodes[1].id"


def test_a_patch_must_be_an_object(client: TestClient, auth: Any, stored: Any) -> None:
    answer = client.patch(f"{MODEL}/nodes/shared-model", json=[1, 2], headers=auth.editor)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"path": "$", "message": "a patch is a JSON object"}]


def test_deleting_a_node_deletes_its_links(client: TestClient, auth: Any, stored: Any) -> None:
    answer = client.delete(f"{MODEL}/nodes/shared-model", headers=auth.editor)
    assert answer.status_code == 204 and answer.headers["ETag"] == '"2"'
    model = _model(client, auth)
    assert [n["id"] for n in model["nodes"]] == ["hqi-live", "math-reasoning"]
    assert model["links"] == []
    assert client.get(f"{MODEL}/nodes/shared-model", headers=auth.viewer).status_code == 404


def test_unknown_node_is_404_and_the_version_does_not_move(
    client: TestClient, auth: Any, stored: Any
) -> None:
    for answer in (
        client.get(f"{MODEL}/nodes/ghost", headers=auth.viewer),
        client.patch(f"{MODEL}/nodes/ghost", json={"title": "x"}, headers=auth.editor),
        client.delete(f"{MODEL}/nodes/ghost", headers=auth.editor),
    ):
        assert answer.status_code == 404
        assert answer.json()["detail"] == "no node 'ghost' in model 'milford-hqi'"
    assert client.get(MODEL, headers=auth.viewer).headers["ETag"] == '"1"'


def test_a_generated_link_id_is_read_percent_encoded(
    client: TestClient, auth: Any, stored: Any
) -> None:
    answer = client.get(f"{MODEL}/links/hqi-live-%3Eshared-model", headers=auth.viewer)
    assert answer.status_code == 200
    assert answer.json()["because"].startswith("Enacted experience")
    assert answer.headers["ETag"] == '"1"'


def test_add_a_link_and_find_it_at_its_location(client: TestClient, auth: Any, stored: Any) -> None:
    link = {"from": "hqi-live", "to": "math-reasoning", "type": "feedback"}
    added = client.post(f"{MODEL}/links", json=link, headers=auth.editor)
    assert added.status_code == 201
    assert added.headers["Location"] == f"{MODEL}/links/hqi-live-%3Emath-reasoning"
    assert client.get(added.headers["Location"], headers=auth.viewer).json()["type"] == "feedback"


def test_a_second_link_between_the_same_pair_needs_an_id_of_its_own(
    client: TestClient, auth: Any, stored: Any
) -> None:
    link = {"from": "hqi-live", "to": "shared-model", "polarity": "-"}
    answer = client.post(f"{MODEL}/links", json=link, headers=auth.editor)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["path"] == "links[2].id"
    named = client.post(f"{MODEL}/links", json={**link, "id": "backlash"}, headers=auth.editor)
    assert named.status_code == 201
    assert named.headers["Location"] == f"{MODEL}/links/backlash"


def test_patching_the_ends_of_a_generated_link_moves_its_id(
    client: TestClient, auth: Any, stored: Any
) -> None:
    answer = client.patch(
        f"{MODEL}/links/shared-model-%3Emath-reasoning",
        json={"from": "hqi-live", "because": "Direct effect"},
        headers=auth.editor,
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Location"] == f"{MODEL}/links/hqi-live-%3Emath-reasoning"
    assert (
        client.get(f"{MODEL}/links/hqi-live-%3Emath-reasoning", headers=auth.viewer).json()[
            "because"
        ]
        == "Direct effect"
    )
    old = client.get(f"{MODEL}/links/shared-model-%3Emath-reasoning", headers=auth.viewer)
    assert old.status_code == 404


def test_a_link_with_its_own_id_keeps_it_when_its_ends_move(
    client: TestClient, auth: Any, stored: Any
) -> None:
    client.patch(
        f"{MODEL}/links/shared-model-%3Emath-reasoning", json={"id": "step-2"}, headers=auth.editor
    )
    client.patch(f"{MODEL}/links/step-2", json={"from": "hqi-live"}, headers=auth.editor)
    assert client.get(f"{MODEL}/links/step-2", headers=auth.viewer).json()["from"] == "hqi-live"


def test_patching_a_link_to_a_missing_node_is_rejected_and_changes_nothing(
    client: TestClient, auth: Any, stored: Any
) -> None:
    before = _model(client, auth)
    answer = client.patch(
        f"{MODEL}/links/hqi-live-%3Eshared-model", json={"to": "ghost"}, headers=auth.editor
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"path": "links[0].to", "message": "no node with id 'ghost'"}
    ]
    assert _model(client, auth) == before


def test_delete_a_link(client: TestClient, auth: Any, stored: Any) -> None:
    answer = client.delete(f"{MODEL}/links/hqi-live-%3Eshared-model", headers=auth.editor)
    assert answer.status_code == 204 and answer.headers["ETag"] == '"2"'
    assert len(_model(client, auth)["links"]) == 1
    again = client.delete(f"{MODEL}/links/hqi-live-%3Eshared-model", headers=auth.editor)
    assert again.status_code == 404


def test_every_write_bumps_the_version_by_exactly_one(
    client: TestClient, auth: Any, stored: Any
) -> None:
    node = {"id": "n2", "level": "teacher", "kind": "change", "title": "N2"}
    writes = [
        lambda: client.post(f"{MODEL}/nodes", json=node, headers=auth.editor),
        lambda: client.patch(f"{MODEL}/nodes/n2", json={"title": "N two"}, headers=auth.editor),
        lambda: client.post(
            f"{MODEL}/links", json={"from": "n2", "to": "math-reasoning"}, headers=auth.editor
        ),
        lambda: client.patch(
            f"{MODEL}/links/n2-%3Emath-reasoning", json={"because": "b"}, headers=auth.editor
        ),
        lambda: client.delete(f"{MODEL}/links/n2-%3Emath-reasoning", headers=auth.editor),
        lambda: client.delete(f"{MODEL}/nodes/n2", headers=auth.editor),
    ]
    for expected, write in enumerate(writes, start=2):
        answer = write()
        assert answer.status_code < 300, answer.text
        assert answer.headers["ETag"] == f'"{expected}"'
    assert client.get(MODEL, headers=auth.viewer).json()["version"] == 7
