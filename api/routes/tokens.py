"""`/tokens`: an admin hands out, lists and revokes the tokens of its own workspace."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import ValidationError

from api.deps import AdminDep, RawBodyDep, SessionDep, json_body
from api.problems import ApiProblem, responses
from api.responses import document_body, json_value
from api.schemas import TokenCreate, TokenList, TokenPublic
from services import auth
from toc.document import format_path
from toc.errors import Problem

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.post(
    "",
    status_code=201,
    summary="Create a token for the admin's workspace",
    response_model=TokenPublic,
    responses=responses(401, 403, 413, 422),
    openapi_extra=document_body("TokenCreate", "The role of the new token, and its lifetime."),
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
    expires_in = auth.parse_lifetime(asked.expires) if asked.expires else None
    token = auth.create_token(session, principal.workspace, asked.role, expires_in=expires_in)
    expires_at = (
        datetime.fromtimestamp(int(time.time()) + expires_in, UTC).isoformat()
        if expires_in
        else None
    )
    return json_value(
        {
            "token": token,
            "workspace": principal.workspace,
            "role": asked.role.value,
            "expires_at": expires_at,
        },
        status=201,
    )


@router.get(
    "",
    summary="List the tokens of the admin's workspace (never the tokens themselves)",
    response_model=TokenList,
    responses=responses(401, 403),
)
def list_tokens(principal: AdminDep, session: SessionDep) -> Response:
    listed = auth.list_tokens(session, principal.workspace_id)
    return json_value({"items": [token.to_dict() for token in listed]})


@router.delete(
    "/{token_id}",
    status_code=204,
    summary="Revoke a token of the admin's workspace, at once",
    responses=responses(401, 403, 404),
)
def revoke_token(
    principal: AdminDep,
    session: SessionDep,
    # Ids are the store's 32-bit integers: a larger number names no token (and no 500).
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="The id the list shows.")],
) -> Response:
    if not auth.revoke_token(session, token_id, principal.workspace_id):
        raise ApiProblem(404, f"no token with id {token_id} in this workspace", kind="not-found")
    return Response(status_code=204)
