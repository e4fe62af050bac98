"""The handout: one self-contained HTML file, a model's scorecard, findings by initiative and map.

What a cabinet takes away from a meeting: the title, the scorecard (SPEC §3), every finding under
the initiatives whose chains it lies on, and the interactive map. Scripts and styles are
inlined, a Content-Security-Policy lets only those scripts run, and print styles make the
browser's "Save as PDF" a clean document.
"""

from __future__ import annotations

from typing import Any

from toc.graph import ChainGraph, build_graph
from toc.model import TheoryOfChange
from toc.report import Finding, Report, check_model
from toc.vocabulary import TIER_NAMES
from web.map.assets import map_css, map_js, self_contained_policy, vis_network_js
from web.map.render import map_context
from web.render import templates

__all__ = ["STANDINGS", "findings_by_initiative", "scorecard_rows", "render_report_html"]

# Each standing of the scorecard as a mark and words, so that it is never told by colour alone.
STANDINGS: dict[str, tuple[str, str, str]] = {
    "sound": ("\u2714", "sound", "ok"),
    "no-chain": ("\u2716", "no chain to students", "error"),
    "only-lowers": ("\u2716", "only lowers outcomes", "error"),
    "mixed": ("\u26a0", "raises and lowers outcomes", "warning"),
    "no-because": ("\u26a0", "a step without a because", "warning"),
    "unmeasured": ("\u26a0", "not measured where it matters", "warning"),
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
    shaped = []
    for row in rows:
        mark, words, severity = STANDINGS.get(
            row.get("standing", ""), ("?", str(row.get("standing")), "info")
        )
        shaped.append(
            {
                "title": row.get("title") or titles.get(row["id"], row["id"]),
                "mark": mark,
                "standing": words,
                "severity": severity,
                "raises": [titles.get(i, i) for i in row.get("raises") or ()],
                "lowers": [titles.get(i, i) for i in row.get("lowers") or ()],
                "evidence": row.get("evidence"),
                "conflicts": [titles.get(i, i) for i in row.get("conflicts") or ()],
                "findings": row.get("findings") or {},
            }
        )
    return shaped


def render_report_html(
    model: TheoryOfChange, *, report: Report | None = None, graph: ChainGraph | None = None
) -> str:
    """The report as one HTML document that needs no network: the handout of a model."""
    graph = graph or build_graph(model)
    report = report or check_model(model, graph)
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
            groups=findings_by_initiative(model, report, graph),
            titles=titles,
            tier_names=TIER_NAMES,
            scripts=scripts,
            css=map_css(),
            policy=policy,
            **map_context(model, report, graph),
        )
    )
