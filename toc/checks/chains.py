"""Checks on change chains and their `because`: TOC101–TOC104."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, register
from toc.engine import Engine
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
    because = engine.link_because
    for k, link in enumerate(engine.link):
        if because[k] and not link.evidence:
            yield Hit(
                engine.key(k), f"the because on '{link.source}' → '{link.target}' cites no evidence"
            )
