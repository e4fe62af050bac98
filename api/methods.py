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

__all__ = ["AllowMiddleware", "allowed_methods"]

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
