"""Hostile inputs: each refused with one 4xx problem-details answer naming a path, never a 500."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

DEEP = 100_000


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def many_rows_zip(rows: int = 2_000_000) -> bytes:
    """A few kilobytes that unzip into millions of one-cell rows of nodes.csv."""
    return _zip({"model.csv": b"id,title\r\nm,M\r\n", "nodes.csv": b"id\r\n" + b"x\r\n" * rows})


def inflating_zip() -> bytes:
    """About 160 KB that unzip into some 160 MB."""
    return _zip({"model.csv": b"id,title\r\nm,M\r\n", "nodes.csv": b"id\r\n" + b"a" * 160_000_000})


def empty_nodes_json(count: int = 100_000) -> bytes:
    return json.dumps({"id": "m", "title": "M", "nodes": [{}] * count}).encode()


def deep_json() -> bytes:
    return b'{"id": "m", "title": "M", "nodes": ' + b"[" * DEEP + b"]" * DEEP + b"}"


def long_integer_json() -> bytes:
    return b'{"id": "m", "title": "M", "version": ' + b"9" * 5_000 + b"}"


def deep_graphml() -> bytes:
    tags = "[" * DEEP + "]" * DEEP
    return f"""<?xml version="1.0" encoding="utf-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="graph" attr.name="model_id" attr.type="string"/>
  <key id="d1" for="graph" attr.name="title" attr.type="string"/>
  <key id="d2" for="node" attr.name="tags" attr.type="string"/>
  <graph edgedefault="directed"><data key="d0">m</data><data key="d1">M</data>
    <node id="a"><data key="d2">{tags}</data></node>
  </graph>
</graphml>""".encode()


def deep_gexf() -> bytes:
    meta = "[" * DEEP + "]" * DEEP
    return f"""<?xml version="1.0" encoding="utf-8"?>
<gexf xmlns="http://gexf.net/1.2" version="1.2"><meta><description>{meta}</description></meta>
  <graph defaultedgetype="directed"><nodes><node id="a" label="A"/></nodes></graph>
</gexf>""".encode()


def long_integer_csv_zip() -> bytes:
    return _zip(
        {
            "model.csv": b"id,title\r\nm,M\r\n",
            "nodes.csv": b"id,level,kind,title,indicators\r\n"
            + b"a,system,initiative,A,n|count|"
            + b"7" * 5_000
            + b"\r\n",
        }
    )


HOSTILE: dict[str, tuple[str, bytes]] = {
    "csv zip of millions of one-cell rows": ("csv", many_rows_zip()),
    "csv zip that inflates a thousandfold": ("csv", inflating_zip()),
    "json of 100,000 empty nodes": ("json", empty_nodes_json()),
    "json nested 100,000 deep": ("json", deep_json()),
    "json with a 5,000-digit integer": ("json", long_integer_json()),
    "graphml with deep json in an attribute": ("graphml", deep_graphml()),
    "gexf with deep json in its meta": ("gexf", deep_gexf()),
    "csv with a 5,000-digit number": ("csv", long_integer_csv_zip()),
}


def _assert_one_problem_answer(answer: Any) -> dict[str, Any]:
    assert 400 <= answer.status_code < 500, answer.text[:300]
    assert answer.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = answer.json()
    assert body["status"] == answer.status_code
    if answer.status_code == 422:
        assert body["errors"], body
        assert all(error["path"] for error in body["errors"])
        assert len(body["errors"]) <= 1_001
    return body


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_check_is_one_4xx_problem(client: TestClient, auth: Any, name: str) -> None:
    fmt, data = HOSTILE[name]
    answer = client.post(f"/api/v1/check?format={fmt}", content=data, headers=auth.viewer)
    _assert_one_problem_answer(answer)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_import_is_one_4xx_problem_and_stores_nothing(
    client: TestClient, auth: Any, name: str
) -> None:
    fmt, data = HOSTILE[name]
    answer = client.post(f"/api/v1/models/import?format={fmt}", content=data, headers=auth.editor)
    _assert_one_problem_answer(answer)
    assert client.get("/api/v1/models", headers=auth.viewer).json()["items"] == []


@pytest.mark.parametrize("body", [deep_json(), long_integer_json()], ids=["deep", "long-integer"])
def test_hostile_json_bodies_on_every_json_route(
    client: TestClient, auth: Any, body: bytes
) -> None:
    for method, path in [
        ("POST", "/api/v1/models"),
        ("PUT", "/api/v1/models/m"),
        ("POST", "/api/v1/tokens"),
    ]:
        answer = client.request(method, path, content=body, headers=auth.admin)
        assert _assert_one_problem_answer(answer)["errors"][0]["path"] == "$"


def test_many_problems_are_listed_up_to_the_cap_then_counted(client: TestClient, auth: Any) -> None:
    answer = client.post("/api/v1/check", content=empty_nodes_json(), headers=auth.viewer)
    errors = _assert_one_problem_answer(answer)["errors"]
    assert len(errors) == 1_001
    assert errors[0] == {"path": "nodes[0].id", "message": "required field is missing"}
    assert errors[-1]["message"] == "and 399,000 more problems not listed"


def test_more_rows_than_the_node_limit_are_refused_at_the_limit(
    client: TestClient, auth: Any
) -> None:
    answer = client.post(
        "/api/v1/check?format=csv", content=many_rows_zip(1_000_000), headers=auth.viewer
    )
    errors = _assert_one_problem_answer(answer)["errors"]
    assert errors == [
        {
            "path": "nodes.csv",
            "message": "more than 200,000 nodes: over this service's limit; nothing was read",
        }
    ]


def test_a_zip_that_inflates_past_the_limit_is_refused(client: TestClient, auth: Any) -> None:
    answer = client.post("/api/v1/check?format=csv", content=inflating_zip(), headers=auth.viewer)
    errors = _assert_one_problem_answer(answer)["errors"]
    assert errors[0]["message"].startswith("unzips to more than ")
