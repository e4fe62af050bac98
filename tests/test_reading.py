"""The fast reader accepts exactly what the full validator accepts, and reads it alike."""

from __future__ import annotations

import copy
import json
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import slugs, texts, toc_models

from services.clock import today
from toc.document import load_json
from toc.errors import DocumentRejected
from toc.model import SHORT_TEXT_MAX, TheoryOfChange
from toc.reading import read_document, read_fast
from toc.report import check

DATES = st.dates().map(lambda day: day.isoformat())
NUMBERS = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False)


@st.composite
def _indicator(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """An indicator with the fields SPEC §1 added: id, number-or-text baseline/target, dates."""
    indicator = dict(base)
    if draw(st.booleans()):
        indicator["id"] = draw(slugs())
    for field in ("baseline", "target"):
        if draw(st.booleans()):
            indicator[field] = draw(NUMBERS | texts(max_size=12))
    dates = draw(st.lists(DATES, max_size=4, unique=True))
    if dates:
        indicator["observations"] = [
            {"date": day, "value": draw(NUMBERS)}
            | ({"note": draw(texts())} if draw(st.booleans()) else {})
            for day in dates
        ]
    return indicator


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = draw(toc_models()).to_document()
    for node in document.get("nodes", []):
        indicators = [draw(_indicator(base)) for base in node.get("indicators", [])]
        seen: set[str] = set()
        for indicator in indicators:  # ids unique within their node
            if indicator.get("id") in seen:
                del indicator["id"]
            seen.add(indicator.get("id", ""))
        if indicators:
            node["indicators"] = indicators
    return document


def _pick(draw: st.DrawFn, items: list[Any]) -> Any:
    return items[draw(st.integers(0, len(items) - 1))]


def _break(draw: st.DrawFn, document: dict[str, Any]) -> None:
    """One fault of the kinds the contract names, where the document has room for it."""

    def items(holder: Any, field: str) -> list[Any]:
        # An earlier fault may have left a wrong type where a list was.
        found = holder.get(field, []) if isinstance(holder, dict) else []
        return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []

    nodes, links = items(document, "nodes"), items(document, "links")
    indicators = [i for n in nodes for i in items(n, "indicators")]
    observed = [i for i in indicators if items(i, "observations")]
    faults = ["top-unknown", "top-type", "bad-format", "bad-code", "bad-version"]
    if nodes:
        faults += ["node-type", "node-unknown", "bad-id", "outcome-level", "bad-enum", "no-title"]
        faults += ["empty-title", "dangling"]
    if len(nodes) >= 2:
        faults.append("duplicate-node")
    if links:
        faults += ["link-type", "self-link", "bad-tier", "duplicate-link", "link-unknown"]
    if indicators:
        faults += ["indicator-type", "long-baseline", "bad-number"]
    if len(indicators) >= 1:
        faults.append("duplicate-indicator")
    if observed:
        faults += ["bad-date", "duplicate-date", "bad-value", "observation-unknown"]
    # The fields toc 0.2 added (SPEC §1).
    faults += ["bad-currency", "bad-scope"]
    if nodes:
        faults += ["long-label", "bad-reference", "bad-cost", "bad-reach", "bad-decision"]
        faults += ["initiative-only", "cost-not-funding", "bad-funding"]
    if links:
        faults.append("bad-lag")
    fault = draw(st.sampled_from(faults))
    wrong = draw(st.sampled_from([5, 1.5, True, None, [], {}, "x"]))
    if fault == "top-unknown":
        document["nodez"] = []
    elif fault == "top-type":
        document[draw(st.sampled_from(["id", "title", "nodes", "links", "checks"]))] = 7
    elif fault == "bad-format":
        document["format"] = draw(st.sampled_from(["toc/2", 1, None]))
    elif fault == "bad-code":
        document["checks"] = {"TOC999": "off"}
    elif fault == "bad-version":
        document["version"] = draw(st.sampled_from([-1, 1.5, True, "1"]))
    elif fault == "node-type":
        node = _pick(draw, nodes)
        field = draw(st.sampled_from(["title", "level", "kind", "form", "indicators", "tags"]))
        # null is allowed for an optional text, and "x" is a valid form
        node[field] = wrong if field != "form" or wrong not in ("x", None) else 3
    elif fault == "node-unknown":
        _pick(draw, nodes)["functoin"] = "typo"
    elif fault == "bad-id":
        _pick(draw, nodes)["id"] = draw(
            st.sampled_from(["Bad Id", "", "a\n", "-a", "a" * 129, "é"])
        )
    elif fault == "outcome-level":
        node = _pick(draw, nodes)
        node["kind"], node["level"] = "outcome", draw(st.sampled_from(["system", "teacher"]))
    elif fault == "bad-enum":
        _pick(draw, nodes)[draw(st.sampled_from(["level", "kind", "status"]))] = "district"
    elif fault == "no-title":
        _pick(draw, nodes).pop("title", None)  # an earlier fault may have taken it
    elif fault == "empty-title":
        _pick(draw, nodes)["title"] = ""
    elif fault == "dangling":
        if not isinstance(document.get("links", []), list):
            document["links"] = []
        document.setdefault("links", []).append(
            {"from": _pick(draw, nodes)["id"], "to": "nowhere-at-all"}
        )
    elif fault == "duplicate-node":
        nodes[1]["id"] = nodes[0]["id"]
    elif fault == "link-type":
        link = _pick(draw, links)
        link[draw(st.sampled_from(["because", "polarity", "type", "assumptions", "from"]))] = 5
    elif fault == "self-link":
        link = _pick(draw, links)
        link["to"] = link["from"]
    elif fault == "bad-tier":
        _pick(draw, links)["evidence"] = [
            {"citation": "c", "tier": draw(st.sampled_from([0, 5, 2.0, True, "2"]))}
        ]
    elif fault == "duplicate-link":
        links.append(copy.deepcopy(_pick(draw, links)))
    elif fault == "link-unknown":
        _pick(draw, links)["becuase"] = "typo"
    elif fault == "indicator-type":
        _pick(draw, indicators)[draw(st.sampled_from(["name", "measures", "id"]))] = wrong
    elif fault == "long-baseline":
        _pick(draw, indicators)["baseline"] = "x" * (SHORT_TEXT_MAX + 1)
    elif fault == "bad-number":
        _pick(draw, indicators)["target"] = draw(st.sampled_from([True, [], {}, False]))
    elif fault == "duplicate-indicator":
        indicator = _pick(draw, indicators)
        node = next(n for n in nodes if indicator in items(n, "indicators"))
        twin = dict(indicator, id="same-id")
        indicator["id"] = "same-id"
        node["indicators"].append(twin)
    elif fault == "bad-date":
        observation = _pick(draw, items(_pick(draw, observed), "observations"))
        observation["date"] = draw(
            st.sampled_from(["2024-13-01", "2024-1-1", "yesterday", 20240101, "2024-02-30"])
        )
    elif fault == "duplicate-date":
        indicator = _pick(draw, observed)
        indicator["observations"].append(dict(items(indicator, "observations")[0]))
    elif fault == "bad-value":
        _pick(draw, items(_pick(draw, observed), "observations"))["value"] = draw(
            st.sampled_from([True, "3", None, []])
        )
    elif fault == "bad-currency":
        document["currency"] = draw(st.sampled_from(["usd", "US", "EURO", 840, None]))
    elif fault == "bad-scope":
        document["scope"] = draw(st.sampled_from(["county", "State", 3]))
    elif fault == "long-label":
        _pick(draw, nodes)["label"] = draw(st.sampled_from(["x" * 61, "", 5]))
    elif fault == "bad-reference":
        _pick(draw, nodes)["realizes"] = [draw(st.sampled_from(["plan", "A:b", "a:b:c", "a:", 7]))]
    elif fault == "bad-cost":
        node = _pick(draw, nodes)
        node["kind"], node["cost"] = (
            "initiative",
            draw(st.sampled_from([-1, 10**12 + 1, True, "5"])),
        )
        node.pop("funding", None)
    elif fault == "bad-reach":
        node = _pick(draw, nodes)
        node["kind"], node["reach"] = (
            "initiative",
            draw(st.sampled_from([True, 2.5, 3.0, -1, 10**9 + 1])),
        )
    elif fault == "bad-decision":
        node = _pick(draw, nodes)
        node["kind"] = "initiative"
        node["decision"] = draw(
            st.sampled_from(
                [
                    {"verdict": "kepp", "rationale": "r", "date": "2026-01-05"},
                    {"verdict": "keep", "date": "2026-01-05"},
                    {"verdict": "keep", "rationale": "", "date": "2026-01-05"},
                    {"verdict": "keep", "rationale": "r", "date": "2026-W02-1"},
                    {"verdict": "keep", "rationale": "r", "date": "2026-01-05", "owner": "x"},
                    {"verdict": "stop", "rationale": "r", "date": "2026-01-05", "review_by": 5},
                ]
            )
        )
    elif fault == "initiative-only":
        node = _pick(draw, nodes)
        node["kind"] = draw(st.sampled_from(["change", "outcome"]))
        node["level"] = "student"
        field, value = draw(
            st.sampled_from(
                [
                    ("cost", 5),
                    ("reach", 10),
                    ("decision", {"verdict": "keep", "rationale": "r", "date": "2026-01-05"}),
                    ("required", False),
                    ("funding", [{"source": "IDEA", "amount": 1}]),
                    ("eligible", ["0601234"]),
                    ("essa_tier", {"tier": 1, "source": "WWC"}),
                ]
            )
        )
        node[field] = value
    elif fault == "cost-not-funding":
        node = _pick(draw, nodes)
        node["kind"], node["cost"] = "initiative", 5
        node["funding"] = [{"source": "Title I-A", "amount": 3}, {"source": "s:n", "amount": 1.5}]
    elif fault == "bad-funding":
        node = _pick(draw, nodes)
        node["kind"] = "initiative"
        node.pop("cost", None)
        node["funding"] = [
            draw(
                st.sampled_from(
                    [
                        {"source": "", "amount": 1},
                        {"source": "IDEA", "amount": -1},
                        {"source": "IDEA"},
                        {"source": "IDEA", "amount": 1, "ends": "2027-02-30"},
                    ]
                )
            )
        ]
    elif fault == "bad-lag":
        _pick(draw, links)["lag"] = draw(
            st.sampled_from(["3 mnths", "2 month", "101 years", "3 Months", " 3 days", 5, ""])
        )
    elif fault == "observation-unknown":
        _pick(draw, items(_pick(draw, observed), "observations"))["when"] = "2024-01-01"


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """Valid documents, and documents with one to three faults of the contract's kinds."""
    document = draw(valid_documents())
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 1, 2, 3]))):
        _break(draw, document)
    return document


def _full(data: bytes) -> TheoryOfChange | None:
    try:
        return load_json(data)
    except DocumentRejected:
        return None


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value.model_dump(mode="json", exclude_none=True) if value is not None else None


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_the_fast_reader_accepts_exactly_what_the_validator_accepts(
    document: dict[str, Any],
) -> None:
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    fast = read_fast(data)
    model = _full(data)
    assert (fast is not None) == (model is not None)
    if fast is not None and model is not None:
        # Read alike: the same report, and observations in the model's (date) order.
        assert (
            check(read_document(data), as_of=today()).to_dict()
            == check(model, as_of=today()).to_dict()
        )
        assert check(fast, as_of=today()).to_dict() == check(model, as_of=today()).to_dict()
        assert [
            [[str(o.date) for o in i.observations] for i in n.indicators] for n in fast.nodes
        ] == [[[str(o.date) for o in i.observations] for i in n.indicators] for n in model.nodes]
        # The fields of toc 0.2 read alike, and so do the helpers the checks read them by.
        for fast_node, node in zip(fast.nodes, model.nodes, strict=True):
            assert fast_node.kind == node.kind
            for field in ("label", "realizes", "cost", "reach", "required"):
                assert getattr(fast_node, field) == getattr(node, field)
            # A change's or outcome's funding and eligible read as an empty tuple there.
            assert list(fast_node.eligible) == node.eligible
            for field in ("decision", "funding", "essa_tier"):
                plain = msgspec.to_builtins(getattr(fast_node, field))
                assert (list(plain) if plain == () else plain) == _plain(getattr(node, field))
        for fast_link, link in zip(fast.links, model.links, strict=True):
            assert fast_link.lag == link.lag
        for field in ("scope", "org", "designations", "currency"):
            assert getattr(fast, field) == getattr(model, field)
        assert [n.annual_cost for n in fast.nodes] == [n.annual_cost for n in model.nodes]
        assert [link.lag_days for link in fast.links] == [link.lag_days for link in model.links]
        assert fast.cost_currency == model.cost_currency


@settings(max_examples=100, deadline=None)
@given(valid_documents())
def test_generated_documents_are_valid(document: dict[str, Any]) -> None:
    # The broken documents above are only meaningful if their starting points are valid.
    assert read_fast(json.dumps(document).encode("utf-8")) is not None


def test_a_rejected_document_gets_the_full_validators_report() -> None:
    data = b'{"id": "m", "title": "M", "nodes": [{"id": "A", "level": "district"}]}'
    with pytest.raises(DocumentRejected) as fast:
        check(read_document(data), as_of=today())
    with pytest.raises(DocumentRejected) as full:
        load_json(data)
    assert fast.value.problems == full.value.problems
    assert [str(p) for p in fast.value.problems][:2] == [
        "nodes[0].id: 'A' is not a valid id: use lower-case letters, digits, '-', '_' or '.', "
        "starting with a letter or digit, at most 128 characters",
        "nodes[0].level: unknown level 'district' on node 'A'; expected 'system', 'teacher' or "
        "'student'",
    ]


def test_what_only_the_full_validator_reads_is_still_read() -> None:
    # Link ends spelt by their field names rather than `from`/`to`: the fast reader passes the
    # document on, and the full road answers as it always has.
    data = (
        b'{"id": "m", "title": "M", "nodes": ['
        b'{"id": "g", "level": "system", "kind": "initiative", "title": "G"}, '
        b'{"id": "o", "level": "student", "kind": "outcome", "title": "O"}], '
        b'"links": [{"source": "g", "target": "o", "because": "b"}]}'
    )
    assert read_fast(data) is None
    assert isinstance(read_document(data), TheoryOfChange)
    assert (
        check(read_document(data), as_of=today()).to_dict()
        == check(load_json(data), as_of=today()).to_dict()
    )


def test_nan_is_rejected_on_both_roads() -> None:
    # Python's json reads NaN, msgspec does not; neither lets it into a model (NaN equals nothing).
    data = (
        b'{"id": "m", "title": "M", "nodes": [{"id": "o", "level": "student", '
        b'"kind": "outcome", "title": "O", "indicators": [{"name": "n", "target": NaN}]}]}'
    )
    with pytest.raises(DocumentRejected) as fast:
        check(read_document(data), as_of=today())
    assert [problem.path for problem in fast.value.problems] == ["nodes[0].indicators[0].target"]
