"""Model ids `import` and `new` are reserved: refused on create, renamed when stored before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

import services.db
from app.main import create_app
from services.auth import create_token
from services.config import Settings
from services.db import make_engine


def test_a_reserved_id_is_refused_on_every_way_in(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    for reserved in ("import", "new"):
        created = client.post(
            "/api/v1/models", json={**document, "id": reserved}, headers=auth.editor
        )
        assert created.status_code == 422
        assert created.json()["errors"][0]["path"] == "id"
        assert "reserved" in created.json()["errors"][0]["message"]
        put = client.put(
            f"/api/v1/models/{reserved}", json={**document, "id": reserved}, headers=auth.editor
        )
        assert put.status_code == 422
    assert client.get("/api/v1/models", headers=auth.viewer).json()["items"] == []


def test_a_model_stored_under_a_reserved_id_is_renamed_by_the_migration(database_url: str) -> None:
    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(Path(services.db.__file__).parent / "migrations"))
    now = datetime.now(UTC)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.execute(
            text("INSERT INTO workspace (id, name, created_at) VALUES (1, 'w1', :now)"),
            {"now": now},
        )
        for pk, slug in ((1, "import"), (2, "import-model"), (3, "new")):
            connection.execute(
                text(
                    "INSERT INTO toc_model (id, workspace_id, slug, title, description, checks,"
                    " version, created_at, updated_at)"
                    " VALUES (:pk, 1, :slug, 'T', NULL, '{}', 1, :now, :now)"
                ),
                {"now": now, "pk": pk, "slug": slug},
            )
    engine.dispose()

    app = create_app(Settings(database_url=database_url))  # migrates to the head on start
    with TestClient(app) as client:
        with Session(app.state.engine) as session:
            token = create_token(session, "w1", "viewer")
        listed = client.get("/api/v1/models", headers={"Authorization": f"Bearer {token}"})
        ids = [model["id"] for model in listed.json()["items"]]
        assert ids == ["import-model", "import-model-2", "new-model"]
