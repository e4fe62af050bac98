"""A batch of item changes applied in order, all or nothing, as one version.

What a planning tool's sync sends: `[{"op": "add" | "patch" | "delete", "node" | "link": …,
"fields"?: {…}}]`. Every change is applied to the document in order; the document is then
validated whole, and stored as one new version (none when it ends as it began). A change
that cannot apply, or leaves the document breaking the contract, is named by its position
(`changes[3].node`) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from services import store
from services.db import writing
from services.errors import Expected
from toc.document import parse_document
from toc.errors import DocumentRejected, Problem
from toc.model import generated_link_id

__all__ = ["MAX_CHANGES", "OPS", "apply_changes", "BatchOutcome"]

MAX_CHANGES = 10_000
OPS = ("add", "patch", "delete")
_SECTIONS = {"node": "nodes", "link": "links"}


class BatchOutcome:
    """The batch's results in order, and the model's version after it."""

    def __init__(self, results: list[dict[str, Any]], version: int, changed: bool):
        self.results = results
        self.version = version
        self.changed = changed


def _key(what: str, item: Mapping[str, Any]) -> str:
    if what == "node":
        return str(item.get("id"))
    own = item.get("id")
    return (
        str(own)
        if own is not None
        else generated_link_id(str(item.get("from")), str(item.get("to")))
    )


def _shape(changes: Any) -> list[tuple[str, str, Any, Any]]:
    """Each change as (op, node|link, the item or its id, fields); 422 for any malformed one."""
    problems: list[Problem] = []
    if not isinstance(changes, list):
        raise DocumentRejected([Problem("changes", "a list of changes")])
    if len(changes) > MAX_CHANGES:
        raise DocumentRejected(
            [Problem("changes", f"at most {MAX_CHANGES} changes in one batch, not {len(changes)}")]
        )
    shaped: list[tuple[str, str, Any, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for i, change in enumerate(changes):
        where = f"changes[{i}]"
        if not isinstance(change, dict):
            problems.append(Problem(where, "a change is a JSON object"))
            continue
        op = change.get("op")
        if op not in OPS:
            problems.append(Problem(f"{where}.op", f"unknown op {op!r}: one of add, patch, delete"))
            continue
        whats = [w for w in _SECTIONS if w in change]
        extra = sorted(set(change) - {"op", "node", "link", "fields"})
        if extra:
            problems.append(Problem(f"{where}.{extra[0]}", "not a key of a change"))
            continue
        if len(whats) != 1:
            problems.append(Problem(where, "names exactly one of `node` or `link`"))
            continue
        what = whats[0]
        target = change[what]
        fields = change.get("fields")
        if op == "add":
            if not isinstance(target, dict):
                problems.append(Problem(f"{where}.{what}", f"an add carries the {what} object"))
                continue
            if fields is not None:
                problems.append(Problem(f"{where}.fields", "only a patch takes fields"))
                continue
            item_id = _key(what, target)
        else:
            if not isinstance(target, str):
                problems.append(Problem(f"{where}.{what}", f"a {op} names the {what} by its id"))
                continue
            if op == "patch" and not isinstance(fields, dict):
                problems.append(Problem(f"{where}.fields", "a patch carries the fields to change"))
                continue
            if op == "delete" and fields is not None:
                problems.append(Problem(f"{where}.fields", "only a patch takes fields"))
                continue
            item_id = target
        first = seen.setdefault((what, item_id), i)
        if first != i:
            problems.append(
                Problem(
                    f"{where}.{what}",
                    f"the {what} {item_id!r} is already changed by changes[{first}]: "
                    "one change per item in a batch",
                )
            )
            continue
        shaped.append((op, what, target, fields))
    if problems:
        raise DocumentRejected(problems)
    return shaped


def apply_changes(
    session: Session,
    workspace_id: int,
    model_id: str,
    changes: Any,
    *,
    expected_version: Expected = None,
) -> BatchOutcome:
    """Apply `changes` in order as one version (see the module doc)."""
    shaped = _shape(changes)
    try:
        return _apply(session, workspace_id, model_id, shaped, expected_version)
    except _Unchanged as unchanged:
        # Rolled back, version bump and all: the answer names the current version.
        info = store.model_info(session, workspace_id, model_id)
        return BatchOutcome(unchanged.results, info.version, False)


def _apply(
    session: Session,
    workspace_id: int,
    model_id: str,
    shaped: list[tuple[str, str, Any, Any]],
    expected_version: Expected,
) -> BatchOutcome:
    with writing(session):
        row = store.bump(session, workspace_id, model_id, expected_version)
        document = store.document_dict(session, row)
        before = parse_document(dict(document)).to_document()
        touched: dict[tuple[str, int], int] = {}  # (section, index) → the change's position
        results: list[dict[str, Any]] = []
        for i, (op, what, target, fields) in enumerate(shaped):
            section = document[_SECTIONS[what]]
            where = f"changes[{i}].{what}"
            if op == "add":
                section.append(target)
                touched[(_SECTIONS[what], len(section) - 1)] = i
                results.append({"op": op, what: _key(what, target)})
                continue
            index = next((j for j, item in enumerate(section) if _key(what, item) == target), None)
            if index is None:
                raise DocumentRejected([Problem(where, f"no {what} {target!r} in the model")])
            if op == "delete":
                del section[index]
                if what == "node":
                    document["links"] = [
                        link
                        for link in document["links"]
                        if target not in (link.get("from"), link.get("to"))
                    ]
                touched = {}  # positions moved: problems are named by the document's paths
                results.append({"op": op, what: target})
                continue
            if what == "node" and "id" in fields and fields["id"] != target:
                raise DocumentRejected(
                    [
                        Problem(
                            f"changes[{i}].fields.id",
                            "a node's id cannot be changed: links name it",
                        )
                    ]
                )
            merged = dict(section[index])
            for key, value in fields.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            section[index] = merged
            touched[(_SECTIONS[what], index)] = i
            results.append({"op": op, what: _key(what, merged)})
        try:
            model = parse_document(document)
        except DocumentRejected as rejected:
            raise DocumentRejected(_renamed(rejected.problems, touched)) from None
        items = {
            "node": {node.id: node for node in model.nodes},
            "link": {link.key: link for link in model.links},
        }
        for result in results:
            what = "node" if "node" in result else "link"
            if result["op"] != "delete":
                found = items[what].get(result[what])
                if found is not None:
                    result["item"] = found.model_dump(mode="json", by_alias=True, exclude_none=True)
        if model.to_document() == before:
            raise _Unchanged(results)
        store.rewrite_model(session, row, model)
        version = row.version
    return BatchOutcome(results, version, True)


class _Unchanged(Exception):
    def __init__(self, results: list[dict[str, Any]]):
        self.results = results


def _renamed(problems: Sequence[Problem], touched: Mapping[tuple[str, int], int]) -> list[Problem]:
    """Problems at `nodes[k]…` named by the change that put that item there, when one did."""
    renamed = []
    for problem in problems:
        for (section, index), position in touched.items():
            prefix = f"{section}[{index}]"
            if problem.path == prefix or problem.path.startswith(prefix + "."):
                what = "node" if section == "nodes" else "link"
                rest = problem.path[len(prefix) :]
                problem = Problem(f"changes[{position}].{what}{rest}", problem.message)
                break
        renamed.append(problem)
    return renamed
