"""Where the map puts each node: three bands, system on top, barycentre order inside each.

Pure geometry over the model: no drawing, no styles. Positions are computed here and physics
is off, so a 2,000-node model is drawn at once rather than after minutes of simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toc.model import LEVEL_ORDER, Level, LinkType, TheoryOfChange

__all__ = ["Position", "band_layout"]

# Geometry of the bands, in vis-network canvas units. A cell holds a label of three lines of
# 16 characters at 20 units (style.py), so that a model of up to 40 nodes fitted into a
# 1280×720 window draws its labels at 12 px or more.
COLUMN = 230  # horizontal distance between neighbours in one row
ROW = 88  # vertical distance between rows inside a band
SUB_GAP = 10  # extra space between the sub-rows of a band (steps inside the band)
BAND_PAD = 42  # space above the first row: room for the band's name
BAND_BOTTOM = 50  # space below the centre of the last row
BAND_GAP = 14  # space between bands
SMALL_MODEL = 40  # up to this many nodes, the row width is chosen to fit a projector
MIN_COLUMNS = 8
# The shape of the map's frame in a 1280×720 window (about 1240 by 580 pixels): a small model's
# row width is the one whose layout fits it at the largest zoom.
SCREEN_ASPECT = 2.15
SMALL_COLUMNS = range(6, 13)
MAX_SUB_ROWS = 3  # a chain inside one band steps down at most this many sub-rows
SWEEPS = 8  # barycentre passes; a handful settles the order of a portfolio


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
    """Nodes in one row before a band wraps: wide enough for a landscape screen, not a ribbon.

    >>> _columns(10), _columns(40), _columns(2000)
    (8, 8, 72)

    Models of up to SMALL_MODEL nodes try a few widths instead (`band_layout`).
    """
    if count <= SMALL_MODEL:
        return MIN_COLUMNS
    return max(MIN_COLUMNS, math.ceil(math.sqrt(count) * 1.6))


def _place(order: list[str], top: float, columns: int) -> tuple[dict[str, Position], float]:
    """Spread one group's nodes over as few rows as fit, x increasing with the order.

    >>> placed, height = _place(["a", "b", "c"], 0.0, 8)
    >>> [placed[n].x for n in "abc"], height
    ([-230.0, 0.0, 230.0], 88)
    """
    count = len(order)
    rows = max(1, math.ceil(count / columns))
    step = COLUMN / rows
    placed = {
        node_id: Position((k - (count - 1) / 2) * step, top + (k % rows) * ROW)
        for k, node_id in enumerate(order)
    }
    return placed, rows * ROW


def _zoom_to_fit(positions: dict[str, Position]) -> float:
    """How large a layout can be drawn in a frame of SCREEN_ASPECT, up to a constant factor."""
    xs = [p.x for p in positions.values()]
    ys = [p.y for p in positions.values()]
    width = max(xs) - min(xs) + COLUMN
    height = max(ys) - min(ys) + ROW
    return min(SCREEN_ASPECT / width, 1 / height)


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
    >>> bands[Level.SYSTEM][1] < bands[Level.TEACHER][0] < bands[Level.STUDENT][0]
    True
    """
    if not model.nodes or len(model.nodes) > SMALL_MODEL:
        return _band_layout(model, _columns(len(model.nodes)))
    # A small model is what a room reads off a projector: of a few row widths, the one that
    # lets the whole map be drawn largest (a tall map of many sub-rows takes wider rows).
    layouts = [_band_layout(model, columns) for columns in SMALL_COLUMNS]
    return max(layouts, key=lambda layout: _zoom_to_fit(layout[0]))


def _band_layout(
    model: TheoryOfChange, columns: int
) -> tuple[dict[str, Position], dict[Level, tuple[float, float]]]:
    depth = _sub_rows(model)
    groups: dict[tuple[int, int], list[str]] = {}
    for node in model.nodes:
        groups.setdefault((LEVEL_ORDER[node.level], depth[node.id]), []).append(node.id)
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
