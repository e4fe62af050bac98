"""The item descriptors: what the REST routes and the pages are generated from."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session

from services import items, models
from services.item_types import ITEM_KINDS, LINKS, NODES, OBSERVATIONS
from toc import formats
from toc.document import parse_document
from toc.observations import COLUMNS

M = "milford-hqi"


@pytest.fixture
def stored(session: Session, workspace: int, document: dict[str, Any]) -> int:
    models.create_model(session, workspace, parse_document(document))
    return workspace


def test_each_item_kind_is_written_to_its_own_section() -> None:
    assert [(kind.what, kind.plural, kind.writes.section) for kind in ITEM_KINDS] == [
        ("node", "nodes", "nodes"),
        ("link", "links", "links"),
    ]
    assert (NODES.writes, LINKS.writes) == (items.NODE, items.LINK)


def test_observations_name_the_columns_the_reader_reads_in_its_order() -> None:
    assert OBSERVATIONS.column_names == COLUMNS
    assert [c.name for c in OBSERVATIONS.columns if not c.required] == ["note"]
    assert set(OBSERVATIONS.key) <= set(OBSERVATIONS.column_names)
    assert OBSERVATIONS.parent is NODES


@pytest.mark.parametrize(
    ("media_type", "read_as"),
    [
        ("application/json", "json"),
        ("application/merge-patch+json", "json"),
        ("Text/CSV; charset=utf-8", "csv"),
        ("application/csv", "csv"),
        (formats.MEDIA_TYPES["xlsx"], "xlsx"),
        ("text/plain", None),
        ("application/zip", None),
    ],
)
def test_a_media_type_says_the_format_rows_are_read_from(
    media_type: str, read_as: str | None
) -> None:
    found = OBSERVATIONS.format_of(media_type)
    assert (found.name if found else None) == read_as


def test_rows_carried_as_json_read_back_as_the_rows_read() -> None:
    csv = (
        "node,indicator,date,value,note\r\n"
        "hqi-live,Educators attending,2026-06-30,86,after the June training\r\n"
        "hqi-live,Educators attending,2026-07-31,90,\r\n"
    )
    read = OBSERVATIONS.read(csv.encode(), "csv")
    carried = [OBSERVATIONS.carried(row) for row in read]
    assert carried[1] == {
        "node": "hqi-live",
        "indicator": "Educators attending",
        "date": "2026-07-31",
        "value": 90,
    }
    again = OBSERVATIONS.read(json.dumps(carried).encode(), "json")
    assert [OBSERVATIONS.carried(row) for row in again] == carried


def test_a_row_with_the_key_of_a_stored_one_replaces_it(session: Session, stored: int) -> None:
    def merge(value: int) -> int:
        row = {"node": "hqi-live", "indicator": "Educators attending", "date": "2026-06-30"}
        rows = OBSERVATIONS.read(json.dumps([{**row, "value": value}]).encode(), "json")
        return OBSERVATIONS.merge(session, stored, M, rows).version

    first, second = merge(40), merge(55)
    assert second == first + 1
    node, _ = items.get_item(session, stored, M, OBSERVATIONS.parent.writes, "hqi-live")
    assert node["indicators"][0]["observations"] == [{"date": "2026-06-30", "value": 55}]
