"""The store: the rows of models, nodes, links, reports, workspaces and tokens, and their queries.

The one place the service's SQL lives. Functions take a SQLModel `Session` and work on rows;
they know the toc/1 types only to turn items into rows and rows back into documents. Ids that
could never have been stored are refused before any SQL (`known`), as `NotFound`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec
from sqlalchemy import (
    ColumnElement,
    Engine,
    String,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    text,
    update,
)
from sqlalchemy import select as select_columns
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from services.db import writing
from services.deltas import replay
from services.errors import AlreadyExists, Expected, NotFound, VersionConflict
from services.tables import (
    ApiToken,
    CheckReport,
    ModelVersion,
    StoredLink,
    StoredModel,
    StoredNode,
    Workspace,
    utcnow,
)
from toc.edits import HEAD_FIELDS
from toc.model import FORMAT, LINK_ID_PATTERN, NODE_ID_PATTERN, Link, Node, TheoryOfChange

__all__ = [
    "ModelInfo",
    "Items",
    "NODES",
    "LINKS",
    "MODEL_ID",
    "dumps",
    "could_be_stored",
    "one_of",
    "analyze_items",
    "KEYS_PER_QUERY",
    "MAX_STORED_INT",
    "storable",
    "known",
    "begin_read",
    "model_row",
    "bump",
    "model_infos",
    "model_info",
    "document_text",
    "document_dict",
    "load_model",
    "insert_model",
    "rewrite_model",
    "delete_model",
    "item_with_version",
    "stored_item",
    "add_item",
    "update_item",
    "delete_item",
    "AUTHOR",
    "record_version",
    "pack",
    "nodes_by_id",
    "rewrite_node_data",
    "WRITTEN",
    "Written",
    "version_rows",
    "version_row",
    "version_dict",
    "version_text",
    "version_sizes",
    "model_sizes",
    "SNAPSHOT_EVERY",
    "unbump",
    "head_fields",
    "set_head",
    "set_version_counts",
    "cached_report",
    "upsert_report",
    "CACHED_REPORT_FOR_TOKEN",
    "token_grant",
    "workspace_id",
    "insert_workspace",
    "insert_token",
    "list_tokens",
    "revoke_token",
    "process_tokens",
]

MODEL_ID = re.compile(NODE_ID_PATTERN)  # a model's id follows the same rule as a node's

_Row = TypeVar("_Row", StoredNode, StoredLink)


def dumps(value: Any) -> str:
    """Compact JSON text, as the store keeps it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


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
    # Whether the write that returned this made a new version (False: it changed nothing).
    changed: bool = True

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


def _node_columns(node: Node) -> dict[str, Any]:
    return {"level": node.level.value, "kind": node.kind.value, "status": node.status.value}


def _link_columns(link: Link) -> dict[str, Any]:
    return {
        "link_key": link.key,
        "source": link.source,
        "target": link.target,
        "type": link.type.value,
    }


@dataclass(frozen=True)
class Items(Generic[_Row]):
    """How one kind of a model's items (nodes or links) is stored and named."""

    what: str  # the word in `NotFound` and in messages: "node" or "link"
    table: type[_Row]
    key: Any  # the column that holds an item's id
    pattern: re.Pattern[str]  # what an item's id can look like
    row: Any  # (model_pk, position, item, data) -> the row's columns
    columns: Any  # item -> the columns besides `data` that follow the item's fields


NODES = Items(
    "node",
    StoredNode,
    col(StoredNode.node_id),
    re.compile(NODE_ID_PATTERN),
    _node_row,
    _node_columns,
)
LINKS = Items(
    "link",
    StoredLink,
    col(StoredLink.link_key),
    re.compile(LINK_ID_PATTERN),
    _link_row,
    _link_columns,
)


def could_be_stored(subject: str, pattern: re.Pattern[str]) -> bool:
    return len(subject) <= 257 and pattern.match(subject) is not None


# Keys per `IN (…)` list: far below SQLite's limit of bound parameters.
KEYS_PER_QUERY = 500


def one_of(session: Session, column: Any, keys: list[str]) -> ColumnElement[bool]:
    """`column` is one of `keys`. On PostgreSQL one array parameter (`= ANY(:keys)`): one
    statement text whatever the count, prepared once by psycopg, where an `IN (…)` list is a
    new statement, planned again, for every length. Elsewhere `IN (…)`; callers pass at most
    `KEYS_PER_QUERY` keys."""
    if session.get_bind().dialect.name == "postgresql":
        return col(column) == func.any(bindparam(None, keys, type_=ARRAY(String)))
    return col(column).in_(keys)


def analyze_items(engine: Engine) -> None:
    """On PostgreSQL, refresh the planner's statistics of the node and link tables.

    Run by the background after a model's first version: until autovacuum analyzes the
    tables (a minute or so after a bulk load) the planner guesses their contents, and reads
    a model's every row to find a batch's hundred keys (2.4 ms instead of 0.4 for 50 links of
    a 1,000-node model). `ANALYZE` samples at most 30,000 rows a table and blocks no read or
    write. SQLite needs none: its plans follow the indexes.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        connection.execute(text("ANALYZE toc_node, toc_link"))


def known(what: str, subject: str, pattern: re.Pattern[str], model_id: str | None = None) -> None:
    """An id that could never have been stored is simply not found (and never sent to SQL)."""
    if not could_be_stored(subject, pattern):
        raise NotFound(what, subject, model_id)


# The largest version (and any integer column) the store can hold: PostgreSQL's INTEGER is
# 32-bit, and a larger number sent to it is an error, not "no such row". Numbers past it name
# no version anywhere, so they are answered as SQLite answers them, without asking.
MAX_STORED_INT = 2**31 - 1


def storable(number: int) -> bool:
    """Whether `number` could be a stored version (or id): 0 < number < 2**31."""
    return 0 < number <= MAX_STORED_INT


def _versions(expected: Expected) -> list[int] | None:
    if expected is None:
        return None
    if isinstance(expected, int):
        return [expected] if storable(expected) else []
    return [v for v in expected if isinstance(v, int) and storable(v)]


def begin_read(session: Session) -> None:
    """Start a read transaction that sees one consistent snapshot (version and rows agree)."""
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


# -- models -------------------------------------------------------------------------------


def model_row(
    session: Session, workspace_id: int, model_id: str, *, fresh: bool = False
) -> StoredModel:
    """The model's row; `NotFound` when the workspace has no such model."""
    known("model", model_id, MODEL_ID)
    statement = select(StoredModel).where(
        StoredModel.workspace_id == workspace_id, StoredModel.slug == model_id
    )
    if fresh:  # the row just changed in the database: don't trust the identity map's copy
        statement = statement.execution_options(populate_existing=True)
    row = session.exec(statement).first()
    if row is None:
        raise NotFound("model", model_id)
    return row


def bump(session: Session, workspace_id: int, model_id: str, expected: Expected) -> StoredModel:
    """Take the model for writing: raise its version by one, atomically, if it is as expected.

    Being the first statement of the write transaction, the UPDATE also takes the row lock
    (PostgreSQL) so concurrent writers of one model queue up instead of losing updates.
    """
    known("model", model_id, MODEL_ID)
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
    return model_row(session, workspace_id, model_id, fresh=True)


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


def _count(items: Items[_Row]) -> Any:
    return (
        select(func.count())
        .select_from(items.table)
        .where(items.table.model_id == StoredModel.id)
        .scalar_subquery()
    )


def model_infos(
    session: Session, workspace_id: int, *, limit: int | None = None, after: str | None = None
) -> list[ModelInfo]:
    """The workspace's models ordered by id after id `after`: `limit + 1` of them at most."""
    statement = (
        select(StoredModel, _count(NODES), _count(LINKS))
        .where(StoredModel.workspace_id == workspace_id)
        .order_by(col(StoredModel.slug))
    )
    if after is not None:
        statement = statement.where(StoredModel.slug > after)
    if limit is not None:
        statement = statement.limit(limit + 1)
    return [_info(row, nodes, links) for row, nodes, links in session.exec(statement).all()]


def model_info(session: Session, workspace_id: int, model_id: str) -> ModelInfo:
    row = model_row(session, workspace_id, model_id)
    nodes = session.exec(
        select(func.count()).select_from(StoredNode).where(StoredNode.model_id == row.id)
    ).one()
    links = session.exec(
        select(func.count()).select_from(StoredLink).where(StoredLink.model_id == row.id)
    ).one()
    return _info(row, nodes, links)


def _item_texts(session: Session, items: Items[_Row], model_pk: int) -> Sequence[str]:
    return session.exec(
        select(items.table.data)
        .where(items.table.model_id == model_pk)
        .order_by(col(items.table.position))
    ).all()


def document_text(session: Session, row: StoredModel, *, with_version: bool = True) -> str:
    """The stored model as toc/1 JSON text, spliced from the rows' own JSON (three queries)."""
    assert row.id is not None
    head: dict[str, Any] = {"format": FORMAT, "id": row.slug, "title": row.title}
    if row.description is not None:
        head["description"] = row.description
    if row.extra and row.extra != "{}":
        head.update(json.loads(row.extra))
    if with_version:
        head["version"] = row.version
    parts = [dumps(head)[:-1]]
    parts.append(',"nodes":[' + ",".join(_item_texts(session, NODES, row.id)) + "]")
    parts.append(',"links":[' + ",".join(_item_texts(session, LINKS, row.id)) + "]")
    if row.checks and row.checks != "{}":
        parts.append(',"checks":' + row.checks)
    return "".join(parts) + "}"


def document_dict(session: Session, row: StoredModel) -> dict[str, Any]:
    """The stored model as a toc/1 document (a dict, without its version)."""
    document: dict[str, Any] = json.loads(document_text(session, row, with_version=False))
    return document


def load_model(session: Session, row: StoredModel) -> TheoryOfChange:
    """The stored model as a `TheoryOfChange`, its `version` set."""
    model = TheoryOfChange.model_validate(document_dict(session, row))
    model.version = row.version
    return model


def _item_json(item: Any) -> str:
    """The node's or link's toc/1 JSON, as stored (pydantic writes it: no dict in between)."""
    return item.model_dump_json(by_alias=True, exclude_none=True)


def _checks_text(model: TheoryOfChange) -> str:
    return dumps(model.checks) if model.checks else "{}"


# The model's own fields kept in columns of their own; the others (`HEAD_FIELDS` of a toc/1
# that grows) are kept together in `extra`.
_HEAD_COLUMNS = ("title", "description", "checks")


def _extra_text(model: TheoryOfChange) -> str:
    names = {name for name in HEAD_FIELDS if name not in _HEAD_COLUMNS}
    if not names:
        return "{}"
    extra = model.model_dump(mode="json", by_alias=True, exclude_none=True, include=names)
    return dumps(extra) if extra else "{}"


def head_fields(row: StoredModel) -> dict[str, Any]:
    """The model's own fields (title, description, checks and others) as its document has them."""
    head: dict[str, Any] = {"title": row.title}
    if row.description is not None:
        head["description"] = row.description
    if row.extra and row.extra != "{}":
        head.update(json.loads(row.extra))
    if row.checks and row.checks != "{}":
        head["checks"] = json.loads(row.checks)
    return head


def set_head(session: Session, row: StoredModel, head: TheoryOfChange) -> None:
    """Set the (bumped) model row's own fields from `head` (a model whose items are ignored)."""
    row.title = head.title
    row.description = head.description
    row.checks = _checks_text(head)
    row.extra = _extra_text(head)
    session.add(row)
    session.flush()


def _insert_items(session: Session, model_pk: int, model: TheoryOfChange) -> None:
    """Insert every node and link of `model` as rows, in two executemany calls."""
    connection = session.connection()
    for items, members in ((NODES, model.nodes), (LINKS, model.links)):
        if members:
            connection.execute(
                insert(items.table),
                [items.row(model_pk, i, item, _item_json(item)) for i, item in enumerate(members)],
            )


def insert_model(
    session: Session, workspace_id: int, model: TheoryOfChange, *, note: str | None = None
) -> ModelInfo:
    """Insert a new model at version 1 with its items; `AlreadyExists` if its id is taken.

    Runs inside the caller's write transaction.
    """
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
        extra=_extra_text(model),
        version=1,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    _insert_items(session, row.id, model)
    record_version(session, row, note=note)
    return _info(row, len(model.nodes), len(model.links))


def rewrite_model(
    session: Session, row: StoredModel, model: TheoryOfChange, *, note: str | None = None
) -> ModelInfo:
    """Replace a (bumped) model row's head and every item by `model`'s.

    A model equal to the stored one changes nothing: the bump is undone, no version is made,
    and the info returned says `changed=False` with the version the model stays at.
    """
    assert row.id is not None
    before = document_text(session, row, with_version=False)
    after = _document_text_of(row.slug, model)
    if before == after or _same_document(before, after):
        unbump(session, row)
        return dataclasses.replace(_info(row, len(model.nodes), len(model.links)), changed=False)
    row.title = model.title
    row.description = model.description
    row.checks = _checks_text(model)
    row.extra = _extra_text(model)
    session.add(row)
    connection = session.connection()
    connection.execute(delete(StoredLink).where(col(StoredLink.model_id) == row.id))
    connection.execute(delete(StoredNode).where(col(StoredNode.model_id) == row.id))
    _insert_items(session, row.id, model)
    session.flush()
    record_version(session, row, note=note, text_now=after)
    return _info(row, len(model.nodes), len(model.links))


# The store's writers spell some floats differently (pydantic `1e+20` and `0.00005`,
# json.dumps `1e+20` and `5e-05`, msgspec `1e20` and `0.00005`); whenever two spellings of a
# number differ, one of them holds a digit before an exponent or four zeros after "0."
# (checked over millions of random floats).
_OTHER_FLOAT_SPELLING = re.compile(r"[0-9][eE]|0\.0000")


def _same_document(before: str, after: str) -> bool:
    """Whether two document texts that differ hold the same JSON all the same: the same
    values of the same types in the same order, their numbers spelled otherwise. Parsed only
    when a number could be spelled two ways; most texts that differ are different."""
    if not (_OTHER_FLOAT_SPELLING.search(before) or _OTHER_FLOAT_SPELLING.search(after)):
        return False
    return dumps(json.loads(before)) == dumps(json.loads(after))


def _document_text_of(slug: str, model: TheoryOfChange) -> str:
    """`model` as `document_text` would give it once stored (without its version)."""
    probe = StoredModel(
        workspace_id=0,
        slug=slug,
        title=model.title,
        description=model.description,
        checks=_checks_text(model),
        extra=_extra_text(model),
    )
    head: dict[str, Any] = {"format": FORMAT, "id": slug, **head_fields(probe)}
    head.pop("checks", None)
    parts = [dumps(head)[:-1]]
    parts.append(',"nodes":[' + ",".join(_item_json(node) for node in model.nodes) + "]")
    parts.append(',"links":[' + ",".join(_item_json(link) for link in model.links) + "]")
    if probe.checks != "{}":
        parts.append(',"checks":' + probe.checks)
    return "".join(parts) + "}"


def unbump(session: Session, row: StoredModel) -> None:
    """Undo `bump` inside its transaction: a write that changed nothing makes no version.

    The model goes back to the version before, and to the time that version was written.
    """
    assert row.id is not None
    previous = row.version - 1
    at = session.exec(
        select(ModelVersion.at).where(
            ModelVersion.model_id == row.id, ModelVersion.version == previous
        )
    ).first()
    values: dict[str, Any] = {"version": previous}
    if at is not None:
        values["updated_at"] = at
    session.connection().execute(
        update(StoredModel).where(col(StoredModel.id) == row.id).values(**values)
    )
    row.version = previous
    if at is not None:
        row.updated_at = at
    session.expire(row)


def delete_model(session: Session, row: StoredModel) -> None:
    """Delete the model's row with its nodes, links, cached report and history."""
    connection = session.connection()
    # Explicit deletes rather than trusting ON DELETE CASCADE alone (SQLite needs a pragma).
    connection.execute(delete(ModelVersion).where(col(ModelVersion.model_id) == row.id))
    connection.execute(delete(CheckReport).where(col(CheckReport.model_id) == row.id))
    connection.execute(delete(StoredLink).where(col(StoredLink.model_id) == row.id))
    connection.execute(delete(StoredNode).where(col(StoredNode.model_id) == row.id))
    connection.execute(delete(StoredModel).where(col(StoredModel.id) == row.id))


# -- items (nodes and links) --------------------------------------------------------------


def item_with_version(
    session: Session, workspace_id: int, model_id: str, items: Items[_Row], item_id: str
) -> tuple[dict[str, Any], int]:
    """One node or link as its toc/1 object, and the model's version (one query when found)."""
    known("model", model_id, MODEL_ID)
    known(items.what, item_id, items.pattern, model_id)
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
        model_row(session, workspace_id, model_id)
        raise NotFound(items.what, item_id, model_id)
    data, version = found
    item: dict[str, Any] = json.loads(data)
    return item, version


def stored_item(
    session: Session, items: Items[_Row], model_pk: int, model_id: str, item_id: str
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


def add_item(session: Session, items: Items[_Row], model_pk: int, item: Any, data: str) -> None:
    """Insert an item's row after the model's last one of its kind."""
    position: int = session.exec(
        select(func.coalesce(func.max(items.table.position) + 1, 0)).where(
            items.table.model_id == model_pk
        )
    ).one()
    session.connection().execute(insert(items.table), [items.row(model_pk, position, item, data)])


def update_item(session: Session, items: Items[_Row], stored: _Row, item: Any, data: str) -> None:
    """Rewrite an item's row from the item it now holds."""
    for column, value in items.columns(item).items():
        setattr(stored, column, value)
    stored.data = data
    session.add(stored)
    session.flush()


def delete_item(
    session: Session, items: Items[_Row], model_pk: int | None, model_id: str, item_id: str
) -> None:
    """Delete the item's row (a node's with every link to or from it); absent is `NotFound`."""
    connection = session.connection()
    removed = connection.execute(
        delete(items.table).where(col(items.table.model_id) == model_pk, items.key == item_id)
    )
    if removed.rowcount != 1:
        raise NotFound(items.what, item_id, model_id)
    if items is NODES:
        connection.execute(
            delete(StoredLink).where(
                col(StoredLink.model_id) == model_pk,
                or_(col(StoredLink.source) == item_id, col(StoredLink.target) == item_id),
            )
        )


def nodes_by_id(
    session: Session, model_pk: int, node_ids: Iterable[str]
) -> dict[str, tuple[int, dict[str, Any]]]:
    """The model's nodes of these ids (those it has): each its index in the document and its
    toc/1 object. Reads every node's id, but only these nodes' objects."""
    wanted = {node_id for node_id in node_ids if could_be_stored(node_id, NODES.pattern)}
    connection = session.connection()
    ids = connection.execute(
        select_columns(col(StoredNode.node_id))
        .where(col(StoredNode.model_id) == model_pk)
        .order_by(col(StoredNode.position))
    ).scalars()
    places = {node_id: index for index, node_id in enumerate(ids) if node_id in wanted}
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    chosen = list(places)
    for start in range(0, len(chosen), KEYS_PER_QUERY):
        rows = connection.execute(
            select_columns(col(StoredNode.node_id), col(StoredNode.data)).where(
                col(StoredNode.model_id) == model_pk,
                one_of(session, StoredNode.node_id, chosen[start : start + KEYS_PER_QUERY]),
            )
        )
        for node_id, data in rows:
            found[node_id] = (places[node_id], msgspec.json.decode(data))
    return found


def rewrite_node_data(
    session: Session,
    row: StoredModel,
    texts: dict[str, str],
    *,
    packed_delta: bytes,
    note: str | None = None,
) -> ModelInfo:
    """Replace the toc/1 JSON of some nodes of a (bumped) model, nodes whose own columns
    (level, kind, status) stay as they were, and keep the version as `packed_delta` (the
    packed JSON text of the delta that sets those nodes: `services.deltas.nodes_set_text`).
    """
    assert row.id is not None
    session.connection().execute(
        update(StoredNode)
        .where(col(StoredNode.model_id) == row.id, col(StoredNode.node_id) == bindparam("b_id"))
        .values(data=bindparam("b_data")),
        [{"b_id": node_id, "b_data": text} for node_id, text in texts.items()],
    )
    sizes = version_sizes(session, row.id, row.version - 1)
    record_version(session, row, note=note, sizes=sizes, packed_delta=packed_delta)
    return _info(row, *sizes)


# -- history ------------------------------------------------------------------------------

# The key in `Session.info` under which the request's token name waits to be written as the
# author of the versions the session records (set where the token is resolved, in services/auth.py).
AUTHOR = "toc.author"


# The key in `Session.info` under which a write transaction lists the versions it made, as
# `Written` tuples; once it commits they are checked in the background (services/reports.py).
WRITTEN = "toc.written"
Written = tuple[int, str, int, datetime, int]  # workspace, model id, model key, made, version

# A write keeps a delta (what it changed), but every SNAPSHOT_EVERY-th version is kept whole,
# so reading any version back replays fewer than that many deltas.
SNAPSHOT_EVERY = 64


def record_version(
    session: Session,
    row: StoredModel,
    *,
    note: str | None = None,
    text_now: str | None = None,
    delta: dict[str, Any] | None = None,
    sizes: tuple[int, int] | None = None,
    packed_delta: bytes | None = None,
) -> None:
    """Keep the model's current version: what the write changed (`delta`, or the same
    already packed, `packed_delta`, with the model's node and link counts after it, `sizes`),
    or the whole document as stored now.

    Runs inside the write transaction that bumped the version, after the write's changes, so
    each successful write has exactly one version (the primary key refuses a second), and a
    write that fails half-way keeps neither its change nor its version.
    """
    assert row.id is not None
    given = delta is not None or packed_delta is not None
    whole = not given or sizes is None or row.version % SNAPSHOT_EVERY == 0
    if whole:
        if text_now is None:
            text_now = document_text(session, row, with_version=False)
        document = pack(text_now)
        if sizes is None:
            sizes = model_sizes(session, row.id)
    else:
        document = packed_delta if packed_delta is not None else pack(dumps(delta))
    assert sizes is not None
    written: list[Written] = session.info.setdefault(WRITTEN, [])
    written.append((row.workspace_id, row.slug, row.id, row.created_at, row.version))
    session.connection().execute(
        insert(ModelVersion),
        [
            {
                "model_id": row.id,
                "version": row.version,
                "at": utcnow(),
                "by": str(session.info.get(AUTHOR, ""))[:128],
                "note": note,
                "nodes": sizes[0],
                "links": sizes[1],
                "kind": "s" if whole else "d",
                "document": document,
            }
        ],
    )


def pack(text: str) -> bytes:
    """A version's document or delta (JSON text) as its history entry keeps it."""
    return zlib.compress(text.encode("utf-8"), 6)


def version_sizes(session: Session, model_pk: int, version: int) -> tuple[int, int]:
    """(nodes, links) of a version, as its history entry says (one indexed read)."""
    found = (
        session.connection()
        .execute(
            select_columns(col(ModelVersion.nodes), col(ModelVersion.links)).where(
                col(ModelVersion.model_id) == model_pk, col(ModelVersion.version) == version
            )
        )
        .first()
    )
    if found is None:  # a store whose history lost this entry: count the rows
        counted = model_sizes(session, model_pk)
        return counted
    return int(found[0]), int(found[1])


def model_sizes(session: Session, model_pk: int) -> tuple[int, int]:
    """(nodes, links) the model's rows hold now."""
    nodes = session.exec(
        select(func.count()).select_from(StoredNode).where(StoredNode.model_id == model_pk)
    ).one()
    links = session.exec(
        select(func.count()).select_from(StoredLink).where(StoredLink.model_id == model_pk)
    ).one()
    return int(nodes), int(links)


_VERSION_LISTING = (
    col(ModelVersion.version),
    col(ModelVersion.at),
    col(ModelVersion.by),
    col(ModelVersion.note),
    col(ModelVersion.nodes),
    col(ModelVersion.links),
    col(ModelVersion.errors),
    col(ModelVersion.warnings),
    col(ModelVersion.infos),
)


def version_rows(
    session: Session, model_pk: int, *, limit: int | None = None, before: int | None = None
) -> list[tuple[Any, ...]]:
    """The model's versions newest first, below `before`: `limit + 1` of them at most.

    Each is `(version, at, by, note, nodes, links, errors, warnings, infos)`; the counts are
    None until `set_version_counts` fills them.
    """
    statement = (
        select_columns(*_VERSION_LISTING)
        .where(col(ModelVersion.model_id) == model_pk)
        .order_by(col(ModelVersion.version).desc())
    )
    if before is not None:
        statement = statement.where(col(ModelVersion.version) <= min(before - 1, MAX_STORED_INT))
    if limit is not None:
        statement = statement.limit(limit + 1)
    return [tuple(found) for found in session.connection().execute(statement).all()]


def version_row(session: Session, model_pk: int, model_id: str, version: int) -> ModelVersion:
    """One version's row; `NotFound` when the model never had it."""
    if not storable(version):
        raise NotFound("version", str(version), model_id)
    found = session.exec(
        select(ModelVersion).where(
            ModelVersion.model_id == model_pk, ModelVersion.version == version
        )
    ).first()
    if found is None:
        raise NotFound("version", str(version), model_id)
    return found


def version_dict(session: Session, model_pk: int, model_id: str, version: int) -> dict[str, Any]:
    """Version `version` of the model, whole, as a toc/1 dict (without `version`).

    Read from the nearest snapshot at or below it and the deltas after that snapshot.
    """
    version_row(session, model_pk, model_id, version)  # NotFound when there is none
    start = (
        session.connection()
        .execute(
            select_columns(func.max(ModelVersion.version)).where(
                col(ModelVersion.model_id) == model_pk,
                col(ModelVersion.version) <= version,
                col(ModelVersion.kind) == "s",
            )
        )
        .scalar()
    )
    if start is None:  # no snapshot below: cannot happen to a history toc wrote
        raise NotFound("version", str(version), model_id)
    rows = (
        session.connection()
        .execute(
            select_columns(col(ModelVersion.kind), col(ModelVersion.document))
            .where(
                col(ModelVersion.model_id) == model_pk,
                col(ModelVersion.version) >= start,
                col(ModelVersion.version) <= version,
            )
            .order_by(col(ModelVersion.version))
        )
        .all()
    )
    snapshot = zlib.decompress(rows[0][1]).decode("utf-8")
    deltas = [json.loads(zlib.decompress(document)) for _kind, document in rows[1:]]
    return replay(snapshot, deltas)


def version_text(session: Session, model_pk: int, model_id: str, version: int) -> str:
    """A version's toc/1 JSON text (without `version`)."""
    return dumps(version_dict(session, model_pk, model_id, version))


def set_version_counts(
    session: Session, model_pk: int, version: int, counts: tuple[int, int, int]
) -> None:
    """Keep a version's findings counts (errors, warnings, infos); a failure is no failure."""
    errors, warnings, infos = counts
    statement = (
        update(ModelVersion)
        .where(col(ModelVersion.model_id) == model_pk, col(ModelVersion.version) == version)
        .values(errors=errors, warnings=warnings, infos=infos)
    )
    try:
        with writing(session):
            session.connection().execute(statement)
    except OperationalError:
        pass


# -- check reports ------------------------------------------------------------------------

_CACHED_REPORT = text(
    "SELECT toc_model.id, toc_model.version, toc_check_report.version, toc_check_report.as_of,"
    " toc_check_report.report"
    " FROM toc_model LEFT OUTER JOIN toc_check_report"
    " ON toc_check_report.model_id = toc_model.id"
    " WHERE toc_model.workspace_id = :workspace_id AND toc_model.slug = :slug"
)


def cached_report(
    session: Session, workspace_id: int, model_id: str, as_of: str
) -> tuple[int, int, str | None]:
    """(the model's key, its version, the report cached for that version and day, or None).

    `as_of` is the check date (YYYY-MM-DD): a report computed for another day is not served.
    One plain query of five columns: no ORM object, no JSON work.
    """
    known("model", model_id, MODEL_ID)
    found = (
        session.connection()
        .execute(_CACHED_REPORT, {"workspace_id": workspace_id, "slug": model_id})
        .first()
    )
    if found is None:
        raise NotFound("model", model_id)
    model_pk, version, cached_version, cached_as_of, cached = found
    fresh = cached_version == version and cached_as_of == as_of
    return model_pk, version, cached if fresh else None


def upsert_report(session: Session, model_pk: int, version: int, as_of: str, report: str) -> None:
    """Cache a model's report for `version` checked as of `as_of`, unless a later version's
    (or the same version's for a later day) is cached already.

    A failure to cache is no failure: the model went away, or the store is busy.
    """
    postgresql = session.get_bind().dialect.name == "postgresql"
    values = {"model_id": model_pk, "version": version, "as_of": as_of, "report": report}
    # Both dialects spell an upsert the same way; only the insert construct differs.
    statement = (postgresql_insert if postgresql else sqlite_insert)(CheckReport).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["model_id"],
        set_={
            "version": statement.excluded.version,
            "as_of": statement.excluded.as_of,
            "report": statement.excluded.report,
        },
        where=or_(
            col(CheckReport.version) < statement.excluded.version,
            and_(
                col(CheckReport.version) == statement.excluded.version,
                col(CheckReport.as_of) < statement.excluded.as_of,
            ),
        ),
    )
    try:
        with writing(session):
            session.connection().execute(statement)
    except (IntegrityError, OperationalError):
        pass


# The hot read of `GET .../check` (see api/hotpath.py): the report of a model of the token's
# workspace, only when it is cached for the model's current version and for the check date
# `:as_of` (today, YYYY-MM-DD: a report must not outlive its day), with the token's expiry
# (Unix seconds or NULL: how long the answer may be remembered). Plain SQL with named
# parameters, so that it runs both through SQLAlchemy and on a bare sqlite3 connection.
CACHED_REPORT_FOR_TOKEN = (
    "SELECT toc_model.version, toc_check_report.report, api_token.expires_at"
    " FROM api_token"
    " JOIN toc_model"
    " ON toc_model.workspace_id = api_token.workspace_id AND toc_model.slug = :slug"
    " JOIN toc_check_report"
    " ON toc_check_report.model_id = toc_model.id"
    " AND toc_check_report.version = toc_model.version"
    " AND toc_check_report.as_of = :as_of"
    " WHERE api_token.token_hash = :token_hash"
    " AND api_token.revoked_at IS NULL"
    " AND (api_token.expires_at IS NULL OR api_token.expires_at > :now)"
)


# -- workspaces and tokens ----------------------------------------------------------------

_GRANT_BY_HASH = text(
    "SELECT api_token.role, workspace.id, workspace.name, api_token.name, api_token.models"
    " FROM api_token"
    " JOIN workspace ON workspace.id = api_token.workspace_id"
    " WHERE api_token.token_hash = :token_hash"
    " AND api_token.revoked_at IS NULL"
    " AND (api_token.expires_at IS NULL OR api_token.expires_at > :now)"
)


def token_grant(session: Session, token_hash: str) -> tuple[str, int, str, str, str | None] | None:
    """(role, workspace id, workspace name, token name, the JSON list of the models it may write
    or None) of the token under `token_hash`, or None.

    Every request runs this: plain SQL, compiled once, rather than an ORM query.
    """
    parameters = {"token_hash": token_hash, "now": int(time.time())}
    row = session.connection().execute(_GRANT_BY_HASH, parameters).first()
    if row is None:
        return None
    role, workspace_id, workspace, name, models = row
    return role, workspace_id, workspace, name, models


def workspace_id(session: Session, name: str) -> int | None:
    """The id of the workspace called `name`, or None."""
    found: int | None = session.exec(select(Workspace.id).where(Workspace.name == name)).first()
    return found


def insert_workspace(session: Session, name: str) -> int:
    """Insert a workspace (inside the caller's write transaction); return its id."""
    workspace = Workspace(name=name)
    session.add(workspace)
    session.flush()
    assert workspace.id is not None
    return workspace.id


def insert_token(
    session: Session,
    workspace_id: int,
    role: str,
    token_hash: str,
    name: str | None = None,
    *,
    expires_at: int | None = None,
    server_process: str | None = None,
    models: str | None = None,
) -> int:
    """Store a token by its hash (inside the caller's write transaction); return its id.

    Its name, which the history shows as the author of its writes, defaults to its role."""
    token = ApiToken(
        workspace_id=workspace_id,
        role=role,
        token_hash=token_hash,
        name=name or role,
        expires_at=expires_at,
        server_process=server_process,
        models=models,
    )
    session.add(token)
    session.flush()
    assert token.id is not None
    return token.id


def list_tokens(session: Session, workspace_id: int | None = None) -> list[tuple[ApiToken, str]]:
    """Every token (of one workspace, or of all) with its workspace's name, oldest first."""
    query = select(ApiToken, Workspace.name).join(
        Workspace, col(Workspace.id) == col(ApiToken.workspace_id)
    )
    if workspace_id is not None:
        query = query.where(ApiToken.workspace_id == workspace_id)
    return [(token, name) for token, name in session.exec(query.order_by(col(ApiToken.id)))]


def revoke_token(session: Session, token_id: int, workspace_id: int | None = None) -> bool:
    """Mark a token revoked (inside the caller's write transaction); False when there is no
    such token (in that workspace). Revoking a revoked token changes nothing and is True."""
    query = select(ApiToken).where(ApiToken.id == token_id)
    if workspace_id is not None:
        query = query.where(ApiToken.workspace_id == workspace_id)
    token = session.exec(query).first()
    if token is None:
        return False
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
    return True


def process_tokens(session: Session, prefix: str) -> list[tuple[int, str]]:
    """(id, server process) of the unrevoked tokens tied to a server process starting `prefix`."""
    query = select(ApiToken.id, ApiToken.server_process).where(
        col(ApiToken.server_process).startswith(prefix), col(ApiToken.revoked_at).is_(None)
    )
    return [
        (token_id, process) for token_id, process in session.exec(query) if token_id and process
    ]
