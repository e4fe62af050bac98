"""The map's data and its HTML: a model, its findings and its layout as one escaped JSON block.

pyvis builds the network data (nodes and edges as vis-network reads them); the page itself
comes from toc's own Jinja2 templates, with autoescaping on, because pyvis's template pulls
scripts from CDNs and writes its heading into the page unescaped.

User text never reaches the page as markup: it travels in one JSON block whose `<`, `>` and
`&` are escaped, vis-network gets no `title` (it would render it as HTML), and the page's
script builds tooltips and panels with `textContent` alone.
"""

from __future__ import annotations

import json
from typing import Any

from pyvis.network import Network

from services import clock
from toc.graph import ChainGraph, build_graph
from toc.indicators import infer_measures
from toc.model import Link, LinkType, Node, TheoryOfChange
from toc.report import Finding, Report, check
from toc.vocabulary import LEVEL_LABELS, TIER_NAMES
from web.map.assets import map_css, map_js, self_contained_policy, vis_network_js
from web.map.layout import band_layout
from web.map.style import (
    EDGE_DEFAULTS,
    link_options,
    node_group,
    node_groups,
    node_label,
    worst_severity,
)
from web.render import templates

__all__ = ["FOCUS_ABOVE", "map_data", "map_context", "legend", "json_for_html", "render_map_html"]


def _findings_by_subject(
    report: Report,
) -> tuple[dict[str, list[Finding]], dict[str, list[Finding]]]:
    on_nodes: dict[str, list[Finding]] = {}
    on_links: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if finding.link is not None:
            on_links.setdefault(finding.link, []).append(finding)
            continue
        subjects = set(finding.nodes or ()) | {finding.initiative or finding.node or ""}
        for subject in subjects - {""}:
            on_nodes.setdefault(subject, []).append(finding)
    return on_nodes, on_links


CONFLICT_CODE = "TOC501"
# Above this many nodes the map opens on one initiative's chains rather than on everything:
# a few hundred nodes at once are a hairball, whatever the layout.
FOCUS_ABOVE = 150


def _conflicts(report: Report) -> dict[str, dict[str, Any]]:
    """Each node where opposite pressures meet (TOC501): who pushes it each way, or the message.

    The finding's `pushers` (`{"+": [initiative ids], "-": [...]}`) name them when the check
    engine gives them; otherwise the finding's message, which names them in words, stands.
    """
    conflicts: dict[str, dict[str, Any]] = {}
    for finding in report.findings:
        if finding.code != CONFLICT_CODE or not finding.node:
            continue
        pushers = getattr(finding, "pushers", None) or finding.to_dict().get("pushers")
        entry = conflicts.setdefault(finding.node, {"pushers": {"+": [], "-": []}, "messages": []})
        entry["messages"].append(finding.message)
        if isinstance(pushers, dict):
            for sign in ("+", "-"):
                for pusher in pushers.get(sign) or ():
                    if pusher not in entry["pushers"][sign]:
                        entry["pushers"][sign].append(pusher)
    return conflicts


def _node_detail(node: Node, findings: list[int]) -> dict[str, Any]:
    indicators = []
    for indicator in node.indicators:
        stated = indicator.measures.value if indicator.measures is not None else None
        inferred = infer_measures(indicator.name) if stated is None else None
        indicators.append(
            {
                "name": indicator.name,
                "measures": stated or (inferred.value if inferred is not None else None),
                "inferred": stated is None,
                "target": indicator.target,
                "baseline": indicator.baseline,
                "source": indicator.source,
                "cadence": indicator.cadence,
            }
        )
    return {
        "id": node.id,
        "title": node.title,
        "level": node.level.value,
        "kind": node.kind.value,
        "status": node.status.value,
        "actor": node.actor,
        "description": node.description,
        "form": node.form,
        "function": node.function,
        "indicators": indicators,
        "tags": list(node.tags),
        "findings": findings,
    }


def _link_detail(link: Link, findings: list[int], step: bool) -> dict[str, Any]:
    return {
        "id": link.key,
        "from": link.source,
        "to": link.target,
        "type": link.type.value,
        "polarity": link.polarity.value,
        "because": link.because,
        "evidence": [e.model_dump(exclude_none=True) for e in link.evidence],
        "assumptions": list(link.assumptions),
        "step": step,
        "findings": findings,
    }


def map_data(
    model: TheoryOfChange, report: Report | None = None, graph: ChainGraph | None = None
) -> dict[str, Any]:
    """Everything the map's script needs, as plain JSON-ready data.

    `nodes` and `edges` are vis-network items built with pyvis, each naming its style
    `group` (`groups`) or carrying what it changes from `edgeDefaults`; `details` holds each
    node's and link's fields for the tooltips, with its findings as indices into `findings`;
    `reachesOutcome` and each link's `step` flag let the script find an initiative's chains
    exactly as `ChainGraph.chains_of` does. Without `report` (and `graph`), the model is
    checked as of today (`services.clock`).
    """
    graph = graph or build_graph(model, as_of=clock.today())
    report = report or check(model, as_of=graph.engine.as_of, graph=graph)
    positions, bands = band_layout(model)
    on_nodes, on_links = _findings_by_subject(report)
    conflicts = _conflicts(report)
    retired = {node.id for node in model.nodes if node.retired}
    index = {id(finding): i for i, finding in enumerate(report.findings)}
    hints: dict[str, int] = {}
    findings = [
        {
            "severity": f.severity.value,
            "code": f.code,
            "message": f.message,
            "hint": hints.setdefault(f.hint, len(hints)),
        }
        for f in report.findings
    ]

    network = Network(directed=True)
    node_details: dict[str, Any] = {}
    for node in model.nodes:
        found = on_nodes.get(node.id, [])
        worst = worst_severity(found)
        position = positions[node.id]
        network.add_node(
            node.id,
            label=node_label(node, worst, node.id in conflicts),
            group=node_group(node, worst, node.id in conflicts),
            x=round(position.x, 1),
            y=round(position.y, 1),
        )
        node_details[node.id] = _node_detail(node, [index[id(f)] for f in found])
        if node.id in conflicts and not node.retired:
            node_details[node.id]["conflict"] = conflicts[node.id]
    link_details: dict[str, Any] = {}
    for link in model.links:
        found = on_links.get(link.key, [])
        touches_retired = link.source in retired or link.target in retired
        options = link_options(link, found, touches_retired)
        network.add_edge(link.source, link.target, **options)
        step = link.type is LinkType.LEADS_TO and not touches_retired
        link_details[link.key] = _link_detail(link, [index[id(f)] for f in found], step)
    nodes, edges, *_ = network.get_network_data()
    # pyvis sets a shape on every node and arrows on every edge; the group and the defaults
    # say those once for all.
    for item in nodes:
        del item["shape"]
    for item in edges:
        item.pop("arrows", None)
    return {
        "model": {"id": model.id, "title": model.title, "version": model.version},
        "nodes": nodes,
        "edges": edges,
        "groups": node_groups(),
        "edgeDefaults": EDGE_DEFAULTS,
        "details": {"nodes": node_details, "links": link_details},
        "findings": findings,
        "names": {f.code: f.name for f in report.findings},
        "hints": list(hints),
        "tierNames": TIER_NAMES,
        "reachesOutcome": sorted(graph.reaches_outcome),
        "initiatives": graph.initiatives,
        "conflicts": sorted(node for node in conflicts if node not in retired),
        "focusAbove": FOCUS_ABOVE,
        "bands": [
            {"level": level.value, "label": LEVEL_LABELS[level], "top": top, "bottom": bottom}
            for level, (top, bottom) in bands.items()
        ],
        "counts": report.metrics["findings"],
    }


def json_for_html(value: Any) -> str:
    """JSON that is safe inside an HTML `<script>` element, whatever strings it holds.

    >>> json_for_html({"t": "</script><b>&"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=True)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def map_context(
    model: TheoryOfChange,
    report: Report | None = None,
    graph: ChainGraph | None = None,
    *,
    edit_base: str | None = None,
    node_colours: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """What the `_map.html` partial needs: the escaped data block and the legend's findings.

    `edit_base` (the model's page URL, for editors) adds edit links to the details panel;
    `node_colours` (node id → vis-network colour) paints nodes over their kind's colour, as
    the model page does when asked to colour by progress.
    """
    graph = graph or build_graph(model, as_of=clock.today())
    report = report or check(model, as_of=graph.engine.as_of, graph=graph)
    data = map_data(model, report, graph)
    if node_colours:
        for item in data["nodes"]:
            if item["id"] in node_colours:
                colour = dict(node_colours[item["id"]])
                font = colour.pop("font", None)  # the label's colour on that fill, if given
                item["color"] = colour
                if font is not None:
                    item["font"] = {**item.get("font", {}), "color": font}
    return {
        "data_json": json_for_html(data),
        "legend": legend(report),
        "edit_base": edit_base,
    }


def render_map_html(
    model: TheoryOfChange, *, report: Report | None = None, graph: ChainGraph | None = None
) -> str:
    """The interactive map as one self-contained HTML document: no network needed to open it.

    vis-network, the map's script and its styles are inlined; a Content-Security-Policy lets
    only those two scripts run, as a second wall behind the escaping.
    """
    graph = graph or build_graph(model, as_of=clock.today())
    report = report or check(model, as_of=graph.engine.as_of, graph=graph)
    scripts = [vis_network_js(), map_js()]
    policy = self_contained_policy(scripts)
    return (
        templates()
        .get_template("map.html")
        .render(
            model=model,
            report=report,
            scripts=scripts,
            css=map_css(),
            policy=policy,
            **map_context(model, report, graph),
        )
    )


def legend(report: Report) -> list[dict[str, Any]]:
    """The finding codes present in the report with their counts, for the map's legend."""
    seen: dict[str, dict[str, Any]] = {}
    for finding in report.findings:
        entry = seen.setdefault(
            finding.code,
            {
                "code": finding.code,
                "name": finding.name,
                "severity": finding.severity.value,
                "count": 0,
            },
        )
        entry["count"] += 1
    return list(seen.values())
