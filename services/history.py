"""A model's history: its versions listed and read back, two compared, one restored.

Every write keeps the version it makes (`store.record_version`, in the write's own
transaction); this module reads them. A version's findings counts are those of a check of
that version as of the day it was written, computed the first time the history is listed and
then kept beside the version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from services import clock, store
from services.db import writing
from services.errors import Expected
from services.store import ModelInfo
from toc.diff import diff_models
from toc.document import parse_document
from toc.model import TheoryOfChange
from toc.report import check_model

__all__ = [
    "VersionInfo",
    "list_versions",
    "version_document",
    "version_model",
    "diff_versions",
    "restore_version",
]


@dataclass(frozen=True)
class VersionInfo:
    """One entry of a model's history (SPEC §5)."""

    version: int
    at: datetime
    by: str
    nodes: int
    links: int
    errors: int
    warnings: int
    infos: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "at": self.at.isoformat(),
            "by": self.by,
            "nodes": self.nodes,
            "links": self.links,
            "findings": {"error": self.errors, "warning": self.warnings, "info": self.infos},
        }


def _counts(text: str, at: datetime) -> tuple[int, int, int]:
    model = parse_document(json.loads(text))
    found = check_model(model, as_of=at.date()).metrics["findings"]
    return found["error"], found["warning"], found["info"]


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
    store.begin_read(session)
    row = store.model_row(session, workspace_id, model_id)
    assert row.id is not None
    found = store.version_rows(session, row.id, limit=limit, before=before)
    last = None
    if limit is not None and len(found) > limit:
        found = found[:limit]
        last = found[-1][0]
    page: list[VersionInfo] = []
    missing: list[tuple[int, tuple[int, int, int]]] = []
    for version, at, by, nodes, links, errors, warnings, infos in found:
        if errors is None or warnings is None or infos is None:
            text = store.version_text(store.version_row(session, row.id, model_id, version))
            errors, warnings, infos = _counts(text, at)
            missing.append((version, (errors, warnings, infos)))
        page.append(VersionInfo(version, at, by, nodes, links, errors, warnings, infos))
    for version, counts in missing:
        store.set_version_counts(session, row.id, version, counts)
    return page, last


def version_document(
    session: Session, workspace_id: int, model_id: str, version: int
) -> dict[str, Any]:
    """Version `version` of the model as a toc/1 document, its `version` set."""
    store.begin_read(session)
    row = store.model_row(session, workspace_id, model_id)
    assert row.id is not None
    document: dict[str, Any] = json.loads(
        store.version_text(store.version_row(session, row.id, model_id, version))
    )
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
) -> ModelInfo:
    """Write a new version equal to version `version` (history is never rewritten)."""
    model = version_model(session, workspace_id, model_id, version)
    model.version = None
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        info = store.rewrite_model(session, row, model)
    return info
