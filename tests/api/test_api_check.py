"""Checks over HTTP: a posted document (stored nowhere), a stored model (cached per version)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from services import clock
from services.clock import today
from toc.document import parse_document
from toc.report import check


def checked(version: str) -> str:
    """The ETag of a checked answer today: `"VERSION;AS_OF"` (SPEC §4)."""
    return f'"{version};{clock.today().isoformat()}"'


M = "/api/v1/models/milford-hqi"


def test_post_check_answers_the_report_and_stores_nothing(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    answer = client.post("/api/v1/check", json=document, headers=auth.viewer)
    assert answer.status_code == 200
    assert answer.json() == check(parse_document(document), as_of=today()).to_dict()
    assert set(answer.json()) == {"findings", "metrics", "inferred", "initiatives", "as_of"}
    assert client.get("/api/v1/models", headers=auth.viewer).json()["items"] == []


def test_post_check_of_a_rejected_document_lists_every_problem(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    document["links"].append({"from": "math-reasoning", "to": "math-reasoning"})
    document["nodes"][2]["level"] = "system"
    answer = client.post("/api/v1/check", json=document, headers=auth.viewer)
    assert answer.status_code == 422
    assert {e["path"] for e in answer.json()["errors"]} == {"nodes[2].level", "links[2].to"}


def test_get_check_matches_the_domain_core_and_carries_the_etag(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    answer = client.get(f"{M}/check", headers=auth.viewer)
    assert answer.status_code == 200 and answer.headers["ETag"] == checked("1")
    assert answer.json() == check(parse_document(document), as_of=today()).to_dict()


def test_repeated_checks_of_an_unchanged_model_do_the_graph_work_once(
    client: TestClient, auth: Any, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import services.reports

    calls: list[str] = []

    def counting(model: Any, *, as_of: Any, graph: Any = None) -> Any:
        calls.append(model.id)
        return check(model, as_of=as_of, graph=graph)

    monkeypatch.setattr(services.reports, "core_check", counting)
    client.post("/api/v1/models", json=document, headers=auth.editor)
    first = client.get(f"{M}/check", headers=auth.viewer).json()
    for _ in range(3):
        assert client.get(f"{M}/check", headers=auth.viewer).json() == first
    assert calls == ["milford-hqi"]

    # A write makes a new version: the next check sees the change, once.
    client.patch(
        f"{M}/links/shared-model-%3Emath-reasoning", json={"because": "b"}, headers=auth.editor
    )
    after = client.get(f"{M}/check", headers=auth.viewer)
    assert after.headers["ETag"] == checked("2")
    assert after.json() != first
    client.get(f"{M}/check", headers=auth.viewer)
    assert calls == ["milford-hqi", "milford-hqi"]


def test_chains_of_an_initiative_are_its_subgraph(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    document["nodes"].append(
        {"id": "side", "level": "teacher", "kind": "change", "title": "Off the chain"}
    )
    document["links"].append({"from": "hqi-live", "to": "side"})
    client.post("/api/v1/models", json=document, headers=auth.editor)
    answer = client.get(f"{M}/chains/hqi-live", headers=auth.viewer)
    assert answer.status_code == 200 and answer.headers["ETag"] == '"1"'
    body = answer.json()
    assert body["initiative"] == "hqi-live"
    assert [n["id"] for n in body["nodes"]] == ["hqi-live", "shared-model", "math-reasoning"]
    assert [(link["from"], link["to"]) for link in body["links"]] == [
        ("hqi-live", "shared-model"),
        ("shared-model", "math-reasoning"),
    ]


def test_chains_of_something_that_is_not_an_initiative_is_404(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    for name in ("shared-model", "ghost"):
        answer = client.get(f"{M}/chains/{name}", headers=auth.viewer)
        assert answer.status_code == 404
        assert answer.json()["detail"] == f"no initiative '{name}' in model 'milford-hqi'"


def test_map_is_html(client: TestClient, auth: Any, document: dict[str, Any]) -> None:
    client.post("/api/v1/models", json=document, headers=auth.editor)
    answer = client.get(f"{M}/map", headers=auth.viewer)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["ETag"] == checked("1")
    assert "hqi-live" in answer.text
