"""One error shape everywhere: RFC 9457 problem details, pinned here; no input gives a 500."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def assert_problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert body["type"] == "about:blank" or body["type"].startswith("http://testserver/problems/")
    return body


def test_the_rejected_document_problem_shape_is_pinned(client: TestClient, auth: Any) -> None:
    answer = client.post(
        "/api/v1/models",
        json={"id": "Bad Id", "title": "", "nodes": [{"id": "a"}]},
        headers=auth.editor,
    )
    body = assert_problem(answer, 422)
    assert body == {
        "type": "http://testserver/problems/rejected-document",
        "title": "Rejected document",
        "status": 422,
        "detail": body["detail"],
        "errors": body["errors"],
    }
    assert body["detail"].endswith("nothing was stored")
    assert all(set(error) == {"path", "message"} for error in body["errors"])
    paths = {error["path"] for error in body["errors"]}
    assert {"id", "title", "nodes[0].level", "nodes[0].kind", "nodes[0].title"} <= paths


def test_unknown_route_is_a_404_problem(client: TestClient, auth: Any) -> None:
    body = assert_problem(client.get("/api/v1/nothing-here", headers=auth.viewer), 404)
    assert body["type"] == "about:blank"


def test_method_not_allowed_is_a_405_problem(client: TestClient, auth: Any) -> None:
    assert_problem(client.patch("/api/v1/models", headers=auth.editor), 405)


def test_request_validation_is_a_422_problem_with_paths(client: TestClient, auth: Any) -> None:
    body = assert_problem(client.get("/api/v1/models?limit=0", headers=auth.viewer), 422)
    assert body["errors"][0]["path"] == "query.limit"
    body = assert_problem(
        client.get("/api/v1/models/m/export?format=pdf", headers=auth.viewer), 422
    )
    assert body["errors"][0]["path"] == "query.format"


def test_a_declared_body_over_the_limit_is_413_before_it_is_read(
    client: TestClient, auth: Any
) -> None:
    big = b"x" * 1_000_001  # the test settings cap bodies at 1 MB
    body = assert_problem(client.post("/api/v1/models", content=big, headers=auth.editor), 413)
    assert body["type"] == "http://testserver/problems/body-too-large"
    assert client.get("/api/v1/models", headers=auth.viewer).json()["items"] == []


def test_a_streamed_body_over_the_limit_is_cut_off_with_413(client: TestClient, auth: Any) -> None:
    def chunks() -> Any:
        for _ in range(40):
            yield b"y" * 50_000  # 2 MB in all, no Content-Length

    answer = client.post("/api/v1/check", content=chunks(), headers=auth.viewer)
    assert_problem(answer, 413)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b"[]",
        b"\xff\xfe",
        b"[" * 100_000,
        b'{"id": "m", "title": "M", "nodes": {"a": 1}}',
        b'{"id": "m", "title": "M", "nodes": [1, "x", null]}',
        b'{"id": "m", "title": "M", "nodes": [], "links": [{"from": 1, "to": []}]}',
        b'{"id": "m", "title": "M", "checks": {"TOC999": "loud"}}',
        b'{"format": "toc/2", "id": "m", "title": "M"}',
        b'{"id": "m", "title": "M", "version": -1}',
        '{"id": "m", "title": "\ud800"}'.encode("utf-8", "surrogatepass"),
        b'{"id": "m", "title": "M", "nodes": [{"id": "a", "level": "system", "kind": "change",'
        b' "title": "lone \\udc00 surrogate"}]}',
    ],
)
def test_no_body_gives_a_500(client: TestClient, auth: Any, body: bytes) -> None:
    for path in ("/api/v1/models", "/api/v1/check"):
        answer = client.post(path, content=body, headers=auth.editor)
        assert_problem(answer, 422)
    assert client.get("/api/v1/models", headers=auth.viewer).json()["items"] == []


def test_odd_path_segments_are_404_not_500(client: TestClient, auth: Any) -> None:
    for path in (
        "/api/v1/models/%00",
        "/api/v1/models/" + "x" * 5000,
        "/api/v1/models/m/links/%E2%80%AE",
        "/api/v1/models/m/nodes/..%2F..",
        "/api/v1/models/m/chains/%20",
    ):
        assert_problem(client.get(path, headers=auth.viewer), 404)


def test_nul_in_a_title_is_rejected_alike_on_every_store(client: TestClient, auth: Any) -> None:
    document = {"id": "m", "title": "a\u0000b", "description": "c\u0000"}
    body = assert_problem(client.post("/api/v1/models", json=document, headers=auth.editor), 422)
    assert {e["path"] for e in body["errors"]} == {"title", "description"}
    # Inside nodes NUL is kept (it is stored escaped in the node's JSON).
    document = {
        "id": "m",
        "title": "M",
        "nodes": [{"id": "a", "level": "system", "kind": "initiative", "title": "x\u0000y"}],
    }
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201
    node = client.get("/api/v1/models/m/nodes/a", headers=auth.viewer).json()
    assert node["title"] == "x\u0000y"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/models/%00"),
        ("GET", "/api/v1/models/%00/check"),
        ("GET", "/api/v1/models/%00/map"),
        ("GET", "/api/v1/models/%00/export"),
        ("PUT", "/api/v1/models/%00"),
        ("DELETE", "/api/v1/models/%00"),
        ("GET", "/api/v1/models/m/nodes/%00"),
        ("PATCH", "/api/v1/models/m/nodes/%00"),
        ("DELETE", "/api/v1/models/m/nodes/%00"),
        ("GET", "/api/v1/models/m/links/a-%3E%00"),
        ("PATCH", "/api/v1/models/m/links/%00"),
        ("DELETE", "/api/v1/models/m/links/%00"),
        ("GET", "/api/v1/models/m/chains/%00"),
    ],
)
def test_ids_no_store_could_hold_are_404_on_every_route(
    client: TestClient, auth: Any, method: str, path: str
) -> None:
    client.post("/api/v1/models", json={"id": "m", "title": "M"}, headers=auth.editor)
    body = {"title": "x"} if method == "PATCH" else None
    answer = client.request(method, path, json=body, headers=auth.editor)
    if method == "PUT":
        assert_problem(answer, 422)  # the body's id is not the path's
    else:
        assert_problem(answer, 404)
