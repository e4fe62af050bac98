"""The report over HTTP: `GET /api/v1/models/{id}/report` (bearer token) and the page's link to it.

The report is one self-contained HTML file (`web.report`); the API route serves it beside
the map's, and `/models/{id}/report` serves the same file to a signed-in visitor, so that
the model's page can link to it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api import API_PREFIX
from api.deps import PrincipalDep, SessionDep
from api.problems import responses
from api.responses import etag
from api.services import errors
from api.services import models as model_service
from toc.model import TheoryOfChange
from web.render import no_such_model
from web.report import render_report_html
from web.session import PageRoute, VisitorDep, to_login

router = APIRouter()
pages = APIRouter(include_in_schema=False, route_class=PageRoute)


def _report_response(model: TheoryOfChange, version: int) -> HTMLResponse:
    return HTMLResponse(
        render_report_html(model),
        headers={**etag(version), "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )


@router.get(
    f"{API_PREFIX}/models/{{model_id}}/report",
    summary="The report of the model: scorecard, findings by initiative and map, as one HTML file",
    tags=["models"],
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **responses(401, 404)},
)
def get_report(principal: PrincipalDep, session: SessionDep, model_id: str) -> Response:
    model, version = model_service.get_model(session, principal.workspace_id, model_id)
    return _report_response(model, version)


@pages.get("/models/{model_id}/report")
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


router.include_router(pages)
