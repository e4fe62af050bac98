"""Server-rendered web pages: sign-in, the workspace's models, a model's page, forms to edit it.

The pages are a thin shell over `api.services`, like the REST routes: they read and write
through the same functions, so versions, validation and workspaces behave the same.

- Sign-in stores the raw token in an HttpOnly, SameSite=Lax session cookie
  (`api.auth.SESSION_COOKIE`); every request resolves it again, so a revoked token signs out.
- Every POST carries a CSRF token in a hidden field: an HMAC of the session token, which a
  forging site cannot compute (the sign-in form uses a double-submit cookie instead).
- Every edit form carries the model's version in a hidden field; a write made against a
  stale version shows the conflict instead of overwriting.
- Templates escape by default; the map's data travels as escaped JSON; the pages send a
  Content-Security-Policy that allows only toc's own scripts, none inline.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData, UploadFile

from api.auth import SESSION_COOKIE, Principal, principal_for_token
from api.deps import SessionDep
from api.services import items, reports
from api.services import models as model_service
from api.services.errors import AlreadyExists, NotFound, VersionConflict
from toc import formats
from toc.errors import DocumentRejected, Problem
from toc.graph import build_graph
from toc.model import Kind, Level, LinkType, Measures, Polarity, Status, TheoryOfChange
from toc.report import check_model
from web.map import TIER_NAMES, VIS_NETWORK_VERSION, map_context, templates, vis_network_js

__all__ = ["router", "csrf_token", "VIS_URL"]

router = APIRouter(include_in_schema=False)

VIS_URL = f"/assets/vis-network-{VIS_NETWORK_VERSION}.min.js"
LOGIN_CSRF_COOKIE = "toc_login_csrf"

# Only toc's own scripts and styles; no inline script, no framing, forms post only to toc.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

SEVERITIES = ("error", "warning", "info")
# Rows of one table on a model's page; past this, the map is the way to a node or link.
TABLE_LIMIT = 500
EXPORT_FORMATS = formats.WRITE_FORMATS
IMPORT_FORMATS = formats.READ_FORMATS
FORMAT_LABELS = {
    "json": "toc/1 JSON",
    "csv": "CSV (zip of nodes.csv and links.csv)",
    "graphml": "GraphML (yEd)",
    "gexf": "GEXF (Gephi)",
    "mermaid": "Mermaid flowchart",
}


# -- who is asking ----------------------------------------------------------------------------
def csrf_token(session_token: str) -> str:
    """The CSRF token of a session: only a page that knows the session's token can make it."""
    return hmac.new(session_token.encode("utf-8"), b"toc-pages-csrf/1", hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Visitor:
    """A signed-in person: their workspace and role, and the CSRF token of their session."""

    principal: Principal
    csrf: str

    @property
    def can_write(self) -> bool:
        return self.principal.can_write


def _visitor(request: Request, session: SessionDep) -> Visitor | None:
    token = request.cookies.get(SESSION_COOKIE)
    principal = principal_for_token(session, token)
    if principal is None or token is None:
        return None
    return Visitor(principal, csrf_token(token))


VisitorDep = Annotated[Visitor | None, Depends(_visitor)]


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


# -- rendering ---------------------------------------------------------------------------------
def render(
    request: Request,
    name: str,
    visitor: Visitor | None = None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    html = (
        templates()
        .get_template(name)
        .render(
            request=request,
            visitor=visitor,
            vis_url=VIS_URL,
            severities=SEVERITIES,
            tier_names=TIER_NAMES,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def _error_page(
    request: Request, visitor: Visitor | None, status: int, message: str
) -> HTMLResponse:
    titles = {400: "Bad request", 403: "Not allowed", 404: "Not found", 409: "Conflict"}
    return render(
        request, "error.html", visitor, status, title=titles.get(status, "Error"), message=message
    )


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


def _writer(request: Request, visitor: Visitor | None, form: FormData) -> Response | None:
    """Why a POST may not write: not signed in (401), a viewer (403), a forged form (403)."""
    if visitor is None:
        return _login_page(request, 401, "Sign in first.")
    if not visitor.can_write:
        return _error_page(
            request,
            visitor,
            403,
            f"A {visitor.principal.role.value} can read models but not change them.",
        )
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent, visitor.csrf):
        return _error_page(
            request,
            visitor,
            403,
            "This form is out of date or came from another site. Reload the page and try again.",
        )
    return None


def _model_url(model_id: str, **query: str) -> str:
    url = "/models/" + quote(model_id, safe="")
    return url + ("?" + urlencode(query) if query else "")


# -- sign-in and sign-out -----------------------------------------------------------------------
def _signed_in(request: Request, token: str) -> Response:
    settings = getattr(request.app.state, "settings", None)
    response = RedirectResponse("/models", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=bool(getattr(settings, "cookie_secure", False)),
        path="/",
    )
    if LOGIN_CSRF_COOKIE in request.cookies:
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _login_page(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, "login.html", None, status, error=error, login_csrf=nonce)
    response.set_cookie(LOGIN_CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/login")
    return response


@router.get("/")
def home(visitor: VisitorDep) -> Response:
    return RedirectResponse("/models" if visitor else "/login", status_code=303)


@router.get("/login")
def login(request: Request, session: SessionDep, token: str | None = None) -> Response:
    """`/login?token=TOKEN` signs in with the token (the URL `toc serve` prints); else the form."""
    if token is None:
        return _login_page(request)
    if principal_for_token(session, token) is None:
        return _login_page(request, 401, "That token is not valid. Ask an admin for a new one.")
    return _signed_in(request, token)


@router.post("/login")
def login_form(request: Request, session: SessionDep, form: FormDep) -> Response:
    sent = form.get("login_csrf")
    expected = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not (isinstance(sent, str) and expected and hmac.compare_digest(sent, expected)):
        return _login_page(request, 403, "The sign-in form expired. Please try again.")
    token = form.get("token")
    token = token.strip() if isinstance(token, str) else ""
    if principal_for_token(session, token) is None:
        return _login_page(request, 401, "That token is not valid. Ask an admin for a new one.")
    return _signed_in(request, token)


@router.post("/logout")
def logout(request: Request, visitor: VisitorDep, form: FormDep) -> Response:
    if visitor is not None:
        sent = form.get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent, visitor.csrf):
            return _error_page(request, visitor, 403, "This form came from another site.")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get(VIS_URL)
def vis_network() -> Response:
    """vis-network, served from the installed pyvis package: the pages need no CDN."""
    return Response(
        vis_network_js(),
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


# -- the workspace's models -----------------------------------------------------------------------
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
        return _to_login()
    return _models_page(request, session, visitor)


@router.post("/models/import")
def import_model(
    request: Request, session: SessionDep, visitor: VisitorDep, form: FormDep
) -> Response:
    refused = _writer(request, visitor, form)
    if refused is not None:
        return refused
    assert visitor is not None
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
    except AlreadyExists as exists:
        return _models_page(
            request, session, visitor, 409, [f"{exists} Tick “replace” to overwrite it."]
        )
    return RedirectResponse(_model_url(info.id, saved="imported"), status_code=303)


@router.get("/models/{model_id}/export")
def export_model(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str, format: str = "json"
) -> Response:
    if visitor is None:
        return _to_login()
    if format not in EXPORT_FORMATS:
        return _error_page(
            request, visitor, 400, f"Unknown format. Choose one of {', '.join(EXPORT_FORMATS)}."
        )
    try:
        payload, version = model_service.export_model(
            session, visitor.principal.workspace_id, model_id, format
        )
    except NotFound:
        return _error_page(request, visitor, 404, "No such model in this workspace.")
    filename = f"{model_id}.{formats.EXTENSIONS[format]}"
    return Response(
        payload,
        media_type=formats.MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "ETag": f'"{version}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


# -- a model's page -------------------------------------------------------------------------------
def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _load(session: SessionDep, visitor: Visitor, model_id: str) -> TheoryOfChange | None:
    try:
        model, _ = model_service.get_model(session, visitor.principal.workspace_id, model_id)
    except NotFound:
        return None
    return model


SAVED = {
    "imported": "Imported.",
    "node-added": "Node added.",
    "node-saved": "Node saved.",
    "node-deleted": "Node deleted, with its links.",
    "link-added": "Link added.",
    "link-saved": "Link saved.",
    "link-deleted": "Link deleted.",
}


@router.get("/models/{model_id}")
def model_page(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model_id: str,
    severity: str = "",
    code: str = "",
    saved: str = "",
) -> Response:
    if visitor is None:
        return _to_login()
    model = _load(session, visitor, model_id)
    if model is None:
        return _error_page(request, visitor, 404, "No such model in this workspace.")
    graph = build_graph(model)
    report = check_model(model, graph)
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
        **map_context(
            model, report, graph, edit_base=_model_url(model.id) if visitor.can_write else None
        ),
    )


# -- forms: turning fields into toc/1 objects and back --------------------------------------------
@dataclass
class FormState:
    """A form's raw values, its errors by field, and errors that belong to no one field."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _cells(line: str, count: int) -> list[str]:
    """`a | b | c` split into `count` cells; the last one keeps any further bars."""
    cells = [cell.strip() for cell in line.split("|", count - 1)]
    return cells + [""] * (count - len(cells))


def _or_none(value: str) -> str | None:
    return value or None


NODE_TEXT = ("title", "actor", "description", "form", "function")
MEASURES = tuple(m.value for m in Measures)


def _node_fields(state: FormState) -> dict[str, Any]:
    values = state.values
    node: dict[str, Any] = {
        "level": values["level"],
        "kind": values["kind"],
        "status": values["status"] or Status.ACTIVE.value,
    }
    for name in NODE_TEXT:
        node[name] = _or_none(values[name])
    indicators = []
    for number, line in enumerate(_lines(values["indicators"]), start=1):
        name, measures, target, baseline, source, cadence = _cells(line, 6)
        if measures and measures not in MEASURES:
            state.add(
                "indicators",
                f"line {number}: measures {measures!r} is not one of "
                f"{', '.join(MEASURES)} (or leave it empty)",
            )
        indicator = {
            "name": name,
            "measures": _or_none(measures),
            "target": _or_none(target),
            "baseline": _or_none(baseline),
            "source": _or_none(source),
            "cadence": _or_none(cadence),
        }
        indicators.append({k: v for k, v in indicator.items() if v is not None})
    node["indicators"] = indicators or None
    tags = [tag.strip() for tag in values["tags"].split(",") if tag.strip()]
    node["tags"] = tags or None
    return node


def _node_values(form: FormData | None, node: dict[str, Any] | None = None) -> dict[str, str]:
    names = ("id", "level", "kind", "status", *NODE_TEXT, "indicators", "tags")
    if form is not None:
        return {name: _text(form, name) for name in names}
    node = node or {}
    values = {name: str(node.get(name) or "") for name in names}
    values["indicators"] = "\n".join(
        " | ".join(
            [
                i.get("name", ""),
                i.get("measures") or "",
                i.get("target") or "",
                i.get("baseline") or "",
                i.get("source") or "",
                i.get("cadence") or "",
            ]
        ).rstrip(" |")
        for i in node.get("indicators", [])
    )
    values["tags"] = ", ".join(node.get("tags", []))
    values["status"] = values["status"] or Status.ACTIVE.value
    return values


def _link_fields(state: FormState) -> dict[str, Any]:
    values = state.values
    link: dict[str, Any] = {
        "id": _or_none(values["id"]),
        "from": values["from"],
        "to": values["to"],
        "type": values["type"] or LinkType.LEADS_TO.value,
        "polarity": values["polarity"] or Polarity.PLUS.value,
        "because": _or_none(values["because"]),
    }
    evidence = []
    for number, line in enumerate(_lines(values["evidence"]), start=1):
        citation, tier, url, note = _cells(line, 4)
        entry: dict[str, Any] = {"citation": citation}
        if tier:
            if tier.isdigit() and 1 <= int(tier) <= 4:
                entry["tier"] = int(tier)
            else:
                state.add(
                    "evidence",
                    f"line {number}: the tier is 1, 2, 3 or 4 (the ESSA tiers), not {tier!r}",
                )
        if url:
            entry["url"] = url
        if note:
            entry["note"] = note
        evidence.append(entry)
    link["evidence"] = evidence or None
    link["assumptions"] = _lines(values["assumptions"]) or None
    return link


def _link_values(form: FormData | None, link: dict[str, Any] | None = None) -> dict[str, str]:
    names = ("id", "from", "to", "type", "polarity", "because", "evidence", "assumptions")
    if form is not None:
        return {name: _text(form, name) for name in names}
    link = link or {}
    values = {name: str(link.get(name) or "") for name in names}
    values["evidence"] = "\n".join(
        " | ".join(
            [
                e.get("citation", ""),
                str(e.get("tier") or ""),
                e.get("url") or "",
                e.get("note") or "",
            ]
        ).rstrip(" |")
        for e in link.get("evidence", [])
    )
    values["assumptions"] = "\n".join(link.get("assumptions", []))
    values["type"] = values["type"] or LinkType.LEADS_TO.value
    values["polarity"] = values["polarity"] or Polarity.PLUS.value
    return values


_PATH = re.compile(r"^(?:nodes|links)\[\d+\]\.([A-Za-z_]+)(?:\[(\d+)\])?")


def _place_problems(state: FormState, problems: Iterable[Problem]) -> None:
    """Put each problem of a rejected write beside the field it is about."""
    for problem in problems:
        match = _PATH.match(problem.path)
        if match is None or match.group(1) not in state.values:
            state.general.append(str(problem))
            continue
        name, item = match.group(1), match.group(2)
        prefix = f"line {int(item) + 1}: " if item is not None else ""
        state.add(name, prefix + problem.message)


def _version(form: FormData) -> int | None:
    value = _text(form, "version")
    return int(value) if value.isdigit() and len(value) < 19 else None


def _choices(model: TheoryOfChange) -> dict[str, Any]:
    return {
        "levels": [level.value for level in Level],
        "kinds": [kind.value for kind in Kind],
        "statuses": [status.value for status in Status],
        "link_types": [t.value for t in LinkType],
        "polarities": [p.value for p in Polarity],
        "measures": MEASURES,
        "node_options": [(node.id, f"{node.title} ({node.id})") for node in model.nodes],
    }


def _form_page(
    request: Request,
    visitor: Visitor,
    template: str,
    model: TheoryOfChange,
    version: int,
    state: FormState,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("conflict", None)
    context.setdefault("item_id", None)
    return render(
        request,
        template,
        visitor,
        status,
        model=model,
        version=version,
        values=state.values,
        errors=state.errors,
        general=state.general,
        **_choices(model),
        **context,
    )


def _shown(value: Any) -> str:
    """A stored field as the form would show it, to set beside the visitor's own values."""
    if value is None:
        return ""
    return str(value)


def _differences(stored: dict[str, str], yours: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"field": name, "stored": _shown(stored.get(name)), "yours": yours[name]}
        for name in yours
        if _shown(stored.get(name)) != yours[name]
    ]


def _denied_or_model(
    request: Request, session: SessionDep, visitor: Visitor | None, model_id: str, *, write: bool
) -> Response | tuple[Visitor, TheoryOfChange]:
    if visitor is None:
        return _to_login()
    if write and not visitor.can_write:
        return _error_page(
            request,
            visitor,
            403,
            f"A {visitor.principal.role.value} can read models but not change them.",
        )
    model = _load(session, visitor, model_id)
    if model is None:
        return _error_page(request, visitor, 404, "No such model in this workspace.")
    return visitor, model


# -- the node and link forms alike ------------------------------------------------------------
@dataclass(frozen=True)
class _ItemForms:
    """What the node and the link forms differ in; their flow is one."""

    what: str  # "node" or "link": in the messages and in `saved`
    template: str
    values: Callable[[FormData | None, dict[str, Any] | None], dict[str, str]]
    fields: Callable[[FormState], dict[str, Any]]
    get: Callable[[Session, int, str, str], tuple[dict[str, Any], int]]
    fixed_id: bool  # whether the id is the edited item's own, not a field the form changes


_NODE_FORMS = _ItemForms(
    "node",
    "node_form.html",
    _node_values,
    _node_fields,
    items.get_node,
    fixed_id=True,
)
_LINK_FORMS = _ItemForms(
    "link",
    "link_form.html",
    _link_values,
    _link_fields,
    items.get_link,
    fixed_id=False,
)


def _edit(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model_id: str,
    item_id: str,
    forms: _ItemForms,
) -> Response:
    found = _denied_or_model(request, session, visitor, model_id, write=True)
    if isinstance(found, Response):
        return found
    visitor, model = found
    try:
        item, version = forms.get(session, visitor.principal.workspace_id, model_id, item_id)
    except NotFound:
        return _error_page(request, visitor, 404, f"No such {forms.what} in this model.")
    return _form_page(
        request,
        visitor,
        forms.template,
        model,
        version,
        FormState(forms.values(None, item)),
        adding=False,
        item_id=item_id,
    )


def _save(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormData,
    model_id: str,
    item_id: str | None,
    forms: _ItemForms,
    write: Callable[[FormState, dict[str, Any], int, int], str],
) -> Response:
    """Add (`item_id` None) or change a node or link from its form; `write` returns its id.

    A rejected write shows the form again with each problem beside its field; a stale
    version shows what changed meanwhile; a saved one goes back to the model's page.
    """
    refused = _writer(request, visitor, form)
    if refused is not None:
        return refused
    found = _denied_or_model(request, session, visitor, model_id, write=True)
    if isinstance(found, Response):
        return found
    visitor, model = found
    state = FormState(forms.values(form, None))
    if forms.fixed_id and item_id is not None:
        state.values["id"] = item_id
    fields = forms.fields(state)
    expected = _version(form)
    if expected is None:
        state.general.append("The form lost the model's version: reload the page and try again.")
    adding = item_id is None

    def again(status: int, **context: Any) -> HTMLResponse:
        return _form_page(
            request,
            visitor,
            forms.template,
            model,
            model.version or 0,
            state,
            status,
            adding=adding,
            item_id=item_id,
            **context,
        )

    if state.errors or state.general:
        return again(400)
    assert expected is not None
    workspace = visitor.principal.workspace_id
    try:
        subject = write(state, fields, workspace, expected)
    except DocumentRejected as rejected:
        _place_problems(state, rejected.problems)
        return again(400)
    except VersionConflict as conflict:
        stored: dict[str, str] | None = None
        if not adding:
            try:
                item, _ = forms.get(session, workspace, model_id, item_id or "")
                stored = forms.values(None, item)
            except NotFound:
                stored = None
        model = _load(session, visitor, model_id) or model
        return again(
            409,
            conflict={
                "yours": expected,
                "current": conflict.current,
                "differences": _differences(stored, state.values) if stored else [],
                "gone": not adding and stored is None,
            },
        )
    except NotFound:
        return _error_page(request, visitor, 404, f"That {forms.what} no longer exists.")
    saved = f"{forms.what}-{'added' if adding else 'saved'}"
    return RedirectResponse(
        _model_url(model_id, saved=saved) + "#focus=" + quote(subject, safe=""), status_code=303
    )


# -- node forms -----------------------------------------------------------------------------------
@router.get("/models/{model_id}/nodes/new")
def new_node(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model_id: str,
    level: str = "teacher",
) -> Response:
    found = _denied_or_model(request, session, visitor, model_id, write=True)
    if isinstance(found, Response):
        return found
    visitor, model = found
    values = _node_values(
        None, {"level": level if level in {v.value for v in Level} else "teacher", "kind": "change"}
    )
    return _form_page(
        request,
        visitor,
        "node_form.html",
        model,
        model.version or 0,
        FormState(values),
        adding=True,
    )


def _save_node(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormData,
    model_id: str,
    node_id: str | None,
) -> Response:
    def write(state: FormState, fields: dict[str, Any], workspace: int, expected: int) -> str:
        if node_id is None:
            fields["id"] = state.values["id"]
            node = {k: v for k, v in fields.items() if v is not None}
            items.add_node(session, workspace, model_id, node, expected_version=expected)
            return state.values["id"]
        items.patch_node(session, workspace, model_id, node_id, fields, expected_version=expected)
        return node_id

    return _save(request, session, visitor, form, model_id, node_id, _NODE_FORMS, write)


@router.post("/models/{model_id}/nodes")
def add_node(
    request: Request, session: SessionDep, visitor: VisitorDep, form: FormDep, model_id: str
) -> Response:
    return _save_node(request, session, visitor, form, model_id, None)


@router.get("/models/{model_id}/nodes/{node_id}/edit")
def edit_node(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str, node_id: str
) -> Response:
    return _edit(request, session, visitor, model_id, node_id, _NODE_FORMS)


@router.post("/models/{model_id}/nodes/{node_id}")
def save_node(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormDep,
    model_id: str,
    node_id: str,
) -> Response:
    return _save_node(request, session, visitor, form, model_id, node_id)


def _delete(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormData,
    model_id: str,
    remove: Callable[[int, int], int],
    saved: str,
) -> Response:
    refused = _writer(request, visitor, form)
    if refused is not None:
        return refused
    assert visitor is not None
    expected = _version(form)
    if expected is None:
        return _error_page(
            request, visitor, 400, "Nothing was deleted: the form lost the model's version."
        )
    try:
        remove(visitor.principal.workspace_id, expected)
    except VersionConflict as conflict:
        return _error_page(
            request,
            visitor,
            409,
            f"Nothing was deleted: the model changed since you opened the page (you had version "
            f"{expected}, it is now at {conflict.current}). Look at it again before deleting.",
        )
    except NotFound as missing:
        return _error_page(request, visitor, 404, f"Nothing was deleted: {missing}.")
    return RedirectResponse(_model_url(model_id, saved=saved), status_code=303)


@router.post("/models/{model_id}/nodes/{node_id}/delete")
def delete_node(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormDep,
    model_id: str,
    node_id: str,
) -> Response:
    return _delete(
        request,
        session,
        visitor,
        form,
        model_id,
        lambda workspace, expected: items.delete_node(
            session, workspace, model_id, node_id, expected_version=expected
        ),
        "node-deleted",
    )


# -- link forms -----------------------------------------------------------------------------------
@router.get("/models/{model_id}/links/new")
def new_link(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    model_id: str,
    source: str = "",
    target: str = "",
) -> Response:
    found = _denied_or_model(request, session, visitor, model_id, write=True)
    if isinstance(found, Response):
        return found
    visitor, model = found
    values = _link_values(None, {"from": source, "to": target})
    return _form_page(
        request,
        visitor,
        "link_form.html",
        model,
        model.version or 0,
        FormState(values),
        adding=True,
    )


def _save_link(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormData,
    model_id: str,
    link_id: str | None,
) -> Response:
    def write(state: FormState, fields: dict[str, Any], workspace: int, expected: int) -> str:
        if link_id is None:
            link = {k: v for k, v in fields.items() if v is not None}
            _, key, _ = items.add_link(
                session, workspace, model_id, link, expected_version=expected
            )
        else:
            _, key, _ = items.patch_link(
                session, workspace, model_id, link_id, fields, expected_version=expected
            )
        return key

    return _save(request, session, visitor, form, model_id, link_id, _LINK_FORMS, write)


@router.post("/models/{model_id}/links")
def add_link(
    request: Request, session: SessionDep, visitor: VisitorDep, form: FormDep, model_id: str
) -> Response:
    return _save_link(request, session, visitor, form, model_id, None)


@router.get("/models/{model_id}/links/{link_id}/edit")
def edit_link(
    request: Request, session: SessionDep, visitor: VisitorDep, model_id: str, link_id: str
) -> Response:
    return _edit(request, session, visitor, model_id, link_id, _LINK_FORMS)


@router.post("/models/{model_id}/links/{link_id}")
def save_link(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormDep,
    model_id: str,
    link_id: str,
) -> Response:
    return _save_link(request, session, visitor, form, model_id, link_id)


@router.post("/models/{model_id}/links/{link_id}/delete")
def delete_link(
    request: Request,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormDep,
    model_id: str,
    link_id: str,
) -> Response:
    return _delete(
        request,
        session,
        visitor,
        form,
        model_id,
        lambda workspace, expected: items.delete_link(
            session, workspace, model_id, link_id, expected_version=expected
        ),
        "link-deleted",
    )
