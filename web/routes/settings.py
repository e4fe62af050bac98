"""A model's own fields on the pages: a new, empty model (`/new-model`), and a model's settings.

`/new-model` rather than `/models/new`, which is the page of a model named `new`.
The settings form is a codec like the item forms (`web.forms`): what it shows unchanged is kept
as stored, and it saves through `services.models.update_model`, which never touches the items.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from services import errors
from services import models as model_service
from toc.document import parse_document
from toc.errors import DocumentRejected, Problem
from toc.model import Scope
from toc.slugs import slug_from_title
from web.deps import SessionDep
from web.forms import FormState, form_values, form_version, model_fields, model_values
from web.render import error_page, model_url, no_such_model, render
from web.session import FormDep, PageRoute, Visitor, VisitorDep, WriterDep, read_only, to_login

router = APIRouter(include_in_schema=False, route_class=PageRoute)

_ITEMS = ("format", "id", "version", "nodes", "links")
_FIELD = re.compile(r"^([A-Za-z_]+)")


def _place(state: FormState, problems: list[Problem], fields: tuple[str, ...]) -> None:
    for problem in problems:
        match = _FIELD.match(problem.path)
        if match is not None and match.group(1) in fields:
            state.add(match.group(1), problem.message)
        else:
            state.general.append(str(problem))


# -- a new model ------------------------------------------------------------------------------
def _new_model_page(
    request: Request, visitor: Visitor, state: FormState, status: int = 200
) -> HTMLResponse:
    return render(
        request,
        "new_model.html",
        visitor,
        status,
        values=state.values,
        errors=state.errors,
        general=state.general,
        conflict=None,
    )


@router.get("/new-model")
def new_model(request: Request, visitor: VisitorDep) -> Response:
    if visitor is None:
        return to_login()
    if not visitor.can_write:
        return read_only(request, visitor)
    return _new_model_page(request, visitor, FormState({"id": "", "title": "", "description": ""}))


@router.post("/new-model")
def create_model(
    request: Request, session: SessionDep, visitor: WriterDep, form: FormDep
) -> Response:
    values = {"id": "", "title": "", "description": ""} | form_values(form)
    state = FormState({name: values[name] for name in ("id", "title", "description")})
    title = state.values["title"].strip()
    model_id = state.values["id"].strip()
    description = state.values["description"].replace("\r\n", "\n").strip()
    workspace = visitor.principal.workspace_id
    if not model_id:
        infos, _ = model_service.list_models(session, workspace)
        model_id = slug_from_title(title, {info.id for info in infos} | {"new", "import"})
    document: dict[str, Any] = {"format": "toc/1", "id": model_id, "title": title}
    if description:
        document["description"] = description
    try:
        info = model_service.create_model(session, workspace, parse_document(document))
    except DocumentRejected as rejected:
        _place(state, rejected.problems, ("id", "title", "description"))
        return _new_model_page(request, visitor, state, 400)
    except errors.AlreadyExists as exists:
        state.add("id", f"{exists} Choose another id.")
        return _new_model_page(request, visitor, state, 409)
    return RedirectResponse(model_url(info.id, saved="created"), status_code=303)


# -- a model's settings -----------------------------------------------------------------------
def _head(session: Session, workspace: int, model_id: str) -> tuple[dict[str, Any], int]:
    document, version = model_service.get_document(session, workspace, model_id)
    return {k: v for k, v in document.items() if k not in _ITEMS}, version


def _settings_page(
    request: Request,
    visitor: Visitor,
    model_id: str,
    version: int,
    state: FormState,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "model_settings.html",
        visitor,
        status,
        model_id=model_id,
        version=version,
        values=state.values,
        errors=state.errors,
        general=state.general,
        scopes=[scope.value for scope in Scope],
        conflict=None,
    )


@router.get("/models/{model_id}/settings")
def settings_page(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str
) -> Response:
    if visitor is None:
        return to_login()
    if not visitor.principal.may_write(model_id):
        return read_only(request, visitor, model_id)
    try:
        head, version = _head(session, visitor.principal.workspace_id, model_id)
    except errors.NotFound:
        return no_such_model(request, visitor)
    return _settings_page(request, visitor, model_id, version, FormState(model_values(head)))


@router.post("/models/{model_id}/settings")
def save_settings(
    request: Request, session: SessionDep, visitor: WriterDep, form: FormDep, model_id: str
) -> Response:
    workspace = visitor.principal.workspace_id
    try:
        head, version = _head(session, workspace, model_id)
    except errors.NotFound:
        return no_such_model(request, visitor)
    values = form_values(form)
    note = values.pop("note", "").strip()[:1000] or None
    state = FormState({name: "" for name in model_values({})} | values)
    fields = model_fields(state, head)
    expected = form_version(form)
    if expected is None:
        state.general.append("The form lost the model's version: reload the page and try again.")
    if state.errors or state.general:
        return _settings_page(request, visitor, model_id, version, state, 400)
    changes = {**fields, **{name: None for name in head if name not in fields}}
    try:
        model_service.update_model(
            session, workspace, model_id, changes, expected_version=expected, note=note
        )
    except DocumentRejected as rejected:
        _place(state, rejected.problems, tuple(model_values({})))
        return _settings_page(request, visitor, model_id, version, state, 400)
    except errors.VersionConflict as conflict:
        state.general.append(
            f"Not saved: the model changed while you were editing (you had version {expected}, "
            f"it is now at {conflict.current}). Your values are kept below; saving again "
            "applies them over the current version."
        )
        return _settings_page(request, visitor, model_id, conflict.current, state, 409)
    except errors.NotFound:
        return error_page(request, visitor, 404, "That model no longer exists.")
    return RedirectResponse(model_url(model_id, saved="settings-saved"), status_code=303)
