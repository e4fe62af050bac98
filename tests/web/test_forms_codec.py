"""The item forms are a codec: a node or link shown in its form and sent back untouched is the
same item, to the last number, id and observation; a changed field is read as typed."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from formtest_support import example_documents, huge_numbers_document, submitted
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import slugs, texts, toc_models
from webtest_support import sign_in

from toc.document import parse_document
from web.forms import (
    FormState,
    browser_sent,
    link_fields,
    link_values,
    model_fields,
    model_values,
    node_fields,
    node_values,
)

# The fields the forms show in a text area (the rest are one-line inputs, choices, dates, boxes).
TEXT_AREAS = {"description", "form", "function", "realizes", "decision.rationale", "because"}
TEXT_AREAS |= {"assumptions", "checks"}

_DATES = st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)).map(str)
_AMOUNTS = st.integers(0, 10**12) | st.floats(0, 1e12, allow_nan=False)


@st.composite
def _with_cabinet_fields(draw: st.DrawFn, node: dict[str, Any]) -> dict[str, Any]:
    """A node with the toc 0.2 fields of SPEC §1 drawn on it (initiative-only ones on
    initiatives), within the contract's bounds."""
    node = dict(node)
    if draw(st.booleans()):
        node["label"] = draw(texts(min_size=1, max_size=60))
    node["realizes"] = draw(st.lists(st.tuples(slugs(), slugs()).map(":".join), max_size=2))
    if node["kind"] != "initiative":
        return node
    # The money is drawn here afresh: the drawn model's cost matched its own funding.
    node.pop("cost", None)
    node.pop("funding", None)
    funding = draw(
        st.lists(
            st.fixed_dictionaries(
                {"source": texts(min_size=1), "amount": _AMOUNTS}, optional={"ends": _DATES}
            ),
            max_size=3,
        )
    )
    if funding:
        node["funding"] = funding
    elif draw(st.booleans()):
        node["cost"] = draw(_AMOUNTS)
    optional = {
        "reach": st.integers(0, 10**9),
        "required": st.booleans(),
        "eligible": st.lists(texts(min_size=1, max_size=12), max_size=3),
        "essa_tier": st.fixed_dictionaries(
            {"tier": st.integers(1, 4), "source": texts(min_size=1)}
        ),
        "decision": st.fixed_dictionaries(
            {
                "verdict": st.sampled_from(["keep", "revise", "stop", "scale"]),
                "rationale": texts(min_size=1),
                "date": _DATES,
            },
            optional={"decided_by": texts(), "review_by": _DATES},
        ),
    }
    for name, strategy in optional.items():
        if draw(st.booleans()):
            node[name] = draw(strategy)
    return node


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """Valid toc/1 documents (tests/strategies.py) with the 0.2 fields on their items, read
    through the contract once more and written canonically, as the store keeps them."""
    document = draw(toc_models()).to_document()
    document["nodes"] = [draw(_with_cabinet_fields(node)) for node in document["nodes"]]
    for link in document["links"]:
        if draw(st.booleans()):
            link["lag"] = draw(st.sampled_from(["1 month", "2 years", "6 weeks", "10 days"]))
    head = {
        "scope": st.sampled_from(["state", "district", "school", "network"]),
        "org": texts(min_size=1, max_size=12),
        "designations": st.lists(texts(min_size=1, max_size=10), max_size=3),
        "currency": st.sampled_from(["USD", "EUR", "GBP"]),
    }
    for name, strategy in head.items():
        if draw(st.booleans()):
            document[name] = draw(strategy)
    return parse_document(document).to_document()


def _as_browser_sends(values: dict[str, str]) -> dict[str, str]:
    multiline = {name for name in values if name in TEXT_AREAS}
    return {name: browser_sent(value, name in multiline) for name, value in values.items()}


def _round_trip(values_of: Any, fields_of: Any, item: dict[str, Any]) -> None:
    shown = values_of(item)
    for sent in (shown, _as_browser_sends(shown)):
        state = FormState(dict(sent))
        assert fields_of(state, item) == item
        assert not state.errors and not state.general


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_every_node_and_link_survives_its_form_untouched(document: dict[str, Any]) -> None:
    for node in document["nodes"]:
        _round_trip(node_values, node_fields, node)
    for link in document["links"]:
        _round_trip(link_values, link_fields, link)
    own = {
        k: v for k, v in document.items() if k not in ("format", "id", "version", "nodes", "links")
    }
    _round_trip(model_values, model_fields, own)


def _hqi(**indicator: Any) -> dict[str, Any]:
    return {
        "id": "hqi",
        "level": "system",
        "kind": "initiative",
        "title": "HQI",
        "status": "active",
        "tags": [],
        "indicators": [{"id": "attending", "name": "Educators attending", **indicator}],
    }


def test_a_changed_target_is_read_as_a_number_and_the_rest_is_kept() -> None:
    observations = [{"date": "2026-01-05", "value": 10**400}]
    node = _hqi(target=80, baseline="most", observations=observations)
    values = node_values(node)
    assert values["indicators.0.target"] == "80"
    values["indicators.0.target"] = "1,200"
    values["indicators.0.baseline"] = "12.5"
    state = FormState(values)
    got = node_fields(state, node)
    assert got["indicators"] == [
        {
            "id": "attending",
            "name": "Educators attending",
            "target": 1200,
            "baseline": 12.5,
            "observations": observations,
        }
    ]


def test_a_text_target_that_reads_like_a_number_stays_text_until_changed() -> None:
    node = _hqi(target="80")
    assert node_fields(FormState(node_values(node)), node) == node


def test_rows_are_added_removed_and_cleared() -> None:
    node = _hqi(target=5)
    node["indicators"].append({"name": "Second", "measures": "count"})
    values = node_values(node)
    values["indicators.0.remove"] = "on"
    values["indicators.2.name"] = "Change in questioning"  # the first blank row
    got = node_fields(FormState(values), node)
    assert got["indicators"] == [
        {"name": "Second", "measures": "count"},
        {"name": "Change in questioning"},
    ]


def test_a_new_node_is_read_whole_with_numbers_as_numbers() -> None:
    values = node_values({"level": "system", "kind": "initiative"})
    values |= {
        "title": "  Coaching  ",
        "cost": "250,000",
        "reach": "1200",
        "required": "on",
        "indicators.0.name": "Visits",
        "indicators.0.target": "40",
        "decision.verdict": "keep",
        "decision.date": "2026-05-01",
        "decision.rationale": "Works\r\nwell",
        "funding.0.source": "Title I-A",
        "funding.0.amount": "250000.50",
    }
    node = node_fields(FormState(values), None)
    assert node["title"] == "Coaching"
    assert (node["cost"], node["reach"], node["required"]) == (250_000, 1200, True)
    assert node["indicators"] == [{"name": "Visits", "target": 40}]
    assert node["decision"] == {"verdict": "keep", "date": "2026-05-01", "rationale": "Works\nwell"}
    assert node["funding"] == [{"source": "Title I-A", "amount": 250000.5}]
    assert "essa_tier" not in node and "label" not in node


def test_a_cost_that_is_no_number_is_an_error_beside_it() -> None:
    values = node_values({"level": "system", "kind": "initiative", "title": "x"})
    values["cost"] = "lots"
    state = FormState(values)
    node_fields(state, None)
    assert state.errors == {"cost": ["'lots' is not a number"]}


# -- through the pages: every form of every example, opened and saved untouched -------------------
def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def stored(client: TestClient, tokens: Any) -> list[dict[str, Any]]:
    documents = [*example_documents(), huge_numbers_document()]
    for document in documents:
        response = client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
        assert response.status_code == 201, response.text[:2000]
    assert sign_in(client, tokens.editor).status_code == 303
    return documents


def _document(client: TestClient, token: str, model_id: str) -> dict[str, Any]:
    document: dict[str, Any] = client.get(
        f"/api/v1/models/{model_id}", headers=_bearer(token)
    ).json()
    document.pop("version")
    return document


def _save_untouched(client: TestClient, url: str, marker: str) -> None:
    page = client.get(url)
    assert page.status_code == 200, (url, page.text[-3000:])
    action, fields = submitted(page.text, marker)
    response = client.post(action, data=fields, follow_redirects=False)
    problems = re.findall(r"field-error[^>]*>([^<]*)", response.text)
    assert response.status_code == 303, (url, problems)


def test_the_node_form_of_a_numeric_target_opens(client: TestClient, stored: Any) -> None:
    page = client.get("/models/state-portfolio/nodes/universal-screening/edit")
    assert page.status_code == 200
    assert 'name="indicators.0.name"' in page.text


def test_every_form_saved_untouched_changes_nothing(
    client: TestClient, tokens: Any, stored: list[dict[str, Any]]
) -> None:
    for document in stored:
        model_id = document["id"]
        before = _document(client, tokens.editor, model_id)
        for node in before["nodes"]:
            _save_untouched(client, f"/models/{model_id}/nodes/{node['id']}/edit", "node-form")
        for link in before["links"]:
            key = link.get("id") or f"{link['from']}->{link['to']}"
            url = f"/models/{model_id}/links/{key.replace('>', '%3E')}/edit"
            _save_untouched(client, url, "link-form")
        assert _document(client, tokens.editor, model_id) == before, model_id


def test_a_node_with_two_hundred_indicators_saves_untouched(
    client: TestClient, tokens: Any
) -> None:
    document = example_documents()[0]
    node = document["nodes"][0]
    node["indicators"] = [
        {"id": f"i{n}", "name": f"Indicator {n}", "target": n, "baseline": 0} for n in range(200)
    ]
    answer = client.post("/api/v1/models", json=document, headers=_bearer(tokens.editor))
    assert answer.status_code == 201, answer.text
    assert sign_in(client, tokens.editor).status_code == 303
    before = _document(client, tokens.editor, document["id"])
    _save_untouched(client, f"/models/{document['id']}/nodes/{node['id']}/edit", "node-form")
    assert _document(client, tokens.editor, document["id"]) == before


def test_an_entry_whose_text_is_spaces_survives_its_form() -> None:
    # Found by the property test: a stored evidence row whose citation is one space is valid
    # toc/1, and saving its form untouched must keep it rather than read it as a blank row.
    link = {
        "from": "a",
        "to": "b",
        "type": "leads_to",
        "polarity": "+",
        "evidence": [{"citation": " "}],
        "assumptions": [],
    }
    _round_trip(link_values, link_fields, link)
