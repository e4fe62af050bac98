"""The pages with spreadsheets: import a workbook, download the template and the scorecard."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from test_pages import _csrf, _sign_in, _store, _version
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


PREVIEW = "/models/milford-hqi/observations/preview"
STORE = "/models/milford-hqi/observations/store"


def _preview(editor: TestClient, page: str, rows: str, **fields: str) -> Any:
    """Upload a CSV of observations from `page` (whose form token it sends) for a preview."""
    return editor.post(
        PREVIEW,
        data={"csrf": _csrf(page), **fields},
        files={"file": ("june.csv", rows.encode(), "text/csv")},
    )


def _store_previewed(editor: TestClient, preview: Any, **options: Any) -> Any:
    """Store the rows a preview carries, as the preview's form does (made on version 1)."""
    carried = re.search(r'name="rows" value="([^"]*)"', preview.text)
    assert carried is not None
    return editor.post(
        STORE,
        data={"csrf": _csrf(preview.text), "version": "1", "rows": html.unescape(carried[1])},
        **options,
    )


def _indicator(editor: TestClient) -> tuple[str, str]:
    """A node and indicator of the demo model that observations can name."""
    document = editor.get("/models/milford-hqi/export?format=json").json()
    for node in document["nodes"]:
        for indicator in node.get("indicators", []):
            return node["id"], indicator.get("id") or indicator["name"]
    raise AssertionError("the demo model has no indicator")


def test_a_data_office_file_is_previewed_then_stored_as_one_version(
    editor: TestClient, tokens: Any
) -> None:
    node, indicator = _indicator(editor)
    page = editor.get("/models/milford-hqi").text
    assert f'action="{PREVIEW}"' in page
    data = (
        "node,indicator,date,value\r\n"
        f"{node},{indicator},06/30/2026,86%\r\n"
        f"{node},{indicator},07/31/2026,\r\n"
    )
    preview = _preview(editor, page, data, date_format="MDY", blank="skip")
    assert preview.status_code == 200, preview.text
    assert "as it is at version 1" in preview.text and "2026-06-30" in preview.text
    assert "1 row with no value skipped" in preview.text
    assert _version(editor, tokens.editor) == 1
    store = _store_previewed(editor, preview, follow_redirects=False)
    assert store.status_code == 303
    assert _version(editor, tokens.editor) == 2
    document = editor.get("/models/milford-hqi/export?format=json").json()
    observed = [
        o
        for n in document["nodes"]
        for i in n.get("indicators", [])
        for o in i.get("observations", [])
        if n["id"] == node and indicator in (i.get("id"), i["name"])
    ]
    assert {"date": "2026-06-30", "value": 86} in observed
    # A second store of the same preview, made on version 1, is a conflict.
    again = _store_previewed(editor, preview)
    assert again.status_code == 409 and "preview was made on version 1" in again.text


def test_the_preview_shows_each_row_under_its_columns_and_what_it_replaces(
    editor: TestClient,
) -> None:
    node, indicator = _indicator(editor)
    page = editor.get("/models/milford-hqi").text
    first = f"node,indicator,date,value\r\n{node},{indicator},2026-06-30,40\r\n"
    shown = _preview(editor, page, first)
    stored = _store_previewed(editor, shown, follow_redirects=False)
    assert stored.status_code == 303
    page = editor.get("/models/milford-hqi").text
    data = (
        "node,indicator,date,value,note\r\n"
        f"{node},{indicator},2026-06-30,55,recounted\r\n"
        f"{node},{indicator},2026-07-31,0,\r\n"
    )
    preview = _preview(editor, page, data)
    assert preview.status_code == 200, preview.text
    cells = [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", preview.text, re.S)
    ]
    nodes = editor.get("/models/milford-hqi/export?format=json").json()["nodes"]
    title = next(n["title"] for n in nodes if n["id"] == node)
    assert cells == [
        ["Node", "Indicator", "Date", "Value", "Note", "Stored now"],
        [title, "Educators attending", "2026-06-30", "55", "recounted", "40 (replaced)"],
        [title, "Educators attending", "2026-07-31", "0", "", "—"],
    ]
    assert (
        re.findall(r'<t[hd] class="num">', preview.text)
        == ['<th class="num">'] + ['<td class="num">'] * 2
    )


def test_a_file_with_problems_previews_them_and_offers_nothing_to_store(
    editor: TestClient,
) -> None:
    node, indicator = _indicator(editor)
    page = editor.get("/models/milford-hqi").text
    data = f"node,indicator,date,value\r\n{node},{indicator},06/30/2026,86%\r\n"
    preview = _preview(editor, page, data)
    assert preview.status_code == 400
    assert "did you mean 2026-06-30 (date_format=MDY)?" in preview.text
    assert "/observations/store" not in preview.text
