"""Route dependencies as `Annotated` aliases: the session, the caller, `If-Match`, bodies."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from api.problems import ApiProblem
from services import clock
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
    "may_spell_a_surrogate",
    "reject_unknown_query",
    "NoteDep",
    "AsOfDep",
    "Preconditions",
    "PreconditionsDep",
    "precondition_failed",
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


async def require_editor(request: Request, principal: PrincipalDep) -> Principal:
    """A principal who may write the model the path names (or, with none, create models): an
    editor token limited to some models is refused every other (SPEC §4)."""
    model_id = request.path_params.get("model_id")
    refusal = principal.write_refusal(model_id if isinstance(model_id, str) else None)
    if refusal is not None:
        raise ApiProblem(403, refusal, kind="forbidden")
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


def may_spell_a_surrogate(raw: bytes) -> bool:
    """Whether a JSON body spells a surrogate escape (`"\\udc00"`), which `json_body` checks."""
    return _SURROGATE_ESCAPE.search(raw) is not None


def json_body(raw: bytes) -> Any:
    """Decode a JSON body; malformed JSON is a rejected document with its position.

    JSON may spell an unpaired surrogate (`"\\udc00"`), which is not text and could be
    neither stored nor answered as UTF-8: such a body is rejected here.
    """
    value = decode_json(raw)  # nesting and huge numbers are rejections too
    try:
        if may_spell_a_surrogate(raw):
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        return value
    except UnicodeEncodeError:
        raise DocumentRejected(
            [Problem("$", "contains an unpaired surrogate escape (\\ud800-\\udfff): not text")]
        ) from None


# -- what every route shares: no unknown query parameter, `note`, `as_of`, preconditions ------


def _query_names(dependant: Any) -> frozenset[str]:
    names: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        names.update(getattr(field, "alias", field.name) for field in current.query_params)
        stack.extend(current.dependencies)
    return frozenset(names)


_KNOWN_QUERY: dict[int, frozenset[str]] = {}


async def reject_unknown_query(request: Request) -> None:
    """A query parameter the route does not take is a 422, never silently ignored."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _KNOWN_QUERY.get(id(route))
    if known is None:
        known = _KNOWN_QUERY[id(route)] = _query_names(dependant)
    unknown = [name for name in dict.fromkeys(request.query_params) if name not in known]
    if unknown:
        takes = ", ".join(f"`{name}`" for name in sorted(known)) or "none"
        raise ApiProblem(
            422,
            f"unknown query parameter{'s' if len(unknown) > 1 else ''}: "
            + ", ".join(unknown)
            + f"; this route takes {takes}",
            kind="invalid-request",
            title="Invalid request",
            errors=[Problem(f"query.{name}", "not a parameter of this route") for name in unknown],
        )


async def get_note(
    note: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=1000,
            description="Why this write was made: kept with the version it makes and listed in "
            "`versions` (a write that changes nothing keeps no note).",
        ),
    ] = None,
) -> str | None:
    if note is not None and "\x00" in note:
        # No store keeps NUL in text alike (PostgreSQL refuses it): refused the same everywhere.
        raise ApiProblem(
            422,
            "the note must not contain the NUL character",
            kind="invalid-request",
            title="Invalid request",
            errors=[Problem("query.note", "must not contain the NUL character (\\u0000)")],
        )
    return note


NoteDep = Annotated[str | None, Depends(get_note)]


async def get_as_of(
    as_of: Annotated[
        datetime.date | None,
        Query(description="The day the checks judge by, YYYY-MM-DD (default: today, UTC)."),
    ] = None,
) -> datetime.date:
    return as_of if as_of is not None else clock.today()


AsOfDep = Annotated[datetime.date, Depends(get_as_of)]


@dataclass(frozen=True)
class Preconditions:
    """`If-Match` and `If-None-Match` of a write that may create (RFC 9110 §13.1).

    `expected`: the versions `If-Match` names (None: absent or `*`); `if_match`: whether
    `If-Match` was sent at all (on a missing model it fails, `*` included); `none_match_any`:
    `If-None-Match: *`, which fails on a model that exists.
    """

    expected: Expected
    if_match: bool
    none_match_any: bool


async def get_preconditions(
    if_match: Annotated[
        str | None,
        Header(
            description='The version the write expects, as the ETag sent it: `"VERSION"`. '
            "Stale, or any value on a missing model → 412 and nothing changes."
        ),
    ] = None,
    if_none_match: Annotated[
        str | None,
        Header(description="`*`: create only; a model that exists answers 412."),
    ] = None,
) -> Preconditions:
    return Preconditions(
        parse_if_match(if_match),
        if_match is not None and if_match.strip() != "",
        if_none_match is not None and if_none_match.strip() == "*",
    )


PreconditionsDep = Annotated[Preconditions, Depends(get_preconditions)]


def precondition_failed(detail: str) -> ApiProblem:
    return ApiProblem(412, detail, kind="precondition-failed", title="Precondition failed")
