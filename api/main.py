"""The app factory: routes under /api/v1, the pages, static files, problem details, the body cap.

No engine exists at import time: `create_app` makes one when the app starts (lifespan), from
the settings it is given (tests pass their own `Settings`) or else `get_settings()`, the
environment's (an lru_cache, which tests may clear).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

import web.routes
from api import API_PREFIX, service
from api.config import Settings, get_settings
from api.db import make_engine, run_migrations
from api.hotpath import CachedCheckMiddleware, open_cached_reports
from api.limits import BodyLimitMiddleware
from api.openapi import install_openapi
from api.problems import install_problem_handlers, problem_response
from api.routes import check, health, links, models, nodes, tokens

__all__ = ["create_app", "API_PREFIX"]


DESCRIPTION = """\
Theories of change of school systems, stored, versioned and checked.

Every request but `/healthz` needs `Authorization: Bearer TOKEN` (`toc token create`).
Reads send `ETag: "VERSION"`; writes accept `If-Match` and answer 412 on a stale version.
Errors are RFC 9457 problem details (`application/problem+json`).
"""


def _service_handlers(app: FastAPI) -> None:
    def not_found(_request: Request, exc: Exception) -> JSONResponse:
        return problem_response(404, str(exc), kind="not-found")

    def exists(_request: Request, exc: Exception) -> JSONResponse:
        return problem_response(409, str(exc), kind="already-exists", title="Already exists")

    def conflict(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, service.VersionConflict)
        return problem_response(
            412,
            f"{exc}; nothing was changed: read it again and retry",
            kind="version-conflict",
            title="Version conflict",
            headers={"ETag": f'"{exc.current}"'},
        )

    app.add_exception_handler(service.NotFound, not_found)
    app.add_exception_handler(service.AlreadyExists, exists)
    app.add_exception_handler(service.VersionConflict, conflict)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The toc web app. With `settings`, those are used instead of the environment's."""

    def current_settings() -> Settings:
        return settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        config = current_settings()
        engine = make_engine(config.database_url, busy_timeout_s=config.sqlite_busy_timeout_s)
        if config.migrate_on_start:
            run_migrations(engine)
        app.state.engine = engine
        cached_reports = open_cached_reports(engine)
        app.state.cached_reports = cached_reports
        try:
            yield
        finally:
            await cached_reports.aclose()
            engine.dispose()

    config = current_settings()
    app = FastAPI(
        title="toc",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        separate_input_output_schemas=False,
    )
    # Routes read the app's settings from its state (SettingsDep): no dependency override, as
    # FastAPI rebuilds every route's dependencies on each request while any override is set.
    app.state.settings = config

    api = APIRouter(prefix=API_PREFIX)
    for module in (models, nodes, links, check, tokens):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(health.router, prefix=API_PREFIX, include_in_schema=False)
    app.include_router(web.routes.router)
    if web.STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")

    install_problem_handlers(app)
    _service_handlers(app)
    install_openapi(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    # Outermost, so that a cached report skips routing altogether (see api/hotpath.py).
    app.add_middleware(CachedCheckMiddleware, prefix=API_PREFIX)
    return app
