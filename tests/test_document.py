"""Reading toc/1 documents: valid ones parse, broken ones are rejected whole with every fault."""

from __future__ import annotations

import pytest

from toc.document import dump_json, load_json, parse_document
from toc.errors import DocumentRejected


def _doc(nodes=(), links=(), **extra):
    return {"format": "toc/1", "id": "m", "title": "M", "nodes": list(nodes), "links": list(links)}


def _node(node_id, level="teacher", kind="change", **fields):
    return {"id": node_id, "level": level, "kind": kind, "title": node_id.title(), **fields}


def _problems(document) -> list[str]:
    with pytest.raises(DocumentRejected) as rejected:
        parse_document(document)
    return [str(p) for p in rejected.value.problems]


def test_a_valid_document_parses_with_defaults() -> None:
    model = parse_document(
        _doc(
            [_node("grant", "system", "initiative"), _node("reading", "student", "outcome")],
            [{"from": "grant", "to": "reading"}],
        )
    )
    link = model.links[0]
    assert link.key == "grant->reading"
    assert link.type.value == "leads_to" and link.polarity.value == "+"
    assert model.nodes[0].status.value == "active"


def test_a_document_with_many_faults_lists_every_one_with_its_path() -> None:
    document = _doc(
        [
            _node("i-1", "system", "initiative"),
            _node("i-1", "system", "initiative"),
            _node("Bad Id"),
            _node("x", level="district"),
            _node("o", level="teacher", kind="outcome"),
            {"id": "t", "level": "teacher", "kind": "change", "title": ""},
            {"id": "u", "level": "teacher", "kind": "change", "title": "U", "becuase": "typo"},
        ],
        [
            {"from": "i-1", "to": "ghost"},
            {"from": "x", "to": "x"},
            {"from": "i-1", "to": "o"},
            {"from": "i-1", "to": "o"},
            {"from": "i-1", "to": "t", "evidence": [{"citation": "C", "tier": 7}]},
            {"from": "i-1", "to": "u", "polarity": "+", "type": "causes"},
        ],
    )
    document["title"] = 42
    document["checks"] = {"TOC999": "off", "TOC601": "loud"}
    assert _problems(document) == [
        "title: expected a string, got a number",
        "nodes[1].id: duplicate node id 'i-1' (first used at nodes[0])",
        "nodes[2].id: 'Bad Id' is not a valid id: use lower-case letters, digits, '-', '_' or "
        "'.', starting with a letter or digit, at most 128 characters",
        "nodes[3].level: unknown level 'district'; expected 'system', 'teacher' or 'student'",
        "nodes[4].level: an outcome is a student learning outcome: its level must be "
        "'student', not 'teacher'",
        "nodes[5].title: must not be empty",
        "nodes[6].becuase: unknown field 'becuase'",
        "links[0].to: no node with id 'ghost'",
        "links[1].to: a link cannot join a node to itself ('x')",
        "links[3].id: duplicate link id 'i-1->o' (generated from from/to: links that join the "
        "same pair need ids of their own); first used at links[2]",
        "links[4].evidence[0].tier: tier must be 1, 2, 3 or 4 (the ESSA evidence tiers), got 7",
        "links[5].type: unknown type 'causes'; expected 'leads_to' or 'feedback'",
        "checks.TOC601: unknown setting 'loud'; expected one of 'off', 'error', 'warning' or "
        "'info'",
        "checks.TOC999: unknown check code 'TOC999'",
    ]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "$: a toc/1 document is a JSON object, got an array"),
        ({"format": "toc/2", "id": "m", "title": "M"}, "format: unsupported format 'toc/2'"),
        ({"id": "m"}, "title: required field is missing"),
        ({"id": "m", "title": "t" * 301}, "title: too long: 301 characters, at most 300"),
        ({"id": "m", "title": "M", "nodes": {}}, "nodes: expected an array, got an object"),
        ({"id": "m", "title": "M", "version": "3"}, "version: expected a whole number"),
        (
            {
                "id": "m",
                "title": "M",
                "nodes": [_node("a", indicators=[{"name": "N", "measures": "vibes"}])],
            },
            "nodes[0].indicators[0].measures: unknown measures 'vibes'",
        ),
        (
            {"id": "m", "title": "M", "links": [{"from": "a", "to": "b"}]},
            "links[0].from: no node with id 'a'",
        ),
    ],
)
def test_each_kind_of_fault_names_its_path(document, expected) -> None:
    assert any(problem.startswith(expected) for problem in _problems(document)), _problems(document)


def test_two_links_joining_one_pair_with_own_ids_are_fine() -> None:
    model = parse_document(
        _doc(
            [_node("a", "system", "initiative"), _node("b")],
            [{"id": "push", "from": "a", "to": "b"}, {"id": "pull", "from": "a", "to": "b"}],
        )
    )
    assert [link.key for link in model.links] == ["push", "pull"]


def test_malformed_json_is_a_rejection_with_its_position() -> None:
    with pytest.raises(DocumentRejected) as rejected:
        load_json('{"id": "m",\n "title": }')
    assert str(rejected.value.problems[0]).startswith(
        "$: not valid JSON: Expecting value at line 2"
    )


def test_dump_then_load_returns_an_equal_model() -> None:
    model = parse_document(
        _doc(
            [_node("a", "system", "initiative", form="F", indicators=[{"name": "n"}])],
            [],
        )
    )
    assert load_json(dump_json(model)) == model
