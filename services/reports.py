"""Check reports: checking a posted document, the per-version report cache, an initiative's chains.

A stored model's report is cached per model version and check date (today in UTC: TOC701
judges how old observations are on that day), so checking an unchanged model twice in a day
does the graph work once; `api/hotpath.py` answers a cached report before routing.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlmodel import Session

from services import clock, store
from services.errors import NotFound
from services.models import get_model
from toc.document import parse_document
from toc.limits import DEFAULT_LIMITS, Limits
from toc.model import Kind
from toc.report import check_model

__all__ = ["check_document", "report_json", "get_report", "scorecard", "chains"]


def check_document(
    document: Any, limits: Limits = DEFAULT_LIMITS, *, as_of: datetime.date | None = None
) -> dict[str, Any]:
    """Check a toc/1 document without storing it; raises `DocumentRejected` if it is invalid."""
    return check_model(parse_document(document, limits), as_of=as_of).to_dict()


def report_json(
    session: Session, workspace_id: int, model_id: str, *, as_of: datetime.date | None = None
) -> tuple[str, int]:
    """The model's check report as JSON text (§3 shape), and the version it is for.

    The model is checked as of `as_of` (default today, UTC). Today's report is served from
    the cache when one exists for the current version; otherwise the model is checked once
    and the report cached for that version and day. A report for another day is computed
    each time and not cached (the cache keeps one report per model: today's).
    """
    today = clock.today()
    as_of = as_of or today
    day = as_of.isoformat()
    model_pk, version, cached = store.cached_report(session, workspace_id, model_id, day)
    if cached is not None:
        return cached, version
    store.begin_read(session)  # the check reads the model in one consistent snapshot
    row = store.model_row(session, workspace_id, model_id)
    version = row.version
    report_text = store.dumps(check_model(store.load_model(session, row), as_of=as_of).to_dict())
    if as_of == today:
        store.upsert_report(session, model_pk, version, day, report_text)
    return report_text, version


def get_report(
    session: Session, workspace_id: int, model_id: str, *, as_of: datetime.date | None = None
) -> tuple[dict[str, Any], int]:
    """The model's check report (SPEC §3's keys), and its version."""
    text, version = report_json(session, workspace_id, model_id, as_of=as_of)
    report: dict[str, Any] = json.loads(text)
    return report, version


def scorecard(
    session: Session, workspace_id: int, model_id: str, *, as_of: datetime.date | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The model's scorecard (the report's `initiatives`), and the version it is for.

    Read from the cached report: the scorecard costs nothing once the model has been checked.
    """
    report, version = get_report(session, workspace_id, model_id, as_of=as_of)
    if "initiatives" not in report:
        # A report cached before the scorecard existed (the cache keeps it for its version).
        store.begin_read(session)
        row = store.model_row(session, workspace_id, model_id)
        report = check_model(store.load_model(session, row), as_of=as_of).to_dict()
        version = row.version
    rows: list[dict[str, Any]] = report["initiatives"]
    return rows, version


def chains(
    session: Session, workspace_id: int, model_id: str, initiative: str
) -> tuple[dict[str, Any], int]:
    """The subgraph of an initiative's chains: `{"initiative", "nodes", "links"}`.

    `nodes` and `links` are the toc/1 objects that lie on the chains, in document order.
    """
    from toc.graph import build_graph

    model, version = get_model(session, workspace_id, model_id)
    nodes = model.node_index()
    if initiative not in nodes or nodes[initiative].kind is not Kind.INITIATIVE:
        raise NotFound("initiative", initiative, model_id)
    found = build_graph(model).chains_of(initiative)
    on_nodes, on_links = set(found.nodes), set(found.links)

    def canonical(item: Any) -> dict[str, Any]:
        return dict(item.model_dump(mode="json", by_alias=True, exclude_none=True))

    return {
        "initiative": initiative,
        "nodes": [canonical(n) for n in model.nodes if n.id in on_nodes],
        "links": [canonical(link) for link in model.links if link.key in on_links],
    }, version
