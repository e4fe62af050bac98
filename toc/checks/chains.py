"""Checks on change chains and the calls made on them: TOC101–TOC109.

TOC101–TOC106 read the chains, their `because` and their sign; TOC107–TOC109 read the
cabinet's own calls and money against them (SPEC §1 `decision`, `funding`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from toc.checks.analyses import data_along_chains, raised_and_lowered
from toc.checks.registry import Hit, check
from toc.engine import Engine, analysis
from toc.model import Severity
from toc.standing import PROGRESS_WORDS, STANDING_BY_SLUG, standings_of


@check(
    "TOC101",
    "unanchored-initiative",
    Severity.ERROR,
    subject="initiative",
    summary="An initiative reaches no student outcome: it has no chain.",
    rationale="""
    Backward mapping starts from the question "what are we trying to change about students'
    learning experiences?" and works back to what the system does. An initiative that no
    chain of `leads_to` links connects to a student outcome cannot answer that question: it
    may be busy, funded and popular, but on paper it changes nothing for students. It is
    either missing the steps that explain how it reaches classrooms, or it is a candidate
    for strategic abandonment, freeing time and attention for work that does.
    """,
    hint="Add the teacher and student changes it is meant to cause, down to an outcome, "
    "or consider retiring it.",
)
def unanchored_initiative(engine: Engine) -> Iterator[Hit]:
    anchored = engine.anchored
    for i in engine.initiatives:
        if not anchored[i]:
            yield Hit(engine.ids[i], f"initiative '{engine.title(i)}' reaches no student outcome")


@check(
    "TOC102",
    "no-because-chain",
    Severity.ERROR,
    subject="initiative",
    summary="An initiative has chains, but none on which every link has a `because`.",
    rationale="""
    A theory of action says not only what people will do but why doing it should improve
    learning: each step needs a because, a mechanism grounded in research. An initiative
    whose every chain has at least one step with no stated mechanism is scaling a theory of
    form. When results disappoint, nobody can tell whether the practice failed or was never
    enacted in a way that could work, because nobody wrote down how it was supposed to work.
    """,
    hint="Write the mechanism on each link of at least one chain: why should FROM produce TO?",
)
def no_because_chain(engine: Engine) -> Iterator[Hit]:
    anchored, explained = engine.anchored, engine.explained
    for i in engine.initiatives:
        if anchored[i] and not explained[i]:
            yield Hit(
                engine.ids[i],
                f"every chain from '{engine.title(i)}' to a student outcome has a link with no "
                "because",
            )


@check(
    "TOC103",
    "missing-because",
    Severity.WARNING,
    subject="link",
    summary="A link on some initiative's chains has no `because`.",
    rationale="""
    Every step of a change chain is a claim that one thing produces another: that a
    coaching cycle changes what a teacher does, that a changed routine changes what students
    experience. A step with no because is where a pre-mortem should look first. Naming the
    mechanism makes the claim testable and tells the people enacting it which part of the
    practice carries the weight, so they keep the function when they adapt the form.
    """,
    hint="State the mechanism: what about FROM should change TO?",
)
def missing_because(engine: Engine) -> Iterator[Hit]:
    because, links = engine.link_because, engine.link
    for k in engine.chain_links:
        if not because[k]:
            link = links[k]
            yield Hit(engine.key(k), f"no because on the step '{link.source}' → '{link.target}'")


@check(
    "TOC104",
    "unevidenced-because",
    Severity.INFO,
    subject="link",
    summary="A link (feedback links too) has a `because` but no evidence.",
    rationale="""
    A stated mechanism is a hypothesis until something backs it. Recording the evidence for
    each because, and its strength on the ESSA tiers, shows a team where its theory rests on
    strong research, where on promising studies, and where on a rationale alone. It tells
    leaders which links to watch most closely and which to study as the work unfolds.
    """,
    hint="Cite the research or local data behind the mechanism, with its ESSA tier if known.",
)
def unevidenced_because(engine: Engine) -> Iterator[Hit]:
    because, links = engine.link_because, engine.link
    # A portfolio's reference links (numbered from `own_links`) are identities: no finding.
    for k in range(engine.own_links):
        link = links[k]
        if because[k] and not link.evidence:
            yield Hit(
                engine.key(k), f"the because on '{link.source}' → '{link.target}' cites no evidence"
            )


@analysis
def outcome_signs(engine: Engine) -> tuple[int, int]:
    """The initiatives that raise some outcome and those that lower some, as bitsets.

    Bit j stands for `engine.initiatives[j]`: the union, over the outcomes, of the engine's
    signed pushes (SPEC §1: a chain's sign is the product of its links' polarities).
    """
    up, down = engine.pushes
    raising = lowering = 0
    for outcome in engine.outcomes:
        raising |= up[outcome]
        lowering |= down[outcome]
    return raising, lowering


@check(
    "TOC105",
    "only-lowers",
    Severity.ERROR,
    subject="initiative",
    summary="An initiative has chains, lowers some outcome and raises none: by its own theory "
    "it weakens student learning.",
    rationale="""
    A theory of action is a claim that what the system does will improve what students
    learn. When every chain from an initiative reaches student outcomes through a step that
    works against them, such as an evaluation rubric that rewards pacing and so crowds out
    small-group reteaching, the model itself says the initiative makes learning worse. It
    is not a gap in the evidence but the team's own account of harm, and the strongest
    case for strategic abandonment: stop it, or redesign the step that turns it against
    students.
    """,
    hint="Redesign the `-` step so the initiative supports the outcome, or plan to stop it.",
)
def only_lowers(engine: Engine) -> Iterator[Hit]:
    raising, lowering = outcome_signs(engine)
    if not lowering:
        return
    lowers = raised_and_lowered(engine)[1]
    for j, i in enumerate(engine.initiatives):
        if lowering >> j & 1 and not raising >> j & 1:
            yield Hit(
                engine.ids[i],
                f"'{engine.title(i)}' lowers {_named(engine, lowers[j])} and raises no "
                "student outcome",
            )


@check(
    "TOC106",
    "lowers-outcome",
    Severity.WARNING,
    subject="initiative",
    summary="An initiative raises some outcome and also lowers one (the same or another).",
    rationale="""
    Initiatives rarely do only good. A literacy block that lengthens reading time may cut
    into science, and a pacing guide that speeds coverage may rush the students who most
    need reteaching. When the model says an initiative raises some outcomes and lowers
    others, or pushes the same outcome both ways along different chains, the side effect is
    part of the decision: leaders should weigh it openly, watch the outcome it lowers, and
    design the work to blunt the harm.
    """,
    hint="Name how the harm will be limited and watch the outcome it lowers.",
)
def lowers_outcome(engine: Engine) -> Iterator[Hit]:
    raising, lowering = outcome_signs(engine)
    if not lowering & raising:
        return
    raises, lowers = raised_and_lowered(engine)
    for j, i in enumerate(engine.initiatives):
        if lowering >> j & 1 and raising >> j & 1:
            if raises[j] == lowers[j]:
                told = f"both raises and lowers {_named(engine, lowers[j])}, along different chains"
            else:
                told = (
                    f"raises {_named(engine, raises[j])} but also lowers "
                    f"{_named(engine, lowers[j])}"
                )
            yield Hit(engine.ids[i], f"'{engine.title(i)}' {told}")


def _named(engine: Engine, outcomes: list[int], most: int = 3) -> str:
    """Outcomes by title, quoted; past `most`, how many more (a statewide model has many)."""
    quoted = [f"'{engine.title(o)}'" for o in outcomes[:most]]
    if len(outcomes) > most:
        return ", ".join(quoted) + f" and {len(outcomes) - most} more"
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


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


@check(
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


@check(
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


@check(
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
