"""The OpenAPI document: bodies the routes read themselves, and errors as problem+json."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.problems import PROBLEM_MEDIA_TYPE
from api.schemas import LinkUpdate, NodeUpdate, TokenCreate
from toc.model import Link, Node, TheoryOfChange

__all__ = ["install_openapi", "API_DESCRIPTION"]

API_DESCRIPTION = """\
Theories of change of school systems, stored, versioned and checked.

Every request but `/healthz` needs `Authorization: Bearer TOKEN` (`toc token create`).
Reads send `ETag: "VERSION"`; writes accept `If-Match` and answer 412 on a stale version.
Errors are RFC 9457 problem details (`application/problem+json`).
"""

# Bodies that routes read raw (so that every fault is reported in the document's own terms)
# are described by these schemas, referenced from each route's `openapi_extra`.
_BODY_MODELS: list[type[BaseModel]] = [
    TheoryOfChange,
    Node,
    Link,
    NodeUpdate,
    LinkUpdate,
    TokenCreate,
]
_PROBLEM_REF = {"$ref": "#/components/schemas/ProblemDetails"}


def _body_schemas() -> dict[str, Any]:
    _, top = models_json_schema(
        [(model, "validation") for model in _BODY_MODELS],
        ref_template="#/components/schemas/{model}",
    )
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


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
        for name, body in _body_schemas().items():
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
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
