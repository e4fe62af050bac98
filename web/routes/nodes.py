"""A model's nodes: the forms to add, edit and delete one (the flow is `web.routes.items`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from services import items
from toc.model import Level
from web.deps import SessionDep
from web.forms import node_fields, node_values
from web.routes.items import ItemForms, add_item_routes, new_item
from web.session import PageRoute, VisitorDep

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _add(
    session: Session, workspace: int, model_id: str, node: dict[str, Any], expected: int
) -> str:
    items.add_node(session, workspace, model_id, node, expected_version=expected)
    return str(node["id"])


def _patch(
    session: Session,
    workspace: int,
    model_id: str,
    node_id: str,
    fields: dict[str, Any],
    expected: int,
) -> str:
    items.patch_node(session, workspace, model_id, node_id, fields, expected_version=expected)
    return node_id


def _delete(session: Session, workspace: int, model_id: str, node_id: str, expected: int) -> int:
    return items.delete_node(session, workspace, model_id, node_id, expected_version=expected)


NODE_FORMS = ItemForms(
    what="node",
    template="node_form.html",
    values=node_values,
    fields=node_fields,
    get=items.get_node,
    add=_add,
    patch=_patch,
    delete=_delete,
    fixed_id=True,
)
LEVELS = {level.value for level in Level}


@router.get("/models/{model_id}/nodes/new")
def new_node(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model_id: str,
    level: str = "teacher",
) -> Response:
    node = {"level": level if level in LEVELS else "teacher", "kind": "change"}
    return new_item(request, session, visitor, model_id, NODE_FORMS, node)


add_item_routes(router, NODE_FORMS)
