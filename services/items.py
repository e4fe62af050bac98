"""A model's items, nodes and links: one get, add, patch and delete, parametrised by item type.

Every write re-validates the would-be document whole, so an item that would break the toc/1
contract (a link to a missing node, a duplicate id) is refused with its path and stores nothing;
every write that succeeds keeps the version it makes in the model's history.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from services import store
from services.db import writing
from services.errors import Expected
from toc.document import parse_document
from toc.errors import DocumentRejected, Problem
from toc.model import Link, Node, TheoryOfChange

__all__ = [
    "ItemType",
    "NODE",
    "LINK",
    "get_item",
    "add_item",
    "patch_item",
    "delete_item",
    "get_node",
    "add_node",
    "patch_node",
    "delete_node",
    "get_link",
    "add_link",
    "patch_link",
    "delete_link",
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
    fixed_id="a node's id cannot be changed: links name it",
)
LINK = ItemType(store.LINKS, lambda model: model.links, "links", lambda link: link.key)


def _canonical(item: Node | Link) -> dict[str, Any]:
    return item.model_dump(mode="json", by_alias=True, exclude_none=True)


def _not_object(what: str) -> DocumentRejected:
    return DocumentRejected([Problem("$", f"{what} is a JSON object")])


def _merged(data: str, changes: dict[str, Any]) -> dict[str, Any]:
    """A stored item's JSON with a patch applied: a field set to None goes back to its default."""
    merged = dict(json.loads(data))
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


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
) -> tuple[dict[str, Any], str, int]:
    """Add an item (a toc/1 object) at the end of its list; returns (item, its id, version)."""
    if not isinstance(item, dict):
        raise _not_object(f"a {kind.what}")
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        assert row.id is not None
        document = store.document_dict(session, row)
        document[kind.section].append(item)
        parsed = kind.members(parse_document(document))[-1]
        data = _canonical(parsed)
        store.add_item(session, kind.stored, row.id, parsed, store.dumps(data))
        store.record_version(session, row)
        version = row.version
    return data, kind.key(parsed), version


def patch_item(
    session: Session,
    workspace_id: int,
    model_id: str,
    kind: ItemType,
    item_id: str,
    changes: dict[str, Any],
    *,
    expected_version: Expected = None,
) -> tuple[dict[str, Any], str, int]:
    """Change some fields of an item; a field set to null goes back to its default.

    Returns (item, its id, new version).
    """
    if not isinstance(changes, dict):
        raise _not_object("a patch")
    store.known(kind.what, item_id, kind.stored.pattern, model_id)
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        assert row.id is not None
        index, stored = store.stored_item(session, kind.stored, row.id, model_id, item_id)
        if kind.fixed_id and "id" in changes and changes["id"] != item_id:
            raise DocumentRejected([Problem(f"{kind.section}[{index}].id", kind.fixed_id)])
        document = store.document_dict(session, row)
        document[kind.section][index] = _merged(stored.data, changes)
        parsed = kind.members(parse_document(document))[index]
        data = _canonical(parsed)
        store.update_item(session, kind.stored, stored, parsed, store.dumps(data))
        store.record_version(session, row)
        version = row.version
    return data, kind.key(parsed), version


def delete_item(
    session: Session,
    workspace_id: int,
    model_id: str,
    kind: ItemType,
    item_id: str,
    *,
    expected_version: Expected = None,
) -> int:
    """Delete an item (a node with every link to or from it) in one write; returns the version.

    Removing a link, or a node with its links, cannot break the contract: no re-validation.
    """
    store.known(kind.what, item_id, kind.stored.pattern, model_id)
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        store.delete_item(session, kind.stored, row.id, model_id, item_id)
        store.record_version(session, row)
        version = row.version
    return version


# -- by name: what routes and pages call ---------------------------------------------------


def get_node(
    session: Session, workspace_id: int, model_id: str, node_id: str
) -> tuple[dict[str, Any], int]:
    """One node as its toc/1 object, and the model's version."""
    return get_item(session, workspace_id, model_id, NODE, node_id)


def add_node(
    session: Session,
    workspace_id: int,
    model_id: str,
    node: dict[str, Any],
    *,
    expected_version: Expected = None,
) -> tuple[dict[str, Any], int]:
    """Add a node (a toc/1 node object) at the end of the model; returns (node, new version)."""
    data, _, version = add_item(
        session, workspace_id, model_id, NODE, node, expected_version=expected_version
    )
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
    """Change some fields of a node; a node's id cannot be changed (links name it).

    Returns (node, new version).
    """
    data, _, version = patch_item(
        session, workspace_id, model_id, NODE, node_id, changes, expected_version=expected_version
    )
    return data, version


def delete_node(
    session: Session,
    workspace_id: int,
    model_id: str,
    node_id: str,
    *,
    expected_version: Expected = None,
) -> int:
    """Delete a node and every link to or from it, in one write; returns the new version."""
    return delete_item(
        session, workspace_id, model_id, NODE, node_id, expected_version=expected_version
    )


def get_link(
    session: Session, workspace_id: int, model_id: str, link_id: str
) -> tuple[dict[str, Any], int]:
    """One link as its toc/1 object, by its id (own or generated `FROM->TO`)."""
    return get_item(session, workspace_id, model_id, LINK, link_id)


def add_link(
    session: Session,
    workspace_id: int,
    model_id: str,
    link: dict[str, Any],
    *,
    expected_version: Expected = None,
) -> tuple[dict[str, Any], str, int]:
    """Add a link (a toc/1 link object); returns (link, its id, new version)."""
    return add_item(session, workspace_id, model_id, LINK, link, expected_version=expected_version)


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
    return patch_item(
        session, workspace_id, model_id, LINK, link_id, changes, expected_version=expected_version
    )


def delete_link(
    session: Session,
    workspace_id: int,
    model_id: str,
    link_id: str,
    *,
    expected_version: Expected = None,
) -> int:
    """Delete one link; returns the new version."""
    return delete_item(
        session, workspace_id, model_id, LINK, link_id, expected_version=expected_version
    )
