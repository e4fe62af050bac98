"""The pages with spreadsheets: import a workbook, download the template and the scorecard."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from test_pages import _csrf, _sign_in, _store
from webtest_support import demo_document

from toc import formats
from toc.document import parse_document

XLSX = formats.MEDIA_TYPES["xlsx"]


@pytest.fixture
def editor(client: TestClient, tokens: Any) -> TestClient:
    _store(client, tokens.editor, demo_document())
    _sign_in(client, tokens.editor)
    return client


def test_the_models_page_offers_the_template_and_reads_a_workbook(editor: TestClient) -> None:
    page = editor.get("/models").text
    assert 'href="/models/template.xlsx"' in page and "Excel workbook (.xlsx)" in page
    template = editor.get("/models/template.xlsx")
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    assert openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames[0] == "instructions"

    exported = editor.get("/models/milford-hqi/export?format=xlsx")
    assert exported.status_code == 200 and exported.headers["content-type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(exported.content))
    book["model"]["B2"] = "second"
    buffer = io.BytesIO()
    book.save(buffer)
    response = editor.post(
        "/models/import",
        data={"csrf": _csrf(page), "format": ""},
        files={"file": ("second.xlsx", buffer.getvalue(), XLSX)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    copy = editor.get("/models/second/export?format=json").json()
    original = editor.get("/models/milford-hqi/export?format=json").json()
    assert parse_document({**copy, "id": "x"}) == parse_document({**original, "id": "x"})


def test_a_workbook_with_problems_is_refused_with_its_cells_named(editor: TestClient) -> None:
    book = openpyxl.Workbook()
    book.active.title = "nodes"
    book.active.append(["id", "level", "kind", "title"])
    book.active.append(["a", "System", "initiative", "A"])
    buffer = io.BytesIO()
    book.save(buffer)
    page = editor.get("/models").text
    response = editor.post(
        "/models/import",
        data={"csrf": _csrf(page), "format": "xlsx"},
        files={"file": ("plan.xlsx", buffer.getvalue(), XLSX)},
    )
    assert response.status_code == 400
    assert "nodes!B2: unknown level" in response.text


def test_the_scorecard_downloads_as_excel_from_the_model_page(editor: TestClient) -> None:
    assert "/models/milford-hqi/scorecard.xlsx" in editor.get("/models/milford-hqi").text
    response = editor.get("/models/milford-hqi/scorecard.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["scorecard"]
    assert sheet["A1"].value == "id" and sheet.max_row >= 2
