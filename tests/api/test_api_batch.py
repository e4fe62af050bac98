"""`POST /models/{id}/changes`: a planning tool's sync, in order, all or nothing, one version;
`PATCH /models/{id}`; `note` on writes; a write that changes nothing makes no version."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

M = "/api/v1/models/milford-hqi"
COACHING = {"id": "coaching", "level": "teacher", "kind": "change", "title": "Coaching"}


@pytest.fixture
def stored(client: TestClient, auth: Any, document: dict[str, Any]) -> None:
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201


def versions(client: TestClient, auth: Any) -> list[tuple[int, str | None]]:
    items = client.get(f"{M}/versions", headers=auth.viewer).json()["items"]
    return [(v["version"], v["note"]) for v in items]


def test_a_batch_is_one_version_with_every_result(
    client: TestClient, auth: Any, stored: None
) -> None:
    changes = [
        {"op": "add", "node": COACHING},
        {"op": "add", "link": {"from": "hqi-live", "to": "coaching"}},
        {"op": "patch", "node": "shared-model", "fields": {"title": "Shared model"}},
        {"op": "delete", "link": "shared-model->math-reasoning"},
    ]
    answer = client.post(
        f"{M}/changes?note=nightly sync",
        json={"changes": changes},
        headers={**auth.editor, "If-Match": '"1"'},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert answer.headers["ETag"] == '"2"' and body["version"] == 2 and body["changed"] is True
    assert [(r["op"], r.get("node") or r.get("link")) for r in body["results"]] == [
        ("add", "coaching"),
        ("add", "hqi-live->coaching"),
        ("patch", "shared-model"),
        ("delete", "shared-model->math-reasoning"),
    ]
    assert body["results"][2]["item"]["title"] == "Shared model"
    assert versions(client, auth) == [(2, "nightly sync"), (1, None)]


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ([{"op": "add", "node": COACHING}, {"op": "rename", "node": "coaching"}], "changes[1].op"),
        (
            [{"op": "add", "node": COACHING}, {"op": "delete", "node": "coaching"}],
            "changes[1].node",
        ),
        ([{"op": "patch", "node": "nowhere", "fields": {"title": "X"}}], "changes[0].node"),
        (
            [
                {"op": "add", "node": COACHING},
                {"op": "add", "link": {"from": "coaching", "to": "x"}},
            ],
            "changes[1].link.to",
        ),
    ],
)
def test_a_failing_change_names_its_position_and_nothing_is_written(
    client: TestClient, auth: Any, stored: None, changes: list[Any], path: str
) -> None:
    answer = client.post(f"{M}/changes", json={"changes": changes}, headers=auth.editor)
    assert answer.status_code == 422, answer.text
    assert path in [error["path"] for error in answer.json()["errors"]]
    assert client.get(M, headers=auth.viewer).headers["ETag"] == '"1"'
    assert client.get(f"{M}/nodes/coaching", headers=auth.viewer).status_code == 404


def test_a_batch_over_the_limit_is_refused(client: TestClient, auth: Any, stored: None) -> None:
    changes = [{"op": "delete", "node": f"n{i}"} for i in range(10_001)]
    answer = client.post(f"{M}/changes", json={"changes": changes}, headers=auth.editor)
    assert answer.status_code in (413, 422)
    assert client.get(M, headers=auth.viewer).headers["ETag"] == '"1"'


def test_a_stale_batch_is_412(client: TestClient, auth: Any, stored: None) -> None:
    answer = client.post(
        f"{M}/changes",
        json={"changes": [{"op": "add", "node": COACHING}]},
        headers={**auth.editor, "If-Match": '"7"'},
    )
    assert answer.status_code == 412
    assert client.get(f"{M}/nodes/coaching", headers=auth.viewer).status_code == 404


def test_writes_that_change_nothing_make_no_version(
    client: TestClient, auth: Any, stored: None, document: dict[str, Any]
) -> None:
    same = client.put(M, json=document, headers=auth.editor)
    assert same.status_code == 200 and same.headers["ETag"] == '"1"'
    assert same.json()["changed"] is False
    title = client.get(f"{M}/nodes/shared-model", headers=auth.viewer).json()["title"]
    patched = client.patch(
        f"{M}/nodes/shared-model?note=nothing", json={"title": title}, headers=auth.editor
    )
    assert patched.status_code == 200 and patched.headers["ETag"] == '"1"'
    assert versions(client, auth) == [(1, None)]  # no version, no note kept


def test_patch_the_models_own_fields(client: TestClient, auth: Any, stored: None) -> None:
    answer = client.patch(
        f"{M}?note=renamed",
        json={"title": "Milford HQI", "checks": {"TOC104": "off"}},
        headers={**auth.editor, "If-Match": '"1"'},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["title"] == "Milford HQI" and answer.headers["ETag"] == '"2"'
    model = client.get(M, headers=auth.viewer).json()
    assert model["checks"] == {"TOC104": "off"} and len(model["nodes"]) == 3
    again = client.patch(M, json={"title": "Milford HQI"}, headers=auth.editor)
    assert again.status_code == 200 and again.headers["ETag"] == '"2"'
    bad = client.patch(M, json={"nodes": []}, headers=auth.editor)
    assert bad.status_code == 422
    assert versions(client, auth) == [(2, "renamed"), (1, None)]


def test_an_added_link_answers_with_its_generated_id(
    client: TestClient, auth: Any, stored: None
) -> None:
    answer = client.post(
        f"{M}/links", json={"from": "hqi-live", "to": "math-reasoning"}, headers=auth.editor
    )
    assert answer.status_code == 201
    assert answer.json()["id"] == "hqi-live->math-reasoning"
    assert answer.headers["Location"].endswith("/links/hqi-live-%3Emath-reasoning")


def test_a_token_made_over_the_api_is_named_in_the_history(
    client: TestClient, auth: Any, stored: None
) -> None:
    made = client.post(
        "/api/v1/tokens", json={"role": "editor", "name": "planning tool"}, headers=auth.admin
    )
    assert made.status_code == 201 and made.json()["name"] == "planning tool"
    headers = {"Authorization": f"Bearer {made.json()['token']}"}
    client.patch(f"{M}/nodes/hqi-live?note=sync", json={"title": "HQI week"}, headers=headers)
    newest = client.get(f"{M}/versions", headers=auth.viewer).json()["items"][0]
    assert (newest["by"], newest["note"]) == ("planning tool", "sync")
