"""A model's history: its versions listed and read back, two compared, one restored.

Every write keeps the version it makes (`store.record_version`, in the write's own
transaction: a delta, or a snapshot every few versions); this module reads them, any of them
whole. A version's findings counts are those of a check of that version as of the day it was
written, computed in the background once the write commits (`services.reports`) and null
until then: a reader never computes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from services import clock, reports, store
from services.db import writing
from services.errors import Expected
from services.store import ModelInfo
from toc.diff import diff_models
from toc.model import TheoryOfChange

__all__ = [
    "VersionInfo",
    "list_versions",
    "version_document",
    "version_model",
    "diff_versions",
    "restore_version",
]


# How long listing the history waits for the checks of versions just written (seconds).
WAIT_FOR_COUNTS_S = 2.0


@dataclass(frozen=True)
class VersionInfo:
    """One entry of a model's history (SPEC §5)."""

    version: int
    at: datetime
    by: str
    note: str | None
    nodes: int
    links: int
    errors: int | None
    warnings: int | None
    infos: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "at": self.at.isoformat(),
            "by": self.by,
            "note": self.note,
            "nodes": self.nodes,
            "links": self.links,
            # null until the background check of the version has counted them
            "findings": None
            if self.errors is None
            else {"error": self.errors, "warning": self.warnings, "info": self.infos},
        }


def list_versions(
    session: Session,
    workspace_id: int,
    model_id: str,
    *,
    limit: int | None = None,
    before: int | None = None,
) -> tuple[list[VersionInfo], int | None]:
    """The model's versions newest first, at most `limit` of them below version `before`.

    Returns the page and the version to pass as `before` for the next page (None on the last).
    """
    # Versions written a moment ago are being checked in this process: wait a little for that
    # (never start a check here); one still being checked after that is listed with null.
    reports.settle(WAIT_FOR_COUNTS_S)
    store.begin_read(session)
    row = store.model_row(session, workspace_id, model_id)
    assert row.id is not None
    found = store.version_rows(session, row.id, limit=limit, before=before)
    last = None
    if limit is not None and len(found) > limit:
        found = found[:limit]
        last = found[-1][0]
    page = [VersionInfo(*entry) for entry in found]
    uncounted = [entry.version for entry in page if entry.errors is None]
    if uncounted:
        reports.count_later(session, workspace_id, model_id, uncounted)
    return page, last


def version_document(
    session: Session, workspace_id: int, model_id: str, version: int
) -> dict[str, Any]:
    """Version `version` of the model as a toc/1 document, its `version` set."""
    store.begin_read(session)
    row = store.model_row(session, workspace_id, model_id)
    assert row.id is not None
    document = store.version_dict(session, row.id, model_id, version)
    document["version"] = version
    return document


def version_model(
    session: Session, workspace_id: int, model_id: str, version: int
) -> TheoryOfChange:
    """Version `version` of the model as a `TheoryOfChange`, its `version` set."""
    return TheoryOfChange.model_validate(version_document(session, workspace_id, model_id, version))


def diff_versions(
    session: Session, workspace_id: int, model_id: str, old: int, new: int | None = None
) -> dict[str, Any]:
    """What changed from version `old` to version `new` (default: the current one), SPEC §5.

    Both versions are checked as of today (UTC), so that only the edits, not time passing
    between them, make findings new or resolved.
    """
    if new is None:
        store.begin_read(session)
        new = store.model_row(session, workspace_id, model_id).version
    before = version_model(session, workspace_id, model_id, old)
    after = version_model(session, workspace_id, model_id, new)
    before.version = after.version = None
    return diff_models(before, after, from_version=old, to_version=new, as_of=clock.today())


def restore_version(
    session: Session,
    workspace_id: int,
    model_id: str,
    version: int,
    *,
    expected_version: Expected = None,
    note: str | None = None,
) -> ModelInfo:
    """Write a new version equal to version `version` (history is never rewritten).

    Restoring what the model holds already changes nothing: no version (`info.changed`).
    """
    model = version_model(session, workspace_id, model_id, version)
    model.version = None
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        info = store.rewrite_model(session, row, model, note=note)
    return info
