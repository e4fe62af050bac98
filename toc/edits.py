"""Checking one edited item against the rest of a model, without reading the model whole.

A write to a stored model changes one node or link (or a few). The model was valid before the
write, so only what the edit touches can break the contract: the item's own fields, its id's
uniqueness, and (for a link) that its ends name nodes. These functions judge exactly that,
with the paths and messages `toc.document.parse_document` gives for the same fault in the
whole document, so a caller cannot tell the incremental check from a full one.

The rest of the model is asked about through small callables (is there a node with this id,
where is the item that already uses this id), which a store answers with an indexed lookup.

>>> node = {"id": "a", "level": "student", "kind": "outcome", "title": "Reading"}
>>> check_node(node, 4).title
'Reading'
>>> try:
...     check_node({**node, "level": "district"}, 4)
... except DocumentRejected as rejected:
...     print(rejected.problems[0].path)
nodes[4].level
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from toc.document import parse_document
from toc.errors import DocumentRejected, Problem
from toc.limits import DEFAULT_LIMITS, Limits
from toc.model import FORMAT, NODE_ID_PATTERN, Link, Node, TheoryOfChange, generated_link_id

__all__ = ["check_node", "check_link", "check_head", "link_key_of", "HEAD_FIELDS"]

_VALID_ID = re.compile(NODE_ID_PATTERN)
# The model's own fields: everything of the document but its items and what names it.
HEAD_FIELDS = tuple(
    name
    for name in TheoryOfChange.model_fields
    if name not in ("format", "id", "version", "nodes", "links")
)


def _reindexed(rejected: DocumentRejected, section: str, index: int) -> list[Problem]:
    """The problems of a one-item document, as found at `section[index]` of the real one."""
    mini, real = f"{section}[0]", f"{section}[{index}]"
    return [
        Problem(real + p.path[len(mini) :], p.message) if p.path.startswith(mini) else p
        for p in rejected.problems
    ]


def _stub(node_id: str) -> dict[str, str]:
    """A node that exists only to be a link's end."""
    return {"id": node_id, "level": "student", "kind": "change", "title": node_id}


def check_node(
    node: Any,
    index: int,
    *,
    first_with_id: Callable[[str], int | None] = lambda _: None,
    limits: Limits = DEFAULT_LIMITS,
) -> Node:
    """Validate one node object as it would stand at `nodes[index]` of its model.

    `first_with_id(id)` gives the index of another node of the model that has the same id
    (None if none). Raises `DocumentRejected` with every problem, at document paths.
    """
    document = {"format": FORMAT, "id": "m", "title": "m", "nodes": [node], "links": []}
    problems: list[Problem] = []
    parsed: Node | None = None
    try:
        parsed = parse_document(document, limits).nodes[0]
    except DocumentRejected as rejected:
        problems = _reindexed(rejected, "nodes", index)
    node_id = node.get("id") if isinstance(node, dict) else None
    if isinstance(node_id, str):
        first = first_with_id(node_id)
        if first is not None:
            problems.append(
                Problem(
                    f"nodes[{index}].id",
                    f"duplicate node id {node_id!r} (first used at nodes[{first}])",
                )
            )
    if problems:
        raise DocumentRejected(problems)
    assert parsed is not None
    return parsed


def link_key_of(link: Any) -> str | None:
    """The id a link object has in its model (its own, or the generated `FROM->TO`), if any."""
    if not isinstance(link, dict):
        return None
    own, source, target = link.get("id"), link.get("from"), link.get("to")
    if type(own) is str:
        return own
    if own is None and type(source) is str and type(target) is str:
        return generated_link_id(source, target)
    return None


def check_link(
    link: Any,
    index: int,
    *,
    has_node: Callable[[str], bool],
    node_ids: Callable[[], Iterable[str]],
    first_with_key: Callable[[str], int | None] = lambda _: None,
    limits: Limits = DEFAULT_LIMITS,
) -> Link:
    """Validate one link object as it would stand at `links[index]` of its model.

    `has_node(id)` says whether the model has that node; `node_ids()` lists them all, asked
    only when an end names no node (to suggest the nearest id); `first_with_key(key)` gives
    the index of another link with the same id. Raises `DocumentRejected` at document paths.
    """
    ends = []
    if isinstance(link, dict):
        ends = [end for end in (link.get("from"), link.get("to")) if type(end) is str]
    missing = [end for end in ends if _VALID_ID.fullmatch(end) and not has_node(end)]
    known = list(node_ids()) if missing else [end for end in ends if _VALID_ID.fullmatch(end)]
    document = {
        "format": FORMAT,
        "id": "m",
        "title": "m",
        "nodes": [_stub(node_id) for node_id in dict.fromkeys(known)],
        "links": [link],
    }
    problems: list[Problem] = []
    parsed: Link | None = None
    try:
        parsed = parse_document(document, limits).links[0]
    except DocumentRejected as rejected:
        problems = _reindexed(rejected, "links", index)
    key = link_key_of(link)
    if key is not None:
        first = first_with_key(key)
        if first is not None:
            generated = isinstance(link, dict) and link.get("id") is None
            hint = (
                " (generated from from/to: links that join the same pair need ids of their own)"
                if generated
                else ""
            )
            problems.append(
                Problem(
                    f"links[{index}].id",
                    f"duplicate link id {key!r}{hint}; first used at links[{first}]",
                )
            )
    if problems:
        raise DocumentRejected(problems)
    assert parsed is not None
    return parsed


def check_head(head: dict[str, Any], limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Validate the model's own fields (`title`, `description`, `checks`…) with no items.

    `head` holds the document's top-level fields but its items; the paths are the document's.
    """
    return parse_document({**head, "nodes": [], "links": []}, limits)
