"""RFC 9457 problem details: the one error shape of the service, and the handlers that make it.

Every error leaves the service as `application/problem+json` with `type`, `title`, `status`,
`detail`, and, for a rejected document or request, `errors`: every `{path, message}` at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
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
from toc.errors import DocumentRejected, Problem, UnwritableText

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_BASE",
    "ProblemDetails",
    "ErrorItem",
    "ApiProblem",
    "problem_response",
    "install_problem_handlers",
    "responses",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"
# Problem types of our own; plain HTTP errors use "about:blank" as RFC 9457 §4.2.1 suggests.
PROBLEM_BASE = "https://toc.example/problems/"

log = logging.getLogger("toc.api")


class ErrorItem(BaseModel):
    path: str = Field(
        description="Where the problem is: a JSON path like `nodes[1].id`, "
        "`$` for the whole body, or `query.limit` / `header.if-match`."
    )
    message: str


class ProblemDetails(BaseModel):
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
        errors: Sequence[Problem] | None = None,
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
    errors: Iterable[Problem] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + kind if kind else "about:blank",
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
    errors: Iterable[Problem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        problem_body(status, detail, kind=kind, title=title, errors=errors),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _validation_path(loc: Sequence[Any]) -> str:
    """FastAPI's `('body', 'nodes', 0)` → `nodes[0]`; `('query', 'limit')` → `query.limit`."""
    if loc and loc[0] == "body":
        return format_path(loc[1:])
    return format_path(loc)


def _on_api_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(
        exc.status,
        exc.detail,
        kind=exc.kind,
        title=exc.title,
        errors=exc.errors,
        headers=exc.headers,
    )


def _on_rejected(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DocumentRejected)
    count = len(exc.problems)
    return problem_response(
        422,
        f"the document breaks the toc/1 contract in {count} place{'s' if count != 1 else ''}; "
        "nothing was stored",
        kind="rejected-document",
        title="Rejected document",
        errors=exc.problems,
    )


def _on_unwritable(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UnwritableText)
    return problem_response(
        422,
        f"the model cannot be written in this format: {exc}; JSON and CSV carry it",
        kind="unwritable-text",
        title="Cannot export in this format",
    )


def _on_not_found(_request: Request, exc: Exception) -> JSONResponse:
    return problem_response(404, str(exc), kind="not-found")


def _on_exists(_request: Request, exc: Exception) -> JSONResponse:
    return problem_response(409, str(exc), kind="already-exists", title="Already exists")


def _on_conflict(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, VersionConflict)
    return problem_response(
        412,
        f"{exc}; nothing was changed: read it again and retry",
        kind="version-conflict",
        title="Version conflict",
        headers={"ETag": f'"{exc.current}"'},
    )


def _on_request_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        Problem(_validation_path(error.get("loc", ())), str(error.get("msg", "invalid")))
        for error in exc.errors()
    ]
    return problem_response(
        422,
        "the request is not valid",
        kind="invalid-request",
        title="Invalid request",
        errors=errors,
    )


def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == 404 and detail == "Not Found":
        detail = "no such resource"
    return problem_response(exc.status_code, detail, headers=getattr(exc, "headers", None))


def _on_integrity(_request: Request, exc: Exception) -> JSONResponse:
    # Two writers raced to create the same id; the loser is told, nothing half-written remains.
    return problem_response(
        409, "a concurrent write created the same resource; retry", kind="conflict"
    )


def _on_operational(_request: Request, exc: Exception) -> JSONResponse:
    log.warning("store unavailable: %s", exc)
    return problem_response(
        503,
        "the store is busy or unreachable; retry shortly",
        kind="store-unavailable",
        headers={"Retry-After": "1"},
    )


def _on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem_response(500, "an unexpected error; it has been logged")


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
    return {
        status: {"model": ProblemDetails, "description": _DESCRIPTIONS[status]}
        for status in statuses
    }
