"""`toc check` and `toc convert` as a user runs them: output, exit codes, rejections."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from toc.standing import STANDING_BY_SLUG

CLEAN = {
    "format": "toc/1",
    "id": "clean",
    "title": "Clean",
    "nodes": [
        {
            "id": "coach",
            "level": "system",
            "kind": "initiative",
            "title": "Coaching",
            "function": "Builds teachers' skill at eliciting student thinking",
        },
        {
            "id": "ask",
            "level": "teacher",
            "kind": "change",
            "title": "Teachers ask probing questions",
            "indicators": [{"name": "Change in share of lessons with probing questions"}],
        },
        {
            "id": "explain",
            "level": "student",
            "kind": "outcome",
            "title": "Students explain reasoning",
            "indicators": [{"name": "State math assessment", "measures": "outcome"}],
        },
    ],
    "links": [
        {
            "from": "coach",
            "to": "ask",
            "because": "Rehearsal with feedback builds the move",
            "evidence": [{"citation": "Kraft, Blazar & Hogan (2018)", "tier": 1}],
            "assumptions": ["Coaches have time each week"],
        },
        {
            "from": "ask",
            "to": "explain",
            "because": "Probing makes students articulate reasoning",
            "evidence": [{"citation": "Study", "tier": 3}],
            "assumptions": ["Tasks allow reasoning"],
        },
    ],
}


def _write(tmp_path: Path, document, name="model.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return str(path)


@pytest.fixture(autouse=True)
def _terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """The width the CLI assumes with no terminal (120): an xdist worker's stdout may report
    a narrower one, which stacks the scorecard's rows instead of drawing its table."""
    monkeypatch.setenv("COLUMNS", "120")


def test_a_clean_model_exits_zero_and_prints_only_its_scorecard(tmp_path, capsys) -> None:
    assert main(["check", _write(tmp_path, CLEAN)]) == 0
    out, err = capsys.readouterr()
    assert "TOC" not in out
    assert out.splitlines()[0].split()[:2] == ["Initiative", "Standing"]
    assert "Coaching" in out and "\u2714 logic complete" in out
    assert "0 error(s)" in err


def test_an_error_finding_exits_one_with_compiler_style_lines(tmp_path, capsys) -> None:
    document = json.loads(json.dumps(CLEAN))
    document["nodes"].append(
        {"id": "dashboard", "level": "system", "kind": "initiative", "title": "Data dashboard"}
    )
    path = _write(tmp_path, document)
    assert main(["check", path, "--min-severity", "info"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        f"{path}: TOC101 unanchored-initiative dashboard: initiative 'Data dashboard' reaches "
        "no student outcome",
        f"{path}: TOC201 orphan dashboard: 'Data dashboard' has no links",
        f"{path}: TOC502 siloed-initiative coach: 'Coaching' shares no chain node with "
        "another initiative",
    ]


def test_rerating_an_error_down_changes_the_exit_status(tmp_path, capsys) -> None:
    document = json.loads(json.dumps(CLEAN))
    document["nodes"].append(
        {"id": "dashboard", "level": "system", "kind": "initiative", "title": "Data dashboard"}
    )
    document["checks"] = {"TOC101": "warning", "TOC201": "off", "TOC502": "off"}
    assert main(["check", _write(tmp_path, document), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["severity"]) for f in report["findings"]] == [("TOC101", "warning")]
    assert report["metrics"]["findings"] == {"error": 0, "warning": 1, "info": 0}


def test_json_output_has_findings_metrics_and_inferred(tmp_path, capsys) -> None:
    assert main(["check", _write(tmp_path, CLEAN), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"findings", "metrics", "inferred", "initiatives", "as_of"}
    assert report["inferred"] == [
        {
            "node": "ask",
            "indicator": "Change in share of lessons with probing questions",
            "measures": "change",
        }
    ]
    assert report["metrics"]["evidence_strength"] == {"coach": 3}
    assert report["metrics"]["anchored_share"] == 1.0


def test_a_rejected_document_exits_two_with_problems_on_stderr_only(tmp_path, capsys) -> None:
    document = json.loads(json.dumps(CLEAN))
    document["nodes"][1]["level"] = "district"
    document["links"].append({"from": "coach", "to": "nowhere"})
    path = _write(tmp_path, document)
    assert main(["check", path, "--format", "json"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        f"{path}: nodes[1].level: unknown level 'district' on node 'ask'; expected 'system', "
        "'teacher' or 'student'",
        f"{path}: links[2].to: no node with id 'nowhere'",
    ]


@pytest.mark.parametrize("content", ["{not json", "[]"])
def test_unreadable_input_exits_two(tmp_path, capsys, content) -> None:
    assert main(["check", _write(tmp_path, content)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(str(tmp_path))


def test_a_missing_file_exits_two(tmp_path, capsys) -> None:
    assert main(["check", str(tmp_path / "absent.json")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_convert_writes_json_that_reads_back_equal(tmp_path, capsys) -> None:
    source = _write(tmp_path, CLEAN)
    out = tmp_path / "copy.json"
    assert main(["convert", source, "--to", "json", "-o", str(out)]) == 0
    assert main(["check", str(out)]) == 0


@pytest.mark.parametrize("output", ["text", "json"])
def test_toc_check_does_not_load_the_service_or_the_map(tmp_path, output: str) -> None:
    # The domain core is pure: checking a file must not import a web framework, ORM or pyvis,
    # nor networkx, which is the model's public graph, built only for those who ask for it.
    path = _write(tmp_path, CLEAN)
    probe = (
        "import sys; from app.cli import main; "
        "code = main(['check', sys.argv[1], '--format', sys.argv[2]]); "
        "bad = sorted(m for m in ('fastapi', 'sqlmodel', 'sqlalchemy', 'pyvis', 'starlette', "
        "'networkx') if m in sys.modules); print(bad, file=sys.stderr); raise SystemExit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, path, output], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_convert_to_csv_refuses_an_output_that_is_not_a_zip(tmp_path, capsys) -> None:
    # The CSV form is a zip of two files: written as x.csv it would be taken for one CSV file.
    source = _write(tmp_path, CLEAN)
    out = tmp_path / "model.csv"
    assert main(["convert", source, "--to", "csv", "-o", str(out)]) == 2
    assert "writes a zip" in capsys.readouterr().err
    assert not out.exists()
    assert main(["convert", source, "--to", "csv", "-o", str(tmp_path / "model.zip")]) == 0


# -- what a person reads: --min-severity, the summary line, the scorecard ---------------------
def _with_dashboard(tmp_path: Path) -> str:
    """CLEAN plus an unlinked initiative: one error (TOC101), one warning (TOC201), one info."""
    document = json.loads(json.dumps(CLEAN))
    document["nodes"].append(
        {"id": "dashboard", "level": "system", "kind": "initiative", "title": "Data dashboard"}
    )
    return _write(tmp_path, document)


def _codes(out: str, path: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if line.startswith(f"{path}: TOC")]


@pytest.mark.parametrize(
    ("level", "codes", "summary_tail"),
    [
        (
            "error",
            ["TOC101"],
            " (1 warning(s) and 1 info not shown: --min-severity info)",
        ),
        ("warning", ["TOC101", "TOC201"], " (1 info not shown: --min-severity info)"),
        ("info", ["TOC101", "TOC201", "TOC502"], ""),
    ],
)
def test_min_severity_shows_that_level_and_worse_and_the_summary_counts_all(
    tmp_path, capsys, level: str, codes: list[str], summary_tail: str
) -> None:
    path = _with_dashboard(tmp_path)
    assert main(["check", path, "--min-severity", level]) == 1
    out, err = capsys.readouterr()
    assert _codes(out, path) == codes
    assert err.splitlines()[-1] == f"{path}: 1 error(s), 1 warning(s), 1 info{summary_tail}"


def test_the_default_threshold_is_warning(tmp_path, capsys) -> None:
    path = _with_dashboard(tmp_path)
    assert main(["check", path]) == 1
    out, err = capsys.readouterr()
    assert _codes(out, path) == ["TOC101", "TOC201"]
    assert "1 info not shown: --min-severity info" in err


def test_text_output_ends_with_the_scorecard_table(tmp_path, capsys) -> None:
    path = _with_dashboard(tmp_path)
    main(["check", path])
    lines = capsys.readouterr().out.splitlines()
    header = lines.index(next(line for line in lines if line.startswith("Initiative")))
    assert all(line.startswith(f"{path}: TOC") for line in lines[: header - 1])
    table = "\n".join(lines[header:])
    assert "Coaching" in table and "\u2714 logic complete" in table
    assert "Data dashboard" in table and "\u2716 no chain drawn to students" in table


def test_json_output_stays_complete_whatever_the_threshold(tmp_path, capsys) -> None:
    path = _with_dashboard(tmp_path)
    assert main(["check", path, "--format", "json", "--min-severity", "error"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert sorted(f["code"] for f in report["findings"]) == ["TOC101", "TOC201", "TOC502"]
    assert [row["id"] for row in report["initiatives"]] == ["coach", "dashboard"]


PORTFOLIO = str(Path(__file__).resolve().parents[1] / "examples" / "state-portfolio.json")


def _portfolio_rows(capsys) -> list[dict]:
    main(["check", PORTFOLIO, "--format", "json"])
    rows: list[dict] = json.loads(capsys.readouterr().out)["initiatives"]
    return rows


def test_scorecard_json_is_the_reports_initiatives(capsys) -> None:
    rows = _portfolio_rows(capsys)
    assert main(["scorecard", PORTFOLIO, "--format", "json"]) == 1  # the portfolio has errors
    assert json.loads(capsys.readouterr().out) == {"initiatives": rows}


def test_scorecard_csv_parses_back_one_row_per_initiative(capsys) -> None:
    import csv
    import io

    rows = _portfolio_rows(capsys)
    assert main(["scorecard", PORTFOLIO, "--format", "csv"]) == 1
    parsed = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["id"], r["standing"]) for r in parsed] == [(r["id"], r["standing"]) for r in rows]
    assert [r["raises"].split(";") if r["raises"] else [] for r in parsed] == [
        r["raises"] for r in rows
    ]
    assert [r["lowers"].split(";") if r["lowers"] else [] for r in parsed] == [
        r["lowers"] for r in rows
    ]
    assert {r["standing"] for r in parsed} == {
        "sound",
        "no-because",
        "unmeasured",
        "only-lowers",
        "no-chain",
    }
    assert [r["standing_words"] for r in parsed][:2] == [
        "not measured before the outcomes",
        "no chain drawn to students",
    ]


def test_scorecard_text_names_each_initiative_and_its_standing(capsys) -> None:
    rows = _portfolio_rows(capsys)
    assert main(["scorecard", PORTFOLIO]) == 1
    out = capsys.readouterr().out
    words = " ".join(out.split())
    for row in rows:
        assert STANDING_BY_SLUG[row["standing"]].words in words
        assert " ".join(row["title"].split()[:2]) in words


def test_scorecard_of_a_clean_model_exits_zero(tmp_path, capsys) -> None:
    assert main(["scorecard", _write(tmp_path, CLEAN)]) == 0
    assert "\u2714 logic complete" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--format", "json"],
        ["check", "--format", "text"],
        ["scorecard", "--format", "json"],
        ["scorecard", "--format", "csv"],
        ["scorecard", "--format", "text"],
    ],
)
def test_a_rejected_document_prints_nothing_on_stdout_and_exits_two(
    tmp_path, capsys, argv: list[str]
) -> None:
    document = json.loads(json.dumps(CLEAN))
    document["nodes"][1]["level"] = "district"
    path = _write(tmp_path, document)
    assert main([argv[0], path, *argv[1:]]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"{path}: nodes[1].level" in err
