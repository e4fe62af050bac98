"""Hypothesis strategies for valid toc/1 models, shared by every test that needs random models.

Text is drawn from all of Unicode but surrogates (which UTF-8 cannot encode) and the
characters XML 1.0 cannot hold (C0 controls but tab, LF and CR; U+FFFE, U+FFFF), with the
separators the interchange formats use (`;`, `|`, `"`, `\\`, newlines) and the characters
that start a spreadsheet formula (`=`, `+`, `-`, `@`, and the `'` that guards them) drawn often.
"""

from __future__ import annotations

import datetime

from hypothesis import strategies as st

from toc.checks import catalogue
from toc.document import parse_document
from toc.model import (
    COST_MAX,
    LABEL_MAX,
    REACH_MAX,
    Decision,
    EssaTier,
    Evidence,
    Funding,
    Indicator,
    Kind,
    Level,
    Link,
    LinkType,
    Measures,
    Node,
    Observation,
    Polarity,
    Scope,
    Status,
    TheoryOfChange,
    Verdict,
    funding_total,
)

__all__ = ["XML_INVALID", "texts", "slugs", "toc_models"]

XML_INVALID = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + "\ufffe\uffff"

_CHARACTERS = st.one_of(
    st.sampled_from(";|\"\\\n\r\t =,#%<>&{}[]()`-+@'é中😀"),
    st.characters(exclude_categories=["Cs"], exclude_characters=XML_INVALID),
)


def texts(min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[str]:
    """Free text, separators and edge spaces included."""
    return st.text(_CHARACTERS, min_size=min_size, max_size=max_size)


def slugs() -> st.SearchStrategy[str]:
    """Ids matching `^[a-z0-9][a-z0-9-_.]{0,127}$`, mostly short."""
    return st.from_regex(r"[a-z0-9][a-z0-9_.\-]{0,11}", fullmatch=True)


def _optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


# Numbers whole and fractional, and texts that look like numbers (which must stay texts).
_NUMBERS = st.integers(-(10**20), 10**20) | st.floats(allow_nan=False, allow_infinity=False)
_NUMBER_OR_TEXT = st.none() | _NUMBERS | texts() | st.sampled_from(["80", "-2.5", "1e3", "80.0"])
_OBSERVATIONS = st.lists(
    st.builds(
        Observation,
        date=st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)),
        value=_NUMBERS,
        note=_optional(texts()),
    ),
    max_size=3,
    unique_by=lambda observation: observation.date,
)


@st.composite
def _indicators(draw: st.DrawFn) -> list[Indicator]:
    """A node's indicators: ids unique within it (or none), names sometimes shared."""
    count = draw(st.integers(0, 3))
    ids = draw(st.lists(st.none() | slugs(), min_size=count, max_size=count))
    names = st.sampled_from(["Visits", "#1", "Change in practice"]) | texts(min_size=1)
    seen: set[str] = set()
    indicators = []
    for indicator_id in ids:
        if indicator_id in seen:
            indicator_id = None
        if indicator_id is not None:
            seen.add(indicator_id)
        indicators.append(
            Indicator(
                id=indicator_id,
                name=draw(names),
                measures=draw(st.none() | st.sampled_from(Measures)),
                target=draw(_NUMBER_OR_TEXT),
                baseline=draw(_NUMBER_OR_TEXT),
                source=draw(_optional(texts())),
                cadence=draw(_optional(texts()) | st.sampled_from(["weekly", "every 2 weeks"])),
                observations=draw(_OBSERVATIONS),
            )
        )
    return indicators


_EVIDENCE = st.builds(
    Evidence,
    citation=texts(min_size=1),
    url=_optional(texts()),
    tier=st.none() | st.integers(1, 4),
    note=_optional(texts()),
)


_DATES = st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 12, 31))
_AMOUNTS = st.integers(0, COST_MAX) | st.floats(0, COST_MAX, allow_nan=False)
_ORG_CODES = st.lists(st.from_regex(r"[0-9]{7}", fullmatch=True) | texts(1, 10), max_size=3)


def references() -> st.SearchStrategy[str]:
    """`MODEL:NODE` references."""
    return st.builds(lambda model, node: f"{model}:{node}", slugs(), slugs())


_DECISION = st.builds(
    Decision,
    verdict=st.sampled_from(Verdict),
    rationale=texts(min_size=1),
    date=_DATES,
    decided_by=_optional(texts()),
    review_by=st.none() | _DATES,
)
_FUNDING = st.lists(
    st.builds(
        Funding,
        source=texts(min_size=1) | references() | st.sampled_from(["Title I-A", "ESSER"]),
        amount=st.integers(0, 10**9) | st.floats(0, 10**9, allow_nan=False),
        ends=st.none() | _DATES,
    ),
    max_size=3,
)
_ESSA_TIER = st.builds(EssaTier, tier=st.integers(1, 4), source=texts(min_size=1))
_LAGS = st.builds(
    lambda count, unit: f"{count} {unit}" if count == 1 else f"{count} {unit}s",
    st.integers(0, 100),
    st.sampled_from(["day", "week", "month", "year"]),
) | st.sampled_from(["1 months", "36500 days"])


@st.composite
def _initiative_fields(draw: st.DrawFn) -> dict[str, object]:
    """The fields only an initiative carries; a cost given with funding is the funding's sum."""
    funding = draw(_FUNDING)
    if funding and draw(st.booleans()):
        cost: object = funding_total([entry.amount for entry in funding])
    elif funding:
        cost = None
    else:
        cost = draw(st.none() | _AMOUNTS)
    return {
        "cost": cost,
        "reach": draw(st.none() | st.integers(0, REACH_MAX)),
        "decision": draw(st.none() | _DECISION),
        "required": draw(st.none() | st.booleans()),
        "funding": funding,
        "eligible": draw(_ORG_CODES),
        "essa_tier": draw(st.none() | _ESSA_TIER),
    }


@st.composite
def _node(draw: st.DrawFn, node_id: str, cabinet_fields: bool = True) -> Node:
    kind = draw(st.sampled_from(Kind))
    # An outcome is a student learning outcome; the contract rejects one at any other level.
    level = Level.STUDENT if kind is Kind.OUTCOME else draw(st.sampled_from(Level))
    return Node(
        id=node_id,
        level=level,
        kind=kind,
        title=draw(texts(min_size=1)),
        description=draw(_optional(texts())),
        actor=draw(_optional(texts())),
        form=draw(_optional(texts())),
        function=draw(_optional(texts())),
        indicators=draw(_indicators()),
        status=draw(st.sampled_from(Status)),
        tags=draw(st.lists(texts(min_size=1, max_size=10), max_size=3)),
        **(draw(_new_node_fields(kind)) if cabinet_fields else {}),
    )


@st.composite
def _new_node_fields(draw: st.DrawFn, kind: Kind) -> dict[str, object]:
    """The node fields toc 0.2 added (SPEC §1), initiative-only ones on initiatives alone."""
    fields: dict[str, object] = {
        "label": draw(st.none() | texts(min_size=1, max_size=LABEL_MAX)),
        "realizes": draw(st.lists(references(), max_size=2)),
    }
    if kind is Kind.INITIATIVE:
        fields.update(draw(_initiative_fields()))
    return fields


@st.composite
def _model_fields(draw: st.DrawFn) -> dict[str, object]:
    return {
        "scope": draw(st.none() | st.sampled_from(Scope)),
        "org": draw(_optional(texts(min_size=1, max_size=10))),
        "designations": draw(
            st.lists(st.sampled_from(["CSI", "TSI", "ATSI", "Title I"]), max_size=2)
        ),
        "currency": draw(st.none() | st.sampled_from(["USD", "EUR", "CAD"])),
    }


@st.composite
def toc_models(
    draw: st.DrawFn, max_nodes: int = 6, max_links: int = 8, cabinet_fields: bool = True
) -> TheoryOfChange:
    """Valid models: unique node ids, outcomes at the student level only, links between two
    distinct existing nodes with unique effective ids (parallel links carry ids of their own;
    an own id may also spell out the generated `FROM->TO`), and `checks` overrides.

    With `cabinet_fields` (the default) they carry the fields toc 0.2 added, within their
    bounds: model scope, org, designations and currency, node label and realizes, the
    initiative-only fields on initiatives, link lags."""
    node_ids = draw(st.lists(slugs(), max_size=max_nodes, unique=True))
    nodes = [draw(_node(node_id, cabinet_fields)) for node_id in node_ids]
    links: list[Link] = []
    keys: set[str] = set()
    if len(node_ids) >= 2:
        for _ in range(draw(st.integers(0, max_links))):
            source, target = draw(
                st.lists(st.sampled_from(node_ids), min_size=2, max_size=2, unique=True)
            )
            own_id = draw(st.none() | slugs() | st.just(f"{source}->{target}"))
            link = Link.model_validate(
                {
                    "id": own_id,
                    "from": source,
                    "to": target,
                    "type": draw(st.sampled_from(LinkType)),
                    "polarity": draw(st.sampled_from(Polarity)),
                    "because": draw(_optional(texts(max_size=40))),
                    "evidence": draw(st.lists(_EVIDENCE, max_size=3)),
                    "assumptions": draw(st.lists(texts(), max_size=3)),
                }
                | ({"lag": draw(st.none() | _LAGS)} if cabinet_fields else {})
            )
            if link.key not in keys:
                keys.add(link.key)
                links.append(link)
    model = TheoryOfChange(
        id=draw(slugs()),
        title=draw(texts(min_size=1)),
        description=draw(_optional(texts())),
        version=draw(st.none() | st.integers(0, 10**9)),
        nodes=nodes,
        links=links,
        checks=draw(
            st.dictionaries(
                st.sampled_from(sorted(catalogue.codes())),
                st.sampled_from(["off", "error", "warning", "info"]),
                max_size=3,
            )
        ),
        **(draw(_model_fields()) if cabinet_fields else {}),
    )
    # Through the contract once more: a strategy that drifted into invalid models would
    # otherwise make every round-trip test pass or fail for the wrong reason.
    return parse_document(model.to_document())
