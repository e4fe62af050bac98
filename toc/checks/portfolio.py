"""Checks across plans: TOC503 (also inside one model), TOC801 and TOC802 (portfolio only, §6)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from toc.checks.registry import Hit, register
from toc.engine import Engine, reach
from toc.model import Severity


@register(
    "TOC503",
    "duplicate-effort",
    Severity.WARNING,
    subject="initiative",
    summary="Two initiatives of one model, or of two models one above the other, neither "
    "carrying out the other, whose direct targets (each read as its roll-up, with the link's "
    "polarity) are the same set of two or more: two programs doing one job.",
    rationale="""
    Initiative fatigue rarely comes from one bad program; it comes from several reasonable
    ones asking the same teachers for the same thing under different names. When two
    initiatives push the very same changes the same way, they compete for the same
    meetings, coaching hours and attention, and each one's results are unreadable because
    the other could have caused them. Across levels it is how a district launches its own
    version of a state program instead of carrying the state's out. A single shared target
    is not flagged: flat plans point every strategy at their one objective. Sibling plans,
    such as two districts, are never compared, because they serve different people.
    """,
    hint="Merge the two, say which one carries the other out (`realizes`), or give each "
    "its own distinct job.",
)
def duplicate_effort(engine: Engine) -> Iterator[Hit]:
    facts = engine.portfolio
    rollup: dict[int, list[int]] = facts.rollup if facts is not None else {}
    kinds, sources, targets, plus = (
        engine.kinds,
        engine.link_source,
        engine.link_target,
        engine.link_plus,
    )
    own = engine.own_links
    jobs: dict[int, set[tuple[int, bool]]] = {}
    for k in engine.leads_to:
        if k >= own:
            break  # the reference links come last: they are not a model's own links
        source = sources[k]
        if kinds[source] != "initiative":
            continue
        target, sign = targets[k], plus[k]
        job = jobs.setdefault(source, set())
        for top in rollup.get(target, (target,)):
            job.add((top, sign))
    groups: dict[frozenset[tuple[int, bool]], list[int]] = {}
    for initiative, job in jobs.items():
        if len(job) >= 2:
            groups.setdefault(frozenset(job), []).append(initiative)
    ids = engine.ids
    for shared, members in groups.items():
        if len(members) < 2:
            continue
        found = sorted(ids[m] for m in _duplicating(members, facts))
        if len(found) < 2:
            continue
        named = _titles(engine, sorted(members, key=ids.__getitem__))
        pairs = sorted(f"'{engine.title(top)}' {'+' if sign else '-'}" for top, sign in shared)
        yield Hit(
            found[0],
            f"{named} push the same {len(shared)} targets the same way ({', '.join(pairs)}): "
            "two programs doing one job",
            initiatives=tuple(found),
        )


def _duplicating(members: list[int], facts: Any) -> list[int]:
    """The members of a group that duplicate another: one of the same model, or one of a
    model one above or below theirs (both with a scope) that neither carries out."""
    if facts is None:
        return members  # one model: every pair qualifies
    model_of, ranks = facts.model_of, facts.ranks
    per_model = Counter(model_of[m] for m in members)
    per_rank = Counter(ranks[model_of[m]] for m in members)
    inside = set(members)
    found = []
    for member in members:
        model = model_of[member]
        if per_model[model] >= 2:
            found.append(member)
            continue
        rank = ranks[model]
        if rank is None:
            continue  # a model without a scope is never above or below another
        others = sum(n for r, n in per_rank.items() if r is not None and r != rank)
        if not others:
            continue
        related = 0
        for relation in (facts.carried_out_by, facts.carries):
            for other in relation.get(member, ()):
                other_rank = ranks[model_of[other]]
                if other in inside and other_rank is not None and other_rank != rank:
                    related += 1
        if others > related:
            found.append(member)
    return found


def _titles(engine: Engine, nodes: list[int], most: int = 3) -> str:
    quoted = [f"'{engine.title(node)}'" for node in nodes[:most]]
    if len(nodes) > most:
        return ", ".join(quoted) + f" and {len(nodes) - most} more"
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


@register(
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


@register(
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
