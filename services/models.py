"""Whole models: list, read, create, replace, delete, import and export."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from services import store
from services.db import writing
from services.errors import Expected, NotFound
from services.store import ModelInfo
from toc import formats
from toc.errors import DocumentRejected, Problem
from toc.limits import DEFAULT_LIMITS, Limits
from toc.model import TheoryOfChange

__all__ = [
    "ModelInfo",
    "list_models",
    "model_info",
    "document_json",
    "get_document",
    "get_model",
    "create_model",
    "replace_model",
    "delete_model",
    "import_model",
    "export_model",
]


def _storable(model: TheoryOfChange) -> None:
    """Refuse text no store can keep faithfully, the same way on SQLite and PostgreSQL.

    PostgreSQL text cannot hold NUL, which only the model's title and description (plain
    columns) would meet; inside nodes and links it is kept, escaped in their JSON. (Unpaired
    surrogates, which no store can write as UTF-8, never get this far: validation refuses
    them.)
    """
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


def create_model(session: Session, workspace_id: int, model: TheoryOfChange) -> ModelInfo:
    """Store a new model at version 1; `AlreadyExists` if the workspace has its id."""
    _storable(model)
    with writing(session):
        info = store.insert_model(session, workspace_id, model)
    return info


def replace_model(
    session: Session,
    workspace_id: int,
    model_id: str,
    model: TheoryOfChange,
    *,
    expected_version: Expected = None,
    create: bool = True,
) -> tuple[ModelInfo, bool]:
    """Replace the whole model (or create it when absent and `create`); returns (info, created).

    The document's id must be `model_id`.
    """
    if model.id != model_id:
        raise DocumentRejected(
            [Problem("id", f"the document's id {model.id!r} is not the model's id {model_id!r}")]
        )
    _storable(model)
    try:
        with writing(session):
            row = store.bump(session, workspace_id, model_id, expected_version)
            info = store.rewrite_model(session, row, model)
        return info, False
    except NotFound:
        if not create or expected_version is not None:
            raise
    return create_model(session, workspace_id, model), True


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
) -> tuple[ModelInfo, bool]:
    """Read a model in any of `toc.formats.READ_FORMATS` and store it; returns (info, created).

    Without `replace`, a model whose id the workspace already uses is `AlreadyExists`.
    """
    model = formats.read(data, fmt, limits)
    if replace:
        return replace_model(
            session, workspace_id, model.id, model, expected_version=expected_version
        )
    return create_model(session, workspace_id, model), True


def export_model(
    session: Session, workspace_id: int, model_id: str, fmt: str = "json"
) -> tuple[bytes, int]:
    """The model written in one of `toc.formats.WRITE_FORMATS`, and its version."""
    model, version = get_model(session, workspace_id, model_id)
    model.version = None
    return formats.write(model, fmt), version
