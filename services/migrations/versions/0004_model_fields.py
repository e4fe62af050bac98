"""the model's own fields beyond its title (scope, org, designations, currency), kept whole

Revision ID: 0004_model_fields
Revises: 0003_token_lifecycle
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_model_fields"
down_revision: str | None = "0003_token_lifecycle"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("toc_model") as table:
        table.add_column(sa.Column("fields", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("toc_model") as table:
        table.drop_column("fields")
