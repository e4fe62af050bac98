"""The OpenAPI document: bodies the routes read themselves, and errors as problem+json."""

from __future__ import annotations

from typing import Any

import msgspec
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api import API_PREFIX
from api.problems import PROBLEM_MEDIA_TYPE
from api.schemas import (
    ChangeBatch,
    LinkUpdate,
    ModelUpdate,
    NodeUpdate,
    ObservationBatch,
    TokenCreate,
)
from toc.model import Link, Node, TheoryOfChange
from toc.report import Finding

__all__ = ["install_openapi", "API_DESCRIPTION", "dangling_refs"]

API_DESCRIPTION = """\
Theories of change of school systems, stored, versioned and checked.

Every request but the public ones (`/healthz`, this document, the problem pages, sign-in)
needs `Authorization: Bearer TOKEN` (`toc token create`). Documents send `ETag: "VERSION"`,
checked answers (check, scorecard, report, map) `ETag: "VERSION;AS_OF"`; every `GET` with
an ETag answers `If-None-Match` with 304, and `HEAD` like `GET` without the body. Writes
accept `If-Match` (412 on a stale version) and `note`; a write that changes nothing makes
no version. Errors are RFC 9457 problem details (`application/problem+json`) whose `type`
is a page of this server saying what the problem means and how to fix it.
"""

# Bodies that routes read raw (so that every fault is reported in the document's own terms)
# are described by these schemas, referenced from each route's `openapi_extra`.
_BODY_MODELS: list[type[BaseModel]] = [
    TheoryOfChange,
    Node,
    Link,
    NodeUpdate,
    LinkUpdate,
    ModelUpdate,
    ChangeBatch,
    ObservationBatch,
    TokenCreate,
]
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_REF_TEMPLATE = "#/components/schemas/{name}"


def _body_schemas() -> dict[str, Any]:
    _, top = models_json_schema(
        [(model, "validation") for model in _BODY_MODELS],
        ref_template="#/components/schemas/{model}",
    )
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


def _core_schemas() -> dict[str, Any]:
    """The domain core's msgspec types (a finding), as generated from the types themselves."""
    _, components = msgspec.json.schema_components([Finding], ref_template=_REF_TEMPLATE)
    return components


def dangling_refs(document: Any) -> list[str]:
    """Every `$ref` of the document that names no component (none, in a sound document)."""
    components = document.get("components", {}).get("schemas", {})
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                name = ref.removeprefix("#/components/schemas/")
                if not ref.startswith("#/components/schemas/") or name not in components:
                    found.append(ref)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    return found


def _document_conditional_reads(schema: dict[str, Any]) -> None:
    """Every `GET` that answers an `ETag` (all but the lists) takes `If-None-Match` → 304."""
    for path, item in schema.get("paths", {}).items():
        operation = item.get("get")
        if not isinstance(operation, dict) or not path.startswith(API_PREFIX + "/models/{"):
            continue
        if operation.get("operationId", "").startswith("list"):
            continue
        operation.setdefault("parameters", []).append(
            {
                "name": "If-None-Match",
                "in": "header",
                "required": False,
                "description": "The `ETag` of the answer the client holds (or `*`): "
                "unchanged → 304 with no body.",
                "schema": {"type": "string"},
            }
        )
        operation["responses"]["304"] = {
            "description": "Not Modified: the answer is the one the client holds (its `ETag`)."
        }


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` by one that documents raw bodies and problem-details errors."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            separate_input_output_schemas=False,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, body in {**_body_schemas(), **_core_schemas()}.items():
            components.setdefault(name, body)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for status, response in operation["responses"].items():
                    if not str(status).isdigit() or int(status) < 400:
                        continue
                    # Every error is problem details, FastAPI's own 422 included.
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
                    if status == "422":
                        response["description"] = (
                            "The document or request breaks the contract: every problem in "
                            "`errors`, each with its path; nothing was stored"
                        )
        _document_conditional_reads(schema)
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    async def openapi_under_prefix(_request: Request) -> JSONResponse:
        return JSONResponse(app.openapi())

    # The same document beside the API it describes.
    app.add_route(API_PREFIX + "/openapi.json", openapi_under_prefix, include_in_schema=False)
