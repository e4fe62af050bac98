"""`toc diff`, `toc observe` and `toc check --as-of` as a user runs them: output and exit codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from app.cli import main

OLD: dict[str, Any] = {
    "format": "toc/1",
    "id": "coaching",
    "title": "Coaching",
    "nodes": [
        {"id": "coach", "level": "system", "kind": "initiative", "title": "Coaching"},
        {
            "id": "ask",
            "level": "teacher",
            "kind": "change",
            "title": "Teachers ask probing questions",
            "indicators": [
                {
                    "id": "share",
                    "name": "Share of lessons with probing questions",
                    "measures": "change",
                    "baseline": 0.2,
                    "target": 0.6,
                    "cadence": "monthly",
                }
            ],
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
        {"from": "coach", "to": "ask", "because": "Practice with feedback builds skill"},
        {"from": "ask", "to": "explain", "because": "Probing questions draw reasoning out"},
    ],
}


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _worse() -> dict[str, Any]:
    """OLD with a `because` gone: the initiative's only chain has a gap, an error OLD has not."""
    worse = copy.deepcopy(OLD)
    del worse["links"][1]["because"]
    return worse


def test_diff_of_an_unchanged_theory_exits_0(tmp_path: Path, capsys: Any) -> None:
    old = _write(tmp_path / "old.json", OLD)
    new = _write(tmp_path / "new.json", OLD)
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert diff["from"] is None and diff["to"] is None
    assert diff["nodes"] == {"added": [], "removed": [], "changed": {}}


def test_diff_exits_1_when_the_new_version_has_a_new_error(tmp_path: Path, capsys: Any) -> None:
    old = _write(tmp_path / "old.json", OLD)
    new = _write(tmp_path / "new.json", _worse())
    assert main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "worse" in out
    # The other way round the error is resolved, not new: the edit made the theory better.
    assert main(["diff", str(new), str(old)]) == 0


def test_diff_exits_2_with_both_files_problems(tmp_path: Path, capsys: Any) -> None:
    bad_old = _write(tmp_path / "old.json", {"id": "x"})
    bad_new = _write(tmp_path / "new.json", {"title": "y"})
    assert main(["diff", str(bad_old), str(bad_new)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "old.json: " in captured.err and "new.json: " in captured.err
    assert main(["diff", str(bad_old), str(tmp_path / "missing.json")]) == 2


def test_observe_merges_all_or_nothing(tmp_path: Path, capsys: Any) -> None:
    model = _write(tmp_path / "m.json", OLD)
    data = tmp_path / "data.csv"
    data.write_text("node,indicator,date,value\nask,share,2026-01-10,0.3\n", encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["observe", str(model), str(data), "-o", str(out)]) == 0
    merged = json.loads(out.read_text(encoding="utf-8"))
    assert merged["nodes"][1]["indicators"][0]["observations"] == [
        {"date": "2026-01-10", "value": 0.3}
    ]
    assert main(["observe", str(model), str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == merged

    data.write_text(
        "node,indicator,date,value\nask,share,2026-01-10,0.3\nnope,share,2026-02-30,lots\n",
        encoding="utf-8",
    )
    other = tmp_path / "other.json"
    assert main(["observe", str(model), str(data), "-o", str(other)]) == 2
    err = capsys.readouterr().err
    assert "row 3.node" in err and "row 3.date" in err and "row 3.value" in err
    assert not other.exists()


def test_observe_reads_json_data_whatever_the_case_of_its_suffix(
    tmp_path: Path, capsys: Any
) -> None:
    model = _write(tmp_path / "m.json", OLD)
    data = tmp_path / "DATA.JSON"  # as a data office's export may be named
    data.write_text(
        '[{"node": "ask", "indicator": "share", "date": "2026-01-10", "value": 0.3}]',
        encoding="utf-8",
    )
    assert main(["observe", str(model), str(data)]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert merged["nodes"][1]["indicators"][0]["observations"] == [
        {"date": "2026-01-10", "value": 0.3}
    ]


@pytest.mark.parametrize(("as_of", "stale"), [("2026-02-24", False), ("2026-02-25", True)])
def test_check_as_of_judges_observations_on_that_day(
    tmp_path: Path, capsys: Any, as_of: str, stale: bool
) -> None:
    document = copy.deepcopy(OLD)
    document["nodes"][1]["indicators"][0]["observations"] = [{"date": "2026-01-10", "value": 0.3}]
    model = _write(tmp_path / "m.json", document)
    main(["check", str(model), "--as-of", as_of, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert report["as_of"] == as_of
    assert ("TOC701" in {f["code"] for f in report["findings"]}) is stale
