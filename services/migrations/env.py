"""Alembic environment: runs on the connection the service hands over, or on TOC_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import services.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return

    from services.config import get_settings
    from services.db import make_engine

    engine = make_engine(get_settings().database_url)
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("toc migrations run online only: set TOC_DATABASE_URL and run upgrade")
run_migrations_online()
