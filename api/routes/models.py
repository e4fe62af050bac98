"""`/models`: store, list, read, replace, delete models; check, chains, import, export.

The model's map (`/models/{id}/map`) is served by the web layer, which draws it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from api import API_PREFIX
from api.deps import (
    EditorDep,
    IfMatchDep,
    PrincipalDep,
    RawBodyDep,
    SessionDep,
    SettingsDep,
    json_body,
)
from api.problems import ApiProblem, responses
from api.responses import binary_body, document_body, etag, json_text, json_value
from api.schemas import (
    ChainsPublic,
    CheckReportPublic,
    ModelDocument,
    ModelPage,
    ModelPublic,
    ScorecardPublic,
)
from services import models, reports
from services.store import ModelInfo
from toc import formats
from toc.document import parse_document
from toc.errors import Problem
from toc.scorecard import to_csv as scorecard_csv

router = APIRouter(prefix="/models", tags=["models"])

ReadFormat = Literal["json", "csv", "graphml", "gexf"]
WriteFormat = Literal["json", "csv", "graphml", "gexf", "mermaid"]
assert set(ReadFormat.__args__) == set(formats.READ_FORMATS)  # type: ignore[attr-defined]
assert set(WriteFormat.__args__) == set(formats.WRITE_FORMATS)  # type: ignore[attr-defined]

_DOCUMENT = document_body(
    "TheoryOfChange",
    "A toc/1 document. It is validated whole: every fault is listed in the 422 answer.",
)


def _location(model_id: str) -> str:
    return f"{API_PREFIX}/models/{quote(model_id, safe='')}"


def encode_cursor(after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        after = None
    if not isinstance(after, str):
        raise ApiProblem(
            422,
            "the cursor is not one this service gave out",
            kind="invalid-request",
            title="Invalid request",
            errors=[Problem("query.cursor", "not a cursor from a previous page")],
        )
    return after


def _written(info: ModelInfo, created: bool) -> Response:
    headers = {"Location": _location(info.id)} if created else None
    return json_value(info.to_dict(), info.version, 201 if created else 200, headers)


@router.post(
    "",
    status_code=201,
    summary="Store a toc/1 document as a new model",
    response_model=ModelPublic,
    responses=responses(401, 403, 409, 413, 422),
    openapi_extra=_DOCUMENT,
)
def create_model(
    principal: EditorDep, session: SessionDep, raw: RawBodyDep, settings: SettingsDep
) -> Response:
    model = parse_document(json_body(raw), settings.limits)
    return _written(models.create_model(session, principal.workspace_id, model), True)


@router.get(
    "",
    summary="List the workspace's models",
    response_model=ModelPage,
    responses=responses(401, 422),
)
def list_models(
    principal: PrincipalDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Models per page.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=1000, description="`next_cursor` of the previous page.")
    ] = None,
) -> Response:
    after = decode_cursor(cursor) if cursor is not None else None
    page, last = models.list_models(session, principal.workspace_id, limit=limit, after=after)
    return json_value(
        {
            "items": [info.to_dict() for info in page],
            "next_cursor": encode_cursor(last) if last is not None else None,
        }
    )


@router.post(
    "/import",
    status_code=201,
    summary="Import a model from any readable format",
    response_model=ModelPublic,
    responses={
        200: {"model": ModelPublic, "description": "An existing model was replaced (`replace`)"},
        **responses(401, 403, 409, 412, 413, 422),
    },
    openapi_extra=binary_body(
        {f: formats.MEDIA_TYPES[f] for f in formats.READ_FORMATS},
        "The model in `format`: toc/1 JSON, a zip of nodes.csv and links.csv, GraphML or GEXF.",
    ),
)
def import_model(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    if_match: IfMatchDep,
    settings: SettingsDep,
    format: Annotated[ReadFormat, Query(description="The body's format.")] = "json",
    replace: Annotated[
        bool, Query(description="Replace a model of the same id instead of answering 409.")
    ] = False,
) -> Response:
    info, created = models.import_model(
        session,
        principal.workspace_id,
        raw,
        format,
        replace=replace,
        expected_version=if_match,
        limits=settings.limits,
    )
    return _written(info, created)


@router.get(
    "/{model_id}",
    summary="The model as a toc/1 document with its version",
    response_model=ModelDocument,
    responses=responses(401, 404),
)
def get_model(principal: PrincipalDep, session: SessionDep, model_id: str) -> Response:
    text, version = models.document_json(session, principal.workspace_id, model_id)
    return json_text(text, version)


@router.put(
    "/{model_id}",
    summary="Replace the whole model (or create it)",
    response_model=ModelPublic,
    responses={
        201: {"model": ModelPublic, "description": "The model did not exist and was created"},
        **responses(401, 403, 404, 412, 413, 422),
    },
    openapi_extra=_DOCUMENT,
)
def replace_model(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    if_match: IfMatchDep,
    settings: SettingsDep,
    model_id: str,
) -> Response:
    data = json_body(raw)
    if isinstance(data, dict):
        data.setdefault("id", model_id)
    model = parse_document(data, settings.limits)
    info, created = models.replace_model(
        session, principal.workspace_id, model_id, model, expected_version=if_match
    )
    return _written(info, created)


@router.delete(
    "/{model_id}",
    status_code=204,
    summary="Delete the model",
    responses=responses(401, 403, 404, 412),
)
def delete_model(
    principal: EditorDep, session: SessionDep, if_match: IfMatchDep, model_id: str
) -> Response:
    models.delete_model(session, principal.workspace_id, model_id, expected_version=if_match)
    return Response(status_code=204)


@router.get(
    "/{model_id}/check",
    summary="Check the model (cached per version)",
    response_model=CheckReportPublic,
    responses=responses(401, 404),
)
def check_model(principal: PrincipalDep, session: SessionDep, model_id: str) -> Response:
    # A report already cached for the model's version is answered before routing
    # (api/hotpath.py); this checks the model and caches the report, or answers 401 or 404.
    text, version = reports.report_json(session, principal.workspace_id, model_id)
    return json_text(text, version)


@router.get(
    "/{model_id}/scorecard",
    summary="The initiative scorecard: keep, fix or stop each initiative",
    response_model=ScorecardPublic,
    responses={
        200: {
            "description": "One row per initiative that is not retired, in id order "
            "(`format=csv`: a header row, then one row per initiative; lists `;`-separated)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **responses(401, 404, 422),
    },
)
def get_scorecard(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    format: Annotated[
        Literal["json", "csv"], Query(description="`json` (default) or `csv` for a spreadsheet.")
    ] = "json",
) -> Response:
    rows, version = reports.scorecard(session, principal.workspace_id, model_id)
    if format == "csv":
        return Response(
            scorecard_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={
                **etag(version),
                "Content-Disposition": f'attachment; filename="{model_id}-scorecard.csv"',
            },
        )
    return json_value({"initiatives": rows, "version": version}, version)


@router.get(
    "/{model_id}/chains/{initiative}",
    summary="The subgraph of an initiative's chains",
    response_model=ChainsPublic,
    responses=responses(401, 404),
)
def get_chains(
    principal: PrincipalDep, session: SessionDep, model_id: str, initiative: str
) -> Response:
    subgraph, version = reports.chains(session, principal.workspace_id, model_id, initiative)
    return json_value(subgraph, version)


# What each export format answers, for the OpenAPI document.
_EXPORT_CONTENT: dict[str, Any] = {
    formats.MEDIA_TYPES["json"]: {"schema": {"$ref": "#/components/schemas/TheoryOfChange"}},
    formats.MEDIA_TYPES["csv"]: {"schema": {"type": "string", "format": "binary"}},
    formats.MEDIA_TYPES["graphml"]: {"schema": {"type": "string", "description": "GraphML XML"}},
    formats.MEDIA_TYPES["gexf"]: {"schema": {"type": "string", "description": "GEXF 1.2 XML"}},
    formats.MEDIA_TYPES["mermaid"]: {
        "schema": {"type": "string", "description": "a Mermaid flowchart"}
    },
}


@router.get(
    "/{model_id}/export",
    summary="Export the model in any writable format",
    responses={
        200: {
            "description": (
                "The model as a file in the format asked for, one media type per format: "
                + "; ".join(
                    f"`{fmt}`: `{formats.MEDIA_TYPES[fmt]}`" for fmt in formats.WRITE_FORMATS
                )
                + ". `csv` is a zip of model.csv, nodes.csv, links.csv (and observations.csv)."
            ),
            "headers": {
                "ETag": {"description": "The model's version", "schema": {"type": "string"}},
                "Content-Disposition": {
                    "description": '`attachment; filename="MODEL.EXT"`',
                    "schema": {"type": "string"},
                },
            },
            "content": _EXPORT_CONTENT,
        },
        **responses(401, 404, 422),
    },
)
def export_model(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    format: Annotated[WriteFormat, Query(description="The format to write.")] = "json",
) -> Response:
    payload, version = models.export_model(session, principal.workspace_id, model_id, format)
    filename = f"{model_id}.{formats.EXTENSIONS[format]}"
    return Response(
        payload,
        media_type=formats.MEDIA_TYPES[format],
        headers={**etag(version), "Content-Disposition": f'attachment; filename="{filename}"'},
    )
