"""Indicator observations coming into a stored model: all or nothing, one new version.

The rows are read, checked and merged into the model, and the merged model validated,
before the write begins: the write transaction (on SQLite, the one write lock of the whole
database, which every workspace shares) only stores the result. Should another writer change
the model meanwhile, the merge is done again on what it wrote, so no update is lost.
"""

from __future__ import annotations

from sqlmodel import Session

from services import store
from services.db import writing
from services.errors import Expected, VersionConflict
from services.store import ModelInfo
from toc.observations import merge_observations, read_observations

__all__ = ["add_observations"]

# How many times a merge is done again when other writers keep changing the model under it.
_ATTEMPTS = 5


def _expects(expected: Expected, version: int) -> bool:
    if expected is None:
        return True
    if isinstance(expected, int):
        return expected == version
    return version in expected


def add_observations(
    session: Session,
    workspace_id: int,
    model_id: str,
    data: bytes,
    fmt: str = "json",
    *,
    expected_version: Expected = None,
    note: str | None = None,
) -> ModelInfo:
    """Merge observations (JSON `[{"node", "indicator", "date", "value", "note"?}]` or CSV
    with a header row) into the model as one new version.

    Any unknown node or indicator, bad date or non-number raises `DocumentRejected` with every
    problem, and nothing is stored; one for a date that already has one replaces it.
    """
    rows = read_observations(data, fmt)
    for attempt in range(_ATTEMPTS):
        store.begin_read(session)
        row = store.model_row(session, workspace_id, model_id, fresh=True)
        read_version = row.version
        if not _expects(expected_version, read_version):
            session.rollback()
            raise VersionConflict(model_id, expected_version, read_version)
        merged = merge_observations(store.load_model(session, row), rows)
        merged.version = None
        session.rollback()  # end the read before the write takes the lock
        try:
            with writing(session):
                bumped = store.bump(session, workspace_id, model_id, read_version)
                return store.rewrite_model(session, bumped, merged, note=note)
        except VersionConflict:
            # Someone wrote the model between our read and our write: a conditional write
            # has lost (its version is gone), an unconditional one merges again.
            if expected_version is not None or attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
