"""Indicator progress drawn for the pages: small server-side charts, and a node colour by progress.

A chart is geometry only (numbers and the labels to show); `templates/_chart.html` draws it as
inline SVG with autoescaping, so no user text is ever written into markup here.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from toc.model import Indicator, Node, TheoryOfChange
from toc.progress import is_tracked, moved, progress, stalled

__all__ = [
    "Chart",
    "indicator_chart",
    "tracked_charts",
    "progress_colours",
    "PROGRESS_COLOURS",
    "PROGRESS_FONT",
    "WIDTH",
    "HEIGHT",
]

WIDTH, HEIGHT = 320, 140
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 12, 12, 24

# What the map paints a node when asked to colour by progress (and the legend says so).
PROGRESS_COLOURS = {
    "moved": {"background": "#b7e4c7", "border": "#2d6a4f"},
    "stalled": {"background": "#f8c9c4", "border": "#b42318"},
    "tracked": {"background": "#fde7b0", "border": "#b7791f"},
    "untracked": {"background": "#eef0f2", "border": "#98a2b3"},
}
# The label colour on every progress colour: dark, so that text keeps a 4.5:1 contrast on the
# pale fills (an initiative's white label on them washed out).
PROGRESS_FONT = "#1b1f24"


@dataclass(frozen=True)
class Chart:
    """One tracked indicator, ready to draw and to read as a table."""

    node: str
    node_title: str
    name: str
    baseline: float
    target: float
    progress: float
    points: list[dict[str, Any]] = field(default_factory=list)  # x, y, date, value, note
    baseline_y: float = 0.0
    target_y: float = 0.0
    line: str = ""  # the polyline's points
    ticks: list[dict[str, Any]] = field(default_factory=list)  # y and label of the value axis
    first_date: str = ""
    last_date: str = ""

    @property
    def baseline_shown(self) -> str:
        return _number(self.baseline)

    @property
    def target_shown(self) -> str:
        return _number(self.target)

    @property
    def description(self) -> str:
        """What the chart shows, in words (its accessible name)."""
        latest = self.points[-1]
        return (
            f"{self.name}: baseline {_number(self.baseline)}, target {_number(self.target)}, "
            f"{len(self.points)} observation(s), latest {_number(latest['value'])} on "
            f"{latest['date']}: {round(self.progress * 100)}% of the way to the target"
        )


def _number(value: float) -> str:
    return f"{value:g}"


def _day(value: Any) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def indicator_chart(node: Node, indicator: Indicator) -> Chart | None:
    """The chart of a tracked indicator (observations, baseline, target); None if untracked."""
    reached = progress(indicator)
    if not is_tracked(indicator) or reached is None:
        return None
    assert isinstance(indicator.baseline, int | float) and isinstance(indicator.target, int | float)
    observations = indicator.observations
    try:
        baseline, target = float(indicator.baseline), float(indicator.target)
        values = [float(o.value) for o in observations]
    except OverflowError:
        # Whole numbers beyond a float's range cannot be placed on an axis: no chart (the
        # indicator's numbers are still listed), rather than a page that fails for everybody.
        return None
    if not all(map(math.isfinite, [baseline, target, *values])):
        return None
    low, high = min([baseline, target, *values]), max([baseline, target, *values])
    pad = (high - low) * 0.08 or 1.0
    low, high = low - pad, high + pad
    if not math.isfinite(high - low):  # a span past a float's range: no axis can hold it
        return None
    days = [_day(o.date) for o in observations]
    span = (days[-1] - days[0]).days
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def y(value: float) -> float:
        return round(_TOP + (high - value) / (high - low) * plot_h, 1)

    def x(day: datetime.date) -> float:
        if span == 0:
            return round(_LEFT + plot_w / 2, 1)
        return round(_LEFT + (day - days[0]).days / span * plot_w, 1)

    points = [
        {
            "x": x(d),
            "y": y(v),
            "date": d.isoformat(),
            "value": v,
            "shown": _number(v),
            "note": o.note,
        }
        for d, v, o in zip(days, values, observations, strict=True)
    ]
    return Chart(
        node=node.id,
        node_title=node.title,
        name=indicator.name,
        baseline=baseline,
        target=target,
        progress=reached,
        points=points,
        baseline_y=y(baseline),
        target_y=y(target),
        line=" ".join(f"{p['x']},{p['y']}" for p in points),
        ticks=[{"y": y(v), "label": _number(v)} for v in sorted({baseline, target})],
        first_date=days[0].isoformat(),
        last_date=days[-1].isoformat(),
    )


def tracked_charts(model: TheoryOfChange) -> list[Chart]:
    """A chart for every tracked indicator of the model's nodes, in document order."""
    charts = []
    for node in model.nodes:
        for indicator in node.indicators:
            chart = indicator_chart(node, indicator)
            if chart is not None:
                charts.append(chart)
    return charts


def progress_colours(model: TheoryOfChange) -> dict[str, dict[str, str]]:
    """Each node's colour by the progress of its tracked indicators (SPEC §5's words).

    Moved (an indicator at half the way or more) is green, stalled red, tracked but neither
    amber, and a node with no tracked indicator a pale grey.
    """
    colours = {}
    for node in model.nodes:
        if moved(node):
            state = "moved"
        elif stalled(node):
            state = "stalled"
        elif any(is_tracked(indicator) for indicator in node.indicators):
            state = "tracked"
        else:
            state = "untracked"
        colours[node.id] = {**PROGRESS_COLOURS[state], "font": PROGRESS_FONT}
    return colours
