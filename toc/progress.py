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
from functools import lru_cache

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
    "began_moving",
    "moved_date",
    "stalled_since",
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


# A portfolio repeats a handful of cadences across thousands of indicators.
@lru_cache(maxsize=1024)
def allowed_age(cadence: str | None) -> int | None:
    """How many days old an indicator's latest observation may be.

    Parameters
    ----------
    cadence : str or None
        The indicator's `cadence`, read with case ignored and whole words only.

    Returns
    -------
    int or None
        Twice the period of `every N days|weeks|months` (N in digits or a word from two to
        twelve; a month is 30 days); else the days of the first of `weekly` (14), `monthly`
        (45), `quarterly` (120), `termly`/`semester` (200), `annual`/`annually`/`yearly`
        (400) found; None when the cadence is not judged.

    Examples
    --------
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
    """Whether the latest observation is strictly older than the cadence allows.

    Parameters
    ----------
    indicator : Indicator
        Its observations are sorted by date, so the last one is the latest.
    as_of : datetime.date
        The check date.

    Returns
    -------
    bool
        False for an indicator with no observation or a cadence that is not judged.

    Examples
    --------
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
    """Whether baseline and target are different numbers and there is an observation.

    Parameters
    ----------
    indicator : Indicator

    Returns
    -------
    bool
        Only tracked indicators have a progress; text baselines and targets never do.

    Examples
    --------
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
    """How far the latest observation has come from the baseline towards the target.

    Parameters
    ----------
    indicator : Indicator

    Returns
    -------
    float or None
        (latest value − baseline) ÷ (target − baseline): 0 at the baseline, 1 at the target,
        below 0 when it moved away, whichever way the target lies; None when the indicator
        is not tracked. "Latest" is the observation with the latest date.

    Examples
    --------
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
    """The node's tracked indicators, of any kind, whose progress is at least 0.5.

    Parameters
    ----------
    node : Node

    Returns
    -------
    list of Indicator
        In the node's order; empty when the node did not move.
    """
    return [i for i in node.indicators if (p := progress(i)) is not None and p >= 0.5]


def moved(node: Node) -> bool:
    """Whether one of the node's tracked indicators has progress of at least 0.5.

    Parameters
    ----------
    node : Node

    Returns
    -------
    bool
    """
    return bool(moved_indicators(node))


def stalled(node: Node) -> bool:
    """Whether the node's change or outcome indicators say it has not moved.

    Parameters
    ----------
    node : Node

    Returns
    -------
    bool
        True when the node has at least one tracked indicator that measures `change` or
        `outcome` (stated or inferred from its name) and every such one has progress of at
        most 0.1. Counts and fidelity checks take no part.
    """
    shares = [progress(i) for i in _real_tracked(node)]
    return bool(shares) and all(share is not None and share <= 0.1 for share in shares)


def moved_date(indicator: Indicator) -> datetime.date | None:
    """A moved indicator's *moved date*: the earliest date whose observation, read as the
    latest, already gives progress of at least 0.5 (None when the indicator did not move).

    Examples
    --------
    >>> from toc.model import Indicator
    >>> moved_date(Indicator.model_validate({"name": "Visits", "baseline": 0, "target": 10,
    ...     "observations": [{"date": "2026-01-01", "value": 1},
    ...     {"date": "2026-03-01", "value": 6}, {"date": "2026-05-01", "value": 9}]}))
    datetime.date(2026, 3, 1)
    """
    share = progress(indicator)
    if share is None or share < 0.5:
        return None
    baseline, target = _number(indicator.baseline), _number(indicator.target)
    assert baseline is not None and target is not None
    span = target - baseline
    for observation in indicator.observations:
        try:
            if (observation.value - baseline) / span >= 0.5:
                return observation.date
        except OverflowError:
            continue
    return None


def began_moving(node: Node) -> datetime.date | None:
    """The earliest moved date among the node's moved indicators (None: not moved).

    Parameters
    ----------
    node : Node

    Returns
    -------
    datetime.date or None
    """
    return min((day for i in node.indicators if (day := moved_date(i)) is not None), default=None)


def stalled_since(node: Node) -> datetime.date | None:
    """When a stalled node was last measured: the latest observation date among its tracked
    change/outcome indicators (None when it did not stall).

    Parameters
    ----------
    node : Node

    Returns
    -------
    datetime.date or None
    """
    if not stalled(node):
        return None
    return max(i.observations[-1].date for i in _real_tracked(node))


def step_not_holding(source: Node, target: Node, lag: int = 0) -> bool:
    """TOC703's test of a step: its source moved and its target did not.

    Parameters
    ----------
    source, target : Node
        The ends of a `leads_to` link.
    lag : int
        The link's `lag` in days (0 when it has none).

    Returns
    -------
    bool
        True when `source` moved, `target` stalled, and the target was measured once the
        source had moved and the lag had passed: the latest observation date among the
        target's tracked change/outcome indicators is on or after the earliest moved date
        among the source's moved indicators plus `lag` days.

    Examples
    --------
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
    >>> step_not_holding(coaching, node("practice", [("2026-02-01", 1)]), lag=365)
    False
    """
    began = began_moving(source)
    measured = stalled_since(target) if began is not None else None
    return (
        began is not None
        and measured is not None
        and measured >= began + datetime.timedelta(days=lag)
    )
