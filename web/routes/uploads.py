"""Observations from a data office's file: upload, preview what would be stored, then store it.

The preview is made on one version of the model and names it; the store form carries the rows
read (as JSON, dates and numbers already read) and that version, so storing after someone else
wrote answers a conflict rather than mixing the two.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from services import errors
from services import models as model_service
from services import observations as observation_service
from services.item_types import OBSERVATIONS
from toc.errors import DocumentRejected
from toc.observations import DATE_FORMATS, merge_observations, observations_format
from web.deps import SessionDep
from web.forms import form_version
from web.render import error_page, model_url, no_such_model, render
from web.session import FormDep, PageRoute, WriterDep

__all__ = ["router", "PREVIEW_ROWS"]

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# Rows the preview lists; past this it counts the rest (all of them are stored).
PREVIEW_ROWS = 200


# Where a file of observations is previewed and stored: under the services' own word for them.
_ROWS = f"/models/{{model_id}}/{OBSERVATIONS.plural}"


@router.post(_ROWS + "/preview")
def preview(
    request: Request, session: SessionDep, visitor: WriterDep, form: FormDep, model_id: str
) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return error_page(request, visitor, 400, "Choose a CSV or XLSX file of observations.")
    chosen = str(form.get("date_format") or "")
    date_format = chosen if chosen in DATE_FORMATS else None
    skip_blank = form.get("blank") == "skip"
    try:
        model, version = model_service.get_model(session, visitor.principal.workspace_id, model_id)
    except errors.NotFound:
        return no_such_model(request, visitor)
    fmt = observations_format(Path(upload.filename))  # the name is never used as a path
    try:
        rows = OBSERVATIONS.read(
            upload.file.read(), "json" if fmt == "json" else fmt, date_format, skip_blank
        )
        merged = merge_observations(model, rows)
    except DocumentRejected as rejected:
        return render(
            request,
            "observations_preview.html",
            visitor,
            400,
            model=model,
            version=version,
            problems=[str(problem) for problem in rejected.problems],
            filename=upload.filename,
        )
    stored = {
        (node.id, index): {o.date.isoformat(): o.value for o in indicator.observations}
        for node in model.nodes
        for index, indicator in enumerate(node.indicators)
    }
    nodes = {node.id: node for node in merged.nodes}
    shown = []
    for row in rows[:PREVIEW_ROWS]:
        node = nodes[row.node]
        index = next(
            i for i, ind in enumerate(node.indicators) if row.indicator in (ind.id, ind.name)
        )
        before = stored.get((row.node, index), {}).get(str(row.date))
        shown.append(
            {
                "node": node.title,
                "indicator": node.indicators[index].name,
                "date": str(row.date),
                "value": row.value,
                "note": row.note,
                "replaces": before,
            }
        )
    carried = [OBSERVATIONS.carried(row) for row in rows]
    return render(
        request,
        "observations_preview.html",
        visitor,
        model=model,
        version=version,
        problems=[],
        columns=OBSERVATIONS.columns,
        rows=shown,
        total=len(rows),
        skipped=getattr(rows, "skipped", 0),
        carried=json.dumps(carried, ensure_ascii=False),
        filename=upload.filename,
    )


@router.post(_ROWS + "/store")
def store(
    request: Request, session: SessionDep, visitor: WriterDep, form: FormDep, model_id: str
) -> Response:
    expected = form_version(form)
    if expected is None:
        return error_page(
            request, visitor, 400, "Nothing was stored: the form lost the preview's version."
        )
    rows: Any = str(form.get("rows") or "[]")
    try:
        observation_service.add_observations(
            session,
            visitor.principal.workspace_id,
            model_id,
            rows.encode("utf-8"),
            "json",
            expected_version=expected,
        )
    except errors.VersionConflict as conflict:
        return error_page(
            request,
            visitor,
            409,
            f"Nothing was stored: the preview was made on version {expected}, and the model "
            f"has changed since (it is now at version {conflict.current}). Upload the file "
            "again to see what it would change now.",
        )
    except errors.NotFound as missing:
        return error_page(request, visitor, 404, f"Nothing was stored: {missing}.")
    except DocumentRejected as rejected:
        problems = "; ".join(str(p) for p in rejected.problems[:20])
        return error_page(request, visitor, 400, f"Nothing was stored: {problems}")
    return RedirectResponse(model_url(model_id, saved="observed") + "#indicators", status_code=303)
