"""The history migration: a store made before it keeps its models, each with a first version."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

import services.db
from app.main import create_app
from services.config import Settings
from services.db import make_engine


def test_models_stored_before_history_get_their_current_version_recorded(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(Path(services.db.__file__).parent / "migrations"))
    now = datetime.now(UTC)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text("INSERT INTO workspace (id, name, created_at) VALUES (1, 'w1', :now)"),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO toc_model (id, workspace_id, slug, title, description, checks,"
                " version, created_at, updated_at)"
                " VALUES (1, 1, 'old', 'Old', NULL, '{}', 7, :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO toc_node (model_id, position, node_id, level, kind, status, data)"
                " VALUES (1, 0, 'a', 'system', 'initiative', 'active', :data)"
            ),
            {"data": '{"id":"a","level":"system","kind":"initiative","title":"A"}'},
        )
    engine.dispose()

    app = create_app(Settings(database_url=database_url))  # migrates to the head on start
    with TestClient(app) as client:
        from services.auth import create_token

        with Session(app.state.engine) as session:
            token = create_token(session, "w1", "viewer")
        headers = {"Authorization": f"Bearer {token}"}
        items = client.get("/api/v1/models/old/versions", headers=headers).json()["items"]
        assert [(v["version"], v["by"], v["nodes"], v["links"]) for v in items] == [(7, "", 1, 0)]
        kept = client.get("/api/v1/models/old/versions/7", headers=headers).json()
        assert kept["nodes"] == [{"id": "a", "level": "system", "kind": "initiative", "title": "A"}]
        assert kept == client.get("/api/v1/models/old", headers=headers).json()
