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
        "title, description, actor, form, function, indicators, status, tags, label, realizes, "
        "cost, reach, decision, required, funding, eligible, essa_tier",
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
            "title, description, actor, form, function, indicators, status, tags, label, "
            "realizes, cost, reach, decision, required, funding, eligible, essa_tier",
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
        "polarity, because, evidence, assumptions, lag",
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
    + ["label", "realizes", "cost", "reach", "decision", "required", "funding", "lag"]
)


@settings(max_examples=200, deadline=None)
@given(
    node_fields=st.dictionaries(_FIELDS, _JSON, max_size=4),
    link_fields=st.dictionaries(_FIELDS, _JSON, max_size=4),
    checks=st.dictionaries(st.text(max_size=6), _JSON, max_size=2),
)
def test_any_value_anywhere_is_a_rejection_never_a_crash(node_fields, link_fields, checks):
    document = _doc(
        [
            {**_node("a"), **node_fields},
            _node("Bad Id"),
            {**_node("i", "system", "initiative"), **node_fields},
        ],
        [{"from": "a", "to": "Bad Id", **link_fields}],
    )
    document["checks"] = checks
    try:
        parse_document(document)
    except DocumentRejected as rejected:
        assert all(problem.path and problem.message for problem in rejected.problems)


# --- The fields of toc 0.2 (SPEC §1): the decision, the money, labels, references, lags ------


def _initiative(node_id: str = "grant", **fields):
    return _node(node_id, "system", "initiative", **fields)


_DECISION = {"verdict": "keep", "rationale": "Chains hold; data moves", "date": "2026-11-02"}
_FULL = _initiative(
    label="Coaching",
    realizes=["state-plan:coaching-grant"],
    cost=450000,
    reach=3200,
    decision={**_DECISION, "decided_by": "Cabinet", "review_by": "2027-06-30"},
    required=True,
    funding=[
        {"source": "Title II-A", "amount": 300000, "ends": "2027-09-30"},
        {"source": "state-plan:coaching-grant", "amount": 150000},
    ],
    eligible=["0601234", "0605678"],
    essa_tier={"tier": 2, "source": "WWC review, 2019"},
)


def test_every_new_field_is_read_and_written_back_as_it_was() -> None:
    document = _doc(
        [_FULL, _node("practice"), _node("reading", "student", "outcome")],
        [
            {"from": "grant", "to": "practice", "lag": "1 month"},
            {"from": "practice", "to": "reading", "lag": "2 years"},
        ],
    )
    document.update(scope="district", org="0601234", designations=["CSI", "Title I"])
    document["currency"] = "EUR"
    model = parse_document(document)
    grant = model.nodes[0]
    assert grant.decision is not None and grant.decision.verdict.value == "keep"
    assert str(grant.decision.review_by) == "2027-06-30"
    assert [entry.reference for entry in grant.funding] == [None, "state-plan:coaching-grant"]
    assert grant.annual_cost == 450000 and grant.required is True
    assert [link.lag_days for link in model.links] == [30, 730]
    assert model.cost_currency == "EUR" and model.scope is not None
    assert load_json(dump_json(model)) == model
    assert model.to_document()["nodes"][0] == {
        **_FULL,
        "indicators": [],
        "status": "active",
        "tags": [],
    }


def test_a_document_without_the_new_fields_is_written_as_before() -> None:
    document = _doc([_initiative(), _node("practice")], [{"from": "grant", "to": "practice"}])
    written = parse_document(document).to_document()
    assert "currency" not in written and "designations" not in written
    assert set(written["nodes"][0]) == {
        "id",
        "level",
        "kind",
        "title",
        "indicators",
        "status",
        "tags",
    }
    assert "lag" not in written["links"][0]
    assert parse_document(document).cost_currency == "USD"


def test_funding_alone_gives_the_cost_and_cost_alone_stands() -> None:
    model = parse_document(
        _doc(
            [
                _initiative(
                    "a",
                    funding=[{"source": "IDEA", "amount": 0.1}, {"source": "local", "amount": 0.2}],
                ),
                _initiative(
                    "b",
                    cost=0.3,
                    funding=[{"source": "IDEA", "amount": 0.1}, {"source": "local", "amount": 0.2}],
                ),
                _initiative("c", cost=1200),
                _initiative("d"),
            ]
        )
    )
    assert [node.annual_cost for node in model.nodes] == [pytest.approx(0.3), 0.3, 1200, None]
    assert "cost" not in model.to_document()["nodes"][0]  # absent stays absent


def test_the_bad_inputs_of_issue_20_are_each_rejected_at_their_path_all_at_once() -> None:
    document = _doc(
        [
            _initiative("no-verdict", decision={"rationale": "r", "date": "2026-01-05"}),
            _initiative("no-rationale", decision={"verdict": "stop", "date": "2026-01-05"}),
            _initiative("no-date", decision={"verdict": "stop", "rationale": "r"}),
            _initiative("kepp", decision={**_DECISION, "verdict": "kepp"}),
            _initiative("negative", cost=-5),
            _initiative("fraction", reach=2.5),
            _node("change-with-cost", cost=1000),
            _initiative(
                "long", label="Coaching for every K-3 teacher, twice a month, in every school"
            ),
            _node("practice"),
        ],
        [{"from": "kepp", "to": "practice", "lag": "3 mnths"}],
    )
    assert _problems(document) == [
        "nodes[0].decision.verdict: required field is missing on node 'no-verdict'",
        "nodes[1].decision.rationale: required field is missing on node 'no-rationale'",
        "nodes[2].decision.date: required field is missing on node 'no-date'",
        "nodes[3].decision.verdict: unknown verdict 'kepp' on node 'kepp'; did you mean 'keep'?",
        "nodes[4].cost: cannot be negative, got -5 on node 'negative'",
        "nodes[5].reach: expected a whole number of students, got 2.5 on node 'fraction'",
        "nodes[6].cost: 'cost' is for initiatives only, and node 'change-with-cost' is a change",
        "nodes[7].label: too long on node 'long': 62 characters, at most 60",
        "links[0].lag: '3 mnths' is not a lag on link 'kepp->practice': write N days, N weeks, "
        "N months or N years, N in digits; did you mean '3 months'?",
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"reach": True}, "nodes[0].reach: expected a whole number of students, got true/false"),
        ({"reach": 3.0}, "nodes[0].reach: expected a whole number of students, got 3.0"),
        ({"reach": 10**9 + 1}, "nodes[0].reach: at most 1,000,000,000, got 1000000001"),
        ({"cost": 10**12 + 1}, "nodes[0].cost: at most 1,000,000,000,000, got 1000000000001"),
        ({"cost": "5000"}, "nodes[0].cost: expected a number, got a string"),
        ({"required": "yes"}, "nodes[0].required: expected true or false, got a string"),
        (
            {"decision": {**_DECISION, "date": "2026-W45-1"}},
            "nodes[0].decision.date: expected a date written YYYY-MM-DD",
        ),
        (
            {"decision": {**_DECISION, "review_by": "next year"}},
            "nodes[0].decision.review_by: expected a date written YYYY-MM-DD, got 'next year'",
        ),
        (
            {"decision": {**_DECISION, "owner": "Cabinet"}},
            "nodes[0].decision.owner: unknown field 'owner' on node 'grant'; its fields are "
            "verdict, rationale, date, decided_by, review_by",
        ),
        (
            {"decision": {**_DECISION, "verdict": "Revise"}},
            "nodes[0].decision.verdict: unknown verdict 'Revise' on node 'grant'; did you mean "
            "'revise'?",
        ),
        (
            {"funding": [{"source": "Title I-A", "amount": -1}]},
            "nodes[0].funding[0].amount: cannot be negative, got -1",
        ),
        (
            {"funding": [{"source": "Title I-A", "amount": 5, "end": "2027-06-30"}]},
            "nodes[0].funding[0].end: unknown field 'end' on node 'grant'; did you mean 'ends'?",
        ),
        (
            {"funding": [{"source": "Title I-A", "amount": 5, "ends": "30/06/2027"}]},
            "nodes[0].funding[0].ends: expected a date written YYYY-MM-DD, got '30/06/2027'",
        ),
        (
            {"cost": 500, "funding": [{"source": "Title I-A", "amount": 300}]},
            "nodes[0].cost: cost 500 on node 'grant' is not the sum of its funding, 300",
        ),
        (
            {"essa_tier": {"tier": 5, "source": "WWC"}},
            "nodes[0].essa_tier.tier: tier must be 1, 2, 3 or 4 (the ESSA evidence tiers), got 5",
        ),
        ({"essa_tier": {"tier": 1}}, "nodes[0].essa_tier.source: required field is missing"),
        (
            {"realizes": ["state-plan"]},
            "nodes[0].realizes[0]: 'state-plan' is not a reference on node 'grant': write "
            "MODEL:NODE",
        ),
        (
            {"realizes": ["State Plan:grant"]},
            "nodes[0].realizes[0]: 'State Plan:grant' is not a reference",
        ),
        ({"eligible": [""]}, "nodes[0].eligible[0]: must not be empty"),
        ({"label": ""}, "nodes[0].label: must not be empty"),
    ],
)
def test_each_bad_initiative_field_names_its_path(fields, expected) -> None:
    problems = _problems(_doc([_initiative(**fields)]))
    assert len(problems) == 1 and problems[0].startswith(expected), problems


@pytest.mark.parametrize(
    "field",
    ["cost", "reach", "decision", "required", "funding", "eligible", "essa_tier"],
)
@pytest.mark.parametrize("kind", ["change", "outcome"])
def test_initiative_fields_on_another_kind_of_node_are_faults_at_their_path(field, kind) -> None:
    value = _FULL[field]
    node = _node("n", "student", kind, **{field: value})
    assert _problems(_doc([node])) == [
        f"nodes[0].{field}: {field!r} is for initiatives only, and node 'n' is a {kind}"
    ]


@pytest.mark.parametrize(
    ("lag", "expected"),
    [
        (
            "3 moons",
            "'3 moons' is not a lag on link 'grant->practice': write N days, N weeks, "
            "N months or N years, N in digits",
        ),
        ("2 month", "did you mean '2 months'?"),
        ("two years", "N in digits"),
        ("6 Weeks", "did you mean '6 weeks'?"),
        ("101 years", "a lag is at most 100 years, got '101 years'"),
        ("1300 months", "a lag is at most 100 years"),
        (18, "expected a string, got a number"),
    ],
)
def test_a_lag_that_does_not_read_is_a_fault_with_a_suggestion(lag, expected) -> None:
    document = _doc(
        [_initiative(), _node("practice")], [{"from": "grant", "to": "practice", "lag": lag}]
    )
    problems = _problems(document)
    assert len(problems) == 1 and problems[0].startswith("links[0].lag: "), problems
    assert expected in problems[0]


@pytest.mark.parametrize(
    ("lag", "days"),
    [
        ("1 day", 1),
        ("1 days", 1),
        ("0 days", 0),
        ("1 week", 7),
        ("6 weeks", 42),
        ("18 months", 540),
        ("1 year", 365),
        ("100 years", 36500),
        ("36500 days", 36500),
    ],
)
def test_a_lag_reads_as_days(lag, days) -> None:
    document = _doc(
        [_initiative(), _node("practice")], [{"from": "grant", "to": "practice", "lag": lag}]
    )
    assert parse_document(document).links[0].lag_days == days


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"currency": "usd"},
            "currency: 'usd' is not a currency code: three capital letters "
            "(ISO 4217), e.g. 'USD'; did you mean 'USD'?",
        ),
        ({"currency": "DOLLARS"}, "currency: 'DOLLARS' is not a currency code"),
        ({"scope": "distrct"}, "scope: unknown scope 'distrct'; did you mean 'district'?"),
        ({"designations": "CSI"}, "designations: expected an array, got a string"),
        ({"org": ""}, "org: must not be empty"),
    ],
)
def test_bad_model_fields_name_their_path(fields, expected) -> None:
    problems = _problems({**_doc(), **fields})
    assert len(problems) == 1 and problems[0].startswith(expected), problems
