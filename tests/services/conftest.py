"""The services called directly, each test on a fresh store: SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from services import auth, reports
from services.db import make_engine, run_migrations
from tests.api.conftest import MILFORD


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, fresh_database_url: Callable[[str], str]) -> str:
    return fresh_database_url(request.param)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    run_migrations(engine)
    yield engine
    reports.settle()  # the background checks of the test's writes, done before the store goes
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture
def workspace(session: Session) -> int:
    return auth.ensure_workspace(session, "w1")


@pytest.fixture
def document() -> dict[str, Any]:
    """SPEC §2's example: three nodes, two links."""
    return copy.deepcopy(MILFORD)
