"""tokens with a lifecycle: expiry, revocation, and the server process a token lives with

Revision ID: 0003_token_lifecycle
Revises: 0002_history
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_token_lifecycle"
down_revision: str | None = "0002_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_token") as table:
        table.add_column(sa.Column("expires_at", sa.Integer(), nullable=True))
        table.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("server_process", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_token") as table:
        table.drop_column("server_process")
        table.drop_column("revoked_at")
        table.drop_column("expires_at")
