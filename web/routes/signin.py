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
    """`/login?token=TOKEN` signs in with the token (the URL `toc serve` prints); else the form.

    A link cannot replace a session of another token by itself: any site can send a browser
    to such a link (login CSRF, putting a person in the sender's workspace). With a session
    already open, the link asks first, with a form only this site's page can send.
    """
    if token is None:
        return login_page(request)
    principal = principal_for_token(session, token)
    if principal is None:
        return login_page(request, 401, INVALID_TOKEN)
    current = request.cookies.get(SESSION_COOKIE)
    if visitor is not None and current is not None and not hmac.compare_digest(current, token):
        return confirm_page(request, visitor, principal, token)
    return signed_in(request, token)


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
    if visitor is not None and not visitor.sent_own_form(form):
        return error_page(request, visitor, 403, "This form came from another site.")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
