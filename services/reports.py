"""Check reports: checking a posted document, the per-version report cache, an initiative's chains.

A stored model's report is cached per model version and check date (today in UTC: TOC701
judges how old observations are on that day), so checking an unchanged model twice in a day
does the graph work once; `api/hotpath.py` answers a cached report before routing.
"""

from __future__ import annotations

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


def check_document(document: Any, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Check a toc/1 document without storing it; raises `DocumentRejected` if it is invalid."""
    return check_model(parse_document(document, limits)).to_dict()


def report_json(session: Session, workspace_id: int, model_id: str) -> tuple[str, int]:
    """The model's check report as JSON text (§3 shape), and the version it is for.

    The model is checked as of today (UTC). Served from the cache when one exists for the
    current version and today; otherwise the model is checked once and the report cached for
    that version and day.
    """
    as_of = clock.today()
    day = as_of.isoformat()
    model_pk, version, cached = store.cached_report(session, workspace_id, model_id, day)
    if cached is not None:
        return cached, version
    store.begin_read(session)  # the check reads the model in one consistent snapshot
    row = store.model_row(session, workspace_id, model_id)
    version = row.version
    report_text = store.dumps(check_model(store.load_model(session, row), as_of=as_of).to_dict())
    store.upsert_report(session, model_pk, version, day, report_text)
    return report_text, version


def get_report(session: Session, workspace_id: int, model_id: str) -> tuple[dict[str, Any], int]:
    """The model's check report `{"findings", "metrics", "inferred"}`, and its version."""
    text, version = report_json(session, workspace_id, model_id)
    report: dict[str, Any] = json.loads(text)
    return report, version


def scorecard(
    session: Session, workspace_id: int, model_id: str
) -> tuple[list[dict[str, Any]], int]:
    """The model's scorecard (the report's `initiatives`), and the version it is for.

    Read from the cached report: the scorecard costs nothing once the model has been checked.
    """
    report, version = get_report(session, workspace_id, model_id)
    if "initiatives" not in report:
        # A report cached before the scorecard existed (the cache keeps it for its version).
        store.begin_read(session)
        row = store.model_row(session, workspace_id, model_id)
        report = check_model(store.load_model(session, row)).to_dict()
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
