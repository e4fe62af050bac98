"""The weakest-link bottleneck: the best, over paths, of a path's worst tier."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["NO_TIER", "best_weakest_tier"]

NO_TIER = 0  # a link with no rated evidence; rated links carry ESSA tiers 1–4


def best_weakest_tier(
    targets: Sequence[int], rated_pred: Sequence[Sequence[tuple[int, int]]], tiers: int = 4
) -> list[int]:
    """For each node, the best (lowest) tier of any path from it to a target, where a path's
    tier is its worst (highest) edge's tier; -1 when no rated path leads to a target.

    `rated_pred[v]` lists v's incoming edges as (node it comes from, tier 0–`tiers`): tier 0
    passes on whatever tier it meets. The targets sit at 0. A bucket search back from the
    targets, one bucket per tier: each node is settled once, each edge looked at once.

    >>> # 0 -(tier 3)-> 2, 1 -(tier 1)-> 2, 1 -(tier 2)-> 3 -(tier 1)-> 2; 4 has no path.
    >>> best_weakest_tier([2], [[], [], [(0, 3), (1, 1), (3, 1)], [(1, 2)], []])
    [3, 1, 0, 1, -1]
    """
    best = [-1] * len(rated_pred)
    buckets: list[list[int]] = [list(targets)] + [[] for _ in range(tiers)]
    for tier in range(tiers + 1):
        bucket = buckets[tier]
        while bucket:
            node = bucket.pop()
            if best[node] >= 0:
                continue
            best[node] = tier
            for other, rated in rated_pred[node]:
                if best[other] < 0:
                    buckets[rated if rated > tier else tier].append(other)
    return best
