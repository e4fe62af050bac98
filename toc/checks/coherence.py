"""Checks on coherence across initiatives and on assumptions: TOC501, TOC502, TOC601."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, register
from toc.engine import Engine, members
from toc.model import Severity


def _single(bits: int) -> bool:
    return bits & (bits - 1) == 0


def under_conflicting_pressure(up: int, down: int) -> bool:
    """Whether one initiative pushes a node `+` and a different one `-` (bitsets of both)."""
    return bool(up and down and not (up == down and _single(up)))


def pressure_meetings(engine: Engine) -> list[int]:
    """TOC501's meeting nodes, in id order, computed once per engine (see `_pressure_meetings`)."""
    return engine.shared("pressure_meetings", _pressure_meetings)


def _pressure_meetings(engine: Engine) -> list[int]:
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


def siloed(engine: Engine) -> bytearray:
    """TOC502's siloed initiatives, computed once per engine (see `_siloed`)."""
    return engine.shared("siloed", _siloed)


def _siloed(engine: Engine) -> bytearray:
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


@register(
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
def siloed_initiative(engine: Engine) -> Iterator[Hit]:
    found = siloed(engine)
    for i in engine.initiatives:
        if found[i]:
            yield Hit(
                engine.ids[i], f"'{engine.title(i)}' shares no chain node with another initiative"
            )


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
def unstated_assumptions(engine: Engine) -> Iterator[Hit]:
    links = engine.link
    for k in engine.chain_links:
        link = links[k]
        if not link.assumptions:
            yield Hit(
                engine.key(k),
                f"the step '{link.source}' → '{link.target}' names no assumptions",
            )
