"""Every route of the web layer, in one router: the pages, one module per resource, and the map."""

from fastapi import APIRouter

from web.routes import history, links, map, models, nodes, signin

__all__ = ["router"]

router = APIRouter()
for module in (signin, map, models, nodes, links, history):
    router.include_router(module.router)
