"""Running the catalogue over a model: findings in a stable order, summary metrics, inferences."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import msgspec

from toc.bulk import gc_paused
from toc.checks.catalogue import all_checks
from toc.checks.registry import Check, Hit
from toc.engine import Engine
from toc.indicators import infer_measures
from toc.model import Severity, TheoryOfChange
from toc.standing import scorecard, scorecard_metrics

if TYPE_CHECKING:
    from toc.graph import ChainGraph
    from toc.reading import FastDocument

__all__ = [
    "Finding",
    "Report",
    "check",
    "effective_severity",
    "SEVERITY_RANK",
]

SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Finding(msgspec.Struct, frozen=True, omit_defaults=True):
    """One thing a check found, naming its subject in exactly one of initiative, node, link.

    A frozen struct: immutable, cheap to make by the hundred thousand, and written to JSON
    as an object with its fields in this order, as `to_dict` gives them. The fields up to
    `pushers` are always written (null when they do not apply); `model`, `reference` and
    `initiatives` only on the findings they belong to (a portfolio's, TOC801's, TOC503's).
    """

    code: str
    name: str
    severity: Severity
    initiative: str | None
    node: str | None
    link: str | None
    nodes: tuple[str, ...] | None
    indicator: str | None
    message: str
    hint: str
    # TOC501 only: every initiative pushing the node each way, {"+": [ids], "-": [ids]}.
    pushers: dict[str, list[str]] | None
    # TOC402 only: `reinforcing` or `balancing`.
    loop: str | None = None
    # A portfolio's findings (SPEC §6): the model of the subject (of `initiative` when the
    # finding is about several models).
    model: str | None = None
    # TOC801: the `MODEL:NODE` reference that does not resolve.
    reference: str | None = None
    # TOC503: every initiative of the group that duplicates another, sorted.
    initiatives: tuple[str, ...] | None = None

    @property
    def subject(self) -> str:
        return self.initiative or self.node or self.link or ""

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (
            SEVERITY_RANK[self.severity],
            self.code,
            self.subject,
            self.reference or "",
            self.indicator or "",
        )

    def to_dict(self) -> dict[str, Any]:
        found = {
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
            "pushers": _copy_pushers(self.pushers),
        }
        if self.loop is not None:
            found["loop"] = self.loop
        if self.model is not None:
            found["model"] = self.model
        if self.reference is not None:
            found["reference"] = self.reference
        if self.initiatives is not None:
            found["initiatives"] = list(self.initiatives)
        return found


def _copy_pushers(pushers: dict[str, list[str]] | None) -> dict[str, list[str]] | None:
    return None if pushers is None else {"+": list(pushers["+"]), "-": list(pushers["-"])}


@dataclass
class Report:
    """What `toc check` says about a model."""

    findings: list[Finding]
    metrics: dict[str, Any]
    inferred: list[dict[str, Any]] = field(default_factory=list)
    # The scorecard: one row per initiative that is not retired, in id order (toc.standing).
    initiatives: list[dict[str, Any]] = field(default_factory=list)
    # The day the checks judged by (TOC108 and TOC701 read it).
    as_of: datetime.date = field(kw_only=True)
    # The model's own `currency` (None when it names none): how its costs are shown.
    currency: str | None = None

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.to_dict() for f in self.findings],
            "metrics": self.metrics,
            "inferred": self.inferred,
            "initiatives": self.initiatives,
            "as_of": self.as_of.isoformat(),
        }

    def to_json(self) -> bytes:
        """The report as JSON text, indented by two, UTF-8, ending in a newline.

        Deterministic: the same model gives the same bytes. Written by msgspec's encoder,
        which on a statewide portfolio takes a fraction of the time the json module does.
        """
        with gc_paused():
            # The findings are encoded as they are: the same objects `to_dict` would give.
            whole = {
                "findings": self.findings,
                "metrics": self.metrics,
                "inferred": self.inferred,
                "initiatives": self.initiatives,
                "as_of": self.as_of.isoformat(),
            }
            return msgspec.json.format(msgspec.json.encode(whole), indent=2) + b"\n"


def effective_severity(check: Check, model: Any) -> Severity | None:
    """The check's severity after the model's own re-rating (its `checks`); None when off."""
    setting = model.checks.get(check.code)
    if setting is None:
        return check.severity
    if setting == "off":
        return None
    return Severity(setting)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _metrics(engine: Engine, findings: list[Finding], rows: list[dict[str, Any]]) -> dict[str, Any]:
    initiatives = engine.initiatives
    chain_links = engine.chain_links
    because, links = engine.link_because, engine.link
    counts = {str(severity): 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    return {
        "nodes": len(engine.ids),
        "links": engine.own_links,  # a portfolio's reference links are not steps
        "initiatives": len(initiatives),
        "outcomes": len(engine.outcomes),
        "anchored_share": _share(sum(engine.anchored), len(initiatives)),
        "explained_share": _share(sum(engine.explained), len(initiatives)),
        "because_share": _share(sum(because[k] for k in chain_links), len(chain_links)),
        "evidence_share": _share(
            sum(bool(links[k].evidence) for k in chain_links), len(chain_links)
        ),
        "evidence_strength": engine.evidence_strength,
        "findings": counts,
        **scorecard_metrics(rows),
    }


def _inferred(document: Any) -> list[dict[str, Any]]:
    # Every indicator with no stated kind, retired nodes' too: the list says what toc would
    # read each one as, which a team editing a retired node wants to know as well.
    found = []
    for node in document.nodes:
        for indicator in node.indicators:
            if indicator.measures is None:
                measures = infer_measures(indicator.name)
                found.append(
                    {
                        "node": node.id,
                        "indicator": indicator.id if indicator.id is not None else indicator.name,
                        "measures": measures.value if measures is not None else None,
                    }
                )
    return found


def check(
    document: TheoryOfChange | FastDocument,
    *,
    as_of: datetime.date,
    graph: ChainGraph | None = None,
) -> Report:
    """Run every check that the model has not switched off, and summarise.

    `document` is any valid toc/1 document: the model `toc.read` gives, or the structs the
    fast reader gives for toc/1 JSON bytes (`toc.reading.read_document`, which never makes
    pydantic objects of a valid document). `as_of` is the day the checks judge by: the caller's
    clock, never read here. `graph`, the model's `toc.graph.ChainGraph` built for the same day,
    lends its engine.

    >>> import datetime
    >>> from toc.formats import read
    >>> model = read({"id": "m", "title": "M", "nodes": [
    ...     {"id": "grant", "level": "system", "kind": "initiative", "title": "Grant"}]})
    >>> report = check(model, as_of=datetime.date(2026, 6, 30))
    >>> [(f.code, f.subject) for f in report.findings]
    [('TOC101', 'grant'), ('TOC201', 'grant')]
    """
    with gc_paused():
        if graph is not None and graph.engine.as_of == as_of:
            return _check(graph.engine)
        ends = getattr(document, "link_ends", None)
        return _check(Engine(document, as_of=as_of, link_ends=ends))


def _check(engine: Engine) -> Report:
    # Findings sort by severity, code, subject, indicator. Every finding of a check shares the
    # first two, so the checks run in that order and each one's hits are sorted by the rest.
    rated = []
    for check in all_checks():
        severity = effective_severity(check, engine)
        if severity is not None:
            rated.append((SEVERITY_RANK[severity], check.code, check, severity))
    rated.sort(key=itemgetter(0, 1))
    findings: list[Finding] = []
    append = findings.append
    for _, code, check, severity in rated:
        name, subject, hint = check.name, check.subject, check.hint
        is_initiative, is_node, is_link = (
            subject == "initiative",
            subject == "node",
            subject == "link",
        )
        hits = list(check(engine))
        hits.sort(key=_hit_order)
        for hit in hits:
            append(
                Finding(
                    code,
                    name,
                    severity,
                    hit.subject if is_initiative else None,
                    hit.subject if is_node else None,
                    hit.subject if is_link else None,
                    hit.nodes,
                    hit.indicator,
                    hit.message,
                    hit.hint or hint,
                    hit.pushers,
                    loop=hit.loop,
                    reference=hit.reference,
                    initiatives=hit.initiatives,
                )
            )
    rows = scorecard(engine, findings)
    return Report(
        findings,
        _metrics(engine, findings, rows),
        _inferred(engine.document),
        rows,
        as_of=engine.as_of,
        currency=getattr(engine.document, "currency", None),
    )


def _hit_order(hit: Hit) -> tuple[str, str, str]:
    return hit.subject, hit.reference or "", hit.indicator or ""
