"""Spreadsheets in and out: XLSX workbooks, the chains sheet, CSV folders, safe CSV.

Workbooks here are made with openpyxl as a planner's Excel would save them, or written by toc
and opened as Excel would open them.
"""

from __future__ import annotations

import datetime
import io
import re
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from toc.document import dump_json, parse_document
from toc.errors import DocumentRejected, UnwritableText
from toc.formats import read, read_path, write
from toc.formats.csvzip import read_csv_zip, write_csv_zip
from toc.formats.xlsx import read_xlsx, write_xlsx
from toc.limits import Limits
from toc.model import TheoryOfChange
from toc.scorecard import to_csv

EXAMPLES = Path(__file__).parent.parent / "examples"


def _problems(read_function: Any, data: Any, *args: Any) -> list[str]:
    with pytest.raises(DocumentRejected) as caught:
        read_function(data, *args)
    return [str(problem) for problem in caught.value.problems]


def _workbook(sheets: dict[str, list[list[Any]]]) -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    return book


def _save(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_MODEL_ROWS = [["id", "title"], ["plan", "District plan"]]
_NODE_HEADER = ["id", "level", "kind", "title"]
_TRACKED = parse_document(
    {
        "id": "plan",
        "title": '=HYPERLINK("http://evil.example","Click")',
        "description": "two\r\nlines\rand a CR; _x000D_ typed",
        "nodes": [
            {
                "id": "coaching",
                "level": "system",
                "kind": "initiative",
                "title": "+Coaching",
                "tags": ["a;b", "-c"],
                "indicators": [
                    {
                        "id": "visits",
                        "name": "@Visits",
                        "target": 0.1 + 0.2,
                        "baseline": "80",
                        "observations": [
                            {"date": "2026-01-05", "value": 2**60, "note": "=1+1"},
                            {"date": "2026-02-05", "value": 1.7976931348623157e308},
                            {"date": "2026-03-05", "value": -0.0},
                        ],
                    },
                    {"name": "Twice", "target": 2**61, "baseline": 80.0},
                ],
            },
            {"id": "talk", "level": "teacher", "kind": "change", "title": "Talk"},
            {"id": "reading", "level": "student", "kind": "outcome", "title": "Reading"},
        ],
        "links": [
            {
                "from": "coaching",
                "to": "talk",
                "because": "\t=tab",
                "assumptions": ["x; y", ""],
                "evidence": [{"citation": "Kraft (2018)", "tier": 1, "note": ""}],
            },
            {"id": "second", "from": "talk", "to": "reading", "polarity": "-"},
        ],
        "checks": {"TOC601": "off"},
    }
)


# --- XLSX: round trips and cells ---------------------------------------------------------------


def test_a_workbook_gives_back_the_model_exactly_observations_and_numbers_included() -> None:
    back = read_xlsx(write_xlsx(_TRACKED))
    assert dump_json(back) == dump_json(_TRACKED)
    share = back.nodes[0].indicators[0]
    assert share.target == 0.30000000000000004 and share.baseline == "80"
    assert [o.value for o in share.observations][:2] == [2**60, 1.7976931348623157e308]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_every_example_is_the_same_model_after_a_workbook(path: Path) -> None:
    model = read_path(path)
    assert dump_json(read(write(model, "xlsx"), "xlsx")) == dump_json(model)


def test_every_text_is_a_string_cell_never_a_formula() -> None:
    data = write_xlsx(_TRACKED)
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in archive.read(name) for name in sheets)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["model"]["C2"].data_type == "s"
    assert book["model"]["C2"].value == _TRACKED.title
    # Integers a spreadsheet cannot hold exactly are text; others are numbers.
    observations = list(book["observations"].iter_rows(min_row=2, values_only=True))
    assert observations[0][3] == str(2**60) and isinstance(observations[2][3], float)
    assert [c.value for c in book["nodes"][1]][:4] == ["id", "level", "kind", "title"]


def test_sheets_are_laid_out_one_row_per_item_with_lists_in_one_cell() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_xlsx(_TRACKED)))
    assert book.sheetnames == [
        "model",
        "nodes",
        "links",
        "indicators",
        "evidence",
        "observations",
        "checks",
    ]
    links = list(book["links"].iter_rows(values_only=True))
    assert links[1][:6] == (None, "coaching", "talk", "leads_to", "+", "\t=tab")
    assert links[1][6] == 'x\\; y; ""'
    evidence = list(book["evidence"].iter_rows(values_only=True))
    assert evidence[1][:3] == ("coaching->talk", "Kraft (2018)", 1)
    checks = list(book["checks"].iter_rows(values_only=True))
    assert checks == [("code", "rating"), ("TOC601", "off")]
    assert book["nodes"].freeze_panes == "A2"


def test_text_with_control_characters_is_refused_not_corrupted() -> None:
    model = TheoryOfChange(id="m", title="bell \x07")
    with pytest.raises(UnwritableText, match=r"model!C2: a control character"):
        write_xlsx(model)


# --- XLSX: what people type --------------------------------------------------------------------


def _plan(nodes: list[list[Any]], **sheets: list[list[Any]]) -> bytes:
    return _save(_workbook({"model": _MODEL_ROWS, "nodes": [_NODE_HEADER, *nodes], **sheets}))


def test_problems_name_the_sheet_and_the_cell() -> None:
    nodes = [["n" + str(i), "teacher", "change", f"Change {i}"] for i in range(5)]
    nodes.append(["sys", "System", "initiative", "Grant"])
    problems = _problems(read_xlsx, _plan(nodes))
    assert problems == ["nodes!B7: unknown level 'System' on node 'sys'; did you mean 'system'?"]


def test_problems_in_each_sheet_are_listed_at_once_in_sheet_order() -> None:
    data = _plan(
        [["a", "system", "initiative", "A"], ["b", "teacher", "change", "B"]],
        links=[["from", "to", "colour"], ["a", "nope", "red"]],
        indicators=[["node", "name", "measures"], ["a", "Visits", "counts"], ["zz", "X", ""]],
        observations=[["node", "indicator", "date", "value"], ["a", "Visits", "2026-13-01", "x"]],
    )
    problems = _problems(read_xlsx, data)
    assert [p.split(":")[0] for p in problems] == [
        "links!C1",
        "links!B2",
        "indicators!C2",
        "indicators!A3",
        "observations!C2",
        "observations!D2",
    ]
    assert "unknown column 'colour'" in problems[0]
    assert "did you mean 'count'" in problems[2]


def test_formulas_typed_in_cells_are_read_as_their_text_never_evaluated() -> None:
    data = _plan([["a", "system", "initiative", "=1+1"], ["b", "teacher", "change", "=A1&A2"]])
    model = read_xlsx(data)
    assert [node.title for node in model.nodes] == ["=1+1", "=A1&A2"]


def test_dates_typed_as_dates_or_serial_numbers_and_numbers_as_text_are_read() -> None:
    indicators = [["node", "id", "name", "target"], ["a", "v", "Visits", "40"]]
    observations = [
        ["node", "indicator", "date", "value"],
        ["a", "v", datetime.datetime(2026, 6, 30), 12],
        ["a", "v", 46204, "13"],  # Excel's serial number of 2026-07-01
    ]
    nodes = [["a", "system", "initiative", "A"]]
    model = read_xlsx(_plan(nodes, indicators=indicators, observations=observations))
    indicator = model.nodes[0].indicators[0]
    assert [(str(o.date), o.value) for o in indicator.observations] == [
        ("2026-06-30", 12),
        ("2026-07-01", 13),
    ]
    assert indicator.target == "40"  # typed as text, kept as text


def test_hidden_sheets_merged_cells_and_blank_rows_read_as_they_look() -> None:
    book = _workbook(
        {
            "Model": _MODEL_ROWS,
            "Nodes": [
                ["ID", "Level", "Kind", "Title", "Description"],
                ["a", "system", "initiative", "A", "shared"],
                [],
                ["b", "teacher", "change", "B", None],
            ],
        }
    )
    book["Nodes"].merge_cells("E2:E4")
    book["Model"].sheet_state = "hidden"
    model = read_xlsx(_save(book))
    assert [(n.id, n.description) for n in model.nodes] == [("a", "shared"), ("b", None)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"id,level\n", "not an XLSX workbook"),
        (b"", "not an XLSX workbook"),
        (write_csv_zip(TheoryOfChange(id="m", title="M")), "no xl/workbook.xml"),
    ],
)
def test_what_is_not_a_workbook_is_refused_plainly(data: bytes, message: str) -> None:
    [problem] = _problems(read_xlsx, data)
    assert problem.startswith("$: ") and message in problem


def test_a_workbook_that_unzips_past_the_limit_is_refused_before_it_is_read() -> None:
    data = _plan([["a", "system", "initiative", "A" * 5000]])
    [problem] = _problems(read_xlsx, data, Limits(max_unzipped_bytes=10_000))
    assert "unzips to more than 10,000 bytes" in problem


def test_a_sheet_with_more_rows_than_the_limits_is_refused_while_read() -> None:
    nodes = [[f"n{i}", "teacher", "change", f"N {i}"] for i in range(50)]
    [problem] = _problems(read_xlsx, _plan(nodes), Limits(max_nodes=20))
    assert problem == "nodes: more than 20 nodes: over this service's limit; nothing was read"


def test_a_row_of_more_cells_than_a_worksheet_holds_is_refused() -> None:
    data = _plan([["a", "system", "initiative", "A"]])
    files = {
        i.filename: zipfile.ZipFile(io.BytesIO(data)).read(i)
        for i in zipfile.ZipFile(io.BytesIO(data)).infolist()
    }
    name = "xl/worksheets/sheet2.xml"
    files[name] = files[name].replace(b"</row>", b'<c t="n"><v>1</v></c>' * 20_000 + b"</row>", 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file_name, content in files.items():
            archive.writestr(file_name, content)
    [problem] = _problems(read_xlsx, buffer.getvalue())
    assert "a row of more than 16,384 cells" in problem


def test_a_part_that_declares_a_dtd_is_refused_before_it_is_parsed() -> None:
    data = _plan([["a", "system", "initiative", "A"]])
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    laughs = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                content = laughs + content
            archive.writestr(info.filename, content)
    [problem] = _problems(read_xlsx, buffer.getvalue())
    assert problem == "$: xl/worksheets/sheet2.xml declares a DTD: not a part of a workbook"


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.9])
def test_a_workbook_damaged_inside_is_a_problem_never_a_crash(cut: float) -> None:
    data = write_xlsx(_TRACKED)
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                content = content[: int(len(content) * cut)].replace(b'r="', b'r="ZZZZZZZ', 3)
            archive.writestr(info.filename, content)
    [problem] = _problems(read_xlsx, buffer.getvalue())
    assert problem.startswith("$: not a readable XLSX workbook")


def test_rows_read_as_openpyxl_reads_them() -> None:
    from toc.formats.xlsx import open_workbook, sheet_rows

    book = _workbook(
        {
            "nodes": [
                ["text", "whole", "fraction", "flag", "day", "formula", "empty"],
                ["a\nb", 3, 0.1, True, datetime.datetime(2026, 6, 30), "=SUM(B2:C2)", None],
                [None, -7, 1e300, False, datetime.date(2026, 1, 2), '=A2&"x"', ""],
            ]
        }
    )
    book["nodes"]["C5"] = "after a gap"
    data = _save(book)
    expected = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["nodes"]
    theirs = [list(row) for row in expected.iter_rows(values_only=True, max_col=7)]
    ours_book = open_workbook(data)
    ours = list(sheet_rows(ours_book["nodes"], 100, "rows"))
    assert ours[0] == (1, theirs[0])
    assert [values for _, values in ours[1:]] == [
        row for row in theirs[1:] if any(v not in (None, "") for v in row)
    ]
    assert [number for number, _ in ours] == [1, 2, 3, 5]


def test_an_xlsm_workbook_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsm"
    path.write_bytes(_plan([["a", "system", "initiative", "A"]]))
    assert read_path(path).nodes[0].id == "a"


# --- the chains sheet ---------------------------------------------------------------------------

_CHAIN_HEADER = [
    "Initiative",
    "Because 1",
    "System change",
    "Because 2",
    "Teacher change",
    "Because 3",
    "Student change",
    "Because 4",
    "Outcome",
]


def test_logic_model_rows_become_a_checkable_model() -> None:
    rows = [
        _CHAIN_HEADER,
        [
            "Instructional coaching",
            "Coaches model lessons",
            None,
            None,
            "Teachers press for reasoning",
            "Students are asked why",
            None,
            None,
            "Math proficiency",
        ],
        [
            "instructional coaching ",
            None,
            None,
            None,
            "Teachers press for reasoning",
            None,
            "Students explain their thinking",
            "Explaining consolidates",
            "Math proficiency",
        ],
        [
            "HQIM adoption",
            "Materials carry the tasks",
            "District adopts HQIM",
            None,
            None,
            None,
            None,
            None,
            "Math Proficiency",
        ],
    ]
    model = read_xlsx(_save(_workbook({"chains": rows})))
    nodes = {node.id: (node.level.value, node.kind.value, node.title) for node in model.nodes}
    assert nodes == {
        "instructional-coaching": ("system", "initiative", "Instructional coaching"),
        "teachers-press-for-reasoning": ("teacher", "change", "Teachers press for reasoning"),
        "math-proficiency": ("student", "outcome", "Math proficiency"),
        "students-explain-their-thinking": ("student", "change", "Students explain their thinking"),
        "hqim-adoption": ("system", "initiative", "HQIM adoption"),
        "district-adopts-hqim": ("system", "change", "District adopts HQIM"),
    }
    links = {(link.source, link.target): link.because for link in model.links}
    assert links == {
        ("instructional-coaching", "teachers-press-for-reasoning"): "Coaches model lessons",
        ("teachers-press-for-reasoning", "math-proficiency"): "Students are asked why",
        ("teachers-press-for-reasoning", "students-explain-their-thinking"): None,
        ("students-explain-their-thinking", "math-proficiency"): "Explaining consolidates",
        ("hqim-adoption", "district-adopts-hqim"): "Materials carry the tasks",
        ("district-adopts-hqim", "math-proficiency"): None,
    }
    assert (model.id, model.title) == ("logic-model", "Logic model")


def test_chain_titles_match_the_nodes_sheet_and_new_ids_are_not_taken_twice() -> None:
    nodes = [
        _NODE_HEADER,
        ["coaching", "system", "initiative", "Coaching"],
        ["reading", "student", "outcome", "Reading"],
    ]
    chains = [_CHAIN_HEADER, ["COACHING", None, None, None, "Reading", None, None, None, "reading"]]
    problems = _problems(
        read_xlsx, _save(_workbook({"model": _MODEL_ROWS, "nodes": nodes, "chains": chains}))
    )
    assert problems == [
        "chains!I2: 'reading' is in the 'teacher change' column at row 2 and in 'outcome' "
        "here: one title, one place in the chain"
    ]
    chains = [
        _CHAIN_HEADER,
        ["coaching", None, None, None, "Reading aloud", None, None, None, "Reading"],
    ]
    nodes.append(["reading-aloud", "teacher", "change", "Something else"])
    model = read_xlsx(_save(_workbook({"model": _MODEL_ROWS, "nodes": nodes, "chains": chains})))
    ids = [n.id for n in model.nodes]
    assert ids == ["coaching", "reading", "reading-aloud", "reading-aloud-2"]
    assert [(lk.source, lk.target) for lk in model.links] == [
        ("coaching", "reading-aloud-2"),
        ("reading-aloud-2", "reading"),
    ]


def test_one_title_in_two_columns_is_a_problem_at_its_cell() -> None:
    chains = [
        _CHAIN_HEADER,
        ["Coaching", None, None, None, "Talk", None, None, None, "Reading"],
        ["Talk", None, None, None, None, None, None, None, "Reading"],
    ]
    problems = _problems(read_xlsx, _save(_workbook({"chains": chains})))
    assert problems == [
        "chains!A3: 'Talk' is in the 'teacher change' column at row 2 and in 'initiative' "
        "here: one title, one place in the chain",
        "chains!I3: a chain needs two titles or more",
    ]


# --- CSV: long tables, folders, limits while reading -------------------------------------------


def _unzip(data: bytes) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_the_csv_zip_writes_one_row_per_indicator_and_evidence_entry() -> None:
    files = _unzip(write_csv_zip(_TRACKED))
    assert sorted(files) == [
        "evidence.csv",
        "indicators.csv",
        "links.csv",
        "model.csv",
        "nodes.csv",
        "observations.csv",
    ]
    assert "indicators" not in files["nodes.csv"].split("\r\n")[0]
    assert files["evidence.csv"].split("\r\n")[:2] == [
        "link,citation,tier,url,note",
        'coaching->talk,Kraft (2018),1,,""""""',  # an empty note: `""`, quoted
    ]
    assert dump_json(read_csv_zip(write_csv_zip(_TRACKED))) == dump_json(_TRACKED)


def test_packed_cells_of_older_files_are_still_read_but_not_both_ways() -> None:
    model = "id,title\r\nm,M\r\n"
    nodes = "id,level,kind,title,indicators\r\na,system,initiative,A,Visits|count\r\n"
    packed = read_csv_zip(_zip({"model.csv": model, "nodes.csv": nodes}))
    assert packed.nodes[0].indicators[0].name == "Visits"
    both = _zip(
        {"model.csv": model, "nodes.csv": nodes, "indicators.csv": "node,name\r\na,Talk\r\n"}
    )
    assert _problems(read_csv_zip, both) == [
        "indicators.csv:2.node: 'a' also has indicators in the indicators column of nodes.csv: "
        "give them one way, here (one row each) or there"
    ]


def test_a_folder_of_csv_files_reads_as_the_zip(tmp_path: Path) -> None:
    for name, text in _unzip(write_csv_zip(_TRACKED)).items():
        (tmp_path / name).write_text(text, encoding="utf-8-sig", newline="")
    assert dump_json(read_path(tmp_path)) == dump_json(_TRACKED)
    (tmp_path / "nodes.csv").unlink()
    assert _problems(read_path, tmp_path)[0].startswith("nodes.csv: missing from the folder")


def test_a_header_of_millions_of_commas_is_refused_before_it_costs_memory() -> None:
    nodes = "id" + "," * 4_000_000 + "\r\n"
    data = _zip({"model.csv": "id,title\r\nm,M\r\n", "nodes.csv": nodes})
    tracemalloc.start()
    try:
        problems = _problems(read_csv_zip, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert problems == [
        "nodes.csv:1: a row of more than 16,384 cells: over this service's limit; nothing was read"
    ]
    # The text itself (4 MB) and a line of it; never a list of four million cells.
    assert peak < 40_000_000


def test_commas_inside_quoted_cells_do_not_count_as_cells() -> None:
    description = '"' + "," * 9_000 + '\r\nmore, and more"'
    form = '"' + "," * 9_000 + '"'
    header = "id,level,kind,title,description,form\r\n"
    nodes = f"{header}a,system,initiative,A,{description},{form}\r\n"
    model = read_csv_zip(_zip({"model.csv": "id,title\r\nm,M\r\n", "nodes.csv": nodes}))
    assert model.nodes[0].description == "," * 9_000 + "\r\nmore, and more"
    assert model.nodes[0].form == "," * 9_000


def test_a_cell_longer_than_the_limit_is_refused() -> None:
    nodes = "id,level,kind,title\r\na,system,initiative," + "x" * 2_000 + "\r\n"
    data = _zip({"model.csv": "id,title\r\nm,M\r\n", "nodes.csv": nodes})
    [problem] = _problems(read_csv_zip, data, Limits(max_cell_chars=1_000))
    assert problem.startswith("nodes.csv:2: not valid CSV: field larger than field limit")


# --- every CSV toc writes ------------------------------------------------------------------------


def test_the_scorecard_csv_quotes_a_bare_cr_and_guards_the_formula_after_it() -> None:
    row = {
        "id": "coach",
        "title": "Reading coaches\r=cmd|' /C calc'!A0",
        "standing": "sound",
        "raises": [],
        "lowers": [],
        "because_chain": True,
        "measured": "leading",
        "evidence": None,
        "conflicts": [],
        "siloed": False,
        "findings": {"error": 0, "warning": 1, "info": 0},
    }
    text = to_csv([row, {**row, "id": "two", "title": "-2 points"}])
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[1].startswith("coach,\"Reading coaches\r=cmd|' /C calc'!A0\",sound")
    assert lines[2].startswith("two,'-2 points,sound")
    assert re.search(r",0,1,0$", lines[1])
