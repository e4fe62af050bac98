"""The change-chain graph of a model, built once, and the reachability every check reads.

Everything here is computed for all initiatives at once — multi-source searches over the graph
and its reverse, labels capped at what a check needs — so no check walks the graph once per
initiative and none enumerates paths, which can be exponential in number.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import networkx as nx

from toc.indicators import REAL_MEASURES, measures_of
from toc.model import Kind, Link, LinkType, Measures, Node, Polarity, TheoryOfChange

__all__ = ["ChainGraph", "build_graph", "reach", "capped_labels", "Chains"]

State = TypeVar("State", bound=Hashable)
Label = TypeVar("Label", bound=Hashable)

# An initiative's own push on itself is brought by no real link; this stands in for that link.
OWN_PUSH = "\x00own"


def reach(
    starts: Iterable[str],
    neighbours: Mapping[str, Mapping[str, Any]],
    follow: Callable[[dict[str, Any]], bool] | None = None,
) -> set[str]:
    """Every node reachable from `starts` (themselves included) over `neighbours`.

    `neighbours` is a networkx adjacency (`G._succ` to go forward, `G._pred` to go back);
    `follow`, given an edge's data, says whether the search may cross it.

    >>> G = nx.DiGraph([(1, 2), (2, 3), (4, 3)])
    >>> sorted(reach([1], G._succ))
    [1, 2, 3]
    >>> sorted(reach([3], G._pred))
    [1, 2, 3, 4]
    """
    seen = set(starts)
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        for other, data in neighbours[node].items():
            if other not in seen and (follow is None or follow(data)):
                seen.add(other)
                queue.append(other)
    return seen


def capped_labels(
    sources: Iterable[tuple[State, Label]],
    step: Callable[[State], Iterable[State]],
    cap: int = 2,
) -> dict[State, list[Label]]:
    """For each state, up to `cap` distinct source labels that reach it.

    A state keeps at most `cap` labels and passes each on once, so the search costs
    O(cap × (states + steps)). The result is exact in the way the checks need: a state that
    `k` sources reach holds exactly `min(k, cap)` of them.

    >>> G = nx.DiGraph([("a", "c"), ("b", "c"), ("x", "c"), ("c", "d")])
    >>> labels = capped_labels([("a", "a"), ("b", "b"), ("x", "x")], G.successors.__call__)
    >>> sorted(labels["d"])
    ['a', 'b']
    >>> labels["a"]
    ['a']
    """
    labels: dict[State, list[Label]] = {}
    queue: deque[tuple[State, Label]] = deque()
    for state, label in sources:
        held = labels.setdefault(state, [])
        if label not in held and len(held) < cap:
            held.append(label)
            queue.append((state, label))
    while queue:
        state, label = queue.popleft()
        for other in step(state):
            held = labels.setdefault(other, [])
            if len(held) < cap and label not in held:
                held.append(label)
                queue.append((other, label))
    return labels


@dataclass(frozen=True)
class Chains:
    """The subgraph of one initiative's chains: the nodes and links that lie on them."""

    initiative: str
    nodes: list[str]
    links: list[str]


def _has_because(data: dict[str, Any]) -> bool:
    return bool(data["because"])


class ChainGraph:
    """A model's graph: nodes that are not retired, and the links between them.

    `graph` is a networkx DiGraph of the `leads_to` links; parallel links are merged into
    one edge whose `steps` list each link's id and polarity. `feedback` links are kept
    aside, since only TOC104 and TOC201 look at them. Derived sets are computed on first use
    and cached.
    """

    def __init__(self, model: TheoryOfChange):
        self.model = model
        self.nodes: dict[str, Node] = {n.id: n for n in model.nodes if not n.retired}
        # Links that touch a retired node are out of every check, like the node itself.
        self.links: list[Link] = [
            link for link in model.links if link.source in self.nodes and link.target in self.nodes
        ]
        self.leads_to: list[Link] = [link for link in self.links if link.type is LinkType.LEADS_TO]
        # Parallel links merge into one edge: the step has a because if any of them does, and
        # the best tier among them. Grouping first and adding the edges in one call is much
        # faster than add_edge per link on a statewide portfolio.
        edges: dict[tuple[str, str], dict[str, Any]] = {}
        for link in self.leads_to:
            source, target = link.source, link.target
            key = link.id if link.id is not None else f"{source}->{target}"
            tier = link.best_tier if link.evidence else None
            data = edges.get((source, target))
            if data is None:
                edges[(source, target)] = {
                    "steps": [(key, link.polarity)],
                    "because": link.has_because,
                    "tier": tier,
                }
                continue
            data["steps"].append((key, link.polarity))
            data["because"] = data["because"] or link.has_because
            if tier is not None and (data["tier"] is None or tier < data["tier"]):
                data["tier"] = tier
        graph: nx.DiGraph = nx.DiGraph()
        graph.add_nodes_from(self.nodes)
        graph.add_edges_from((u, v, data) for (u, v), data in edges.items())
        self.graph = graph

    # -- node classes -------------------------------------------------------------------
    def of_kind(self, kind: Kind) -> list[str]:
        return [node_id for node_id, node in self.nodes.items() if node.kind is kind]

    @cached_property
    def initiatives(self) -> list[str]:
        return self.of_kind(Kind.INITIATIVE)

    @cached_property
    def outcomes(self) -> list[str]:
        return self.of_kind(Kind.OUTCOME)

    @cached_property
    def orphans(self) -> set[str]:
        """Nodes with no link at all (feedback included) to or from a node that is not retired."""
        linked: set[str] = set()
        for link in self.links:
            linked.add(link.source)
            linked.add(link.target)
        return {node_id for node_id in self.nodes if node_id not in linked}

    # -- reachability over leads_to -----------------------------------------------------
    @cached_property
    def reaches_outcome(self) -> set[str]:
        """Nodes from which some outcome can be reached (outcomes themselves included)."""
        return reach(self.outcomes, self.graph._pred)

    @cached_property
    def reached_by_initiative(self) -> set[str]:
        """Nodes some initiative reaches (initiatives themselves included)."""
        return reach(self.initiatives, self.graph._succ)

    @cached_property
    def on_chains(self) -> set[str]:
        """Nodes that lie on some initiative's chains."""
        return self.reaches_outcome & self.reached_by_initiative

    @cached_property
    def anchored(self) -> set[str]:
        """Initiatives with at least one chain to an outcome."""
        return {i for i in self.initiatives if i in self.reaches_outcome}

    @cached_property
    def explained(self) -> set[str]:
        """Initiatives with a chain on which every link has a `because`."""
        reached = reach(self.outcomes, self.graph._pred, _has_because)
        return {i for i in self.initiatives if i in reached}

    def on_some_chain(self, link: Link) -> bool:
        """Whether a link lies on some initiative's chains."""
        return (
            link.type is LinkType.LEADS_TO
            and link.source in self.reached_by_initiative
            and link.target in self.reaches_outcome
        )

    @cached_property
    def chain_links(self) -> list[Link]:
        """Links that lie on some initiative's chains, in document order."""
        return [link for link in self.leads_to if self.on_some_chain(link)]

    @cached_property
    def evidence_strength(self) -> dict[str, int | None]:
        """Each initiative's strongest chain, as the ESSA tier of that chain's weakest link.

        A bottleneck search back from the outcomes with one bucket per tier: each node is
        settled with the best tier of any rated path to an outcome, every edge looked at once.
        """
        pred = self.graph._pred
        best: dict[str, int] = {}
        buckets: list[list[str]] = [list(self.outcomes), [], [], [], []]
        for tier in range(5):
            bucket = buckets[tier]
            while bucket:
                node = bucket.pop()
                if node in best:
                    continue
                best[node] = tier
                for other, data in pred[node].items():
                    rated = data["tier"]
                    if rated is not None and other not in best:
                        buckets[max(tier, rated)].append(other)
        # Outcomes sit at 0; an initiative is never an outcome, so it is settled at 1–4 or not.
        return {initiative: best.get(initiative) for initiative in self.initiatives}

    @cached_property
    def measures(self) -> dict[str, list[Measures | None]]:
        """What each node's indicators measure, stated or inferred (None: unknown)."""
        return {
            node_id: [measures_of(indicator) for indicator in node.indicators]
            for node_id, node in self.nodes.items()
            if node.indicators
        }

    @cached_property
    def measured_chain_nodes(self) -> list[str]:
        """Nodes on some chain with a `change` or `outcome` indicator (stated or inferred)."""
        on_chains = self.on_chains
        return [
            node_id
            for node_id, kinds in self.measures.items()
            if node_id in on_chains and any(kind in REAL_MEASURES for kind in kinds)
        ]

    @cached_property
    def measured_initiatives(self) -> set[str]:
        """Anchored initiatives whose chains hold a measured node other than the initiative.

        Each node learns up to two of the measured nodes it reaches; an initiative that reaches
        two of them, or one that is not itself, is measured.
        """
        labels = capped_labels(
            ((node_id, node_id) for node_id in sorted(self.measured_chain_nodes)),
            self.graph._pred.__getitem__,
        )
        return {
            initiative
            for initiative in self.anchored
            if any(label != initiative for label in labels.get(initiative, ()))
        }

    @cached_property
    def shared_chain_nodes(self) -> set[str]:
        """Chain nodes that lie on the chains of two or more initiatives."""
        labels = capped_labels(((i, i) for i in self.initiatives), self.graph._succ.__getitem__)
        return {
            node_id
            for node_id, held in labels.items()
            if len(held) >= 2 and node_id in self.reaches_outcome
        }

    @cached_property
    def siloed(self) -> set[str]:
        """Anchored initiatives none of whose chain nodes lies on another initiative's chains."""
        if len(self.initiatives) < 2:
            return set()
        connected = reach(self.shared_chain_nodes, self.graph._pred)
        return {i for i in self.anchored if i not in connected}

    @cached_property
    def cycles(self) -> list[list[str]]:
        """Strongly connected groups of two or more nodes, each sorted, ordered by first id.

        Nodes with no incoming or no outgoing leads_to link cannot sit on a loop; peeling them
        off first leaves the component search far less to do on a mostly acyclic model.
        """
        graph = self.graph
        pred, succ = graph._pred, graph._succ
        indegree = {n: len(pred[n]) for n in graph}
        outdegree = {n: len(succ[n]) for n in graph}
        removed: set[str] = set()
        queue = deque(n for n in graph if indegree[n] == 0 or outdegree[n] == 0)
        while queue:
            node = queue.popleft()
            if node in removed:
                continue
            removed.add(node)
            for other in succ[node]:
                if other not in removed:
                    indegree[other] -= 1
                    if indegree[other] == 0:
                        queue.append(other)
            for other in pred[node]:
                if other not in removed:
                    outdegree[other] -= 1
                    if outdegree[other] == 0:
                        queue.append(other)
        if len(removed) == len(indegree):
            return []
        core = graph.subgraph(n for n in graph if n not in removed)
        groups = [sorted(c) for c in nx.strongly_connected_components(core) if len(c) >= 2]
        return sorted(groups)

    # -- pressure (TOC501) --------------------------------------------------------------
    @cached_property
    def pushes(self) -> dict[tuple[str, Polarity], list[str]]:
        """For each (node, sign), up to two distinct initiatives that push the node that way."""
        if not any(link.polarity is Polarity.MINUS for link in self.leads_to):
            # With no `-` link nothing is pushed `-`, so nothing is under conflicting pressure.
            return {}
        succ = self.graph._succ

        def step(state: tuple[str, Polarity]) -> Iterator[tuple[str, Polarity]]:
            node, sign = state
            for other, data in succ[node].items():
                for _, polarity in data["steps"]:
                    yield other, (sign if polarity is Polarity.PLUS else _flip(sign))

        return capped_labels((((i, Polarity.PLUS), i) for i in self.initiatives), step)

    @cached_property
    def under_conflicting_pressure(self) -> set[str]:
        """Nodes one initiative pushes `+` and a different initiative pushes `-`."""
        pushes = self.pushes
        return {
            node_id
            for node_id in self.nodes
            if _opposed(
                pushes.get((node_id, Polarity.PLUS), ()), pushes.get((node_id, Polarity.MINUS), ())
            )
        }

    @cached_property
    def pressure_meetings(self) -> dict[str, tuple[str, str]]:
        """Nodes where opposite pushes from different initiatives meet (TOC501).

        A node qualifies when two different incoming links bring initiative A's `+` and
        initiative B's `-` (A ≠ B), from nodes that are not under conflicting pressure
        themselves; an initiative's own `+` counts as brought by a link of its own. The value
        is one such (A, B) pair, the smallest by id, to name in the finding.
        """
        conflicted = self.under_conflicting_pressure
        if not conflicted:
            return {}
        pushes = self.pushes
        found: dict[str, tuple[str, str]] = {}
        for node_id in sorted(conflicted):
            brought: dict[Polarity, list[tuple[str, str]]] = {Polarity.PLUS: [], Polarity.MINUS: []}
            if self.nodes[node_id].kind is Kind.INITIATIVE:
                brought[Polarity.PLUS].append((OWN_PUSH, node_id))
            for source, data in self.graph._pred[node_id].items():
                if source in conflicted:
                    continue
                for link_id, polarity in data["steps"]:
                    for sign in (Polarity.PLUS, Polarity.MINUS):
                        arriving = sign if polarity is Polarity.PLUS else _flip(sign)
                        for initiative in pushes.get((source, sign), ()):
                            brought[arriving].append((link_id, initiative))
            pair = _meeting(brought[Polarity.PLUS], brought[Polarity.MINUS])
            if pair is not None:
                found[node_id] = pair
        return found

    # -- one initiative -----------------------------------------------------------------
    def chains_of(self, initiative: str) -> Chains:
        """The nodes and links on one initiative's chains (empty when it has none)."""
        if initiative not in self.reaches_outcome:
            return Chains(initiative, [], [])
        ahead = reach([initiative], self.graph._succ)
        nodes = [n for n in self.nodes if n in ahead and n in self.reaches_outcome]
        links = [
            link.key
            for link in self.leads_to
            if link.source in ahead and link.target in self.reaches_outcome
        ]
        return Chains(initiative, nodes, links)


def _flip(sign: Polarity) -> Polarity:
    return Polarity.MINUS if sign is Polarity.PLUS else Polarity.PLUS


def _opposed(plus: Collection[str], minus: Collection[str]) -> bool:
    """Some initiative pushes `+` and a different one `-` (labels capped at two each)."""
    if not plus or not minus:
        return False
    return len(plus) >= 2 or len(minus) >= 2 or set(plus) != set(minus)


def _meeting(plus: list[tuple[str, str]], minus: list[tuple[str, str]]) -> tuple[str, str] | None:
    """A (+ initiative, - initiative) pair brought by different links, or None.

    Counting pairs that clash on link or on initiative (inclusion–exclusion) keeps this linear
    in the number of arrivals, whatever the node's in-degree.
    """
    if not plus or not minus:
        return None
    by_link: dict[str, int] = {}
    by_initiative: dict[str, int] = {}
    pairs = set(plus)
    for link_id, initiative in pairs:
        by_link[link_id] = by_link.get(link_id, 0) + 1
        by_initiative[initiative] = by_initiative.get(initiative, 0) + 1
    # The pair named is the smallest - initiative that has a partner, and its smallest partner.
    for link_id, initiative in sorted(set(minus), key=lambda pair: (pair[1], pair[0])):
        clash = (
            by_link.get(link_id, 0)
            + by_initiative.get(initiative, 0)
            - (1 if (link_id, initiative) in pairs else 0)
        )
        if clash < len(pairs):
            partner = min(a for other, a in pairs if other != link_id and a != initiative)
            return partner, initiative
    return None


def build_graph(model: TheoryOfChange) -> ChainGraph:
    """Build the change-chain graph of a valid model (retired nodes left out)."""
    return ChainGraph(model)
