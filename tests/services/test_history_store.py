"""History kept as deltas: any version read back whole, and every store an earlier toc made.

The services are called directly on a fresh store, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session, col

import services.db
from services import history, items, models, reports, store
from services.changes import apply_changes
from services.db import make_engine, run_migrations
from services.tables import ModelVersion
from toc.document import parse_document

M = "milford-hqi"


def _whole(session: Session, workspace: int, version: int) -> dict[str, Any]:
    document = history.version_document(session, workspace, M, version)
    document.pop("version")
    return document


def test_every_version_reads_back_whole_across_deltas_and_snapshots(
    session: Session, workspace: int, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "SNAPSHOT_EVERY", 5)  # a snapshot among the deltas
    models.create_model(session, workspace, parse_document(document))
    expected = {1: models.get_document(session, workspace, M)[0]}
    edits = [
        lambda: items.patch_item(session, workspace, M, items.NODE, "hqi-live", {"title": "A"}),
        lambda: items.add_item(
            session,
            workspace,
            M,
            items.NODE,
            {"id": "new", "level": "teacher", "kind": "change", "title": "New"},
        ),
        lambda: items.patch_item(
            session, workspace, M, items.LINK, "shared-model->math-reasoning", {"from": "new"}
        ),
        lambda: models.update_model(session, workspace, M, {"title": "Renamed", "checks": {}}),
        lambda: items.delete_item(session, workspace, M, items.NODE, "shared-model"),
        lambda: apply_changes(
            session,
            workspace,
            M,
            [
                {"op": "add", "link": {"from": "hqi-live", "to": "new"}},
                {"op": "patch", "node": "new", "fields": {"description": "d"}},
            ],
        ),
        lambda: history.restore_version(session, workspace, M, 4),
        lambda: items.patch_item(session, workspace, M, items.NODE, "new", {"title": "Newer"}),
    ]
    for edit in edits:
        edit()
        document_now, version = models.get_document(session, workspace, M)
        expected[version] = document_now
    assert sorted(expected) == list(range(1, 10))
    for version, whole in expected.items():
        whole = {k: v for k, v in whole.items() if k != "version"}
        assert _whole(session, workspace, version) == whole, version
    kinds = session.connection().execute(
        select(col(ModelVersion.version), col(ModelVersion.kind)).order_by(
            col(ModelVersion.version)
        )
    )
    # the first whole, the restore whole (it rewrites the model), version 5 whole (every 5th)
    assert [kind for _, kind in kinds] == ["s", "d", "d", "d", "s", "d", "d", "s", "d"]
    diff = history.diff_versions(session, workspace, M, 1, 9)
    assert diff["nodes"]["added"] == ["new"] and diff["model"] == {}


def test_a_node_patch_keeps_a_history_entry_of_its_own_size(
    session: Session, workspace: int
) -> None:
    nodes = [
        {"id": f"n{i}", "level": "teacher", "kind": "change", "title": f"Change {i}"}
        for i in range(2000)
    ]
    big = {"format": "toc/1", "id": M, "title": "Big", "nodes": nodes, "links": []}
    models.create_model(session, workspace, parse_document(big))
    items.patch_item(session, workspace, M, items.NODE, "n7", {"title": "Seven"})
    sizes: dict[int, int] = {
        version: size
        for version, size in session.connection().execute(
            select(col(ModelVersion.version), func.length(col(ModelVersion.document)))
        )
    }
    assert sizes[2] < 200 < 10 * 200 < sizes[1]
    assert _whole(session, workspace, 2)["nodes"][7]["title"] == "Seven"


def _migrated_to(engine: Engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(services.db.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _old_text(document: dict[str, Any]) -> bytes:
    """A version as toc up to revision 0003 kept it: the whole document, zlib-compressed."""
    return zlib.compress(json.dumps(document, separators=(",", ":")).encode("utf-8"))


def test_a_store_with_history_from_revision_0003_is_read_back_whole(
    database_url: str, document: dict[str, Any]
) -> None:
    engine = make_engine(database_url)
    _migrated_to(engine, "0003_token_lifecycle")
    now = datetime.now(UTC)
    versions = []
    for version in (1, 2, 3):
        old = json.loads(json.dumps(document))
        old["title"] = f"Milford v{version}"
        old["nodes"] = old["nodes"][: version + 0]
        old["links"] = [
            link
            for link in old["links"]
            if {link["from"], link["to"]} <= {n["id"] for n in old["nodes"]}
        ]
        versions.append(old)
    current = versions[-1]
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO workspace (id, name, created_at) VALUES (1, 'w1', :now)"),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO toc_model (id, workspace_id, slug, title, description, checks,"
                " version, created_at, updated_at)"
                " VALUES (1, 1, :slug, :title, NULL, '{}', 3, :now, :now)"
            ),
            {"now": now, "slug": M, "title": current["title"]},
        )
        for table, section in (("toc_node", "nodes"), ("toc_link", "links")):
            for position, item in enumerate(current[section]):
                if table == "toc_node":
                    connection.execute(
                        text(
                            "INSERT INTO toc_node (model_id, position, node_id, level, kind,"
                            " status, data) VALUES (1, :p, :id, :level, :kind, 'active', :data)"
                        ),
                        {
                            "p": position,
                            "id": item["id"],
                            "level": item["level"],
                            "kind": item["kind"],
                            "data": json.dumps(item),
                        },
                    )
                else:
                    connection.execute(
                        text(
                            "INSERT INTO toc_link (model_id, position, link_key, source, target,"
                            " type, data) VALUES (1, :p, :key, :s, :t, 'leads_to', :data)"
                        ),
                        {
                            "p": position,
                            "key": f"{item['from']}->{item['to']}",
                            "s": item["from"],
                            "t": item["to"],
                            "data": json.dumps(item),
                        },
                    )
        for number, old in enumerate(versions, start=1):
            connection.execute(
                text(
                    "INSERT INTO toc_model_version (model_id, version, at, by, nodes, links,"
                    " document, errors, warnings, infos)"
                    " VALUES (1, :v, :at, 'editor', :n, :l, :d, 0, 1, 2)"
                ),
                {
                    "v": number,
                    "at": now,
                    "n": len(old["nodes"]),
                    "l": len(old["links"]),
                    "d": _old_text(old),
                },
            )
    run_migrations(engine)  # to the head, as `toc serve` does on start
    with Session(engine) as session:
        for number, old in enumerate(versions, start=1):
            assert _whole(session, 1, number) == old
        listed, _ = history.list_versions(session, 1, M)
        assert [(v.version, v.by, v.note, v.errors) for v in listed] == [
            (3, "editor", None, 0),
            (2, "editor", None, 0),
            (1, "editor", None, 0),
        ]
        # a write on top of a history an earlier toc kept is a delta on its snapshots
        items.patch_item(session, 1, M, items.NODE, "hqi-live", {"title": "Now"}, note="after")
        assert _whole(session, 1, 4)["nodes"][0]["title"] == "Now"
        assert _whole(session, 1, 3) == versions[-1]
    engine.dispose()


def test_a_failed_write_keeps_neither_its_change_nor_its_version(
    session: Session, workspace: int, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    models.create_model(session, workspace, parse_document(document))

    def broken(*_: Any, **__: Any) -> None:
        raise OSError("the server died here")

    monkeypatch.setattr(store, "record_version", broken)
    with pytest.raises(OSError):
        items.patch_item(session, workspace, M, items.NODE, "hqi-live", {"title": "Lost"})
    monkeypatch.undo()
    found, version = models.get_document(session, workspace, M)
    assert version == 1 and found["nodes"][0]["title"] == document["nodes"][0]["title"]
    assert [v.version for v in history.list_versions(session, workspace, M)[0]] == [1]


def test_a_downgrade_below_0006_keeps_every_version_whole(
    engine: Engine, session: Session, workspace: int, document: dict[str, Any]
) -> None:
    models.create_model(session, workspace, parse_document(document))
    items.patch_item(session, workspace, M, items.NODE, "hqi-live", {"title": "Two"})
    items.patch_item(session, workspace, M, items.NODE, "hqi-live", {"title": "Three"})
    expected = {v: _whole(session, workspace, v) for v in (1, 2, 3)}
    session.close()
    reports.settle()  # a downgrade runs with no server writing: the background done too
    config = Config()
    config.set_main_option("script_location", str(Path(services.db.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003_token_lifecycle")
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT version, document FROM toc_model_version ORDER BY version")
        ).all()
    # as toc before 0006 reads them: each version the whole document, compressed
    for version, payload in rows:
        assert json.loads(zlib.decompress(payload)) == expected[version]
