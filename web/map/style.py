"""How the map draws things: colours, shapes and marks of nodes and links, by kind and finding.

Colour, shape and text go together, so that no mark is told by colour alone.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from toc.model import Kind, Link, LinkType, Node, Polarity, Severity
from toc.report import Finding

__all__ = [
    "EDGE_DEFAULTS",
    "node_groups",
    "node_group",
    "node_label",
    "link_options",
    "worst_severity",
    "wrap_label",
    "MINUS_COLOUR",
]

# A label is wrapped here, at LINE_CHARS characters a line and at most LABEL_LINES lines, cut
# with "…" past that, so that every node fits its cell of the layout at a size that reads on a
# projector (FONT_SIZE canvas units; see layout.py for the cell). The full title is in the
# tooltip and the details panel.
LINE_CHARS = 16
LABEL_LINES = 3
FONT_SIZE = 20
OUTCOME_FONT_SIZE = 21

KIND_STYLE: dict[Kind, dict[str, Any]] = {
    Kind.INITIATIVE: {
        "shape": "box",
        "background": "#1d4e89",
        "border": "#0f2f57",
        "font": "#ffffff",
    },
    Kind.CHANGE: {
        "shape": "box",
        "background": "#d9eef0",
        "border": "#2c7a7b",
        "font": "#102a2b",
    },
    Kind.OUTCOME: {"shape": "box", "background": "#ffd166", "border": "#8a5a00", "font": "#2b1d00"},
}
# The retired label's grey keeps a 4.5:1 contrast on its fill (#6b7780 had 3.9:1).
RETIRED_STYLE = {"background": "#eceff1", "border": "#9aa5ad", "font": "#4a5560"}
ERROR_BORDER = "#b3261e"
WARNING_BORDER = "#b85c00"
LINK_COLOUR = "#37474f"
LINK_FINDING_COLOUR = "#b85c00"
MINUS_COLOUR = "#c2185b"  # a weakening link: magenta, with a "−" marker on it
CONFLICT_MARK = "\u21c5"  # ⇅: opposite pressures meet here (TOC501)
FEEDBACK_COLOUR = "#6a3d9a"
RETIRED_LINK_COLOUR = "#b0bac1"
ERROR_MARK, WARNING_MARK, OUTCOME_MARK = "\u2716", "\u26a0", "\u2605"  # ✖ ⚠ ★


def worst_severity(findings: Iterable[Finding]) -> Severity | None:
    """The gravest severity among the findings; None when there are none."""
    severities = {f.severity for f in findings}
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        if severity in severities:
            return severity
    return None


def wrap_label(text: str, lines: int = LABEL_LINES) -> str:
    """A title wrapped at word boundaries into at most `lines` lines, cut with "…" past that.

    >>> wrap_label("  Teachers   plan  together ")
    'Teachers plan\\ntogether'
    >>> wrap_label("Grade-level teams meet weekly to study student work and plan reteaching")
    'Grade-level\\nteams meet\\nweekly to study…'
    >>> max(len(line) for line in wrap_label("x" * 100).split("\\n")) <= LINE_CHARS
    True
    """
    wrapped = textwrap.wrap(" ".join(text.split()), LINE_CHARS) or [""]
    if len(wrapped) <= lines:
        return "\n".join(wrapped)
    kept = wrapped[:lines]
    last = kept[-1] if len(kept[-1]) < LINE_CHARS else kept[-1][: LINE_CHARS - 1]
    kept[-1] = last.rstrip(" ,;:-") + "\u2026"
    return "\n".join(kept)


def node_label(node: Node, worst: Severity | None, conflict: bool = False) -> str:
    marks = CONFLICT_MARK + " " if conflict else ""
    if worst is Severity.ERROR:
        marks += ERROR_MARK + " "
    elif worst is Severity.WARNING:
        marks += WARNING_MARK + " "
    if node.kind is Kind.OUTCOME:
        marks += OUTCOME_MARK + " "
    if node.retired:
        return wrap_label(marks + node.title, LABEL_LINES - 1) + "\n(retired)"
    return wrap_label(marks + node.title)


def node_group(node: Node, worst: Severity | None, conflict: bool = False) -> str:
    """The style group of a node: its kind and the mark it carries."""
    if node.retired:
        return f"{node.kind.value}-retired"
    if conflict:
        return f"{node.kind.value}-conflict"
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
    elif mark == "conflict":
        # A double-weight border in the weakening colour, and a ⇅ badge drawn by the script.
        border, border_width = MINUS_COLOUR, 6
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
            "size": OUTCOME_FONT_SIZE if kind is Kind.OUTCOME else FONT_SIZE,
            "face": "DejaVu Sans, Arial, sans-serif",
        },
        "borderWidth": border_width,
        "borderWidthSelected": border_width + 1,
        "shapeProperties": {
            "borderDashes": dashes,
            "borderRadius": {Kind.OUTCOME: 8, Kind.CHANGE: 12}.get(kind, 2),
        },
        "margin": 8,
    }


def node_groups() -> dict[str, dict[str, Any]]:
    """Every style group a node can be in, by name (`change`, `change-warning`, ...)."""
    groups = {}
    for kind in Kind:
        groups[kind.value] = _group_style(kind, None)
        for mark in (Severity.ERROR.value, Severity.WARNING.value, "retired", "conflict"):
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


def link_options(link: Link, findings: list[Finding], retired: bool) -> dict[str, Any]:
    """What a link's drawing changes from EDGE_DEFAULTS: dashes, colour, a label, a curve."""
    worst = worst_severity(findings)
    colour = LINK_COLOUR
    if retired:
        colour = RETIRED_LINK_COLOUR
    elif link.polarity is Polarity.MINUS:
        colour = MINUS_COLOUR
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
    if link.type is LinkType.FEEDBACK:
        labels.append("feedback")
        options["smooth"] = {"enabled": True, "type": "curvedCCW", "roundness": 0.25}
    if any(
        f.code != "TOC103" and f.severity in (Severity.ERROR, Severity.WARNING) for f in findings
    ):
        labels.append(WARNING_MARK)
    if labels:
        options["label"] = " ".join(labels)
        options["font"] = {"size": 15, "color": colour, "strokeWidth": 4, "strokeColor": "#ffffff"}
    if link.polarity is Polarity.MINUS:
        # The "−" itself is a badge the script draws at the middle of the link, over the
        # nodes and clear of the arrowhead.
        options["width"] = 3
    return options
