"""The model drawn for people over REST: `GET …/map` and `GET …/report`, as HTML.

The REST adapter does not know how a map or a handout is drawn; the composition root hands
the renderers in (`HtmlRenderers` on `app.state.html_renderers`), so `api` never imports `web`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import PrincipalDep, SessionDep
from api.problems import responses
from api.responses import etag
from services import models as model_service
from toc.model import TheoryOfChange

__all__ = ["HtmlRenderers", "router"]


@dataclass(frozen=True)
class HtmlRenderers:
    """How a model becomes a self-contained HTML file: its interactive map, its report."""

    map_html: Callable[[TheoryOfChange], str]
    report_html: Callable[[TheoryOfChange], str]


async def _renderers(request: Request) -> HtmlRenderers:
    renderers: HtmlRenderers = request.app.state.html_renderers
    return renderers


RenderersDep = Annotated[HtmlRenderers, Depends(_renderers)]

router = APIRouter(tags=["models"])


@router.get(
    "/models/{model_id}/map",
    summary="The interactive map of the model",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **responses(401, 404)},
)
def get_map(
    principal: PrincipalDep, session: SessionDep, html: RenderersDep, model_id: str
) -> Response:
    model, version = model_service.get_model(session, principal.workspace_id, model_id)
    return HTMLResponse(html.map_html(model), headers=etag(version))


@router.get(
    "/models/{model_id}/report",
    summary="The report of the model: scorecard, findings by initiative and map, as one HTML file",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **responses(401, 404)},
)
def get_report(
    principal: PrincipalDep, session: SessionDep, html: RenderersDep, model_id: str
) -> Response:
    model, version = model_service.get_model(session, principal.workspace_id, model_id)
    return HTMLResponse(
        html.report_html(model),
        headers={**etag(version), "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
    )
