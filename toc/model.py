"""The typed toc/1 model: a theory of change, its nodes, links, indicators and evidence."""

from __future__ import annotations

import datetime
import math
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
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

Slug = Annotated[str, StringConstraints(pattern=NODE_ID_PATTERN)]
LinkId = Annotated[str, StringConstraints(pattern=LINK_ID_PATTERN, max_length=257)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE_MAX)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT_MAX)]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=100)]


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
    # Ten ASCII characters with dashes at 4 and 7: of all that `fromisoformat` reads (week,
    # ordinal and compact dates too), only YYYY-MM-DD has that shape; it checks the digits.
    if type(value) is str and len(value) == 10 and value[4] == "-" == value[7] and value.isascii():
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")


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

    @property
    def retired(self) -> bool:
        return self.status is Status.RETIRED


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
    nodes: list[Node] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    checks: dict[str, CheckSetting] = Field(default_factory=dict)

    def node_index(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    def link_index(self) -> dict[str, Link]:
        return {link.key: link for link in self.links}

    def to_document(self) -> dict[str, Any]:
        """The model as a toc/1 JSON document (fields left at None are omitted)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
