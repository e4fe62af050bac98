"""Writes as a planning tool's sync makes them: notes, no version for no change, batches.

The services are called directly (no HTTP), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from services import history, items, models, reports
from services.changes import MAX_CHANGES, apply_changes
from services.errors import NotFound, VersionConflict
from toc.document import parse_document
from toc.errors import DocumentRejected

M = "milford-hqi"


@pytest.fixture
def stored(session: Session, workspace: int, document: dict[str, Any]) -> int:
    models.create_model(session, workspace, parse_document(document), note="first draft")
    return workspace


def _versions(session: Session, workspace: int) -> list[dict[str, Any]]:
    page, _ = history.list_versions(session, workspace, M)
    return [entry.to_dict() for entry in page]


def _paths(rejected: pytest.ExceptionInfo[DocumentRejected]) -> list[str]:
    return [problem.path for problem in rejected.value.problems]


# -- notes and no-op writes ---------------------------------------------------------------


def test_every_write_keeps_its_note_in_the_history(session: Session, stored: int) -> None:
    items.patch_item(
        session, stored, M, items.NODE, "shared-model", {"title": "Shared"}, note="from sync"
    )
    items.add_item(
        session,
        stored,
        M,
        items.LINK,
        {"from": "hqi-live", "to": "math-reasoning"},
        note="direct route",
    )
    models.update_model(session, stored, M, {"description": "Pilot"}, note="scope")
    listed = _versions(session, stored)
    assert [(v["version"], v["note"]) for v in listed] == [
        (4, "scope"),
        (3, "direct route"),
        (2, "from sync"),
        (1, "first draft"),
    ]
    assert listed[1]["links"] == 3 and listed[1]["nodes"] == 3


def test_a_patch_to_the_values_already_there_makes_no_version(
    session: Session, stored: int, document: dict[str, Any]
) -> None:
    title = document["nodes"][1]["title"]
    done = items.patch_item(session, stored, M, items.NODE, "shared-model", {"title": title})
    assert (done.changed, done.version) == (False, 1)
    again = items.patch_item(
        session, stored, M, items.NODE, "shared-model", {"title": "New"}, expected_version=1
    )
    assert (again.changed, again.version) == (True, 2)
    assert [v["version"] for v in _versions(session, stored)] == [2, 1]
    # the model's time is that of its last real write
    info = models.model_info(session, stored, M)
    assert info.version == 2


def test_a_stale_no_op_is_still_a_conflict(
    session: Session, stored: int, document: dict[str, Any]
) -> None:
    items.patch_item(session, stored, M, items.NODE, "shared-model", {"title": "New"})
    with pytest.raises(VersionConflict):
        items.patch_item(
            session, stored, M, items.NODE, "shared-model", {"title": "New"}, expected_version=1
        )


def test_replacing_or_restoring_the_same_document_makes_no_version(
    session: Session, stored: int, document: dict[str, Any]
) -> None:
    info, created = models.replace_model(session, stored, M, parse_document(document))
    assert (created, info.changed, info.version) == (False, False, 1)
    info = history.restore_version(session, stored, M, 1)
    assert (info.changed, info.version) == (False, 1)
    retitled = parse_document({**document, "title": "T"})
    changed, _ = models.replace_model(session, stored, M, retitled)
    assert (changed.changed, changed.version) == (True, 2)
    assert [v["version"] for v in _versions(session, stored)] == [2, 1]


# -- the model's own fields ---------------------------------------------------------------


def test_update_model_changes_its_own_fields_only(session: Session, stored: int) -> None:
    info, done = models.update_model(
        session,
        stored,
        M,
        {"title": "Milford 2027", "description": "Year two", "checks": {"TOC401": "off"}},
        note="year two",
    )
    assert (done.changed, done.version, info.version, info.nodes) == (True, 2, 2, 3)
    document, version = models.get_document(session, stored, M)
    assert (document["title"], document["description"], document["checks"]) == (
        "Milford 2027",
        "Year two",
        {"TOC401": "off"},
    )
    assert version == 2 and len(document["nodes"]) == 3
    info, same = models.update_model(session, stored, M, {"title": "Milford 2027"})
    assert (same.changed, same.version, info.changed) == (False, 2, False)
    _, cleared = models.update_model(session, stored, M, {"description": None, "checks": None})
    document, _ = models.get_document(session, stored, M)
    assert "description" not in document and "checks" not in document
    assert history.version_document(session, stored, M, 2)["description"] == "Year two"


def test_update_model_refuses_bad_fields_with_their_paths(session: Session, stored: int) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        models.update_model(session, stored, M, {"title": "", "checks": {"TOC999": "off"}})
    assert _paths(rejected) == ["title", "checks.TOC999"]
    with pytest.raises(DocumentRejected) as rejected:
        models.update_model(session, stored, M, {"nodes": [], "id": "x"})
    assert sorted(_paths(rejected)) == ["id", "nodes"]
    assert models.model_info(session, stored, M).version == 1


# -- the batch ----------------------------------------------------------------------------

SYNC = [
    {"op": "patch", "node": "shared-model", "fields": {"title": "Teachers share a model"}},
    {
        "op": "add",
        "node": {"id": "coaching", "level": "teacher", "kind": "initiative", "title": "Coaching"},
    },
    {"op": "add", "link": {"from": "coaching", "to": "shared-model"}},
    {"op": "delete", "link": "shared-model->math-reasoning"},
    {"op": "add", "link": {"id": "direct", "from": "shared-model", "to": "math-reasoning"}},
    {"op": "patch", "link": "hqi-live->shared-model", "fields": {"because": "Seeing is believing"}},
]


def test_a_batch_is_one_version_with_each_change_answered(session: Session, stored: int) -> None:
    done = apply_changes(session, stored, M, SYNC, expected_version=1, note="nightly sync")
    assert (done.version, done.changed) == (2, True)
    assert [(r["op"], r.get("node", r.get("link")), r["changed"]) for r in done.results] == [
        ("patch", "shared-model", True),
        ("add", "coaching", True),
        ("add", "coaching->shared-model", True),  # the generated id, answered
        ("delete", "shared-model->math-reasoning", True),
        ("add", "direct", True),
        ("patch", "hqi-live->shared-model", True),
    ]
    assert done.results[0]["item"]["title"] == "Teachers share a model"
    document, version = models.get_document(session, stored, M)
    assert version == 2
    assert [n["id"] for n in document["nodes"]] == [
        "hqi-live",
        "shared-model",
        "math-reasoning",
        "coaching",
    ]
    assert [link.get("id", f"{link['from']}->{link['to']}") for link in document["links"]] == [
        "hqi-live->shared-model",
        "coaching->shared-model",
        "direct",
    ]
    assert document["links"][0]["because"] == "Seeing is believing"
    assert _versions(session, stored)[0]["note"] == "nightly sync"
    # the version read back whole is the document, and the one before it is untouched
    assert history.version_document(session, stored, M, 2) == document
    assert len(history.version_document(session, stored, M, 1)["nodes"]) == 3


def test_a_failing_change_names_its_position_and_nothing_is_written(
    session: Session, stored: int
) -> None:
    batch = [
        *SYNC[:3],
        {"op": "patch", "node": "math-reasoning", "fields": {"title": ""}},
        *SYNC[3:],
    ]
    with pytest.raises(DocumentRejected) as rejected:
        apply_changes(session, stored, M, batch)
    assert _paths(rejected) == ["changes[3].fields.title"]
    assert models.model_info(session, stored, M).version == 1
    with pytest.raises(NotFound):
        items.get_item(session, stored, M, items.NODE, "coaching")


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"op": "patch", "node": "ghost", "fields": {"title": "x"}}, "changes[0].node", "no node"),
        ({"op": "add", "link": {"from": "hqi-live", "to": "ghost"}}, "changes[0].link.to", "ghost"),
        (
            {"op": "add", "node": {"id": "hqi-live", "level": "system", "kind": "change"}},
            "changes[0].node.title",
            "",
        ),
        (
            {
                "op": "add",
                "node": {"id": "hqi-live", "level": "system", "kind": "change", "title": "T"},
            },
            "changes[0].node.id",
            "duplicate node id 'hqi-live' (first used at nodes[0])",
        ),
        ({"op": "patch", "node": "hqi-live", "fields": {"id": "x"}}, "changes[0].fields.id", ""),
        ({"op": "move", "node": "hqi-live"}, "changes[0].op", "unknown op 'move'"),
        ({"op": "delete", "node": "hqi-live", "link": "x"}, "changes[0]", "exactly one"),
    ],
)
def test_each_kind_of_failing_change_is_placed(
    session: Session, stored: int, change: dict[str, Any], path: str, words: str
) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        apply_changes(session, stored, M, [change])
    assert rejected.value.problems[0].path == path
    assert words in rejected.value.problems[0].message
    assert models.model_info(session, stored, M).version == 1


def test_two_changes_of_one_id_and_oversized_batches_are_refused(
    session: Session, stored: int
) -> None:
    twice = [
        {"op": "patch", "node": "hqi-live", "fields": {"title": "A"}},
        {"op": "delete", "node": "hqi-live"},
    ]
    with pytest.raises(DocumentRejected) as rejected:
        apply_changes(session, stored, M, twice)
    assert _paths(rejected) == ["changes[1].node"]
    assert "first at changes[0]" in rejected.value.problems[0].message
    too_many = [{"op": "delete", "link": f"l{i}"} for i in range(MAX_CHANGES + 1)]
    with pytest.raises(DocumentRejected) as rejected:
        apply_changes(session, stored, M, too_many)
    assert _paths(rejected) == ["changes"]
    assert models.model_info(session, stored, M).version == 1


def test_a_batch_that_changes_nothing_makes_no_version(
    session: Session, stored: int, document: dict[str, Any]
) -> None:
    same = [{"op": "patch", "node": "hqi-live", "fields": {"title": document["nodes"][0]["title"]}}]
    done = apply_changes(session, stored, M, same, note="nothing")
    assert (done.changed, done.version, done.results[0]["changed"]) == (False, 1, False)
    assert [v["note"] for v in _versions(session, stored)] == ["first draft"]


def test_deleting_a_node_in_a_batch_takes_its_links_and_later_changes_see_it_gone(
    session: Session, stored: int
) -> None:
    batch = [
        {"op": "delete", "node": "shared-model"},
        {"op": "add", "link": {"from": "hqi-live", "to": "shared-model"}},
    ]
    with pytest.raises(DocumentRejected) as rejected:
        apply_changes(session, stored, M, batch)
    assert rejected.value.problems[0].path == "changes[1].link.to"
    done = apply_changes(session, stored, M, batch[:1])
    assert done.results[0]["links"] == ["hqi-live->shared-model", "shared-model->math-reasoning"]
    document, _ = models.get_document(session, stored, M)
    assert document["links"] == []
    assert history.version_document(session, stored, M, 2) == document


def test_single_item_writes_keep_document_paths(session: Session, stored: int) -> None:
    with pytest.raises(DocumentRejected) as rejected:
        items.patch_item(session, stored, M, items.NODE, "math-reasoning", {"level": "teacher"})
    assert _paths(rejected) == ["nodes[2].level"]
    with pytest.raises(DocumentRejected) as rejected:
        items.add_item(session, stored, M, items.LINK, {"from": "hqi-live", "to": "shared-model"})
    assert _paths(rejected) == ["links[2].id"]
    assert "first used at links[0]" in rejected.value.problems[0].message


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_new_models_rows_are_known_to_the_planner_at_once(
    session: Session, engine: Engine, workspace: int, document: dict[str, Any]
) -> None:
    def estimated_rows() -> float:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'toc_node'::regclass")
            ).scalar_one()
        return float(found)

    assert estimated_rows() < 0  # never analyzed: the planner guesses
    models.create_model(session, workspace, parse_document(document))
    assert reports.settle()
    # analyzed by the background after the first version, not a minute later by autovacuum
    assert estimated_rows() == len(document["nodes"])
