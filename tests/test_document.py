"""Reading toc/1 documents: valid ones parse, broken ones are rejected whole with every fault."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        "nodes[3].level: unknown level 'district' on node 'x'; expected 'system', 'teacher' or "
        "'student'",
        "nodes[4].level: node 'o' is an outcome, a student learning outcome: its level must be "
        "'student', not 'teacher'",
        "nodes[5].title: must not be empty on node 't'",
        "nodes[6].becuase: unknown field 'becuase' on node 'u'; its fields are id, level, kind, "
        "title, description, actor, form, function, indicators, status, tags",
        "links[0].to: no node with id 'ghost'",
        "links[1].to: a link cannot join a node to itself ('x')",
        "links[3].id: duplicate link id 'i-1->o' (generated from from/to: links that join the "
        "same pair need ids of their own); first used at links[2]",
        "links[4].evidence[0].tier: tier must be 1, 2, 3 or 4 (the ESSA evidence tiers), got 7 "
        "on link 'i-1->t'",
        "links[5].type: unknown type 'causes' on link 'i-1->u'; expected 'leads_to' or 'feedback'",
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


# --- Suggestions: a person fixes the document from the message alone --------------------------


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            _node("teachers-small-group", level="teachers"),
            "nodes[0].level: unknown level 'teachers' on node 'teachers-small-group'; "
            "did you mean 'teacher'?",
        ),
        (
            _node("a", kind="Outcome"),  # case is a slip too
            "nodes[0].kind: unknown kind 'Outcome' on node 'a'; did you mean 'outcome'?",
        ),
        (
            _node("a", status="retierd"),
            "nodes[0].status: unknown status 'retierd' on node 'a'; did you mean 'retired'?",
        ),
        (
            _node("a", indicators=[{"name": "N", "measures": "outcomes"}]),
            "nodes[0].indicators[0].measures: unknown measures 'outcomes' on node 'a'; "
            "did you mean 'outcome'?",
        ),
        (
            _node("a", indicators=[{"name": "N", "cadance": "monthly"}]),
            "nodes[0].indicators[0].cadance: unknown field 'cadance' on node 'a'; "
            "did you mean 'cadence'?",
        ),
        (
            _node("a", fucntion="Builds belonging"),
            "nodes[0].fucntion: unknown field 'fucntion' on node 'a'; did you mean 'function'?",
        ),
    ],
)
def test_a_misspelt_value_or_field_names_the_item_and_the_nearest_valid_one(item, expected):
    assert _problems(_doc([item])) == [expected]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            _node("a", level="district"),
            "nodes[0].level: unknown level 'district' on node 'a'; expected 'system', 'teacher' "
            "or 'student'",
        ),
        (
            _node("a", colour="red"),
            "nodes[0].colour: unknown field 'colour' on node 'a'; its fields are id, level, kind, "
            "title, description, actor, form, function, indicators, status, tags",
        ),
    ],
)
def test_nothing_is_suggested_when_nothing_is_close(item, expected) -> None:
    assert _problems(_doc([item])) == [expected]


def test_a_misspelt_link_field_names_the_link() -> None:
    document = _doc(
        [_node("a", "system", "initiative"), _node("b")],
        [{"from": "a", "to": "b", "becuase": "x"}, {"id": "push", "from": "a", "to": "b", "x": 1}],
    )
    assert _problems(document) == [
        "links[0].becuase: unknown field 'becuase' on link 'a->b'; did you mean 'because'?",
        "links[1].x: unknown field 'x' on link 'push'; its fields are id, from, to, type, "
        "polarity, because, evidence, assumptions",
    ]


def test_a_dangling_end_names_the_nearest_node_id_when_one_is_close() -> None:
    document = _doc(
        [_node("coaching", "system", "initiative"), _node("grade3-reading", "student", "outcome")],
        [{"from": "coaching", "to": "grade3-readng"}, {"from": "coaching", "to": "attendance"}],
    )
    assert _problems(document) == [
        "links[0].to: no node with id 'grade3-readng'; did you mean 'grade3-reading'?",
        "links[1].to: no node with id 'attendance'",
    ]


def test_a_bad_node_id_is_reported_once_not_again_at_every_link_using_it() -> None:
    document = _doc(
        [_node("Small Group", "teacher"), _node("grant", "system", "initiative"), _node("b")],
        [
            {"from": "grant", "to": "Small Group"},
            {"from": "Small Group", "to": "b"},
            {"from": "grant", "to": "Nowhere"},  # no node has it: reported at the link
        ],
    )
    problems = _problems(document)
    assert [problem.split(":")[0] for problem in problems] == ["nodes[0].id", "links[2].to"]
    assert problems[1].startswith("links[2].to: 'Nowhere' is not a valid id on link")


def test_link_ends_of_the_wrong_type_are_reported_not_raised() -> None:
    document = _doc([_node("Bad Id")], [{"from": 1, "to": []}, {"from": {}, "to": None}])
    assert _problems(document) == [
        "nodes[0].id: 'Bad Id' is not a valid id: use lower-case letters, digits, '-', '_' or "
        "'.', starting with a letter or digit, at most 128 characters",
        "links[0].from: expected a string, got a number",
        "links[0].to: expected a string, got an array",
        "links[1].from: expected a string, got an object",
        "links[1].to: expected a string, got null",
    ]


def test_an_unknown_check_code_or_setting_suggests_the_nearest() -> None:
    document = _doc()
    document["checks"] = {"TOC10": "warn", "toc601": "off", "TOC999": "of", "TOC502": "loud"}
    assert _problems(document) == [
        "checks.TOC10: unknown setting 'warn'; did you mean 'warning'?",
        "checks.TOC999: unknown setting 'of'; did you mean 'off'?",
        "checks.TOC502: unknown setting 'loud'; expected one of 'off', 'error', 'warning' or "
        "'info'",
        "checks.TOC10: unknown check code 'TOC10'; did you mean 'TOC101'?",
        "checks.toc601: unknown check code 'toc601'; did you mean 'TOC601'?",
        "checks.TOC999: unknown check code 'TOC999'",
    ]


def test_duplicate_indicator_ids_name_their_node() -> None:
    document = _doc([_node("a", indicators=[{"id": "i", "name": "N"}, {"id": "i", "name": "M"}])])
    assert _problems(document) == [
        "nodes[0].indicators[1].id: duplicate indicator id 'i' on node 'a' (first used at "
        "indicators[0])"
    ]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
_FIELDS = st.sampled_from(
    ["id", "level", "kind", "title", "from", "to", "polarity", "type", "becuase", "indicators"]
)


@settings(max_examples=200, deadline=None)
@given(
    node_fields=st.dictionaries(_FIELDS, _JSON, max_size=4),
    link_fields=st.dictionaries(_FIELDS, _JSON, max_size=4),
    checks=st.dictionaries(st.text(max_size=6), _JSON, max_size=2),
)
def test_any_value_anywhere_is_a_rejection_never_a_crash(node_fields, link_fields, checks):
    document = _doc(
        [{**_node("a"), **node_fields}, _node("Bad Id")],
        [{"from": "a", "to": "Bad Id", **link_fields}],
    )
    document["checks"] = checks
    try:
        parse_document(document)
    except DocumentRejected as rejected:
        assert all(problem.path and problem.message for problem in rejected.problems)
