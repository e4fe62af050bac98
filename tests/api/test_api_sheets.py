"""Spreadsheets through the service: workbooks in and out, the scorecard as Excel, and a data
office's files (XLSX or CSV, `date_format`, `blank=skip`)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from toc import formats

M = "/api/v1/models/milford-hqi"
XLSX = formats.MEDIA_TYPES["xlsx"]


def _stored(client: TestClient, auth: Any, document: dict[str, Any]) -> None:
    document["nodes"][0]["indicators"] = [{"id": "attending", "name": "Educators attending"}]
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201


def _book(rows: list[list[Any]], title: str = "observations") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_scorecard_downloads_as_a_workbook_with_numbers_and_a_filter(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    answer = client.get(f"{M}/scorecard", params={"format": "xlsx"}, headers=auth.viewer)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == XLSX
    assert "milford-hqi-scorecard.xlsx" in answer.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content))["scorecard"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=False))
    assert row["id"] == "hqi-live" and isinstance(row["errors"], int)
    assert sheet.auto_filter.ref.startswith("A1:")


def test_a_data_office_workbook_is_read_as_it_means(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    data = _book(
        [
            ["Node", "Indicator", "Date", "Value", "Note"],
            ["hqi-live", "attending", datetime.datetime(2026, 6, 30), "86%", None],
            ["hqi-live", "attending", "07/31/2026", "4,200", "summer"],
            ["hqi-live", "attending", "08/31/2026", None, "not yet released"],
        ]
    )
    answer = client.post(
        f"{M}/observations",
        params={"date_format": "MDY", "blank": "skip"},
        content=data,
        headers={**auth.editor, "Content-Type": XLSX},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["skipped"] == 1 and answer.json()["version"] == 2
    indicator = client.get(M, headers=auth.viewer).json()["nodes"][0]["indicators"][0]
    assert indicator["observations"] == [
        {"date": "2026-06-30", "value": 86},
        {"date": "2026-07-31", "value": 4200, "note": "summer"},
    ]


def test_a_date_in_another_order_is_refused_with_what_it_would_mean(
    client: TestClient, auth: Any, document: dict[str, Any]
) -> None:
    _stored(client, auth, document)
    csv = (
        "node,indicator,date,value\r\n"
        "hqi-live,attending,06/30/2026,86%\r\n"
        "hqi-live,attending,2026-07-01,\r\n"
    )
    answer = client.post(
        f"{M}/observations",
        content=csv.encode(),
        headers={**auth.editor, "Content-Type": "text/csv"},
    )
    assert answer.status_code == 422
    assert [(e["path"], e["message"]) for e in answer.json()["errors"]] == [
        (
            "row 2.date",
            "expected a date written YYYY-MM-DD, got '06/30/2026'; did you mean 2026-06-30 "
            "(date_format=MDY)?",
        ),
        ("row 3.value", "expected a number, got nothing"),
    ]
    assert client.get(M, headers=auth.viewer).json()["version"] == 1


def test_a_workbook_that_is_not_one_is_a_problem_and_stores_nothing(
    client: TestClient, auth: Any
) -> None:
    answer = client.post(
        "/api/v1/models/import",
        params={"format": "xlsx"},
        content=b"PK\x03\x04 not really a zip",
        headers=auth.editor,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"].startswith("not an XLSX workbook")
    assert client.get("/api/v1/models", headers=auth.viewer).json()["items"] == []


def test_a_workbook_is_checked_without_storing_it(client: TestClient, auth: Any) -> None:
    book = openpyxl.Workbook()
    book.active.title = "model"
    book.active.append(["id", "title"])
    book.active.append(["plan", "Plan"])
    nodes = book.create_sheet("nodes")
    nodes.append(["id", "level", "kind", "title"])
    nodes.append(["a", "System", "initiative", "A"])
    buffer = io.BytesIO()
    book.save(buffer)
    answer = client.post(
        "/api/v1/check", params={"format": "xlsx"}, content=buffer.getvalue(), headers=auth.viewer
    )
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["path"] == "nodes!B2" and "did you mean 'system'" in error["message"]
