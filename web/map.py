"""The interactive map: a theory of change drawn with vis-network in three bands, findings on it.

pyvis builds the network data (nodes and edges as vis-network reads them); the page itself
comes from toc's own Jinja2 templates, with autoescaping on, because pyvis's template pulls
scripts from CDNs and writes its heading into the page unescaped. Positions are computed
here — three bands, barycentre ordering inside each — and physics is off, so a 2,000-node
model is drawn at once rather than after minutes of simulation.

User text never reaches the page as markup: it travels in one JSON block whose `<`, `>` and
`&` are escaped, vis-network gets no `title` (it would render it as HTML), and the page's
script builds tooltips and panels with `textContent` alone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from pyvis.network import Network

from toc.graph import ChainGraph, build_graph
from toc.indicators import infer_measures
from toc.model import (
    LEVEL_ORDER,
    Kind,
    Level,
    Link,
    LinkType,
    Node,
    Polarity,
    Severity,
    TheoryOfChange,
)
from toc.report import Finding, Report, check_model

__all__ = [
    "BAND_LABELS",
    "Position",
    "band_layout",
    "map_data",
    "map_context",
    "node_groups",
    "EDGE_DEFAULTS",
    "legend",
    "json_for_html",
    "render_map_html",
    "vis_network_js",
    "map_js",
    "map_css",
    "templates",
]

VIS_NETWORK_VERSION = "9.1.2"
# Templates and static files sit beside this module (package data when installed).
WEB_DIR = Path(__file__).resolve().parent

BAND_LABELS = {Level.SYSTEM: "System", Level.TEACHER: "Teachers", Level.STUDENT: "Students"}

# Geometry of the bands, in vis-network canvas units. A label wraps at LABEL_WIDTH (less in an
# ellipse, which needs room around its text) and is cut at LABEL_CHARS, so that every node
# fits its cell; the full title is in the tooltip.
LABEL_WIDTH = 170
ELLIPSE_LABEL_WIDTH = 140
LABEL_CHARS = 64
COLUMN = 220  # horizontal distance between neighbours in one row
ROW = 125  # vertical distance between rows inside a band
SUB_GAP = 15  # extra space between the sub-rows of a band (steps inside the band)
BAND_PAD = 95  # space above the first row: room for the band's name
BAND_BOTTOM = 80  # space below the centre of the last row
BAND_GAP = 40  # space between bands
MAX_SUB_ROWS = 3  # a chain inside one band steps down at most this many sub-rows
SWEEPS = 8  # barycentre passes; a handful settles the order of a portfolio

# Colour, shape and text together, so that no mark is told by colour alone.
KIND_STYLE: dict[Kind, dict[str, Any]] = {
    Kind.INITIATIVE: {
        "shape": "box",
        "background": "#1d4e89",
        "border": "#0f2f57",
        "font": "#ffffff",
    },
    Kind.CHANGE: {
        "shape": "ellipse",
        "background": "#d9eef0",
        "border": "#2c7a7b",
        "font": "#102a2b",
    },
    Kind.OUTCOME: {"shape": "box", "background": "#ffd166", "border": "#8a5a00", "font": "#2b1d00"},
}
RETIRED_STYLE = {"background": "#eceff1", "border": "#9aa5ad", "font": "#6b7780"}
ERROR_BORDER = "#b3261e"
WARNING_BORDER = "#b85c00"
LINK_COLOUR = "#37474f"
LINK_FINDING_COLOUR = "#b85c00"
FEEDBACK_COLOUR = "#6a3d9a"
RETIRED_LINK_COLOUR = "#b0bac1"
ERROR_MARK, WARNING_MARK, OUTCOME_MARK = "\u2716", "\u26a0", "\u2605"  # ✖ ⚠ ★

TIER_NAMES = {1: "strong", 2: "moderate", 3: "promising", 4: "demonstrates a rationale"}


# -- layout ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Position:
    x: float
    y: float


def _sub_rows(model: TheoryOfChange) -> dict[str, int]:
    """How far down its band each node sits: the steps from a node of the same band, capped.

    A chain that stays inside one band (teachers trained → teachers share a model) steps down
    a sub-row at a time so the direction of the chain still reads top to bottom. Capping the
    depth makes this safe on loops and linear in the links.
    """
    level = {n.id: n.level for n in model.nodes}
    depth = dict.fromkeys(level, 0)
    inside = [
        (link.source, link.target)
        for link in model.links
        if link.type is LinkType.LEADS_TO and level[link.source] is level[link.target]
    ]
    for _ in range(MAX_SUB_ROWS - 1):
        changed = False
        for source, target in inside:
            step = min(depth[source] + 1, MAX_SUB_ROWS - 1)
            if step > depth[target]:
                depth[target] = step
                changed = True
        if not changed:
            break
    return depth


def _columns(count: int) -> int:
    """Nodes in one row before a band wraps: wide enough for a landscape screen, not a ribbon."""
    return max(8, math.ceil(math.sqrt(count) * 1.6))


def _place(order: list[str], top: float, columns: int) -> tuple[dict[str, Position], float]:
    """Spread one group's nodes over as few rows as fit, x increasing with the order."""
    count = len(order)
    rows = max(1, math.ceil(count / columns))
    step = COLUMN / rows
    placed = {
        node_id: Position((k - (count - 1) / 2) * step, top + (k % rows) * ROW)
        for k, node_id in enumerate(order)
    }
    return placed, rows * ROW


def band_layout(
    model: TheoryOfChange,
) -> tuple[dict[str, Position], dict[Level, tuple[float, float]]]:
    """Positions for every node, system on top, teachers, students at the bottom.

    Inside each band nodes are ordered by the barycentre of their neighbours — a few sweeps of
    the classic Sugiyama heuristic — so that links stay short and cross little. Returns the
    positions and each band's vertical extent (top, bottom).

    >>> from toc.document import parse_document
    >>> model = parse_document({"id": "m", "title": "M", "nodes": [
    ...     {"id": "a", "level": "system", "kind": "initiative", "title": "A"},
    ...     {"id": "o", "level": "student", "kind": "outcome", "title": "O"}],
    ...     "links": [{"from": "a", "to": "o"}]})
    >>> positions, bands = band_layout(model)
    >>> positions["a"].y < positions["o"].y
    True
    """
    depth = _sub_rows(model)
    groups: dict[tuple[int, int], list[str]] = {}
    for node in model.nodes:
        groups.setdefault((LEVEL_ORDER[node.level], depth[node.id]), []).append(node.id)
    columns = _columns(len(model.nodes))
    neighbours: dict[str, list[str]] = {n.id: [] for n in model.nodes}
    for link in model.links:
        neighbours[link.source].append(link.target)
        neighbours[link.target].append(link.source)

    # Group tops do not depend on the order inside groups: place every group once.
    positions: dict[str, Position] = {}
    bands: dict[Level, tuple[float, float]] = {}
    tops: dict[tuple[int, int], float] = {}
    y = 0.0
    for level in (Level.SYSTEM, Level.TEACHER, Level.STUDENT):
        top = y
        y += BAND_PAD
        subs = sorted(key for key in groups if key[0] == LEVEL_ORDER[level])
        for index, key in enumerate(subs):
            tops[key] = y
            placed, height = _place(groups[key], y, columns)
            positions.update(placed)
            y += height + (SUB_GAP if index < len(subs) - 1 else 0)
        y += BAND_BOTTOM - ROW if subs else ROW
        bands[level] = (top, y)
        y += BAND_GAP

    def barycentre(node_id: str) -> float:
        around = neighbours[node_id]
        if not around:
            return positions[node_id].x
        return sum(positions[other].x for other in around) / len(around)

    # Sweep down the bands, then up, reordering one group at a time against its neighbours'
    # current places (reordering every group at once can swap both ends of a crossing).
    keys = sorted(groups)
    for sweep in range(SWEEPS):
        moved = False
        for key in keys if sweep % 2 == 0 else reversed(keys):
            order = groups[key]
            if len(order) < 2:
                continue
            rank = {node_id: index for index, node_id in enumerate(order)}
            ordered = sorted(order, key=lambda n: (barycentre(n), rank[n]))
            if ordered != order:
                groups[key] = ordered
                positions.update(_place(ordered, tops[key], columns)[0])
                moved = True
        if not moved and sweep > 0:
            break
    return positions, bands


# -- what the map shows -----------------------------------------------------------------------
def _worst(findings: Iterable[Finding]) -> Severity | None:
    severities = {f.severity for f in findings}
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        if severity in severities:
            return severity
    return None


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


def _shortened(title: str) -> str:
    """A title cut at a word boundary to fit a node's cell on the map."""
    title = " ".join(title.split())
    if len(title) <= LABEL_CHARS:
        return title
    cut = title[: LABEL_CHARS - 1]
    space = cut.rfind(" ")
    if space > LABEL_CHARS // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "\u2026"


def _node_label(node: Node, worst: Severity | None) -> str:
    marks = ""
    if worst is Severity.ERROR:
        marks = ERROR_MARK + " "
    elif worst is Severity.WARNING:
        marks = WARNING_MARK + " "
    if node.kind is Kind.OUTCOME:
        marks += OUTCOME_MARK + " "
    label = marks + _shortened(node.title)
    if node.retired:
        label += "\n(retired)"
    return label


def _node_group(node: Node, worst: Severity | None) -> str:
    """The style group of a node: its kind and the mark it carries."""
    if node.retired:
        return f"{node.kind.value}-retired"
    if worst in (Severity.ERROR, Severity.WARNING):
        return f"{node.kind.value}-{worst.value}"
    return node.kind.value


def _group_style(kind: Kind, mark: str | None) -> dict[str, Any]:
    """vis-network node options shared by every node of one kind and mark."""
    style = KIND_STYLE[kind]
    colours = RETIRED_STYLE if mark == "retired" else style
    border, border_width = colours["border"], 1.5
    dashes: bool | list[int] = False
    if mark == Severity.ERROR.value:
        border, border_width = ERROR_BORDER, 5
    elif mark == Severity.WARNING.value:
        border, border_width, dashes = WARNING_BORDER, 4, [6, 4]
    elif mark == "retired":
        dashes = [3, 3]
    return {
        "shape": style["shape"],
        "color": {
            "background": colours["background"],
            "border": border,
            "highlight": {"background": colours["background"], "border": "#000000"},
            "hover": {"background": colours["background"], "border": "#000000"},
        },
        "font": {
            "color": colours["font"],
            "size": 17 if kind is Kind.OUTCOME else 15,
            "face": "DejaVu Sans, Arial, sans-serif",
        },
        "borderWidth": border_width,
        "borderWidthSelected": border_width + 1,
        "shapeProperties": {
            "borderDashes": dashes,
            "borderRadius": 14 if kind is Kind.OUTCOME else 2,
        },
        "widthConstraint": {
            "maximum": ELLIPSE_LABEL_WIDTH if style["shape"] == "ellipse" else LABEL_WIDTH
        },
        "margin": 10,
    }


def node_groups() -> dict[str, dict[str, Any]]:
    """Every style group a node can be in, by name (`change`, `change-warning`, ...)."""
    groups = {}
    for kind in Kind:
        groups[kind.value] = _group_style(kind, None)
        for mark in (Severity.ERROR.value, Severity.WARNING.value, "retired"):
            groups[f"{kind.value}-{mark}"] = _group_style(kind, mark)
    return groups


# What most links look like; each link carries only where it differs.
EDGE_DEFAULTS: dict[str, Any] = {
    "color": {"color": LINK_COLOUR, "highlight": "#000000", "hover": "#000000", "inherit": False},
    "width": 2,
    "arrows": {"to": {"enabled": True, "scaleFactor": 0.8}},
    "smooth": False,
    "selectionWidth": 2,
    "hoverWidth": 1.5,
}


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


def _link_options(link: Link, findings: list[Finding], retired: bool) -> dict[str, Any]:
    """What a link's drawing changes from EDGE_DEFAULTS: dashes, colour, a label, a curve."""
    worst = _worst(findings)
    colour = LINK_COLOUR
    if retired:
        colour = RETIRED_LINK_COLOUR
    elif worst in (Severity.ERROR, Severity.WARNING):
        colour = LINK_FINDING_COLOUR
    elif link.type is LinkType.FEEDBACK:
        colour = FEEDBACK_COLOUR
    options: dict[str, Any] = {"id": link.key}
    if not link.has_because:
        options["dashes"] = [8, 6]
    if colour != LINK_COLOUR:
        options["color"] = {**EDGE_DEFAULTS["color"], "color": colour}
    labels = []
    if link.polarity is Polarity.MINUS:
        labels.append("\u2212 weakens")
    if link.type is LinkType.FEEDBACK:
        labels.append("feedback")
        options["smooth"] = {"enabled": True, "type": "curvedCCW", "roundness": 0.25}
    if any(
        f.code != "TOC103" and f.severity in (Severity.ERROR, Severity.WARNING) for f in findings
    ):
        labels.append(WARNING_MARK)
    if labels:
        options["label"] = " ".join(labels)
        options["font"] = {"size": 13, "color": colour, "strokeWidth": 4, "strokeColor": "#ffffff"}
    return options


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
    exactly as `ChainGraph.chains_of` does.
    """
    graph = graph or build_graph(model)
    report = report or check_model(model, graph)
    positions, bands = band_layout(model)
    on_nodes, on_links = _findings_by_subject(report)
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
        worst = _worst(found)
        position = positions[node.id]
        network.add_node(
            node.id,
            label=_node_label(node, worst),
            group=_node_group(node, worst),
            x=round(position.x, 1),
            y=round(position.y, 1),
        )
        node_details[node.id] = _node_detail(node, [index[id(f)] for f in found])
    link_details: dict[str, Any] = {}
    for link in model.links:
        found = on_links.get(link.key, [])
        touches_retired = link.source in retired or link.target in retired
        options = _link_options(link, found, touches_retired)
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
        "bands": [
            {"level": level.value, "label": BAND_LABELS[level], "top": top, "bottom": bottom}
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


# -- assets and templates ---------------------------------------------------------------------
def _script_safe(source: str) -> str:
    """Script text that cannot end its `<script>` element early or open a comment state."""
    return source.replace("</script", "<\\/script").replace("<!--", "<\\!--")


@cache
def vis_network_js() -> str:
    """vis-network itself, read from the installed pyvis package (it ships the library)."""
    path = resources.files("pyvis") / "lib" / f"vis-{VIS_NETWORK_VERSION}" / "vis-network.min.js"
    return _script_safe(path.read_text(encoding="utf-8"))


def _static(name: str) -> str:
    return (WEB_DIR / "static" / name).read_text(encoding="utf-8")


@cache
def map_js() -> str:
    return _script_safe(_static("map.js"))


@cache
def map_css() -> str:
    return _static("toc.css").replace("</style", "<\\/style")


@cache
def templates() -> jinja2.Environment:
    """The one Jinja2 environment of toc's pages and map: autoescape on for every template."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # One path segment of a URL (a link id such as `a->b` becomes `a-%3Eb`).
    env.filters["seg"] = lambda value: quote(str(value), safe="")
    # Choices for a <select> whose values are their own labels.
    env.filters["zip_self"] = lambda values: [(value, value) for value in values]
    return env


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def map_context(
    model: TheoryOfChange,
    report: Report | None = None,
    graph: ChainGraph | None = None,
    *,
    edit_base: str | None = None,
) -> dict[str, Any]:
    """What the `_map.html` partial needs: the escaped data block and the legend's findings.

    `edit_base` (the model's page URL, for editors) adds edit links to the details panel.
    """
    graph = graph or build_graph(model)
    report = report or check_model(model, graph)
    return {
        "data_json": json_for_html(map_data(model, report, graph)),
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
    graph = graph or build_graph(model)
    report = report or check_model(model, graph)
    scripts = [vis_network_js(), map_js()]
    policy = (
        "default-src 'none'; "
        f"script-src {' '.join(_csp_hash(s) for s in scripts)}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
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
