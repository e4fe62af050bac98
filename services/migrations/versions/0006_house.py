"""versions as deltas with a note; a model's other own fields

Revision ID: 0006
Revises: 0003_token_lifecycle

A version row now says what its `document` holds: `s`, a snapshot (the whole document, as
every version stored before this revision is), or `d`, a delta from the version before. So
every history an earlier toc kept is read back unchanged: its rows are all snapshots.
Versions gain the writer's `note`; models gain `extra`, their other own fields as JSON.

On PostgreSQL, a change to a model's row, a token, a workspace or a cached report notifies
the channel `toc_changed` (one statement-level trigger per table), so that the cached-check
fast path (`api/hotpath.py`) can remember answers until the store changes.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0004"  # after hardening's 0004 (merged in forms)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_NOTIFIED = ("toc_model", "api_token", "workspace", "toc_check_report")


def upgrade() -> None:
    with op.batch_alter_table("toc_model_version") as table:
        table.add_column(sa.Column("kind", sa.String(length=1), nullable=False, server_default="s"))
        table.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("toc_model") as table:
        table.add_column(sa.Column("extra", sa.Text(), nullable=False, server_default="{}"))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION toc_notify_changed() RETURNS trigger AS $$"
            " BEGIN PERFORM pg_notify('toc_changed', TG_TABLE_NAME); RETURN NULL; END"
            " $$ LANGUAGE plpgsql"
        )
        for name in _NOTIFIED:
            op.execute(
                f"CREATE TRIGGER {name}_changed AFTER INSERT OR UPDATE OR DELETE ON {name}"
                " FOR EACH STATEMENT EXECUTE FUNCTION toc_notify_changed()"
            )


def _materialise_deltas() -> None:
    """Rewrite every delta as the whole document it makes, as revisions before this one read."""
    from services.deltas import apply_delta

    bind = op.get_bind()
    models = bind.execute(
        sa.text("SELECT DISTINCT model_id FROM toc_model_version WHERE kind = 'd'")
    ).all()
    for (model_pk,) in models:
        rows = bind.execute(
            sa.text(
                "SELECT version, kind, document FROM toc_model_version"
                " WHERE model_id = :m ORDER BY version"
            ),
            {"m": model_pk},
        ).all()
        document: dict[str, object] | None = None
        for version, kind, payload in rows:
            text = zlib.decompress(payload).decode("utf-8")
            if kind == "s" or document is None:
                document = json.loads(text)
                continue
            apply_delta(document, json.loads(text))
            whole = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
            bind.execute(
                sa.text(
                    "UPDATE toc_model_version SET kind = 's', document = :d"
                    " WHERE model_id = :m AND version = :v"
                ),
                {"d": zlib.compress(whole.encode("utf-8"), 6), "m": model_pk, "v": version},
            )


def downgrade() -> None:
    _materialise_deltas()
    if op.get_bind().dialect.name == "postgresql":
        for name in _NOTIFIED:
            op.execute(f"DROP TRIGGER IF EXISTS {name}_changed ON {name}")
        op.execute("DROP FUNCTION IF EXISTS toc_notify_changed()")
    with op.batch_alter_table("toc_model") as table:
        table.drop_column("extra")
    with op.batch_alter_table("toc_model_version") as table:
        table.drop_column("note")
        table.drop_column("kind")
