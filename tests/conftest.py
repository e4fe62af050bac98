"""Shared fixtures: a fresh database per test, the app on it, a client, tokens.

`database_url` is a fresh SQLite file here; `tests/api/conftest.py` overrides it to run every
API test on SQLite and on PostgreSQL (`TOC_TEST_POSTGRES_URL`, a fresh schema per test).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.main import create_app
from services.auth import create_token
from services.config import Settings

POSTGRES_URL = os.environ.get(
    "TOC_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("TOC_REQUIRE_POSTGRES") == "1"


@cache
def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used, or None when it can."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means "not available"
        return f"PostgreSQL at {make_url(POSTGRES_URL).render_as_string()} unreachable: {error}"
    return None


def need_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if REQUIRE_POSTGRES:
        pytest.fail(f"TOC_REQUIRE_POSTGRES=1 but {problem}")
    pytest.skip(problem)


@contextmanager
def fresh_postgres_schema() -> Iterator[str]:
    """A URL whose connections live in a schema of their own, dropped afterwards."""
    need_postgres()
    schema = f"toc_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def sqlite_url_in(folder: Path) -> str:
    return f"sqlite:///{folder / 'toc.db'}"


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Make the test a database of its own: `fresh_database_url("sqlite" | "postgres")`.

    A SQLite file in the test's tmp_path, or a PostgreSQL schema dropped after the test
    (skipped when PostgreSQL is unreachable, failed instead with TOC_REQUIRE_POSTGRES=1).
    """
    with ExitStack() as stack:

        def make(kind: str) -> str:
            if kind == "sqlite":
                folder = tmp_path / uuid.uuid4().hex[:8]
                folder.mkdir()
                return sqlite_url_in(folder)
            if kind == "postgres":
                return stack.enter_context(fresh_postgres_schema())
            raise ValueError(kind)

        yield make


@pytest.fixture
def database_url(fresh_database_url: Callable[[str], str]) -> str:
    """The test's own database: a fresh SQLite file (tests/api runs on PostgreSQL too)."""
    return fresh_database_url("sqlite")


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, max_body_bytes=1_000_000)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@dataclass(frozen=True)
class Tokens:
    """Raw tokens of workspace `w1` in each role, and an editor token of another workspace `w2`."""

    admin: str
    editor: str
    viewer: str
    other: str


@dataclass(frozen=True)
class Auth:
    """`Authorization` headers for each of `Tokens` (`client.get(url, headers=auth.editor)`)."""

    admin: dict[str, str]
    editor: dict[str, str]
    viewer: dict[str, str]
    other: dict[str, str]


@pytest.fixture
def tokens(client: TestClient) -> Tokens:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        return Tokens(
            admin=create_token(session, "w1", "admin"),
            editor=create_token(session, "w1", "editor"),
            viewer=create_token(session, "w1", "viewer"),
            other=create_token(session, "w2", "editor"),
        )


@pytest.fixture
def auth(tokens: Tokens) -> Auth:
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return Auth(
        admin=bearer(tokens.admin),
        editor=bearer(tokens.editor),
        viewer=bearer(tokens.viewer),
        other=bearer(tokens.other),
    )
