"""The store's tables: workspaces, hashed tokens, models, nodes and links as rows, cached reports.

A node or a link is one row holding its toc/1 JSON (`data`) beside the columns the service
queries by, so one node can be read or changed without rewriting its model and a whole model
loads in three queries. `position` keeps the document's order, so export gives back the
order a team wrote.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "Workspace",
    "ApiToken",
    "StoredModel",
    "StoredNode",
    "StoredLink",
    "CheckReport",
    "ModelVersion",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Workspace(SQLModel, table=True):
    __tablename__ = "workspace"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """A bearer token: only its SHA-256 is kept, never the token itself."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    role: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    # What the history shows as the author of each version this token writes.
    name: str = Field(default="", max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
    # When it stops working, in Unix seconds (UTC): an integer compares alike in SQLite and
    # PostgreSQL, from SQLAlchemy and from the hot path's raw connections. None: never.
    expires_at: int | None = Field(default=None)
    # When it was revoked; a revoked token is kept (listed as such) but refused.
    revoked_at: datetime | None = Field(default=None)
    # The server process (`HOST:PID`) a `toc serve` sign-in token lives as long as.
    server_process: str | None = Field(default=None, max_length=300)


class StoredModel(SQLModel, table=True):
    """One theory of change of a workspace; `version` rises by one with every write."""

    __tablename__ = "toc_model"
    __table_args__ = (UniqueConstraint("workspace_id", "slug", name="uq_toc_model_workspace_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    workspace_id: int = Field(
        sa_column=Column(Integer, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False)
    )
    slug: str = Field(max_length=128)
    title: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    # The document's per-model check settings, as JSON text ("{}" when none).
    checks: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    # The document's other model fields (scope, org, designations, currency: SPEC §1), as a
    # JSON object's members without braces, spliced into the document as they are; None: none.
    fields: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class StoredNode(SQLModel, table=True):
    __tablename__ = "toc_node"
    __table_args__ = (
        UniqueConstraint("model_id", "node_id", name="uq_toc_node_model_node"),
        Index("ix_toc_node_model_position", "model_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(
        sa_column=Column(Integer, ForeignKey("toc_model.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    node_id: str = Field(max_length=128)
    level: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    status: str = Field(max_length=16)
    # The node's toc/1 JSON object, exactly as it appears in the document.
    data: str = Field(sa_column=Column(Text, nullable=False))


class StoredLink(SQLModel, table=True):
    __tablename__ = "toc_link"
    __table_args__ = (
        UniqueConstraint("model_id", "link_key", name="uq_toc_link_model_key"),
        Index("ix_toc_link_model_position", "model_id", "position"),
    )

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(
        sa_column=Column(Integer, ForeignKey("toc_model.id", ondelete="CASCADE"), nullable=False)
    )
    position: int
    # The link's id in the model: its own, or the generated FROM->TO.
    link_key: str = Field(max_length=257)
    source: str = Field(max_length=128)
    target: str = Field(max_length=128)
    type: str = Field(max_length=16)
    data: str = Field(sa_column=Column(Text, nullable=False))


class CheckReport(SQLModel, table=True):
    """The check report of a model at one version: repeated checks cost no graph work."""

    __tablename__ = "toc_check_report"

    model_id: int = Field(
        sa_column=Column(Integer, ForeignKey("toc_model.id", ondelete="CASCADE"), primary_key=True)
    )
    version: int
    # The check date (YYYY-MM-DD) the report was computed for: TOC701 depends on it, so a
    # report is served only on the day it was computed for.
    as_of: str = Field(default="", max_length=10)
    report: str = Field(sa_column=Column(Text, nullable=False))


class ModelVersion(SQLModel, table=True):
    """One version of a model, whole and immutable: its document compressed, who wrote it, when.

    `document` is the zlib-compressed canonical toc/1 JSON (without `version`); the findings
    counts are filled the first time the history is listed (a check of that version as of the
    day it was written), so a write never pays for a check.
    """

    __tablename__ = "toc_model_version"

    model_id: int = Field(
        sa_column=Column(Integer, ForeignKey("toc_model.id", ondelete="CASCADE"), primary_key=True)
    )
    version: int = Field(primary_key=True)
    at: datetime = Field(default_factory=utcnow)
    by: str = Field(default="", max_length=128)
    nodes: int
    links: int
    document: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    errors: int | None = None
    warnings: int | None = None
    infos: int | None = None
