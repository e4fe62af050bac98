"""Migration 0004: a store that already holds two observations for one day (a week date let
in before dates were strict) is repaired: the later write kept, the model writable again."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from pathlib import Path

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

WEDGED = {
    "id": "talk",
    "level": "teacher",
    "kind": "change",
    "title": "Talk",
    "indicators": [
        {
            "id": "share",
            "name": "Share",
            "observations": [
                {"date": "2020-01-01", "value": 1},
                {"date": "2020-01-01", "value": 2, "note": "sent as 2020-W01-3"},
                {"date": "2020-W02-1", "value": 3},
            ],
        }
    ],
}


def test_duplicate_and_week_dates_are_repaired_the_later_write_kept(database_url: str) -> None:
    engine = make_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(Path(services.db.__file__).parent / "migrations"))
    now = datetime.now(UTC)
    data = json.dumps(WEDGED, separators=(",", ":"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003_token_lifecycle")
        connection.execute(
            text("INSERT INTO workspace (id, name, created_at) VALUES (1, 'w1', :now)"),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO toc_model (id, workspace_id, slug, title, description, checks,"
                " version, created_at, updated_at)"
                " VALUES (1, 1, 'old', 'Old', NULL, '{}', 2, :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO toc_node (model_id, position, node_id, level, kind, status, data)"
                " VALUES (1, 0, 'talk', 'teacher', 'change', 'active', :data)"
            ),
            {"data": data},
        )
        document = {"format": "toc/1", "id": "old", "title": "Old", "nodes": [WEDGED], "links": []}
        connection.execute(
            text(
                "INSERT INTO toc_model_version (model_id, version, at, by, nodes, links, document)"
                " VALUES (1, 2, :now, '', 1, 0, :document)"
            ),
            {"now": now, "document": zlib.compress(json.dumps(document).encode())},
        )
    engine.dispose()

    app = create_app(Settings(database_url=database_url))  # migrates to the head on start
    with TestClient(app) as client:
        with Session(app.state.engine) as session:
            token = create_token(session, "w1", "editor")
        headers = {"Authorization": f"Bearer {token}"}
        repaired = [
            {"date": "2020-01-01", "value": 2, "note": "sent as 2020-W01-3"},
            {"date": "2020-01-06", "value": 3},
        ]
        model = client.get("/api/v1/models/old", headers=headers)
        assert model.status_code == 200, model.text
        assert model.json()["nodes"][0]["indicators"][0]["observations"] == repaired
        kept = client.get("/api/v1/models/old/versions/2", headers=headers)
        assert kept.status_code == 200, kept.text
        assert kept.json()["nodes"][0]["indicators"][0]["observations"] == repaired
        # Writable again: a later write, and the export re-imported, both go through.
        written = client.patch(
            "/api/v1/models/old/nodes/talk", json={"title": "Student talk"}, headers=headers
        )
        assert written.status_code == 200, written.text
        exported = client.get("/api/v1/models/old/export?format=json", headers=headers)
        again = client.put("/api/v1/models/old", content=exported.content, headers=headers)
        assert again.status_code == 200, again.text
