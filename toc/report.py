"""Running the catalogue over a model: findings in a stable order, summary metrics, inferences."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from toc.bulk import gc_paused
from toc.checks.registry import Check, all_checks
from toc.graph import ChainGraph, build_graph
from toc.indicators import infer_measures
from toc.model import Severity, TheoryOfChange
from toc.progress import today_utc

__all__ = ["Finding", "Report", "check_model", "effective_severity", "SEVERITY_RANK"]

SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Finding(NamedTuple):
    """One thing a check found, naming its subject in exactly one of initiative, node, link.

    A named tuple: immutable, and cheap to make by the hundred thousand.
    """

    code: str
    name: str
    severity: Severity
    message: str
    hint: str
    initiative: str | None = None
    node: str | None = None
    link: str | None = None
    nodes: tuple[str, ...] | None = None
    indicator: str | None = None

    @property
    def subject(self) -> str:
        return self.initiative or self.node or self.link or ""

    def sort_key(self) -> tuple[int, str, str, str]:
        return SEVERITY_RANK[self.severity], self.code, self.subject, self.indicator or ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": str(self.severity),
            "initiative": self.initiative,
            "node": self.node,
            "link": self.link,
            "nodes": list(self.nodes) if self.nodes is not None else None,
            "indicator": self.indicator,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Report:
    """What `toc check` says about a model."""

    findings: list[Finding]
    metrics: dict[str, Any]
    inferred: list[dict[str, Any]] = field(default_factory=list)
    as_of: datetime.date | None = None

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "metrics": self.metrics,
            "inferred": self.inferred,
            "as_of": self.as_of.isoformat() if self.as_of is not None else None,
        }


def effective_severity(check: Check, model: TheoryOfChange) -> Severity | None:
    """The check's severity after the model's own re-rating; None when switched off."""
    setting = model.checks.get(check.code)
    if setting is None:
        return check.severity
    if setting == "off":
        return None
    return Severity(setting)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _metrics(graph: ChainGraph, findings: list[Finding]) -> dict[str, Any]:
    initiatives = graph.initiatives
    chain_steps = graph.chain_steps
    counts = {str(severity): 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    return {
        "nodes": len(graph.nodes),
        "links": len(graph.steps),
        "initiatives": len(initiatives),
        "outcomes": len(graph.outcomes),
        "anchored_share": _share(len(graph.anchored), len(initiatives)),
        "explained_share": _share(len(graph.explained), len(initiatives)),
        "because_share": _share(sum(step.because for step in chain_steps), len(chain_steps)),
        "evidence_share": _share(
            sum(bool(step.link.evidence) for step in chain_steps), len(chain_steps)
        ),
        "evidence_strength": graph.evidence_strength,
        "findings": counts,
    }


def _value_or_none(measures: Any) -> str | None:
    return measures.value if measures is not None else None


def _inferred(model: TheoryOfChange) -> list[dict[str, Any]]:
    # Every indicator with no stated kind, retired nodes' too: the list says what toc would
    # read each one as, which a team editing a retired node wants to know as well.
    return [
        {
            "node": node.id,
            "indicator": indicator.name,
            "measures": _value_or_none(infer_measures(indicator.name)),
        }
        for node in model.nodes
        for indicator in node.indicators
        if indicator.measures is None
    ]


def check_model(
    model: TheoryOfChange, graph: ChainGraph | None = None, as_of: datetime.date | None = None
) -> Report:
    """Run every check that the model has not switched off, and summarise.

    `as_of` is the check date (default: today in UTC); only TOC701 reads it.

    >>> from toc.document import parse_document
    >>> model = parse_document({"id": "m", "title": "M", "nodes": [
    ...     {"id": "grant", "level": "system", "kind": "initiative", "title": "Grant"}]})
    >>> [(f.code, f.subject) for f in check_model(model).findings]
    [('TOC101', 'grant'), ('TOC201', 'grant')]
    """
    graph = graph or build_graph(model)
    graph.as_of = as_of or today_utc()
    with gc_paused():
        return _check(model, graph)


def _check(model: TheoryOfChange, graph: ChainGraph) -> Report:
    findings: list[Finding] = []
    for check in all_checks():
        severity = effective_severity(check, model)
        if severity is None:
            continue
        code, name, subject = check.code, check.name, check.subject
        for hit in check(graph):
            findings.append(
                Finding(
                    code,
                    name,
                    severity,
                    hit.message,
                    hit.hint or check.hint,
                    hit.subject if subject == "initiative" else None,
                    hit.subject if subject == "node" else None,
                    hit.subject if subject == "link" else None,
                    hit.nodes,
                    hit.indicator,
                )
            )
    findings.sort(key=Finding.sort_key)
    return Report(findings, _metrics(graph, findings), _inferred(model), graph.as_of)
