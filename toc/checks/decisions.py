"""Checks on the cabinet's own calls and money: TOC107–TOC109 (SPEC §1 `decision`, `funding`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from toc.checks.monitoring import data_along_chains
from toc.checks.registry import Hit, register
from toc.engine import Engine
from toc.model import Severity
from toc.standing import PROGRESS_WORDS, STANDING_BY_SLUG, standings_of

# How far ahead a funding end date asks for a decision (SPEC §3, TOC108).
_FUNDING_HORIZON = timedelta(days=365)
# "Title I 1003", "Title I, Section 1003", "Title I-A 1003(a)", "1003(a) school improvement":
# the school-improvement set-aside for CSI and TSI schools, however a budget office writes it.
_SCHOOL_IMPROVEMENT = re.compile(
    r"\btitle\s+i\b.*\b1003\b|\bsection\s+1003\b|\b1003\s*\(\s*a\s*\)|^\s*1003\b",
    re.IGNORECASE,
)
_QUOTE_MAX = 160


def _quoted(text: str) -> str:
    """A rationale as a message quotes it: on one line, cut at a word past 160 characters."""
    flat = " ".join(text.split())
    if len(flat) > _QUOTE_MAX:
        flat = flat[:_QUOTE_MAX].rsplit(" ", 1)[0] + "…"
    return f'"{flat}"'


def is_school_improvement(source: str) -> bool:
    """Whether a funding source is Title I section 1003 school-improvement money.

    >>> [is_school_improvement(s) for s in ("Title I 1003", "Title I, Section 1003(a)",
    ...     "Title I-A", "1003(a) school improvement", "IDEA")]
    [True, True, False, True, False]
    """
    return bool(_SCHOOL_IMPROVEMENT.search(source))


@register(
    "TOC107",
    "decision-against-standing",
    Severity.WARNING,
    subject="initiative",
    summary="An initiative whose `decision` is `keep` or `scale` while its standing is "
    "`no-chain` or `only-lowers` (not `keep` on a `required` one), or `scale` while its "
    "standing is not `sound` or its `progress` is not `moving`.",
    rationale="""
    A cabinet's call and the plan's own logic should agree, or the disagreement should be
    said out loud. Keeping an initiative that the plan draws no chain from to students, or
    whose own links say it only lowers their outcomes, asks the board to fund what the plan
    cannot explain; scaling one whose logic is incomplete, or whose data has not yet moved,
    spreads a theory before anything shows it works. The call may still be right (the
    rationale may know what the map does not), so the finding quotes the rationale beside
    the standing: either the plan needs the missing steps, or the decision needs another
    look. A statutory initiative (`required`) can be kept whatever its standing: it can be
    revised, not stopped.
    """,
    hint="Bring the plan and the decision into line: draw the missing steps, measure the "
    "chain, or revisit the verdict and its rationale.",
)
def decision_against_standing(engine: Engine) -> Iterator[Hit]:
    standings: list[str] | None = None
    progress: list[str] | None = None
    nodes = engine.node
    for j, i in enumerate(engine.initiatives):
        node = nodes[i]
        decision = getattr(node, "decision", None)
        if decision is None or str(decision.verdict) not in ("keep", "scale"):
            continue
        if standings is None:
            standings, progress = standings_of(engine), data_along_chains(engine)
        assert progress is not None
        why = disagreement(
            str(decision.verdict),
            bool(getattr(node, "required", None)),
            standings[j],
            progress[j],
        )
        if why is not None:
            yield Hit(engine.ids[i], disagreement_message(engine.title(i), decision, why))


def disagreement(verdict: str, required: bool, standing: str, progress: str) -> str | None:
    """Why a verdict disagrees with the plan's standing and data (TOC107), or None.

    >>> disagreement("keep", True, "no-chain", "no-data") is None
    True
    >>> disagreement("scale", False, "sound", "stalled")
    'the data along its chains is not moving (stalled: a step did not hold)'
    """
    if verdict not in ("keep", "scale"):
        return None
    if standing in ("no-chain", "only-lowers") and not (verdict == "keep" and required):
        return f"its standing is '{STANDING_BY_SLUG[standing].words}'"
    if verdict == "scale":
        if standing != "sound":
            return f"its standing is '{STANDING_BY_SLUG[standing].words}'"
        if progress != "moving":
            return f"the data along its chains is not moving ({PROGRESS_WORDS[progress]})"
    return None


def disagreement_message(title: str, decision: Any, why: str) -> str:
    """TOC107's sentence: the verdict, its date, why it disagrees, and its rationale quoted."""
    return (
        f"the decision to {decision.verdict} '{title}' ({decision.date.isoformat()}) "
        f"disagrees with the plan: {why}; its rationale reads {_quoted(decision.rationale)}"
    )


@register(
    "TOC108",
    "review-due",
    Severity.INFO,
    subject="initiative",
    summary="An initiative whose `decision.review_by` is before the check date, or one of whose "
    "`funding` entries `ends` before the check date or within 365 days after it.",
    rationale="""
    A decision is taken for a time: the cabinet that said "keep, and look again in the
    spring" needs to be told when the spring comes. Money has its own calendar too. When a
    grant or a one-time fund ends within the year, the choice to sustain the work from
    another source, shrink it or stop it has to be made before the budget is set, not
    after the money is gone. Listing these calls keeps the portfolio review on time.
    """,
    hint="Put it on the next review's agenda: decide again, with the data along its chains, "
    "and say where its money will come from.",
)
def review_due(engine: Engine) -> Iterator[Hit]:
    nodes = engine.node
    for i in engine.initiatives:
        reasons = due_reasons(nodes[i], engine.as_of)
        if reasons:
            yield Hit(
                engine.ids[i],
                f"time to decide again on '{engine.title(i)}': " + "; ".join(reasons),
            )


def due_reasons(node: Any, as_of: date) -> list[str]:
    """Why an initiative is due for another decision on `as_of` (TOC108): a review date
    passed, funding that ended or ends within 365 days; empty when none."""
    horizon = as_of + _FUNDING_HORIZON
    reasons = []
    decision = getattr(node, "decision", None)
    review_by = decision.review_by if decision is not None else None
    if review_by is not None and review_by < as_of:
        reasons.append(f"its review was due by {review_by.isoformat()}")
    for entry in getattr(node, "funding", None) or ():
        ends = entry.ends
        if ends is None or ends > horizon:
            continue
        tense = "ended" if ends < as_of else "ends"
        reasons.append(f"its '{entry.source}' funding {tense} on {ends.isoformat()}")
    return reasons


@register(
    "TOC109",
    "unevidenced-school-improvement",
    Severity.WARNING,
    subject="initiative",
    summary="An initiative funded from `Title I 1003` (school improvement for CSI and TSI "
    "schools) whose `essa_tier` is absent or 4.",
    rationale="""
    Federal school-improvement money under Title I, section 1003, pays for interventions
    in the schools a state has identified for comprehensive or targeted support, and ESSA
    asks that those interventions meet evidence tier 1, 2 or 3: strong, moderate or
    promising evidence from studies of the intervention itself. A rationale alone (tier 4)
    is not enough there, and neither is evidence for the steps of the chain: a link's tier
    is not the intervention's determination. Recording the intervention's own tier, and its
    source, is what a monitoring visit will ask for.
    """,
    hint="Record the intervention's own ESSA tier and its source (e.g. a What Works "
    "Clearinghouse review), or fund it from another source.",
)
def unevidenced_school_improvement(engine: Engine) -> Iterator[Hit]:
    nodes = engine.node
    for i in engine.initiatives:
        node = nodes[i]
        funding = getattr(node, "funding", None)
        if not funding:
            continue
        sources = [entry.source for entry in funding if is_school_improvement(entry.source)]
        if not sources:
            continue
        essa = getattr(node, "essa_tier", None)
        if essa is not None and essa.tier != 4:
            continue
        has = "no ESSA tier of its own" if essa is None else "ESSA tier 4 (a rationale)"
        yield Hit(
            engine.ids[i],
            f"'{engine.title(i)}' is funded from '{sources[0]}' (school improvement) but has "
            f"{has}: the law asks for tier 1, 2 or 3",
        )
