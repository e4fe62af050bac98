"""The one flow of a model's item forms, nodes and links alike: edit, save, delete.

An `ItemForms` is a kind of item as the services describe it (`services.item_types`: its word,
its path segment, how it is read and written) plus what only its form knows: its fields, its
template, the lists it shows as rows. `web.routes.nodes` and `web.routes.links` each hold their
own, the form of a new item, and call `add_item_routes` for the rest.

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

from services import errors, items
from services.item_types import ItemKind
from toc.errors import DocumentRejected
from toc.model import TheoryOfChange
from toc.slugs import slug_from_title
from web.deps import SessionDep
from web.forms import (
    FormState,
    choices,
    differences,
    form_values,
    form_version,
    inferred_measures,
    place_problems,
    row_indices,
)
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
    """A kind of item (its services descriptor) and what its form adds: fields, template."""

    kind: ItemKind  # the word, the path segment and the writes: from the services
    template: str
    values: Callable[[dict[str, Any] | None], dict[str, str]]  # an item as its form shows it
    # the form's values as an item, starting from the stored one (None for a new item)
    fields: Callable[[FormState, dict[str, Any] | None], Fields]
    groups: tuple[str, ...] = ()  # the item's lists shown as rows (indicators, evidence...)
    # more for the form's template: (session, workspace, model id) -> context
    extra: Callable[[Session, int, str], dict[str, Any]] | None = None

    @property
    def what(self) -> str:
        """The kind's word ("node", "link"): in the messages, the routes' names and `saved`."""
        return self.kind.what

    @property
    def fixed_id(self) -> bool:
        """Whether the id is the edited item's own, not a field the form changes."""
        return self.kind.writes.fixed_id is not None

    def get(
        self, session: Session, workspace: int, model_id: str, item_id: str
    ) -> tuple[dict[str, Any], int]:
        return items.get_item(session, workspace, model_id, self.kind.writes, item_id)

    def add(
        self,
        session: Session,
        workspace: int,
        model_id: str,
        item: Fields,
        expected: int,
        note: str | None,
    ) -> str:
        """Add the item; returns its id (a link's generated one, say)."""
        written = items.add_item(
            session,
            workspace,
            model_id,
            self.kind.writes,
            item,
            expected_version=expected,
            note=note,
        )
        return written.id

    def patch(
        self,
        session: Session,
        workspace: int,
        model_id: str,
        item_id: str,
        changes: Fields,
        expected: int,
        note: str | None,
    ) -> str:
        """Change the item; returns its id now (a link's generated id follows new ends)."""
        written = items.patch_item(
            session,
            workspace,
            model_id,
            self.kind.writes,
            item_id,
            changes,
            expected_version=expected,
            note=note,
        )
        return written.id

    def delete(
        self, session: Session, workspace: int, model_id: str, item_id: str, expected: int
    ) -> None:
        items.delete_item(
            session, workspace, model_id, self.kind.writes, item_id, expected_version=expected
        )


def editable_model(
    request: Request, session: SessionDep, visitor: Visitor | None, model_id: str
) -> tuple[Visitor, TheoryOfChange]:
    """The visitor and the model they are about to edit, or the page that says why not."""
    if visitor is None:
        raise Refused(to_login())
    if not visitor.principal.may_write(model_id):
        raise Refused(read_only(request, visitor, model_id))
    model = load_model(session, visitor, model_id)
    if model is None:
        raise Refused(no_such_model(request, visitor))
    return visitor, model


def form_page(
    request: Request,
    session: Session,
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
    if forms.extra is not None:
        context.update(forms.extra(session, visitor.principal.workspace_id, model.id))
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
        rows={group: row_indices(state.values, group) for group in forms.groups},
        inferred=inferred_measures(state.values),
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
    state = FormState(forms.values(item))
    return form_page(
        request, session, visitor, forms, model, model.version or 0, state, adding=True
    )


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
        session,
        visitor,
        forms,
        model,
        version,
        FormState(forms.values(item)),
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
    # Every field the form shows, "" where the post left it out (an unticked box, say).
    state = FormState({name: "" for name in forms.values(None)} | form_values(form))
    workspace = visitor.principal.workspace_id
    original: dict[str, Any] | None = None
    if item_id is not None:
        # The stored item, read again: the form changes only what it shows (web.forms).
        try:
            original, _ = forms.get(session, workspace, model_id, item_id)
        except errors.NotFound:
            return error_page(request, visitor, 404, f"That {forms.what} no longer exists.")
    if forms.fixed_id and item_id is not None:
        state.values["id"] = item_id
    fields = forms.fields(state, original)
    note = state.values.pop("note", "").strip()[:1000] or None  # kept with the version
    expected = form_version(form)
    if expected is None:
        state.general.append("The form lost the model's version: reload the page and try again.")
    adding = item_id is None

    def again(status: int, **context: Any) -> HTMLResponse:
        return form_page(
            request,
            session,
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
    try:
        if item_id is None:
            if forms.fixed_id:  # a new node takes the id typed in, or one made from its title
                typed = state.values.get("id", "").strip()
                taken = {node.id for node in model.nodes}
                fields["id"] = typed or slug_from_title(str(fields.get("title") or ""), taken)
            item = {k: v for k, v in fields.items() if v is not None}
            subject = forms.add(session, workspace, model_id, item, expected, note)
        else:
            # The whole item, and None for each stored field it no longer has.
            gone = {name: None for name in original or {} if name not in fields}
            subject = forms.patch(
                session, workspace, model_id, item_id, {**fields, **gone}, expected, note
            )
    except DocumentRejected as rejected:
        place_problems(state, rejected.problems)
        return again(400)
    except errors.VersionConflict as conflict:
        stored: dict[str, str] | None = None
        if not adding:
            try:
                item, _ = forms.get(session, workspace, model_id, item_id or "")
                stored = forms.values(item)
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
    """Add, edit, save and delete routes of one item type, at `/models/{id}/{plural}/...`."""
    path = f"/models/{{model_id}}/{forms.kind.plural}"

    @router.post(path, name=f"add_{forms.what}")
    def add(
        request: Request, session: SessionDep, visitor: WriterDep, form: FormDep, model_id: str
    ) -> Response:
        return save_item(request, session, visitor, form, model_id, None, forms)

    @router.get(path + "/{item_id}/edit", name=f"edit_{forms.what}")
    def edit(
        request: Request, session: SessionDep, visitor: VisitorDep, model_id: str, item_id: str
    ) -> Response:
        return edit_item(request, session, visitor, model_id, item_id, forms)

    @router.post(path + "/{item_id}", name=f"save_{forms.what}")
    def save(
        request: Request,
        session: SessionDep,
        visitor: WriterDep,
        form: FormDep,
        model_id: str,
        item_id: str,
    ) -> Response:
        return save_item(request, session, visitor, form, model_id, item_id, forms)

    @router.post(path + "/{item_id}/delete", name=f"delete_{forms.what}")
    def delete(
        request: Request,
        session: SessionDep,
        visitor: WriterDep,
        form: FormDep,
        model_id: str,
        item_id: str,
    ) -> Response:
        return delete_item(request, session, visitor, form, model_id, item_id, forms)
