"""Reading a toc/1 document fast: typed structs straight from bytes, for documents that are valid.

The pydantic model (`toc.model`) stays the one source of truth for the contract and its JSON
Schema; the structs here mirror it field by field, and a property test proves that both
accept and reject the same documents. A document the structs or the cross-item rules reject
is read again by the full validator (`toc.document`), so the error report — every problem,
with its path — is the one it has always been; only valid documents take the fast road.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from toc.document import load_json
from toc.limits import DEFAULT_LIMITS, Limits
from toc.model import (
    COST_MAX,
    DEFAULT_CURRENCY,
    LABEL_MAX,
    LIST_MAX,
    OBSERVATIONS_MAX,
    ORG_MAX,
    REACH_MAX,
    SHORT_TEXT_MAX,
    TEXT_MAX,
    TITLE_MAX,
    TheoryOfChange,
    cost_differs,
    funding_total,
    is_reference,
    lag_days,
    lag_problem,
)

__all__ = ["read_document", "read_fast", "FastDocument"]

# `\Z`, not `$`: Python's `$` also matches before a final newline, the model's patterns do not.
_SLUG = r"[a-z0-9][a-z0-9_.-]{0,127}"
Slug = Annotated[str, msgspec.Meta(pattern=rf"^{_SLUG}\Z")]
LinkId = Annotated[str, msgspec.Meta(pattern=rf"^(?:{_SLUG}|{_SLUG}->{_SLUG})\Z", max_length=257)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]
Text = Annotated[str, msgspec.Meta(max_length=TEXT_MAX)]
ShortText = Annotated[str, msgspec.Meta(max_length=SHORT_TEXT_MAX)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=SHORT_TEXT_MAX)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Number = int | float
NumberOrText = int | float | ShortText
Measures = Literal["count", "fidelity", "change", "outcome"]
Reference = Annotated[str, msgspec.Meta(pattern=rf"^{_SLUG}:{_SLUG}\Z")]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=LABEL_MAX)]
OrgCode = Annotated[str, msgspec.Meta(min_length=1, max_length=ORG_MAX)]
NonEmptyText = Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)]
Amount = (
    Annotated[int, msgspec.Meta(ge=0, le=COST_MAX)]
    | Annotated[float, msgspec.Meta(ge=0, le=COST_MAX)]
)


class FastLag(str):
    """A link's `lag`, checked as it is decoded (by `_decode_hook`): links without one cost
    nothing."""

    __slots__ = ()


def _decode_hook(kind: type, value: Any) -> Any:
    if kind is FastLag and type(value) is str and lag_problem(value) is None:
        return FastLag(value)
    raise ValueError("not a lag")


class _Struct(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    pass


class FastEvidence(_Struct):
    citation: Annotated[str, msgspec.Meta(min_length=1, max_length=1_000)]
    url: ShortText | None = None
    tier: Annotated[int, msgspec.Meta(ge=1, le=4)] | None = None
    note: Text | None = None


class FastObservation(_Struct):
    date: datetime.date
    value: Number
    note: Text | None = None


class FastIndicator(_Struct):
    name: Name
    id: Slug | None = None
    measures: Measures | None = None
    target: NumberOrText | None = None
    baseline: NumberOrText | None = None
    source: ShortText | None = None
    cadence: ShortText | None = None
    observations: Annotated[list[FastObservation], msgspec.Meta(max_length=OBSERVATIONS_MAX)] = []


class FastDecision(_Struct):
    verdict: Literal["keep", "revise", "stop", "scale"]
    rationale: NonEmptyText
    date: datetime.date
    decided_by: ShortText | None = None
    review_by: datetime.date | None = None


class FastFunding(_Struct):
    source: Name
    amount: Amount
    ends: datetime.date | None = None

    @property
    def reference(self) -> str | None:
        """As `toc.model.Funding.reference`."""
        return self.source if is_reference(self.source) else None


class FastEssaTier(_Struct):
    tier: Annotated[int, msgspec.Meta(ge=1, le=4)]
    source: Annotated[str, msgspec.Meta(min_length=1, max_length=1_000)]


class _FastNodeBase(_Struct, tag_field="kind"):
    """A node; `kind` picks its struct (a tagged union), so the fields only an initiative may
    carry are unknown fields on the others and an outcome's level can only be `student`:
    the decoder enforces both, at no cost to a node that keeps to them."""

    id: Slug
    level: Literal["system", "teacher", "student"]
    title: Title
    description: Text | None = None
    actor: ShortText | None = None
    form: Text | None = None
    function: Text | None = None
    indicators: Annotated[list[FastIndicator], msgspec.Meta(max_length=LIST_MAX)] = []
    status: Literal["planned", "active", "retired"] = "active"
    tags: Annotated[list[Tag], msgspec.Meta(max_length=LIST_MAX)] = []
    label: Label | None = None
    realizes: Annotated[list[Reference], msgspec.Meta(max_length=LIST_MAX)] = []


class FastInitiative(_FastNodeBase, tag="initiative"):
    kind: ClassVar[Literal["initiative"]] = "initiative"
    cost: Amount | None = None
    reach: Annotated[int, msgspec.Meta(ge=0, le=REACH_MAX)] | None = None
    decision: FastDecision | None = None
    required: bool | None = None
    funding: Annotated[list[FastFunding], msgspec.Meta(max_length=LIST_MAX)] = []
    eligible: Annotated[list[OrgCode], msgspec.Meta(max_length=LIST_MAX)] = []
    essa_tier: FastEssaTier | None = None

    def __post_init__(self) -> None:
        # When funding is given, a cost is its sum (runs for initiatives alone).
        amounts = [entry.amount for entry in self.funding]
        if amounts and self.cost is not None and cost_differs(self.cost, amounts):
            raise ValueError("cost is not the sum of its funding")

    @property
    def annual_cost(self) -> int | float | None:
        """As `toc.model.Node.annual_cost`."""
        if self.cost is not None:
            return self.cost
        if self.funding:
            return funding_total([entry.amount for entry in self.funding])
        return None


class _NotInitiative(_FastNodeBase):
    # What an initiative's fields read as on any other node: absent.
    cost: ClassVar[None] = None
    reach: ClassVar[None] = None
    decision: ClassVar[None] = None
    required: ClassVar[None] = None
    funding: ClassVar[tuple[()]] = ()
    eligible: ClassVar[tuple[()]] = ()
    essa_tier: ClassVar[None] = None
    annual_cost: ClassVar[None] = None


class FastChange(_NotInitiative, tag="change"):
    kind: ClassVar[Literal["change"]] = "change"


class FastOutcome(_NotInitiative, tag="outcome"):
    kind: ClassVar[Literal["outcome"]] = "outcome"
    level: Literal["student"]  # an outcome is a student learning outcome


FastNode = FastInitiative | FastChange | FastOutcome


class FastLink(_Struct):
    source: Slug = msgspec.field(name="from")
    target: Slug = msgspec.field(name="to")
    id: LinkId | None = None
    type: Literal["leads_to", "feedback"] = "leads_to"
    polarity: Literal["+", "-"] = "+"
    because: Text | None = None
    evidence: Annotated[list[FastEvidence], msgspec.Meta(max_length=LIST_MAX)] = []
    assumptions: Annotated[list[Text], msgspec.Meta(max_length=LIST_MAX)] = []
    lag: FastLag | None = None

    @property
    def lag_days(self) -> int | None:
        """As `toc.model.Link.lag_days`."""
        return lag_days(self.lag) if self.lag is not None else None


class FastDocument(_Struct, dict=True):
    """A valid document as structs. `read_fast` also leaves on it `link_ends`: each link's
    ends as positions in `nodes`, which spares the check engine hashing every id again."""

    id: Slug
    title: Title
    format: Literal["toc/1"] = "toc/1"
    description: Text | None = None
    version: Annotated[int, msgspec.Meta(ge=0)] | None = None
    scope: Literal["state", "district", "school", "network"] | None = None
    org: OrgCode | None = None
    designations: Annotated[list[Tag], msgspec.Meta(max_length=LIST_MAX)] = []
    currency: Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}\Z")] | None = None
    nodes: list[FastNode] = []
    links: list[FastLink] = []
    checks: dict[str, Literal["off", "error", "warning", "info"]] = {}

    @property
    def cost_currency(self) -> str:
        """As `toc.model.TheoryOfChange.cost_currency`."""
        return self.currency or DEFAULT_CURRENCY


_DECODER = msgspec.json.Decoder(FastDocument, dec_hook=_decode_hook)


def read_fast(data: bytes, limits: Limits = DEFAULT_LIMITS) -> FastDocument | None:
    """The document as structs when it is valid, None when anything is wrong with it (or it
    holds more than `limits` allow: the full validator then says so).

    msgspec refuses integers beyond 64 bits and JSON nested past its own depth limit; both
    leave the document to the full validator, which rejects them with a path.
    """
    try:
        document = _DECODER.decode(data)
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None
    if not _within(document, limits):
        return None
    return _cross_item_rules_hold(document)


def _within(document: FastDocument, limits: Limits) -> bool:
    nodes = document.nodes
    if len(nodes) > limits.max_nodes or len(document.links) > limits.max_links:
        return False
    indicators = [indicator for node in nodes for indicator in node.indicators]
    if len(indicators) > limits.max_indicators:
        return False
    return sum(len(indicator.observations) for indicator in indicators) <= limits.max_observations


def _cross_item_rules_hold(document: FastDocument) -> FastDocument | None:
    """The rules that span items, as `toc.document` states them; None when one is broken.

    A document that keeps them is given its `link_ends`."""
    from toc.checks import catalogue  # the catalogue decides which codes a document may name

    nodes = document.nodes
    position = {node.id: number for number, node in enumerate(nodes)}
    if len(position) != len(nodes):
        return None
    # An outcome's level, the initiative-only fields and a cost that is its funding's sum
    # were held to as the nodes were decoded (FastInitiative, FastOutcome).
    for indicators in [node.indicators for node in nodes]:
        if (
            indicators
            and (len(indicators) > 1 or indicators[0].observations)
            and not _indicators_hold(indicators)
        ):
            return None
    links = document.links
    get = position.get
    sources = [get(link.source) for link in links]
    targets = [get(link.target) for link in links]
    if None in sources or None in targets:
        return None
    ends = zip(sources, targets, strict=True)
    if any(source == target for source, target in ends):
        return None
    # Own ids and generated FROM->TO ids share one namespace; each must be unique in it. With
    # no own ids, FROM->TO is unique when the pair is (an id cannot hold '>', so the text
    # splits back into its pair one way only).
    own = [link.id for link in links]
    if own.count(None) == len(own):
        size = len(nodes)
        pairs = {source * size + target for source, target in zip(sources, targets, strict=True)}  # type: ignore[operator]
        if len(pairs) != len(links):
            return None
    else:
        link_ids = {
            key if key is not None else f"{link.source}->{link.target}"
            for key, link in zip(own, links, strict=True)
        }
        if len(link_ids) != len(links):
            return None
    if document.checks and not set(document.checks) <= catalogue.codes():
        return None
    document.link_ends = (sources, targets)  # type: ignore[attr-defined]
    return document


def _indicators_hold(indicators: list[FastIndicator]) -> bool:
    """Indicator ids unique within their node, one observation per date; sorts by date."""
    ids = [indicator.id for indicator in indicators if indicator.id is not None]
    if len(set(ids)) != len(ids):
        return False
    for indicator in indicators:
        observations = indicator.observations
        if len(observations) > 1:
            dates = [observation.date for observation in observations]
            if len(set(dates)) != len(dates):
                return False
            # "Latest" always means the latest date, as the model keeps them.
            observations.sort(key=lambda observation: observation.date)
    return True


def read_document(data: bytes, limits: Limits = DEFAULT_LIMITS) -> FastDocument | TheoryOfChange:
    """A valid toc/1 document from JSON bytes, for checking: structs on the fast road (a valid
    document never becomes pydantic objects), else the full model.

    Raises `DocumentRejected`, exactly as `toc.read` does, when it is not valid. What it gives
    is checked by `toc.check` as the model would be; to edit or write a model, use `toc.read`.

    >>> read_document(b'{"id": "m", "title": "M"}').title
    'M'
    """
    document = read_fast(data, limits)
    if document is not None:
        return document
    return load_json(data, limits)
