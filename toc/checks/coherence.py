"""Checks on coherence across initiatives and on assumptions: TOC501, TOC502, TOC601."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, register
from toc.graph import ChainGraph
from toc.model import Severity


@register(
    "TOC501",
    "conflicting-pressure",
    Severity.WARNING,
    subject="node",
    summary="A node where opposite pressures from different initiatives meet: one pushes it "
    "`+`, another `-`.",
    rationale="""
    Incoherence is not only initiatives that touch nothing in common; it is also initiatives
    that push the same teachers in opposite directions, such as a pacing mandate that
    rewards coverage while a coaching programme asks teachers to slow down for student
    thinking. Teachers caught between them comply with whichever is watched more closely.
    The conflict is reported where the opposing pressures first meet, which is where the
    leaders of the two initiatives need to talk.
    """,
    hint="Reconcile the two initiatives here: change one, sequence them, or say which wins.",
)
def conflicting_pressure(graph: ChainGraph) -> Iterator[Hit]:
    for node_id, (pushing_up, pushing_down) in graph.pressure_meetings.items():
        yield Hit(
            node_id,
            f"'{graph.nodes[node_id].title}' is pushed up by '{pushing_up}' "
            f"and down by '{pushing_down}'",
        )


@register(
    "TOC502",
    "siloed-initiative",
    Severity.INFO,
    subject="initiative",
    summary="An anchored initiative, in a model with two or more initiatives, none of whose "
    "chain nodes lies on another initiative's chains.",
    rationale="""
    Coherence is what results when initiatives line up behind a shared picture of
    instruction and reinforce one another. An initiative whose chains share no change and
    no outcome with any other initiative runs on its own track: it competes for the same
    teachers' time without building on what else the system asks of them. Sometimes that
    is deliberate; often it is how innovation without coherence turns into compliance.
    """,
    hint="Connect it to the shared changes other initiatives work on, or say why it stands alone.",
)
def siloed_initiative(graph: ChainGraph) -> Iterator[Hit]:
    for initiative in graph.initiatives:
        if initiative in graph.siloed:
            title = graph.nodes[initiative].title
            yield Hit(initiative, f"'{title}' shares no chain node with another initiative")


@register(
    "TOC601",
    "unstated-assumptions",
    Severity.INFO,
    subject="link",
    summary="A link on some initiative's chains names no assumptions.",
    rationale="""
    Every step of a change chain depends on conditions: that teachers have time to
    collaborate, that principals protect coaching time, that materials arrive before the
    school year. A pre-mortem asks the team to imagine the initiative has failed and to say
    why; the answers are the assumptions. Writing them on the links shows which conditions
    to watch and how the system is likely to respond.
    """,
    hint="Name the conditions this step depends on (time, capacity, buy-in, materials).",
)
def unstated_assumptions(graph: ChainGraph) -> Iterator[Hit]:
    for step in graph.chain_steps:
        if not step.link.assumptions:
            yield Hit(step.key, f"the step '{step.source}' → '{step.target}' names no assumptions")
