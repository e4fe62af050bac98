"""The typed toc/1 model: a theory of change, its nodes, links, indicators and evidence."""

from __future__ import annotations

import datetime
import math
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)

__all__ = [
    "FORMAT",
    "NODE_ID_PATTERN",
    "LINK_ID_PATTERN",
    "Level",
    "Kind",
    "Status",
    "LinkType",
    "Polarity",
    "Measures",
    "Severity",
    "CheckSetting",
    "Evidence",
    "Observation",
    "Indicator",
    "Scope",
    "Verdict",
    "Decision",
    "Funding",
    "EssaTier",
    "INITIATIVE_ONLY",
    "REFERENCE_PATTERN",
    "DEFAULT_CURRENCY",
    "is_reference",
    "lag_days",
    "lag_problem",
    "Node",
    "Link",
    "TheoryOfChange",
    "LEVEL_ORDER",
    "generated_link_id",
]

FORMAT: Literal["toc/1"] = "toc/1"

NODE_ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,127}$"
_SLUG = r"[a-z0-9][a-z0-9_.-]{0,127}"
# A link id is a slug of its own, or the FROM->TO form toc generates when a link has none.
LINK_ID_PATTERN = rf"^(?:{_SLUG}|{_SLUG}->{_SLUG})$"

# Limits on free text keep one document from swamping the store or the map; they are generous
# for anything a planning team writes by hand.
TITLE_MAX = 300
TEXT_MAX = 10_000
SHORT_TEXT_MAX = 300
LIST_MAX = 200
# An indicator measured weekly for twenty years stays well inside this.
OBSERVATIONS_MAX = 2_000
# A short name the map can draw in a box.
LABEL_MAX = 60
# A trillion a year is more than any state spends on one initiative; a billion students is
# more than any system reaches. Bounds keep a slip of the keyboard from becoming a figure.
COST_MAX = 10**12
REACH_MAX = 10**9
# A link's lag: at most a hundred years.
LAG_MAX_DAYS = 100 * 365
ORG_MAX = 100
DEFAULT_CURRENCY = "USD"

Slug = Annotated[str, StringConstraints(pattern=NODE_ID_PATTERN)]
LinkId = Annotated[str, StringConstraints(pattern=LINK_ID_PATTERN, max_length=257)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE_MAX)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT_MAX)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=100)]
# `MODEL:NODE`: a node of another model of the portfolio. `:` cannot occur in an id, so a
# reference splits into its two ids one way only.
REFERENCE_PATTERN = rf"^{_SLUG}:{_SLUG}$"
_REFERENCE = re.compile(rf"{_SLUG}:{_SLUG}")
Reference = Annotated[str, StringConstraints(pattern=REFERENCE_PATTERN)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=LABEL_MAX)]
OrgCode = Annotated[str, StringConstraints(min_length=1, max_length=ORG_MAX)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
NonEmptyText = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
NonEmptyShortText = Annotated[str, StringConstraints(min_length=1, max_length=SHORT_TEXT_MAX)]


def is_reference(text: str) -> bool:
    """Whether `text` is a `MODEL:NODE` reference (both parts ids).

    >>> is_reference("state-plan:coaching-grant"), is_reference("Title I-A")
    (True, False)
    """
    return _REFERENCE.fullmatch(text) is not None


class Level(StrEnum):
    """The three levels of a change chain, from the top of the system down to students."""

    SYSTEM = "system"
    TEACHER = "teacher"
    STUDENT = "student"


LEVEL_ORDER: dict[Level, int] = {Level.SYSTEM: 0, Level.TEACHER: 1, Level.STUDENT: 2}


class Kind(StrEnum):
    INITIATIVE = "initiative"
    CHANGE = "change"
    OUTCOME = "outcome"


class Status(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    RETIRED = "retired"


class LinkType(StrEnum):
    LEADS_TO = "leads_to"
    FEEDBACK = "feedback"


class Polarity(StrEnum):
    PLUS = "+"
    MINUS = "-"


class Measures(StrEnum):
    COUNT = "count"
    FIDELITY = "fidelity"
    CHANGE = "change"
    OUTCOME = "outcome"


class Scope(StrEnum):
    """Whose plan a model is (SPEC §6 ranks them: state above district and network, then school)."""

    STATE = "state"
    DISTRICT = "district"
    SCHOOL = "school"
    NETWORK = "network"


class Verdict(StrEnum):
    """The cabinet's call on an initiative."""

    KEEP = "keep"
    REVISE = "revise"
    STOP = "stop"
    SCALE = "scale"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


CheckSetting = Literal["off", "error", "warning", "info"]


class _Strict(BaseModel):
    # Unknown fields are contract faults: a misspelt "becuase" must not vanish silently.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False)


class Evidence(_Strict):
    """A source for a link's `because`, rated on the US ESSA evidence tiers."""

    citation: Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
    url: ShortText | None = None
    tier: Annotated[int, Field(ge=1, le=4, strict=True)] | None = None
    note: Text | None = None


def _number(value: Any) -> int | float:
    # bool is an int to Python, but `true` is not a measurement.
    if type(value) is int:
        return value
    if type(value) is float:
        # NaN equals nothing, itself included, and no format but Python's JSON can carry it.
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        return value
    raise ValueError(f"expected a number, got {_json_kind(value)}")


def _number_or_text(value: Any) -> int | float | str:
    if type(value) is str:
        if len(value) > SHORT_TEXT_MAX:
            raise ValueError(f"too long: {len(value)} characters, at most {SHORT_TEXT_MAX}")
        return value
    if type(value) in (int, float):
        return _number(value)
    raise ValueError(f"expected a number or a text, got {_json_kind(value)}")


def _iso_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if type(value) is str and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")


def _bounded(value: Any, most: int) -> int | float:
    number = _number(value)
    if number < 0:
        raise ValueError(f"cannot be negative, got {value!r}")
    if number > most:
        raise ValueError(f"at most {most:,}, got {value!r}")
    return number


def _amount(value: Any) -> int | float:
    return _bounded(value, COST_MAX)


def _reach(value: Any) -> int:
    # A count of students is whole; `true` and `3.0` are not counts.
    if type(value) is not int:
        shown = _json_kind(value) if type(value) is not float else repr(value)
        raise ValueError(f"expected a whole number of students, got {shown}")
    return int(_bounded(value, REACH_MAX))


_LAG_UNITS = {"day": 1, "week": 7, "month": 30, "year": 365}
_LAG = re.compile(r"(\d{1,9}) (day|week|month|year)(s?)")
_LOOSE_LAG = re.compile(r"\s*(\d+)\s*([A-Za-z]+)\.?\s*")


def lag_days(lag: str) -> int:
    """A link's `lag` in days (a week is 7, a month 30, a year 365).

    Raises `ValueError` when `lag` is not one (`lag_problem` says why).

    >>> lag_days("2 years"), lag_days("1 month"), lag_days("6 weeks")
    (730, 30, 42)
    """
    problem = lag_problem(lag)
    if problem is not None:
        raise ValueError(problem)
    match = _LAG.fullmatch(lag)
    assert match is not None
    return int(match[1]) * _LAG_UNITS[match[2]]


def lag_problem(lag: str) -> str | None:
    """What is wrong with a `lag`, with the nearest correct spelling where one is close; None
    when it reads.

    >>> print(lag_problem("3 mnths"))  # doctest: +NORMALIZE_WHITESPACE
    '3 mnths' is not a lag: write N days, N weeks, N months or N years, N in digits;
    did you mean '3 months'?
    """
    match = _LAG.fullmatch(lag)
    if match is not None:
        count, unit, plural = int(match[1]), match[2], match[3]
        if count * _LAG_UNITS[unit] > LAG_MAX_DAYS:
            return f"a lag is at most 100 years, got {lag!r}"
        if count == 1 or plural:
            return None
    from toc.suggest import nearest  # toc.suggest imports nothing of the model

    hint = ""
    loose = _LOOSE_LAG.fullmatch(lag)
    if loose is not None:
        count = int(loose[1])
        units = [f"{unit}s" for unit in _LAG_UNITS] + (list(_LAG_UNITS) if count == 1 else [])
        unit_found = nearest(loose[2].lower(), units)
        if unit_found is not None:
            hint = f"; did you mean '{count} {unit_found}'?"
    return f"{lag!r} is not a lag: write N days, N weeks, N months or N years, N in digits{hint}"


def _lag(value: str) -> str:
    problem = lag_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


# The only way a toc/1 date is written: ASCII digits, dashes, nothing else. Python's
# `date.fromisoformat` also reads week dates (`2020-W01-1`) and compact ones (`20200101`), which
# would be canonicalised to another text than the one given (and then clash with one already
# written for that day), so the text is matched first.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(value: Any) -> datetime.date:
    """A toc/1 date: a `date`, or text written `YYYY-MM-DD` and nothing else; ValueError else.

    >>> parse_iso_date("2026-06-30")
    datetime.date(2026, 6, 30)
    >>> parse_iso_date("2020-W01-1")
    Traceback (most recent call last):
    ...
    ValueError: expected a date written YYYY-MM-DD, got '2020-W01-1'
    """
    return _iso_date(value)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    kinds: dict[type, str] = {str: "a string", list: "an array", dict: "an object"}
    return kinds.get(type(value), "a number")


# Checked before pydantic's own validation, so that a wrong value gets one message in the
# document's terms rather than one per member of a union.
Number = Annotated[int | float, BeforeValidator(_number), WithJsonSchema({"type": "number"})]
# Baselines and targets may be texts ("most classrooms"): only numbers take part in progress.
NumberOrText = Annotated[
    int | float | str,
    BeforeValidator(_number_or_text),
    WithJsonSchema(
        {"anyOf": [{"type": "number"}, {"type": "string", "maxLength": SHORT_TEXT_MAX}]}
    ),
]
IsoDate = Annotated[
    datetime.date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]


Amount = Annotated[
    int | float,
    BeforeValidator(_amount),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": COST_MAX}),
]
Reach = Annotated[
    int,
    BeforeValidator(_reach),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": REACH_MAX}),
]
_LAG_SCHEMA_PATTERN = r"^(?:0*1 (?:day|week|month|year)|\d{1,9} (?:days|weeks|months|years))$"
Lag = Annotated[
    str,
    AfterValidator(_lag),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _LAG_SCHEMA_PATTERN,
            "description": "N days, N weeks, N months or N years (N in digits), at most 100 years",
        }
    ),
]


class Decision(_Strict):
    """The cabinet's call on an initiative: what, why, when, by whom, and when to look again."""

    verdict: Verdict
    rationale: NonEmptyText
    date: IsoDate
    decided_by: ShortText | None = None
    review_by: IsoDate | None = None


class Funding(_Strict):
    """One source of an initiative's money: a grant or budget line, or a `MODEL:NODE`
    reference to the initiative of another model that passes the money through."""

    source: NonEmptyShortText
    amount: Amount
    ends: IsoDate | None = None

    @property
    def reference(self) -> str | None:
        """The `MODEL:NODE` the money passes through from, or None for a plain source."""
        return self.source if is_reference(self.source) else None


class EssaTier(_Strict):
    """The intervention's own ESSA evidence determination, and who made it (a WWC review...)."""

    tier: Annotated[int, Field(ge=1, le=4, strict=True)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=1_000)]


class Observation(_Strict):
    """One measured value of an indicator on one date."""

    date: IsoDate
    value: Number
    note: Text | None = None


class Indicator(_Strict):
    """How a node is tracked; `measures` says what kind of signal it is."""

    id: Slug | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=SHORT_TEXT_MAX)]
    measures: Measures | None = None
    target: NumberOrText | None = None
    baseline: NumberOrText | None = None
    source: ShortText | None = None
    cadence: ShortText | None = None
    # Left out of a written document when empty: most indicators carry no data, and documents
    # written before observations existed stay byte for byte the same.
    observations: Annotated[list[Observation], Field(max_length=OBSERVATIONS_MAX)] = Field(
        default_factory=list, exclude_if=lambda observations: not observations
    )

    @field_validator("observations")
    @classmethod
    def _by_date(cls, observations: list[Observation]) -> list[Observation]:
        # "Latest" always means the latest date, whatever order the document gave.
        return sorted(observations, key=lambda observation: observation.date)


class Node(_Strict):
    """Something the system does, an intended change at a level, or a student outcome."""

    id: Slug
    level: Level
    kind: Kind
    title: Title
    description: Text | None = None
    actor: ShortText | None = None
    form: Text | None = None
    function: Text | None = None
    indicators: Annotated[list[Indicator], Field(max_length=LIST_MAX)] = Field(default_factory=list)
    status: Status = Status.ACTIVE
    tags: Annotated[list[Tag], Field(max_length=LIST_MAX)] = Field(default_factory=list)
    # Added in toc 0.2 (docs/format.md). Lists are left out of a written document when
    # empty, so documents written before them stay byte for byte the same.
    label: Label | None = None
    realizes: Annotated[list[Reference], Field(max_length=LIST_MAX)] = Field(
        default_factory=list, exclude_if=lambda references: not references
    )
    # Initiatives only (INITIATIVE_ONLY):
    cost: Amount | None = None
    reach: Reach | None = None
    decision: Decision | None = None
    required: Annotated[bool, Field(strict=True)] | None = None
    funding: Annotated[list[Funding], Field(max_length=LIST_MAX)] = Field(
        default_factory=list, exclude_if=lambda funding: not funding
    )
    eligible: Annotated[list[OrgCode], Field(max_length=LIST_MAX)] = Field(
        default_factory=list, exclude_if=lambda codes: not codes
    )
    essa_tier: EssaTier | None = None

    @model_validator(mode="after")
    def _initiative_fields(self) -> Node:
        # toc.document reports these with their paths, beside every other problem of the
        # document; this keeps a Node built in code to the same contract.
        problems = initiative_field_problems(self)
        if problems:
            said = "; ".join(message for _, message in problems)
            raise ValueError(said)
        return self

    @property
    def retired(self) -> bool:
        return self.status is Status.RETIRED

    @property
    def annual_cost(self) -> int | float | None:
        """What the initiative costs a year: its `cost`, else the sum of its `funding`, else
        None (not given)."""
        if self.cost is not None:
            return self.cost
        if self.funding:
            return funding_total([entry.amount for entry in self.funding])
        return None


# The fields only an initiative may carry (SPEC §1).
INITIATIVE_ONLY = ("cost", "reach", "decision", "required", "funding", "eligible", "essa_tier")


def funding_total(amounts: list[int | float]) -> int | float:
    """The sum of funding amounts: whole when they all are, else the exact float sum."""
    if all(type(amount) is int for amount in amounts):
        return sum(amounts)
    return math.fsum(amounts)


def cost_differs(cost: int | float, amounts: list[int | float]) -> bool:
    """Whether a `cost` is not the sum of its funding amounts (to a millionth, for floats)."""
    return not math.isclose(cost, funding_total(amounts), rel_tol=1e-9, abs_tol=1e-6)


def _shown(number: int | float) -> str:
    return f"{number:,}" if type(number) is int or float(number).is_integer() else f"{number:,.2f}"


def initiative_field_problems(node: Any) -> list[tuple[str, str]]:
    """(field, message) for each initiative-only field on a node that is not an initiative,
    and for a `cost` that is not the sum of the node's `funding`.

    `node` is a `Node` or any object with its attributes (the fast reader's structs).
    """
    found: list[tuple[str, str]] = []
    kind = str(node.kind)
    if kind != Kind.INITIATIVE:
        for field in INITIATIVE_ONLY:
            value = getattr(node, field)
            if value is not None and value != []:
                found.append(
                    (
                        field,
                        f"{field!r} is for initiatives only, and node {node.id!r} is a {kind}",
                    )
                )
        return found
    if node.cost is not None and node.funding:
        amounts = [entry.amount for entry in node.funding]
        if cost_differs(node.cost, amounts):
            found.append(
                (
                    "cost",
                    f"cost {_shown(node.cost)} is not the sum of its funding, "
                    f"{_shown(funding_total(amounts))}: when funding is given, cost is its sum "
                    "(correct one of them, or leave cost out)",
                )
            )
    return found


def generated_link_id(source: str, target: str) -> str:
    """The id toc gives a link that has none of its own."""
    return f"{source}->{target}"


class Link(_Strict):
    """A step in a change chain: `from` should produce `to`, because of a mechanism."""

    id: LinkId | None = None
    source: Slug = Field(alias="from")
    target: Slug = Field(alias="to")
    type: LinkType = LinkType.LEADS_TO
    polarity: Polarity = Polarity.PLUS
    because: Text | None = None
    evidence: Annotated[list[Evidence], Field(max_length=LIST_MAX)] = Field(default_factory=list)
    assumptions: Annotated[list[Text], Field(max_length=LIST_MAX)] = Field(default_factory=list)
    # Added in toc 0.2: how long the step takes to show in its target.
    lag: Lag | None = None

    @property
    def lag_days(self) -> int | None:
        """The link's `lag` in days, or None when it has none."""
        return lag_days(self.lag) if self.lag is not None else None

    @property
    def key(self) -> str:
        """The link's id in the model: its own, or the generated `FROM->TO`."""
        return self.id if self.id is not None else generated_link_id(self.source, self.target)

    @property
    def has_because(self) -> bool:
        return bool(self.because and self.because.strip())

    @property
    def best_tier(self) -> int | None:
        """The best (lowest) ESSA tier among the link's evidence; None when none is rated."""
        tiers = [e.tier for e in self.evidence if e.tier is not None]
        return min(tiers) if tiers else None


class TheoryOfChange(_Strict):
    """One theory of change: the toc/1 document, parsed and validated."""

    format: Literal["toc/1"] = FORMAT
    id: Slug
    title: Title
    description: Text | None = None
    version: Annotated[int, Field(ge=0, strict=True)] | None = None
    # Added in toc 0.2: whose plan this is (SPEC §6), and the unit of its initiatives' cost.
    scope: Scope | None = None
    org: OrgCode | None = None
    designations: Annotated[list[Tag], Field(max_length=LIST_MAX)] = Field(
        default_factory=list, exclude_if=lambda designations: not designations
    )
    currency: Currency | None = None
    nodes: list[Node] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    checks: dict[str, CheckSetting] = Field(default_factory=dict)

    @property
    def cost_currency(self) -> str:
        """The unit of the initiatives' `cost`: the model's `currency`, `USD` when absent."""
        return self.currency or DEFAULT_CURRENCY

    def node_index(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    def to_document(self) -> dict[str, Any]:
        """The model as a toc/1 JSON document (fields left at None are omitted)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
