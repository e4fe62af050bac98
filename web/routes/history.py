"""A model's history on the pages: the versions, a comparison of two, restore, observations in."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services import errors, history
from services import models as model_service
from services import observations as observation_service
from services.item_types import OBSERVATIONS
from toc.errors import DocumentRejected
from web.deps import SessionDep
from web.forms import form_version
from web.render import error_page, model_url, no_such_model, render
from web.session import FormDep, PageRoute, VisitorDep, WriterDep, to_login

router = APIRouter(include_in_schema=False, route_class=PageRoute)

PAGE = 50  # versions on one page of the history


def _whole(value: str | None) -> int | None:
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


@router.get("/models/{model_id}/history")
def history_page(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str, before: str = ""
) -> Response:
    if visitor is None:
        return to_login()
    workspace = visitor.principal.workspace_id
    try:
        info = model_service.model_info(session, workspace, model_id)
        versions, last = history.list_versions(
            session, workspace, model_id, limit=PAGE, before=_whole(before)
        )
    except errors.NotFound:
        return no_such_model(request, visitor)
    return render(
        request,
        "history.html",
        visitor,
        info=info,
        versions=versions,
        older=last,
    )


def _side_by_side(changed: dict[str, dict[str, list[Any]]]) -> list[dict[str, Any]]:
    """Each changed item's fields as rows of (field, old, new), values shown as JSON text."""

    def shown(value: Any) -> str:
        if value is None:
            return "—"
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    return [
        {
            "id": item_id,
            "fields": [
                {"field": name, "old": shown(old), "new": shown(new)}
                for name, (old, new) in sorted(fields.items())
            ],
        }
        for item_id, fields in sorted(changed.items())
    ]


@router.get("/models/{model_id}/compare")
def compare_page(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model_id: str,
    old: str = "",
    new: str = "",
) -> Response:
    # `old` and `new` rather than `from` and `to`: `from` is no Python name. The form names them.
    if visitor is None:
        return to_login()
    before, after = _whole(old), _whole(new) if new else None
    if before is None or (new and after is None):
        return error_page(request, visitor, 400, "Choose two versions to compare.")
    try:
        diff = history.diff_versions(
            session, visitor.principal.workspace_id, model_id, before, after
        )
    except errors.NotFound as missing:
        return error_page(request, visitor, 404, f"Nothing to compare: {missing}.")
    model_changes = _side_by_side({"the model": diff["model"]}) if diff["model"] else []
    return render(
        request,
        "compare.html",
        visitor,
        model_id=model_id,
        diff=diff,
        model_changes=model_changes,
        scorecard_changes=_side_by_side(diff.get("initiatives") or {}),
        node_changes=_side_by_side(diff["nodes"]["changed"]),
        link_changes=_side_by_side(diff["links"]["changed"]),
        subject_of=finding_subject,
    )


def finding_subject(finding: dict[str, Any]) -> str:
    """What a finding (as JSON) is about: its initiative, node or link, and its indicator."""
    subject = finding.get("initiative") or finding.get("node") or finding.get("link") or ""
    indicator = finding.get("indicator")
    return f"{subject} [{indicator}]" if indicator else str(subject)


@router.get("/models/{model_id}/versions/{version}")
def version_page(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str, version: str
) -> Response:
    """One version of the model as its toc/1 document, with what it changed."""
    if visitor is None:
        return to_login()
    wanted = _whole(version)
    if wanted is None:
        return error_page(request, visitor, 404, "No such version of this model.")
    workspace = visitor.principal.workspace_id
    try:
        info = model_service.model_info(session, workspace, model_id)
        document = history.version_document(session, workspace, model_id, wanted)
    except errors.NotFound:
        return error_page(request, visitor, 404, "No such version of this model.")
    return render(
        request,
        "version.html",
        visitor,
        info=info,
        number=wanted,
        text=json.dumps(document, ensure_ascii=False, indent=2),
    )


@router.post("/models/{model_id}/versions/{version}/restore")
def restore(
    request: Request,
    session: SessionDep,
    visitor: WriterDep,
    form: FormDep,
    model_id: str,
    version: str,
) -> Response:
    expected = form_version(form)
    wanted = _whole(version)
    if expected is None or wanted is None:
        return error_page(
            request, visitor, 400, "Nothing was restored: the form lost the model's version."
        )
    try:
        history.restore_version(
            session, visitor.principal.workspace_id, model_id, wanted, expected_version=expected
        )
    except errors.VersionConflict as conflict:
        return error_page(
            request,
            visitor,
            409,
            f"Nothing was restored: the model changed since you opened the page (you had "
            f"version {expected}, it is now at {conflict.current}). Look at the history again.",
        )
    except errors.NotFound as missing:
        return error_page(request, visitor, 404, f"Nothing was restored: {missing}.")
    except DocumentRejected as rejected:  # a version kept under older rules of the contract
        problems = "; ".join(str(p) for p in rejected.problems)
        return error_page(request, visitor, 400, f"Nothing was restored: {problems}")
    return RedirectResponse(model_url(model_id, saved="restored"), status_code=303)


@router.post(f"/models/{{model_id}}/{OBSERVATIONS.plural}")
def add_observation(
    request: Request, session: SessionDep, visitor: WriterDep, form: FormDep, model_id: str
) -> Response:
    expected = form_version(form)
    if expected is None:
        return error_page(
            request, visitor, 400, "Nothing was added: the form lost the model's version."
        )
    indicator = str(form.get("indicator") or "")
    node, _, key = indicator.partition("/")  # a node id has no "/"
    value: Any = str(form.get("value") or "").strip()
    with contextlib.suppress(ValueError):  # else kept as text: the service says it is no number
        value = float(value) if "." in value or "e" in value.lower() else int(value)
    row: dict[str, Any] = {
        "node": node,
        "indicator": key,
        "date": str(form.get("date") or ""),
        "value": value,
    }
    note = str(form.get("note") or "").strip()
    if note:
        row["note"] = note
    try:
        observation_service.add_observations(
            session,
            visitor.principal.workspace_id,
            model_id,
            json.dumps([row]).encode(),
            "json",
            expected_version=expected,
        )
    except errors.VersionConflict as conflict:
        return error_page(
            request,
            visitor,
            409,
            f"Nothing was added: the model changed since you opened the page (you had version "
            f"{expected}, it is now at {conflict.current}). Reload it and add the value again.",
        )
    except errors.NotFound as missing:
        return error_page(request, visitor, 404, f"Nothing was added: {missing}.")
    except DocumentRejected as rejected:
        problems = "; ".join(p.message for p in rejected.problems)
        return error_page(request, visitor, 400, f"Nothing was added: {problems}")
    return RedirectResponse(model_url(model_id, saved="observed") + "#indicators", status_code=303)
