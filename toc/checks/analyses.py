"""Analyses that checks of several families and the scorecard read, each computed once per engine.

An analysis that serves one family's checks stays beside them; these are read across
families (TOC107 in `chains` reads the data along chains that `monitoring` computes) or by
`toc.standing`, which `chains` itself reads, so they sit here, below both.
"""

from __future__ import annotations

from datetime import date, timedelta

from toc.algorithms.bitsets import members
from toc.algorithms.reach import reach, reaches_another
from toc.engine import Engine, analysis
from toc.model import lag_days
from toc.progress import began_moving, progress, stalled_since

__all__ = [
    "raised_and_lowered",
    "indicator_shares",
    "not_holding",
    "data_along_chains",
]


@analysis
def raised_and_lowered(engine: Engine) -> tuple[list[list[int]], list[list[int]]]:
    """For each initiative (by position in `engine.initiatives`), the outcomes it raises and
    those it lowers, as node numbers in id order.

    Computed once per engine: TOC105 and TOC106's messages and the scorecard rows share it.
    """
    up, down = engine.pushes
    count = len(engine.initiatives)
    raises: list[list[int]] = [[] for _ in range(count)]
    lowers: list[list[int]] = [[] for _ in range(count)]
    # Visiting the outcomes in id order leaves every list in id order: no sort per row.
    for outcome in sorted(engine.outcomes, key=engine.ids.__getitem__):
        for j in members(up[outcome]):
            raises[j].append(outcome)
        for j in members(down[outcome]):
            lowers[j].append(outcome)
    return raises, lowers


@analysis
def indicator_shares(engine: Engine) -> dict[int, list[float | None]]:
    """Each node with a tracked indicator: the progress of each of its indicators (None for
    those not tracked), in node order. Read by TOC702, TOC703 and the data along chains."""
    found: dict[int, list[float | None]] = {}
    nodes = engine.node
    for i in engine.measures:
        shares = [progress(indicator) for indicator in nodes[i].indicators]
        if any(share is not None for share in shares):
            found[i] = shares
    return found


def _node_data(engine: Engine) -> tuple[list[int], list[int], list[int]]:
    """The nodes with a TOC702 indicator (off track), the nodes that moved, and the nodes
    with a tracked indicator (SPEC §5), each in node order."""
    shares = indicator_shares(engine)
    off = [i for i, found in shares.items() if any(s is not None and s < 0 for s in found)]
    moving = [i for i, found in shares.items() if any(s is not None and s >= 0.5 for s in found)]
    return off, moving, list(shares)


@analysis
def not_holding(engine: Engine) -> list[int]:
    """TOC703's links (numbers, document order): a step whose source moved and whose target
    stalled after it (`toc.progress.step_not_holding`, unrolled)."""
    nodes, sources, targets = engine.node, engine.link_source, engine.link_target
    # Each node is judged once, however many links it has (`step_not_holding`, unrolled).
    began: dict[int, date | None] = {}
    measured: dict[int, date | None] = {}
    own = engine.own_links  # a portfolio's reference links are identities: no finding
    found: list[int] = []
    # Only a node that moved can start a step that does not hold; only a tracked one can stall.
    tracked = indicator_shares(engine)
    moved = {i for i, shares in tracked.items() if any(s is not None and s >= 0.5 for s in shares)}
    if not moved:
        return found
    for k in engine.leads_to:
        if k >= own:
            break  # the reference links come last
        from_node, to_node = sources[k], targets[k]
        if from_node not in moved or to_node not in tracked:
            continue
        if from_node not in began:
            began[from_node] = began_moving(nodes[from_node])
        start = began[from_node]
        if start is None:
            continue
        if to_node not in measured:
            measured[to_node] = stalled_since(nodes[to_node])
        last = measured[to_node]
        if last is None:
            continue
        lag = _lag_days(engine.link[k])
        if last >= (start + timedelta(days=lag) if lag else start):
            found.append(k)
    return found


def _lag_days(link: object) -> int:
    """A link's `lag` in days (0 when it has none)."""
    lag = link.lag  # type: ignore[attr-defined]
    return lag_days(lag) if lag else 0


@analysis
def data_along_chains(engine: Engine) -> list[str]:
    """For each initiative (by position), what the data along its chains says (SPEC §3
    `progress`): `off-track`, `stalled`, `moving`, `no-data` or `not-yet`.

    Chain nodes never include the initiative itself; a chain link may start at it. One
    backward search per kind of flag, for every initiative at once, each node learning up to
    two flagged nodes (so "one that is not itself" is read off at the initiative).
    """
    off, moving, tracked = _node_data(engine)
    finishing, pred, initiatives = engine.reaches_outcome, engine.pred, engine.initiatives

    def other_flagged(flagged: list[int]) -> list[bool]:
        starts = [i for i in flagged if finishing[i]]
        if not starts:
            return [False] * len(initiatives)
        found = reaches_another(starts, pred)
        return [bool(found[i]) for i in initiatives]

    stalled_from = [
        engine.link_source[k] for k in not_holding(engine) if finishing[engine.link_target[k]]
    ]
    reached = reach(stalled_from, pred) if stalled_from else bytearray(len(engine))
    is_off, is_moving, has_data = other_flagged(off), other_flagged(moving), other_flagged(tracked)
    found = []
    for j, i in enumerate(initiatives):
        if is_off[j]:
            found.append("off-track")
        elif reached[i]:
            found.append("stalled")
        elif is_moving[j]:
            found.append("moving")
        elif not has_data[j]:
            found.append("no-data")
        else:
            found.append("not-yet")
    return found
