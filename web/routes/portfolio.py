"""The portfolio page: the workspace's plans read together (SPEC §6), the state's grid first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services import clock
from services import portfolio as portfolio_service
from toc.graph import build_graph
from toc.portfolio import combined_model, scorecard_csv
from toc.report import Report
from toc.scorecard import MARKS, MEANINGS, by_standing
from web.deps import SessionDep
from web.map import VIS_URL, json_for_html, legend, map_data
from web.map.layout import BAND_BOTTOM, BAND_GAP, BAND_PAD, COLUMN, ROW
from web.portfolio_view import cross_level_conflicts, grid, mirror, plural, viewpoint
from web.render import render
from web.session import PageRoute, VisitorDep, to_login

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# Past this many nodes the map draws one plan and what its references touch, not everything.
MAP_WHOLE_LIMIT = 1500
# One light tint per plan, in model order (wrapping round): the node's fill, so its border
# keeps telling its findings and its shape its kind; dark text reads on every one of them.
PALETTE = (
    "#cfe3f7",
    "#fbd9c2",
    "#cdebd6",
    "#e4d3f2",
    "#f6e7b3",
    "#f6cfcf",
    "#c8ecea",
    "#e0e0e0",
    "#f3dcea",
    "#d9e4c4",
)
REFERENCE_EDGE = {"color": {"color": "#8e44ad"}, "dashes": [2, 6], "width": 2}


def _group_by_model(data: dict[str, Any], models: list[str]) -> None:
    """Place the nodes in the three level bands, each plan's nodes side by side in a block of
    its own (left to right in model order), so a plan reads as one group on every band."""
    rows_per_band = 4
    levels = [band["level"] for band in data["bands"]]
    level_of = {item: detail["level"] for item, detail in data["details"]["nodes"].items()}
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in data["nodes"]:
        key = (str(item["id"]).partition(":")[0], level_of[item["id"]])
        cells.setdefault(key, []).append(item)
    x = 0.7 * COLUMN  # room on the left for the bands' names
    starts: dict[str, float] = {}
    for model in models:
        width = max(
            (-(-len(cells.get((model, lv), [])) // rows_per_band) for lv in levels), default=0
        )
        if not width:
            continue
        starts[model] = x
        x += (width + 0.5) * COLUMN
    y = 0.0
    for band in data["bands"]:
        rows = min(
            rows_per_band,
            max((len(items) for (m, lv), items in cells.items() if lv == band["level"]), default=1),
        )
        band["top"] = y
        for (model, level), items in cells.items():
            if level != band["level"]:
                continue
            for position, item in enumerate(items):
                item["x"] = round(starts[model] + (position // rows_per_band) * COLUMN, 1)
                item["y"] = round(y + BAND_PAD + (position % rows_per_band) * ROW, 1)
        band["bottom"] = y + BAND_PAD + (max(rows, 1) - 1) * ROW + BAND_BOTTOM
        y = band["bottom"] + BAND_GAP


def _map(found: portfolio_service.Portfolio, focus: str | None) -> dict[str, Any]:
    report = found.report
    combined = combined_model(found.documents, report)
    if focus is not None and len(combined.nodes) > MAP_WHOLE_LIMIT:
        # One plan and the nodes its references touch, either way.
        touched = {node.id for node in combined.nodes if node.id.partition(":")[0] == focus}
        for _, source, target in report.references:
            if source in touched or target in touched:
                touched.update((source, target))
        combined = combined.model_copy(
            update={
                "nodes": [n for n in combined.nodes if n.id in touched],
                "links": [
                    link
                    for link in combined.links
                    if link.source in touched and link.target in touched
                ],
            }
        )
    shown = Report(list(report.findings), dict(report.metrics), as_of=report.as_of)
    data = map_data(combined, shown, build_graph(combined, as_of=report.as_of))
    colours = {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(report.models)}
    groups = data["groups"]
    for item in data["nodes"]:
        model = str(item["id"]).partition(":")[0]
        tint = colours.get(model, "#ffffff")
        own = groups[item["group"]]["color"]
        item["color"] = {
            "background": tint,
            "border": own["border"],
            "highlight": {"background": tint, "border": "#000000"},
            "hover": {"background": tint, "border": "#000000"},
        }
        item["font"] = {"color": "#1a1a1a"}
        data["details"]["nodes"][item["id"]]["model"] = model
    _group_by_model(data, report.models)
    references = {key for key, _, _ in report.references}
    for item in data["edges"]:
        if item.get("id") in references:
            item.update(REFERENCE_EDGE)
    for key in references & set(data["details"]["links"]):
        data["details"]["links"][key]["reference"] = True
    return {
        "data_json": json_for_html(data),
        "legend": legend(shown),
        "edit_base": None,
        "model_filter": True,
        "model_colours": [
            {"id": m, "title": report.about[m]["title"], "colour": colours[m]}
            for m in report.models
        ],
    }


@router.get("/portfolio")
def portfolio_page(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model: str = "",
    sort: str = "",
) -> Response:
    if visitor is None:
        return to_login()
    found = portfolio_service.portfolio(session, visitor.principal.workspace_id, clock.today())
    report = found.report
    titles = {row["id"]: row["title"] for row in report.initiatives}
    for document in found.documents:
        for node in document.nodes:
            titles.setdefault(f"{document.id}:{node.id}", str(node.title))
    looking = viewpoint(report, model or None)
    rows: list[Any] = report.initiatives
    if sort == "standing":
        rows = list(by_standing(rows))
    elif sort == "model":
        rows = sorted(rows, key=lambda row: (row["model"], row["id"]))
    scorecard = [
        {
            **row,
            "plan": report.about[row["model"]]["title"],
            "mark": MARKS.get(row["standing"], ""),
            "meaning": MEANINGS.get(row["standing"], ""),
            "carried_titles": [titles.get(c, c) for c in row["carried_out_by"]],
        }
        for row in rows
    ]
    duplicates = [f for f in report.findings if f.code == "TOC503"]
    conflicts = [f for f in report.findings if f.code == "TOC501"]
    unresolved = [f for f in report.findings if f.code == "TOC801"]
    context: dict[str, Any] = {}
    if looking is not None:
        scope = report.about[looking]["scope"]
        context = {
            "grid": grid(report, looking, titles),
            "level_conflicts": cross_level_conflicts(report, looking, titles),
            "mirror": mirror(report, looking, titles) if scope not in (None, "state") else None,
        }
    return render(
        request,
        "portfolio.html",
        visitor,
        report=report,
        looking=looking,
        about=report.about,
        titles=titles,
        scorecard=scorecard,
        sort=sort,
        duplicates=duplicates,
        conflicts=conflicts,
        unresolved=unresolved,
        spend=report.metrics.get("cost_by_standing"),
        plural=plural,
        vis_url=VIS_URL,
        **context,
        **_map(found, looking),
    )


@router.get("/portfolio.csv")
def portfolio_csv(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    """The cross-model scorecard for a spreadsheet, for the signed-in visitor."""
    if visitor is None:
        return to_login()
    found = portfolio_service.portfolio(session, visitor.principal.workspace_id, clock.today())
    return Response(
        scorecard_csv(found.report.initiatives),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="portfolio-scorecard.csv"',
            "ETag": found.etag,
            "X-Content-Type-Options": "nosniff",
        },
    )
