"""The map over HTTP: `GET /api/v1/models/{id}/map` (a REST route, bearer token) and vis-network.

The map route is documented in the API's OpenAPI with the models' routes; it lives here
because the api does not know the map.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse

from api import API_PREFIX
from api.deps import PrincipalDep, SessionDep
from api.problems import responses
from api.responses import etag
from api.services import models as model_service
from web.map import render_map_html
from web.map.assets import VIS_HEADERS, VIS_URL, vis_network_js

router = APIRouter()


@router.get(
    f"{API_PREFIX}/models/{{model_id}}/map",
    summary="The interactive map of the model",
    tags=["models"],
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}, **responses(401, 404)},
)
def get_map(principal: PrincipalDep, session: SessionDep, model_id: str) -> Response:
    model, version = model_service.get_model(session, principal.workspace_id, model_id)
    return HTMLResponse(render_map_html(model), headers=etag(version))


@router.get(VIS_URL, include_in_schema=False)
def vis_network() -> Response:
    """vis-network, served from the installed pyvis package: the pages need no CDN."""
    return Response(
        vis_network_js(),
        media_type="text/javascript; charset=utf-8",
        headers=VIS_HEADERS,
    )
