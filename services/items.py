"""A model's items, nodes and links: one get, add, patch and delete, parametrised by item type.

Every write is a `services.changes.Draft` of one change: the item is checked against the rest
of the model (its fields, its id's uniqueness, its link's ends) without re-reading the model,
so one that would break the toc/1 contract (a link to a missing node, a duplicate id) is
refused with its path and stores nothing. A write that succeeds and changes something keeps
the version it makes, with its `note`, in the model's history; one that changes nothing (a
patch to the values already there) makes no version: its result says `changed=False`.

`add_item`, `patch_item` and `delete_item` return an `ItemWritten` (`item`, `id`, `version`,
`changed`); the wrappers by name (`add_node`…) keep their older tuple answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from services import store
from services.changes import FIXED_NODE_ID, BatchWritten, Draft, ItemWritten, Written, apply_changes
from services.db import writing
from services.errors import Expected
from toc.model import TheoryOfChange

__all__ = [
    "ItemType",
    "NODE",
    "LINK",
    "Written",
    "ItemWritten",
    "BatchWritten",
    "apply_changes",
    "get_item",
    "add_item",
    "patch_item",
    "delete_item",
]


@dataclass(frozen=True)
class ItemType:
    """One kind of item of a model: where it is stored, where the document lists it."""

    stored: store.Items[Any]
    members: Callable[[TheoryOfChange], list[Any]]  # the document's list of these items
    section: str  # the document's key for that list: "nodes" or "links"
    key: Callable[[Any], str]  # the id the item is found by
    fixed_id: str | None = None  # why an item's id cannot change, if it cannot

    @property
    def what(self) -> str:
        return self.stored.what


NODE = ItemType(
    store.NODES,
    lambda model: model.nodes,
    "nodes",
    lambda node: node.id,
    fixed_id=FIXED_NODE_ID,
)
LINK = ItemType(store.LINKS, lambda model: model.links, "links", lambda link: link.key)


def get_item(
    session: Session, workspace_id: int, model_id: str, kind: ItemType, item_id: str
) -> tuple[dict[str, Any], int]:
    """One item as its toc/1 object, and the model's version."""
    return store.item_with_version(session, workspace_id, model_id, kind.stored, item_id)


def add_item(
    session: Session,
    workspace_id: int,
    model_id: str,
    kind: ItemType,
    item: dict[str, Any],
    *,
    expected_version: Expected = None,
    note: str | None = None,
) -> ItemWritten:
    """Add an item (a toc/1 object) at the end of its list, as a new version."""
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        draft = Draft(session, row, model_id)
        key, data = draft.add(kind.section, item)
        written = draft.finish(note)
    return ItemWritten(written.version, written.changed, data, key)


def patch_item(
    session: Session,
    workspace_id: int,
    model_id: str,
    kind: ItemType,
    item_id: str,
    changes: dict[str, Any],
    *,
    expected_version: Expected = None,
    note: str | None = None,
) -> ItemWritten:
    """Change some fields of an item; a field set to null goes back to its default.

    A patch to the values already there changes nothing: no version (`changed=False`).
    """
    store.known(kind.what, item_id, kind.stored.pattern, model_id)
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        draft = Draft(session, row, model_id)
        key, data, _ = draft.patch(kind.section, item_id, changes)
        written = draft.finish(note)
    return ItemWritten(written.version, written.changed, data, key)


def delete_item(
    session: Session,
    workspace_id: int,
    model_id: str,
    kind: ItemType,
    item_id: str,
    *,
    expected_version: Expected = None,
    note: str | None = None,
) -> ItemWritten:
    """Delete an item (a node with every link to or from it) as one new version."""
    store.known(kind.what, item_id, kind.stored.pattern, model_id)
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        draft = Draft(session, row, model_id)
        draft.delete(kind.section, item_id)
        written = draft.finish(note)
    return ItemWritten(written.version, written.changed, None, item_id)
