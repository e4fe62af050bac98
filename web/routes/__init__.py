"""Every route of the web layer in one router: the pages, one module per resource, the map."""

from fastapi import APIRouter

from web.routes import (
    history,
    links,
    map,
    models,
    nodes,
    portfolio,
    report,
    settings,
    signin,
    uploads,
)

__all__ = ["router"]

router = APIRouter()
for module in (signin, map, report, models, portfolio, nodes, links, history, settings, uploads):
    router.include_router(module.router)
