"""Import and export in every format of SPEC §2: export then import gives back an equal model."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from toc import formats
from toc.document import parse_document

M = "/api/v1/models/milford-hqi"


@pytest.fixture
def rich(document: dict[str, Any]) -> dict[str, Any]:
    """The sample with every kind of field filled in, so a round trip has something to lose."""
    document["description"] = 'Milford\'s theory; commas, "quotes" and ünïcode'
    document["checks"] = {"TOC601": "off", "TOC104": "warning"}
    document["nodes"][0]["tags"] = ["math", "pd"]
    document["nodes"][0]["actor"] = "District"
    document["nodes"][1]["status"] = "planned"
    document["nodes"][1]["indicators"] = [
        {"name": "Change in questioning", "measures": "change", "target": "60%", "cadence": "term"}
    ]
    document["links"][1].update(
        {
            "id": "step-2",
            "polarity": "-",
            "type": "leads_to",
            "because": "b; c",
            "assumptions": ["one", "two"],
            "evidence": [{"citation": "Smith (2020)", "tier": 2, "url": "https://e.org/x"}],
        }
    )
    return document


@pytest.mark.parametrize("fmt", formats.READ_FORMATS)
def test_export_then_import_gives_back_an_equal_model(
    client: TestClient, auth: Any, rich: dict[str, Any], fmt: str
) -> None:
    assert client.post("/api/v1/models", json=rich, headers=auth.editor).status_code == 201
    exported = client.get(f"{M}/export", params={"format": fmt}, headers=auth.viewer)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith(formats.MEDIA_TYPES[fmt])
    assert exported.headers["ETag"] == '"1"'
    assert exported.headers["Content-Disposition"] == (
        f'attachment; filename="milford-hqi.{formats.EXTENSIONS[fmt]}"'
    )
    if fmt == "csv":
        names = set(zipfile.ZipFile(io.BytesIO(exported.content)).namelist())
        assert {"nodes.csv", "links.csv"} <= names

    # Import into another workspace, which has no model of that id.
    imported = client.post(
        "/api/v1/models/import",
        params={"format": fmt},
        content=exported.content,
        headers=auth.other,
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["version"] == 1
    original = client.get(M, headers=auth.viewer).json()
    copy = client.get(M, headers=auth.other).json()
    assert parse_document(copy) == parse_document(original)
    assert parse_document({**copy, "version": None}) == parse_document(rich)


def test_mermaid_export_is_flowchart_text(client: TestClient, auth: Any, rich: Any) -> None:
    client.post("/api/v1/models", json=rich, headers=auth.editor)
    exported = client.get(f"{M}/export", params={"format": "mermaid"}, headers=auth.viewer)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/vnd.mermaid")
    assert "\nflowchart TD\n" in exported.text
    assert rich["title"] in exported.text


def test_importing_an_existing_id_is_409_unless_replacing(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    payload = formats.write(parse_document(dict(document, title="Imported")), "json")
    conflict = client.post("/api/v1/models/import", content=payload, headers=auth.editor)
    assert conflict.status_code == 409
    assert client.get(M, headers=auth.viewer).json()["title"] == document["title"]

    stale = client.post(
        "/api/v1/models/import?replace=true",
        content=payload,
        headers={**auth.editor, "If-Match": '"7"'},
    )
    assert stale.status_code == 412
    replaced = client.post(
        "/api/v1/models/import?replace=true",
        content=payload,
        headers={**auth.editor, "If-Match": '"1"'},
    )
    assert replaced.status_code == 200 and replaced.json()["version"] == 2
    assert client.get(M, headers=auth.viewer).json()["title"] == "Imported"


@pytest.mark.parametrize("fmt", formats.READ_FORMATS)
def test_a_rejected_import_stores_nothing(
    client: TestClient, auth: Any, document: dict[str, Any], fmt: str
) -> None:
    client.post("/api/v1/models", json=dict(document, id="kept"), headers=auth.editor)
    before = client.get("/api/v1/models", headers=auth.viewer).json()
    answer = client.post(
        "/api/v1/models/import",
        params={"format": fmt},
        content=b"\x00garbage{<not a model",
        headers=auth.editor,
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"]
    assert client.get("/api/v1/models", headers=auth.viewer).json() == before


def test_a_large_import_with_one_fault_at_the_end_stores_nothing(
    client: TestClient, auth: Any
) -> None:
    nodes = [
        {"id": f"n{i}", "level": "teacher", "kind": "change", "title": "N"} for i in range(3000)
    ]
    links = [{"from": f"n{i}", "to": f"n{i + 1}"} for i in range(2999)]
    links.append({"from": "n0", "to": "missing"})
    import json

    payload = json.dumps({"id": "big", "title": "Big", "nodes": nodes, "links": links})
    answer = client.post("/api/v1/models/import", content=payload, headers=auth.editor)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"path": "links[2999].to", "message": "no node with id 'missing'"}
    ]
    assert client.get("/api/v1/models/big", headers=auth.viewer).status_code == 404
    assert client.get("/api/v1/models", headers=auth.viewer).json()["items"] == []


def test_post_check_reads_other_formats_too(
    client: TestClient, auth: Any, rich: dict[str, Any]
) -> None:
    payload = formats.write(parse_document(rich), "graphml")
    answer = client.post("/api/v1/check?format=graphml", content=payload, headers=auth.viewer)
    assert answer.status_code == 200
    assert set(answer.json()) == {"findings", "metrics", "inferred", "initiatives", "as_of"}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_text_xml_cannot_carry_is_a_clear_422_and_json_still_exports(
    client: TestClient, auth: Any, document: dict[str, Any], fmt: str
) -> None:
    document["nodes"][0]["description"] = "bell \u0007 character pasted from a terminal"
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201
    refused = client.get(f"{M}/export", params={"format": fmt}, headers=auth.viewer)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "nodes[0].description" in refused.json()["detail"]
    exported = client.get(f"{M}/export", params={"format": "json"}, headers=auth.viewer)
    assert exported.status_code == 200
    assert exported.json()["nodes"][0]["description"] == document["nodes"][0]["description"]
