"""model ids `import` and `new` are reserved: a stored one is renamed

Revision ID: 0005
Revises: 0006

`/models/import` is a route, and `/models/new` a page, so no model may take those ids any
more. A model stored under one of them before is renamed `import-model` / `new-model` (or
`…-model-2`, `-3`… when that id is taken in its workspace); its history keeps the versions it
had, under the old id in their documents.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESERVED = ("import", "new")


def upgrade() -> None:
    connection = op.get_bind()
    models = sa.table(
        "toc_model",
        sa.column("id", sa.Integer),
        sa.column("workspace_id", sa.Integer),
        sa.column("slug", sa.String),
    )
    found = connection.execute(
        sa.select(models.c.id, models.c.workspace_id, models.c.slug).where(
            models.c.slug.in_(RESERVED)
        )
    ).all()
    for pk, workspace_id, slug in found:
        taken = set(
            connection.execute(
                sa.select(models.c.slug).where(
                    models.c.workspace_id == workspace_id, models.c.slug.like(f"{slug}-model%")
                )
            ).scalars()
        )
        new_id, n = f"{slug}-model", 1
        while new_id in taken:
            n += 1
            new_id = f"{slug}-model-{n}"
        connection.execute(sa.update(models).where(models.c.id == pk).values(slug=new_id))


def downgrade() -> None:
    # The renamed models keep their new ids: nothing tells a renamed one from one so named.
    pass
