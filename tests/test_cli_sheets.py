"""The CLI with spreadsheets, as a planner runs it: a template, workbooks, CSV folders, a data
office's files."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from test_cli import CLEAN

from app.cli import main
from toc.document import parse_document


def _json(tmp_path: Path, document=CLEAN, name: str = "plan.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_a_workbook_is_converted_checked_and_converted_back(tmp_path, capsys) -> None:
    source = _json(tmp_path)
    plan = tmp_path / "plan.xlsx"
    assert main(["convert", str(source), "--to", "xlsx", "-o", str(plan)]) == 0
    assert main(["check", str(plan)]) == 0
    capsys.readouterr()
    assert main(["convert", str(plan), "--to", "json"]) == 0
    assert parse_document(json.loads(capsys.readouterr().out)) == parse_document(CLEAN)


def test_xlsx_is_written_to_a_file_only(tmp_path, capsys) -> None:
    assert main(["convert", str(_json(tmp_path)), "--to", "xlsx"]) == 2
    assert "--to xlsx writes a workbook: give -o OUT.xlsx" in capsys.readouterr().err


def test_a_folder_of_csv_files_converts_as_the_zip_would(tmp_path, capsys) -> None:
    archive = tmp_path / "plan.zip"
    assert main(["convert", str(_json(tmp_path)), "--to", "csv", "-o", str(archive)]) == 0
    folder = tmp_path / "sheet"
    zipfile.ZipFile(archive).extractall(folder)
    capsys.readouterr()
    assert main(["convert", str(folder), "--to", "json"]) == 0
    assert parse_document(json.loads(capsys.readouterr().out)) == parse_document(CLEAN)


def test_convert_help_says_a_folder_is_csv_and_a_portfolio_is_json(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["convert", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "FOLDER of CSV files" in text and "toc portfolio FOLDER" in text


def test_the_template_is_a_workbook_to_plan_in(tmp_path, capsys) -> None:
    plan = tmp_path / "plan.xlsx"
    assert main(["template", "-o", str(plan)]) == 0
    book = openpyxl.load_workbook(plan)
    assert book.sheetnames[0] == "instructions"
    lists = {
        str(validation.sqref): validation.formula1
        for validation in book["nodes"].data_validations.dataValidation
    }
    assert lists["B2:B1048576"] == '"system,teacher,student"'
    assert book["links"].freeze_panes == "A2"
    # Filled in as a planner would, it checks.
    book["model"].append(["plan", "Our plan"])
    book["chains"].append(
        [
            "Coaching",
            "Rehearsal builds the move",
            None,
            None,
            "Teachers probe",
            None,
            None,
            None,
            "Students explain",
        ]
    )
    book.save(plan)
    assert main(["convert", str(plan), "--to", "json"]) == 0
    model = parse_document(json.loads(capsys.readouterr().out))
    assert (model.id, [n.id for n in model.nodes]) == (
        "plan",
        ["coaching", "teachers-probe", "students-explain"],
    )


def test_the_scorecard_goes_to_excel(tmp_path) -> None:
    card = tmp_path / "card.xlsx"
    assert main(["scorecard", str(_json(tmp_path)), "--format", "xlsx", "-o", str(card)]) == 0
    sheet = openpyxl.load_workbook(card)["scorecard"]
    assert [c.value for c in sheet[1]][:3] == ["id", "title", "standing"]
    assert sheet["A2"].value == "coach" and sheet.auto_filter.ref


def _tracked(tmp_path: Path) -> Path:
    document = json.loads(json.dumps(CLEAN))
    document["nodes"][1]["indicators"][0]["id"] = "probing"
    return _json(tmp_path, document)


def test_observe_reads_a_data_office_csv_with_its_date_order_and_blanks(tmp_path, capsys) -> None:
    model = _tracked(tmp_path)
    data = tmp_path / "data.csv"
    data.write_text(
        "Node,Indicator,Date,Value\nask,probing,06/30/2026,86%\nask,probing,07/31/2026,\n"
    )
    assert main(["observe", str(model), str(data)]) == 2
    err = capsys.readouterr().err
    assert "did you mean 2026-06-30 (date_format=MDY)?" in err
    assert "row 3.value: expected a number, got nothing" in err
    out = tmp_path / "out.json"
    argv = [
        "observe",
        str(model),
        str(data),
        "--date-format",
        "MDY",
        "--skip-blank",
        "-o",
        str(out),
    ]
    assert main(argv) == 0
    assert "1 observations merged; 1 rows with no value skipped" in capsys.readouterr().err
    indicator = json.loads(out.read_text())["nodes"][1]["indicators"][0]
    assert indicator["observations"] == [{"date": "2026-06-30", "value": 86}]


def test_observe_reads_a_workbook_of_date_cells(tmp_path) -> None:
    import datetime

    book = openpyxl.Workbook()
    book.active.title = "Export"
    for row in (
        ["node", "indicator", "date", "value"],
        ["ask", "probing", datetime.date(2026, 5, 1), 0.4],
    ):
        book.active.append(row)
    data = tmp_path / "data.xlsx"
    book.save(data)
    out = tmp_path / "out.json"
    assert main(["observe", str(_tracked(tmp_path)), str(data), "-o", str(out)]) == 0
    indicator = json.loads(out.read_text())["nodes"][1]["indicators"][0]
    assert indicator["observations"] == [{"date": "2026-05-01", "value": 0.4}]


def test_the_scorecard_csv_has_crlf_rows(capsys, tmp_path) -> None:
    assert main(["scorecard", str(_json(tmp_path)), "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert text.count("\r\n") == 2 and len(list(csv.reader(io.StringIO(text)))) == 2


def test_checking_json_never_imports_openpyxl(tmp_path) -> None:
    probe = (
        "import sys; from app.cli import main; code = main(['check', sys.argv[1]]); "
        "print('openpyxl' in sys.modules, file=sys.stderr); raise SystemExit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(_json(tmp_path))], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stderr.strip().splitlines()[-1] == "False"
