"""history: every version of a model kept, token names, reports cached per check date

Revision ID: 0002_history
Revises: 0001

Models stored before this revision get their current version recorded as the first entry of
their history (author unknown: an empty name), so every model has a history to list.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002_history"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token") as table:
        table.add_column(
            sa.Column("name", sa.String(length=128), nullable=False, server_default="")
        )
    with op.batch_alter_table("toc_check_report") as table:
        table.add_column(
            sa.Column("as_of", sa.String(length=10), nullable=False, server_default="")
        )
    op.create_table(
        "toc_model_version",
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=128), nullable=False),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("links", sa.Integer(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=True),
        sa.Column("warnings", sa.Integer(), nullable=True),
        sa.Column("infos", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["model_id"], ["toc_model.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("model_id", "version"),
    )
    _record_current_versions()


def _record_current_versions() -> None:
    """Each existing model's current version becomes the first entry of its history."""
    bind = op.get_bind()
    models = bind.execute(
        sa.text("SELECT id, slug, title, description, checks, version FROM toc_model")
    ).all()
    for model_pk, slug, title, description, checks, version in models:
        head: dict[str, object] = {"format": "toc/1", "id": slug, "title": title}
        if description is not None:
            head["description"] = description
        nodes = [
            row[0]
            for row in bind.execute(
                sa.text("SELECT data FROM toc_node WHERE model_id = :m ORDER BY position"),
                {"m": model_pk},
            )
        ]
        links = [
            row[0]
            for row in bind.execute(
                sa.text("SELECT data FROM toc_link WHERE model_id = :m ORDER BY position"),
                {"m": model_pk},
            )
        ]
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
        text += ',"nodes":[' + ",".join(nodes) + '],"links":[' + ",".join(links) + "]"
        if checks and checks != "{}":
            text += ',"checks":' + checks
        text += "}"
        bind.execute(
            sa.text(
                "INSERT INTO toc_model_version (model_id, version, at, by, nodes, links, document)"
                " VALUES (:m, :v, :at, '', :n, :l, :d)"
            ),
            {
                "m": model_pk,
                "v": version,
                "at": datetime.now(UTC),
                "n": len(nodes),
                "l": len(links),
                "d": zlib.compress(text.encode("utf-8")),
            },
        )


def downgrade() -> None:
    op.drop_table("toc_model_version")
    with op.batch_alter_table("toc_check_report") as table:
        table.drop_column("as_of")
    with op.batch_alter_table("api_token") as table:
        table.drop_column("name")
