"""Small helpers the routes share: ETag headers, JSON responses from stored text, body docs."""

from __future__ import annotations

import datetime
import json
from typing import Any

from fastapi import Response
from fastapi.responses import JSONResponse

__all__ = [
    "etag",
    "checked_etag",
    "json_text",
    "json_value",
    "document_body",
    "binary_body",
    "binary_content",
    "json_media",
]

json_media = "application/json"


def etag(version: int) -> dict[str, str]:
    """The headers that tell a client which version of a document it is looking at."""
    return {"ETag": f'"{version}"'}


def checked_etag(version: int, as_of: datetime.date | str) -> dict[str, str]:
    """The ETag of a checked answer (check, scorecard, report, map): `"VERSION;AS_OF"`.

    The same version checked on another day may say something else (TOC701 judges how old
    observations are), so the tag names both.
    """
    day = as_of if isinstance(as_of, str) else as_of.isoformat()
    return {"ETag": f'"{version};{day}"'}


def binary_content(media_type: str, description: str) -> dict[str, Any]:
    """An OpenAPI `content` entry for a non-JSON answer: a binary string of its media type."""
    return {
        media_type: {"schema": {"type": "string", "format": "binary", "description": description}}
    }


def json_text(
    text: str | bytes,
    version: int | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """A response from JSON text already serialised (stored documents, cached reports)."""
    all_headers = dict(headers or {})
    if version is not None:
        all_headers.update(etag(version))
    return Response(content=text, status_code=status, media_type=json_media, headers=all_headers)


def json_value(
    value: Any, version: int | None = None, status: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    all_headers = dict(headers or {})
    if version is not None:
        all_headers.update(etag(version))
    return JSONResponse(value, status_code=status, headers=all_headers)


def document_body(schema: str, description: str) -> dict[str, Any]:
    """`openapi_extra` describing a JSON body the route reads itself (to report every fault)."""
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {json_media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }
    }


def binary_body(media_types: dict[str, str], description: str) -> dict[str, Any]:
    """`openapi_extra` for a body in one of several formats (imports)."""
    content: dict[str, Any] = {}
    for media in dict.fromkeys(media_types.values()):
        if media == json_media:
            content[media] = {"schema": {"$ref": "#/components/schemas/TheoryOfChange"}}
        else:
            content[media] = {"schema": {"type": "string", "format": "binary"}}
    return {"requestBody": {"required": True, "description": description, "content": content}}


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
