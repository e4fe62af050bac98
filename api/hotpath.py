"""The hottest read, answered before routing: `GET /api/v1/models/{id}/check` from the cache.

Other planning tools call `GET .../check` more than anything else, and once a model's report
is cached for its current version the answer is one indexed query and a copy of bytes.
Through FastAPI the same answer costs several times that (matching the route among all the
API's and pages' routes, solving its dependencies, a hop through the thread pool), so this
middleware answers such a request itself, with the body and headers the route sends
(`json_text`: `application/json`, `ETag: "VERSION"`).

It answers only what the cache can answer: a bearer token of the model's workspace and a
report cached for the model's current version and for today (UTC). Anything else,
including a store that is busy or down, goes on to the route unchanged, which answers as
it always does (401, 404, or a fresh check that fills the cache). So the route stays the
one definition of the endpoint, in OpenAPI and in behaviour; this is a cache in front of it.

How the query runs depends on the store:

- SQLite: on the event loop, on a connection of its own with no busy wait. A read in WAL
  mode does not wait for writers, and this one takes microseconds (plus a copy of the
  report), less than a hop through the thread pool; should SQLite ever say it is busy, the
  route answers, from a thread, waiting as usual.
- PostgreSQL: on the event loop too, but without holding it, in psycopg's async mode, as
  one statement outside any transaction (no BEGIN, no ROLLBACK, no pool ping), on
  connections from a `psycopg_pool` pool whose checkout never waits for a busy one.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from typing import Any, Protocol

import psycopg
import psycopg.adapt
from fastapi.security.utils import get_authorization_scheme_param
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine, text
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from api.responses import json_text
from services import clock
from services.auth import lookup_hash
from services.store import CACHED_REPORT_FOR_TOKEN, MODEL_ID, could_be_stored

__all__ = [
    "CachedReports",
    "CachedCheckMiddleware",
    "open_cached_reports",
    "APPLICATION_NAME",
    "cached_report_parameters",
]


def cached_report_parameters(token: str, model_id: str) -> dict[str, str | int] | None:
    """The parameters of `CACHED_REPORT_FOR_TOKEN` for a token and a model id, or None when
    no row could answer (a token or an id that could never have been stored). `now` lets
    the query refuse an expired token, as it refuses a revoked one.

    The check date is today's (`services.clock`), asked for on every request: a report cached
    yesterday is not served today.
    """
    token_hash = lookup_hash(token)
    if token_hash is None or not could_be_stored(model_id, MODEL_ID):
        return None
    return {
        "token_hash": token_hash,
        "slug": model_id,
        "as_of": clock.today().isoformat(),
        "now": int(time.time()),
    }


# How the PostgreSQL connections of these reads name themselves.
APPLICATION_NAME = "toc cached reports"


class CachedReports(Protocol):
    """Where the middleware finds a cached report: `(report as UTF-8, version)` or None."""

    async def find(self, parameters: dict[str, str | int]) -> tuple[bytes, int] | None: ...

    async def aclose(self) -> None: ...


class _SQLiteReports:
    """Reads on the event loop, from one connection set aside for them that never waits."""

    def __init__(self, engine: Engine):
        proxied = engine.raw_connection()  # with the engine's settings: WAL, autocommit reads
        connection = proxied.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        proxied.detach()  # ours alone, and closed by us, not returned to the pool
        connection.execute("PRAGMA busy_timeout=0")
        connection.text_factory = bytes  # the report is sent as stored: no decoding, no encoding
        self._connection = connection

    async def find(self, parameters: dict[str, str | int]) -> tuple[bytes, int] | None:
        try:
            row = self._connection.execute(CACHED_REPORT_FOR_TOKEN, parameters).fetchone()
        except sqlite3.Error:
            return None  # busy, or not migrated yet: the route answers
        return None if row is None else (row[1], row[0])

    async def aclose(self) -> None:
        self._connection.close()


class _PostgresReports:
    """Reads on the event loop in psycopg's async mode, from a pool of a few connections.

    The pool (`psycopg_pool.AsyncConnectionPool`) keeps up to `SIZE` connections in
    autocommit, so a read is one statement and one round trip (psycopg prepares it on the
    server after a few runs). A checkout never waits for a busy connection: when all are
    checked out the route answers; it waits only while a new connection is being made, as
    any first read of a store does. A connection that fails, or whose read is cancelled
    half-way, is closed, and the pool drops it and opens another when next asked.
    """

    SIZE = 8
    # How long a read may wait for the pool to open a connection (not for a busy one).
    CONNECT_WAIT_S = 10.0
    IDLE_WAIT_S = 0.01

    def __init__(self, engine: Engine):
        args, options = engine.dialect.create_connect_args(engine.url)
        options.pop("context", None)  # SQLAlchemy's own type adapters: these reads need none
        options.setdefault("application_name", APPLICATION_NAME)  # named in pg_stat_activity
        options["client_encoding"] = "utf8"  # the report's bytes are sent on as UTF-8
        options["autocommit"] = True
        self._statement = str(text(CACHED_REPORT_FOR_TOKEN).compile(dialect=engine.dialect))
        self._pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            " ".join(args),
            kwargs=dict(options),
            min_size=0,
            max_size=self.SIZE,
            open=False,  # opened on the first read, inside the event loop that serves
            configure=_configure,
            name="toc-cached-reports",
        )
        self._opened = False

    async def find(self, parameters: dict[str, str | int]) -> tuple[bytes, int] | None:
        try:
            if not self._opened:
                self._opened = True
                await self._pool.open(wait=False)
            stats = self._pool.get_stats()
            if not stats.get("pool_available", 0) and stats.get("pool_size", 0) >= self.SIZE:
                return None  # every connection is busy: the route answers at once
            # An idle connection is taken at once. psycopg_pool refuses a timeout of 0 outright
            # (and one too short to reach the pool's lock), so a race with another read for
            # the last idle one costs at most IDLE_WAIT_S before the route answers.
            idle = stats.get("pool_available", 0)
            timeout = self.IDLE_WAIT_S if idle else self.CONNECT_WAIT_S
            connection = await self._pool.getconn(timeout=timeout)
        except Exception:
            return None  # the store is unreachable, or the pool is busy: the route answers
        try:
            cursor = await connection.execute(self._statement, parameters)
            row = await cursor.fetchone()
        except BaseException as failed:
            await _close_quietly(connection)  # the pool drops a closed connection
            await self._pool.putconn(connection)
            if isinstance(failed, Exception):
                return None  # a cache that cannot answer lets the route answer
            raise  # cancelled
        await self._pool.putconn(connection)
        return None if row is None else (row[1], row[0])

    async def aclose(self) -> None:
        if self._opened:
            await self._pool.close()


async def _configure(connection: psycopg.AsyncConnection[Any]) -> None:
    connection.adapters.register_loader("text", _StoredBytes)


class _StoredBytes(psycopg.adapt.Loader):
    """Text as the bytes the server sends (UTF-8, the connection's encoding): the report goes
    out as stored, with no decoding here and no encoding in the response."""

    def load(self, data: Any) -> bytes:
        return bytes(data)


async def _close_quietly(connection: psycopg.AsyncConnection[Any]) -> None:
    with contextlib.suppress(Exception):
        await connection.close()


def open_cached_reports(engine: Engine) -> CachedReports:
    """The way to read cached reports that suits the engine's store."""
    if engine.dialect.name == "sqlite":
        return _SQLiteReports(engine)
    return _PostgresReports(engine)


class CachedCheckMiddleware:
    """Answer `GET {prefix}/models/{id}/check` from the cache when it can; else pass it on.

    The reports are looked up in `app.state.cached_reports`, which the app's lifespan opens
    with the engine; before that (or without it) every request passes on.
    """

    def __init__(self, app: ASGIApp, prefix: str):
        self.app = app
        self._path = re.compile(re.escape(prefix) + r"/models/([^/]+)/check")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            answer = await self._cached(scope)
            if answer is not None:
                report, version = answer
                await json_text(report, version)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _cached(self, scope: Scope) -> tuple[bytes, int] | None:
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        matched = self._path.fullmatch(path)
        if matched is None:
            return None
        # The token is read exactly as the route's HTTPBearer reads it.
        scheme, token = get_authorization_scheme_param(Headers(scope=scope).get("authorization"))
        if scheme.lower() != "bearer":
            return None
        parameters = cached_report_parameters(token, matched.group(1))
        app = scope.get("app")
        reports: CachedReports | None = getattr(getattr(app, "state", None), "cached_reports", None)
        if parameters is None or reports is None:
            return None
        return await reports.find(parameters)
