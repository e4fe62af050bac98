"""Observations stored as what they changed: the nodes they touch, a version of that size, every
version still read back whole (issue 18). The services are called on a fresh store, SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, col

from services import history, models, store
from services import observations as observation_service
from services.errors import VersionConflict
from services.tables import ModelVersion
from toc.document import parse_document
from toc.errors import DocumentRejected
from toc.model import OBSERVATIONS_MAX

M = "tracked"


def _model(nodes: int = 2000) -> dict[str, Any]:
    return {
        "format": "toc/1",
        "id": M,
        "title": "Tracked",
        "nodes": [
            {
                "id": f"n{i}",
                "level": "teacher",
                "kind": "change",
                "title": f"Change {i}",
                "indicators": [{"id": "share", "name": "Share", "measures": "change"}],
            }
            for i in range(nodes)
        ],
    }


def _rows(*rows: tuple[str, str, float]) -> bytes:
    return json.dumps(
        [
            {"node": node, "indicator": "share", "date": date, "value": value}
            for node, date, value in rows
        ]
    ).encode()


def _entry_sizes(session: Session) -> dict[int, int]:
    return {
        version: size
        for version, size in session.connection().execute(
            select(col(ModelVersion.version), func.length(col(ModelVersion.document)))
        )
    }


def test_an_upload_keeps_a_version_of_the_nodes_it_changed_and_every_version_reads_whole(
    session: Session, workspace: int
) -> None:
    models.create_model(session, workspace, parse_document(_model()))
    first, _ = models.get_document(session, workspace, M)
    info = observation_service.add_observations(
        session, workspace, M, _rows(("n7", "2026-03-01", 0.25), ("n9", "2026-03-01", 0.5))
    )
    assert (info.version, info.nodes, info.changed) == (2, 2000, True)
    second, version = models.get_document(session, workspace, M)
    assert version == 2
    observed = {node["id"]: node["indicators"][0].get("observations") for node in second["nodes"]}
    assert observed["n7"] == [{"date": "2026-03-01", "value": 0.25}]
    assert observed["n9"] == [{"date": "2026-03-01", "value": 0.5}]
    assert sum(1 for found in observed.values() if found) == 2
    assert [n for n in second["nodes"] if n["id"] not in ("n7", "n9")] == [
        n for n in first["nodes"] if n["id"] not in ("n7", "n9")
    ]
    sizes = _entry_sizes(session)
    assert sizes[2] < 300 < 10 * 300 < sizes[1]  # two nodes, not the two thousand
    for number, whole in ((1, first), (2, second)):
        read = history.version_document(session, workspace, M, number)
        assert {k: v for k, v in read.items() if k != "version"} == {
            k: v for k, v in whole.items() if k != "version"
        }
    diff = history.diff_versions(session, workspace, M, 1, 2)
    assert sorted(diff["nodes"]["changed"]) == ["n7", "n9"]
    history.restore_version(session, workspace, M, 1)
    restored, _ = models.get_document(session, workspace, M)
    assert all("observations" not in n["indicators"][0] for n in restored["nodes"])


def test_an_upload_that_changes_nothing_makes_no_version(session: Session, workspace: int) -> None:
    models.create_model(session, workspace, parse_document(_model(3)))
    body = _rows(("n1", "2026-03-01", 0.25))
    assert observation_service.add_observations(session, workspace, M, body).version == 2
    again = observation_service.add_observations(session, workspace, M, body)
    assert (again.version, again.changed) == (2, False)
    assert sorted(_entry_sizes(session)) == [1, 2]


@pytest.mark.parametrize("value", [5e-05, 1.5e-07, 1e20, -2.5e16, 0.25])
def test_the_same_document_written_after_an_upload_makes_no_version(
    session: Session, workspace: int, value: float
) -> None:
    models.create_model(session, workspace, parse_document(_model(3)))
    observation_service.add_observations(session, workspace, M, _rows(("n1", "2026-03-01", value)))
    document, version = models.get_document(session, workspace, M)
    assert document["nodes"][1]["indicators"][0]["observations"][0]["value"] == value
    info, _ = models.replace_model(session, workspace, M, parse_document(document))
    assert (info.version, info.changed) == (version, False)
    document["nodes"][1]["indicators"][0]["observations"][0]["value"] = value * 3
    info, _ = models.replace_model(session, workspace, M, parse_document(document))
    assert (info.version, info.changed) == (version + 1, True)


def test_a_rejected_or_stale_upload_stores_nothing(session: Session, workspace: int) -> None:
    models.create_model(session, workspace, parse_document(_model(3)))
    with pytest.raises(DocumentRejected) as rejected:
        observation_service.add_observations(
            session, workspace, M, _rows(("n1", "2026-03-01", 1), ("n4", "2026-03-01", 1))
        )
    assert [str(p) for p in rejected.value.problems] == ["[1].node: no node with id 'n4'"]
    with pytest.raises(VersionConflict):
        observation_service.add_observations(
            session, workspace, M, _rows(("n1", "2026-03-01", 1)), expected_version=7
        )
    document, version = models.get_document(session, workspace, M)
    assert version == 1 and all("observations" not in n["indicators"][0] for n in document["nodes"])
    assert sorted(_entry_sizes(session)) == [1]


def test_too_many_observations_are_told_at_the_node_s_place_in_the_model(
    session: Session, workspace: int
) -> None:
    models.create_model(session, workspace, parse_document(_model(5)))
    start = datetime.date(2000, 1, 1)
    days = [(start + datetime.timedelta(days=i)).isoformat() for i in range(OBSERVATIONS_MAX + 1)]
    with pytest.raises(DocumentRejected) as rejected:
        observation_service.add_observations(
            session, workspace, M, _rows(*[("n3", day, 1.0) for day in days])
        )
    assert [p.path for p in rejected.value.problems] == ["nodes[3].indicators[0].observations"]
    assert store.model_info(session, workspace, M).version == 1
