"""The hottest read, answered before routing: `GET /api/v1/models/{id}/check` from the cache.

Other planning tools call `GET .../check` more than anything else, and once a model's report
is cached for its current version the answer is one indexed query and a copy of bytes.
Through FastAPI the same answer costs several times that (matching the route among all the
API's and pages' routes, solving its dependencies, a hop through the thread pool), so this
middleware answers such a request itself, with the body and headers the route sends
(`json_text`: `application/json`, `ETag: "VERSION;AS_OF"`), and answers its
`If-None-Match` with a 304 as cheaply.

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

Either way a memory of the answers read lately (`_Answers`) serves a repeated read with no
query, for as long as the store can be shown not to have changed since: on SQLite by
`PRAGMA data_version`, which changes with every commit of any other connection or process;
on PostgreSQL by the change notifications its triggers send.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import sqlite3
import time
from typing import Any, Protocol

import psycopg
import psycopg.adapt
from fastapi.security.utils import get_authorization_scheme_param
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine, event, text
from sqlmodel import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from api.methods import none_match
from api.responses import checked_etag, json_media
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


class _Answers:
    """The cached reads answered lately, each with the generation of the store it was read in:
    an answer is served again only while the store's generation is the same and the token
    has not expired since."""

    SIZE = 256

    def __init__(self) -> None:
        # (token hash, model id, day) -> (answer, token's expiry, generation when read)
        self._answers: dict[tuple[Any, ...], tuple[tuple[bytes, int], int | None, object]] = {}

    @staticmethod
    def _key(parameters: dict[str, str | int]) -> tuple[Any, ...]:
        return parameters["token_hash"], parameters["slug"], parameters["as_of"]

    def get(self, parameters: dict[str, str | int], generation: object) -> tuple[bytes, int] | None:
        found = self._answers.get(self._key(parameters))
        if found is None:
            return None
        answer, expires_at, read_in = found
        if read_in != generation:
            return None
        if expires_at is not None and expires_at <= time.time():
            return None  # the token has expired: the query (and then the route) says so
        return answer

    def keep(
        self,
        parameters: dict[str, str | int],
        answer: tuple[bytes, int],
        expires_at: int | None,
        generation: object,
    ) -> None:
        if len(self._answers) >= self.SIZE:
            self._answers.clear()
        self._answers[self._key(parameters)] = (answer, expires_at, generation)

    def clear(self) -> None:
        self._answers.clear()


class _SQLiteReports:
    """Reads on the event loop, from one connection set aside for them that never waits, and a
    memory of the answers no commit has touched since.

    `PRAGMA data_version` on this connection changes whenever another connection, in this
    process or any other, commits to the file; this connection never writes. An answer is
    kept with the data version read just before its query, and served again only while the
    data version is the same: a commit between the two reads makes the answer look older
    than it is, never newer, so it is read again rather than served stale.
    """

    def __init__(self, engine: Engine):
        proxied = engine.raw_connection()  # with the engine's settings: WAL, autocommit reads
        connection = proxied.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        proxied.detach()  # ours alone, and closed by us, not returned to the pool
        connection.execute("PRAGMA busy_timeout=0")
        connection.text_factory = bytes  # the report is sent as stored: no decoding, no encoding
        self._connection = connection
        self._answers = _Answers()

    async def find(self, parameters: dict[str, str | int]) -> tuple[bytes, int] | None:
        try:
            (generation,) = self._connection.execute("PRAGMA data_version").fetchone()
            remembered = self._answers.get(parameters, generation)
            if remembered is not None:
                return remembered
            row = self._connection.execute(CACHED_REPORT_FOR_TOKEN, parameters).fetchone()
        except sqlite3.Error:
            return None  # busy, or not migrated yet: the route answers
        if row is None:
            return None
        found = (row[1], row[0])
        self._answers.keep(parameters, found, row[2], generation)
        return found

    async def aclose(self) -> None:
        self._connection.close()


class _PostgresReports:
    """Reads on the event loop in psycopg's async mode, from a pool of a few connections, and a
    memory of the answers that no write has touched since.

    The pool (`psycopg_pool.AsyncConnectionPool`) keeps up to `SIZE` connections in
    autocommit, so a read is one statement and one round trip (psycopg prepares it on the
    server after a few runs). A checkout never waits for a busy connection: when all are
    checked out the route answers; it waits only while a new connection is being made, as
    any first read of a store does. A connection that fails, or whose read is cancelled
    half-way, is closed, and the pool drops it and opens another when next asked.

    The memory (`_Memo`) answers a repeated read with no round trip at all, for as long as
    nothing it depends on can have changed: every change of a model's row, a token, a
    workspace or a cached report makes PostgreSQL notify `toc_changed` (triggers of
    migration 0006), which one listening connection hears and which empties the memory; a
    commit in this process empties it at once, before its answer is sent. Only while that
    connection listens is anything remembered.
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
        self._memo = _Memo(" ".join(args), dict(options))

    async def find(self, parameters: dict[str, str | int]) -> tuple[bytes, int] | None:
        remembered = self._memo.get(parameters)
        if remembered is not None:
            return remembered
        generation = self._memo.generation
        try:
            if not self._opened:
                self._opened = True
                await self._pool.open(wait=False)
                self._memo.start()
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
        if row is None:
            return None
        found = (row[1], row[0])
        self._memo.keep(parameters, found, row[2], generation)
        return found

    async def aclose(self) -> None:
        await self._memo.aclose()
        if self._opened:
            await self._pool.close()


# Bumped by every commit of a session in this process: a write here is forgotten by the
# memory at once, before its own answer leaves (the notification comes a moment later).
_local_commits = itertools.count()
_local_generation = [0]


@event.listens_for(Session, "after_commit")
def _committed(_session: Session) -> None:
    _local_generation[0] = next(_local_commits) + 1


class _Memo:
    """The PostgreSQL memory: answers kept while one connection listens for the store's
    change notifications, and forgotten with every notification, every commit in this
    process and every loss of that connection."""

    CHANNEL = "toc_changed"
    RETRY_S = 1.0

    def __init__(self, conninfo: str, options: dict[str, Any]):
        self._conninfo = conninfo
        self._options = {**options, "application_name": APPLICATION_NAME, "autocommit": True}
        self._answers = _Answers()
        self._heard = 0  # notifications heard (and connections lost) so far
        self._listening = False
        self._task: asyncio.Task[None] | None = None

    @property
    def generation(self) -> tuple[int, int]:
        return self._heard, _local_generation[0]

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen())

    def _forget(self) -> None:
        self._heard += 1
        self._answers.clear()

    def get(self, parameters: dict[str, str | int]) -> tuple[bytes, int] | None:
        if not self._listening:
            return None
        return self._answers.get(parameters, self.generation)

    def keep(
        self,
        parameters: dict[str, str | int],
        answer: tuple[bytes, int],
        expires_at: int | None,
        generation: tuple[int, int],
    ) -> None:
        if not self._listening or generation != self.generation:
            return  # something may have changed meanwhile: not kept
        self._answers.keep(parameters, answer, expires_at, generation)

    async def _listen(self) -> None:
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(self._conninfo, **self._options)
                try:
                    await connection.execute(f"LISTEN {self.CHANNEL}")
                    self._forget()  # what was read before we listened may be stale already
                    self._listening = True
                    async for _ in connection.notifies():
                        self._forget()
                finally:
                    self._listening = False
                    self._forget()
                    await _close_quietly(connection)
            except asyncio.CancelledError:
                raise
            except Exception:
                self._listening = False
                self._forget()
            await asyncio.sleep(self.RETRY_S)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None


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

    An answer is sent as two ASGI messages built here, with the headers `json_text` gives
    the route's answer (`ETag`, `Content-Length`, `Content-Type: application/json`; a 304
    only the `ETag`), rather than through a Starlette `Response`: on the hottest read its
    header bookkeeping costs more than the lookup.
    """

    def __init__(self, app: ASGIApp, prefix: str):
        self.app = app
        self._path = re.compile(re.escape(prefix) + r"/models/([^/]+)/check")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("query_string"):
            matched = self._path.fullmatch(_route_path(scope))
            if matched is not None:
                authorization, if_none_match = _request_headers(scope)
                answer = await self._cached(scope, authorization, matched.group(1))
                if answer is not None:
                    report, version, day = answer
                    tag = checked_etag(version, day)["ETag"]
                    if none_match(if_none_match, tag):
                        await send(_start(304, [(b"etag", tag.encode())]))
                        await send({"type": "http.response.body", "body": b""})
                        return
                    headers = [
                        (b"etag", tag.encode()),
                        (b"content-length", str(len(report)).encode()),
                        (b"content-type", json_media.encode()),
                    ]
                    await send(_start(200, headers))
                    await send({"type": "http.response.body", "body": report})
                    return
        await self.app(scope, receive, send)

    @staticmethod
    async def _cached(
        scope: Scope, authorization: str | None, model_id: str
    ) -> tuple[bytes, int, str] | None:
        # The token is read exactly as the route's HTTPBearer reads it.
        scheme, token = get_authorization_scheme_param(authorization)
        if scheme.lower() != "bearer":
            return None
        parameters = cached_report_parameters(token, model_id)
        app = scope.get("app")
        reports: CachedReports | None = getattr(getattr(app, "state", None), "cached_reports", None)
        if parameters is None or reports is None:
            return None
        found = await reports.find(parameters)
        return None if found is None else (found[0], found[1], str(parameters["as_of"]))


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :]
    return path


def _request_headers(scope: Scope) -> tuple[str | None, str | None]:
    """`Authorization` and `If-None-Match`, each its first value, as Starlette's `Headers` reads
    them (ASGI gives the names in lower case)."""
    authorization = if_none_match = None
    for name, value in scope["headers"]:
        if name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
        elif name == b"if-none-match" and if_none_match is None:
            if_none_match = value.decode("latin-1")
    return authorization, if_none_match


def _start(status: int, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http.response.start", "status": status, "headers": headers}
