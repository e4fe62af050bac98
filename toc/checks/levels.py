"""Checks on direction: links that climb the levels, and loops (TOC401–TOC402)."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, check
from toc.engine import Engine
from toc.model import Severity


@check(
    "TOC401",
    "level-inversion",
    Severity.WARNING,
    subject="link",
    summary="A `leads_to` link goes up the levels (student→teacher, teacher→system, "
    "student→system).",
    rationale="""
    A multi-level theory of change reads downward: what the system does changes conditions
    for teachers, which changes what students experience and learn. Information does flow
    back up (student work informs teachers, classroom data informs the district), but that
    is feedback, not the causal chain. A `leads_to` link that climbs the levels usually
    means a feedback loop drawn as a cause, or a step whose direction was reversed.
    """,
    hint="If it carries information back up, make it a `feedback` link; otherwise check "
    "its direction.",
)
def level_inversion(engine: Engine) -> Iterator[Hit]:
    levels, sources, targets, nodes = (
        engine.levels,
        engine.link_source,
        engine.link_target,
        engine.node,
    )
    own = engine.own_links  # a portfolio's reference links are identities: no finding
    for k in engine.leads_to:
        u, v = sources[k], targets[k]
        if levels[u] > levels[v] and k < own:
            source, target = nodes[u], nodes[v]
            yield Hit(
                engine.key(k),
                f"'{source.id}' ({source.level}) → '{target.id}' "
                f"({target.level}) goes up the levels",
            )


@check(
    "TOC402",
    "causal-cycle",
    Severity.INFO,
    subject="node",
    summary="`leads_to` links form a loop, reported once per strongly connected group of two "
    "or more nodes; its `loop` is `reinforcing` when every cycle in the group has an even "
    "number of `-` links, else `balancing`.",
    rationale="""
    Loops are not mistakes: belief and practice reinforce each other, since teachers who try
    a practice and see students succeed come to believe in it and use it more. But a loop
    changes how a theory behaves. It can amplify a small success or a small failure, and it
    needs something to start it. A loop with an odd number of weakening (`-`) steps works
    the other way: it is balancing, pulling the system back towards where it was, as when
    rising caseloads thin out the very support that was meant to lower them. Naming the loop,
    and which kind it is, lets the team decide how it will be kicked off and what would tell
    them it is running the wrong way.
    """,
    hint="Say what starts the loop and what would show it running the wrong way.",
)
def causal_cycle(engine: Engine) -> Iterator[Hit]:
    for group, reinforcing in engine.signed_cycles:
        loop = "reinforcing" if reinforcing else "balancing"
        yield Hit(
            group[0],
            f"{len(group)} nodes form a {loop} loop: {', '.join(group)}",
            nodes=tuple(group),
            loop=loop,
        )
