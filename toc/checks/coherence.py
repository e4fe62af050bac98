"""Checks on coherence across initiatives and on assumptions: TOC501, TOC502, TOC601."""

from __future__ import annotations

from collections.abc import Iterator

from toc.checks.registry import Hit, register
from toc.engine import MINUS, PLUS, Engine
from toc.model import Severity

# An initiative's own push on itself is brought by no real link; this stands in for that link.
OWN_PUSH = "\x00own"
OWN_LINK = -1
UP, DOWN = 0, 1  # the two signs of a push, as indices into the label tables


def pushes(engine: Engine) -> list[tuple[list[int], list[int]]] | None:
    """For each sign, up to two distinct initiatives pushing each node that way (-1: none).

    `pushes(engine)[UP]` is the (first, second) pair of label lists for `+`, `[DOWN]` for
    `-`: the capped two-label search over (node, sign) states, every edge crossed at most
    four times. None when no `leads_to` link is `-`: then nothing is pushed `-`.
    """
    plus = engine.link_plus
    if all(plus[k] for k in engine.leads_to):
        return None
    size = len(engine)
    labels = [([-1] * size, [-1] * size), ([-1] * size, [-1] * size)]
    queue: list[tuple[int, int, int]] = []
    up_first = labels[UP][0]
    for initiative in engine.initiatives:
        if up_first[initiative] < 0:
            up_first[initiative] = initiative
            queue.append((initiative, UP, initiative))
    push = queue.append
    succ, signs = engine.succ, engine.edge_sign
    # Signs of each node's out-edges, parallel to succ; None for a node whose are all `+`.
    signed: list[list[int] | None] = [None] * size
    for edge, k in enumerate(engine.edge_link):
        if signs[edge] != PLUS:
            signed[engine.link_source[k]] = []
    if any(found is not None for found in signed):
        for u, out in enumerate(engine.out_edges):
            if signed[u] is not None:
                signed[u] = [signs[edge] for edge in out]
    for node, sign, label in queue:
        same_first, same_second = labels[sign]
        carried_by = signed[node]
        if carried_by is None:
            # Every out-edge is `+`: the push passes on unchanged (the common case).
            for other in succ[node]:
                held = same_first[other]
                if held < 0:
                    same_first[other] = label
                    push((other, sign, label))
                elif held != label and same_second[other] < 0:
                    same_second[other] = label
                    push((other, sign, label))
            continue
        flip = 1 - sign
        flip_first, flip_second = labels[flip]
        for other, carried in zip(succ[node], carried_by, strict=True):
            # A `+` link passes the push on unchanged, a `-` link turns it over; an edge whose
            # links carry both does both, `+` first.
            if carried & PLUS:
                held = same_first[other]
                if held < 0:
                    same_first[other] = label
                    push((other, sign, label))
                elif held != label and same_second[other] < 0:
                    same_second[other] = label
                    push((other, sign, label))
            if carried & MINUS:
                held = flip_first[other]
                if held < 0:
                    flip_first[other] = label
                    push((other, flip, label))
                elif held != label and flip_second[other] < 0:
                    flip_second[other] = label
                    push((other, flip, label))
    return labels


def pressure_meetings(engine: Engine) -> dict[int, tuple[str, str]]:
    """Nodes where opposite pushes from different initiatives meet, in id order (TOC501).

    A node is under conflicting pressure when one initiative pushes it `+` and a different
    one `-`. It is reported when two different incoming links bring initiative A's `+` and
    initiative B's `-` (A ≠ B), from nodes that are not under conflicting pressure
    themselves; an initiative's own `+` counts as brought by a link of its own. The value
    is one such (A, B) pair to name in the finding.
    """
    labels = pushes(engine)
    if labels is None:
        return {}
    (up_first, up_second), (down_first, down_second) = labels
    conflicted = bytearray(len(engine))
    for node, pusher in enumerate(down_first):
        if (
            pusher >= 0
            and up_first[node] >= 0
            and (up_second[node] >= 0 or down_second[node] >= 0 or up_first[node] != pusher)
        ):
            conflicted[node] = 1
    ids, kinds, link_plus = engine.ids, engine.kinds, engine.link_plus
    pred, in_edges, edge_link, edge_more = (
        engine.pred,
        engine.in_edges,
        engine.edge_link,
        engine.edge_more,
    )
    found: dict[int, tuple[str, str]] = {}
    for node in sorted((n for n, hit in enumerate(conflicted) if hit), key=ids.__getitem__):
        # What arrives, as (link number, initiative number); OWN_LINK for an initiative's own.
        up: list[tuple[int, int]] = [(OWN_LINK, node)] if kinds[node] == "initiative" else []
        down: list[tuple[int, int]] = []
        for source, edge in zip(pred[node], in_edges[node], strict=True):
            if conflicted[source]:
                continue
            pushing_up = [p for p in (up_first[source], up_second[source]) if p >= 0]
            pushing_down = [p for p in (down_first[source], down_second[source]) if p >= 0]
            if not (pushing_up or pushing_down):
                continue
            more = edge_more.get(edge)
            for k in (edge_link[edge],) if more is None else (edge_link[edge], *more):
                # A `+` link passes each push on as it is, a `-` link turns it over.
                same, turned = (up, down) if link_plus[k] else (down, up)
                same.extend((k, p) for p in pushing_up)
                turned.extend((k, p) for p in pushing_down)
        if up and down:
            pair = _meeting(engine, up, down)
            if pair is not None:
                found[node] = pair
    return found


def _meeting(
    engine: Engine, plus: list[tuple[int, int]], minus: list[tuple[int, int]]
) -> tuple[str, str] | None:
    """A (+ initiative, - initiative) pair of ids brought by different links, or None.

    Counting pairs that clash on link or on initiative (inclusion–exclusion) keeps this linear
    in the number of arrivals, whatever the node's in-degree.
    """
    ids = engine.ids
    by_link: dict[int, int] = {}
    by_initiative: dict[int, int] = {}
    pairs = set(plus)
    for link, initiative in pairs:
        by_link[link] = by_link.get(link, 0) + 1
        by_initiative[initiative] = by_initiative.get(initiative, 0) + 1

    def named(arrival: tuple[int, int]) -> tuple[str, str]:
        link, initiative = arrival
        return ids[initiative], OWN_PUSH if link == OWN_LINK else engine.key(link)

    # The pair named is the smallest - initiative that has a partner, and its smallest partner.
    for link, initiative in sorted(set(minus), key=named):
        clash = (
            by_link.get(link, 0)
            + by_initiative.get(initiative, 0)
            - (1 if (link, initiative) in pairs else 0)
        )
        if clash < len(pairs):
            partner = min(ids[a] for other, a in pairs if other != link and a != initiative)
            return partner, ids[initiative]
    return None


def siloed(engine: Engine) -> bytearray:
    """Flags of anchored initiatives none of whose chain nodes lies on another's chains.

    Each node knows up to two initiatives that reach it (the engine's shared search). A node
    only one initiative reaches belongs to that initiative alone, so searching from each
    initiative through its own nodes until it meets a chain node that two reach visits every
    node for one initiative at most: linear in all, however many initiatives there are.
    """
    flags = bytearray(len(engine))
    if len(engine.initiatives) < 2:
        return flags
    succ, finishing, anchored = engine.succ, engine.reaches_outcome, engine.anchored
    second = engine.initiative_labels[1]
    for initiative in engine.initiatives:
        if not anchored[initiative] or second[initiative] >= 0:
            continue  # unanchored, or another initiative's chains pass through it
        seen, queue, shared = {initiative}, [initiative], False
        while queue and not shared:
            for other in succ[queue.pop()]:
                if other in seen or not finishing[other]:
                    continue
                if second[other] >= 0:
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
def conflicting_pressure(engine: Engine) -> Iterator[Hit]:
    ids = engine.ids
    for node, (pushing_up, pushing_down) in pressure_meetings(engine).items():
        yield Hit(
            ids[node],
            f"'{engine.title(node)}' is pushed up by '{pushing_up}' and down by '{pushing_down}'",
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
