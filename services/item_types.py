"""The kinds of items of a model, each described once: nodes, links, indicator observations.

A descriptor says what a face needs to serve one kind of item without knowing it: the word
for it, the document's section that lists it, the id it is found by, the toc/1 type of one
item, the fields a list of them can be filtered by, and how each filter reads an item. The
REST routes for items (`api/routes/items.py`) and the pages' item forms (`web/routes/items.py`)
are generated from these descriptors, so nodes and links answer alike and a new kind of item
is one descriptor more.

Indicator observations are rows, not items: they have no id of their own, live inside a
node's indicator, and come in by the batch (a file, a list), merged all or nothing. Their
`RowKind` names their columns, the columns that find a stored row (the key), the formats they
are read from, and the services that read and merge them; the REST route that takes them and
the pages that preview and store them are generated from it.

Lists are read in the document's order (`position`) and paginated by it: a cursor is the
position of the last item of a page, so a list stays stable while other items are added.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from services import items, observations, store
from services.tables import StoredLink, StoredModel, StoredNode
from toc import formats
from toc.model import Kind, Level, Link, LinkType, Node, Polarity, Status

__all__ = [
    "Filter",
    "ItemKind",
    "NODES",
    "LINKS",
    "ITEM_KINDS",
    "Column",
    "RowFormat",
    "RowKind",
    "OBSERVATIONS",
    "list_items",
    "matches",
]


@dataclass(frozen=True)
class Filter:
    """One query parameter a list of items takes.

    `choices` is the closed set of values it takes (an enum of toc's), if any; `repeated`:
    the parameter may be given several times and an item must match every value; `column`:
    the stored column that holds the field (filtered in SQL), else the item's JSON is read.
    """

    name: str
    description: str
    choices: tuple[str, ...] | None = None
    repeated: bool = False
    column: Any = None
    test: Callable[[Mapping[str, Any], str], bool] | None = None


@dataclass(frozen=True)
class ItemKind:
    """One kind of item of a model (see the module doc)."""

    what: str  # "node": the word in messages, and the operation ids' noun
    plural: str  # "nodes": the document's section and the path segment
    type: type[BaseModel]  # the toc/1 type of one item
    table: Any  # the stored rows
    key_column: Any  # the column that holds an item's id
    key: Callable[[Mapping[str, Any]], str]  # an item's id, from its toc/1 object
    writes: items.ItemType  # how the write path adds, patches and deletes one
    filters: tuple[Filter, ...] = field(default_factory=tuple)
    id_note: str = ""  # how ids of this kind are spelled in a path


def _words(item: Mapping[str, Any], query: str, key: Callable[[Mapping[str, Any]], str]) -> bool:
    haystack = f"{key(item)} {item.get('title') or ''}".casefold()
    return all(word in haystack for word in query.casefold().split())


def _node_key(node: Mapping[str, Any]) -> str:
    return str(node["id"])


def _link_key(link: Mapping[str, Any]) -> str:
    return str(link.get("id") or f"{link['from']}->{link['to']}")


def _values(enum: Any) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


NODES = ItemKind(
    what="node",
    plural="nodes",
    type=Node,
    table=StoredNode,
    key_column=col(StoredNode.node_id),
    key=_node_key,
    writes=items.NODE,
    filters=(
        Filter("level", "Only nodes at this level.", _values(Level), column=StoredNode.level),
        Filter("kind", "Only nodes of this kind.", _values(Kind), column=StoredNode.kind),
        Filter("status", "Only nodes with this status.", _values(Status), column=StoredNode.status),
        Filter(
            "tag",
            "Only nodes with this tag; repeated: with every one of them.",
            repeated=True,
            test=lambda node, tag: tag in (node.get("tags") or ()),
        ),
        Filter(
            "q",
            "Only nodes whose id or title holds every word of this (case ignored).",
            test=lambda node, query: _words(node, query, _node_key),
        ),
    ),
)

LINKS = ItemKind(
    what="link",
    plural="links",
    type=Link,
    table=StoredLink,
    key_column=col(StoredLink.link_key),
    key=_link_key,
    writes=items.LINK,
    filters=(
        Filter("from", "Only links from this node.", column=StoredLink.source),
        Filter("to", "Only links to this node.", column=StoredLink.target),
        Filter("type", "Only links of this type.", _values(LinkType), column=StoredLink.type),
        Filter(
            "polarity",
            "Only links of this polarity.",
            _values(Polarity),
            test=lambda link, sign: (link.get("polarity") or Polarity.PLUS.value) == sign,
        ),
    ),
    id_note="a generated id `FROM->TO` is percent-encoded in the path: `a-%3Eb`",
)

ITEM_KINDS: tuple[ItemKind, ...] = (NODES, LINKS)


@dataclass(frozen=True)
class Column:
    """One column of an incoming row: its name (a CSV header, a JSON field), its heading."""

    name: str
    heading: str  # how a table of rows heads it
    description: str
    required: bool = True
    numeric: bool = False  # a number: a table aligns it right


@dataclass(frozen=True)
class RowFormat:
    """A format rows are read from: the reader's name for it and the media types that say it."""

    name: str  # "csv": what `RowKind.read` takes
    media_type: str
    spoken: str  # how a message names it: "text/csv", "an XLSX workbook (…)"
    aliases: tuple[str, ...] = ()  # other media types read as this one
    text: bool = True  # text, not a binary package (a workbook)


@dataclass(frozen=True)
class RowKind:
    """Rows that live inside an item and come in by the batch (see the module doc)."""

    what: str  # "observation": the word in messages
    plural: str  # "observations": the path segment, a JSON batch's key, a workbook's sheet
    parent: ItemKind  # the item whose lists hold the rows
    section: str  # where in the parent item a row is kept
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns that find a stored row: a row with the same replaces it
    formats: tuple[RowFormat, ...]
    # (bytes, format name, date_format, skip_blank, limits) -> the rows, read before any write
    read: Callable[..., Sequence[Any]]
    # (session, workspace, model id, rows, expected_version=, note=) -> the model's new info
    merge: Callable[..., store.ModelInfo]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def format_of(self, media_type: str) -> RowFormat | None:
        """The format a media type (parameters and case ignored; `…+json` is JSON) says."""
        media = media_type.split(";")[0].strip().lower()
        if media.endswith("+json"):
            media = "application/json"
        for row_format in self.formats:
            if media == row_format.media_type or media in row_format.aliases:
                return row_format
        return None

    def carried(self, row: Any) -> dict[str, Any]:
        """A row read (one of `read`'s) as the JSON object that is read back as it: its
        columns that have a value."""
        values = {name: getattr(row, name) for name in self.column_names}
        return {name: value for name, value in values.items() if value is not None}


OBSERVATIONS = RowKind(
    what="observation",
    plural="observations",
    parent=NODES,
    section="indicators[].observations",
    columns=(
        Column("node", "Node", "The node's id."),
        Column("indicator", "Indicator", "The indicator's `id`, or else its exact `name`."),
        Column("date", "Date", "YYYY-MM-DD; a date that has an observation is replaced."),
        Column("value", "Value", "The number observed.", numeric=True),
        Column("note", "Note", "What to know about this value.", required=False),
    ),
    key=("node", "indicator", "date"),
    formats=(
        RowFormat("json", "application/json", "application/json"),
        RowFormat("csv", "text/csv", "text/csv", aliases=("application/csv",)),
        RowFormat(
            "xlsx",
            formats.MEDIA_TYPES["xlsx"],
            f"an XLSX workbook ({formats.MEDIA_TYPES['xlsx']})",
            text=False,
        ),
    ),
    read=observations.read_rows,
    merge=observations.merge_rows,
)


def matches(kind: ItemKind, item: Mapping[str, Any], asked: Mapping[str, Sequence[str]]) -> bool:
    """Whether an item (its toc/1 object) passes every filter asked for."""
    for spec in kind.filters:
        for value in asked.get(spec.name, ()):
            if spec.test is not None:
                if not spec.test(item, value):
                    return False
            elif spec.column is not None:
                stored = item.get(spec.name)
                if stored is not None and str(stored) != value:
                    return False
    return True


def list_items(
    session: Session,
    workspace_id: int,
    model_id: str,
    kind: ItemKind,
    asked: Mapping[str, Sequence[str]],
    *,
    limit: int,
    after: int | None = None,
) -> tuple[list[dict[str, Any]], int | None, int]:
    """A page of the model's items of `kind` that pass the filters `asked` (name → values).

    Returns (the items as toc/1 objects, the position to pass as `after` for the next page
    or None on the last, the model's version). Filters on a stored column run in SQL; the
    others read each remaining item.
    """
    store.begin_read(session)
    row: StoredModel = store.model_row(session, workspace_id, model_id)
    table = kind.table
    statement = select(table.position, table.data).where(table.model_id == row.id)
    in_python = False
    for spec in kind.filters:
        values = list(asked.get(spec.name, ()))
        if not values:
            continue
        if spec.column is not None and spec.test is None:
            for value in values:
                statement = statement.where(spec.column == value)
        else:
            in_python = True
    if after is not None:
        statement = statement.where(col(table.position) > after)
    statement = statement.order_by(col(table.position))
    if not in_python:
        statement = statement.limit(limit + 1)
    found: list[tuple[int, dict[str, Any]]] = []
    for position, data in session.exec(statement):
        item = json.loads(data)
        if in_python and not matches(kind, item, asked):
            continue
        found.append((position, item))
        if len(found) > limit:
            break
    last = None
    if len(found) > limit:
        found = found[:limit]
        last = found[-1][0]
    return [item for _, item in found], last, row.version


def find_models(
    session: Session,
    workspace_id: int,
    *,
    q: str | None = None,
    tags: Sequence[str] = (),
    limit: int,
    after: str | None = None,
) -> tuple[list[store.ModelInfo], str | None]:
    """A page of the workspace's models (by id) whose id or title holds every word of `q`
    (case ignored) and that carry every tag of `tags` on one of their nodes.

    Returns the page and the id to pass as `after` for the next page (None on the last).
    """
    words = (q or "").casefold().split()
    tagged: set[int] | None = None
    for tag in dict.fromkeys(tags):
        statement = (
            select(StoredNode.model_id, StoredNode.data)
            .join(StoredModel, col(StoredModel.id) == StoredNode.model_id)
            .where(StoredModel.workspace_id == workspace_id)
            .where(col(StoredNode.data).contains(json.dumps(tag, ensure_ascii=False)))
        )
        having = {
            pk for pk, data in session.exec(statement) if tag in json.loads(data).get("tags", ())
        }
        tagged = having if tagged is None else tagged & having
    found: list[store.ModelInfo] = []
    cursor = after
    while len(found) <= limit:
        batch = store.model_infos(session, workspace_id, limit=max(limit, 100), after=cursor)
        if not batch:
            break
        pks = (
            _model_pks(session, workspace_id, [info.id for info in batch])
            if tagged is not None
            else {}
        )
        for info in batch:
            haystack = f"{info.id} {info.title}".casefold()
            if not all(word in haystack for word in words):
                continue
            if tagged is not None and pks.get(info.id) not in tagged:
                continue
            found.append(info)
        cursor = batch[-1].id
        if len(batch) <= max(limit, 100):
            break
    if len(found) > limit:
        found = found[:limit]
        return found, found[-1].id
    return found, None


def _model_pks(session: Session, workspace_id: int, slugs: list[str]) -> dict[str, int | None]:
    statement = select(StoredModel.slug, StoredModel.id).where(
        StoredModel.workspace_id == workspace_id, col(StoredModel.slug).in_(slugs)
    )
    return dict(session.exec(statement).all())
