"""The API's own bodies (beyond the toc/1 document, node and link of the domain core).

`NodeUpdate` and `LinkUpdate` document PATCH bodies: every field optional, `null` resets a
field to its default. The service validates them by building the would-be document, so their
faults are reported like any document's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.auth import Role
from toc.model import (
    Evidence,
    Indicator,
    Kind,
    Level,
    Link,
    LinkType,
    Node,
    Polarity,
    Status,
    TheoryOfChange,
)

__all__ = [
    "ModelPublic",
    "ModelPage",
    "ModelDocument",
    "NodeUpdate",
    "LinkUpdate",
    "ChainsPublic",
    "CheckReportPublic",
    "FindingCounts",
    "VersionPublic",
    "VersionPage",
    "DiffPublic",
    "ObservationIn",
    "TokenCreate",
    "TokenPublic",
    "Health",
]


class ModelPublic(BaseModel):
    """A stored model as listings and whole-model writes describe it."""

    id: str
    title: str
    description: str | None = None
    version: int = Field(description='Rises by one with every write; the ETag is `"VERSION"`.')
    nodes: int = Field(description="How many nodes the model has.")
    links: int = Field(description="How many links the model has.")
    created_at: datetime
    updated_at: datetime


class ModelPage(BaseModel):
    """One page of a listing; pass `next_cursor` back as `cursor` for the next (null: last page)."""

    items: list[ModelPublic]
    next_cursor: str | None = None


class ModelDocument(TheoryOfChange):
    """A stored model as a toc/1 document; `version` is always present."""


class NodeUpdate(BaseModel):
    """Fields of a node to change (`id` cannot change); `null` resets a field to its default."""

    model_config = ConfigDict(extra="forbid")

    level: Level | None = None
    kind: Kind | None = None
    title: str | None = None
    description: str | None = None
    actor: str | None = None
    form: str | None = None
    function: str | None = None
    indicators: list[Indicator] | None = None
    status: Status | None = None
    tags: list[str] | None = None


class LinkUpdate(BaseModel):
    """Fields of a link to change; `null` resets a field to its default.

    A link with a generated id follows its ends: new `from`/`to` give it the id `FROM->TO`.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str | None = None
    source: str | None = Field(default=None, alias="from")
    target: str | None = Field(default=None, alias="to")
    type: LinkType | None = None
    polarity: Polarity | None = None
    because: str | None = None
    evidence: list[Evidence] | None = None
    assumptions: list[str] | None = None


class ChainsPublic(BaseModel):
    """The subgraph of an initiative's chains: the nodes and links that lie on them."""

    initiative: str
    nodes: list[Node]
    links: list[Link]


class CheckReportPublic(BaseModel):
    """What `toc check --format json` prints (SPEC §3)."""

    findings: list[dict[str, Any]]
    metrics: dict[str, Any]
    inferred: list[dict[str, Any]]


class FindingCounts(BaseModel):
    error: int
    warning: int
    info: int


class VersionPublic(BaseModel):
    """One version in a model's history (SPEC §5)."""

    version: int
    at: datetime = Field(description="When the write that made this version was committed.")
    by: str = Field(description="The name of the token that wrote it.")
    nodes: int
    links: int
    findings: FindingCounts = Field(
        description="The findings of this version checked as of the day it was written."
    )


class VersionPage(BaseModel):
    """One page of a model's history, newest first; `next_cursor` as in `ModelPage`."""

    items: list[VersionPublic]
    next_cursor: str | None = None


class DiffPublic(BaseModel):
    """What changed between two versions (SPEC §5): only what changed, ids sorted."""

    model_config = ConfigDict(populate_by_name=True)

    from_: int | None = Field(alias="from")
    to: int | None
    model: dict[str, list[Any]]
    nodes: dict[str, Any]
    links: dict[str, Any]
    findings: dict[str, list[dict[str, Any]]]
    metrics: dict[str, list[Any]]
    initiatives: dict[str, dict[str, list[Any]]] = Field(
        default_factory=dict,
        description="Per initiative, the scorecard fields that changed: {field: [old, new]}.",
    )


class ObservationIn(BaseModel):
    """One observation of an indicator (SPEC §5)."""

    node: str = Field(description="The node's id.")
    indicator: str = Field(description="The indicator's `id`, or else its exact `name`.")
    date: str = Field(description="YYYY-MM-DD; a date that has an observation is replaced.")
    value: float
    note: str | None = None


class RatedLinks(BaseModel):
    rated: int = Field(description="Links on its chains whose evidence has an ESSA tier.")
    links: int = Field(description="Links on its chains.")


class ScorecardRow(BaseModel):
    """One initiative on the scorecard (SPEC §3): keep, revise, stop or scale it."""

    id: str
    title: str
    standing: Literal["no-chain", "only-lowers", "no-because", "unmeasured", "sound"] = Field(
        description="The plan's logic: the first of these that holds (docs/standings.md)."
    )
    mixed: bool = Field(description="It raises some outcome and lowers one.")
    works_against: list[str] = Field(
        description="Initiatives it pushes down where they push up, by id."
    )
    worked_against_by: list[str]
    progress: Literal["off-track", "stalled", "moving", "no-data", "not-yet"]
    raises: list[str] = Field(description="The student outcomes its chains raise, by id.")
    lowers: list[str] = Field(description="The student outcomes its chains lower, by id.")
    because_chain: bool
    measured: Literal["leading", "outcome-only", "counts-only", "none"] | None
    evidence: int | None = Field(
        description="The ESSA tier (1-4) of the weakest step of its best-evidenced chain."
    )
    essa_tier: int | None = Field(description="The intervention's own ESSA tier, if recorded.")
    rated_links: RatedLinks
    conflicts: list[str] = Field(description="Nodes where its pressure meets an opposite one.")
    siloed: bool
    decision: Literal["keep", "revise", "stop", "scale"] | None
    required: bool
    cost: int | float | None = Field(description="A year, in the model's currency.")
    reach: int | None = Field(description="Students reached a year.")
    cost_per_student: float | None
    findings: FindingCounts


class ScorecardPublic(BaseModel):
    """The model's scorecard, one row per initiative that is not retired, in id order."""

    initiatives: list[ScorecardRow]
    version: int


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="viewer reads; editor also writes; admin also manages tokens.")
    expires: str | None = Field(
        default=None,
        pattern=r"^[1-9][0-9]{0,5}[hdw]$",
        description="A lifetime such as `12h`, `30d` or `8w`; none: it never expires.",
    )


class TokenPublic(BaseModel):
    token: str = Field(description="The new bearer token, shown this once: only its hash is kept.")
    workspace: str
    role: Role
    expires_at: datetime | None = None


class TokenInfoPublic(BaseModel):
    """A token as listed: never the token itself, nor its hash."""

    id: int
    workspace: str
    role: Role
    name: str | None = None
    created_at: datetime
    expires_at: datetime | None
    state: str = Field(description="`active`, `expired` or `revoked`.")
    server_process: str | None = Field(
        description="`HOST:PID` of the `toc serve` whose sign-in token this is (it ends with it)."
    )


class TokenList(BaseModel):
    items: list[TokenInfoPublic]


class Health(BaseModel):
    status: str = "ok"
