"""Changes to a stored model, applied over its rows: the one way items and own fields are written.

A `Draft` is one write transaction's changes to one model, kept beside the stored rows: the
items added, changed in place and removed, and the model's own fields. Each change is checked
as it is made, against the rows and the changes before it (`toc.edits`: the item's fields,
its id's uniqueness, its link's ends), never by re-reading the model whole; `Draft.finish`
writes only the rows that changed, the model's version, and a history entry of the change's
own size (a delta: `services.deltas`). A draft that changed nothing writes nothing, makes no
version, and answers the version the model is at.

`apply_changes` is the batch (`POST /models/{id}/changes`): a list of changes applied in
order, all or nothing, as one version; the single-item writes of `services.items` and the
model's own fields (`services.models.update_model`) are drafts of one change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, update
from sqlalchemy import select as select_columns
from sqlmodel import Session, col

from services import store
from services.db import writing
from services.errors import Expected, NotFound
from services.tables import StoredLink, StoredModel, StoredNode
from toc.edits import HEAD_FIELDS, check_head, check_link, check_node, link_key_of
from toc.errors import DocumentRejected, Problem
from toc.limits import DEFAULT_LIMITS, Limits, over_limit
from toc.model import Link, Node

__all__ = [
    "Written",
    "ItemWritten",
    "BatchWritten",
    "Draft",
    "apply_changes",
    "MAX_CHANGES",
    "OPS",
    "FIXED_NODE_ID",
]

MAX_CHANGES = 10_000
OPS = ("add", "patch", "delete")
FIXED_NODE_ID = "a node's id cannot be changed: links name it"
# A path of a problem found in an item before its place is known; replaced by the real one.
_HERE = -1


@dataclass(frozen=True)
class Written:
    """What a write did: the version the model is at after it, and whether it made that version.

    `changed` is False when the write changed nothing (the same document, a patch to the
    values already there): then no version was made and `version` is the model's current one.
    """

    version: int
    changed: bool


@dataclass(frozen=True)
class ItemWritten(Written):
    """A write of one node or link: the item as stored after it (None once deleted), its id."""

    item: dict[str, Any] | None = None
    id: str = ""


@dataclass(frozen=True)
class BatchWritten(Written):
    """A batch: one result per change, in order (`{"op", "node"|"link": ID, "changed",
    "item"?}`; `item`, the object as stored, for an add or a patch)."""

    results: list[dict[str, Any]] = field(default_factory=list)


def _canonical(item: Node | Link) -> dict[str, Any]:
    return item.model_dump(mode="json", by_alias=True, exclude_none=True)


def _merged(stored: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A stored item with a patch applied: a field set to None goes back to its default."""
    merged = dict(stored)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _moved(rejected: DocumentRejected, section: str, to: str) -> DocumentRejected:
    """The problems of an item checked at `section[-1]`, moved to the path `to`."""
    here = f"{section}[{_HERE}]"
    return DocumentRejected(
        [
            Problem(to + p.path[len(here) :], p.message) if p.path.startswith(here) else p
            for p in rejected.problems
        ],
        rejected.unlisted,
    )


def _sizes_of(node: dict[str, Any] | None) -> tuple[int, int]:
    """(indicators, observations) a node object holds."""
    if not node:
        return 0, 0
    indicators = node.get("indicators") or []
    return len(indicators), sum(len(i.get("observations") or []) for i in indicators)


class _Section:
    """The changes to one list of a model's items (nodes or links), over their rows."""

    def __init__(self, session: Session, model_pk: int, stored: store.Items[Any], name: str):
        self.session = session
        self.model_pk = model_pk
        self.stored = stored
        self.name = name
        self._rows: dict[str, dict[str, Any] | None] = {}  # stored items read so far, by key
        # Stored items changed: original key -> (key now, object, parsed), or None (removed).
        self.changed: dict[str, tuple[str, dict[str, Any], Any] | None] = {}
        self.renamed: dict[str, str] = {}  # key now -> original key, for items whose key changed
        self.added: dict[str, tuple[dict[str, Any], Any]] = {}  # key -> (object, parsed)

    @property
    def dirty(self) -> bool:
        return bool(self.changed or self.added)

    def row(self, key: str) -> dict[str, Any] | None:
        """The stored item with this key, as the rows hold it (before this draft)."""
        if key not in self._rows:
            found = None
            if store.could_be_stored(key, self.stored.pattern):
                found = (
                    self.session.connection()
                    .execute(
                        select_columns(self.stored.table.data).where(
                            self.stored.table.model_id == self.model_pk, self.stored.key == key
                        )
                    )
                    .scalar()
                )
            self._rows[key] = None if found is None else json.loads(found)
        return self._rows[key]

    def prefetch(self, keys: Iterable[str]) -> None:
        """Read the stored items of many keys at once (a batch names them all up front), so
        that `row` asks the store once per batch rather than once per item."""
        wanted = [
            key
            for key in dict.fromkeys(keys)
            if key not in self._rows and store.could_be_stored(key, self.stored.pattern)
        ]
        for start in range(0, len(wanted), store.KEYS_PER_QUERY):
            chunk = wanted[start : start + store.KEYS_PER_QUERY]
            found = self.session.connection().execute(
                select_columns(self.stored.key, self.stored.table.data).where(
                    self.stored.table.model_id == self.model_pk,
                    store.one_of(self.session, self.stored.key, chunk),
                )
            )
            for key, data in found:
                self._rows[key] = json.loads(data)
            for key in chunk:
                self._rows.setdefault(key, None)

    def current(self, key: str) -> dict[str, Any] | None:
        """The item with this key as the draft has it now, or None."""
        if key in self.added:
            return self.added[key][0]
        if key in self.renamed:
            entry = self.changed[self.renamed[key]]
            return None if entry is None else entry[1]
        if key in self.changed:
            entry = self.changed[key]
            return None if entry is None or entry[0] != key else entry[1]
        return self.row(key)

    def exists(self, key: str) -> bool:
        return self.current(key) is not None

    def keys(self) -> list[str]:
        """Every key of the list as the draft has it now, in document order (reads them all:
        only for what is rare, a problem's path or a suggestion)."""
        stored = self.session.connection().execute(
            select_columns(self.stored.key)
            .where(self.stored.table.model_id == self.model_pk)
            .order_by(col(self.stored.table.position))
        )
        keys: list[str] = []
        for (key,) in stored:
            if key in self.changed:
                entry = self.changed[key]
                if entry is not None:
                    keys.append(entry[0])
            else:
                keys.append(key)
        return keys + list(self.added)

    def index_of(self, key: str) -> int | None:
        """Where the item with this key stands in the list now."""
        try:
            return self.keys().index(key)
        except ValueError:
            return None

    def first_with(self, key: str, besides: str | None = None) -> int | None:
        """Where another item with this key stands (None if none)."""
        if key == besides or not self.exists(key):
            return None
        return self.index_of(key)

    def put(self, original: str, key: str, item: dict[str, Any], parsed: Any) -> None:
        """The stored item `original` (or one added) now holds `item`, under `key`."""
        if original in self.added:
            del self.added[original]
            self.added[key] = (item, parsed)
            return
        old = self.changed.get(original)
        if old is not None and old[0] != original:
            self.renamed.pop(old[0], None)
        self.changed[original] = (key, item, parsed)
        if key != original:
            self.renamed[key] = original

    def remove(self, key: str) -> None:
        if key in self.added:
            del self.added[key]
            return
        original = self.renamed.pop(key, key)
        self.changed[original] = None

    def original(self, key: str) -> str:
        return self.renamed.get(key, key)


class Draft:
    """One write's changes to a stored model (bumped by the caller), over its rows."""

    def __init__(
        self, session: Session, row: StoredModel, model_id: str, limits: Limits = DEFAULT_LIMITS
    ):
        assert row.id is not None
        self.session = session
        self.row = row
        self.model_id = model_id
        self.limits = limits
        self.nodes = _Section(session, row.id, store.NODES, "nodes")
        self.links = _Section(session, row.id, store.LINKS, "links")
        self.head: dict[str, Any] | None = None  # the model's own fields, when changed
        self._grew = False  # whether some node holds more indicators or observations than before

    def section(self, name: str) -> _Section:
        return self.nodes if name == "nodes" else self.links

    # -- where a problem is --------------------------------------------------------------

    def _place(self, section: _Section, key: str) -> str:
        index = section.index_of(key)
        return f"{section.name}[{index if index is not None else len(section.keys())}]"

    def _rejected(
        self, rejected: DocumentRejected, section: _Section, key: str | None, at: str | None
    ) -> DocumentRejected:
        if at is None:
            at = self._place(section, key) if key is not None else f"{section.name}[{_HERE}]"
        return _moved(rejected, section.name, at)

    # -- the changes ---------------------------------------------------------------------

    def _check(self, section: _Section, item: Any, besides: str | None) -> Node | Link:
        if section is self.nodes:
            return check_node(
                item,
                _HERE,
                first_with_id=lambda key: self.nodes.first_with(key, besides),
                limits=self.limits,
            )
        return check_link(
            item,
            _HERE,
            has_node=self.nodes.exists,
            node_ids=self.nodes.keys,
            first_with_key=lambda key: self.links.first_with(key, besides),
            limits=self.limits,
        )

    def add(self, name: str, item: Any, *, at: str | None = None) -> tuple[str, dict[str, Any]]:
        """Add an item at the end of its list; returns (its key, the object as stored).

        A problem's path is `at` (a batch's `changes[3].node`) or the item's place in the
        document (`nodes[12]`).
        """
        section = self.section(name)
        if not isinstance(item, dict):
            raise DocumentRejected(
                [Problem(at or "$", f"a {section.stored.what} is a JSON object")]
            )
        try:
            parsed = self._check(section, item, None)
        except DocumentRejected as rejected:
            key = item.get("id") if name == "nodes" else link_key_of(item)
            place = at
            if place is None:
                place = f"{name}[{len(section.keys())}]"
            raise self._rejected(rejected, section, str(key), place) from None
        data = _canonical(parsed)
        key = parsed.id if isinstance(parsed, Node) else parsed.key
        section.added[key] = (data, parsed)
        if name == "nodes" and _sizes_of(data) != (0, 0):
            self._grew = True
        return key, data

    def patch(
        self, name: str, key: str, changes: Any, *, at: str | None = None
    ) -> tuple[str, dict[str, Any], bool]:
        """Change some fields of an item (null: back to its default); returns (its key now,
        the object as stored, whether anything changed). A node's id cannot change."""
        section = self.section(name)
        if not isinstance(changes, dict):
            raise DocumentRejected([Problem(at or "$", "a patch is a JSON object")])
        before = section.current(key)
        if before is None:
            raise NotFound(section.stored.what, key, self.model_id)
        if name == "nodes" and "id" in changes and changes["id"] != key:
            path = f"{at}.id" if at is not None else f"{self._place(section, key)}.id"
            raise DocumentRejected([Problem(path, FIXED_NODE_ID)])
        merged = _merged(before, changes)
        try:
            parsed = self._check(section, merged, key)
        except DocumentRejected as rejected:
            raise self._rejected(rejected, section, key, at) from None
        data = _canonical(parsed)
        new_key = parsed.id if isinstance(parsed, Node) else parsed.key
        if data == before and new_key == key:
            return key, data, False
        section.put(key, new_key, data, parsed)
        if name == "nodes":
            grown = _sizes_of(data)
            old = _sizes_of(before)
            if grown[0] > old[0] or grown[1] > old[1]:
                self._grew = True
        return new_key, data, True

    def delete(self, name: str, key: str) -> list[str]:
        """Remove an item (a node with every link to or from it); returns the links removed
        with a node."""
        section = self.section(name)
        if section.current(key) is None:
            raise NotFound(section.stored.what, key, self.model_id)
        cascaded: list[str] = []
        if name == "nodes":
            cascaded = self._links_of(key)
            for link in cascaded:
                self.links.remove(link)
        section.remove(key)
        return cascaded

    def _links_of(self, node_id: str) -> list[str]:
        """The keys (now) of the links to or from a node, as the draft has them."""
        table = StoredLink
        stored = self.session.connection().execute(
            select_columns(col(table.link_key)).where(
                col(table.model_id) == self.links.model_pk,
                (col(table.source) == node_id) | (col(table.target) == node_id),
            )
        )
        found = [key for (key,) in stored if key not in self.links.changed]
        for entry in self.links.changed.values():  # judged by what the draft has
            if entry is not None and node_id in (entry[2].source, entry[2].target):
                found.append(entry[0])
        for key, (_item, parsed) in self.links.added.items():
            if node_id in (parsed.source, parsed.target):
                found.append(key)
        return found

    def set_head(self, fields: Any, *, at: str = "") -> bool:
        """Change the model's own fields (`title`, `description`, `checks`…; null: back to its
        default). Returns whether anything changed."""
        if not isinstance(fields, dict):
            raise DocumentRejected([Problem(at or "$", "the model's fields are a JSON object")])
        unknown = [name for name in fields if name not in HEAD_FIELDS]
        fixed = {"id", "format", "version", "nodes", "links"}
        problems = [
            Problem(
                f"{at}.{name}" if at else name,
                "not one of the model's own fields: "
                + (
                    "its items are written through their own routes"
                    if name in ("nodes", "links")
                    else "it cannot be changed"
                    if name in fixed
                    else "expected one of " + ", ".join(HEAD_FIELDS)
                ),
            )
            for name in unknown
        ]
        if problems:
            raise DocumentRejected(problems)
        before = self.head if self.head is not None else store.head_fields(self.row)
        merged = _merged(before, fields)
        parsed = check_head({"format": "toc/1", "id": self.row.slug, **merged}, self.limits)
        head = parsed.model_dump(
            mode="json", by_alias=True, exclude_none=True, include=set(HEAD_FIELDS)
        )
        if not head.get("checks"):
            head.pop("checks", None)
        if head == store.head_fields(self.row) and self.head is None:
            return False
        self.head = head
        return True

    # -- writing it ----------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return (
            self.nodes.dirty
            or self.links.dirty
            or (self.head is not None and self.head != store.head_fields(self.row))
        )

    def finish(self, note: str | None = None) -> Written:
        """Write the changed rows, the model's version and its history entry; or, when
        nothing changed, undo the version's bump and write nothing."""
        if not self.dirty:
            store.unbump(self.session, self.row)
            return Written(self.row.version, False)
        assert self.row.id is not None
        nodes, links = store.version_sizes(self.session, self.row.id, self.row.version - 1)
        delta: dict[str, Any] = {}
        for section in (self.links, self.nodes):  # links first: a node's go with it
            written = self._write(section)
            if written:
                delta[section.name] = written
        nodes += len(self.nodes.added) - sum(e is None for e in self.nodes.changed.values())
        links += len(self.links.added) - sum(e is None for e in self.links.changed.values())
        if nodes > self.limits.max_nodes:
            raise over_limit("nodes", "nodes", self.limits.max_nodes)
        if links > self.limits.max_links:
            raise over_limit("links", "links", self.limits.max_links)
        if self._grew:
            self._check_totals()
        if self.head is not None:
            store.set_head(
                self.session,
                self.row,
                check_head({"format": "toc/1", "id": self.row.slug, **self.head}, self.limits),
            )
            delta["head"] = self.head
        store.record_version(self.session, self.row, note=note, delta=delta, sizes=(nodes, links))
        return Written(self.row.version, True)

    def _write(self, section: _Section) -> dict[str, Any]:
        """Write one list's changed rows; returns its part of the delta."""
        if not section.dirty:
            return {}
        table, key_column = section.stored.table, section.stored.key
        connection = self.session.connection()
        model_pk = section.model_pk
        removed = [key for key, entry in section.changed.items() if entry is None]
        changed = [(key, entry) for key, entry in section.changed.items() if entry is not None]
        for start in range(0, len(removed), store.KEYS_PER_QUERY):
            chunk = removed[start : start + store.KEYS_PER_QUERY]
            connection.execute(
                delete(table).where(
                    col(table.model_id) == model_pk, store.one_of(self.session, key_column, chunk)
                )
            )
        # An item whose key changes is first moved aside, so that two keys trading places
        # never meet in the unique index.
        moving = [key for key, (now, _item, _parsed) in changed if now != key]
        if moving:
            connection.execute(
                update(table)
                .where(col(table.model_id) == model_pk, key_column == bindparam("b_old"))
                .values({key_column.key: bindparam("b_aside")}),
                [{"b_old": key, "b_aside": "~" + key} for key in moving],
            )
        if changed:
            columns = section.stored.columns
            rows = []
            for key, (now, item, parsed) in changed:
                values = {f"b_{name}": value for name, value in columns(parsed).items()}
                values["b_data"] = store.dumps(item)
                values["b_where"] = "~" + key if now != key else key
                rows.append(values)
            names = list(columns(changed[0][1][2]))
            connection.execute(
                update(table)
                .where(col(table.model_id) == model_pk, key_column == bindparam("b_where"))
                .values({name: bindparam(f"b_{name}") for name in [*names, "data"]}),
                rows,
            )
        if section.added:
            position = connection.execute(
                select_columns(func.coalesce(func.max(table.position) + 1, 0)).where(
                    table.model_id == model_pk
                )
            ).scalar_one()
            connection.execute(
                insert(table),
                [
                    section.stored.row(model_pk, position + i, parsed, store.dumps(item))
                    for i, (item, parsed) in enumerate(section.added.values())
                ],
            )
        part: dict[str, Any] = {}
        if removed:
            part["del"] = removed
        if changed:
            part["set"] = [[key, now, item] for key, (now, item, _parsed) in changed]
        if section.added:
            part["add"] = [[key, item] for key, (item, _parsed) in section.added.items()]
        return part

    def _check_totals(self) -> None:
        """Some node holds more indicators or observations than before: count the model's
        (after the rows are written), against the limits."""
        indicators = observations = 0
        stored = self.session.connection().execute(
            select_columns(col(StoredNode.data)).where(
                col(StoredNode.model_id) == self.nodes.model_pk
            )
        )
        for (data,) in stored:
            found = _sizes_of(json.loads(data))
            indicators += found[0]
            observations += found[1]
        if indicators > self.limits.max_indicators:
            raise over_limit("nodes", "indicators", self.limits.max_indicators)
        if observations > self.limits.max_observations:
            raise over_limit("nodes", "observations", self.limits.max_observations)


# -- the batch ----------------------------------------------------------------------------


def _prefetch(draft: Draft, changes: list[dict[str, Any]]) -> None:
    """Read at once every stored node and link the batch names (ids, keys, a link's ends, and
    the ends of the stored links it names)."""
    nodes: list[str] = []
    links: list[str] = []
    for change in changes:
        target = _target(change)
        if target is None:
            continue
        section, named = target
        if isinstance(named, str):
            (nodes if section == "nodes" else links).append(named)
        elif isinstance(named, dict):
            if section == "nodes" and isinstance(named.get("id"), str):
                nodes.append(named["id"])
            if section == "links":
                ends = [named.get("from"), named.get("to")]
                nodes += [end for end in ends if isinstance(end, str)]
                key = named.get("id") or (
                    f"{ends[0]}->{ends[1]}" if all(isinstance(e, str) for e in ends) else None
                )
                if isinstance(key, str):
                    links.append(key)
        fields = change.get("fields")
        if isinstance(fields, dict):
            nodes += [fields[end] for end in ("from", "to") if isinstance(fields.get(end), str)]
    draft.links.prefetch(links)
    # A link's edit is checked against the nodes at its ends: read those with the rest.
    for key in links:
        stored = draft.links.row(key)
        if stored is not None:
            nodes += [end for end in (stored.get("from"), stored.get("to")) if isinstance(end, str)]
    draft.nodes.prefetch(nodes)


def _target(change: dict[str, Any]) -> tuple[str, Any] | None:
    """("nodes"|"links", what the change names), or None when it names neither or both."""
    named = [name for name in ("node", "link") if name in change]
    if len(named) != 1:
        return None
    return ("nodes" if named[0] == "node" else "links"), change[named[0]]


def _shape_problems(changes: Any) -> Iterator[Problem]:
    """What is wrong with a batch before any of it is applied: its shape, its size, and two
    changes of one id."""
    if not isinstance(changes, list):
        yield Problem("changes", "the changes are a JSON array")
        return
    if len(changes) > MAX_CHANGES:
        yield Problem(
            "changes", f"more than {MAX_CHANGES:,} changes in one batch: send it in parts"
        )
        return
    seen: dict[tuple[str, str], int] = {}
    for index, change in enumerate(changes):
        at = f"changes[{index}]"
        if not isinstance(change, dict):
            yield Problem(at, "a change is a JSON object")
            continue
        op = change.get("op")
        if op not in OPS:
            yield Problem(f"{at}.op", f"unknown op {op!r}; expected 'add', 'patch' or 'delete'")
            continue
        target = _target(change)
        if target is None:
            yield Problem(at, "a change names exactly one of 'node' or 'link'")
            continue
        section, named = target
        what = section[:-1]
        unknown = sorted(set(change) - {"op", what, "fields"})
        for name in unknown:
            yield Problem(f"{at}.{name}", f"unknown field {name!r} of a change")
        if op == "add":
            if not isinstance(named, dict):
                yield Problem(f"{at}.{what}", f"an added {what} is a JSON object")
                continue
            if "fields" in change:
                yield Problem(f"{at}.fields", "an add takes the whole item, not 'fields'")
            key = named.get("id") if section == "nodes" else link_key_of(named)
        else:
            if not isinstance(named, str):
                yield Problem(f"{at}.{what}", f"a {op} names the {what} by its id (a string)")
                continue
            if op == "patch" and not isinstance(change.get("fields"), dict):
                yield Problem(f"{at}.fields", "a patch takes 'fields', a JSON object")
            if op == "delete" and "fields" in change:
                yield Problem(f"{at}.fields", "a delete takes no 'fields'")
            key = named
        if isinstance(key, str):
            first = seen.setdefault((section, key), index)
            if first != index:
                yield Problem(
                    f"{at}.{what}",
                    f"a second change of {what} {key!r} in one batch (first at "
                    f"changes[{first}]): make it one change",
                )


def apply_changes(
    session: Session,
    workspace_id: int,
    model_id: str,
    changes: Any,
    *,
    expected_version: Expected = None,
    note: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BatchWritten:
    """Apply a batch of changes to a model's nodes and links, in order, all or nothing, as one
    version (none if nothing changes).

    `changes` is a list (at most `MAX_CHANGES`) of `{"op": "add", "node"|"link": {...}}`,
    `{"op": "patch", "node"|"link": ID, "fields": {...}}` or `{"op": "delete", "node"|"link":
    ID}`; two changes of one id are refused. A change that fails raises `DocumentRejected`
    at its position (`changes[3].fields.title`, `changes[5].node` for one naming no node) and
    nothing is written; a stale `expected_version` raises `VersionConflict`.
    """
    problems = list(_shape_problems(changes))
    if problems:
        raise DocumentRejected(problems[: limits.max_problems])
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        draft = Draft(session, row, model_id, limits)
        _prefetch(draft, changes)
        results: list[dict[str, Any]] = []
        touched: dict[tuple[str, str], int] = {}
        for index, change in enumerate(changes):
            results.append(_apply(draft, index, change, touched))
        written = draft.finish(note)
    return BatchWritten(written.version, written.changed, results)


def _apply(
    draft: Draft, index: int, change: dict[str, Any], touched: dict[tuple[str, str], int]
) -> dict[str, Any]:
    at = f"changes[{index}]"
    target = _target(change)
    assert target is not None
    section, named = target
    what = section[:-1]
    op = change["op"]

    def once(key: str) -> None:
        first = touched.setdefault((section, key), index)
        if first != index:
            raise DocumentRejected(
                [
                    Problem(
                        f"{at}.{what}",
                        f"a second change of {what} {key!r} in one batch (first at "
                        f"changes[{first}]): make it one change",
                    )
                ]
            )

    try:
        if op == "add":
            key, item = draft.add(section, named, at=f"{at}.{what}")
            once(key)
            return {"op": op, what: key, "changed": True, "item": item}
        once(named)
        if op == "patch":
            key, item, changed = draft.patch(section, named, change["fields"], at=f"{at}.fields")
            if key != named:
                once(key)
            return {"op": op, what: key, "changed": changed, "item": item}
        removed = draft.delete(section, named)
        result: dict[str, Any] = {"op": op, what: named, "changed": True}
        if removed:
            result["links"] = removed
        return result
    except NotFound as missing:
        raise DocumentRejected([Problem(f"{at}.{what}", str(missing))]) from None
