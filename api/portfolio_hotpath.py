"""`GET /api/v1/portfolio` answered before routing when the answer is cached (SQLite stores).

A repeated portfolio request costs no check (services/portfolio.py caches the answer on the
workspace's (model, version) set and the day); through FastAPI it still costs routing, the
dependencies and a hop through the thread pool. This middleware, like api/hotpath.py for
`GET …/check`, answers such a request itself: one statement finds the token's workspace and its
versions, and the cached bytes go out with the route's headers (`application/json`, the ETag).

It answers only what the cache can: a bearer token that is neither revoked nor expired, a query
of `as_of` (a date) and `format=json` at most, no `If-None-Match`, and a SQLite store (read on a
connection of its own that never waits; a busy store lets the route answer). Anything else goes
on to the route unchanged, which stays the one definition of the endpoint.
"""

from __future__ import annotations

import datetime
import sqlite3
import time
from urllib.parse import parse_qsl

from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from services import clock
from services import portfolio as portfolio_service
from services.auth import lookup_hash

__all__ = ["CachedPortfolioMiddleware"]


class CachedPortfolioMiddleware:
    """Answer `GET {prefix}/portfolio` from the cache when it can; else pass it on."""

    def __init__(self, app: ASGIApp, prefix: str):
        self.app = app
        self._path = prefix + "/portfolio"
        self._connection: sqlite3.Connection | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            found = self._cached(scope)
            if found is not None:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(found.json)).encode()),
                            (b"etag", found.etag.encode()),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": found.json})
                return
        await self.app(scope, receive, send)

    def _cached(self, scope: Scope) -> portfolio_service.Portfolio | None:
        path: str = scope["path"]
        root: str = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if path != self._path:
            return None
        as_of = clock.today()
        query = scope.get("query_string", b"").decode("latin-1")
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name == "as_of" and len(value) == 10:
                try:
                    as_of = datetime.date.fromisoformat(value)
                except ValueError:
                    return None
            elif not (name == "format" and value == "json"):
                return None  # anything else is the route's to answer (or refuse)
        headers = Headers(scope=scope)
        if "if-none-match" in headers:
            return None
        scheme, token = get_authorization_scheme_param(headers.get("authorization"))
        token_hash = lookup_hash(token) if scheme.lower() == "bearer" else None
        connection = self._store(scope)
        if token_hash is None or connection is None:
            return None
        try:
            rows = connection.execute(
                portfolio_service.VERSIONS_FOR_TOKEN,
                {"token_hash": token_hash, "now": int(time.time())},
            ).fetchall()
        except sqlite3.Error:
            return None  # busy, or not migrated yet: the route answers
        if not rows:
            return None  # an unknown, revoked or expired token: the route says 401
        read = [(slug, version) for _, slug, version in rows if slug is not None]
        return portfolio_service.cached(rows[0][0], read, as_of)

    def _store(self, scope: Scope) -> sqlite3.Connection | None:
        """A SQLite connection of this middleware's own, made on first use; None otherwise."""
        if self._connection is not None:
            return self._connection
        engine = getattr(getattr(scope.get("app"), "state", None), "engine", None)
        if engine is None or engine.dialect.name != "sqlite":
            return None
        proxied = engine.raw_connection()  # with the engine's settings (WAL)
        connection = proxied.driver_connection
        if not isinstance(connection, sqlite3.Connection):
            proxied.close()
            return None
        proxied.detach()  # ours alone, not returned to the pool
        connection.execute("PRAGMA busy_timeout=0")
        self._connection = connection
        return connection
