"""The nodes a node of one model may refer to in its `realizes`: those of the workspace's other
models, found by title (the node form offers them as choices)."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from services.tables import StoredModel, StoredNode

__all__ = ["reference_choices", "CHOICES_MAX"]

# Enough for a state and its districts' initiatives; a search narrows a bigger workspace.
CHOICES_MAX = 500


def reference_choices(
    session: Session,
    workspace_id: int,
    exclude_model: str,
    query: str = "",
    *,
    limit: int = CHOICES_MAX,
) -> list[tuple[str, str]]:
    """(`MODEL:NODE`, "node title — model title") of the other models' nodes whose title or id
    holds `query` (case ignored; every node for an empty query), retired nodes left out, in
    model and document order, at most `limit`."""
    wanted = query.casefold().strip()
    statement = (
        select(StoredModel.slug, StoredModel.title, StoredNode.node_id, StoredNode.data)
        .join(StoredNode, col(StoredNode.model_id) == col(StoredModel.id))
        .where(StoredModel.workspace_id == workspace_id, StoredModel.slug != exclude_model)
        .where(StoredNode.status != "retired")
        .order_by(col(StoredModel.slug), col(StoredNode.position))
    )
    found: list[tuple[str, str]] = []
    for model_slug, model_title, node_id, data in session.exec(statement):
        title = str(json.loads(data).get("title", node_id))
        if wanted and wanted not in title.casefold() and wanted not in node_id:
            continue
        found.append((f"{model_slug}:{node_id}", f"{title} — {model_title}"))
        if len(found) >= limit:
            break
    return found
