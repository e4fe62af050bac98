"""Route dependencies as `Annotated` aliases: the session, the caller, `If-Match`, bodies."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session

from api.auth import SESSION_COOKIE, Principal, Role, principal_for_token
from api.config import Settings, get_settings
from api.problems import ApiProblem
from api.service import Expected
from toc.errors import DocumentRejected, Problem

__all__ = [
    "SettingsDep",
    "SessionDep",
    "PrincipalDep",
    "EditorDep",
    "AdminDep",
    "IfMatchDep",
    "RawBodyDep",
    "get_session",
    "get_principal",
    "cookie_principal",
    "parse_if_match",
    "json_body",
]

SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    """One session per request, closed when the response is sent."""
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(
    auto_error=False,
    description="A token from `toc token create --workspace W --role R`, scoped to W.",
)


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The workspace and role of the bearer token; 401 without a known one."""
    if credentials is None:
        raise ApiProblem(
            401,
            "send a token: Authorization: Bearer TOKEN",
            kind="unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = principal_for_token(session, credentials.credentials)
    if principal is None:
        raise ApiProblem(
            401,
            "the token is not valid",
            kind="unauthorized",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_editor(principal: PrincipalDep) -> Principal:
    if not principal.can_write:
        raise ApiProblem(403, f"a {principal.role.value} token cannot write", kind="forbidden")
    return principal


def require_admin(principal: PrincipalDep) -> Principal:
    if principal.role is not Role.ADMIN:
        raise ApiProblem(403, "only an admin token can manage tokens", kind="forbidden")
    return principal


EditorDep = Annotated[Principal, Depends(require_editor)]
AdminDep = Annotated[Principal, Depends(require_admin)]


def cookie_principal(request: Request, session: SessionDep) -> Principal | None:
    """For the pages: the principal of the session cookie's token, or None when signed out."""
    return principal_for_token(session, request.cookies.get(SESSION_COOKIE))


def parse_if_match(value: str | None) -> Expected:
    """`If-Match` as the versions a write expects: None when absent or `*`.

    `"7"`, `W/"7"` and a bare `7` all mean version 7; a tag that is no version at all can
    never match, so the write answers 412.
    """
    if value is None or value.strip() in ("", "*"):
        return None
    versions: list[int] = []
    for tag in value.split(","):
        tag = tag.strip()
        tag = tag.removeprefix("W/").strip('"')
        if tag.isdigit() and tag.isascii() and len(tag) < 19:
            versions.append(int(tag))
    return versions


def get_if_match(
    if_match: Annotated[
        str | None,
        Header(
            description='The version the write expects, as the ETag sent it: `"VERSION"`. '
            "Stale → 412 and nothing changes; absent → the write applies to the current version."
        ),
    ] = None,
) -> Expected:
    return parse_if_match(if_match)


IfMatchDep = Annotated[Expected, Depends(get_if_match)]


async def raw_body(request: Request) -> bytes:
    """The request body, read once (the size limit is enforced as it streams in)."""
    return await request.body()


RawBodyDep = Annotated[bytes, Depends(raw_body)]


def json_body(raw: bytes) -> Any:
    """Decode a JSON body; malformed JSON is a rejected document with its position."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as bad:
        raise DocumentRejected(
            [Problem("$", f"not valid JSON: {bad.msg} at line {bad.lineno}, column {bad.colno}")]
        ) from None
    except (UnicodeDecodeError, RecursionError) as bad:
        raise DocumentRejected([Problem("$", f"not a readable JSON body: {bad}")]) from None
