"""Indicator observations coming into a stored model: all or nothing, one new version.

The rows are read, checked and merged into the model, and the merged model validated,
before the write begins: the write transaction (on SQLite, the one write lock of the whole
database, which every workspace shares) only stores the result. Should another writer change
the model meanwhile, the merge is done again on what it wrote, so no update is lost.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from services import store
from services.db import writing
from services.errors import Expected, VersionConflict
from services.store import ModelInfo
from toc.limits import DEFAULT_LIMITS, Limits
from toc.observations import ObservationInput, merge_observations, read_observations

__all__ = ["add_observations", "read_rows", "merge_rows"]

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
    date_format: str | None = None,
    skip_blank: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    note: str | None = None,
) -> ModelInfo:
    """Merge observations (JSON `[{"node", "indicator", "date", "value", "note"?}]`, CSV
    with a header row, or an XLSX workbook) into the model as one new version.

    Any unknown node or indicator, bad date or non-number raises `DocumentRejected` with every
    problem, and nothing is stored; one for a date that already has one replaces it. CSV and
    XLSX are read as a data office writes them (`date_format`, `skip_blank`: SPEC §5); how
    many rows were skipped is `skipped_rows(...)` of the same rows (see `read_rows`).
    """
    rows = read_observations(data, fmt, date_format, skip_blank, limits)
    return merge_rows(
        session, workspace_id, model_id, rows, expected_version=expected_version, note=note
    )


def read_rows(
    data: bytes,
    fmt: str,
    date_format: str | None = None,
    skip_blank: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> list[ObservationInput]:
    """The rows of an upload, read before any write (their `skipped` counts blank ones)."""
    return read_observations(data, fmt, date_format, skip_blank, limits)


def merge_rows(
    session: Session,
    workspace_id: int,
    model_id: str,
    rows: Sequence[ObservationInput],
    *,
    expected_version: Expected = None,
    note: str | None = None,
) -> ModelInfo:
    """Merge rows already read into the model as one new version, all or nothing.

    The merge is done outside the write transaction; should other writers keep changing the
    model under it, the last attempt merges inside the write, as any other write does, so an
    unconditional write always lands.
    """
    for _attempt in range(_ATTEMPTS - 1):
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
            if expected_version is not None:
                raise
    with writing(session):
        bumped = store.bump(session, workspace_id, model_id, expected_version)
        merged = merge_observations(store.load_model(session, bumped), rows)
        merged.version = None
        return store.rewrite_model(session, bumped, merged, note=note)
