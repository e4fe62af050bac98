"""vis-network for the pages and the map files, served by toc itself (no CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from web.map.assets import VIS_HEADERS, VIS_URL, vis_network_js

router = APIRouter()


@router.get(VIS_URL, include_in_schema=False)
def vis_network() -> Response:
    """vis-network, served from the installed pyvis package: the pages need no CDN."""
    return Response(
        vis_network_js(),
        media_type="text/javascript; charset=utf-8",
        headers=VIS_HEADERS,
    )
