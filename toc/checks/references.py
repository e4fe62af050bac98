"""Checks across the plans of a portfolio: TOC801 and TOC802 (portfolio only, SPEC §6)."""

from __future__ import annotations

from collections.abc import Iterator

from toc.algorithms.reach import reach
from toc.checks.registry import Hit, check
from toc.engine import Engine
from toc.model import Severity


@check(
    "TOC801",
    "unresolved-reference",
    Severity.ERROR,
    subject="node",
    summary="Portfolio only: a `realizes` reference names its own model, no model of the "
    "portfolio, no node of that model, a retired node, a node of another kind family or "
    "level, a model whose scope is not above its own, or lies on a loop of references.",
    rationale="""
    A reference is how a plan says which part of a higher plan it carries out, and it is
    what lets the state see its initiatives reach students through the districts. A
    reference that points nowhere, at a retired program, at a plan of the same rank or at
    something of another kind quietly breaks that line of sight: the district believes it
    is carrying out a state priority and the state's take-up table counts it nowhere. A
    loop of references would make each plan sit above the other. Each such reference is
    reported with the node that holds it and left out of the portfolio graph.
    """,
    hint="Point the reference at a node of a higher plan of the same kind (an initiative at "
    "an initiative, a change or outcome at one of its level), or remove it.",
)
def unresolved_reference(engine: Engine) -> Iterator[Hit]:
    facts = engine.portfolio
    if facts is None:
        return
    for holder, reference, why in facts.unresolved:
        yield Hit(holder, why, reference=reference)


@check(
    "TOC802",
    "off-strategy",
    Severity.INFO,
    subject="initiative",
    summary="Portfolio only: an initiative of a model with a scope, with a higher plan in the "
    "portfolio, that realizes nothing and has chains none of whose nodes rolls up into "
    "another model.",
    rationale="""
    A district's own program may be exactly what its students need, but if it serves no
    state priority and none of its changes roll up into the state's plan, the state cannot
    see it: it shows in no take-up table and competes for the same teachers' time without
    appearing in the shared picture of instruction. Naming such programs is how a system
    decides, openly, whether each is a local innovation worth keeping or a candidate for
    strategic abandonment.
    """,
    hint="Say which higher initiative it carries out, or roll its changes up into the higher "
    "plan's (`realizes`), or keep it knowingly as a local program.",
)
def off_strategy(engine: Engine) -> Iterator[Hit]:
    facts = engine.portfolio
    if facts is None:
        return
    ranks = [r for r in facts.ranks if r is not None]
    if not ranks:
        return
    top = max(ranks)
    finishing = engine.reaches_outcome
    # Nodes whose chains pass a node that rolls up (and reaches an outcome): found for every
    # initiative at once by one search back from those nodes.
    starts = [node for node, flag in enumerate(facts.rolls_up) if flag and finishing[node]]
    seen = reach(starts, engine.pred) if starts else bytearray(len(engine))
    anchored, model_of, writes = engine.anchored, facts.model_of, facts.writes
    model_ranks: list[int | None] = facts.ranks
    for i in engine.initiatives:
        rank = model_ranks[model_of[i]]
        if rank is None or rank >= top or writes[i] or not anchored[i] or seen[i]:
            continue
        yield Hit(
            engine.ids[i],
            f"'{engine.title(i)}' carries out no initiative of a higher plan and none of its "
            "changes rolls up into one: the higher plan cannot see it",
        )
