"""Whole models: list, read, create, replace, delete, import and export."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from sqlmodel import Session

from services import store
from services.changes import Draft, Written
from services.db import writing
from services.errors import Expected, NotFound
from services.store import ModelInfo
from toc import formats
from toc.edits import check_head
from toc.errors import DocumentRejected, Problem
from toc.limits import DEFAULT_LIMITS, Limits
from toc.model import TheoryOfChange

__all__ = [
    "ModelInfo",
    "RESERVED_MODEL_IDS",
    "list_models",
    "model_info",
    "document_json",
    "get_document",
    "get_model",
    "create_model",
    "replace_model",
    "update_model",
    "delete_model",
    "import_model",
    "export_model",
]


# Ids a model cannot take: the paths of routes beside `/models/{id}` (`/models/import`, the
# pages' `/models/new`), so that no model shares its path with a route.
RESERVED_MODEL_IDS = frozenset({"import", "new"})


def _storable(model: TheoryOfChange) -> None:
    """Refuse text no store can keep faithfully, the same way on SQLite and PostgreSQL.

    PostgreSQL text cannot hold NUL, which only the model's title and description (plain
    columns) would meet; inside nodes and links it is kept, escaped in their JSON. (Unpaired
    surrogates, which no store can write as UTF-8, never get this far: validation refuses
    them.)
    """
    if model.id in RESERVED_MODEL_IDS:
        raise DocumentRejected(
            [Problem("id", f"{model.id!r} is reserved (a route's path): choose another id")]
        )
    problems = [
        Problem(field, "must not contain the NUL character (\\u0000)")
        for field, value in (("title", model.title), ("description", model.description))
        if value is not None and "\x00" in value
    ]
    if problems:
        raise DocumentRejected(problems)


def list_models(
    session: Session, workspace_id: int, *, limit: int | None = None, after: str | None = None
) -> tuple[list[ModelInfo], str | None]:
    """The workspace's models ordered by id, at most `limit` of them after id `after`.

    Returns the page and the id to pass as `after` for the next page (None on the last).
    """
    page = store.model_infos(session, workspace_id, limit=limit, after=after)
    if limit is not None and len(page) > limit:
        page = page[:limit]
        return page, page[-1].id
    return page, None


def model_info(session: Session, workspace_id: int, model_id: str) -> ModelInfo:
    """What the listing says about one model."""
    return store.model_info(session, workspace_id, model_id)


def document_json(session: Session, workspace_id: int, model_id: str) -> tuple[str, int]:
    """The model as toc/1 JSON text (with its `version`), and the version."""
    store.begin_read(session)
    row = store.model_row(session, workspace_id, model_id)
    return store.document_text(session, row), row.version


def get_document(session: Session, workspace_id: int, model_id: str) -> tuple[dict[str, Any], int]:
    """The model as a toc/1 document (a dict, with its `version`), and the version."""
    text, version = document_json(session, workspace_id, model_id)
    document: dict[str, Any] = json.loads(text)
    return document, version


def get_model(session: Session, workspace_id: int, model_id: str) -> tuple[TheoryOfChange, int]:
    """The model as a `TheoryOfChange` (its `version` set), and the version."""
    store.begin_read(session)
    row = store.model_row(session, workspace_id, model_id)
    return store.load_model(session, row), row.version


def create_model(
    session: Session, workspace_id: int, model: TheoryOfChange, *, note: str | None = None
) -> ModelInfo:
    """Store a new model at version 1; `AlreadyExists` if the workspace has its id."""
    _storable(model)
    with writing(session):
        info = store.insert_model(session, workspace_id, model, note=note)
    return info


def replace_model(
    session: Session,
    workspace_id: int,
    model_id: str,
    model: TheoryOfChange,
    *,
    expected_version: Expected = None,
    create: bool = True,
    note: str | None = None,
) -> tuple[ModelInfo, bool]:
    """Replace the whole model (or create it when absent and `create`); returns (info, created).

    The document's id must be `model_id`. The same document as stored changes nothing: no
    version is made and `info.changed` is False (`info.version` the current one).
    """
    if model.id != model_id:
        raise DocumentRejected(
            [Problem("id", f"the document's id {model.id!r} is not the model's id {model_id!r}")]
        )
    _storable(model)
    try:
        with writing(session):
            row = store.bump(session, workspace_id, model_id, expected_version)
            info = store.rewrite_model(session, row, model, note=note)
        return info, False
    except NotFound:
        if not create or expected_version is not None:
            raise
    return create_model(session, workspace_id, model, note=note), True


def update_model(
    session: Session,
    workspace_id: int,
    model_id: str,
    fields: dict[str, Any],
    *,
    expected_version: Expected = None,
    note: str | None = None,
) -> tuple[ModelInfo, Written]:
    """Change the model's own fields (`title`, `description`, `checks`, and those toc/1
    grows: `toc.edits.HEAD_FIELDS`); a field set to null goes back to its default.

    Items are not touched (nor read). Returns the model's info and what the write did: a
    change to the values already there makes no version (`changed=False`). A bad value is
    `DocumentRejected` at the field's path (`title`, `checks.TOC999`).
    """
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        draft = Draft(session, row, model_id)
        draft.set_head(fields)
        if draft.head is not None:
            _storable(check_head({"format": "toc/1", "id": model_id, **draft.head}))
        written = draft.finish(note)
    info = store.model_info(session, workspace_id, model_id)
    return dataclasses.replace(info, changed=written.changed), written


def delete_model(
    session: Session, workspace_id: int, model_id: str, *, expected_version: Expected = None
) -> None:
    """Delete the model with its nodes, links and cached report."""
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        store.delete_model(session, row)


def import_model(
    session: Session,
    workspace_id: int,
    data: bytes,
    fmt: str = "json",
    *,
    replace: bool = False,
    expected_version: Expected = None,
    limits: Limits = DEFAULT_LIMITS,
    note: str | None = None,
) -> tuple[ModelInfo, bool]:
    """Read a model in any of `toc.formats.READ_FORMATS` and store it; returns (info, created).

    Without `replace`, a model whose id the workspace already uses is `AlreadyExists`.
    """
    model = formats.read(data, fmt, limits)
    if replace:
        return replace_model(
            session, workspace_id, model.id, model, expected_version=expected_version, note=note
        )
    return create_model(session, workspace_id, model, note=note), True


def export_model(
    session: Session, workspace_id: int, model_id: str, fmt: str = "json"
) -> tuple[bytes, int]:
    """The model written in one of `toc.formats.WRITE_FORMATS`, and its version."""
    model, version = get_model(session, workspace_id, model_id)
    model.version = None
    return formats.write(model, fmt), version
