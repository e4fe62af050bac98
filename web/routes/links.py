"""A model's links: the forms to add, edit and delete one (the flow is `web.routes.items`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from services import items
from web.deps import SessionDep
from web.forms import link_fields, link_values
from web.routes.items import ItemForms, add_item_routes, new_item
from web.session import PageRoute, VisitorDep

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _add(
    session: Session, workspace: int, model_id: str, link: dict[str, Any], expected: int
) -> str:
    _, key, _ = items.add_link(session, workspace, model_id, link, expected_version=expected)
    return key


def _patch(
    session: Session,
    workspace: int,
    model_id: str,
    link_id: str,
    fields: dict[str, Any],
    expected: int,
) -> str:
    _, key, _ = items.patch_link(
        session, workspace, model_id, link_id, fields, expected_version=expected
    )
    return key


def _delete(session: Session, workspace: int, model_id: str, link_id: str, expected: int) -> int:
    return items.delete_link(session, workspace, model_id, link_id, expected_version=expected)


LINK_FORMS = ItemForms(
    what="link",
    template="link_form.html",
    values=link_values,
    fields=link_fields,
    get=items.get_link,
    add=_add,
    patch=_patch,
    delete=_delete,
    fixed_id=False,
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
