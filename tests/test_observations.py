"""Observations coming in from a data office: JSON or CSV, checked whole, merged all or nothing."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from toc.document import dump_json, load_json, parse_document
from toc.errors import DocumentRejected
from toc.formats import read, write
from toc.model import OBSERVATIONS_MAX, TheoryOfChange
from toc.observations import (
    ObservationInput,
    merge_observations,
    observe,
    observe_paths,
    read_observations_csv,
    read_observations_json,
)


def _model() -> TheoryOfChange:
    return parse_document(
        {
            "id": "m",
            "title": "M",
            "nodes": [
                {
                    "id": "talk",
                    "level": "teacher",
                    "kind": "change",
                    "title": "Student talk",
                    "indicators": [
                        {
                            "id": "share",
                            "name": "Share of lessons with student discourse",
                            "baseline": 20,
                            "target": 40,
                            "observations": [
                                {"date": "2026-01-10", "value": 21, "note": "autumn walkthroughs"}
                            ],
                        },
                        {"name": "Coaching cycles completed"},
                        {"name": "Twice"},
                        {"name": "Twice"},
                    ],
                },
                {"id": "reading", "level": "student", "kind": "outcome", "title": "Reading"},
            ],
        }
    )


def _rejected(call: Any) -> list[str]:
    with pytest.raises(DocumentRejected) as rejected:
        call()
    return [str(problem) for problem in rejected.value.problems]


def test_csv_rows_are_merged_by_indicator_id_or_exact_name() -> None:
    rows = read_observations_csv(
        "Node,Indicator,Date,Value,Note\n"
        "talk,share,2026-03-01,27.5,spring\n"
        "talk,Coaching cycles completed,2026-03-01,12,\n"
    )
    merged = merge_observations(_model(), rows)
    share, cycles = merged.nodes[0].indicators[:2]
    assert [(str(o.date), o.value, o.note) for o in share.observations] == [
        ("2026-01-10", 21, "autumn walkthroughs"),
        ("2026-03-01", 27.5, "spring"),
    ]
    assert [(str(o.date), o.value, o.note) for o in cycles.observations] == [
        ("2026-03-01", 12, None)
    ]


def test_an_observation_for_a_date_that_has_one_replaces_it() -> None:
    rows = read_observations_json(
        json.dumps([{"node": "talk", "indicator": "share", "date": "2026-01-10", "value": 23}])
    )
    merged = merge_observations(_model(), rows)
    assert [(str(o.date), o.value, o.note) for o in merged.nodes[0].indicators[0].observations] == [
        ("2026-01-10", 23, None)
    ]


def test_every_problem_in_a_csv_is_listed_with_its_row_and_column() -> None:
    rows = read_observations_csv(
        "node,indicator,date,value\n"
        "talk,share,2026-02-30,12\n"
        "ghost,share,2026-03-01,1\n"
        "talk,nothing,2026-03-01,twelve\n"
        "talk,Twice,2026-03-01,\n"
        "talk,share,2026-04-01,1\n"
        "talk,share,2026-04-01,2\n"
    )
    model = _model()
    before = dump_json(model)
    assert _rejected(lambda: merge_observations(model, rows)) == [
        "row 2.date: expected a date written YYYY-MM-DD, got '2026-02-30'",
        "row 3.node: no node with id 'ghost'",
        "row 4.indicator: node 'talk' has no indicator with id or name 'nothing'",
        "row 4.value: expected a number, got 'twelve'",
        "row 5.indicator: node 'talk' has 2 indicators named 'Twice': give each an id and use that",
        "row 5.value: expected a number, got nothing",
        "row 7.date: a second observation of this indicator for 2026-04-01 (first at row 6): "
        "at most one per date",
    ]
    assert dump_json(model) == before  # nothing changed


def test_every_problem_in_json_is_listed_with_its_path() -> None:
    data = json.dumps(
        [
            {"node": "talk", "indicator": "share", "date": "1 March", "value": "3"},
            {
                "node": "talk",
                "indicator": "share",
                "date": "2026-03-01",
                "value": True,
                "unit": "%",
            },
            {"indicator": "share", "date": "2026-03-02", "value": 1},
            "not an object",
        ]
    )
    assert _rejected(lambda: read_observations_json(data)) == [
        "[1].unit: unknown field 'unit'",
        "[3]: expected an object {node, indicator, date, value}",
    ]
    rows = read_observations_json(
        data.replace(', "unit": "%"', "").replace(', "not an object"', "")
    )
    assert _rejected(lambda: merge_observations(_model(), rows)) == [
        "[0].date: expected a date written YYYY-MM-DD, got '1 March'",
        "[0].value: expected a number, got '3'",
        "[1].value: expected a number, got True",
        "[2].node: required: the node's id",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "$: empty: expected a header row naming node, indicator, date, value, note"),
        ("node,indicator,date\n", "row 1: no 'value' column"),
        (
            "node,indicator,date,value,unit\n",
            "row 1.unit: unknown column; expected node, indicator, date, value, note",
        ),
    ],
)
def test_a_csv_without_the_columns_is_rejected(text: str, problem: str) -> None:
    assert _rejected(lambda: read_observations_csv(text)) == [problem]


def test_the_result_is_validated_again_as_a_whole() -> None:
    start = datetime.date(2020, 1, 1)
    rows = [
        ObservationInput(f"row {i + 2}", "talk", "share", str(start + datetime.timedelta(i)), i)
        for i in range(OBSERVATIONS_MAX)
    ]
    assert _rejected(lambda: merge_observations(_model(), rows)) == [
        "nodes[0].indicators[0].observations: too many items on node 'talk': "
        f"at most {OBSERVATIONS_MAX}"
    ]
    assert len(merge_observations(_model(), rows[1:]).nodes[0].indicators[0].observations) == (
        OBSERVATIONS_MAX
    )


def test_observe_reads_merges_and_writes_the_model_in_its_own_format(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfnode,indicator,date,value\r\ntalk,share,2026-03-01,30\r\n"
    for fmt, suffix in (("json", ".json"), ("csv", ".zip"), ("graphml", ".graphml")):
        written = observe(write(_model(), fmt), fmt, data, "csv")
        assert read(written, fmt).nodes[0].indicators[0].observations[-1].value == 30
        path = tmp_path / f"model{suffix}"
        path.write_bytes(write(_model(), fmt))
        (tmp_path / "data.csv").write_bytes(data)
        assert observe_paths(path, tmp_path / "data.csv") == written
    plain = observe(dump_json(_model()).encode(), "json", data, "csv")
    assert load_json(plain).nodes[0].indicators[0].observations[-1].value == 30
