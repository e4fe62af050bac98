"""Checks that read a theory against its data: TOC701–TOC703 (observations, SPEC §5)."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.analyses import indicator_shares, not_holding
from toc.checks.registry import Hit, check
from toc.engine import Engine
from toc.model import Indicator, Severity
from toc.progress import (
    allowed_age,
    is_stale,
    moved_indicators,
)


def _key(indicator: Indicator) -> str:
    """How a finding names an indicator: its id, or else its name."""
    return indicator.id if indicator.id is not None else indicator.name


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@check(
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


@check(
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
    for i, shares in indicator_shares(engine).items():
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


@check(
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
