"""`OPTIONS` and `405` answers that agree: both name every method the path's routes take.

Starlette answers a method a path does not take with 405 and an `Allow` naming the methods of
the first route whose path matched, though several routes may share a path (`GET` and `POST
/models`), and it answers `OPTIONS` the same way. This middleware answers `OPTIONS` itself,
`204` with `Allow` listing every method of every route of that path (and `OPTIONS`), and
writes the same list into every 405 it passes on. A path no route takes is left to the
router (404).
"""

from __future__ import annotations

from typing import Any

from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AllowMiddleware", "ConditionalGetMiddleware", "allowed_methods", "none_match"]

_TRIED = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(app: Any, scope: Scope) -> list[str]:
    """The methods the routes of `scope`'s path take, in a fixed order; [] when none.

    Each method is tried against the routes as the router itself would match it (included
    routers and all); a mount (static files) answers for itself and counts for nothing here.
    """
    router = getattr(app, "router", None)
    routes = [route for route in getattr(router, "routes", ()) if not isinstance(route, Mount)]
    methods = [
        method
        for method in _TRIED
        if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in routes)
    ]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")  # served by ConditionalGetMiddleware
    return [*methods, "OPTIONS"] if methods else []


class AllowMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        root = scope.get("app")
        if scope["method"] == "OPTIONS":
            methods = allowed_methods(root, scope)
            if methods:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 204,
                        "headers": [(b"allow", ", ".join(methods).encode())],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return

        async def send_with_allow(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                methods = allowed_methods(root, scope)
                if methods:
                    headers = [(k, v) for k, v in message.get("headers", []) if k != b"allow"]
                    headers.append((b"allow", ", ".join(methods).encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_allow)


def _tags(header: str) -> list[str]:
    """The entity tags of an `If-None-Match` header, weak ones compared as strong (§13.1.2)."""
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def none_match(header: str | None, etag: str | None) -> bool:
    """Whether `If-None-Match: header` fails for a representation tagged `etag` (→ 304)."""
    if header is None or etag is None:
        return False
    tags = _tags(header)
    return "*" in tags or etag.removeprefix("W/") in tags


class ConditionalGetMiddleware:
    """`HEAD` like `GET` without the body, and `If-None-Match` answered with `304`.

    A `HEAD` to a path whose routes take `GET` is served by the `GET` route, and only the
    headers are sent (a path with no `GET` is left to the router: 405 with `Allow`). A `GET`
    or `HEAD` carrying `If-None-Match` whose answer is a `200` with a matching `ETag` (or any,
    for `*`) is answered `304 Not Modified` with that `ETag` and no body (RFC 9110 §13.1.2).
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        head = scope["method"] == "HEAD"
        if head:
            root = scope.get("app")
            if "GET" not in allowed_methods(root, scope):
                await self.app(scope, receive, send)
                return
            scope = {**scope, "method": "GET"}
        if_none_match = None
        for key, value in scope.get("headers", ()):
            if key == b"if-none-match":
                if_none_match = value.decode("latin-1")
        if not head and if_none_match is None:
            await self.app(scope, receive, send)
            return
        state = {"drop": False}

        async def conditional_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                etag = next((v.decode("latin-1") for k, v in headers if k == b"etag"), None)
                if message["status"] == 200 and none_match(if_none_match, etag):
                    kept = [(k, v) for k, v in headers if k in _KEPT_ON_304]
                    message = {**message, "status": 304, "headers": kept}
                    state["drop"] = True
                elif head:
                    state["drop"] = True
                await send(message)
                return
            if message["type"] == "http.response.body" and state["drop"]:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(scope, receive, conditional_send)


# What a 304 keeps of the 200 it stands for (RFC 9110 §15.4.5).
_KEPT_ON_304 = {b"etag", b"cache-control", b"content-location", b"date", b"expires", b"vary"}
