"""The app factory: the service's routes under /api/v1, the pages and map, static files, the
problem details, the OpenAPI document, the body cap and the cached-check fast path.

No engine exists at import time: `create_app` opens the store when the app starts (lifespan),
from the settings it is given (tests pass their own `Settings`) or else `get_settings()`, the
environment's (an lru_cache, which tests may clear).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import web
from api import API_PREFIX
from api.hotpath import CachedCheckMiddleware
from api.lifespan import store_lifespan
from api.limits import BodyLimitMiddleware
from api.methods import AllowMiddleware, ConditionalGetMiddleware
from api.openapi import API_DESCRIPTION, install_openapi
from api.portfolio_hotpath import CachedPortfolioMiddleware
from api.problems import install_problem_handlers
from api.routes import api_router, health, problems
from api.routes.views import HtmlRenderers
from app.serve import redact_tokens_in_access_log
from services.config import Settings, get_settings
from web.map import render_map_html
from web.report import render_report_html
from web.routes import router as web_router

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The toc web app. With `settings`, those are used instead of the environment's."""

    def current_settings() -> Settings:
        return settings if settings is not None else get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with store_lifespan(app, current_settings()):
            yield

    config = current_settings()
    # Sign-in URLs carry tokens: whoever serves this app logs them redacted.
    redact_tokens_in_access_log()
    app = FastAPI(
        title="toc",
        version="1",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        separate_input_output_schemas=False,
    )
    # Routes read the app's settings from its state (SettingsDep): no dependency override, as
    # FastAPI rebuilds every route's dependencies on each request while any override is set.
    app.state.settings = config
    # The REST adapter serves maps and reports drawn by the pages' renderers, handed in here.
    # Each draws a model as the report pipeline checked it (services.reports.Checked).
    app.state.html_renderers = HtmlRenderers(
        map_html=lambda c: render_map_html(c.model, report=c.report, graph=c.graph),
        report_html=lambda c: render_report_html(c.model, report=c.report, graph=c.graph),
    )

    app.include_router(api_router())
    app.include_router(health.router)
    app.include_router(problems.router)
    app.include_router(web_router)
    if web.STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=web.STATIC_DIR), name="static")

    install_problem_handlers(app)
    install_openapi(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=config.max_body_bytes)
    app.add_middleware(AllowMiddleware)
    app.add_middleware(ConditionalGetMiddleware)
    # Outermost, so that a cached report skips routing altogether (see api/hotpath.py).
    app.add_middleware(CachedCheckMiddleware, prefix=API_PREFIX)
    app.add_middleware(CachedPortfolioMiddleware, prefix=API_PREFIX)  # the same, for /portfolio
    return app
