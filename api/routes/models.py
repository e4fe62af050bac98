"""`/models`: store, list, read, replace, delete models; check, chains, import, export.

The model's map (`/models/{id}/map`) is served by the web layer, which draws it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Response

from api import API_PREFIX
from api.deps import (
    AsOfDep,
    EditorDep,
    IfMatchDep,
    NoteDep,
    PreconditionsDep,
    PrincipalDep,
    RawBodyDep,
    SessionDep,
    SettingsDep,
    json_body,
    precondition_failed,
)
from api.problems import responses
from api.responses import (
    binary_body,
    binary_content,
    checked_etag,
    document_body,
    etag,
    json_text,
    json_value,
)
from api.routes.paging import decode_cursor, encode_cursor
from api.schemas import (
    Chains,
    ModelDocument,
    ModelPage,
    ModelSummary,
    Report,
    Scorecard,
)
from services import item_types, models, reports
from services.errors import NotFound
from services.store import ModelInfo
from toc import formats
from toc.document import parse_document
from toc.errors import DocumentRejected, Problem
from toc.scorecard import to_csv as scorecard_csv

router = APIRouter(prefix="/models", tags=["models"])

ReadFormat = Literal["json", "xlsx", "csv", "graphml", "gexf"]
WriteFormat = Literal["json", "xlsx", "csv", "graphml", "gexf", "mermaid"]
assert set(ReadFormat.__args__) == set(formats.READ_FORMATS)  # type: ignore[attr-defined]
assert set(WriteFormat.__args__) == set(formats.WRITE_FORMATS)  # type: ignore[attr-defined]

_DOCUMENT = document_body(
    "TheoryOfChange",
    "A toc/1 document. It is validated whole: every fault is listed in the 422 answer.",
)


def _location(model_id: str) -> str:
    return f"{API_PREFIX}/models/{quote(model_id, safe='')}"


def _written(info: ModelInfo, created: bool) -> Response:
    """A write's answer: the model's summary, whether the write made a version, the ETag."""
    headers = {"Location": _location(info.id)} if created else None
    body = {**info.to_dict(), "changed": info.changed}
    return json_value(body, info.version, 201 if created else 200, headers)


@router.post(
    "",
    status_code=201,
    summary="Store a toc/1 document as a new model",
    response_model=ModelSummary,
    responses=responses(401, 403, 409, 413, 422),
    openapi_extra=_DOCUMENT,
)
def create_model(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    settings: SettingsDep,
    note: NoteDep,
) -> Response:
    model = parse_document(json_body(raw), settings.limits)
    return _written(models.create_model(session, principal.workspace_id, model, note=note), True)


@router.get(
    "",
    summary="List the workspace's models",
    response_model=ModelPage,
    responses=responses(401, 422),
)
def list_models(
    principal: PrincipalDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500, description="Models per page.")] = 50,
    cursor: Annotated[
        str | None, Query(max_length=1000, description="`next_cursor` of the previous page.")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=500, description="Only models whose id or title holds every word."),
    ] = None,
    tag: Annotated[
        list[str] | None,
        Query(
            max_length=20,
            description="Only models with a node carrying this tag; repeated: every one.",
        ),
    ] = None,
) -> Response:
    after = decode_cursor(cursor) if cursor is not None else None
    if q is None and not tag:
        page, last = models.list_models(session, principal.workspace_id, limit=limit, after=after)
    else:
        page, last = item_types.find_models(
            session, principal.workspace_id, q=q, tags=tag or (), limit=limit, after=after
        )
    return json_value(
        {
            "items": [info.to_dict() for info in page],
            "next_cursor": encode_cursor(last) if last is not None else None,
        }
    )


@router.post(
    "/import",
    status_code=201,
    summary="Import a model from any readable format",
    response_model=ModelSummary,
    responses={
        200: {"model": ModelSummary, "description": "An existing model was replaced (`replace`)"},
        **responses(401, 403, 409, 412, 413, 422),
    },
    openapi_extra=binary_body(
        {f: formats.MEDIA_TYPES[f] for f in formats.READ_FORMATS},
        "The model in `format`: toc/1 JSON, an XLSX workbook, a zip of nodes.csv and "
        "links.csv, GraphML or GEXF.",
    ),
)
def import_model(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    conditions: PreconditionsDep,
    settings: SettingsDep,
    note: NoteDep,
    format: Annotated[ReadFormat, Query(description="The body's format.")] = "json",
    replace: Annotated[
        bool,
        Query(
            description="Replace a model of the same id instead of answering 409. `If-Match` "
            "then applies: on a stale version, or on a model that does not exist, 412."
        ),
    ] = False,
) -> Response:
    model = formats.read(raw, format, settings.limits)
    if not replace:
        if conditions.if_match:
            raise precondition_failed("If-Match names a version, but an import creates a model")
        return _written(
            models.create_model(session, principal.workspace_id, model, note=note), True
        )
    return _replace(session, principal.workspace_id, model.id, model, conditions, note)


def _replace(
    session: Any,
    workspace_id: int,
    model_id: str,
    model: Any,
    conditions: Any,
    note: str | None,
) -> Response:
    """PUT's and import's replace, with RFC 9110's preconditions on a model that may not exist."""
    try:
        info, created = models.replace_model(
            session,
            workspace_id,
            model_id,
            model,
            expected_version=conditions.expected,
            create=not conditions.if_match,
            note=note,
        )
    except NotFound:
        if conditions.if_match:
            raise precondition_failed(
                f"If-Match was sent but there is no model {model_id!r} to match"
            ) from None
        raise
    if conditions.none_match_any and not created:
        # `If-None-Match: *` is checked before writing (below); this is a create racing it.
        raise precondition_failed(f"the model {model_id!r} exists (If-None-Match: *)")
    return _written(info, created)


@router.get(
    "/{model_id}",
    summary="The model as a toc/1 document with its version",
    response_model=ModelDocument,
    responses=responses(401, 404),
)
def get_model(principal: PrincipalDep, session: SessionDep, model_id: str) -> Response:
    text, version = models.document_json(session, principal.workspace_id, model_id)
    return json_text(text, version)


@router.put(
    "/{model_id}",
    summary="Replace the whole model (or create it)",
    response_model=ModelSummary,
    responses={
        201: {"model": ModelSummary, "description": "The model did not exist and was created"},
        **responses(401, 403, 404, 412, 413, 422),
    },
    openapi_extra=_DOCUMENT,
)
def replace_model(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    conditions: PreconditionsDep,
    settings: SettingsDep,
    note: NoteDep,
    model_id: str,
) -> Response:
    data = json_body(raw)
    if isinstance(data, dict):
        data.setdefault("id", model_id)
    model = parse_document(data, settings.limits)
    if conditions.none_match_any:
        try:
            models.model_info(session, principal.workspace_id, model_id)
        except NotFound:
            pass
        else:
            raise precondition_failed(f"the model {model_id!r} exists (If-None-Match: *)")
    return _replace(session, principal.workspace_id, model_id, model, conditions, note)


@router.patch(
    "/{model_id}",
    summary="Change the model's own fields (title, description, scope, currency, checks)",
    response_model=ModelSummary,
    responses=responses(401, 403, 404, 412, 413, 422),
    openapi_extra=document_body(
        "ModelUpdate", "The fields to change; `null` resets a field to its default."
    ),
)
def patch_model(
    principal: EditorDep,
    session: SessionDep,
    raw: RawBodyDep,
    if_match: IfMatchDep,
    note: NoteDep,
    model_id: str,
) -> Response:
    changes = json_body(raw)
    if not isinstance(changes, dict):
        raise DocumentRejected([Problem("$", "a patch is a JSON object of the fields to change")])
    info, _ = models.update_model(
        session,
        principal.workspace_id,
        model_id,
        changes,
        expected_version=if_match,
        note=note,
    )
    return _written(info, False)


@router.delete(
    "/{model_id}",
    status_code=204,
    summary="Delete the model",
    responses=responses(401, 403, 404, 412),
)
def delete_model(
    principal: EditorDep, session: SessionDep, if_match: IfMatchDep, note: NoteDep, model_id: str
) -> Response:
    # A deleted model keeps no history to note it in: the note is accepted and not kept.
    del note
    models.delete_model(session, principal.workspace_id, model_id, expected_version=if_match)
    return Response(status_code=204)


@router.get(
    "/{model_id}/check",
    summary="Check the model (cached per version and day)",
    response_model=Report,
    responses=responses(401, 404, 422),
)
def get_check(
    principal: PrincipalDep, session: SessionDep, as_of: AsOfDep, model_id: str
) -> Response:
    # A report already cached for the model's version is answered before routing
    # (api/hotpath.py); this checks the model and caches the report, or answers 401 or 404.
    text, version = reports.report_json(session, principal.workspace_id, model_id, as_of=as_of)
    return json_text(text, headers=checked_etag(version, as_of))


@router.get(
    "/{model_id}/scorecard",
    summary="The initiative scorecard: keep, fix or stop each initiative",
    description="One row per initiative that is not retired, in id order. `?format=csv` "
    "answers the spreadsheet that `getScorecardCsv` (`…/scorecard.csv`) answers, and "
    "`?format=xlsx` the workbook that `getScorecardXlsx` (`…/scorecard.xlsx`) answers.",
    response_model=Scorecard,
    responses=responses(401, 404, 422),
)
def get_scorecard(
    principal: PrincipalDep,
    session: SessionDep,
    as_of: AsOfDep,
    model_id: str,
    # Not in the OpenAPI document: one operation answers one media type there (generated
    # clients parse a 200 one way), so the CSV and the workbook are operations of their own.
    format: Annotated[Literal["json", "csv", "xlsx"], Query(include_in_schema=False)] = "json",
) -> Response:
    rows, version = reports.scorecard(session, principal.workspace_id, model_id, as_of=as_of)
    tag = checked_etag(version, as_of)
    if format == "xlsx":
        return _scorecard_xlsx(model_id, rows, tag)
    if format == "csv":
        return _scorecard_csv(model_id, rows, tag)
    return json_value({"initiatives": rows, "version": version}, headers=tag)


def _scorecard_xlsx(model_id: str, rows: Any, tag: dict[str, str]) -> Response:
    from toc.formats.scorecard_xlsx import to_xlsx

    return Response(
        to_xlsx(rows),
        media_type=formats.MEDIA_TYPES["xlsx"],
        headers={**tag, "Content-Disposition": f'attachment; filename="{model_id}-scorecard.xlsx"'},
    )


@router.get(
    "/{model_id}/scorecard.xlsx",
    summary="The initiative scorecard as an Excel workbook",
    response_class=Response,
    responses={
        200: {
            "description": "One row per initiative that is not retired, in id order, with the "
            "standing words, numbers as numbers and a filter row",
            "content": binary_content(formats.MEDIA_TYPES["xlsx"], "the scorecard as XLSX"),
        },
        **responses(401, 404, 422),
    },
)
def get_scorecard_xlsx(
    principal: PrincipalDep, session: SessionDep, as_of: AsOfDep, model_id: str
) -> Response:
    rows, version = reports.scorecard(session, principal.workspace_id, model_id, as_of=as_of)
    return _scorecard_xlsx(model_id, rows, checked_etag(version, as_of))


def _scorecard_csv(model_id: str, rows: Any, tag: dict[str, str]) -> Response:
    return Response(
        scorecard_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={**tag, "Content-Disposition": f'attachment; filename="{model_id}-scorecard.csv"'},
    )


@router.get(
    "/{model_id}/scorecard.csv",
    summary="The initiative scorecard as CSV, for a spreadsheet",
    response_class=Response,
    responses={
        200: {
            "description": "A header row, then one row per initiative that is not retired, in "
            "id order; lists `;`-separated",
            "content": binary_content("text/csv", "the scorecard as CSV, UTF-8"),
        },
        **responses(401, 404, 422),
    },
)
def get_scorecard_csv(
    principal: PrincipalDep, session: SessionDep, as_of: AsOfDep, model_id: str
) -> Response:
    rows, version = reports.scorecard(session, principal.workspace_id, model_id, as_of=as_of)
    return _scorecard_csv(model_id, rows, checked_etag(version, as_of))


@router.get(
    "/{model_id}/chains/{initiative}",
    summary="The subgraph of an initiative's chains",
    response_model=Chains,
    responses=responses(401, 404),
)
def get_chains(
    principal: PrincipalDep, session: SessionDep, model_id: str, initiative: str
) -> Response:
    subgraph, version = reports.chains(session, principal.workspace_id, model_id, initiative)
    return json_value(subgraph, version)


# What each export format answers, for the OpenAPI document.
# Every format is a file, the JSON one too (a toc/1 document, as `getModel` answers it without
# its `version`): a client reads the bytes of whichever format it asked for.
_EXPORT_CONTENT: dict[str, Any] = {
    **binary_content(formats.MEDIA_TYPES["csv"], "a zip of the model's CSV files"),
    **binary_content(formats.MEDIA_TYPES["json"], "a toc/1 document (TheoryOfChange)"),
    **binary_content(formats.MEDIA_TYPES["graphml"], "GraphML XML"),
    **binary_content(formats.MEDIA_TYPES["gexf"], "GEXF 1.2 XML"),
    **binary_content(formats.MEDIA_TYPES["mermaid"], "a Mermaid flowchart, UTF-8"),
    **binary_content(formats.MEDIA_TYPES["xlsx"], "an Excel workbook of the model's sheets"),
}


@router.get(
    "/{model_id}/export",
    summary="Export the model in any writable format",
    response_class=Response,
    responses={
        200: {
            "description": (
                "The model as a file in the format asked for, one media type per format: "
                + "; ".join(
                    f"`{fmt}`: `{formats.MEDIA_TYPES[fmt]}`" for fmt in formats.WRITE_FORMATS
                )
                + ". `xlsx` is a workbook of the sheets model, nodes, links, indicators, "
                "evidence, observations (and funding, checks); `csv` is a zip of model.csv, "
                "nodes.csv, links.csv (and indicators.csv, evidence.csv, funding.csv, "
                "observations.csv)."
            ),
            "headers": {
                "ETag": {"description": "The model's version", "schema": {"type": "string"}},
                "Content-Disposition": {
                    "description": '`attachment; filename="MODEL.EXT"`',
                    "schema": {"type": "string"},
                },
            },
            "content": _EXPORT_CONTENT,
        },
        **responses(401, 404, 422),
    },
)
def export_model(
    principal: PrincipalDep,
    session: SessionDep,
    model_id: str,
    format: Annotated[WriteFormat, Query(description="The format to write.")] = "json",
) -> Response:
    payload, version = models.export_model(session, principal.workspace_id, model_id, format)
    filename = f"{model_id}.{formats.EXTENSIONS[format]}"
    return Response(
        payload,
        media_type=formats.MEDIA_TYPES[format],
        headers={**etag(version), "Content-Disposition": f'attachment; filename="{filename}"'},
    )
