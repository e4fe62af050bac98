"""RFC 9457 problem details: the one error shape of the service, and the handlers that make it.

Every error leaves the service as `application/problem+json` with `type`, `title`, `status`,
`detail`, and, for a rejected document or request, `errors`: every `{path, message}` at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.errors import AlreadyExists, NotFound, VersionConflict
from toc.document import format_path
from toc.errors import DocumentRejected, UnwritableText
from toc.errors import Problem as Fault

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_BASE",
    "PROBLEM_TYPES",
    "ProblemType",
    "problem_type_url",
    "Problem",
    "ProblemDetails",
    "ErrorItem",
    "ApiProblem",
    "problem_response",
    "install_problem_handlers",
    "responses",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Problem types of our own are pages toc serves (`/problems/KIND`, absolute URLs on the server
# that answered); plain HTTP errors use "about:blank" as RFC 9457 §4.2.1 suggests.
PROBLEM_BASE = "/problems/"


@dataclass(frozen=True)
class ProblemType:
    """One kind of problem: its status, its title, what it means and how to fix it."""

    status: int
    title: str
    means: str
    fix: str


PROBLEM_TYPES: dict[str, ProblemType] = {
    "unauthorized": ProblemType(
        401,
        "Unauthorized",
        "The request carried no bearer token, or one the service does not know, or one that "
        "was revoked or has expired.",
        "Send `Authorization: Bearer TOKEN` with a live token: `toc token create --workspace W "
        "--role R` prints one, and an admin can make one with `POST /api/v1/tokens`.",
    ),
    "forbidden": ProblemType(
        403,
        "Forbidden",
        "The token's role may not do this: a viewer writing, a non-admin managing tokens, or an "
        "editor limited to some models writing another.",
        "Use a token whose role (viewer, editor, admin) allows the request.",
    ),
    "not-found": ProblemType(
        404,
        "Not Found",
        "There is no such model in the token's workspace, or no such node, link, initiative, "
        "version or token in it. A model of another workspace is not found either.",
        "Check the id (a generated link id is percent-encoded in the path: `a-%3Eb`) and the "
        "workspace of the token; list the models with `GET /api/v1/models`.",
    ),
    "already-exists": ProblemType(
        409,
        "Already exists",
        "A model with this id already exists in the workspace.",
        "Choose another id, replace the model with `PUT /api/v1/models/{id}`, or import with "
        "`replace=true`.",
    ),
    "conflict": ProblemType(
        409,
        "Conflict",
        "Another request created the same resource at the same moment, and won.",
        "Read the resource again and retry if it is still needed.",
    ),
    "version-conflict": ProblemType(
        412,
        "Version conflict",
        "`If-Match` named a version of the model that is no longer current: someone else wrote "
        "it since you read it. Nothing was changed.",
        "Read the model again (its `ETag` is the current version), apply your change to what "
        "you read, and send it with the new `If-Match`.",
    ),
    "precondition-failed": ProblemType(
        412,
        "Precondition failed",
        "A conditional header did not hold: `If-Match` on a model that does not exist, or "
        "`If-None-Match: *` on one that does. Nothing was changed.",
        "Drop `If-Match` to create the model, or `If-None-Match: *` to replace it; or read the "
        "model first and send its `ETag`.",
    ),
    "body-too-large": ProblemType(
        413,
        "Content Too Large",
        "The request body is over the service's size limit (`TOC_MAX_BODY_BYTES`).",
        "Send a smaller body: split a batch of changes in several, or ask the operator to "
        "raise the limit.",
    ),
    "unsupported-media-type": ProblemType(
        415,
        "Unsupported Media Type",
        "The body's `Content-Type` is one this route does not read.",
        "Send one of the media types the OpenAPI document lists for the route (observations: "
        "`application/json` or `text/csv`).",
    ),
    "rejected-document": ProblemType(
        422,
        "Rejected document",
        "The document, or the write, would break the toc/1 contract. `errors` lists every "
        "problem at once, each with its path (`nodes[1].level`, `changes[3].node`). Nothing "
        "was stored.",
        "Fix each listed problem and send the request again; `toc check FILE` reports the same "
        "problems offline.",
    ),
    "invalid-request": ProblemType(
        422,
        "Invalid request",
        "A query parameter, header or request body is not valid: an unknown query parameter, "
        "a bad value, a cursor this service never gave out. `errors` names each "
        "(`query.limit`).",
        "Send only the parameters the route takes, with values the OpenAPI document allows.",
    ),
    "unwritable-text": ProblemType(
        422,
        "Cannot export in this format",
        "The model holds text this format cannot carry (a character XML forbids).",
        "Export as JSON or CSV, which carry any text, or edit the text.",
    ),
    "store-unavailable": ProblemType(
        503,
        "Service Unavailable",
        "The database is unreachable, or busy past the timeout.",
        "Retry after the `Retry-After` seconds; if it lasts, ask the operator to check the "
        "database.",
    ),
}


def problem_type_url(kind: str, base_url: str = "") -> str:
    """The `type` of a problem of ours: the page toc serves about it, absolute on `base_url`."""
    return base_url.rstrip("/") + PROBLEM_BASE + kind


log = logging.getLogger("toc.api")


class ErrorItem(BaseModel):
    path: str = Field(
        description="Where the problem is: a JSON path like `nodes[1].id`, "
        "`$` for the whole body, or `query.limit` / `header.if-match`."
    )
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem, or `about:blank`.")
    title: str
    status: int
    detail: str | None = None
    errors: list[ErrorItem] | None = Field(
        default=None, description="Every problem of a rejected document or request, at once."
    )


class ApiProblem(Exception):
    """Raised anywhere in the service to answer with a problem; made a response at the edge."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        kind: str | None = None,
        title: str | None = None,
        errors: Sequence[Fault] | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.status = status
        self.detail = detail
        self.kind = kind
        self.title = title or HTTPStatus(status).phrase
        self.errors = list(errors) if errors is not None else None
        self.headers = headers
        super().__init__(detail or self.title)


def problem_body(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    title: str | None = None,
    errors: Iterable[Fault] | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type_url(kind, base_url) if kind else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [problem.as_dict() for problem in errors]
    return body


def problem_response(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    title: str | None = None,
    errors: Iterable[Fault] | None = None,
    headers: dict[str, str] | None = None,
    request: Request | None = None,
) -> JSONResponse:
    base_url = _base_url(request) if request is not None else ""
    return JSONResponse(
        problem_body(status, detail, kind=kind, title=title, errors=errors, base_url=base_url),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _base_url(request: Request) -> str:
    """Where this server answers (scheme, host, root path), for the problem pages' URLs."""
    return str(request.base_url)


def _validation_path(loc: Sequence[Any]) -> str:
    """FastAPI's `('body', 'nodes', 0)` → `nodes[0]`; `('query', 'limit')` → `query.limit`."""
    if loc and loc[0] == "body":
        return format_path(loc[1:])
    return format_path(loc)


def _on_api_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        exc.status,
        exc.detail,
        kind=exc.kind,
        title=exc.title,
        errors=exc.errors,
        headers=exc.headers,
        request=request,
    )


def _on_rejected(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DocumentRejected)
    count = len(exc.problems)
    return problem_response(
        422,
        f"the document breaks the toc/1 contract in {count} place{'s' if count != 1 else ''}; "
        "nothing was stored",
        kind="rejected-document",
        title="Rejected document",
        errors=exc.problems,
        request=request,
    )


def _on_unwritable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnwritableText)
    return problem_response(
        422,
        f"the model cannot be written in this format: {exc}; JSON and CSV carry it",
        kind="unwritable-text",
        title="Cannot export in this format",
        request=request,
    )


def _on_not_found(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(404, str(exc), kind="not-found", request=request)


def _on_exists(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(
        409, str(exc), kind="already-exists", title="Already exists", request=request
    )


def _on_conflict(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VersionConflict)
    return problem_response(
        412,
        f"{exc}; nothing was changed: read it again and retry",
        kind="version-conflict",
        title="Version conflict",
        headers={"ETag": f'"{exc.current}"'},
        request=request,
    )


def _on_request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        Fault(_validation_path(error.get("loc", ())), str(error.get("msg", "invalid")))
        for error in exc.errors()
    ]
    return problem_response(
        422,
        "the request is not valid",
        kind="invalid-request",
        title="Invalid request",
        errors=errors,
        request=request,
    )


def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == "Not Found":
        detail = "no such resource"
    return problem_response(
        exc.status_code, detail, headers=getattr(exc, "headers", None), request=request
    )


def _on_integrity(request: Request, exc: Exception) -> JSONResponse:
    # Two writers raced to create the same id; the loser is told, nothing half-written remains.
    return problem_response(
        409, "a concurrent write created the same resource; retry", kind="conflict", request=request
    )


def _on_operational(request: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable: %s", exc)
    return problem_response(
        503,
        "the store is busy or unreachable; retry shortly",
        kind="store-unavailable",
        headers={"Retry-After": "1"},
        request=request,
    )


def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem_response(500, "an unexpected error; it has been logged", request=request)


ProblemDetails = Problem  # the name it had


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error the app can raise leave as problem details."""
    app.add_exception_handler(ApiProblem, _on_api_problem)
    app.add_exception_handler(DocumentRejected, _on_rejected)
    app.add_exception_handler(UnwritableText, _on_unwritable)
    app.add_exception_handler(NotFound, _on_not_found)
    app.add_exception_handler(AlreadyExists, _on_exists)
    app.add_exception_handler(VersionConflict, _on_conflict)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(IntegrityError, _on_integrity)
    app.add_exception_handler(OperationalError, _on_operational)
    app.add_exception_handler(PoolTimeout, _on_operational)  # every connection busy too long
    app.add_exception_handler(Exception, _on_unexpected)


_DESCRIPTIONS = {
    400: "Bad request",
    401: "No token, or a token the service does not know",
    403: "The token's role may not do this (a viewer writing, a non-admin managing tokens)",
    404: "No such model, node, link or initiative in the token's workspace",
    409: "A model with this id already exists",
    412: "`If-Match` names a version that is no longer current; nothing was changed",
    413: "The request body is over the size limit",
    415: "The body is in a media type this route does not read",
    422: "The document or request breaks the contract: every problem in `errors`",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the error statuses a route can answer."""
    return {status: {"model": Problem, "description": _DESCRIPTIONS[status]} for status in statuses}
