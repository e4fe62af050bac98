"""Strongly connected components, and an order of the nodes that keeps each loop together."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["strongly_connected", "condensation"]


def condensation(
    succ: Sequence[Sequence[int]], pred: Sequence[Sequence[int]]
) -> tuple[list[int], list[list[int]]]:
    """The nodes in an order where every link goes forward, loops kept together.

    `succ` and `pred` are the same links, forward and backward. Returns (order, loops):
    `loops` are the strongly connected groups of two or more nodes, and `order` lists each
    node on no loop by its number and each loop as `~g` (a negative number: `loops[~unit]`).
    Kahn's algorithm orders the nodes ahead of every loop; the component search (which
    yields components sinks first) orders only the rest, so a mostly acyclic graph costs
    little more than one pass over its links.

    >>> condensation([[1], [2], []], [[], [0], [1]])
    ([0, 1, 2], [])
    >>> order, loops = condensation([[1], [2], [1, 3], []], [[], [0, 2], [1], [2]])
    >>> order, loops, loops[~order[1]]
    ([0, -1, 3], [[2, 1]], [2, 1])
    """
    size = len(succ)
    waiting = [len(others) for others in pred]
    order = [node for node in range(size) if not waiting[node]]
    push = order.append
    for node in order:
        for other in succ[node]:
            waiting[other] -= 1
            if not waiting[other]:
                push(other)
    loops: list[list[int]] = []
    if len(order) == size:
        return order, loops
    left = bytearray([1]) * size
    for node in order:
        left[node] = 0
    for group in reversed(strongly_connected(left, succ)):
        if len(group) >= 2:
            push(~len(loops))
            loops.append(group)
        else:
            push(group[0])
    return order, loops


def strongly_connected(inside: bytearray, succ: Sequence[Sequence[int]]) -> list[list[int]]:
    """Strongly connected components of the nodes flagged in `inside` (Tarjan, iterative).

    Components come sinks first: one that a link leaves is listed after the one it enters.
    Nodes not flagged are neither entered nor listed.

    >>> strongly_connected(bytearray([1, 1, 1, 1]), [[1], [0, 2], [3], []])
    [[3], [2], [1, 0]]
    >>> strongly_connected(bytearray([1, 0, 1]), [[1], [2], [0]])
    [[0], [2]]
    """
    size = len(inside)
    order = [-1] * size
    low = [0] * size
    on_stack = bytearray(size)
    stack: list[int] = []
    found: list[list[int]] = []
    counter = 0
    for root in range(size):
        if not inside[root] or order[root] >= 0:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = 1
        work = [(root, iter(succ[root]))]
        while work:
            node, neighbours = work[-1]
            advanced = False
            for other in neighbours:
                if not inside[other]:
                    continue
                if order[other] < 0:
                    order[other] = low[other] = counter
                    counter += 1
                    stack.append(other)
                    on_stack[other] = 1
                    work.append((other, iter(succ[other])))
                    advanced = True
                    break
                if on_stack[other] and order[other] < low[node]:
                    low[node] = order[other]
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
            if low[node] == order[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack[member] = 0
                    group.append(member)
                    if member == node:
                        break
                found.append(group)
    return found
