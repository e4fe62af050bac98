"""versions as deltas with a note; a model's other own fields

Revision ID: 0006
Revises: 0003_token_lifecycle

A version row now says what its `document` holds: `s`, a snapshot (the whole document, as
every version stored before this revision is), or `d`, a delta from the version before. So
every history an earlier toc kept is read back unchanged: its rows are all snapshots.
Versions gain the writer's `note`; models gain `extra`, their other own fields as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0003_token_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("toc_model_version") as table:
        table.add_column(sa.Column("kind", sa.String(length=1), nullable=False, server_default="s"))
        table.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("toc_model") as table:
        table.add_column(sa.Column("extra", sa.Text(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("toc_model") as table:
        table.drop_column("extra")
    with op.batch_alter_table("toc_model_version") as table:
        table.drop_column("note")
        table.drop_column("kind")
