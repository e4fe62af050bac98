"""Indicator observations coming into a stored model: all or nothing, one new version."""

from __future__ import annotations

from sqlmodel import Session

from services import store
from services.db import writing
from services.errors import Expected
from services.store import ModelInfo
from toc.observations import merge_observations, read_observations

__all__ = ["add_observations"]


def add_observations(
    session: Session,
    workspace_id: int,
    model_id: str,
    data: bytes,
    fmt: str = "json",
    *,
    expected_version: Expected = None,
) -> ModelInfo:
    """Merge observations (JSON `[{"node", "indicator", "date", "value", "note"?}]` or CSV
    with a header row) into the model as one new version.

    Any unknown node or indicator, bad date or non-number raises `DocumentRejected` with every
    problem, and nothing is stored; one for a date that already has one replaces it.
    """
    rows = read_observations(data, fmt)
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        merged = merge_observations(store.load_model(session, row), rows)
        merged.version = None
        info = store.rewrite_model(session, row, merged)
    return info
