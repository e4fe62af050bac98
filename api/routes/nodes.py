"""`/models/{model_id}/nodes`: one node at a time."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response

from api import API_PREFIX
from api.deps import EditorDep, IfMatchDep, PrincipalDep, RawBodyDep, SessionDep, json_body
from api.problems import responses
from api.responses import document_body, etag, json_value
from services import items
from toc.model import Node

router = APIRouter(prefix="/models/{model_id}/nodes", tags=["nodes"])


@router.post(
    "",
    status_code=201,
    summary="Add a node",
    response_model=Node,
    responses=responses(401, 403, 404, 412, 413, 422),
    openapi_extra=document_body("Node", "A toc/1 node object."),
)
def add_node(
    principal: EditorDep, session: SessionDep, raw: RawBodyDep, if_match: IfMatchDep, model_id: str
) -> Response:
    node, version = items.add_node(
        session, principal.workspace_id, model_id, json_body(raw), expected_version=if_match
    )
    location = f"{API_PREFIX}/models/{quote(model_id, safe='')}/nodes/{quote(node['id'], safe='')}"
    return json_value(node, version, 201, {"Location": location})


@router.get("/{node_id}", summary="One node", response_model=Node, responses=responses(401, 404))
def get_node(principal: PrincipalDep, session: SessionDep, model_id: str, node_id: str) -> Response:
    node, version = items.get_node(session, principal.workspace_id, model_id, node_id)
    return json_value(node, version)


@router.patch(
    "/{node_id}",
    summary="Change some fields of a node",
    response_model=Node,
    responses=responses(401, 403, 404, 412, 413, 422),
    openapi_extra=document_body(
        "NodeUpdate", "The fields to change; `null` resets a field to its default."
    ),
)
def patch_node(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    if_match: IfMatchDep,
    model_id: str,
    node_id: str,
) -> Response:
    node, version = items.patch_node(
        session,
        principal.workspace_id,
        model_id,
        node_id,
        json_body(raw),
        expected_version=if_match,
    )
    return json_value(node, version)


@router.delete(
    "/{node_id}",
    status_code=204,
    summary="Delete a node and every link to or from it",
    responses=responses(401, 403, 404, 412),
)
def delete_node(
    principal: EditorDep, session: SessionDep, if_match: IfMatchDep, model_id: str, node_id: str
) -> Response:
    version = items.delete_node(
        session, principal.workspace_id, model_id, node_id, expected_version=if_match
    )
    return Response(status_code=204, headers=etag(version))
