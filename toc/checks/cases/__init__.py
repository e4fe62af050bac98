"""Named passing and failing models per check: the catalogue's test data and its docs' examples."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "CheckCase",
    "load_cases",
    "case_document",
    "case_documents",
    "case_findings",
    "finding_subject",
]


CASE_DATE = datetime.date(2026, 6, 30)


@dataclass(frozen=True)
class CheckCase:
    """One model and the subjects one check must name on it (none, for a passing case).

    A finding that names an indicator too (TOC701, TOC702) is expected as `node/indicator`.
    """

    code: str
    name: str
    model: dict[str, Any]
    expect: list[str]
    expect_groups: list[list[str]] | None
    doc: str | None
    description: str
    # The check date, for checks that read one (TOC108, TOC701); a case that names none is
    # checked as of CASE_DATE, so that no case's result depends on the day it runs.
    as_of: datetime.date | None = None
    # TOC501: each finding's `pushers`, in the findings' order.
    expect_pushers: list[dict[str, list[str]]] | None = None
    # Each finding's message, in the findings' order: what a user reads, pinned.
    expect_messages: list[str] | None = None
    # TOC402: each finding's `loop`, in the findings' order.
    expect_loops: list[str] | None = None
    # A portfolio case (SPEC §6): several models, each a whole document but for `format`;
    # `model` is then empty and subjects are `MODEL:NODE`.
    models: list[dict[str, Any]] | None = None

    @property
    def passes(self) -> bool:
        return not self.expect


def case_document(case: CheckCase) -> dict[str, Any]:
    """The case's model as a full toc/1 document (cases leave out format, id and title)."""
    return {"format": "toc/1", "id": "case", "title": case.name, **case.model}


def case_documents(case: CheckCase) -> list[dict[str, Any]]:
    """Every toc/1 document of a case: its one model, or a portfolio case's models."""
    if case.models is None:
        return [case_document(case)]
    return [{"format": "toc/1", **model} for model in case.models]


def case_findings(case: CheckCase) -> list[Any]:
    """The findings of the case's check on its model, or on its portfolio."""
    from toc.document import parse_document

    documents = [parse_document(document) for document in case_documents(case)]
    if case.models is None:
        from toc.report import check

        report: Any = check(documents[0], as_of=case.as_of or CASE_DATE)
    else:
        from toc.portfolio import check_portfolio

        named = [(document.id, document) for document in documents]
        report = check_portfolio(named, as_of=case.as_of or CASE_DATE)
    return [f for f in report.findings if f.code == case.code]


def finding_subject(subject: str, indicator: str | None) -> str:
    """How a case names a finding: its subject, and `/indicator` when it names one."""
    return subject if indicator is None else f"{subject}/{indicator}"


def load_cases() -> list[CheckCase]:
    """Every case of every check, in file order."""
    found: list[CheckCase] = []
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        for raw in data["cases"]:
            found.append(
                CheckCase(
                    code=data["code"],
                    name=raw["name"],
                    model=raw.get("model", {}),
                    expect=raw["expect"],
                    expect_groups=raw.get("expect_groups"),
                    doc=raw.get("doc"),
                    description=raw.get("description", ""),
                    as_of=datetime.date.fromisoformat(raw["as_of"]) if "as_of" in raw else None,
                    expect_pushers=raw.get("expect_pushers"),
                    expect_messages=raw.get("expect_messages"),
                    expect_loops=raw.get("expect_loops"),
                    models=raw.get("models"),
                )
            )
    return found
