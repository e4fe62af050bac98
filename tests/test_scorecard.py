"""The scorecard as people read it: the terminal table, CSV for a spreadsheet, JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from toc import scorecard
from toc.formats import read_path
from toc.report import check_model

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# What the state portfolio is built to show: one initiative in each standing.
PORTFOLIO_STANDINGS = {
    "universal-screening": "sound",
    "hqim-literacy-grants": "no-because",
    "coaching-grant": "unmeasured",
    "pacing-compliance-review": "mixed",
    "teacher-eval-rubric": "only-lowers",
    "family-reading-app": "no-chain",
}


def _row(initiative: str, standing: str, **fields: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": initiative,
        "title": initiative.replace("-", " ").capitalize(),
        "standing": standing,
        "raises": [],
        "lowers": [],
        "because_chain": False,
        "measured": None,
        "evidence": None,
        "conflicts": [],
        "siloed": False,
        "findings": {"error": 0, "warning": 0, "info": 0},
    }
    row.update(fields)
    return row


@pytest.fixture(scope="module")
def portfolio_rows() -> list[dict[str, Any]]:
    report = check_model(read_path(EXAMPLES / "state-portfolio.json"))
    rows: list[dict[str, Any]] = report.to_dict()["initiatives"]
    return rows


def test_the_state_portfolio_shows_every_standing(portfolio_rows: list[dict[str, Any]]) -> None:
    standings = {row["id"]: row["standing"] for row in portfolio_rows}
    assert {k: standings[k] for k in PORTFOLIO_STANDINGS} == PORTFOLIO_STANDINGS
    assert set(standings.values()) == set(scorecard.STANDINGS)


def test_the_text_table_has_each_initiative_with_its_standing_as_a_word_and_mark(
    portfolio_rows: list[dict[str, Any]],
) -> None:
    text = scorecard.to_text(portfolio_rows, width=200)
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["Initiative", "Standing"]
    for row in portfolio_rows:
        line = next(line for line in lines if line.startswith(row["title"][:20]))
        assert f"{scorecard.MARKS[row['standing']]} {row['standing']}" in line


def test_a_narrow_terminal_wraps_names_and_a_narrower_one_stacks_the_rows() -> None:
    rows = [
        _row(
            "coach",
            "mixed",
            title="A statewide coaching grant for every elementary school in the state",
            raises=["grade3-reading", "k-readiness"],
            lowers=["small-groups"],
        )
    ]
    text = scorecard.to_text(rows, width=120)
    lines = text.splitlines()
    assert all(len(line) <= 120 for line in lines), text
    assert lines[0].startswith("Initiative")
    assert "\u25b2 mixed" in lines[2]
    assert len(lines) > 4  # the long title wrapped onto more lines
    assert "\u2026" not in text
    narrower = scorecard.to_text(rows, width=80)  # no room for a table: a block per row
    assert narrower.splitlines()[0].endswith("\u25b2 mixed")
    assert all(len(line) <= 80 for line in narrower.splitlines()), narrower


def test_a_title_too_long_for_three_lines_stacks_the_rows_and_loses_nothing() -> None:
    title = " ".join(f"word{i}" for i in range(60))
    rows = [_row("x", "sound", title=title), _row("y", "no-chain", title="Short")]
    text = scorecard.to_text(rows, width=100)
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines), text
    assert " ".join(text.split()).count(title) == 1  # wrapped, never cut
    assert "Short: \u2716 no-chain" in lines
    assert "\u2026" not in text


def test_csv_reads_back_one_row_per_initiative_with_lists_split_by_semicolons(
    portfolio_rows: list[dict[str, Any]],
) -> None:
    parsed = list(csv.DictReader(io.StringIO(scorecard.to_csv(portfolio_rows))))
    assert [r["id"] for r in parsed] == [row["id"] for row in portfolio_rows]
    for back, row in zip(parsed, portfolio_rows, strict=True):
        assert back["title"] == row["title"]
        assert back["standing"] == row["standing"]
        assert [i for i in back["raises"].split(";") if i] == row["raises"]
        assert [i for i in back["lowers"].split(";") if i] == row["lowers"]
        assert [i for i in back["conflicts"].split(";") if i] == row["conflicts"]
        assert back["because_chain"] == ("true" if row["because_chain"] else "false")
        assert back["evidence"] == ("" if row["evidence"] is None else str(row["evidence"]))
        assert int(back["errors"]) == row["findings"]["error"]
        assert int(back["warnings"]) == row["findings"]["warning"]
        assert int(back["info"]) == row["findings"]["info"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_never_writes_a_title_a_spreadsheet_would_run(start: str) -> None:
    title = f'{start}HYPERLINK("http://x")'
    parsed = list(csv.DictReader(io.StringIO(scorecard.to_csv([_row("x", "sound", title=title)]))))
    assert parsed[0]["title"] == "'" + title


def test_json_is_the_rows_unchanged(portfolio_rows: list[dict[str, Any]]) -> None:
    assert json.loads(scorecard.to_json(portfolio_rows)) == {"initiatives": portfolio_rows}


def test_sorting_by_standing_puts_the_worst_first_and_keeps_id_order_within() -> None:
    rows = [
        _row("a", "sound"),
        _row("b", "no-chain"),
        _row("c", "mixed"),
        _row("d", "no-chain"),
        _row("e", "unmeasured"),
    ]
    assert [r["id"] for r in scorecard.by_standing(rows)] == ["b", "d", "c", "e", "a"]
