"""The service's life around an app: the engine and the cached-report reader, opened and closed.

No engine exists at import time: the composition root enters `store_lifespan` when the app
starts, with the settings it was given.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.hotpath import open_cached_reports
from services.config import Settings
from services.db import make_engine, run_migrations

__all__ = ["store_lifespan"]


@asynccontextmanager
async def store_lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    """Open the store for `app` (`app.state.engine`, `app.state.cached_reports`); close it after."""
    engine = make_engine(settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    if settings.migrate_on_start:
        run_migrations(engine)
    app.state.engine = engine
    cached_reports = open_cached_reports(engine)
    app.state.cached_reports = cached_reports
    try:
        yield
    finally:
        await cached_reports.aclose()
        engine.dispose()
