"""The check engine: a model's change chains as integer-indexed adjacency, and the shared searches.

Built in one pass from a validated document — the typed pydantic model or the fast reader's
structs, read through the same attribute names — it holds what the checks read and nothing
more: the nodes that are not retired, numbered 0..n-1 in document order; the links between
them in document order, as parallel lists of per-link facts (ends, because, best evidence
tier, polarity, feedback); and the `leads_to` links merged per (from, to) pair into edges,
with forward and backward adjacency lists in the order networkx would hold them. Node sets
are `bytearray` flags indexed by node, so a later engine can turn them into bitsets or
arrays without changing a check.

Every search here is shared by several checks and computed for all initiatives at once
(multi-source searches, labels capped at two per node, sets of initiatives as integer
bitsets), so none walks the graph once per initiative. Searches that serve one check live
beside that check in `toc.checks`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, reduce
from operator import or_
from typing import Any, TypeVar

from toc.indicators import measures_of
from toc.model import Measures

__all__ = [
    "Engine",
    "reach",
    "two_labels",
    "members",
    "tally",
    "reaches_another",
    "NO_TIER",
    "PLUS",
    "MINUS",
]

NO_TIER = 0  # a link with no rated evidence; rated links carry ESSA tiers 1–4
PLUS, MINUS = 1, 2  # an edge's signs, as bits: a merged edge may carry both
_MISSING = object()
T = TypeVar("T")
_LEVEL_RANK = {"system": 0, "teacher": 1, "student": 2}


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


def members(bits: int) -> list[int]:
    """The positions of the set bits of a non-negative integer, lowest first.

    >>> members(0b101001)
    [0, 3, 5]
    """
    if bits.bit_count() <= 16:
        # Few bits, however wide: peel off the highest each time (bit_length is O(1), and
        # clearing the top bit shortens the number), then read them lowest first.
        found = []
        while bits:
            top = bits.bit_length() - 1
            found.append(top)
            bits ^= 1 << top
        found.reverse()
        return found
    # Many bits: the binary text, read from its low end, finds them at C speed.
    text = bin(bits)[:1:-1]
    found = []
    position = text.find("1")
    while position >= 0:
        found.append(position)
        position = text.find("1", position + 1)
    return found


def tally(bitsets: Iterable[int], size: int) -> list[int]:
    """For each bit position below `size`, how many of `bitsets` have it set.

    Bit-sliced counters: slice i holds bit i of every position's count, and adding a bitset
    is a ripple-carry addition of whole integers, so the cost does not grow with how many
    bits each bitset holds (counting by members would, on a portfolio where thousands of
    initiatives share every late step).

    >>> tally([0b011, 0b110, 0b010], 3)
    [1, 3, 1]
    """
    slices: list[int] = []
    for bits in bitsets:
        carry = bits
        level = 0
        while carry:
            if level == len(slices):
                slices.append(carry)
                break
            held = slices[level]
            slices[level] = held ^ carry
            carry &= held
            level += 1
    counts = [0] * size
    for level, bits in enumerate(slices):
        weight = 1 << level
        for position in members(bits):
            counts[position] += weight
    return counts


class Engine:
    """What every check reads about one model, built once; derived sets computed on first use.

    Nodes (not retired) are numbered in document order: `ids[i]`, `node[i]` (the document's
    own item), `kinds[i]` (text) and `levels[i]` (0 system, 1 teacher, 2 student); `index`
    maps an id to its number. Links whose ends are both such nodes are numbered in document
    order: `link[k]` (the document's item), `key(k)` (own id or `FROM->TO`),
    `link_source[k]`/`link_target[k]` (node numbers), `link_because[k]`, `link_plus[k]`
    (polarity) and `link_leads[k]` (False for `feedback`, which only TOC104 and TOC201 look
    at); `leads_to` lists the `leads_to` links. Those, merged per (from, to) pair, are the
    edges, numbered by their first link `edge_link[e]` (`links_of(e)` gives all): each has
    `edge_because`, `edge_sign` (PLUS | MINUS bits) and `edge_tier` (best ESSA tier of its
    links, `NO_TIER` when unrated). `succ[u]`/`pred[v]` list neighbour nodes in the order
    networkx would (first link first); `out_edges`/`in_edges` the matching edge numbers.
    `as_of` is the day the checks judge by (the caller's clock).
    """

    def __init__(
        self,
        document: Any,
        *,
        as_of: datetime.date,
        link_ends: tuple[list[Any], list[Any]] | None = None,
        ids: list[str] | None = None,
        link_prefixes: list[str] | None = None,
        identities: int = 0,
    ):
        """Build from a valid document; `link_ends`, when the reader has them, gives each
        link's ends as positions in `document.nodes`, which spares hashing every id again.

        A portfolio (`toc.portfolio`) builds one engine over many models: it passes the
        nodes' namespaced `ids` (`MODEL:NODE`, one per node of `document.nodes`, none of
        them retired), each link's id prefix `MODEL:` (`link_prefixes`, parallel to
        `document.links`), and
        puts its `identities` — the reference links, which are identities and not steps —
        last among the links, so that `own_links` counts the links that are steps.
        """
        self.document = document
        self._shared: dict[str, object] = {}
        self.as_of = as_of
        self.checks: dict[str, str] = dict(document.checks)
        # A portfolio's references (`toc.portfolio.References`); None for one model.
        self.portfolio: Any = None
        # Comprehensions rather than one loop with appends: each runs at C speed over the
        # items, and a statewide portfolio has hundreds of thousands of them.
        every = document.nodes
        nodes = [item for item in every if item.status != "retired"]
        if ids is None:
            ids = [item.id for item in nodes]
        size = len(ids)
        index = dict(zip(ids, range(size), strict=True))
        kinds = [item.kind for item in nodes]
        levels = [item.level for item in nodes]
        if nodes and type(kinds[0]) is not str:
            # The typed model holds enum members: as plain text they compare and hash faster.
            kinds = [str(kind) for kind in kinds]
            levels = [str(level) for level in levels]
        rank = _LEVEL_RANK
        self.ids, self.node, self.kinds, self.index = ids, nodes, kinds, index
        self.levels = [rank[level] for level in levels]

        # Links that touch a retired node are out of every check, like the node itself.
        links = list(document.links)
        sources: list[Any]
        targets: list[Any]
        if link_ends is None:
            get = index.get
            sources = [get(item.source) for item in links]
            targets = [get(item.target) for item in links]
        elif len(nodes) == len(every):
            sources, targets = link_ends
        else:
            # Renumber past the retired nodes; their links' ends become None.
            renumber: list[int | None] = [None] * len(every)
            number = 0
            for position, item in enumerate(every):
                if item.status != "retired":
                    renumber[position] = number
                    number += 1
            sources = [renumber[position] for position in link_ends[0]]
            targets = [renumber[position] for position in link_ends[1]]
        if None in sources or None in targets:
            kept = [
                k
                for k, (u, v) in enumerate(zip(sources, targets, strict=True))
                if u is not None and v is not None
            ]
            links = [links[k] for k in kept]
            sources = [sources[k] for k in kept]
            targets = [targets[k] for k in kept]
            if link_prefixes is not None:
                link_prefixes = [link_prefixes[k] for k in kept]
        self.link_prefixes = link_prefixes
        # Links numbered from `own_links` on are a portfolio's reference links (identities):
        # they count as having a because and are left out of evidence, shares and findings.
        self.own_links = len(links) - identities
        self.link: list[Any] = links
        self.link_source: list[int] = sources
        self.link_target: list[int] = targets
        self.link_because = [
            text is not None and text != "" and not text.isspace()
            for text in [item.because for item in links]
        ]
        self.link_plus = [item.polarity == "+" for item in links]
        self.link_leads = leads = [item.type == "leads_to" for item in links]
        self.leads_to = [k for k, lead in enumerate(leads) if lead]

        # Edges: the leads_to links merged per (from, to) pair, numbered by first link.
        edge_link = self.leads_to
        edge_because = [self.link_because[k] for k in edge_link]
        edge_sign = [PLUS if self.link_plus[k] else MINUS for k in edge_link]
        self.edge_more: dict[int, list[int]] = {}
        pairs = [sources[k] * size + targets[k] for k in edge_link]
        if len(set(pairs)) != len(pairs):
            edge_link, edge_because, edge_sign = self._merge(pairs)
        self.edge_link, self.edge_because, self.edge_sign = edge_link, edge_because, edge_sign
        succ: list[list[int]] = [[] for _ in range(size)]
        pred: list[list[int]] = [[] for _ in range(size)]
        for k in edge_link:
            u, v = sources[k], targets[k]
            succ[u].append(v)
            pred[v].append(u)
        self.succ, self.pred = succ, pred

    def _merge(self, pairs: list[int]) -> tuple[list[int], list[bool], list[int]]:
        """Edges when some links join the same pair: flags merged, later links kept aside."""
        edge_of: dict[int, int] = {}
        edge_link: list[int] = []
        edge_because: list[bool] = []
        edge_sign: list[int] = []
        more = self.edge_more
        for k, pair in zip(self.leads_to, pairs, strict=True):
            because = self.link_because[k]
            sign = PLUS if self.link_plus[k] else MINUS
            edge = edge_of.get(pair)
            if edge is None:
                edge_of[pair] = len(edge_link)
                edge_link.append(k)
                edge_because.append(because)
                edge_sign.append(sign)
            else:
                more.setdefault(edge, []).append(k)
                edge_because[edge] = edge_because[edge] or because
                edge_sign[edge] |= sign
        return edge_link, edge_because, edge_sign

    def shared(self, name: str, compute: Callable[[Engine], T]) -> T:
        """A check's own analysis, computed once per engine and kept for the others that read
        it (a check and the scorecard, say)."""
        found = self._shared.get(name, _MISSING)
        if found is _MISSING:
            found = self._shared[name] = compute(self)
        return found  # type: ignore[return-value]

    def key(self, link: int) -> str:
        """A link's id: its own, or the generated `FROM->TO` (`MODEL:` before it in a portfolio)."""
        item = self.link[link]
        own = item.id
        key = own if own is not None else f"{item.source}->{item.target}"
        prefixes = self.link_prefixes
        return key if prefixes is None else prefixes[link] + key

    def links_of(self, edge: int) -> list[int]:
        """The numbers of the links merged into an edge, in document order."""
        first = self.edge_link[edge]
        more = self.edge_more.get(edge)
        return [first, *more] if more else [first]

    @cached_property
    def edge_tier(self) -> list[int]:
        """Each edge's best ESSA tier among its links' evidence (`NO_TIER` when unrated)."""
        links = self.link
        tiers = []
        for edge, k in enumerate(self.edge_link):
            best = NO_TIER
            for member in self.links_of(edge) if edge in self.edge_more else (k,):
                for evidence in links[member].evidence:
                    rated = evidence.tier
                    if rated is not None and (best == NO_TIER or rated < best):
                        best = rated
            tiers.append(best)
        return tiers

    @cached_property
    def in_edges(self) -> list[list[int]]:
        """For each node, the edge numbers parallel to `pred[node]`."""
        found: list[list[int]] = [[] for _ in self.ids]
        targets = self.link_target
        for edge, k in enumerate(self.edge_link):
            found[targets[k]].append(edge)
        return found

    @cached_property
    def out_edges(self) -> list[list[int]]:
        """For each node, the edge numbers parallel to `succ[node]`."""
        found: list[list[int]] = [[] for _ in self.ids]
        sources = self.link_source
        for edge, k in enumerate(self.edge_link):
            found[sources[k]].append(edge)
        return found

    # -- node classes -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def nodes(self) -> dict[str, Any]:
        """The nodes that are not retired, by id, in document order (the document's items)."""
        return dict(zip(self.ids, self.node, strict=True))

    def title(self, node: int) -> str:
        return str(self.node[node].title)

    @cached_property
    def initiatives(self) -> list[int]:
        return [i for i, kind in enumerate(self.kinds) if kind == "initiative"]

    @cached_property
    def outcomes(self) -> list[int]:
        return [i for i, kind in enumerate(self.kinds) if kind == "outcome"]

    @cached_property
    def linked(self) -> bytearray:
        """Nodes with some link (feedback included) to or from a node that is not retired."""
        flags = bytearray(len(self.ids))
        for u in self.link_source:
            flags[u] = 1
        for v in self.link_target:
            flags[v] = 1
        return flags

    # -- reachability over leads_to -----------------------------------------------------
    @cached_property
    def reaches_outcome(self) -> bytearray:
        """Nodes from which some outcome can be reached (outcomes themselves included)."""
        return reach(self.outcomes, self.pred)

    @cached_property
    def reached_by_initiative(self) -> bytearray:
        """Nodes some initiative reaches (initiatives themselves included), either way."""
        up, down = self.pushes
        return bytearray(map(bool, map(or_, up, down)))

    @cached_property
    def reached_by_two(self) -> bytearray:
        """Nodes that two or more initiatives reach (TOC502), read from the signed pushes."""
        up, down = self.pushes
        return bytearray(bits & (bits - 1) != 0 for bits in map(or_, up, down))

    @cached_property
    def on_chains(self) -> bytearray:
        """Nodes that lie on some initiative's chains."""
        started, finishing = self.reached_by_initiative, self.reaches_outcome
        return bytearray(a & b for a, b in zip(started, finishing, strict=True))

    @cached_property
    def anchored(self) -> bytearray:
        """Flags of initiatives with at least one chain to an outcome."""
        flags = bytearray(len(self.ids))
        finishing = self.reaches_outcome
        for i in self.initiatives:
            flags[i] = finishing[i]
        return flags

    @cached_property
    def explained(self) -> bytearray:
        """Flags of initiatives with a chain on which every link has a `because`."""
        pred_because: list[list[int]] = [[] for _ in self.ids]
        sources, targets = self.link_source, self.link_target
        for k, has in zip(self.edge_link, self.edge_because, strict=True):
            if has:
                pred_because[targets[k]].append(sources[k])
        reached = reach(self.outcomes, pred_because)
        flags = bytearray(len(self.ids))
        for i in self.initiatives:
            flags[i] = reached[i]
        return flags

    @cached_property
    def chain_links(self) -> list[int]:
        """Numbers of the `leads_to` links on some initiative's chains, in document order
        (a portfolio's reference links left out: they are identities, not steps)."""
        started, finishing = self.reached_by_initiative, self.reaches_outcome
        sources, targets = self.link_source, self.link_target
        own = self.own_links
        return [
            k for k in self.leads_to if k < own and started[sources[k]] and finishing[targets[k]]
        ]

    @cached_property
    def evidence_strength(self) -> dict[str, int | None]:
        """Each initiative's strongest chain, as the ESSA tier of that chain's weakest link.

        A bottleneck search back from the outcomes with one bucket per tier: each node is
        settled with the best tier of any rated path to an outcome, every edge looked at once.
        """
        tiers, sources, targets = self.edge_tier, self.link_source, self.link_target
        # Each node's rated incoming edges as (node it comes from, tier).
        rated_pred: list[list[tuple[int, int]]] = [[] for _ in self.ids]
        own = self.own_links
        for k, tier in zip(self.edge_link, tiers, strict=True):
            if k >= own:
                # A reference link is an identity: it passes the tier on as it comes.
                rated_pred[targets[k]].append((sources[k], 0))
            elif tier != NO_TIER:
                rated_pred[targets[k]].append((sources[k], tier))
        best = [-1] * len(self.ids)
        buckets: list[list[int]] = [list(self.outcomes), [], [], [], []]
        for tier in range(5):
            bucket = buckets[tier]
            while bucket:
                node = bucket.pop()
                if best[node] >= 0:
                    continue
                best[node] = tier
                for other, rated in rated_pred[node]:
                    if best[other] < 0:
                        buckets[rated if rated > tier else tier].append(other)
        # Outcomes sit at 0; an initiative is never an outcome, so it is settled at 1–4 or not.
        ids = self.ids
        return {ids[i]: (best[i] if best[i] >= 0 else None) for i in self.initiatives}

    # -- indicators ---------------------------------------------------------------------
    @cached_property
    def measures(self) -> dict[int, list[Measures | None]]:
        """What each node's indicators measure, stated or inferred (None: unknown)."""
        return {
            i: [measures_of(indicator) for indicator in node.indicators]
            for i, node in enumerate(self.node)
            if node.indicators
        }

    # -- loops ----------------------------------------------------------------------------
    @cached_property
    def condensation(self) -> tuple[list[int], list[list[int]]]:
        """The nodes in an order where every `leads_to` link goes forward, loops kept together.

        Returns (order, loops): `loops` are the strongly connected groups of two or more
        nodes, and `order` lists each node on no loop by its number and each loop as `~g`
        (a negative number: `loops[~unit]`). Kahn's algorithm orders the nodes ahead of every
        loop; the component search (which yields components sinks first) orders only the
        rest, so a mostly acyclic model costs little more than one pass over its links.
        """
        succ, pred = self.succ, self.pred
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
        for group in reversed(_components(left, succ)):
            if len(group) >= 2:
                push(~len(loops))
                loops.append(group)
            else:
                push(group[0])
        return order, loops

    @cached_property
    def cycles(self) -> list[list[str]]:
        """Strongly connected groups of two or more nodes, each sorted by id, by first id."""
        return [group for group, _ in self.signed_cycles]

    @cached_property
    def signed_cycles(self) -> list[tuple[list[str], bool]]:
        """`cycles`, each with whether it is reinforcing (every cycle in it has an even number
        of `-` links) rather than balancing (SPEC §3, TOC402)."""
        ids = self.ids
        groups = [
            (sorted(ids[i] for i in group), self.loop_parity(group) is not None)
            for group in self.condensation[1]
        ]
        return sorted(groups)

    @cached_property
    def loop_of(self) -> list[int]:
        """For each node, the number of its loop in `condensation[1]`, or -1 when on none."""
        found = [-1] * len(self.ids)
        for number, group in enumerate(self.condensation[1]):
            for node in group:
                found[node] = number
        return found

    def loop_parity(self, group: list[int]) -> dict[int, int] | None:
        """Each node's parity against the group's first node, when every cycle of the strongly
        connected `group` carries an even number of `-` links; None when one carries an odd
        number (a 2-colouring test: one pass over the group's links).

        In a strongly connected group every link lies on a cycle, so the signs are consistent
        exactly when no cycle is odd; a merged edge carrying both signs makes one odd.
        """
        inside = set(group)
        succ, out_edges, signs = self.succ, self.out_edges, self.edge_sign
        parity = {group[0]: 0}
        queue = [group[0]]
        for node in queue:
            for other, edge in zip(succ[node], out_edges[node], strict=True):
                if other not in inside:
                    continue
                sign = signs[edge]
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

    # -- signed reach -------------------------------------------------------------------
    @cached_property
    def pushes(self) -> tuple[list[int], list[int]]:
        """For each node, the initiatives that push it `+` and those that push it `-`, as bitsets.

        Bit j stands for `initiatives[j]`. An initiative pushes itself `+`; a `+` link passes a
        push on as it is, a `-` link turns it over (SPEC §1: the sign of a chain is the product
        of its polarities). Every initiative's sets are found at once, by one pass in the
        order of `condensation`, each node taking the union of what its predecessors hold. A
        loop either has a consistent sign between every two of its nodes (then a push enters
        at one node and reaches each other with that sign) or it has a loop of sign `-` (then
        whatever enters reaches every node both ways).
        """
        size = len(self.ids)
        up = [0] * size
        for position, initiative in enumerate(self.initiatives):
            up[initiative] = 1 << position
        signs = self.edge_sign
        down = [0] * size
        pred = self.pred
        order, loops = self.condensation
        if all(sign == PLUS for sign in signs):
            # No `-` link: nothing is pushed `-`, and each node takes its predecessors' union.
            for unit in order:
                if unit < 0:
                    self._push_loop(loops[~unit], up, down)
                elif pred[unit]:
                    up[unit] = reduce(or_, map(up.__getitem__, pred[unit]), up[unit])
            return up, down
        in_signs = self._in_signs
        for unit in order:
            if unit < 0:
                self._push_loop(loops[~unit], up, down)
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

    @cached_property
    def _in_signs(self) -> list[list[int] | None]:
        """Signs of each node's incoming edges, parallel to `pred`; None when all are `+`."""
        found: list[list[int] | None] = [None] * len(self.ids)
        signs, targets = self.edge_sign, self.link_target
        for edge, k in enumerate(self.edge_link):
            if signs[edge] != PLUS:
                found[targets[k]] = []
        for node, edges in enumerate(self.in_edges):
            if found[node] is not None:
                found[node] = [signs[edge] for edge in edges]
        return found

    def _push_loop(self, group: list[int], up: list[int], down: list[int]) -> None:
        """Set the pushes of a strongly connected group from what enters it."""
        inside = set(group)
        pred, in_edges, signs = self.pred, self.in_edges, self.edge_sign
        # Parity of every node against the first: the sign of any walk between two nodes
        # inside, when the loop has no walk of sign `-` back to where it started.
        found = self.loop_parity(group)
        balanced = found is not None
        parity = found or {}
        # What enters each node from outside (its own push included), by sign.
        entering = [0, 0]  # as seen from the first node: [same sign, turned over]
        for node in group:
            plus, minus = up[node], 0
            for other, edge in zip(pred[node], in_edges[node], strict=True):
                if other in inside:
                    continue
                sign = signs[edge]
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

    # -- one initiative -----------------------------------------------------------------
    def chain_of(self, initiative: int) -> tuple[list[int], list[int]]:
        """The node numbers and link numbers on one initiative's chains (empty when none)."""
        finishing = self.reaches_outcome
        if not finishing[initiative]:
            return [], []
        ahead = reach([initiative], self.succ)
        nodes = [i for i in range(len(self.ids)) if ahead[i] and finishing[i]]
        sources, targets = self.link_source, self.link_target
        links = [k for k in self.leads_to if ahead[sources[k]] and finishing[targets[k]]]
        return nodes, links


def _components(inside: bytearray, succ: Sequence[Sequence[int]]) -> list[list[int]]:
    """Strongly connected components of the nodes flagged in `inside` (Tarjan, iterative)."""
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
