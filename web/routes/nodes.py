"""A model's nodes: the forms to add, edit and delete one (the flow is `web.routes.items`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services import references
from services.item_types import NODES
from toc.model import Level
from web.deps import SessionDep
from web.forms import node_fields, node_values
from web.routes.items import ItemForms, add_item_routes, new_item
from web.session import PageRoute, VisitorDep

router = APIRouter(include_in_schema=False, route_class=PageRoute)

NODE_FORMS = ItemForms(
    kind=NODES,
    template="node_form.html",
    values=node_values,
    fields=node_fields,
    groups=("indicators", "funding"),
    extra=lambda session, workspace, model_id: {
        "reference_options": references.reference_choices(session, workspace, model_id)
    },
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
