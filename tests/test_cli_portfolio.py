"""`toc portfolio` as a user runs it: a state plan and its districts, files or a folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
STATE = EXAMPLES / "state-portfolio.json"
DISTRICTS = EXAMPLES / "portfolio"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The example portfolio in one folder, with a note that is not a model beside it."""
    shutil.copy(STATE, tmp_path / STATE.name)
    for path in DISTRICTS.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "README.txt").write_text("not a model")
    return tmp_path


def test_text_names_each_findings_file_and_answers_the_states_question(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["portfolio", str(folder), "--as-of", "2026-10-01"])
    out, err = capsys.readouterr()
    assert status == 1  # the state plan has errors
    assert (
        f"{folder / 'lakeview-sd.json'}: TOC503 duplicate-effort lakeview-sd:lv-saturday-academy"
        in out
    )
    assert (
        "Early literacy coaching grant: carried out in 2 of 4 eligible districts; "
        "1 sound, 1 no-because; missing 3100003, 3100005"
    ) in out
    assert "Statewide license for a family reading app: carried out in 0 of 2 districts" in out
    # The cross-model scorecard names each initiative's model.
    assert "riverside-usd: Riverside K-2 literacy coaching" in out
    assert "3 model(s):" in err


def test_json_is_the_portfolio_report(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(folder / name) for name in ("state-portfolio.json", "riverside-usd.json")]
    status = main(["portfolio", *files, "--format", "json", "--as-of", "2026-10-01"])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["models"] == ["riverside-usd", "state-portfolio"]
    assert report["rejected"] == []
    assert report["as_of"] == "2026-10-01"
    rows = {row["id"]: row for row in report["initiatives"]}
    assert rows["state-portfolio:coaching-grant"]["carried_out_by"] == ["riverside-usd:rv-coaching"]
    assert {f["model"] for f in report["findings"]} == {"riverside-usd", "state-portfolio"}


def test_a_rejected_file_is_listed_the_rest_checked_and_the_exit_is_2(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "broken.json").write_text('{"id": "broken", "title": "B", "nodes": [{"id": 1}]}')
    (folder / "twin.json").write_text((folder / "lakeview-sd.json").read_text())
    status = main(["portfolio", str(folder), "--format", "json"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert status == 2
    assert [Path(r["file"]).name for r in report["rejected"]] == ["broken.json", "twin.json"]
    assert report["models"] == ["lakeview-sd", "riverside-usd", "state-portfolio"]
    assert "broken.json: nodes[0]" in captured.err
    assert "already read" in captured.err


def test_a_missing_path_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["portfolio", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_a_malformed_reference_rejects_its_document_with_the_path(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    district = json.loads((folder / "lakeview-sd.json").read_text())
    district["nodes"][0]["realizes"] = ["the state's coaching grant"]
    (folder / "lakeview-sd.json").write_text(json.dumps(district))
    status = main(["portfolio", str(folder), "--format", "json"])
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert status == 2
    assert report["models"] == ["riverside-usd", "state-portfolio"]
    (rejected,) = report["rejected"]
    assert Path(rejected["file"]).name == "lakeview-sd.json"
    assert any(problem.startswith("nodes[0].realizes[0]") for problem in rejected["problems"])
