"""`POST /check`: check a posted document without storing it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import AsOfDep, PrincipalDep, RawBodyDep, SettingsDep, json_body
from api.problems import responses
from api.responses import binary_body, json_value
from api.schemas import Report
from services import reports
from toc import formats
from toc.report import check

router = APIRouter(tags=["check"])


@router.post(
    "/check",
    summary="Check a document without storing it",
    response_model=Report,
    responses=responses(401, 413, 422),
    openapi_extra=binary_body(
        {f: formats.MEDIA_TYPES[f] for f in formats.READ_FORMATS},
        "The model to check, in `format` (toc/1 JSON by default).",
    ),
)
def check_document(
    principal: PrincipalDep,
    raw: RawBodyDep,
    settings: SettingsDep,
    as_of: AsOfDep,
    format: Annotated[
        Literal["json", "xlsx", "csv", "graphml", "gexf"], Query(description="The body's format.")
    ] = "json",
) -> Response:
    if format == "json":
        return json_value(reports.check_document(json_body(raw), settings.limits, as_of=as_of))
    model = formats.read(raw, format, settings.limits)
    return json_value(check(model, as_of=as_of).to_dict())
