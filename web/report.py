"""The handout: one self-contained HTML file, a model's scorecard, findings by initiative and map.

What a cabinet takes away from a meeting: the title, the summary it decides from
(`toc.summary`: how many initiatives stand where, what they cost, which work against which,
what the data says, the decisions taken, missing and due, and every decision the plan
disagrees with — in words, with no check codes), the scorecard (SPEC §3), every finding
under the initiatives whose chains it lies on (the analyst's part, codes kept), and the
interactive map. Scripts and styles are
inlined, a Content-Security-Policy lets only those scripts run, and print styles make the
browser's "Save as PDF" a clean document.
"""

from __future__ import annotations

from typing import Any

from services import clock
from toc.graph import ChainGraph, build_graph
from toc.model import TheoryOfChange
from toc.report import Finding, Report, check
from toc.scorecard import flags_text
from toc.standing import PROGRESS_WORDS, STANDING_BY_SLUG, money, per_student
from toc.summary import cabinet_summary
from toc.vocabulary import TIER_NAMES
from web.map.assets import map_css, map_js, self_contained_policy, vis_network_js
from web.map.render import map_context
from web.render import templates

__all__ = ["findings_by_initiative", "scorecard_rows", "render_report_html"]

# How a standing is coloured (its mark and words come from toc.standing's one table); a
# colour is never the only sign, the words stand beside it.
_STANDING_CLASS = {
    "no-chain": "error",
    "only-lowers": "error",
    "no-because": "warning",
    "unmeasured": "warning",
    "sound": "ok",
}
UNPLACED = "Not on any initiative's chains"


def _counts(findings: list[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for finding in findings:
        counts[finding.severity.value] += 1
    return counts


def findings_by_initiative(
    model: TheoryOfChange, report: Report, graph: ChainGraph
) -> list[dict[str, Any]]:
    """Each initiative with the findings whose subject is it or lies on its chains, in title order.

    A finding on a node or link shared by several initiatives' chains is listed under each;
    the findings on nothing any initiative reaches close the list under `UNPLACED`.
    """
    titles = {node.id: node.title for node in model.nodes}
    groups = []
    placed: set[int] = set()
    for initiative in sorted(graph.initiatives, key=lambda i: (titles[i], i)):
        chains = graph.chains_of(initiative)
        on_chains = {initiative, *chains.nodes, *chains.links}
        found = []
        for index, finding in enumerate(report.findings):
            if finding.subject in on_chains:
                found.append(finding)
                placed.add(index)
        groups.append(
            {
                "id": initiative,
                "title": titles[initiative],
                "chain_nodes": len(chains.nodes),
                "chain_links": len(chains.links),
                "findings": found,
                "counts": _counts(found),
            }
        )
    rest = [f for index, f in enumerate(report.findings) if index not in placed]
    if rest:
        groups.append(
            {
                "id": None,
                "title": UNPLACED,
                "chain_nodes": 0,
                "chain_links": 0,
                "findings": rest,
                "counts": _counts(rest),
            }
        )
    return groups


def scorecard_rows(model: TheoryOfChange, report: Report) -> list[dict[str, Any]]:
    """The report's scorecard (SPEC §3) with ids turned into titles."""
    rows = report.initiatives
    titles = {node.id: node.title for node in model.nodes}
    currency = getattr(model, "currency", None)
    essa = {node.id: node.essa_tier for node in model.nodes if getattr(node, "essa_tier", None)}
    shaped = []
    for row in rows:
        slug = row.get("standing", "")
        standing = STANDING_BY_SLUG.get(slug)
        share, cost = row.get("cost_per_student"), row.get("cost")
        tier = essa.get(row["id"])
        shaped.append(
            {
                "id": row["id"],
                "title": row.get("title") or titles.get(row["id"], row["id"]),
                "mark": standing.mark if standing else "?",
                "standing": standing.words if standing else str(slug),
                "meaning": standing.meaning if standing else "",
                "severity": _STANDING_CLASS.get(slug, "info"),
                "flags": flags_text(row, titles),
                "progress": PROGRESS_WORDS.get(row.get("progress") or "", ""),
                "raises": [titles.get(i, i) for i in row.get("raises") or ()],
                "lowers": [titles.get(i, i) for i in row.get("lowers") or ()],
                "evidence": row.get("evidence"),
                "rated_links": row.get("rated_links"),
                "essa_tier": f"tier {tier.tier} ({tier.source})" if tier is not None else None,
                "decision": row.get("decision"),
                "required": bool(row.get("required")),
                "cost": f"{money(cost, currency)} a year" if cost is not None else None,
                "per_student": per_student(share, currency) if share is not None else None,
                "conflicts": [titles.get(i, i) for i in row.get("conflicts") or ()],
                "findings": row.get("findings") or {},
            }
        )
    return shaped


def render_report_html(
    model: TheoryOfChange, *, report: Report | None = None, graph: ChainGraph | None = None
) -> str:
    """The report as one HTML document that needs no network: the handout of a model.

    Without `report` (and `graph`), the model is checked as of today (`services.clock`)."""
    graph = graph or build_graph(model, as_of=clock.today())
    report = report or check(model, as_of=graph.engine.as_of, graph=graph)
    scripts = [vis_network_js(), map_js()]
    policy = self_contained_policy(scripts, images="data: blob:")
    titles = {node.id: node.title for node in model.nodes}
    # A link is named by its ends, as on the model's page.
    titles.update(
        {link.key: f"{titles[link.source]} \u2192 {titles[link.target]}" for link in model.links}
    )
    return (
        templates()
        .get_template("report.html")
        .render(
            model=model,
            report=report,
            scorecard=scorecard_rows(model, report),
            summary=cabinet_summary(model, report),
            standing_class=_STANDING_CLASS,
            groups=findings_by_initiative(model, report, graph),
            titles=titles,
            tier_names=TIER_NAMES,
            scripts=scripts,
            css=map_css(),
            policy=policy,
            **map_context(model, report, graph),
        )
    )
