"""The report for a signed-in visitor: `/models/{id}/report`, the file the model's page links to.

The report is one self-contained HTML file (`web.report`); the REST adapter serves the same
file at `GET /api/v1/models/{id}/report` with the renderer the composition root hands it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from services import errors
from services import models as model_service
from toc.model import TheoryOfChange
from web.deps import SessionDep
from web.render import no_such_model
from web.report import render_report_html
from web.session import PageRoute, VisitorDep, to_login

router = APIRouter(include_in_schema=False, route_class=PageRoute)


def _report_response(model: TheoryOfChange, version: int) -> HTMLResponse:
    return HTMLResponse(
        render_report_html(model),
        headers={
            "ETag": f'"{version}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.get("/models/{model_id}/report")
def report_page(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str
) -> Response:
    if visitor is None:
        return to_login()
    try:
        model, version = model_service.get_model(session, visitor.principal.workspace_id, model_id)
    except errors.NotFound:
        return no_such_model(request, visitor)
    return _report_response(model, version)
