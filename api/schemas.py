"""The API's own bodies (beyond the toc/1 document, node and link of the domain core).

`NodeUpdate` and `LinkUpdate` document PATCH bodies: every field optional, `null` resets a
field to its default. The service validates them by building the would-be document, so their
faults are reported like any document's.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, RootModel, WithJsonSchema, create_model

from services.auth import Role
from services.item_types import OBSERVATIONS
from toc.model import (
    Link,
    Measures,
    Node,
    TheoryOfChange,
)

__all__ = [
    "ModelSummary",
    "ModelPage",
    "ModelDocument",
    "ModelUpdate",
    "NodeUpdate",
    "LinkUpdate",
    "NodePage",
    "LinkPage",
    "Chains",
    "Report",
    "Metrics",
    "Inferred",
    "ScorecardRow",
    "Scorecard",
    "FindingCounts",
    "Version",
    "VersionPage",
    "Diff",
    "FieldChange",
    "NewObservation",
    "ObservationBatch",
    "Change",
    "ChangeBatch",
    "ChangeResult",
    "BatchResult",
    "TokenCreate",
    "NewToken",
    "TokenInfo",
    "TokenList",
    "Health",
]


class ModelSummary(BaseModel):
    """A stored model as listings and whole-model writes describe it."""

    id: str
    title: str
    description: str | None = None
    version: int = Field(
        description='Rises by one with every write that changes the model; the ETag is `"VERSION"`.'
    )
    nodes: int = Field(description="How many nodes the model has.")
    links: int = Field(description="How many links the model has.")
    created_at: datetime
    updated_at: datetime
    changed: bool | None = Field(
        default=None,
        description="In a write's answer: whether it made a new version (false: it changed "
        "nothing, and `version` is the current one).",
    )


class ModelPage(BaseModel):
    """One page of a listing; pass `next_cursor` back as `cursor` for the next (null: last page)."""

    items: list[ModelSummary]
    next_cursor: str | None = None


class ModelDocument(TheoryOfChange):
    """A stored model as a toc/1 document; `version` is always present."""


def _update_of(
    item: type[BaseModel], name: str, doc: str, leave_out: tuple[str, ...]
) -> type[BaseModel]:
    """The PATCH body of a toc/1 type: each of its fields optional, `null` to reset one.

    Derived from the type itself, so a field the format grows is a field PATCH documents.
    """
    fields: dict[str, Any] = {}
    for field_name, info in item.model_fields.items():
        if field_name in leave_out:
            continue
        optional = copy.copy(info)
        optional.default = None
        optional.default_factory = None
        fields[field_name] = (Optional[info.annotation], optional)  # noqa: UP045
    model: type[BaseModel] = create_model(
        name,
        __config__=ConfigDict(extra="forbid", populate_by_name=True),
        __doc__=doc,
        __module__=__name__,
        **fields,
    )
    return model


NodeUpdate = _update_of(
    Node,
    "NodeUpdate",
    "Fields of a node to change (`id` cannot change); `null` resets a field to its default.",
    ("id",),
)
LinkUpdate = _update_of(
    Link,
    "LinkUpdate",
    "Fields of a link to change; `null` resets a field to its default. A link with a "
    "generated id follows its ends: new `from`/`to` give it the id `FROM->TO`.",
    (),
)
ModelUpdate = _update_of(
    TheoryOfChange,
    "ModelUpdate",
    "The model's own fields to change; `null` resets a field to its default.",
    ("format", "id", "version", "nodes", "links"),
)


class Chains(BaseModel):
    """The subgraph of an initiative's chains: the nodes and links that lie on them."""

    initiative: str
    nodes: list[Node]
    links: list[Link]


# A finding is `toc.report.Finding` itself: its schema is generated from that type (msgspec)
# into the document's components (`api.openapi`), so a field added there is documented here.
FindingRef = Annotated[dict[str, Any], WithJsonSchema({"$ref": "#/components/schemas/Finding"})]


class FindingCounts(BaseModel):
    """How many findings of each severity."""

    error: int
    warning: int
    info: int


class Metrics(BaseModel):
    """The model's summary metrics (SPEC §3)."""

    model_config = ConfigDict(extra="forbid")

    nodes: int
    links: int
    initiatives: int
    outcomes: int
    anchored_share: float | None = Field(description="Initiatives that reach a student outcome.")
    explained_share: float | None = Field(description="Initiatives with a because-chain.")
    because_share: float | None = Field(description="Links on chains that say why.")
    evidence_share: float | None = Field(description="Links on chains that cite evidence.")
    evidence_strength: dict[str, int | None] = Field(
        description="Each initiative's strongest chain's ESSA tier (1-4), or null."
    )
    findings: FindingCounts
    # SPEC §3's summary for a cabinet (absent from reports made before it).
    standings: dict[str, int] | None = Field(
        default=None, description="Each standing → how many initiatives, zeros included."
    )
    decisions: dict[str, int] | None = Field(
        default=None, description="Each verdict, and `none` → how many initiatives."
    )
    cost_by_standing: dict[str, float] | None = Field(
        default=None, description="Each standing with some cost → the sum of its costs."
    )


class Inferred(BaseModel):
    """An indicator with no stated kind, and what toc reads it as."""

    model_config = ConfigDict(extra="forbid")

    node: str
    indicator: str
    measures: Measures | None


class RatedLinks(BaseModel):
    """How many links of an initiative's chains have an evidence tier, out of all of them."""

    rated: int = Field(description="Links on its chains whose evidence has an ESSA tier.")
    links: int = Field(description="Links on its chains.")


class ScorecardRow(BaseModel):
    """One initiative on the scorecard (SPEC §3): keep, revise, stop or scale it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    standing: Literal["no-chain", "only-lowers", "no-because", "unmeasured", "sound"] = Field(
        description="The plan's logic: the first of these that holds (docs/standings.md)."
    )
    # SPEC §3's flags beside the standing, its data and the cabinet's fields (optional: a
    # report made before them has none).
    mixed: bool | None = Field(default=None, description="It raises some outcome, lowers one.")
    works_against: list[str] | None = Field(
        default=None, description="Initiatives it pushes `-` where they push `+`."
    )
    worked_against_by: list[str] | None = Field(
        default=None, description="Initiatives that push `-` where it pushes `+`."
    )
    progress: Literal["off-track", "stalled", "moving", "no-data", "not-yet"] | None = None
    raises: list[str] = Field(description="The student outcomes its chains raise, by id.")
    lowers: list[str] = Field(description="The student outcomes its chains lower, by id.")
    because_chain: bool
    measured: Literal["leading", "outcome-only", "counts-only", "none"] | None
    evidence: int | None = Field(
        description="The ESSA tier (1-4) of the weakest step of its best-evidenced chain."
    )
    essa_tier: int | None = Field(
        default=None, description="The intervention's own ESSA tier, if recorded."
    )
    rated_links: RatedLinks | None = None
    conflicts: list[str] = Field(description="Nodes where its pressure meets an opposite one.")
    siloed: bool
    decision: Literal["keep", "revise", "stop", "scale"] | None = None
    required: bool | None = None
    cost: int | float | None = Field(default=None, description="A year, in the model's currency.")
    reach: int | None = Field(default=None, description="Students reached a year.")
    cost_per_student: float | None = None
    findings: FindingCounts


class Report(BaseModel):
    """What `toc check --format json` prints (SPEC §3)."""

    model_config = ConfigDict(extra="forbid")

    findings: list[FindingRef]
    metrics: Metrics
    inferred: list[Inferred]
    initiatives: list[ScorecardRow] = Field(description="The scorecard's rows.")
    as_of: date | None = Field(description="The day the checks judged by.")


class Version(BaseModel):
    """One version in a model's history (SPEC §5)."""

    version: int
    at: datetime = Field(description="When the write that made this version was committed.")
    by: str = Field(description="The name of the token that wrote it.")
    note: str | None = Field(description="The `note` the write was sent with, if any.")
    nodes: int
    links: int
    findings: FindingCounts | None = Field(
        description="The findings of this version checked as of the day it was written; null"
        " until the check that follows the write has counted them."
    )


class VersionPage(BaseModel):
    """One page of a model's history, newest first; `next_cursor` as in `ModelPage`."""

    items: list[Version]
    next_cursor: str | None = None


class FieldChange(RootModel[list[Any]]):
    """A field's `[old, new]` values (`null` where absent): any two JSON values."""

    root: list[Any] = Field(min_length=2, max_length=2)


class ItemChanges(BaseModel):
    """Items added, removed (ids, sorted) and changed (id → field → `[old, new]`)."""

    model_config = ConfigDict(extra="forbid")

    added: list[str]
    removed: list[str]
    changed: dict[str, dict[str, FieldChange]]


class FindingChanges(BaseModel):
    """Findings that came (`new`) and went (`resolved`) between the two versions."""

    model_config = ConfigDict(extra="forbid")

    new: list[FindingRef]
    resolved: list[FindingRef]


class Diff(BaseModel):
    """What changed between two versions (SPEC §5): only what changed, ids sorted."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    from_: int | None = Field(alias="from")
    to: int | None
    model: dict[str, FieldChange] = Field(description="The model's own fields that changed.")
    nodes: ItemChanges
    links: ItemChanges
    findings: FindingChanges
    metrics: dict[str, FieldChange]
    initiatives: dict[str, dict[str, FieldChange]] | None = Field(
        default=None, description="Each initiative's scorecard fields that changed."
    )


_OBSERVED = {column.name: column.description for column in OBSERVATIONS.columns}


class NewObservation(BaseModel):
    """One observation of an indicator (SPEC §5), as `POST …/observations` reads it."""

    node: str = Field(description=_OBSERVED["node"])
    indicator: str = Field(description=_OBSERVED["indicator"])
    date: str = Field(description=_OBSERVED["date"])
    value: float = Field(description=_OBSERVED["value"])
    note: str | None = Field(default=None, description=_OBSERVED["note"])


class ObservationBatch(BaseModel):
    """Observations to append, all or nothing (a bare JSON list of them is read as well)."""

    model_config = ConfigDict(extra="forbid")

    observations: list[NewObservation]


class Scorecard(BaseModel):
    """The model's scorecard, one row per initiative that is not retired, in id order."""

    initiatives: list[ScorecardRow]
    version: int


class NodePage(BaseModel):
    """One page of a model's nodes, in the document's order; `next_cursor` as in `ModelPage`."""

    items: list[Node]
    next_cursor: str | None = None


class LinkPage(BaseModel):
    """One page of a model's links, in the document's order; `next_cursor` as in `ModelPage`."""

    items: list[Link]
    next_cursor: str | None = None


class Change(BaseModel):
    """One change of a batch: add, patch or delete one node or link."""

    model_config = ConfigDict(extra="forbid")

    op: Literal["add", "patch", "delete"]
    node: Node | str | None = Field(
        default=None, description="`add`: the node object; `patch`, `delete`: the node's id."
    )
    link: Link | str | None = Field(
        default=None, description="`add`: the link object; `patch`, `delete`: the link's id."
    )
    fields: dict[str, Any] | None = Field(
        default=None,
        description="`patch` only: the fields to change, as in PATCH; `null` resets one.",
    )


class ChangeBatch(BaseModel):
    """Changes applied in order, all or nothing, as one version."""

    model_config = ConfigDict(extra="forbid")

    changes: list[Change] = Field(max_length=10_000)


class ChangeResult(BaseModel):
    """What one change did: the item it touched (its id, generated ones included)."""

    op: Literal["add", "patch", "delete"]
    node: str | None = Field(default=None, description="The node's id.")
    link: str | None = Field(default=None, description="The link's id (generated or its own).")
    changed: bool = Field(description="Whether the change changed anything.")
    item: Node | Link | None = Field(
        default=None, description="The item as stored after an add or a patch."
    )
    links: list[str] | None = Field(
        default=None, description="A deleted node's links, deleted with it (their ids)."
    )


class BatchResult(BaseModel):
    """The batch's answer: the model's version after it, and each change's result in order."""

    id: str
    version: int
    changed: bool = Field(description="Whether the batch made a new version.")
    results: list[ChangeResult]


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role = Field(description="viewer reads; editor also writes; admin also manages tokens.")
    name: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="What the history shows as the author of each version it writes "
        "(default: the role).",
    )
    expires: str | None = Field(
        default=None,
        pattern=r"^[1-9][0-9]{0,5}[hdw]$",
        description="A lifetime such as `12h`, `30d` or `8w`, at most 3,650 days; "
        "none: it never expires.",
    )
    models: list[str] | None = Field(
        default=None,
        min_length=1,
        max_length=1000,
        description="An editor token limited to these models (their ids): it writes only "
        "them, creates no model, and reads every model of the workspace. None: every model.",
    )


class NewToken(BaseModel):
    token: str = Field(description="The new bearer token, shown this once: only its hash is kept.")
    workspace: str
    role: Role
    name: str = Field(description="What the history shows as the author of its writes.")
    expires_at: datetime | None = None
    models: list[str] | None = None


class TokenInfo(BaseModel):
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
    models: list[str] | None = Field(
        default=None, description="The models it may write, when limited; None: every model."
    )


class TokenList(BaseModel):
    items: list[TokenInfo]


class Health(BaseModel):
    status: str = "ok"
