"""Signing in and out: the sign-in form, `/login?token=` links, and the way home."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.auth import SESSION_COOKIE, principal_for_token
from web.deps import SessionDep
from web.render import error_page
from web.session import (
    LOGIN_CSRF_COOKIE,
    FormDep,
    PageRoute,
    VisitorDep,
    confirm_page,
    csrf_token,
    login_page,
    signed_in,
)

router = APIRouter(include_in_schema=False, route_class=PageRoute)

INVALID_TOKEN = "That token is not valid. Ask an admin for a new one."


@router.get("/")
def home(visitor: VisitorDep) -> Response:
    return RedirectResponse("/models" if visitor else "/login", status_code=303)


@router.get("/login")
def login(
    request: Request, session: SessionDep, visitor: VisitorDep, token: str | None = None
) -> Response:
    """`/login?token=TOKEN` (the URL `toc serve` prints) shows which workspace and role the
    token opens, and a button; else the sign-in form.

    A link signs nobody in by itself: any site can send a browser to such a link (login CSRF,
    putting a person in the sender's workspace, or out of their own). The button is a
    same-site POST carrying a nonce only this page knows (SPEC §4). The same token as the
    open session's changes nothing and goes straight to the models.
    """
    if token is None:
        return login_page(request)
    principal = principal_for_token(session, token)
    if principal is None:
        return login_page(request, 401, INVALID_TOKEN)
    current = request.cookies.get(SESSION_COOKIE)
    if visitor is not None and current is not None and hmac.compare_digest(current, token):
        return RedirectResponse("/models", status_code=303)
    return confirm_page(request, visitor, principal, token)


@router.post("/login")
def login_form(request: Request, session: SessionDep, form: FormDep) -> Response:
    sent = form.get("login_csrf")
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not (isinstance(sent, str) and expected and hmac.compare_digest(sent, expected)):
        return login_page(request, 403, "The sign-in form expired. Please try again.")
    token = form.get("token")
    token = token.strip() if isinstance(token, str) else ""
    if principal_for_token(session, token) is None:
        return login_page(request, 401, INVALID_TOKEN)
    return signed_in(request, token)


@router.post("/logout")
def logout(request: Request, visitor: VisitorDep, form: FormDep) -> Response:
    """Sign out: only with the session's own form (its CSRF value), whether or not the session
    is still valid. A cross-site POST carries no SameSite session cookie, so it could prove
    nothing, and it signs nobody out (it was the first half of a login CSRF)."""
    current = request.cookies.get(SESSION_COOKIE)
    sent = form.get("csrf")
    if not (
        current
        and isinstance(sent, str)
        and hmac.compare_digest(sent.encode("utf-8"), csrf_token(current).encode("utf-8"))
    ):
        return error_page(
            request,
            visitor,
            403,
            "This sign-out form came from another site or is out of date: nothing was changed.",
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
