"""Route dependencies as `Annotated` aliases: the session, the caller, `If-Match`, bodies."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from api.problems import ApiProblem
from services.auth import Principal, Role, principal_for_token
from services.config import Settings, get_settings
from services.errors import Expected
from toc.errors import DocumentRejected, Problem
from toc.limits import decode_json

__all__ = [
    "SettingsDep",
    "SessionDep",
    "EngineDep",
    "PrincipalDep",
    "EditorDep",
    "AdminDep",
    "IfMatchDep",
    "RawBodyDep",
    "get_session",
    "get_principal",
    "resolve_principal",
    "CredentialsDep",
    "parse_if_match",
    "json_body",
]


async def app_settings(request: Request) -> Settings:
    """The settings the app was made with (`create_app(settings)`, else `get_settings()`)."""
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


async def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]


async def get_session(engine: EngineDep) -> AsyncIterator[Session]:
    """One session per request, closed when the response is sent.

    Making a session does no I/O, so this runs on the event loop: a sync dependency would
    cost a trip through the thread pool, and those trips, not SQL, dominate a cached read.
    """
    session = Session(engine)
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(
    auto_error=False,
    description="A token from `toc token create --workspace W --role R`, scoped to W.",
)
CredentialsDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _missing_token() -> ApiProblem:
    return ApiProblem(
        401,
        "send a token: Authorization: Bearer TOKEN",
        kind="unauthorized",
        headers={"WWW-Authenticate": "Bearer"},
    )


def resolve_principal(
    session: Session, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The workspace and role of the bearer token; 401 without a known one (blocking I/O)."""
    if credentials is None:
        raise _missing_token()
    principal = principal_for_token(session, credentials.credentials)
    if principal is None:
        raise ApiProblem(
            401,
            "the token is not valid",
            kind="unauthorized",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return principal


async def get_principal(session: SessionDep, credentials: CredentialsDep) -> Principal:
    """`resolve_principal` as a dependency: no token is refused without touching the store."""
    if credentials is None:
        raise _missing_token()
    return await run_in_threadpool(resolve_principal, session, credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def require_editor(principal: PrincipalDep) -> Principal:
    if not principal.can_write:
        raise ApiProblem(403, f"a {principal.role.value} token cannot write", kind="forbidden")
    return principal


async def require_admin(principal: PrincipalDep) -> Principal:
    if principal.role is not Role.ADMIN:
        raise ApiProblem(403, "only an admin token can manage tokens", kind="forbidden")
    return principal


EditorDep = Annotated[Principal, Depends(require_editor)]
AdminDep = Annotated[Principal, Depends(require_admin)]


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


async def get_if_match(
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
    try:
        return await request.body()
    except ClientDisconnect:
        # The body limit cut the body off (its 413 is already sent) or the client went away:
        # either way nobody reads this answer, but it must not surface as a server error.
        raise ApiProblem(413, "the request body was cut off", kind="body-too-large") from None


RawBodyDep = Annotated[bytes, Depends(raw_body)]


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def json_body(raw: bytes) -> Any:
    """Decode a JSON body; malformed JSON is a rejected document with its position.

    JSON may spell an unpaired surrogate (`"\\udc00"`), which is not text and could be
    neither stored nor answered as UTF-8: such a body is rejected here.
    """
    value = decode_json(raw)  # nesting and huge numbers are rejections too
    try:
        if _SURROGATE_ESCAPE.search(raw):
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        raise DocumentRejected(
            [Problem("$", "contains an unpaired surrogate escape (\\ud800-\\udfff): not text")]
        ) from None
