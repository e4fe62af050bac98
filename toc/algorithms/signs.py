"""Signed links: whether a loop's signs agree, and which sources push each node which way.

An edge's sign is a set of bits, `PLUS`, `MINUS` or both (parallel links merged into one edge
may disagree). A walk's sign is the product of its edges' signs: a `+` edge passes a push on
as it is, a `-` edge turns it over.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import or_

__all__ = ["PLUS", "MINUS", "loop_parity", "incoming_signs", "pushes"]

PLUS, MINUS = 1, 2  # an edge's signs, as bits: a merged edge may carry both


def loop_parity(
    group: Sequence[int],
    pred: Sequence[Sequence[int]],
    in_edges: Sequence[Sequence[int]],
    edge_sign: Sequence[int],
) -> dict[int, int] | None:
    """Each node's parity against the group's first node, when every cycle of the strongly
    connected `group` carries an even number of `-` edges; None when one carries an odd
    number (a 2-colouring test: one pass over the group's edges).

    `in_edges[v]` are the edge numbers parallel to `pred[v]`. In a strongly connected group
    every edge lies on a cycle, so the signs are consistent exactly when no cycle is odd; an
    edge carrying both signs makes one odd. The parity is the sign of any walk between two
    nodes, so the edges may be followed either way.

    >>> pred, in_edges = [[1], [0]], [[1], [0]]  # edge 0 is 0 -> 1, edge 1 is 1 -> 0
    >>> loop_parity([0, 1], pred, in_edges, [MINUS, MINUS])
    {0: 0, 1: 1}
    >>> loop_parity([0, 1], pred, in_edges, [PLUS, MINUS]) is None
    True
    """
    inside = set(group)
    parity = {group[0]: 0}
    queue = [group[0]]
    for node in queue:
        for other, edge in zip(pred[node], in_edges[node], strict=True):
            if other not in inside:
                continue
            sign = edge_sign[edge]
            if sign == PLUS | MINUS:
                return None
            expected = parity[node] ^ (sign == MINUS)
            held = parity.get(other)
            if held is None:
                parity[other] = expected
                queue.append(other)
            elif held != expected:
                return None
    return parity


def incoming_signs(
    in_edges: Sequence[Sequence[int]], edge_sign: Sequence[int], edge_target: Sequence[int]
) -> list[list[int] | None]:
    """The signs of each node's incoming edges, parallel to `in_edges`; None when all are `+`.

    >>> incoming_signs([[], [0], [1, 2]], [PLUS, PLUS, MINUS], [1, 2, 2])
    [None, None, [1, 2]]
    """
    found: list[list[int] | None] = [None] * len(in_edges)
    for edge, sign in enumerate(edge_sign):
        if sign != PLUS:
            found[edge_target[edge]] = []
    for node, edges in enumerate(in_edges):
        if found[node] is not None:
            found[node] = [edge_sign[edge] for edge in edges]
    return found


def pushes(
    seeds: Sequence[int],
    pred: Sequence[Sequence[int]],
    in_edges: Sequence[Sequence[int]],
    edge_sign: Sequence[int],
    edge_target: Sequence[int],
    condensed: tuple[list[int], list[list[int]]],
) -> tuple[list[int], list[int]]:
    """For each node, the seeds that push it `+` and those that push it `-`, as bitsets.

    Bit j stands for `seeds[j]`, which pushes itself `+`. `condensed` is
    `toc.algorithms.components.condensation` of the same graph, and `edge_target[e]` the
    node edge e enters. Every seed's sets are found at once, by one pass in the order of
    `condensed`, each node taking the union of what its predecessors hold. A loop either
    has a consistent sign between every two of its nodes (then a push enters at one node and
    reaches each other with that sign) or it has a loop of sign `-` (then whatever enters
    reaches every node both ways).

    >>> pred, in_edges = [[], [0], [1]], [[], [0], [1]]  # 0 -(+)-> 1 -(-)-> 2
    >>> up, down = pushes([0], pred, in_edges, [PLUS, MINUS], [1, 2], ([0, 1, 2], []))
    >>> up, down
    ([1, 1, 0], [0, 0, 1])
    """
    size = len(pred)
    up = [0] * size
    for position, seed in enumerate(seeds):
        up[seed] = 1 << position
    down = [0] * size
    order, loops = condensed
    if all(sign == PLUS for sign in edge_sign):
        # No `-` edge: nothing is pushed `-`, and each node takes its predecessors' union.
        for unit in order:
            if unit < 0:
                _push_loop(loops[~unit], pred, in_edges, edge_sign, up, down)
            elif pred[unit]:
                up[unit] = reduce(or_, map(up.__getitem__, pred[unit]), up[unit])
        return up, down
    in_signs = incoming_signs(in_edges, edge_sign, edge_target)
    for unit in order:
        if unit < 0:
            _push_loop(loops[~unit], pred, in_edges, edge_sign, up, down)
            continue
        sources = pred[unit]
        if not sources:
            continue
        carried_by = in_signs[unit]
        if carried_by is None:
            if len(sources) == 1:
                # Most nodes have one cause: its sets pass on as they are.
                source = sources[0]
                up[unit] |= up[source]
                down[unit] = down[source]
            else:
                up[unit] = reduce(or_, map(up.__getitem__, sources), up[unit])
                down[unit] = reduce(or_, map(down.__getitem__, sources), 0)
            continue
        plus, minus = up[unit], 0
        for source, carried in zip(sources, carried_by, strict=True):
            if carried & PLUS:
                plus |= up[source]
                minus |= down[source]
            if carried & MINUS:
                plus |= down[source]
                minus |= up[source]
        up[unit], down[unit] = plus, minus
    return up, down


def _push_loop(
    group: list[int],
    pred: Sequence[Sequence[int]],
    in_edges: Sequence[Sequence[int]],
    edge_sign: Sequence[int],
    up: list[int],
    down: list[int],
) -> None:
    """Set the pushes of a strongly connected group from what enters it."""
    inside = set(group)
    # Parity of every node against the first: the sign of any walk between two nodes
    # inside, when the loop has no walk of sign `-` back to where it started.
    found = loop_parity(group, pred, in_edges, edge_sign)
    balanced = found is not None
    parity = found or {}
    # What enters each node from outside (its own push included), by sign.
    entering = [0, 0]  # as seen from the first node: [same sign, turned over]
    for node in group:
        plus, minus = up[node], 0
        for other, edge in zip(pred[node], in_edges[node], strict=True):
            if other in inside:
                continue
            sign = edge_sign[edge]
            if sign & PLUS:
                plus |= up[other]
                minus |= down[other]
            if sign & MINUS:
                plus |= down[other]
                minus |= up[other]
        if balanced and parity[node]:
            plus, minus = minus, plus
        entering[0] |= plus
        entering[1] |= minus
    if not balanced:
        both = entering[0] | entering[1]
        for node in group:
            up[node] = down[node] = both
        return
    for node in group:
        if parity[node]:
            up[node], down[node] = entering[1], entering[0]
        else:
            up[node], down[node] = entering[0], entering[1]
