"""`POST /models/{model_id}/changes`: a batch of node and link changes as one version."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import EditorDep, IfMatchDep, NoteDep, RawBodyDep, SessionDep, json_body
from api.problems import responses
from api.responses import document_body, json_value
from api.schemas import BatchResult
from services import changes
from toc.errors import DocumentRejected, Problem

router = APIRouter(prefix="/models/{model_id}", tags=["nodes", "links"])


@router.post(
    "/changes",
    summary="Apply a batch of node and link changes in order, all or nothing, as one version",
    response_model=BatchResult,
    responses=responses(401, 403, 404, 412, 413, 422),
    openapi_extra=document_body(
        "ChangeBatch",
        f"At most {changes.MAX_CHANGES} changes, at most one per node or link. A change that "
        "fails is named by its position (`changes[3].node`) and nothing is written.",
    ),
)
def apply_changes(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    if_match: IfMatchDep,
    note: NoteDep,
    model_id: str,
) -> Response:
    body = json_body(raw)
    if not isinstance(body, dict) or set(body) != {"changes"}:
        raise DocumentRejected([Problem("$", 'a batch is {"changes": [...]} and nothing else')])
    written = changes.apply_changes(
        session,
        principal.workspace_id,
        model_id,
        body["changes"],
        expected_version=if_match,
        note=note,
    )
    return json_value(
        {
            "id": model_id,
            "version": written.version,
            "changed": written.changed,
            "results": written.results,
        },
        written.version,
    )
