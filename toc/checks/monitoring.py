"""Checks that read a theory against its data: TOC701–TOC703 (observations, SPEC §5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from toc.checks.registry import Hit, register
from toc.engine import Engine, reach, reaches_another
from toc.model import Indicator, Severity, lag_days
from toc.progress import (
    allowed_age,
    began_moving,
    is_stale,
    moved_indicators,
    progress,
    stalled_since,
)


def _key(indicator: Indicator) -> str:
    """How a finding names an indicator: its id, or else its name."""
    return indicator.id if indicator.id is not None else indicator.name


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _lag_days(link: object) -> int:
    """A link's `lag` in days (0 when it has none)."""
    lag = link.lag  # type: ignore[attr-defined]
    return lag_days(lag) if lag else 0


@register(
    "TOC701",
    "stale-indicator",
    Severity.WARNING,
    subject="node",
    summary="An indicator with an understood `cadence` whose latest observation is older, on "
    "the check date, than its cadence allows.",
    rationale="""
    A theory of change is tested by the data that comes in, and an indicator the team
    promised to look at every month but last looked at in the autumn tests nothing. Stale
    indicators are how a plan quietly turns back into a compliance document: the rollout is
    still reported, because counts of sessions arrive on their own, while the evidence of
    change that needs someone to go and look stops coming. Catching the gap while the data
    can still be collected keeps the mid-course review honest.
    """,
    hint="Add the missing observation, or change the cadence to the one the team can keep.",
)
def stale_indicator(engine: Engine) -> Iterator[Hit]:
    as_of = engine.as_of
    for node_id, node in engine.nodes.items():
        for indicator in node.indicators:
            if is_stale(indicator, as_of):
                latest = indicator.observations[-1].date
                yield Hit(
                    node_id,
                    f"'{indicator.name}' on '{node.title}' was last observed on "
                    f"{latest.isoformat()}, {(as_of - latest).days} days before "
                    f"{as_of.isoformat()}; its cadence ({indicator.cadence}) allows "
                    f"{allowed_age(indicator.cadence)} days",
                    indicator=_key(indicator),
                )


@register(
    "TOC702",
    "off-track",
    Severity.WARNING,
    subject="node",
    summary="An indicator with numeric `baseline` and `target` whose latest observation has "
    "moved away from the target: its progress is below 0.",
    rationale="""
    Progress is read from the baseline towards the target, whichever way the target lies:
    chronic absence should fall, the share of students on track should rise. When the latest
    value sits on the far side of the baseline, things have got worse since the plan was
    written, not merely slower than hoped. That is the moment to ask what else changed and
    whether the initiative is part of the cause, rather than wait for the annual results.
    """,
    hint="Look at what changed since the baseline; revisit the links into this node and "
    "their assumptions.",
)
def off_track(engine: Engine) -> Iterator[Hit]:
    ids, nodes = engine.ids, engine.node
    for i, shares in _shares(engine).items():
        node = nodes[i]
        for indicator, share in zip(node.indicators, shares, strict=True):
            if share is not None and share < 0:
                latest = indicator.observations[-1]
                assert not isinstance(indicator.baseline, str)
                assert not isinstance(indicator.target, str)
                assert indicator.baseline is not None and indicator.target is not None
                yield Hit(
                    ids[i],
                    f"'{indicator.name}' on '{node.title}' is {_number(latest.value)} on "
                    f"{latest.date.isoformat()}, further from its target "
                    f"{_number(indicator.target)} than the baseline "
                    f"{_number(indicator.baseline)} (progress {share:.2f})",
                    indicator=_key(indicator),
                )


@register(
    "TOC703",
    "step-not-holding",
    Severity.WARNING,
    subject="link",
    summary="A `leads_to` link whose source moved (a tracked indicator at half its target or "
    "more) and whose target stalled (every tracked change or outcome indicator at a tenth or "
    "less), last measured on or after the source's moved date plus the link's `lag`.",
    rationale="""
    This is the signal no implementation dashboard gives. Coaching cycles were completed and
    teachers were trained, so the step happened; yet what changes in teaching because
    coaching is happening has not changed. The data is not saying the initiative failed to
    roll out, it is saying the mechanism in the link's `because` did not hold here. Counts of
    rollout cannot reveal that; only evidence of change at the next level can, and this
    check puts the two side by side. It waits for the step to have had its chance: a
    target last measured before its source moved, or before the link's `lag` has passed (a
    grade-6 cohort takes Algebra I two years later), is not yet a step that failed.
    """,
    hint="Question the link's because: is the mechanism real here, are its assumptions met, "
    "or does the step need another ingredient?",
)
def step_not_holding_check(engine: Engine) -> Iterator[Hit]:
    nodes = engine.node
    sources, targets = engine.link_source, engine.link_target
    for k in not_holding(engine):
        source, target = nodes[sources[k]], nodes[targets[k]]
        names = ", ".join(f"'{i.name}'" for i in moved_indicators(source))
        yield Hit(
            engine.key(k),
            f"'{source.title}' moved ({names}) but '{target.title}' did not: "
            "the step happened and its effect did not",
        )


def not_holding(engine: Engine) -> list[int]:
    """TOC703's links (numbers, document order), computed once per engine."""
    return engine.shared("not_holding", _not_holding)


def _not_holding(engine: Engine) -> list[int]:
    nodes, sources, targets = engine.node, engine.link_source, engine.link_target
    # Each node is judged once, however many links it has (`step_not_holding`, unrolled).
    began: dict[int, date | None] = {}
    measured: dict[int, date | None] = {}
    own = engine.own_links  # a portfolio's reference links are identities: no finding
    found: list[int] = []
    # Only a node that moved can start a step that does not hold; only a tracked one can stall.
    tracked = _shares(engine)
    moved = {i for i, shares in tracked.items() if any(s is not None and s >= 0.5 for s in shares)}
    if not moved:
        return found
    for k in engine.leads_to:
        if k >= own:
            break  # the reference links come last
        from_node, to_node = sources[k], targets[k]
        if from_node not in moved or to_node not in tracked:
            continue
        if from_node not in began:
            began[from_node] = began_moving(nodes[from_node])
        start = began[from_node]
        if start is None:
            continue
        if to_node not in measured:
            measured[to_node] = stalled_since(nodes[to_node])
        last = measured[to_node]
        if last is None:
            continue
        lag = _lag_days(engine.link[k])
        if last >= (start + timedelta(days=lag) if lag else start):
            found.append(k)
    return found


def node_data(engine: Engine) -> tuple[list[int], list[int], list[int]]:
    """The nodes with a TOC702 indicator (off track), the nodes that moved, and the nodes
    with a tracked indicator (SPEC §5), each in node order, read once per engine."""
    shares = _shares(engine)
    off = [i for i, found in shares.items() if any(s is not None and s < 0 for s in found)]
    moving = [i for i, found in shares.items() if any(s is not None and s >= 0.5 for s in found)]
    return off, moving, list(shares)


def _shares(engine: Engine) -> dict[int, list[float | None]]:
    """Each node with a tracked indicator: the progress of each of its indicators (None for
    those not tracked), in node order. Computed once, for TOC702, TOC703 and `progress`."""

    def compute(engine: Engine) -> dict[int, list[float | None]]:
        found: dict[int, list[float | None]] = {}
        nodes = engine.node
        for i in engine.measures:
            shares = [progress(indicator) for indicator in nodes[i].indicators]
            if any(share is not None for share in shares):
                found[i] = shares
        return found

    return engine.shared("shares", compute)


def data_along_chains(engine: Engine) -> list[str]:
    """For each initiative (by position), what the data along its chains says (SPEC §3
    `progress`): `off-track`, `stalled`, `moving`, `no-data` or `not-yet`.

    Chain nodes never include the initiative itself; a chain link may start at it. One
    backward search per kind of flag, for every initiative at once, each node learning up to
    two flagged nodes (so "one that is not itself" is read off at the initiative).
    """
    off, moving, tracked = node_data(engine)
    finishing, pred, initiatives = engine.reaches_outcome, engine.pred, engine.initiatives

    def other_flagged(flagged: list[int]) -> list[bool]:
        starts = [i for i in flagged if finishing[i]]
        if not starts:
            return [False] * len(initiatives)
        found = reaches_another(starts, pred)
        return [bool(found[i]) for i in initiatives]

    stalled_from = [
        engine.link_source[k] for k in not_holding(engine) if finishing[engine.link_target[k]]
    ]
    reached = reach(stalled_from, pred) if stalled_from else bytearray(len(engine))
    is_off, is_moving, has_data = other_flagged(off), other_flagged(moving), other_flagged(tracked)
    found = []
    for j, i in enumerate(initiatives):
        if is_off[j]:
            found.append("off-track")
        elif reached[i]:
            found.append("stalled")
        elif is_moving[j]:
            found.append("moving")
        elif not has_data[j]:
            found.append("no-data")
        else:
            found.append("not-yet")
    return found
