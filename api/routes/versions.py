"""`/models/{id}/versions`, `/diff`, `/observations`: a model's history, and data coming in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from api.deps import EditorDep, IfMatchDep, PrincipalDep, RawBodyDep, SessionDep
from api.problems import ApiProblem, responses
from api.responses import json_value
from api.routes.models import decode_cursor, encode_cursor
from api.schemas import DiffPublic, ModelDocument, ModelPublic, VersionPage
from services import history, observations
from toc.errors import Problem

router = APIRouter(prefix="/models/{model_id}", tags=["history"])

_OBSERVATIONS = {
    "requestBody": {
        "required": True,
        "description": "Observations as a JSON list, or CSV with a header row "
        "(`node,indicator,date,value,note`). All or nothing: every problem is listed in the "
        "422 answer.",
        "content": {
            "application/json": {
                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/ObservationIn"}}
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


def _before(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    after = decode_cursor(cursor)
    if not after.isdigit() or not after.isascii() or len(after) > 18:
        decode_cursor("")  # the same 422 as any cursor this service never gave out
    return int(after)


@router.get(
    "/versions",
    summary="The model's history, newest first",
    response_model=VersionPage,
    responses=responses(401, 404, 422),
)
def list_versions(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    limit: Annotated[int, Query(ge=1, le=500, description="Versions per page.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=1000, description="`next_cursor` of the previous page.")
    ] = None,
) -> Response:
    page, last = history.list_versions(
        session, principal.workspace_id, model_id, limit=limit, before=_before(cursor)
    )
    return json_value(
        {
            "items": [entry.to_dict() for entry in page],
            "next_cursor": encode_cursor(str(last)) if last is not None else None,
        }
    )


@router.get(
    "/versions/{version}",
    summary="The model as it was at one version, a toc/1 document",
    response_model=ModelDocument,
    responses=responses(401, 404, 422),
)
def get_version(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    version: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    document = history.version_document(session, principal.workspace_id, model_id, version)
    return json_value(document, version)


@router.get(
    "/diff",
    summary="What changed between two versions",
    response_model=DiffPublic,
    responses=responses(401, 404, 422),
)
def diff(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    old: Annotated[int, Query(alias="from", ge=1, le=2**62, description="The older version.")],
    new: Annotated[
        int | None,
        Query(alias="to", ge=1, le=2**62, description="The newer version (default: current)."),
    ] = None,
) -> Response:
    return json_value(history.diff_versions(session, principal.workspace_id, model_id, old, new))


@router.post(
    "/versions/{version}/restore",
    summary="Write a new version equal to an old one",
    response_model=ModelPublic,
    responses=responses(401, 403, 404, 412, 422),
)
def restore(
    principal: EditorDep,
    session: SessionDep,
    if_match: IfMatchDep,
    model_id: str,
    version: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    info = history.restore_version(
        session, principal.workspace_id, model_id, version, expected_version=if_match
    )
    return json_value(info.to_dict(), info.version)


@router.post(
    "/observations",
    summary="Add indicator observations (JSON or CSV), all or nothing, as one new version",
    response_model=ModelPublic,
    responses=responses(401, 403, 404, 412, 413, 415, 422),
    openapi_extra=_OBSERVATIONS,
)
def add_observations(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    if_match: IfMatchDep,
    model_id: str,
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    media = (content_type or "application/json").split(";")[0].strip().lower()
    if media in ("text/csv", "application/csv"):
        fmt = "csv"
    elif media == "application/json" or media.endswith("+json"):
        fmt = "json"
    else:
        raise ApiProblem(
            415,
            "send observations as application/json or text/csv",
            kind="unsupported-media-type",
            errors=[Problem("$", f"cannot read {media!r}")],
        )
    info = observations.add_observations(
        session, principal.workspace_id, model_id, raw, fmt, expected_version=if_match
    )
    return json_value(info.to_dict(), info.version)
