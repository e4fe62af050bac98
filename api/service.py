"""The service layer: every read and write of stored theories of change, for the API and the pages.

Functions take a SQLModel `Session` and the id of the caller's workspace (from
`api.auth.Principal.workspace_id`); they know nothing of HTTP. Writes:

- build the would-be document and validate it with `toc.document.parse_document`, so a write
  that breaks the toc/1 contract raises `DocumentRejected` (every problem, with its path)
  and changes nothing;
- bump the model's version exactly once, in the same transaction, by an atomic
  `UPDATE ... SET version = version + 1 WHERE ... [AND version = expected]`: with
  `expected_version` given and stale, `VersionConflict` is raised and nothing changes;
- return the new version (the `ETag` of the API).

A model another workspace owns is simply not found (`NotFound`), never forbidden.
Check reports are cached per model version, so checking an unchanged model twice does the
graph work once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, delete, func, insert, or_, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from api.auth import lookup_hash
from api.db import writing
from api.tables import CheckReport, StoredLink, StoredModel, StoredNode, utcnow
from toc import formats
from toc.document import parse_document
from toc.errors import DocumentRejected, Problem
from toc.model import (
    FORMAT,
    LINK_ID_PATTERN,
    NODE_ID_PATTERN,
    Kind,
    Link,
    Node,
    TheoryOfChange,
)
from toc.report import check_model

__all__ = [
    "ServiceError",
    "NotFound",
    "AlreadyExists",
    "VersionConflict",
    "Expected",
    "ModelInfo",
    "list_models",
    "get_model",
    "get_document",
    "document_json",
    "model_info",
    "get_report",
    "report_json",
    "CACHED_REPORT_FOR_TOKEN",
    "cached_report_parameters",
    "check_document",
    "create_model",
    "replace_model",
    "delete_model",
    "get_node",
    "add_node",
    "patch_node",
    "delete_node",
    "get_link",
    "add_link",
    "patch_link",
    "delete_link",
    "chains",
    "import_model",
    "export_model",
]

_CACHED_REPORT = text(
    "SELECT toc_model.id, toc_model.version, toc_check_report.version, toc_check_report.report"
    " FROM toc_model LEFT OUTER JOIN toc_check_report"
    " ON toc_check_report.model_id = toc_model.id"
    " WHERE toc_model.workspace_id = :workspace_id AND toc_model.slug = :slug"
)

# The version(s) a write expects the model to be at: None for an unconditional write.
Expected = int | Collection[int] | None


class ServiceError(Exception):
    """Base class of what the service layer raises on purpose (besides `DocumentRejected`)."""


class NotFound(ServiceError):
    """No such model (in this workspace), node, link or initiative."""

    def __init__(self, what: str, subject: str, model_id: str | None = None):
        self.what = what
        self.subject = subject
        self.model_id = model_id
        where = f" in model '{model_id}'" if model_id is not None else ""
        super().__init__(f"no {what} '{subject}'{where}")


class AlreadyExists(ServiceError):
    """`create_model` was given an id the workspace already uses."""

    def __init__(self, model_id: str):
        self.model_id = model_id
        super().__init__(f"a model with id '{model_id}' already exists in this workspace")


class VersionConflict(ServiceError):
    """The model is no longer at the version the write expected; nothing was changed."""

    def __init__(self, model_id: str, expected: Expected, current: int):
        self.model_id = model_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"model '{model_id}' is at version {current}, not the version the write expected"
        )


@dataclass(frozen=True)
class ModelInfo:
    """What a listing says about a stored model (and what writes of whole models return)."""

    id: str
    title: str
    description: str | None
    version: int
    nodes: int
    links: int
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "version": self.version,
            "nodes": self.nodes,
            "links": self.links,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


# -- helpers ------------------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_NODE_ID = re.compile(NODE_ID_PATTERN)
_LINK_ID = re.compile(LINK_ID_PATTERN)


_Row = TypeVar("_Row", StoredNode, StoredLink)


@dataclass(frozen=True)
class _Items(Generic[_Row]):
    """How one kind of a model's items (nodes or links) is stored and named."""

    what: str  # the word in `NotFound`: "node" or "link"
    table: type[_Row]
    key: Any  # the column that holds an item's id
    pattern: re.Pattern[str]  # what an item's id can look like


_NODES = _Items("node", StoredNode, col(StoredNode.node_id), _NODE_ID)
_LINKS = _Items("link", StoredLink, col(StoredLink.link_key), _LINK_ID)


def _could_be_stored(subject: str, pattern: re.Pattern[str]) -> bool:
    return len(subject) <= 257 and pattern.match(subject) is not None


def _known(what: str, subject: str, pattern: re.Pattern[str], model_id: str | None = None) -> None:
    """An id that could never have been stored is simply not found (and never sent to SQL)."""
    if not _could_be_stored(subject, pattern):
        raise NotFound(what, subject, model_id)


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


def _versions(expected: Expected) -> list[int] | None:
    if expected is None:
        return None
    if isinstance(expected, int):
        return [expected]
    return [v for v in expected if isinstance(v, int)]


def _begin_read(session: Session) -> None:
    """Start a read transaction that sees one consistent snapshot (version and rows agree)."""
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _model_row(
    session: Session, workspace_id: int, model_id: str, *, fresh: bool = False
) -> StoredModel:
    _known("model", model_id, _NODE_ID)
    statement = select(StoredModel).where(
        StoredModel.workspace_id == workspace_id, StoredModel.slug == model_id
    )
    if fresh:  # the row just changed in the database: don't trust the identity map's copy
        statement = statement.execution_options(populate_existing=True)
    row = session.exec(statement).first()
    if row is None:
        raise NotFound("model", model_id)
    return row


def _bump(session: Session, workspace_id: int, model_id: str, expected: Expected) -> StoredModel:
    """Take the model for writing: raise its version by one, atomically, if it is as expected.

    Being the first statement of the write transaction, the UPDATE also takes the row lock
    (PostgreSQL) so concurrent writers of one model queue up instead of losing updates.
    """
    _known("model", model_id, _NODE_ID)
    statement = (
        update(StoredModel)
        .where(
            col(StoredModel.workspace_id) == workspace_id,
            col(StoredModel.slug) == model_id,
        )
        .values(version=StoredModel.version + 1, updated_at=utcnow())
    )
    versions = _versions(expected)
    if versions is not None:
        statement = statement.where(col(StoredModel.version).in_(versions))
    result = session.exec(statement)
    if getattr(result, "rowcount", 0) != 1:
        current = session.exec(
            select(StoredModel.version).where(
                StoredModel.workspace_id == workspace_id, StoredModel.slug == model_id
            )
        ).first()
        if current is None:
            raise NotFound("model", model_id)
        raise VersionConflict(model_id, expected, current)
    return _model_row(session, workspace_id, model_id, fresh=True)


def _head(row: StoredModel) -> dict[str, Any]:
    head: dict[str, Any] = {"format": FORMAT, "id": row.slug, "title": row.title}
    if row.description is not None:
        head["description"] = row.description
    return head


def _item_texts(session: Session, items: _Items[_Row], model_pk: int) -> Sequence[str]:
    return session.exec(
        select(items.table.data)
        .where(items.table.model_id == model_pk)
        .order_by(col(items.table.position))
    ).all()


def _document_json(session: Session, row: StoredModel, *, with_version: bool = True) -> str:
    """The stored model as toc/1 JSON text, spliced from the rows' own JSON (three queries)."""
    assert row.id is not None
    head = _head(row)
    if with_version:
        head["version"] = row.version
    parts = [_dumps(head)[:-1]]
    parts.append(',"nodes":[' + ",".join(_item_texts(session, _NODES, row.id)) + "]")
    parts.append(',"links":[' + ",".join(_item_texts(session, _LINKS, row.id)) + "]")
    if row.checks and row.checks != "{}":
        parts.append(',"checks":' + row.checks)
    return "".join(parts) + "}"


def _document(session: Session, row: StoredModel) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_document_json(session, row, with_version=False))
    return document


def _model(session: Session, row: StoredModel) -> TheoryOfChange:
    model = TheoryOfChange.model_validate(_document(session, row))
    model.version = row.version
    return model


def _info(row: StoredModel, nodes: int, links: int) -> ModelInfo:
    return ModelInfo(
        id=row.slug,
        title=row.title,
        description=row.description,
        version=row.version,
        nodes=nodes,
        links=links,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _canonical(item: Node | Link) -> dict[str, Any]:
    return item.model_dump(mode="json", by_alias=True, exclude_none=True)


def _item_json(item: Node | Link) -> str:
    """The node's or link's toc/1 JSON, as stored (pydantic writes it: no dict in between)."""
    return item.model_dump_json(by_alias=True, exclude_none=True)


def _node_row(model_pk: int, position: int, node: Node, data: str) -> dict[str, Any]:
    return {
        "model_id": model_pk,
        "position": position,
        "node_id": node.id,
        "level": node.level.value,
        "kind": node.kind.value,
        "status": node.status.value,
        "data": data,
    }


def _link_row(model_pk: int, position: int, link: Link, data: str) -> dict[str, Any]:
    return {
        "model_id": model_pk,
        "position": position,
        "link_key": link.key,
        "source": link.source,
        "target": link.target,
        "type": link.type.value,
        "data": data,
    }


def _store_rows(session: Session, model_pk: int, model: TheoryOfChange) -> None:
    """Insert every node and link of `model` as rows, in two executemany calls."""
    connection = session.connection()
    if model.nodes:
        connection.execute(
            insert(StoredNode),
            [_node_row(model_pk, i, node, _item_json(node)) for i, node in enumerate(model.nodes)],
        )
    if model.links:
        connection.execute(
            insert(StoredLink),
            [_link_row(model_pk, i, link, _item_json(link)) for i, link in enumerate(model.links)],
        )


def _checks_text(model: TheoryOfChange) -> str:
    return _dumps(model.checks) if model.checks else "{}"


# -- models -------------------------------------------------------------------------------


def list_models(
    session: Session, workspace_id: int, *, limit: int | None = None, after: str | None = None
) -> tuple[list[ModelInfo], str | None]:
    """The workspace's models ordered by id, at most `limit` of them after id `after`.

    Returns the page and the id to pass as `after` for the next page (None on the last).
    """
    node_count = (
        select(func.count())
        .select_from(StoredNode)
        .where(StoredNode.model_id == StoredModel.id)
        .scalar_subquery()
    )
    link_count = (
        select(func.count())
        .select_from(StoredLink)
        .where(StoredLink.model_id == StoredModel.id)
        .scalar_subquery()
    )
    statement = (
        select(StoredModel, node_count, link_count)
        .where(StoredModel.workspace_id == workspace_id)
        .order_by(col(StoredModel.slug))
    )
    if after is not None:
        statement = statement.where(StoredModel.slug > after)
    if limit is not None:
        statement = statement.limit(limit + 1)
    rows = session.exec(statement).all()
    page = [_info(row, nodes, links) for row, nodes, links in rows]
    if limit is not None and len(page) > limit:
        page = page[:limit]
        return page, page[-1].id
    return page, None


def model_info(session: Session, workspace_id: int, model_id: str) -> ModelInfo:
    """What the listing says about one model."""
    row = _model_row(session, workspace_id, model_id)
    nodes = session.exec(
        select(func.count()).select_from(StoredNode).where(StoredNode.model_id == row.id)
    ).one()
    links = session.exec(
        select(func.count()).select_from(StoredLink).where(StoredLink.model_id == row.id)
    ).one()
    return _info(row, nodes, links)


def document_json(session: Session, workspace_id: int, model_id: str) -> tuple[str, int]:
    """The model as toc/1 JSON text (with its `version`), and the version."""
    _begin_read(session)
    row = _model_row(session, workspace_id, model_id)
    return _document_json(session, row), row.version


def get_document(session: Session, workspace_id: int, model_id: str) -> tuple[dict[str, Any], int]:
    """The model as a toc/1 document (a dict, with its `version`), and the version."""
    text, version = document_json(session, workspace_id, model_id)
    document: dict[str, Any] = json.loads(text)
    return document, version


def get_model(session: Session, workspace_id: int, model_id: str) -> tuple[TheoryOfChange, int]:
    """The model as a `TheoryOfChange` (its `version` set), and the version."""
    _begin_read(session)
    row = _model_row(session, workspace_id, model_id)
    return _model(session, row), row.version


def _store_report(session: Session, model_pk: int, version: int, text: str) -> None:
    dialect = session.get_bind().dialect.name
    values = {"model_id": model_pk, "version": version, "report": text}
    if dialect == "postgresql":
        pg = postgresql_insert(CheckReport).values(**values)
        statement: Any = pg.on_conflict_do_update(
            index_elements=["model_id"],
            set_={"version": pg.excluded.version, "report": pg.excluded.report},
            where=col(CheckReport.version) < pg.excluded.version,
        )
    else:
        lite = sqlite_insert(CheckReport).values(**values)
        statement = lite.on_conflict_do_update(
            index_elements=["model_id"],
            set_={"version": lite.excluded.version, "report": lite.excluded.report},
            where=col(CheckReport.version) < lite.excluded.version,
        )
    try:
        with writing(session):
            session.connection().execute(statement)
    except (IntegrityError, OperationalError):
        # The model went away, or the store is busy: the report is still right, just not cached.
        pass


def report_json(session: Session, workspace_id: int, model_id: str) -> tuple[str, int]:
    """The model's check report as JSON text (§3 shape), and the version it is for.

    Served from the cache when one exists for the current version; otherwise the model is
    checked once and the report cached for that version.
    """
    _known("model", model_id, _NODE_ID)
    # The cached path is one plain query of four columns: no ORM object, no JSON work.
    found = (
        session.connection()
        .execute(_CACHED_REPORT, {"workspace_id": workspace_id, "slug": model_id})
        .first()
    )
    if found is None:
        raise NotFound("model", model_id)
    model_pk, version, cached_version, cached = found
    if cached is not None and cached_version == version:
        return cached, version
    assert model_pk is not None
    _begin_read(session)  # the check reads the model in one consistent snapshot
    row = _model_row(session, workspace_id, model_id)
    version = row.version
    report_text = _dumps(check_model(_model(session, row)).to_dict())
    _store_report(session, model_pk, version, report_text)
    return report_text, version


# The hot read of `GET .../check` (see api/hotpath.py): the report of a model of the token's
# workspace, only when it is cached for the model's current version. Plain SQL with named
# parameters, so that it runs both through SQLAlchemy and on a bare sqlite3 connection.
CACHED_REPORT_FOR_TOKEN = (
    "SELECT toc_model.version, toc_check_report.report"
    " FROM api_token"
    " JOIN toc_model"
    " ON toc_model.workspace_id = api_token.workspace_id AND toc_model.slug = :slug"
    " JOIN toc_check_report"
    " ON toc_check_report.model_id = toc_model.id"
    " AND toc_check_report.version = toc_model.version"
    " WHERE api_token.token_hash = :token_hash"
)


def cached_report_parameters(token: str, model_id: str) -> dict[str, str] | None:
    """The parameters of `CACHED_REPORT_FOR_TOKEN` for a token and a model id, or None when
    no row could answer (a token or an id that could never have been stored).
    """
    token_hash = lookup_hash(token)
    if token_hash is None or not _could_be_stored(model_id, _NODE_ID):
        return None
    return {"token_hash": token_hash, "slug": model_id}


def get_report(session: Session, workspace_id: int, model_id: str) -> tuple[dict[str, Any], int]:
    """The model's check report `{"findings", "metrics", "inferred"}`, and its version."""
    text, version = report_json(session, workspace_id, model_id)
    report: dict[str, Any] = json.loads(text)
    return report, version


def check_document(document: Any) -> dict[str, Any]:
    """Check a toc/1 document without storing it; raises `DocumentRejected` if it is invalid."""
    return check_model(parse_document(document)).to_dict()


def create_model(session: Session, workspace_id: int, model: TheoryOfChange) -> ModelInfo:
    """Store a new model at version 1; `AlreadyExists` if the workspace has its id."""
    _storable(model)
    with writing(session):
        taken = session.exec(
            select(StoredModel.id).where(
                StoredModel.workspace_id == workspace_id, StoredModel.slug == model.id
            )
        ).first()
        if taken is not None:
            raise AlreadyExists(model.id)
        row = StoredModel(
            workspace_id=workspace_id,
            slug=model.id,
            title=model.title,
            description=model.description,
            checks=_checks_text(model),
            version=1,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        _store_rows(session, row.id, model)
        info = _info(row, len(model.nodes), len(model.links))
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
            row = _bump(session, workspace_id, model_id, expected_version)
            assert row.id is not None
            row.title = model.title
            row.description = model.description
            row.checks = _checks_text(model)
            session.add(row)
            connection = session.connection()
            connection.execute(delete(StoredLink).where(col(StoredLink.model_id) == row.id))
            connection.execute(delete(StoredNode).where(col(StoredNode.model_id) == row.id))
            _store_rows(session, row.id, model)
            session.flush()
            info = _info(row, len(model.nodes), len(model.links))
        return info, False
    except NotFound:
        if not create or _versions(expected_version) is not None:
            raise
    return create_model(session, workspace_id, model), True


def delete_model(
    session: Session, workspace_id: int, model_id: str, *, expected_version: Expected = None
) -> None:
    """Delete the model with its nodes, links and cached report."""
    with writing(session):
        row = _bump(session, workspace_id, model_id, expected_version)
        connection = session.connection()
        # Explicit deletes rather than trusting ON DELETE CASCADE alone (SQLite needs a pragma).
        connection.execute(delete(CheckReport).where(col(CheckReport.model_id) == row.id))
        connection.execute(delete(StoredLink).where(col(StoredLink.model_id) == row.id))
        connection.execute(delete(StoredNode).where(col(StoredNode.model_id) == row.id))
        connection.execute(delete(StoredModel).where(col(StoredModel.id) == row.id))


# -- nodes --------------------------------------------------------------------------------


def _not_object(what: str) -> DocumentRejected:
    return DocumentRejected([Problem("$", f"{what} is a JSON object")])


def _get_item(
    session: Session, workspace_id: int, model_id: str, items: _Items[_Row], item_id: str
) -> tuple[dict[str, Any], int]:
    """One node or link as its toc/1 object, and the model's version (one query when found)."""
    _known("model", model_id, _NODE_ID)
    _known(items.what, item_id, items.pattern, model_id)
    found = session.exec(
        select(items.table.data, StoredModel.version)
        .join(StoredModel, col(StoredModel.id) == items.table.model_id)
        .where(
            StoredModel.workspace_id == workspace_id,
            StoredModel.slug == model_id,
            items.key == item_id,
        )
    ).first()
    if found is None:
        _model_row(session, workspace_id, model_id)
        raise NotFound(items.what, item_id, model_id)
    data, version = found
    item: dict[str, Any] = json.loads(data)
    return item, version


def _next_position(session: Session, items: _Items[_Row], model_pk: int) -> int:
    position: int = session.exec(
        select(func.coalesce(func.max(items.table.position) + 1, 0)).where(
            items.table.model_id == model_pk
        )
    ).one()
    return position


def _stored_item(
    session: Session, items: _Items[_Row], model_pk: int, model_id: str, item_id: str
) -> tuple[int, _Row]:
    """The item's index in the document, and its row."""
    stored = session.exec(
        select(items.table).where(items.table.model_id == model_pk, items.key == item_id)
    ).first()
    if stored is None:
        raise NotFound(items.what, item_id, model_id)
    index: int = session.exec(
        select(func.count())
        .select_from(items.table)
        .where(items.table.model_id == model_pk, items.table.position < stored.position)
    ).one()
    return index, stored


def _merged(data: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A stored item's JSON with a patch applied: a field set to None goes back to its default."""
    merged = dict(json.loads(data))
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _delete_item(
    connection: Connection, items: _Items[_Row], model_pk: int | None, model_id: str, item_id: str
) -> None:
    """Delete the item's row; an item that is not there is `NotFound`."""
    removed = connection.execute(
        delete(items.table).where(col(items.table.model_id) == model_pk, items.key == item_id)
    )
    if removed.rowcount != 1:
        raise NotFound(items.what, item_id, model_id)


def get_node(
    session: Session, workspace_id: int, model_id: str, node_id: str
) -> tuple[dict[str, Any], int]:
    """One node as its toc/1 object, and the model's version."""
    return _get_item(session, workspace_id, model_id, _NODES, node_id)


def add_node(
    session: Session,
    workspace_id: int,
    model_id: str,
    node: dict[str, Any],
    *,
    expected_version: Expected = None,
) -> tuple[dict[str, Any], int]:
    """Add a node (a toc/1 node object) at the end of the model; returns (node, new version)."""
    if not isinstance(node, dict):
        raise _not_object("a node")
    with writing(session):
        row = _bump(session, workspace_id, model_id, expected_version)
        assert row.id is not None
        document = _document(session, row)
        document["nodes"].append(node)
        parsed = parse_document(document).nodes[-1]
        data = _canonical(parsed)
        position = _next_position(session, _NODES, row.id)
        session.connection().execute(
            insert(StoredNode), [_node_row(row.id, position, parsed, _dumps(data))]
        )
        version = row.version
    return data, version


def patch_node(
    session: Session,
    workspace_id: int,
    model_id: str,
    node_id: str,
    changes: dict[str, Any],
    *,
    expected_version: Expected = None,
) -> tuple[dict[str, Any], int]:
    """Change some fields of a node; a field set to null goes back to its default.

    A node's id cannot be changed (links name it); returns (node, new version).
    """
    if not isinstance(changes, dict):
        raise _not_object("a patch")
    _known("node", node_id, _NODE_ID, model_id)
    with writing(session):
        row = _bump(session, workspace_id, model_id, expected_version)
        assert row.id is not None
        index, stored = _stored_item(session, _NODES, row.id, model_id, node_id)
        if "id" in changes and changes["id"] != node_id:
            raise DocumentRejected(
                [Problem(f"nodes[{index}].id", "a node's id cannot be changed: links name it")]
            )
        merged = _merged(stored.data, changes)
        document = _document(session, row)
        document["nodes"][index] = merged
        parsed = parse_document(document).nodes[index]
        data = _canonical(parsed)
        stored.level, stored.kind, stored.status = (
            parsed.level.value,
            parsed.kind.value,
            parsed.status.value,
        )
        stored.data = _dumps(data)
        session.add(stored)
        session.flush()
        version = row.version
    return data, version


def delete_node(
    session: Session,
    workspace_id: int,
    model_id: str,
    node_id: str,
    *,
    expected_version: Expected = None,
) -> int:
    """Delete a node and every link to or from it, in one write; returns the new version.

    Removing a node with its links cannot break the contract, so no re-validation is needed.
    """
    _known("node", node_id, _NODE_ID, model_id)
    with writing(session):
        row = _bump(session, workspace_id, model_id, expected_version)
        connection = session.connection()
        _delete_item(connection, _NODES, row.id, model_id, node_id)
        connection.execute(
            delete(StoredLink).where(
                col(StoredLink.model_id) == row.id,
                or_(col(StoredLink.source) == node_id, col(StoredLink.target) == node_id),
            )
        )
        version = row.version
    return version


# -- links --------------------------------------------------------------------------------


def get_link(
    session: Session, workspace_id: int, model_id: str, link_id: str
) -> tuple[dict[str, Any], int]:
    """One link as its toc/1 object, by its id (own or generated `FROM->TO`)."""
    return _get_item(session, workspace_id, model_id, _LINKS, link_id)


def add_link(
    session: Session,
    workspace_id: int,
    model_id: str,
    link: dict[str, Any],
    *,
    expected_version: Expected = None,
) -> tuple[dict[str, Any], str, int]:
    """Add a link (a toc/1 link object); returns (link, its id, new version)."""
    if not isinstance(link, dict):
        raise _not_object("a link")
    with writing(session):
        row = _bump(session, workspace_id, model_id, expected_version)
        assert row.id is not None
        document = _document(session, row)
        document["links"].append(link)
        parsed = parse_document(document).links[-1]
        data = _canonical(parsed)
        position = _next_position(session, _LINKS, row.id)
        session.connection().execute(
            insert(StoredLink), [_link_row(row.id, position, parsed, _dumps(data))]
        )
        version = row.version
    return data, parsed.key, version


def patch_link(
    session: Session,
    workspace_id: int,
    model_id: str,
    link_id: str,
    changes: dict[str, Any],
    *,
    expected_version: Expected = None,
) -> tuple[dict[str, Any], str, int]:
    """Change some fields of a link; a field set to null goes back to its default.

    A link with a generated id keeps following its ends: changing `from` or `to` changes its
    id to the new `FROM->TO`. Setting `id` gives it an id of its own; `"id": null` goes back to
    the generated one. Returns (link, its id, new version).
    """
    if not isinstance(changes, dict):
        raise _not_object("a patch")
    _known("link", link_id, _LINK_ID, model_id)
    with writing(session):
        row = _bump(session, workspace_id, model_id, expected_version)
        assert row.id is not None
        index, stored = _stored_item(session, _LINKS, row.id, model_id, link_id)
        merged = _merged(stored.data, changes)
        document = _document(session, row)
        document["links"][index] = merged
        parsed = parse_document(document).links[index]
        data = _canonical(parsed)
        stored.link_key = parsed.key
        stored.source = parsed.source
        stored.target = parsed.target
        stored.type = parsed.type.value
        stored.data = _dumps(data)
        session.add(stored)
        session.flush()
        version = row.version
    return data, parsed.key, version


def delete_link(
    session: Session,
    workspace_id: int,
    model_id: str,
    link_id: str,
    *,
    expected_version: Expected = None,
) -> int:
    """Delete one link; returns the new version."""
    _known("link", link_id, _LINK_ID, model_id)
    with writing(session):
        row = _bump(session, workspace_id, model_id, expected_version)
        _delete_item(session.connection(), _LINKS, row.id, model_id, link_id)
        version = row.version
    return version


# -- chains, import, export ---------------------------------------------------------------


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
    return {
        "initiative": initiative,
        "nodes": [_canonical(n) for n in model.nodes if n.id in on_nodes],
        "links": [_canonical(link) for link in model.links if link.key in on_links],
    }, version


def import_model(
    session: Session,
    workspace_id: int,
    data: bytes,
    fmt: str = "json",
    *,
    replace: bool = False,
    expected_version: Expected = None,
) -> tuple[ModelInfo, bool]:
    """Read a model in any of `toc.formats.READ_FORMATS` and store it; returns (info, created).

    Without `replace`, a model whose id the workspace already uses is `AlreadyExists`.
    """
    model = formats.read(data, fmt)
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
