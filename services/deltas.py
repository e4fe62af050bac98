"""A version as what it changed: the delta a write keeps, and a version read back whole.

A write keeps a delta the size of its change, not a copy of the model. A delta is a JSON
object with any of these keys:

- `"head"`: the model's own fields after the write (`title`, `description`, `checks`…),
  all of them, when the write changed one;
- `"nodes"` and `"links"`: `{"del": [KEY…], "set": [[KEY, NEW_KEY, ITEM]…], "add": [[KEY,
  ITEM]…]}`: the items removed, the items changed in place (a link's id may change with its
  ends), and the items added at the end of their list, in order. An item is its toc/1 object.

A version is read whole from the nearest snapshot at or below it (a whole document, as every
version an earlier toc stored is) and the deltas after it, applied in order (`replay`).

>>> snapshot = '{"format":"toc/1","id":"m","title":"M","nodes":[{"id":"a"},{"id":"b"}],"links":[]}'
>>> delta = {"nodes": {"del": ["a"], "set": [["b", "b", {"id": "b", "title": "B"}]],
...                    "add": [["c", {"id": "c"}]]}}
>>> replay(snapshot, [delta])["nodes"]
[{'id': 'b', 'title': 'B'}, {'id': 'c'}]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from toc.edits import link_key_of

__all__ = ["replay", "apply_delta", "SECTIONS", "item_key", "nodes_set_text"]

SECTIONS = ("nodes", "links")


def item_key(section: str, item: dict[str, Any]) -> str:
    """The id an item of `section` is found by."""
    if section == "nodes":
        return str(item["id"])
    key = link_key_of(item)
    assert key is not None
    return key


def apply_delta(document: dict[str, Any], delta: dict[str, Any]) -> None:
    """Change `document` (a toc/1 dict without `version`) as the write that kept `delta` did."""
    head = delta.get("head")
    if head is not None:
        for name in [k for k in document if k not in ("format", "id", *SECTIONS)]:
            del document[name]
        items = {section: document.pop(section, []) for section in SECTIONS}
        checks = head.get("checks")
        document.update({k: v for k, v in head.items() if k != "checks"})
        document.update(items)
        if checks:
            document["checks"] = checks
    for section in SECTIONS:
        change = delta.get(section)
        if not change:
            continue
        removed = set(change.get("del", ()))
        replaced = {old: item for old, _new, item in change.get("set", ())}
        kept: list[dict[str, Any]] = []
        for item in document.get(section, []):
            key = item_key(section, item)
            if key in removed:
                continue
            kept.append(replaced.get(key, item))
        kept.extend(item for _key, item in change.get("add", ()))
        document[section] = kept


def replay(snapshot: str, deltas: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The document a snapshot's text becomes after `deltas`, applied in order."""
    document: dict[str, Any] = json.loads(snapshot)
    for delta in deltas:
        apply_delta(document, delta)
    return document


def nodes_set_text(texts: Mapping[str, str]) -> str:
    """The delta of nodes changed in place (their ids kept), as JSON text spliced from each
    node's own toc/1 JSON text (`{id: text}`), which is not parsed again.

    >>> nodes_set_text({"a": '{"id":"a","title":"A"}'})
    '{"nodes":{"set":[["a","a",{"id":"a","title":"A"}]]}}'
    """
    changed = []
    for key, text in texts.items():
        quoted = json.dumps(key, ensure_ascii=False)
        changed.append(f"[{quoted},{quoted},{text}]")
    return '{"nodes":{"set":[' + ",".join(changed) + "]}}"
