"""Indicator observations coming into a stored model: all or nothing, one new version.

The rows are read and checked against the indicators they name, and merged into the nodes
that hold those, before the write begins: the write transaction (on SQLite, the one write
lock of the whole database, which every workspace shares) only stores the nodes that changed,
the model's version and a history entry of those nodes (a delta, packed beforehand). The
rest of the model is neither read nor validated again: observations change nothing else.
Should another writer change the model meanwhile, the merge is done again on what it wrote,
so no update is lost.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from sqlmodel import Session

from services import store
from services.db import writing
from services.deltas import nodes_set_text
from services.errors import Expected, VersionConflict
from services.store import ModelInfo
from services.tables import StoredModel
from toc.limits import DEFAULT_LIMITS, Limits
from toc.observations import (
    ObservationInput,
    merge_observations_into_nodes,
    named_nodes,
    read_observations,
)

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
) -> Sequence[ObservationInput]:
    """The rows of an upload, read before any write (their `skipped` counts blank ones)."""
    return read_observations(data, fmt, date_format, skip_blank, limits)


class _Merged:
    """The nodes a merge changed (`{id: toc/1 JSON text}`) and their delta, packed."""

    def __init__(self, texts: dict[str, str]):
        self.texts = texts
        self.packed_delta = store.pack(nodes_set_text(texts)) if texts else b""


def _merge(
    session: Session, row: StoredModel, rows: Sequence[ObservationInput], named: set[str]
) -> _Merged:
    """The rows merged into the nodes they name, as the model's rows hold them now."""
    assert row.id is not None
    nodes = store.nodes_by_id(session, row.id, named)
    return _Merged(merge_observations_into_nodes(nodes, rows))


def _unchanged(session: Session, row: StoredModel) -> ModelInfo:
    """The model's info as it stands: a merge that changed nothing makes no version."""
    info = store.model_info(session, row.workspace_id, row.slug)
    return dataclasses.replace(info, changed=False)


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
    unconditional write always lands. Rows that change nothing make no version.
    """
    named = named_nodes(rows)
    for _attempt in range(_ATTEMPTS - 1):
        store.begin_read(session)
        row = store.model_row(session, workspace_id, model_id, fresh=True)
        read_version = row.version
        if not _expects(expected_version, read_version):
            session.rollback()
            raise VersionConflict(model_id, expected_version, read_version)
        try:
            merged = _merge(session, row, rows, named)
            if not merged.texts:
                return _unchanged(session, row)
        finally:
            session.rollback()  # end the read before the write takes the lock
        try:
            with writing(session):
                bumped = store.bump(session, workspace_id, model_id, read_version)
                return store.rewrite_node_data(
                    session, bumped, merged.texts, packed_delta=merged.packed_delta, note=note
                )
        except VersionConflict:
            # Someone wrote the model between our read and our write: a conditional write
            # has lost (its version is gone), an unconditional one merges again.
            if expected_version is not None:
                raise
    with writing(session):
        bumped = store.bump(session, workspace_id, model_id, expected_version)
        merged = _merge(session, bumped, rows, named)
        if not merged.texts:
            store.unbump(session, bumped)
            return _unchanged(session, bumped)
        return store.rewrite_node_data(
            session, bumped, merged.texts, packed_delta=merged.packed_delta, note=note
        )
