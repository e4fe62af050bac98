"""Cadence, progress, moved and stalled as SPEC §5 defines them, each edge from both sides."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pytest

from toc.model import Indicator, Node
from toc.progress import (
    allowed_age,
    is_stale,
    is_tracked,
    moved,
    progress,
    stalled,
    step_not_holding,
)

DAY = datetime.date(2026, 6, 30)


def _indicator(values: Sequence[tuple[str, float]] = (), **fields: Any) -> Indicator:
    observations = [{"date": date, "value": value} for date, value in values]
    return Indicator.model_validate(
        {"name": "Change in practice", **fields, "observations": observations}
    )


def _node(*indicators: Indicator) -> Node:
    return Node(id="n", level="teacher", kind="change", title="N", indicators=list(indicators))


@pytest.mark.parametrize(
    ("cadence", "days"),
    [
        ("weekly", 14),
        ("WEEKLY", 14),
        ("Monthly", 45),
        ("quarterly", 120),
        ("termly", 200),
        ("once a semester", 200),
        ("annual", 400),
        ("annually", 400),
        ("yearly", 400),
        ("every 10 days", 20),
        ("every 1 day", 2),
        ("every 2 weeks", 28),
        ("Every Three Weeks", 42),
        ("every twelve months", 720),
        ("every 6 months", 360),
        # The first word in SPEC order decides, wherever it stands in the text.
        ("monthly, with weekly spot checks", 14),
        ("termly or quarterly", 120),
        # `every N ...` wins over the words.
        ("every 2 weeks, reported annually", 28),
    ],
)
def test_understood_cadences_allow_their_days(cadence: str, days: int) -> None:
    assert allowed_age(cadence) == days


@pytest.mark.parametrize(
    "cadence",
    [
        None,
        "",
        "biweekly",
        "weeklyish",
        "semesterly",
        "fortnightly",
        "every week",
        "every thirteen weeks",
        "every one week",
        "every 2 years",
        "as needed",
    ],
)
def test_other_cadences_are_not_judged(cadence: str | None) -> None:
    assert allowed_age(cadence) is None


@pytest.mark.parametrize(("cadence", "days"), [("weekly", 14), ("every 3 months", 180)])
def test_stale_only_when_strictly_older_than_allowed(cadence: str, days: int) -> None:
    last = DAY - datetime.timedelta(days=days)
    indicator = _indicator([(last.isoformat(), 1)], cadence=cadence)
    assert not is_stale(indicator, DAY)
    assert is_stale(indicator, DAY + datetime.timedelta(days=1))


def test_stale_reads_the_latest_date_not_the_last_listed() -> None:
    indicator = _indicator([("2026-06-29", 1), ("2026-01-01", 2)], cadence="weekly")
    assert not is_stale(indicator, DAY)


def test_no_observation_is_never_stale() -> None:
    assert not is_stale(_indicator(cadence="weekly"), DAY)


def test_tracked_needs_two_different_numbers_and_an_observation() -> None:
    seen = [("2026-01-01", 5)]
    assert is_tracked(_indicator(seen, baseline=0, target=10))
    assert is_tracked(_indicator(seen, baseline=0.0, target=-1))
    assert not is_tracked(_indicator(seen, baseline=10, target=10))
    assert not is_tracked(_indicator(seen, baseline=0, target="most classrooms"))
    assert not is_tracked(_indicator(seen, baseline="0", target=10))
    assert not is_tracked(_indicator(seen, target=10))
    assert not is_tracked(_indicator(baseline=0, target=10))


def test_progress_runs_from_baseline_to_target_either_way() -> None:
    assert progress(_indicator([("2026-01-01", 15)], baseline=10, target=20)) == 0.5
    assert progress(_indicator([("2026-01-01", 25)], baseline=30, target=20)) == 0.5
    assert progress(_indicator([("2026-01-01", 35)], baseline=30, target=20)) == -0.5
    assert progress(_indicator([("2026-01-01", 20)], baseline=30, target=20)) == 1
    assert progress(_indicator([("2026-01-01", 5)], baseline=0, target="all")) is None


def test_progress_reads_the_latest_date() -> None:
    indicator = _indicator([("2026-03-01", 20), ("2026-01-01", 10)], baseline=10, target=20)
    assert progress(indicator) == 1


def test_moved_at_half_and_not_below() -> None:
    assert moved(_node(_indicator([("2026-01-01", 50)], baseline=0, target=100)))
    assert not moved(_node(_indicator([("2026-01-01", 49)], baseline=0, target=100)))
    # Any tracked indicator can show a node moved, a count included.
    assert moved(
        _node(_indicator([("2026-01-01", 9)], name="Sessions held", baseline=0, target=10))
    )


def test_stalled_at_a_tenth_and_not_above() -> None:
    assert stalled(_node(_indicator([("2026-01-01", 10)], baseline=0, target=100)))
    assert not stalled(_node(_indicator([("2026-01-01", 11)], baseline=0, target=100)))
    # Off track is stalled too.
    assert stalled(_node(_indicator([("2026-01-01", -5)], baseline=0, target=100)))


def test_stalled_reads_only_tracked_change_and_outcome_indicators() -> None:
    count = _indicator([("2026-01-01", 0)], name="Number of visits", baseline=0, target=10)
    assert not stalled(_node(count))
    stated = _indicator(
        [("2026-01-01", 0)], name="Visits", measures="outcome", baseline=0, target=9
    )
    assert stalled(_node(count, stated))
    untracked = _indicator(name="Change in talk", baseline=0, target=10)
    assert not stalled(_node(untracked))
    moving = _indicator([("2026-01-01", 5)], name="Assessment growth", baseline=0, target=10)
    assert not stalled(_node(stated, moving))


def _step(source_first: str, target_last: str) -> bool:
    source = _node(_indicator([(source_first, 9), ("2026-05-01", 10)], baseline=0, target=10))
    target = _node(_indicator([("2025-01-01", 0), (target_last, 0)], baseline=0, target=10))
    return step_not_holding(source, target)


def test_step_not_holding_needs_the_target_measured_after_the_source_began_to_move() -> None:
    assert _step("2026-02-01", "2026-02-01")
    assert _step("2026-02-01", "2026-03-01")
    assert not _step("2026-02-01", "2026-01-31")


def test_step_holds_when_the_source_did_not_move_or_the_target_did() -> None:
    source = _node(_indicator([("2026-01-01", 4)], baseline=0, target=10))
    target = _node(_indicator([("2026-02-01", 0)], baseline=0, target=10))
    assert not step_not_holding(source, target)
    mover = _node(_indicator([("2026-01-01", 6)], baseline=0, target=10))
    assert step_not_holding(mover, target)
    assert not step_not_holding(
        mover, _node(_indicator([("2026-02-01", 2)], baseline=0, target=10))
    )
