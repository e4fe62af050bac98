"""Checks on coherence across initiatives: TOC501–TOC503 (TOC503 across plans too, §6)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from toc.algorithms.bitsets import members
from toc.checks.registry import Hit, check
from toc.engine import Engine, analysis
from toc.model import Severity


def _single(bits: int) -> bool:
    return bits & (bits - 1) == 0


def under_conflicting_pressure(up: int, down: int) -> bool:
    """Whether one initiative pushes a node `+` and a different one `-` (bitsets of both)."""
    return bool(up and down and not (up == down and _single(up)))


@analysis
def pressure_meetings(engine: Engine) -> list[int]:
    """Nodes where opposite pushes from different initiatives meet, in id order (TOC501).

    A node is under conflicting pressure when one initiative pushes it `+` and a different
    one `-`. It is reported when two different incoming links bring initiative A's `+` and
    initiative B's `-` (A ≠ B), from nodes that are not under conflicting pressure
    themselves — a source in the node's own loop group never counts as under conflicting
    pressure — and an initiative's own `+` counts as brought by a link of its own. A node
    that every initiative pushing it pushes both ways is not reported (each is `mixed` there,
    none works against another). Read from the engine's signed pushes (every initiative's, as
    bitsets), so whether such a pair exists is a few integer operations per incoming link.
    """
    plus = engine.link_plus
    if all(plus[k] for k in engine.leads_to):
        return []  # nothing is pushed `-`
    up, down = engine.pushes
    conflicted = bytearray(len(up))
    for node, pushed_down in enumerate(down):
        # Few nodes are pushed `-` at all: only those can be under conflicting pressure.
        if pushed_down and under_conflicting_pressure(up[node], pushed_down):
            conflicted[node] = 1
    loop_of = engine.loop_of
    own_bit = {initiative: 1 << j for j, initiative in enumerate(engine.initiatives)}
    pred, in_edges, edge_link, edge_more = (
        engine.pred,
        engine.in_edges,
        engine.edge_link,
        engine.edge_more,
    )
    found = []
    for node, hit in enumerate(conflicted):
        if not hit or up[node] == down[node]:
            continue  # no conflict, or every pusher pushes both ways (each is mixed there)
        group = loop_of[node]
        # What each incoming link brings, (pushed `+`, pushed `-`); the initiative's own first.
        own = own_bit.get(node)
        brought: list[tuple[int, int]] = [(own, 0)] if own is not None else []
        for source, edge in zip(pred[node], in_edges[node], strict=True):
            if not (up[source] or down[source]):
                continue
            if conflicted[source] and (group < 0 or loop_of[source] != group):
                continue  # reported where it met, upstream (unless in this node's own loop)
            more = edge_more.get(edge)
            for k in (edge_link[edge],) if more is None else (edge_link[edge], *more):
                if plus[k]:
                    brought.append((up[source], down[source]))
                else:
                    brought.append((down[source], up[source]))
        if _opposite_links(brought):
            found.append(node)
    ids = engine.ids
    found.sort(key=ids.__getitem__)
    return found


def _opposite_links(brought: list[tuple[int, int]]) -> bool:
    """Whether one link brings some initiative's `+` and another a different one's `-`."""
    count = len(brought)
    after = [0] * (count + 1)  # `-` pushes brought by the links after each one
    for position in range(count - 1, -1, -1):
        after[position] = after[position + 1] | brought[position][1]
    before = 0
    for position, (pushed_up, pushed_down) in enumerate(brought):
        others = before | after[position + 1]
        if pushed_up and others and not (pushed_up == others and _single(others)):
            return True
        before |= pushed_down
    return False


def pushers(engine: Engine, node: int) -> dict[str, list[str]]:
    """Every initiative that pushes a node each way: `{"+": [ids], "-": [ids]}`, sorted."""
    up, down = engine.pushes
    initiatives, ids = engine.initiatives, engine.ids
    return {
        "+": sorted(ids[initiatives[j]] for j in members(up[node])),
        "-": sorted(ids[initiatives[j]] for j in members(down[node])),
    }


@analysis
def siloed(engine: Engine) -> bytearray:
    """Flags of anchored initiatives none of whose chain nodes lies on another's chains.

    The engine knows which nodes two or more initiatives reach (from its signed pushes). A
    node only one initiative reaches belongs to that initiative alone, so searching from each
    initiative through its own nodes until it meets a chain node that two reach visits every
    node for one initiative at most: linear in all, however many initiatives there are.
    """
    flags = bytearray(len(engine))
    if len(engine.initiatives) < 2:
        return flags
    succ, finishing, anchored = engine.succ, engine.reaches_outcome, engine.anchored
    shared_node = engine.reached_by_two
    for initiative in engine.initiatives:
        if not anchored[initiative] or shared_node[initiative]:
            continue  # unanchored, or another initiative's chains pass through it
        seen, queue, shared = {initiative}, [initiative], False
        while queue and not shared:
            for other in succ[queue.pop()]:
                if other in seen or not finishing[other]:
                    continue
                if shared_node[other]:
                    shared = True
                    break
                seen.add(other)
                queue.append(other)
        if not shared:
            flags[initiative] = 1
    return flags


@check(
    "TOC501",
    "conflicting-pressure",
    Severity.WARNING,
    subject="node",
    summary="A node where opposite pressures from different initiatives meet: one pushes it "
    "`+`, another `-`. The finding's `pushers` list every initiative pushing it each way.",
    rationale="""
    Incoherence is not only initiatives that touch nothing in common; it is also initiatives
    that push the same teachers in opposite directions, such as a pacing mandate that
    rewards coverage while a coaching programme asks teachers to slow down for student
    thinking. Teachers caught between them comply with whichever is watched more closely.
    The conflict is reported where the opposing pressures first meet, and it names every
    initiative pushing each way, because that is the table the leaders need to sit at:
    settling one pair leaves the practice pulled apart if two more still disagree. Two
    initiatives that undermine each other are each reported where the other meets them; a
    node that every initiative pushes both ways is left to TOC106, since no initiative
    there works against another.
    """,
    hint="Reconcile the initiatives here: change one, sequence them, or say which wins.",
)
def conflicting_pressure(engine: Engine) -> Iterator[Hit]:
    ids, index, title = engine.ids, engine.index, engine.title
    for node in pressure_meetings(engine):
        pushing = pushers(engine, node)
        up = _titles(engine, [index[i] for i in pushing["+"]])
        down = _titles(engine, [index[i] for i in pushing["-"]])
        yield Hit(
            ids[node],
            f"'{title(node)}' is pushed up by {up} and down by {down}",
            pushers=pushing,
        )


def _titles(engine: Engine, nodes: list[int]) -> str:
    """Titles, quoted and joined as a sentence would: 'A', 'B' and 'C'."""
    quoted = [f"'{engine.title(node)}'" for node in nodes]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


@check(
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
def siloed_initiative(engine: Engine) -> Iterator[Hit]:
    found = siloed(engine)
    for i in engine.initiatives:
        if found[i]:
            yield Hit(
                engine.ids[i], f"'{engine.title(i)}' shares no chain node with another initiative"
            )


@check(
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
    for shared, group in groups.items():
        if len(group) < 2:
            continue
        found = sorted(ids[m] for m in _duplicating(group, facts))
        if len(found) < 2:
            continue
        named = _titles_cut(engine, sorted(group, key=ids.__getitem__))
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


def _titles_cut(engine: Engine, nodes: list[int], most: int = 3) -> str:
    """Titles, quoted and joined; past `most`, how many more."""
    quoted = [f"'{engine.title(node)}'" for node in nodes[:most]]
    if len(nodes) > most:
        return ", ".join(quoted) + f" and {len(nodes) - most} more"
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
