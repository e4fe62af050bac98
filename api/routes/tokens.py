"""`/tokens`: an admin hands out tokens of its own workspace."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import ValidationError

from api import auth
from api.deps import AdminDep, RawBodyDep, SessionDep, json_body
from api.problems import ApiProblem, responses
from api.responses import document_body, json_value
from api.schemas import TokenCreate, TokenPublic
from toc.document import format_path
from toc.errors import Problem

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.post(
    "",
    status_code=201,
    summary="Create a token for the admin's workspace",
    response_model=TokenPublic,
    responses=responses(401, 403, 413, 422),
    openapi_extra=document_body("TokenCreate", "The role of the new token."),
)
def create_token(principal: AdminDep, session: SessionDep, raw: RawBodyDep) -> Response:
    try:
        asked = TokenCreate.model_validate(json_body(raw))
    except ValidationError as invalid:
        raise ApiProblem(
            422,
            "the request is not valid",
            kind="invalid-request",
            title="Invalid request",
            errors=[Problem(format_path(e["loc"]), e["msg"]) for e in invalid.errors()],
        ) from None
    token = auth.create_token(session, principal.workspace, asked.role)
    return json_value(
        {"token": token, "workspace": principal.workspace, "role": asked.role.value}, status=201
    )
