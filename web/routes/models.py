"""The workspace's models: the list, import and export, and a model's own page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from services import errors, reports
from services import models as model_service
from toc import formats
from toc.errors import DocumentRejected
from toc.model import TheoryOfChange
from toc.report import Report
from toc.scorecard import MARKS, MEANINGS, WORDS, by_standing, flags_text, to_csv
from toc.standing import PROGRESS_WORDS
from toc.summary import cabinet_summary
from toc.vocabulary import FORMAT_LABELS
from web.chart import HEIGHT, WIDTH, progress_colours, tracked_charts
from web.deps import SessionDep
from web.map import VIS_URL, map_context
from web.render import error_page, model_url, no_such_model, render
from web.session import FormDep, PageRoute, Visitor, VisitorDep, WriterDep, to_login

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# Rows of one table on a model's page; past this, the map is the way to a node or link.
TABLE_LIMIT = 500
EXPORT_FORMATS = formats.WRITE_FORMATS
IMPORT_FORMATS = formats.READ_FORMATS


def _models_page(
    request: Request,
    session: SessionDep,
    visitor: Visitor,
    status: int = 200,
    import_errors: list[str] | None = None,
) -> HTMLResponse:
    infos, _ = model_service.list_models(session, visitor.principal.workspace_id)
    rows = []
    for info in infos:
        report, _ = reports.get_report(session, visitor.principal.workspace_id, info.id)
        rows.append({"info": info, "counts": report["metrics"]["findings"]})
    return render(
        request,
        "models.html",
        visitor,
        status,
        rows=rows,
        export_formats=EXPORT_FORMATS,
        import_formats=IMPORT_FORMATS,
        format_labels=FORMAT_LABELS,
        import_errors=import_errors or [],
    )


@router.get("/models")
def models(request: Request, session: SessionDep, visitor: VisitorDep) -> Response:
    if visitor is None:
        return to_login()
    return _models_page(request, session, visitor)


@router.post("/models/import")
def import_model(
    request: Request, session: SessionDep, visitor: WriterDep, form: FormDep
) -> Response:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _models_page(request, session, visitor, 400, ["Choose a file to import."])
    data = upload.file.read()
    chosen = form.get("format")
    fmt = chosen if isinstance(chosen, str) and chosen in IMPORT_FORMATS else None
    if fmt is None:  # from the file name's suffix; the name is never used as a path
        fmt = formats.format_for_path(Path(upload.filename))
    try:
        info, _ = model_service.import_model(
            session, visitor.principal.workspace_id, data, fmt, replace=form.get("replace") == "on"
        )
    except DocumentRejected as rejected:
        return _models_page(request, session, visitor, 400, [str(p) for p in rejected.problems])
    except errors.AlreadyExists as exists:
        return _models_page(
            request, session, visitor, 409, [f"{exists} Tick “replace” to overwrite it."]
        )
    return RedirectResponse(model_url(info.id, saved="imported"), status_code=303)


def _download(
    payload: bytes | str, media_type: str, filename: str, version: int | None = None
) -> Response:
    """A file to save (never to sniff), named, with the model's version as its ETag if any."""
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(payload, media_type=media_type, headers=headers)


@router.get("/models/template.xlsx")
def template_download(request: Request, visitor: VisitorDep) -> Response:
    """The empty planning workbook (`toc template`), for anyone signed in."""
    if visitor is None:
        return to_login()
    from toc.formats.template import write_template

    return _download(write_template(), formats.MEDIA_TYPES["xlsx"], "plan.xlsx")


@router.get("/models/{model_id}/export")
def export_model(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str, format: str = "json"
) -> Response:
    if visitor is None:
        return to_login()
    if format not in EXPORT_FORMATS:
        return error_page(
            request, visitor, 400, f"Unknown format. Choose one of {', '.join(EXPORT_FORMATS)}."
        )
    try:
        payload, version = model_service.export_model(
            session, visitor.principal.workspace_id, model_id, format
        )
    except errors.NotFound:
        return no_such_model(request, visitor)
    filename = f"{model_id}.{formats.EXTENSIONS[format]}"
    return _download(payload, formats.MEDIA_TYPES[format], filename, version)


def _scorecard_xlsx(rows: list[dict[str, Any]]) -> bytes:
    from toc.formats.scorecard_xlsx import to_xlsx  # openpyxl, loaded when first asked for

    return to_xlsx(rows)


# The scorecard's files: suffix -> (how its rows are written, the file's media type).
_SCORECARD_FILES: dict[str, tuple[Callable[[list[dict[str, Any]]], bytes | str], str]] = {
    "xlsx": (_scorecard_xlsx, formats.MEDIA_TYPES["xlsx"]),
    "csv": (to_csv, "text/csv; charset=utf-8"),
}


def _scorecard_download(
    request: Request, session: SessionDep, visitor: Visitor | None, model_id: str, suffix: str
) -> Response:
    if visitor is None:
        return to_login()
    write, media_type = _SCORECARD_FILES[suffix]
    try:
        rows, version = reports.scorecard(session, visitor.principal.workspace_id, model_id)
    except errors.NotFound:
        return no_such_model(request, visitor)
    return _download(write(rows), media_type, f"{model_id}-scorecard.{suffix}", version)


@router.get("/models/{model_id}/scorecard.xlsx")
def scorecard_xlsx(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str
) -> Response:
    """The scorecard as an Excel workbook, for the signed-in visitor."""
    return _scorecard_download(request, session, visitor, model_id, "xlsx")


@router.get("/models/{model_id}/scorecard.csv")
def scorecard_csv(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str
) -> Response:
    """The scorecard for a spreadsheet, for the signed-in visitor (the API wants a token)."""
    return _scorecard_download(request, session, visitor, model_id, "csv")


# -- a model's page ----------------------------------------------------------------------------
def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def load_model(session: SessionDep, visitor: Visitor, model_id: str) -> TheoryOfChange | None:
    """The model of that id in the visitor's workspace; None when it has none."""
    try:
        model, _ = model_service.get_model(session, visitor.principal.workspace_id, model_id)
    except errors.NotFound:
        return None
    return model


def scorecard_rows(report: Report, titles: dict[str, str], sort: str) -> list[dict[str, object]]:
    """The scorecard's rows as the page shows them: outcomes, conflicts and tiers by name."""
    rows = by_standing(report.initiatives) if sort == "standing" else report.initiatives

    def named(ids: list[str]) -> list[str]:
        return [titles.get(i, i) for i in ids]

    return [
        {
            **row,
            "mark": MARKS.get(row["standing"], ""),
            "words": WORDS.get(row["standing"], row["standing"]),
            "meaning": MEANINGS.get(row["standing"], ""),
            "flags": flags_text(row, titles),
            "progress_words": PROGRESS_WORDS.get(row.get("progress") or "", ""),
            "raises_titles": named(row["raises"]),
            "lowers_titles": named(row["lowers"]),
            "conflict_titles": named(row["conflicts"]),
        }
        for row in rows
    ]


SAVED = {
    "imported": "Imported.",
    "node-added": "Node added.",
    "node-saved": "Node saved.",
    "node-deleted": "Node deleted, with its links.",
    "link-added": "Link added.",
    "link-saved": "Link saved.",
    "link-deleted": "Link deleted.",
    "restored": "Restored: a new version equal to the one you chose.",
    "observed": "Observation added.",
    "created": "Model created: add its first node.",
    "settings-saved": "Settings saved.",
}

# Entries of the add-an-observation form's indicator list; past this, use the API or CSV.
OBSERVABLE_LIMIT = 500


def _observable(model: TheoryOfChange) -> list[tuple[str, str]]:
    """The indicators an observation can be added to: (form value, label)."""
    return [
        (f"{node.id}/{indicator.id or indicator.name}", f"{node.title} — {indicator.name}")
        for node in model.nodes
        for indicator in node.indicators
    ][:OBSERVABLE_LIMIT]


@router.get("/models/{model_id}")
def model_page(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model_id: str,
    severity: str = "",
    code: str = "",
    saved: str = "",
    colour: str = "",
    sort: str = "",
) -> Response:
    if visitor is None:
        return to_login()
    try:  # the report pipeline's: after a save, the check the write started, not a second
        checked = reports.report(session, visitor.principal.workspace_id, model_id)
    except errors.NotFound:
        return no_such_model(request, visitor)
    model, graph, report = checked.model, checked.graph, checked.report
    visitor = visitor.on_model(model.id)
    titles = {node.id: node.title for node in model.nodes}
    link_titles = {
        link.key: f"{titles[link.source]} \u2192 {titles[link.target]}" for link in model.links
    }
    findings = [
        {
            "finding": finding,
            "kind": "link" if finding.link else "node",
            "shown": (not severity or finding.severity.value == severity)
            and (not code or finding.code == code),
        }
        for finding in report.findings
    ]
    # A portfolio can have thousands of findings: past TABLE_LIMIT the table holds only the
    # rows the filter selects, the first TABLE_LIMIT of them, and filtering goes to the server.
    partial = len(findings) > TABLE_LIMIT
    matching = sum(1 for row in findings if row["shown"])
    if partial:
        findings = [row for row in findings if row["shown"]][:TABLE_LIMIT]
    metrics = report.metrics
    shares = [
        ("Initiatives with a chain to students", _percent(metrics["anchored_share"])),
        ("Initiatives with a because-chain", _percent(metrics["explained_share"])),
        ("Chain links with a because", _percent(metrics["because_share"])),
        ("Chain links with evidence", _percent(metrics["evidence_share"])),
    ]
    strength = [
        {"id": initiative, "title": titles[initiative], "tier": tier}
        for initiative, tier in metrics["evidence_strength"].items()
    ]
    return render(
        request,
        "model.html",
        visitor,
        model=model,
        report=report,
        scorecard=scorecard_rows(report, titles, sort),
        summary=cabinet_summary(model, report),
        scorecard_sort="standing" if sort == "standing" else "",
        findings=findings,
        findings_partial=partial,
        findings_matching=matching,
        table_limit=TABLE_LIMIT,
        codes=sorted({f.code for f in report.findings}),
        severity=severity,
        code=code,
        shares=shares,
        strength=strength,
        titles=titles,
        link_titles=link_titles,
        saved=SAVED.get(saved),
        export_formats=EXPORT_FORMATS,
        format_labels=FORMAT_LABELS,
        vis_url=VIS_URL,
        charts=tracked_charts(model),
        chart_width=WIDTH,
        chart_height=HEIGHT,
        observable=_observable(model) if visitor.can_write else [],
        colour=colour,
        **map_context(
            model,
            report,
            graph,
            edit_base=model_url(model.id) if visitor.can_write else None,
            node_colours=progress_colours(model) if colour == "progress" else None,
        ),
    )
