"""`/models/{id}/versions`, `/diff`, `/observations`: a model's history, and data coming in."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response

from api.deps import (
    EditorDep,
    IfMatchDep,
    NoteDep,
    PrincipalDep,
    RawBodyDep,
    SessionDep,
    SettingsDep,
    json_body,
    may_spell_a_surrogate,
)
from api.problems import ApiProblem, responses
from api.responses import json_value
from api.routes.paging import decode_position, encode_cursor
from api.schemas import Diff, ModelDocument, ModelSummary, VersionPage
from services import history
from services.item_types import OBSERVATIONS, RowKind
from toc.errors import Problem

router = APIRouter(prefix="/models/{model_id}", tags=["history"])


def _rows_body(kind: RowKind) -> dict[str, Any]:
    """The OpenAPI request body of a batch of rows: its formats, its columns, its key."""
    header = ",".join(kind.column_names)
    named = [f"`{name}`" for name in kind.key]
    key = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
    workbooks = [f for f in kind.formats if not f.text]
    content: dict[str, Any] = {}
    for row_format in kind.formats:
        if row_format.name == "json":
            schema = {"$ref": f"#/components/schemas/{kind.what.capitalize()}Batch"}
            content[row_format.media_type] = {"schema": schema}
        elif row_format.text:
            content[row_format.media_type] = {"schema": {"type": "string", "format": "binary"}}
        # A workbook is read too (its media type, as the description says); it is left out
        # here because a generated client sends one media type per file body.
    sent_as = "".join(
        f", or an XLSX workbook sent as `{f.media_type}` (the sheet `{kind.plural}`, else the "
        "first)"
        for f in workbooks
    )
    return {
        "requestBody": {
            "required": True,
            "description": f"{kind.plural.capitalize()} as a JSON list, or CSV with a header "
            f"row (`{header}`){sent_as}. Each is kept in its {kind.parent.what}'s "
            f"`{kind.section}`; a row with the {key} of a stored one replaces it. All or nothing: "
            "every problem is listed in the 422 answer.",
            "content": content,
        }
    }


def _before(cursor: str | None) -> int | None:
    return decode_position(cursor) if cursor is not None else None


@router.get(
    "/versions",
    summary="The model's history, newest first",
    response_model=VersionPage,
    responses=responses(401, 404, 422),
)
def list_versions(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    limit: Annotated[int, Query(ge=1, le=500, description="Versions per page.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=1000, description="`next_cursor` of the previous page.")
    ] = None,
) -> Response:
    page, last = history.list_versions(
        session, principal.workspace_id, model_id, limit=limit, before=_before(cursor)
    )
    return json_value(
        {
            "items": [entry.to_dict() for entry in page],
            "next_cursor": encode_cursor(str(last)) if last is not None else None,
        }
    )


@router.get(
    "/versions/{version}",
    summary="The model as it was at one version, a toc/1 document",
    response_model=ModelDocument,
    responses=responses(401, 404, 422),
)
def get_version(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    version: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    document = history.version_document(session, principal.workspace_id, model_id, version)
    return json_value(document, version)


@router.get(
    "/diff",
    summary="What changed between two versions",
    response_model=Diff,
    responses=responses(401, 404, 422),
)
def get_diff(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    old: Annotated[int, Query(alias="from", ge=1, le=2**62, description="The older version.")],
    new: Annotated[
        int | None,
        Query(alias="to", ge=1, le=2**62, description="The newer version (default: current)."),
    ] = None,
) -> Response:
    return json_value(history.diff_versions(session, principal.workspace_id, model_id, old, new))


@router.post(
    "/versions/{version}/restore",
    summary="Write a new version equal to an old one",
    response_model=ModelSummary,
    responses=responses(401, 403, 404, 412, 422),
)
def restore_version(
    principal: EditorDep,
    session: SessionDep,
    if_match: IfMatchDep,
    note: NoteDep,
    model_id: str,
    version: Annotated[int, Path(ge=1, le=2**62)],
) -> Response:
    info = history.restore_version(
        session,
        principal.workspace_id,
        model_id,
        version,
        expected_version=if_match,
        note=note,
    )
    return json_value({**info.to_dict(), "changed": info.changed}, info.version)


def add_rows(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    if_match: IfMatchDep,
    note: NoteDep,
    model_id: str,
    settings: SettingsDep,
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
    date_format: Annotated[
        Literal["MDY", "DMY"] | None,
        Query(description="CSV and XLSX: also read dates written in this order (06/30/2026: MDY)."),
    ] = None,
    blank: Annotated[
        Literal["skip"] | None,
        Query(description="`skip`: skip (and count, as `skipped`) rows whose value is empty."),
    ] = None,
) -> Response:
    kind = OBSERVATIONS
    media = (content_type or "application/json").split(";")[0].strip().lower()
    row_format = kind.format_of(media)
    if row_format is None:
        spoken = [f.spoken for f in kind.formats]
        raise ApiProblem(
            415,
            f"send {kind.plural} as {', '.join(spoken[:-1])} or {spoken[-1]}",
            kind="unsupported-media-type",
            errors=[Problem("$", f"cannot read {media!r}")],
        )
    if row_format.name == "json":
        raw = _unwrapped(raw, kind.plural)
    rows = kind.read(raw, row_format.name, date_format, blank == "skip", settings.limits)
    info = kind.merge(
        session, principal.workspace_id, model_id, rows, expected_version=if_match, note=note
    )
    answer = {**info.to_dict(), "changed": info.changed}
    if blank == "skip":
        answer["skipped"] = getattr(rows, "skipped", 0)
    return json_value(answer, info.version)


router.add_api_route(
    f"/{OBSERVATIONS.plural}",
    add_rows,
    methods=["POST"],
    name=f"add_{OBSERVATIONS.plural}",
    summary="Add indicator observations (JSON or CSV), all or nothing, as one new version",
    response_model=ModelSummary,
    responses=responses(401, 403, 404, 412, 413, 415, 422),
    openapi_extra=_rows_body(OBSERVATIONS),
)


# A body that starts as a JSON array (after any white space).
_ARRAY = re.compile(rb"[ \t\r\n]*\[")


def _unwrapped(raw: bytes, plural: str) -> bytes:
    """`{"observations": [...]}` (the named schema) read as the bare list `[...]` it holds.

    A bare list is left to the rows' reader, which reads 100,000 rows in one pass, unless it
    may spell an unpaired surrogate, which `json_body` refuses (as for any JSON body)."""
    if _ARRAY.match(raw) and not may_spell_a_surrogate(raw):
        return raw
    data = json_body(raw)
    if isinstance(data, dict) and set(data) == {plural}:
        return json.dumps(data[plural]).encode()
    return raw
