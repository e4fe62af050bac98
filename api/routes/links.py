"""`/models/{model_id}/links`: one link at a time (a generated id is percent-encoded: `a-%3Eb`)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response

from api import API_PREFIX
from api.deps import EditorDep, IfMatchDep, PrincipalDep, RawBodyDep, SessionDep, json_body
from api.problems import responses
from api.responses import document_body, etag, json_value
from services import items
from toc.model import Link

router = APIRouter(prefix="/models/{model_id}/links", tags=["links"])


def _location(model_id: str, link_id: str) -> str:
    return f"{API_PREFIX}/models/{quote(model_id, safe='')}/links/{quote(link_id, safe='')}"


@router.post(
    "",
    status_code=201,
    summary="Add a link",
    response_model=Link,
    responses=responses(401, 403, 404, 412, 413, 422),
    openapi_extra=document_body("Link", "A toc/1 link object."),
)
def add_link(
    principal: EditorDep, session: SessionDep, raw: RawBodyDep, if_match: IfMatchDep, model_id: str
) -> Response:
    link, key, version = items.add_link(
        session, principal.workspace_id, model_id, json_body(raw), expected_version=if_match
    )
    return json_value(link, version, 201, {"Location": _location(model_id, key)})


@router.get("/{link_id}", summary="One link", response_model=Link, responses=responses(401, 404))
def get_link(principal: PrincipalDep, session: SessionDep, model_id: str, link_id: str) -> Response:
    link, version = items.get_link(session, principal.workspace_id, model_id, link_id)
    return json_value(link, version)


@router.patch(
    "/{link_id}",
    summary="Change some fields of a link (a generated id follows new ends)",
    response_model=Link,
    responses=responses(401, 403, 404, 412, 413, 422),
    openapi_extra=document_body(
        "LinkUpdate", "The fields to change; `null` resets a field to its default."
    ),
)
def patch_link(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    if_match: IfMatchDep,
    model_id: str,
    link_id: str,
) -> Response:
    link, key, version = items.patch_link(
        session,
        principal.workspace_id,
        model_id,
        link_id,
        json_body(raw),
        expected_version=if_match,
    )
    return json_value(link, version, headers={"Content-Location": _location(model_id, key)})


@router.delete(
    "/{link_id}",
    status_code=204,
    summary="Delete a link",
    responses=responses(401, 403, 404, 412),
)
def delete_link(
    principal: EditorDep, session: SessionDep, if_match: IfMatchDep, model_id: str, link_id: str
) -> Response:
    version = items.delete_link(
        session, principal.workspace_id, model_id, link_id, expected_version=if_match
    )
    return Response(status_code=204, headers=etag(version))
