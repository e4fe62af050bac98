"""One router per resource, thin over `services`; `api_router` puts them under the prefix."""

from __future__ import annotations

from fastapi import APIRouter

from api import API_PREFIX
from api.routes import check, health, links, models, nodes, portfolio, tokens, versions, views

__all__ = ["API_PREFIX", "routers", "api_router", "health"]

# Every resource's router, in the order the OpenAPI document lists them.
routers = (
    models.router,
    nodes.router,
    links.router,
    versions.router,
    views.router,
    check.router,
    portfolio.router,
    tokens.router,
)


def api_router() -> APIRouter:
    """Every REST route under `API_PREFIX` (liveness too, kept out of the OpenAPI document).

    `health.router` is also served at the root (`/healthz`) by the composition root.
    """
    api = APIRouter(prefix=API_PREFIX)
    for router in routers:
        api.include_router(router)
    api.include_router(health.router, include_in_schema=False)
    return api
