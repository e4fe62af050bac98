"""`GET /api/v1/models/{model_id}/map`: the interactive map of a stored model, as HTML."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from api import API_PREFIX
from api.deps import PrincipalDep, SessionDep
from api.problems import responses
from api.responses import etag
from api.services import models

router = APIRouter(prefix=f"{API_PREFIX}/models", tags=["models"])


@router.get(
    "/{model_id}/map",
    summary="The interactive map of the model",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **responses(401, 404)},
)
def get_map(principal: PrincipalDep, session: SessionDep, model_id: str) -> Response:
    from web.map import render_map_html  # the map loads pyvis and Jinja2: only when asked

    model, version = models.get_model(session, principal.workspace_id, model_id)
    return HTMLResponse(render_map_html(model), headers=etag(version))
