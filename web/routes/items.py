"""The one flow of a model's item forms, nodes and links alike: edit, save, delete.

What the two differ in — their fields, their template, the service calls — is an `ItemForms`;
`web.routes.nodes` and `web.routes.links` each hold their own, the form of a new item, and
call `add_item_routes` for the rest.

Every edit form carries the model's version in a hidden field; a write made against a stale
version shows the conflict instead of overwriting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from services import errors
from toc.errors import DocumentRejected
from toc.model import TheoryOfChange
from web.deps import SessionDep
from web.forms import FormState, choices, differences, form_version, place_problems
from web.render import error_page, model_url, no_such_model, render
from web.routes.models import load_model
from web.session import FormDep, Refused, Visitor, VisitorDep, WriterDep, read_only, to_login

__all__ = [
    "ItemForms",
    "editable_model",
    "form_page",
    "new_item",
    "edit_item",
    "save_item",
    "delete_item",
    "add_item_routes",
]

Fields = dict[str, Any]


@dataclass(frozen=True)
class ItemForms:
    """What the node and the link forms differ in; their flow is one."""

    what: str  # "node" or "link": in the messages and in `saved`
    template: str
    values: Callable[[FormData | None, dict[str, Any] | None], dict[str, str]]
    fields: Callable[[FormState], Fields]
    get: Callable[[Session, int, str, str], tuple[dict[str, Any], int]]
    # (session, workspace, model id, [item id,] fields, expected version) -> the item's id
    add: Callable[[Session, int, str, Fields, int], str]
    patch: Callable[[Session, int, str, str, Fields, int], str]
    delete: Callable[[Session, int, str, str, int], object]
    fixed_id: bool  # whether the id is the edited item's own, not a field the form changes


def editable_model(
    request: Request, session: SessionDep, visitor: Visitor | None, model_id: str
) -> tuple[Visitor, TheoryOfChange]:
    """The visitor and the model they are about to edit, or the page that says why not."""
    if visitor is None:
        raise Refused(to_login())
    if not visitor.can_write:
        raise Refused(read_only(request, visitor))
    model = load_model(session, visitor, model_id)
    if model is None:
        raise Refused(no_such_model(request, visitor))
    return visitor, model


def form_page(
    request: Request,
    visitor: Visitor,
    forms: ItemForms,
    model: TheoryOfChange,
    version: int,
    state: FormState,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("conflict", None)
    context.setdefault("item_id", None)
    return render(
        request,
        forms.template,
        visitor,
        status,
        model=model,
        version=version,
        values=state.values,
        errors=state.errors,
        general=state.general,
        **choices(model),
        **context,
    )


def new_item(
    request: Request,
    session: SessionDep,
    visitor: Visitor | None,
    model_id: str,
    forms: ItemForms,
    item: dict[str, Any],
) -> Response:
    """The empty form of a new node or link, filled in with `item`."""
    visitor, model = editable_model(request, session, visitor, model_id)
    state = FormState(forms.values(None, item))
    return form_page(request, visitor, forms, model, model.version or 0, state, adding=True)


def edit_item(
    request: Request,
    session: SessionDep,
    visitor: Visitor | None,
    model_id: str,
    item_id: str,
    forms: ItemForms,
) -> Response:
    visitor, model = editable_model(request, session, visitor, model_id)
    try:
        item, version = forms.get(session, visitor.principal.workspace_id, model_id, item_id)
    except errors.NotFound:
        return error_page(request, visitor, 404, f"No such {forms.what} in this model.")
    return form_page(
        request,
        visitor,
        forms,
        model,
        version,
        FormState(forms.values(None, item)),
        adding=False,
        item_id=item_id,
    )


def save_item(
    request: Request,
    session: SessionDep,
    visitor: Visitor,
    form: FormData,
    model_id: str,
    item_id: str | None,
    forms: ItemForms,
) -> Response:
    """Add (`item_id` None) or change a node or link from its form.

    A rejected write shows the form again with each problem beside its field; a stale
    version shows what changed meanwhile; a saved one goes back to the model's page.
    """
    visitor, model = editable_model(request, session, visitor, model_id)
    state = FormState(forms.values(form, None))
    if forms.fixed_id and item_id is not None:
        state.values["id"] = item_id
    fields = forms.fields(state)
    expected = form_version(form)
    if expected is None:
        state.general.append("The form lost the model's version: reload the page and try again.")
    adding = item_id is None

    def again(status: int, **context: Any) -> HTMLResponse:
        return form_page(
            request,
            visitor,
            forms,
            model,
            model.version or 0,
            state,
            status,
            adding=adding,
            item_id=item_id,
            **context,
        )

    if state.errors or state.general:
        return again(400)
    assert expected is not None
    workspace = visitor.principal.workspace_id
    try:
        if item_id is None:
            if forms.fixed_id:  # a new node takes the id typed in; a change keeps its own
                fields["id"] = state.values["id"]
            item = {k: v for k, v in fields.items() if v is not None}
            subject = forms.add(session, workspace, model_id, item, expected)
        else:
            subject = forms.patch(session, workspace, model_id, item_id, fields, expected)
    except DocumentRejected as rejected:
        place_problems(state, rejected.problems)
        return again(400)
    except errors.VersionConflict as conflict:
        stored: dict[str, str] | None = None
        if not adding:
            try:
                item, _ = forms.get(session, workspace, model_id, item_id or "")
                stored = forms.values(None, item)
            except errors.NotFound:
                stored = None
        model = load_model(session, visitor, model_id) or model
        return again(
            409,
            conflict={
                "yours": expected,
                "current": conflict.current,
                "differences": differences(stored, state.values) if stored else [],
                "gone": not adding and stored is None,
            },
        )
    except errors.NotFound:
        return error_page(request, visitor, 404, f"That {forms.what} no longer exists.")
    saved = f"{forms.what}-{'added' if adding else 'saved'}"
    return RedirectResponse(
        model_url(model_id, saved=saved) + "#focus=" + quote(subject, safe=""), status_code=303
    )


def delete_item(
    request: Request,
    session: SessionDep,
    visitor: Visitor,
    form: FormData,
    model_id: str,
    item_id: str,
    forms: ItemForms,
) -> Response:
    expected = form_version(form)
    if expected is None:
        return error_page(
            request, visitor, 400, "Nothing was deleted: the form lost the model's version."
        )
    try:
        forms.delete(session, visitor.principal.workspace_id, model_id, item_id, expected)
    except errors.VersionConflict as conflict:
        return error_page(
            request,
            visitor,
            409,
            f"Nothing was deleted: the model changed since you opened the page (you had version "
            f"{expected}, it is now at {conflict.current}). Look at it again before deleting.",
        )
    except errors.NotFound as missing:
        return error_page(request, visitor, 404, f"Nothing was deleted: {missing}.")
    return RedirectResponse(model_url(model_id, saved=f"{forms.what}-deleted"), status_code=303)


def add_item_routes(router: APIRouter, forms: ItemForms) -> None:
    """Add, edit, save and delete routes of one item type, at `/models/{id}/{what}s/...`."""
    items = f"/models/{{model_id}}/{forms.what}s"

    @router.post(items, name=f"add_{forms.what}")
    def add(
        request: Request, session: SessionDep, visitor: WriterDep, form: FormDep, model_id: str
    ) -> Response:
        return save_item(request, session, visitor, form, model_id, None, forms)

    @router.get(items + "/{item_id}/edit", name=f"edit_{forms.what}")
    def edit(
        request: Request, session: SessionDep, visitor: VisitorDep, model_id: str, item_id: str
    ) -> Response:
        return edit_item(request, session, visitor, model_id, item_id, forms)

    @router.post(items + "/{item_id}", name=f"save_{forms.what}")
    def save(
        request: Request,
        session: SessionDep,
        visitor: WriterDep,
        form: FormDep,
        model_id: str,
        item_id: str,
    ) -> Response:
        return save_item(request, session, visitor, form, model_id, item_id, forms)

    @router.post(items + "/{item_id}/delete", name=f"delete_{forms.what}")
    def delete(
        request: Request,
        session: SessionDep,
        visitor: WriterDep,
        form: FormDep,
        model_id: str,
        item_id: str,
    ) -> Response:
        return delete_item(request, session, visitor, form, model_id, item_id, forms)
