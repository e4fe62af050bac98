"""hardening: tokens limited to some models; observation dates YYYY-MM-DD, one per date

Revision ID: 0004
Revises: 0003_token_lifecycle

- `api_token.expires_at` 64-bit (a 32-bit one ends in 2038, inside a ten-year token's life).
- `api_token.models`: the ids of the models an editor token may write (JSON array), or NULL
  for every model of its workspace.
- Before toc/1 dates were read strictly, a week date (`2020-W01-3`) or a compact one
  (`20200101`) was accepted and written back as `YYYY-MM-DD` after the one-per-date check, so a
  stored indicator could hold two observations for one day — a model no later write, export or
  re-import could get through. Every stored node (and every kept version of a model) is read
  again: a date is written `YYYY-MM-DD`, and of two observations for one day the later write
  is kept (the one after it in the list: a merge appended, and the list's sort by date keeps
  the order of equal dates).
"""

from __future__ import annotations

import datetime
import json
import re
import zlib
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003_token_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _canonical(date: Any) -> Any:
    if type(date) is not str or _ISO.fullmatch(date):
        return date
    try:
        return datetime.date.fromisoformat(date.strip()).isoformat()
    except ValueError:
        return date  # not a date at all: left for a person to see


def repair_node(node: Any) -> bool:
    """Rewrite a node's observation dates in place; True when anything changed."""
    changed = False
    if type(node) is not dict or type(node.get("indicators")) is not list:
        return False
    for indicator in node["indicators"]:
        if type(indicator) is not dict or type(indicator.get("observations")) is not list:
            continue
        by_date: dict[Any, Any] = {}
        for observation in indicator["observations"]:
            if type(observation) is not dict:
                continue
            date = _canonical(observation.get("date"))
            if date != observation.get("date"):
                observation["date"] = date
                changed = True
            key = date if type(date) is str else id(observation)
            if key in by_date:
                changed = True
            by_date.pop(key, None)  # the later write wins, in its own place
            by_date[key] = observation
        if changed:
            indicator["observations"] = sorted(
                by_date.values(), key=lambda o: str(o.get("date") if type(o) is dict else "")
            )
    return changed


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def upgrade() -> None:
    with op.batch_alter_table("api_token") as table:
        table.add_column(sa.Column("models", sa.Text(), nullable=True))
        # 64-bit: a 32-bit expiry ends in January 2038, inside a ten-year token's life.
        table.alter_column(
            "expires_at", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=True
        )

    connection = op.get_bind()
    nodes = connection.execute(
        sa.text("SELECT id, data FROM toc_node WHERE data LIKE '%\"observations\"%'")
    ).all()
    for row_id, data in nodes:
        node = json.loads(data)
        if repair_node(node):
            connection.execute(
                sa.text("UPDATE toc_node SET data = :data WHERE id = :id"),
                {"data": _dumps(node), "id": row_id},
            )

    inspector = sa.inspect(connection)
    if "toc_model_version" not in inspector.get_table_names():
        return
    if "document" not in {column["name"] for column in inspector.get_columns("toc_model_version")}:
        return
    versions = connection.execute(
        sa.text("SELECT model_id, version, document FROM toc_model_version")
    ).all()
    for model_id, version, stored in versions:
        try:
            document = json.loads(zlib.decompress(stored).decode("utf-8"))
        except (zlib.error, UnicodeDecodeError, ValueError, TypeError):
            continue
        if type(document) is not dict or type(document.get("nodes")) is not list:
            continue
        if any([repair_node(node) for node in document["nodes"]]):
            connection.execute(
                sa.text(
                    "UPDATE toc_model_version SET document = :document"
                    " WHERE model_id = :model_id AND version = :version"
                ),
                {
                    "document": zlib.compress(_dumps(document).encode("utf-8"), 6),
                    "model_id": model_id,
                    "version": version,
                },
            )


def downgrade() -> None:
    with op.batch_alter_table("api_token") as table:
        table.drop_column("models")
        table.alter_column(
            "expires_at", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=True
        )
