"""`GET /portfolio`: every model of the caller's workspace checked together (SPEC §6)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from api.deps import PrincipalDep, SessionDep
from api.problems import responses
from services import clock
from services import portfolio as portfolio_service
from toc.portfolio import scorecard_csv

router = APIRouter(tags=["portfolio"])


class TakeUpRow(BaseModel):
    """How many plans one rank below carry out a higher initiative, and how they stand."""

    initiative: str
    models_below: int
    carried_out: int
    standings: dict[str, int]
    eligible: int | None
    missing: list[str]


class RejectedFile(BaseModel):
    file: str
    problems: list[str]


class PortfolioPublic(BaseModel):
    """The portfolio report (SPEC §6): findings carry `model`, scorecard rows `model` and
    `carried_out_by`."""

    models: list[str]
    findings: list[dict[str, Any]]
    metrics: dict[str, Any]
    initiatives: list[dict[str, Any]]
    take_up: list[TakeUpRow]
    rejected: list[RejectedFile]
    as_of: datetime.date


@router.get(
    "/portfolio",
    summary="The workspace's portfolio: every model checked together across the levels",
    operation_id="getPortfolio",
    responses={
        200: {
            "model": PortfolioPublic,
            "description": "`{models, findings, metrics, initiatives, take_up, rejected, as_of}` "
            "(`format=csv`: the cross-model scorecard, with its `model` column)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "headers": {
                "ETag": {
                    "description": "A hash of the (model, version) set read and `as_of`",
                    "schema": {"type": "string"},
                }
            },
        },
        304: {"description": "Not modified: the `If-None-Match` tag is current"},
        **responses(401, 422),
    },
)
def get_portfolio(
    principal: PrincipalDep,
    session: SessionDep,
    request: Request,
    format: Annotated[
        Literal["json", "csv"], Query(description="`json` (default) or `csv`: the scorecard.")
    ] = "json",
    as_of: Annotated[
        datetime.date | None, Query(description="The check date (default: today in UTC).")
    ] = None,
) -> Response:
    found = portfolio_service.portfolio(session, principal.workspace_id, as_of or clock.today())
    tag = found.etag if format == "json" else found.etag[:-1] + ';csv"'
    headers = {"ETag": tag}
    wanted = request.headers.get("if-none-match")
    if wanted is not None and tag in [part.strip() for part in wanted.split(",")]:
        return Response(status_code=304, headers=headers)
    if format == "csv":
        return Response(
            scorecard_csv(found.report.initiatives),
            media_type="text/csv; charset=utf-8",
            headers={**headers, "Content-Disposition": 'attachment; filename="portfolio.csv"'},
        )
    return Response(found.json, media_type="application/json", headers=headers)
