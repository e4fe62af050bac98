"""Reading indicators against their data: cadence, progress, and whether a node moved or stalled.

Everything here follows SPEC §5 and is pure: it reads a model's indicators and a check date,
and never the clock.

An indicator is *tracked* when its ``baseline`` and ``target`` are different numbers and it has
at least one observation. Its *progress* is (latest value − baseline) ÷ (target − baseline):
0 at the baseline, 1 at the target, whichever way the target lies.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable

from toc.indicators import REAL_MEASURES, measures_of
from toc.model import Indicator, Node

__all__ = [
    "allowed_age",
    "is_stale",
    "is_tracked",
    "progress",
    "moved_indicators",
    "moved",
    "stalled",
    "step_not_holding",
    "today_utc",
]

# A month is taken as 30 days; an `every N ...` cadence allows twice its period, so one late
# report is tolerated and a missed one is not.
_PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
_NUMBER_WORDS = {
    word: number
    for number, word in enumerate(
        [
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ],
        start=2,
    )
}
_EVERY = re.compile(
    r"(?<![a-z0-9])every\s+([0-9]+|"
    + "|".join(_NUMBER_WORDS)
    + r")\s+(day|week|month)s?(?![a-z0-9])",
    re.IGNORECASE,
)
# Tried in this order: the first word found decides ("weekly, reviewed quarterly" is weekly).
_WORDS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("weekly",), 14),
    (("monthly",), 45),
    (("quarterly",), 120),
    (("termly", "semester"), 200),
    (("annual", "annually", "yearly"), 400),
)
_WORD_PATTERNS = tuple(
    (re.compile(r"(?<![a-z0-9])(?:" + "|".join(words) + r")(?![a-z0-9])", re.IGNORECASE), days)
    for words, days in _WORDS
)


def today_utc() -> datetime.date:
    """Today's date in UTC: the default check date."""
    return datetime.datetime.now(datetime.UTC).date()


def allowed_age(cadence: str | None) -> int | None:
    """How many days old an indicator's latest observation may be, or None when not judged.

    >>> allowed_age("Weekly")
    14
    >>> allowed_age("every 2 weeks"), allowed_age("Every three months")
    (28, 180)
    >>> allowed_age("each term (termly)")
    200
    >>> allowed_age("biweekly") is None
    True
    """
    if not cadence:
        return None
    every = _EVERY.search(cadence)
    if every:
        count, unit = every.group(1).lower(), every.group(2).lower()
        number = int(count) if count.isdigit() else _NUMBER_WORDS[count]
        return 2 * number * _PERIOD_DAYS[unit]
    for pattern, days in _WORD_PATTERNS:
        if pattern.search(cadence):
            return days
    return None


def is_stale(indicator: Indicator, as_of: datetime.date) -> bool:
    """True when the latest observation is strictly older than the cadence allows on `as_of`.

    Indicators with no observation, or a cadence toc does not understand, are never stale.

    >>> from toc.model import Indicator
    >>> weekly = Indicator.model_validate({"name": "Visits", "cadence": "weekly",
    ...     "observations": [{"date": "2026-01-01", "value": 3}]})
    >>> is_stale(weekly, datetime.date(2026, 1, 15)), is_stale(weekly, datetime.date(2026, 1, 16))
    (False, True)
    """
    days = allowed_age(indicator.cadence)
    if days is None or not indicator.observations:
        return False
    return (as_of - indicator.observations[-1].date).days > days


def _number(value: int | float | str | None) -> int | float | None:
    # Text baselines and targets ("most classrooms") take no part in progress.
    return None if isinstance(value, str) else value


def is_tracked(indicator: Indicator) -> bool:
    """Baseline and target are different numbers, and there is at least one observation.

    >>> from toc.model import Indicator
    >>> is_tracked(Indicator.model_validate({"name": "x", "baseline": 10, "target": "most",
    ...     "observations": [{"date": "2026-01-01", "value": 3}]}))
    False
    """
    baseline, target = _number(indicator.baseline), _number(indicator.target)
    return (
        baseline is not None
        and target is not None
        and baseline != target
        and bool(indicator.observations)
    )


def progress(indicator: Indicator) -> float | None:
    """(latest − baseline) ÷ (target − baseline) for a tracked indicator, else None.

    "Latest" is the observation with the latest date, whatever order the document gave.

    >>> from toc.model import Indicator
    >>> progress(Indicator.model_validate({"name": "Chronic absence", "baseline": 30,
    ...     "target": 20, "observations": [{"date": "2026-03-01", "value": 25},
    ...     {"date": "2026-01-01", "value": 40}]}))
    0.5
    """
    if not is_tracked(indicator):
        return None
    baseline, target = _number(indicator.baseline), _number(indicator.target)
    assert baseline is not None and target is not None
    try:
        share = (indicator.observations[-1].value - baseline) / (target - baseline)
    except OverflowError:  # whole numbers too large for a float: no judgement rather than a crash
        return None
    return None if math.isnan(share) else share


def _real_tracked(node: Node) -> list[Indicator]:
    """The node's tracked indicators that measure a change or an outcome (stated or inferred)."""
    return [i for i in node.indicators if measures_of(i) in REAL_MEASURES and is_tracked(i)]


def moved_indicators(node: Node) -> list[Indicator]:
    """The node's tracked indicators whose progress is at least 0.5 (of any kind)."""
    return [i for i in node.indicators if (p := progress(i)) is not None and p >= 0.5]


def moved(node: Node) -> bool:
    """One of the node's tracked indicators has progress ≥ 0.5."""
    return bool(moved_indicators(node))


def stalled(node: Node) -> bool:
    """At least one tracked change/outcome indicator, and every such has progress ≤ 0.1."""
    real = _real_tracked(node)
    return bool(real) and all((progress(i) or 0.0) <= 0.1 for i in real)


def _first_dates(indicators: Iterable[Indicator]) -> list[datetime.date]:
    return [i.observations[0].date for i in indicators]


def step_not_holding(source: Node, target: Node) -> bool:
    """TOC703's test for a step `source → target`: the source moved, the target stalled, and the
    target was measured after the source began to move.

    That is, the latest observation date among the target's tracked change/outcome indicators
    is not earlier than the earliest first-observation date among the source's moved ones.

    >>> from toc.model import Node
    >>> def node(node_id, values):
    ...     return Node.model_validate({"id": node_id, "level": "teacher", "kind": "change",
    ...         "title": node_id, "indicators": [{"name": "Change in practice", "baseline": 0,
    ...         "target": 10, "observations": [{"date": d, "value": v} for d, v in values]}]})
    >>> coaching = node("coaching", [("2026-01-10", 8)])
    >>> step_not_holding(coaching, node("practice", [("2026-02-01", 1)]))
    True
    >>> step_not_holding(coaching, node("practice", [("2026-01-09", 1)]))
    False
    """
    began = _first_dates(moved_indicators(source))
    if not began or not stalled(target):
        return False
    measured = max(i.observations[-1].date for i in _real_tracked(target))
    return measured >= min(began)
