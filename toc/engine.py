"""The check engine: a model's change chains as integer-indexed adjacency, and its analyses.

Built in one pass from a validated document — the typed pydantic model or the fast reader's
structs, read through the same attribute names — it holds what the checks read and nothing
more: the nodes that are not retired, numbered 0..n-1 in document order; the links between
them in document order, as parallel lists of per-link facts (ends, because, best evidence
tier, polarity, feedback); and the `leads_to` links merged per (from, to) pair into edges,
with forward and backward adjacency lists in the order networkx would hold them. Node sets
are `bytearray` flags indexed by node, so a later engine can turn them into bitsets or
arrays without changing a check.

The graph algorithms themselves live in `toc.algorithms`, pure functions over those lists;
the engine knows the model (which nodes are initiatives and outcomes, which links are a
portfolio's references) and keeps what they find. Every search here is shared by several
checks and computed for all initiatives at once (multi-source searches, labels capped at two
per node, sets of initiatives as integer bitsets), so none walks the graph once per
initiative. An analysis that serves the checks of one family lives beside them in
`toc.checks`, declared with `@analysis` so that it too is computed once per engine.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cached_property, update_wrapper
from operator import or_
from typing import Any, TypeVar

from toc.algorithms.components import condensation
from toc.algorithms.edges import merge_parallel
from toc.algorithms.evidence import NO_TIER, best_weakest_tier
from toc.algorithms.reach import reach
from toc.algorithms.signs import MINUS, PLUS, loop_parity, pushes
from toc.indicators import measures_of
from toc.model import Measures

__all__ = ["Engine", "analysis", "NO_TIER", "PLUS", "MINUS"]

_MISSING = object()
T = TypeVar("T")
_LEVEL_RANK = {"system": 0, "teacher": 1, "student": 2}


def analysis(compute: Callable[[Engine], T]) -> Callable[[Engine], T]:
    """Make `compute(engine)` an analysis: computed once per engine, then kept for every
    reader (a check and the scorecard, say). Kept under the function itself, so two
    analyses never share a slot by name.

    >>> calls = []
    >>> @analysis
    ... def size(engine):
    ...     calls.append(engine)
    ...     return len(engine.ids)
    >>> engine = Engine(_Empty(), as_of=datetime.date(2026, 1, 1))
    >>> size(engine), size(engine), len(calls)
    (0, 0, 1)
    """

    def cached(engine: Engine) -> T:
        kept = engine.analyses
        found = kept.get(compute, _MISSING)
        if found is _MISSING:
            found = kept[compute] = compute(engine)
        return found  # type: ignore[return-value]

    return update_wrapper(cached, compute)


class _Empty:
    """A document with nothing in it (for the examples)."""

    nodes: list[Any] = []
    links: list[Any] = []
    checks: dict[str, str] = {}


class Engine:
    """What every check reads about one model, built once; derived sets computed on first use.

    Nodes (not retired) are numbered in document order: `ids[i]`, `node[i]` (the document's
    own item), `kinds[i]` (text) and `levels[i]` (0 system, 1 teacher, 2 student); `index`
    maps an id to its number. Links whose ends are both such nodes are numbered in document
    order: `link[k]` (the document's item), `key(k)` (own id or `FROM->TO`),
    `link_source[k]`/`link_target[k]` (node numbers), `link_because[k]` and `link_plus[k]`
    (polarity); `leads_to` lists the `leads_to` links (not `feedback`, which only TOC104 and
    TOC201 look at). Those, merged per (from, to) pair, are the
    edges, numbered by their first link `edge_link[e]` (`links_of(e)` gives all): each has
    `edge_because`, `edge_sign` (PLUS | MINUS bits) and `edge_tier` (best ESSA tier of its
    links, `NO_TIER` when unrated). `succ[u]`/`pred[v]` list neighbour nodes in the order
    networkx would (first link first); `out_edges`/`in_edges` the matching edge numbers.
    `as_of` is the day the checks judge by, given by the caller (the clock is read at the
    edges). `analyses` keeps what `@analysis` functions computed for this engine.
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
        self.analyses: dict[Callable[[Engine], object], object] = {}
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
        self.leads_to = [k for k, item in enumerate(links) if item.type == "leads_to"]

        # Edges: the leads_to links merged per (from, to) pair, numbered by first link.
        edge_link = self.leads_to
        edge_because = [self.link_because[k] for k in edge_link]
        edge_sign = [PLUS if self.link_plus[k] else MINUS for k in edge_link]
        self.edge_more: dict[int, list[int]] = {}
        pairs = [sources[k] * size + targets[k] for k in edge_link]
        if len(set(pairs)) != len(pairs):
            edge_link, edge_because, edge_sign, self.edge_more = merge_parallel(
                edge_link, pairs, edge_because, edge_sign
            )
        self.edge_link, self.edge_because, self.edge_sign = edge_link, edge_because, edge_sign
        succ: list[list[int]] = [[] for _ in range(size)]
        pred: list[list[int]] = [[] for _ in range(size)]
        for k in edge_link:
            u, v = sources[k], targets[k]
            succ[u].append(v)
            pred[v].append(u)
        self.succ, self.pred = succ, pred

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

        A bottleneck search back from the outcomes (`best_weakest_tier`): each node is settled
        with the best tier of any rated path to an outcome, every edge looked at once.
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
        best = best_weakest_tier(self.outcomes, rated_pred)
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
        """The nodes in an order where every `leads_to` link goes forward, loops kept together
        (`toc.algorithms.components.condensation`: `loops[~unit]` for a negative unit)."""
        return condensation(self.succ, self.pred)

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
        """Each node's parity against the strongly connected `group`'s first node, or None
        when a cycle in it carries an odd number of `-` links (`toc.algorithms.signs`)."""
        return loop_parity(group, self.pred, self.in_edges, self.edge_sign)

    # -- signed reach -------------------------------------------------------------------
    @cached_property
    def pushes(self) -> tuple[list[int], list[int]]:
        """For each node, the initiatives that push it `+` and those that push it `-`, as bitsets.

        Bit j stands for `initiatives[j]`. An initiative pushes itself `+`; a `+` link passes a
        push on as it is, a `-` link turns it over (SPEC §1: the sign of a chain is the product
        of its polarities). Every initiative's sets are found at once
        (`toc.algorithms.signs.pushes`), in the order of `condensation`.
        """
        signs, targets = self.edge_sign, self.link_target
        # Where each edge goes, needed only when some edge carries `-` (list.count runs at C speed).
        signed = signs.count(PLUS) != len(signs)
        edge_target = [targets[k] for k in self.edge_link] if signed else []
        return pushes(
            self.initiatives,
            self.pred,
            self.in_edges,
            self.edge_sign,
            edge_target,
            self.condensation,
        )

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
