"""The OpenAPI document at /docs describes every body and every error of the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

WRITES_WITH_BODIES = {
    ("post", "/api/v1/models"): "TheoryOfChange",
    ("put", "/api/v1/models/{model_id}"): "TheoryOfChange",
    ("post", "/api/v1/models/{model_id}/nodes"): "Node",
    ("patch", "/api/v1/models/{model_id}/nodes/{node_id}"): "NodeUpdate",
    ("post", "/api/v1/models/{model_id}/links"): "Link",
    ("patch", "/api/v1/models/{model_id}/links/{link_id}"): "LinkUpdate",
    ("post", "/api/v1/tokens"): "TokenCreate",
    ("patch", "/api/v1/models/{model_id}"): "ModelUpdate",
    ("post", "/api/v1/models/{model_id}/changes"): "ChangeBatch",
}


def test_docs_and_schema_are_served(client: TestClient) -> None:
    assert client.get("/docs").headers["content-type"].startswith("text/html")
    assert client.get("/openapi.json").status_code == 200


def test_every_error_is_documented_as_problem_details(client: TestClient) -> None:
    schema: dict[str, Any] = client.get("/openapi.json").json()
    operations = [
        (method, path, operation)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in item.items()
    ]
    # SPEC §4's 24, history's 5 (§5), report, scorecard, its CSV and XLSX, tokens' 2, portfolio
    assert len(operations) == 36
    for method, path, operation in operations:
        responses = operation["responses"]
        assert "401" in responses, (method, path)
        assert operation.get("security"), (method, path)
        for status, response in responses.items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (
                    method,
                    path,
                    status,
                )
                ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Problem"
        if method in ("post", "put", "patch", "delete") and path != "/api/v1/check":
            assert "403" in responses, (method, path)


def test_every_body_is_described(client: TestClient) -> None:
    schema: dict[str, Any] = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    for (method, path), model in WRITES_WITH_BODIES.items():
        body = schema["paths"][path][method]["requestBody"]
        assert body["required"] is True
        ref = body["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{model}"
        assert model in components
    imports = schema["paths"]["/api/v1/models/import"]["post"]["requestBody"]["content"]
    assert set(imports) == {
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
        "application/graphml+xml",
        "application/gexf+xml",
    }


def test_export_documents_a_media_type_per_format(client: TestClient) -> None:
    schema: dict[str, Any] = client.get("/openapi.json").json()
    answer = schema["paths"]["/api/v1/models/{model_id}/export"]["get"]["responses"]["200"]
    assert set(answer["content"]) == {
        "application/json",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
        "application/graphml+xml",
        "application/gexf+xml",
        "text/vnd.mermaid; charset=utf-8",
    }
    # Every format is a file (a generated client reads its bytes), JSON included.
    assert {media["schema"]["format"] for media in answer["content"].values()} == {"binary"}
    assert {"ETag", "Content-Disposition"} <= set(answer["headers"])


def test_options_and_405_agree_on_allow(client: TestClient, auth: Any) -> None:
    expected = {
        "/api/v1/models": "GET, HEAD, POST, OPTIONS",
        "/api/v1/models/m": "GET, HEAD, PUT, PATCH, DELETE, OPTIONS",
        "/api/v1/models/m/nodes/n": "GET, HEAD, PATCH, DELETE, OPTIONS",
        "/api/v1/models/m/changes": "POST, OPTIONS",
        "/api/v1/models/m/check": "GET, HEAD, OPTIONS",
        "/api/v1/check": "POST, OPTIONS",
        "/api/v1/tokens": "GET, HEAD, POST, OPTIONS",
        "/api/v1/tokens/1": "DELETE, OPTIONS",
        "/healthz": "GET, HEAD, OPTIONS",
        "/login": "GET, HEAD, POST, OPTIONS",
    }
    for path, allow in expected.items():
        options = client.options(path)
        assert options.status_code == 204, path
        assert options.headers["allow"] == allow, path
        # Every method the path does not take is 405 with the same Allow (HEAD on a write too).
        for method in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} - set(allow.split(", ")):
            refused = client.request(method, path, headers=auth.admin)
            assert refused.status_code == 405, (method, path)
            assert refused.headers["allow"] == allow, (method, path)
            if method != "HEAD":
                assert refused.headers["content-type"] == "application/problem+json"
    assert client.options("/api/v1/nowhere").status_code == 404


def test_the_observations_body_names_the_columns_and_formats_that_are_read(
    client: TestClient,
) -> None:
    schema: dict[str, Any] = client.get("/openapi.json").json()
    route = schema["paths"]["/api/v1/models/{model_id}/observations"]["post"]
    assert route["operationId"] == "addObservations"
    body = route["requestBody"]
    assert set(body["content"]) == {"application/json", "text/csv"}
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ObservationBatch"
    }
    assert "header row (`node,indicator,date,value,note`)" in body["description"]
    assert "the sheet `observations`" in body["description"]
    assert "a row with the `node`, `indicator` and `date` of a stored one" in body["description"]
    fields = schema["components"]["schemas"]["NewObservation"]["properties"]
    assert list(fields) == ["node", "indicator", "date", "value", "note"]
    assert all(field.get("description") for field in fields.values())
