"""One router per resource, thin over `services`; `api_router` puts them under the prefix."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute

from api import API_PREFIX
from api.deps import reject_unknown_query
from api.routes import (
    batch,
    check,
    health,
    items,
    models,
    portfolio,
    problems,
    tokens,
    versions,
    views,
)

__all__ = ["API_PREFIX", "routers", "api_router", "health", "problems", "operation_id"]

# Every resource's router, in the order the OpenAPI document lists them.
routers = (
    models.router,
    items.router,
    batch.router,
    versions.router,
    views.router,
    check.router,
    portfolio.router,
    tokens.router,
)


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI `operationId`: its name in camelCase (`patch_node` → `patchNode`)."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def api_router() -> APIRouter:
    """Every REST route under `API_PREFIX` (liveness too, kept out of the OpenAPI document).

    `health.router` is also served at the root (`/healthz`) by the composition root. Every
    route refuses a query parameter it does not take (422), and is named in the OpenAPI
    document by a short camelCase `operationId`.
    """
    api = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(reject_unknown_query)],
        generate_unique_id_function=operation_id,
    )
    for router in routers:
        api.include_router(router)
    api.include_router(health.router, include_in_schema=False)
    return api
