"""The workspace's portfolio (SPEC §6): every model of the caller's workspace checked together.

The answer is cached on the set of (model, version) it read and the check date: a write to any
model of the workspace changes the set, so the next answer is fresh, and a repeated request
reads only the versions (one small query) and costs no check. Only the caller's workspace is
read, so a reference to a model of another workspace reads exactly as one to a model that does
not exist (TOC801: "the portfolio holds no model ...").
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from services import store
from services.tables import StoredModel
from toc.bulk import gc_paused
from toc.portfolio import PortfolioReport, check_portfolio
from toc.reading import read_document

__all__ = [
    "Portfolio",
    "portfolio",
    "versions",
    "cached",
    "clear_cache",
    "VERSIONS_FOR_TOKEN",
]

# A token's workspace and that workspace's (model, version) set, in one statement, for the
# cached answer before routing (api/portfolio_hotpath.py): a revoked or expired token finds
# nothing, as the route's authentication refuses it. A workspace with no model gives one row
# whose slug is null.
VERSIONS_FOR_TOKEN = (
    "SELECT api_token.workspace_id, toc_model.slug, toc_model.version"
    " FROM api_token"
    " LEFT JOIN toc_model ON toc_model.workspace_id = api_token.workspace_id"
    " WHERE api_token.token_hash = :token_hash"
    " AND api_token.revoked_at IS NULL"
    " AND (api_token.expires_at IS NULL OR api_token.expires_at > :now)"
    " ORDER BY toc_model.slug"
)

# A few portfolios per process: one per workspace and day is what the pages and API ask for,
# and a statewide one holds its documents (a hundred MiB or more at 60k nodes) for the map.
_CACHE_SIZE = 4
_cache: OrderedDict[tuple[int, str], Portfolio] = OrderedDict()
_lock = threading.Lock()


@dataclass(frozen=True)
class Portfolio:
    """A checked portfolio: the report, its JSON bytes and its tag (a hash of what it read)."""

    report: PortfolioReport
    json: bytes
    etag: str
    # The documents read, for the pages' map (`toc.portfolio.combined_model`).
    documents: tuple[Any, ...] = ()


def versions(session: Session, workspace_id: int) -> list[tuple[str, int]]:
    """The workspace's models and their versions, by id: what a portfolio answer depends on."""
    statement = (
        select(StoredModel.slug, StoredModel.version)
        .where(StoredModel.workspace_id == workspace_id)
        .order_by(col(StoredModel.slug))
    )
    return [(slug, version) for slug, version in session.exec(statement).all()]


def _tag(workspace_id: int, read: list[tuple[str, int]], as_of: datetime.date) -> str:
    text = ";".join(f"{slug}:{version}" for slug, version in read)
    digest = hashlib.sha256(f"{workspace_id}|{as_of.isoformat()}|{text}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def cached(
    workspace_id: int, read: list[tuple[str, int]], as_of: datetime.date
) -> Portfolio | None:
    """The cached answer for exactly this (model, version) set and day, or None."""
    key = (workspace_id, _tag(workspace_id, read, as_of))
    with _lock:
        return _cache.get(key)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def portfolio(session: Session, workspace_id: int, as_of: datetime.date) -> Portfolio:
    """The portfolio of the workspace as of `as_of`, from the cache when nothing changed."""
    read = versions(session, workspace_id)
    tag = _tag(workspace_id, read, as_of)
    key = (workspace_id, tag)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    store.begin_read(session)  # every model read in one consistent snapshot
    rows = session.exec(
        select(StoredModel)
        .where(StoredModel.workspace_id == workspace_id)
        .order_by(col(StoredModel.slug))
    ).all()
    documents: list[tuple[str, Any]] = []
    # Reading many documents makes millions of small objects: the cyclic collector would walk
    # them again and again for nothing (toc.bulk).
    with gc_paused():
        for row in rows:
            document = read_document(store.document_text(session, row).encode("utf-8"))
            documents.append((row.slug, document))
    # What was read, as read: a write between the two queries gives a tag for this answer.
    read = [(row.slug, row.version) for row in rows]
    tag = _tag(workspace_id, read, as_of)
    report = check_portfolio(documents, as_of=as_of)
    made = Portfolio(report, report.to_json(), tag, tuple(d for _, d in documents))
    with _lock:
        _cache[(workspace_id, tag)] = made
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return made
