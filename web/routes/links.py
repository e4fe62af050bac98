"""A model's links: the forms to add, edit and delete one (the flow is `web.routes.items`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.item_types import LINKS
from web.deps import SessionDep
from web.forms import link_fields, link_values
from web.routes.items import ItemForms, add_item_routes, new_item
from web.session import PageRoute, VisitorDep

router = APIRouter(include_in_schema=False, route_class=PageRoute)

LINK_FORMS = ItemForms(
    kind=LINKS,
    template="link_form.html",
    values=link_values,
    fields=link_fields,
    groups=("evidence",),
)


@router.get("/models/{model_id}/links/new")
def new_link(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model_id: str,
    source: str = "",
    target: str = "",
) -> Response:
    link = {"from": source, "to": target}
    return new_item(request, session, visitor, model_id, LINK_FORMS, link)


add_item_routes(router, LINK_FORMS)
