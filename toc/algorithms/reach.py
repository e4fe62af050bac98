"""Searches over adjacency lists: what a set of nodes reaches, and by whom it is reached."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["reach", "two_labels", "reaches_another"]


def reach(starts: Iterable[int], neighbours: Sequence[Sequence[int]]) -> bytearray:
    """Flags of every node reachable from `starts` (themselves included) over `neighbours`.

    >>> sorted(i for i, hit in enumerate(reach([0], [[1], [2], [], [2]])) if hit)
    [0, 1, 2]
    >>> sorted(i for i, hit in enumerate(reach([2], [[], [0], [1, 3], []])) if hit)
    [0, 1, 2, 3]
    """
    seen = bytearray(len(neighbours))
    queue = []
    for start in starts:
        if not seen[start]:
            seen[start] = 1
            queue.append(start)
    push = queue.append
    # Appending to the list being iterated is a breadth-first queue without a deque.
    for node in queue:
        for other in neighbours[node]:
            if not seen[other]:
                seen[other] = 1
                push(other)
    return seen


def two_labels(
    sources: Iterable[tuple[int, int]],
    neighbours: Sequence[Sequence[int]],
    blocked: bytearray | None = None,
) -> tuple[list[int], list[int]]:
    """For each node, up to two distinct source labels that reach it: (first, second), -1 for none.

    A node keeps at most two labels and passes each on once, so the search costs
    O(2 × (nodes + edges)). It is exact in the way the checks need: a node one source reaches
    holds that one label, a node two or more reach holds two of them. Breadth-first, in
    adjacency order, so which two a node holds is fixed by the document.

    A node flagged in `blocked` is never entered (a source may still be one).

    >>> first, second = two_labels([(0, 0), (1, 1), (2, 2)], [[3], [3], [3], [4], []])
    >>> sorted([first[4], second[4]]), second[0]
    ([0, 1], -1)
    >>> two_labels([(0, 0)], [[1], [2], []], blocked=bytearray([0, 1, 0]))[0]
    [0, -1, -1]
    """
    if blocked is not None and any(blocked):
        neighbours = [[o for o in others if not blocked[o]] for others in neighbours]
    size = len(neighbours)
    first = [-1] * size
    second = [-1] * size
    queue: list[tuple[int, int]] = []
    push = queue.append
    for node, label in sources:
        held = first[node]
        if held < 0:
            first[node] = label
            push((node, label))
        elif held != label and second[node] < 0:
            second[node] = label
            push((node, label))
    for node, label in queue:
        for other in neighbours[node]:
            held = first[other]
            if held < 0:
                first[other] = label
                push((other, label))
            elif held != label and second[other] < 0:
                second[other] = label
                push((other, label))
    return first, second


def reaches_another(starts: Sequence[int], neighbours: Sequence[Sequence[int]]) -> bytearray:
    """Flags of the nodes found by walking `neighbours` from some node of `starts` other than
    themselves (with `pred` as neighbours: the nodes that reach another start).

    One plain search from the starts' neighbours (a node found there reaches a start in one
    step or more); only a start found so, which may have come back to itself round a loop,
    is settled by `two_labels`, and only when there is one.

    >>> list(reaches_another([0, 2], [[1], [], [0]]))  # 1 reaches 0, 0 reaches 2
    [1, 1, 0]
    >>> list(reaches_another([0, 1], [[1], [0]]))
    [1, 1]
    """
    found = reach([other for start in starts for other in neighbours[start]], neighbours)
    doubtful = [start for start in starts if found[start]]
    if doubtful:
        first, second = two_labels(((start, start) for start in starts), neighbours)
        for start in doubtful:
            found[start] = second[start] >= 0 or first[start] not in (-1, start)
    return found
