"""Parallel links merged into edges: one edge per (from, to) pair, numbered by its first link."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["merge_parallel"]


def merge_parallel(
    links: Sequence[int], pairs: Sequence[int], because: Sequence[bool], sign: Sequence[int]
) -> tuple[list[int], list[bool], list[int], dict[int, list[int]]]:
    """Links merged per pair: each edge's first link, whether any of its links has a
    `because`, the union of their sign bits, and the later links of each merged edge.

    `pairs`, `because` and `sign` are parallel to `links` (link numbers, in order); a pair is
    any number naming the (from, to) ends. Edges are numbered in order of their first link.

    >>> merge_parallel([0, 2, 5], [7, 9, 7], [False, True, True], [1, 1, 2])
    ([0, 2], [True, True], [3, 1], {0: [5]})
    """
    edge_of: dict[int, int] = {}
    edge_link: list[int] = []
    edge_because: list[bool] = []
    edge_sign: list[int] = []
    more: dict[int, list[int]] = {}
    for k, pair, has, signed in zip(links, pairs, because, sign, strict=True):
        edge = edge_of.get(pair)
        if edge is None:
            edge_of[pair] = len(edge_link)
            edge_link.append(k)
            edge_because.append(has)
            edge_sign.append(signed)
        else:
            more.setdefault(edge, []).append(k)
            edge_because[edge] = edge_because[edge] or has
            edge_sign[edge] |= signed
    return edge_link, edge_because, edge_sign, more
