"""Checks on change chains, their `because` and their sign: TOC101–TOC106."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, register
from toc.engine import Engine, members
from toc.model import Severity


@register(
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


@register(
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


@register(
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


@register(
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


def outcome_signs(engine: Engine) -> tuple[int, int]:
    """Bitsets of the initiatives raising some outcome and lowering some (see `_outcome_signs`)."""
    return engine.shared("outcome_signs", _outcome_signs)


def _outcome_signs(engine: Engine) -> tuple[int, int]:
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


def raised_and_lowered(engine: Engine) -> tuple[list[list[int]], list[list[int]]]:
    """For each initiative, the outcomes it raises and those it lowers (node numbers, id order).

    Computed once per engine: the checks' messages and the scorecard rows share it.
    """
    return engine.shared("raised_and_lowered", _raised_and_lowered)


def _raised_and_lowered(engine: Engine) -> tuple[list[list[int]], list[list[int]]]:
    """For each initiative (by position in `engine.initiatives`), the outcomes it raises and
    those it lowers, as node numbers in id order."""
    up, down = engine.pushes
    count = len(engine.initiatives)
    raises: list[list[int]] = [[] for _ in range(count)]
    lowers: list[list[int]] = [[] for _ in range(count)]
    # Visiting the outcomes in id order leaves every list in id order: no sort per row.
    for outcome in sorted(engine.outcomes, key=engine.ids.__getitem__):
        for j in members(up[outcome]):
            raises[j].append(outcome)
        for j in members(down[outcome]):
            lowers[j].append(outcome)
    return raises, lowers


@register(
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


@register(
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
