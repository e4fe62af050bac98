"""Checks on the conditions a change chain depends on: TOC601."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, check
from toc.engine import Engine
from toc.model import Severity


@check(
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
def unstated_assumptions(engine: Engine) -> Iterator[Hit]:
    links = engine.link
    for k in engine.chain_links:
        link = links[k]
        if not link.assumptions:
            yield Hit(
                engine.key(k),
                f"the step '{link.source}' → '{link.target}' names no assumptions",
            )
