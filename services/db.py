"""The engine, sessions and migrations: SQLite (WAL, foreign keys, immediate writes) or PostgreSQL.

Nothing here runs at import time: the app factory and the CLI build the engine from settings.

SQLite allows one writer at a time. A write transaction that starts by reading and only later
writes can fail at once with "database is locked" when another writer got in first (its read
snapshot is stale, and waiting cannot help). So every write transaction begins with
`BEGIN IMMEDIATE`, which takes the write lock up front and waits (busy timeout) for it;
reads begin a plain deferred transaction and never block writers under WAL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlmodel import Session

__all__ = ["make_engine", "run_migrations", "writing", "is_sqlite", "WRITE_OPTION"]

# Execution option that marks a session's transaction as a write (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "toc_write"

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, busy_timeout_s: float = 30.0) -> Engine:
    """An engine for `url`: SQLite tuned for concurrent writers, or PostgreSQL as it is."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # As many connections as the thread pool has threads (40), so requests do not queue
        # for a connection while holding a thread.
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30)

    database = parsed.database or ""
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_s},
        pool_size=10,
        max_overflow=30,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN, rather than the driver's own rules.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def writing(session: Session) -> Iterator[Session]:
    """One write transaction: committed when the block ends, rolled back if it raises.

    Any read transaction the session holds is ended first, so that on SQLite the write
    begins with `BEGIN IMMEDIATE` on a fresh snapshot.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()


def run_migrations(engine: Engine) -> None:
    """Create or upgrade the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
