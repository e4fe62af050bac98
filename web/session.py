"""Who is asking: sign-in, the session cookie, CSRF tokens, the visitor and the write guard.

- Sign-in stores the raw token in an HttpOnly, SameSite=Lax session cookie
  (`services.auth.SESSION_COOKIE`); every request resolves it again, so a revoked token signs out.
- Every POST carries a CSRF token in a hidden field: an HMAC of the session token, which a
  forging site cannot compute (the sign-in form uses a double-submit cookie instead).
- A route that writes takes `WriterDep`: it gets a visitor who may write, or the route never
  runs and the visitor sees why (`Refused`, answered by `PageRoute`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.datastructures import FormData

from services.auth import SESSION_COOKIE, Principal, principal_for_token
from web.deps import SessionDep
from web.render import PAGE_HEADERS, error_page, render

__all__ = [
    "LOGIN_CSRF_COOKIE",
    "csrf_token",
    "confirm_page",
    "Visitor",
    "VisitorDep",
    "FormDep",
    "WriterDep",
    "Refused",
    "PageRoute",
    "login_page",
    "signed_in",
    "to_login",
    "read_only",
]

LOGIN_CSRF_COOKIE = "toc_login_csrf"


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: only a page that knows the session's token can make it."""
    return hmac.new(session_token.encode("utf-8"), b"toc-pages-csrf/1", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Visitor:
    """A signed-in person: their workspace and role, and the CSRF token of their session."""

    principal: Principal
    csrf: str
    # The model the page shows, if any: whether the visitor may write is judged for it (a
    # token limited to some models writes only those; on a page of no model, none is new).
    model_id: str | None = None

    @property
    def can_write(self) -> bool:
        return self.principal.may_write(self.model_id)

    def on_model(self, model_id: str) -> Visitor:
        """This visitor on the page of model `model_id`."""
        return replace(self, model_id=model_id)

    def sent_own_form(self, form: FormData) -> bool:
        """Whether the form carries this session's CSRF token (a forged one cannot)."""
        sent = form.get("csrf")
        return isinstance(sent, str) and hmac.compare_digest(sent, self.csrf)


def _visitor(request: Request, session: SessionDep) -> Visitor | None:
    token = request.cookies.get(SESSION_COOKIE)
    principal = principal_for_token(session, token)
    if principal is None or token is None:
        return None
    return Visitor(principal, csrf_token(token))


VisitorDep = Annotated[Visitor | None, Depends(_visitor)]


# A node's form carries a row of fields per indicator, evidence entry and funding source (up to
# toc/1's 200 each): far past Starlette's default of 1,000 fields. The body cap still bounds it.
MAX_FORM_FIELDS = 20_000


async def _form(request: Request) -> FormData:
    return await request.form(max_fields=MAX_FORM_FIELDS)


FormDep = Annotated[FormData, Depends(_form)]


# -- sign-in ------------------------------------------------------------------------------------
def to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def login_page(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    """The sign-in form, with its double-submit CSRF cookie."""
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", None, status, error=error, login_csrf=nonce)
    response.set_cookie(LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/login")
    return response


def confirm_page(
    request: Request, visitor: Visitor | None, principal: Principal, token: str
) -> HTMLResponse:
    """Show which workspace and role a sign-in link opens, and ask (a signed-in visitor: before
    switching workspace); the button is the sign-in form's same-site POST, with its
    double-submit CSRF cookie. Nothing is signed in by the GET itself."""
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login_confirm.html",
        visitor,
        200,
        login_csrf=nonce,
        token=token,
        target=principal,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/login")
    response.headers["Referrer-Policy"] = "no-referrer"  # the page's URL holds a token
    response.headers["Cache-Control"] = "no-store"
    return response


def signed_in(request: Request, token: str) -> Response:
    """Set the session cookie to a valid token and go to the workspace's models."""
    settings = getattr(request.app.state, "settings", None)
    response = RedirectResponse("/models", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=bool(getattr(settings, "cookie_secure", False)),
        path="/",
    )
    if LOGIN_CSRF_COOKIE in request.cookies:
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# -- the write guard ----------------------------------------------------------------------------
class Refused(Exception):  # noqa: N818 - a refusal, not an error of toc's
    """A page's request stops here; `response` tells the visitor why."""

    def __init__(self, response: Response):
        super().__init__(response.status_code)
        self.response = response


class PageRoute(APIRoute):
    """A page route: a `Refused` raised by a dependency or the handler becomes its response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except Refused as refused:
                return refused.response

        return page_handler


def read_only(request: Request, visitor: Visitor, model_id: str | None = None) -> HTMLResponse:
    """The answer to a visitor who may not write this model (`model_id`; None: a new one)."""
    principal = visitor.principal
    if not principal.can_write:
        message = f"A {principal.role.value} can read models but not change them."
    elif model_id is None:
        message = (
            "Your sign-in writes only some models of this workspace "
            f"({', '.join(sorted(principal.models or ()))}): it cannot create or import models."
        )
    else:
        message = (
            f"Your sign-in can read '{model_id}' but not change it: it writes only "
            f"{', '.join(sorted(principal.models or ()))}. Ask an admin of "
            f"{principal.workspace} if you should."
        )
    return error_page(request, visitor, 403, message)


def _writer(request: Request, visitor: VisitorDep, form: FormDep) -> Visitor:
    """Who may write with this POST: not signed in (401), a viewer or a token limited to other
    models (403), a forged form (403). The model is the path's `model_id`; a route without
    one creates models, which a token limited to some models may not."""
    if visitor is None:
        raise Refused(login_page(request, 401, "Sign in first."))
    model_id = request.path_params.get("model_id")
    model_id = model_id if isinstance(model_id, str) else None
    if not visitor.principal.may_write(model_id):
        raise Refused(read_only(request, visitor, model_id))
    if not visitor.sent_own_form(form):
        raise Refused(
            error_page(
                request,
                visitor,
                403,
                "This form is out of date or came from another site. "
                "Reload the page and try again.",
            )
        )
    return visitor


WriterDep = Annotated[Visitor, Depends(_writer)]
