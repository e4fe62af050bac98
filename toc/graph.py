"""The change-chain graph of a model, built once, and the reachability every check reads.

Everything here is computed for all initiatives at once — multi-source searches over the graph
and its reverse, labels capped at what a check needs — so no check walks the graph once per
initiative and none enumerates paths, which can be exponential in number.
"""

from __future__ import annotations

import datetime
from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

import networkx as nx

from toc.indicators import REAL_MEASURES, measures_of
from toc.model import (
    LEVEL_ORDER,
    Kind,
    Link,
    LinkType,
    Measures,
    Node,
    Polarity,
    TheoryOfChange,
)
from toc.progress import today_utc

__all__ = ["ChainGraph", "Step", "Chains", "build_graph", "reach", "two_labels"]

Label = TypeVar("Label", bound=Hashable)

# An initiative's own push on itself is brought by no real link; this stands in for that link.
OWN_PUSH = "\x00own"
PLUS, MINUS = True, False  # signs of a push, as booleans for the hot loops


def reach(
    starts: Iterable[str],
    neighbours: Mapping[str, Mapping[str, Any]],
    only: str | None = None,
) -> set[str]:
    """Every node reachable from `starts` (themselves included) over `neighbours`.

    `neighbours` is a networkx adjacency (`G._succ` to go forward, `G._pred` to go back);
    with `only`, the search crosses just the edges whose data is true at that key.

    >>> G = nx.DiGraph([(1, 2), (2, 3), (4, 3)])
    >>> sorted(reach([1], G._succ))
    [1, 2, 3]
    >>> sorted(reach([3], G._pred))
    [1, 2, 3, 4]
    """
    seen = set(starts)
    queue = deque(seen)
    pop, push, mark = queue.popleft, queue.append, seen.add
    if only is None:
        while queue:
            for other in neighbours[pop()]:
                if other not in seen:
                    mark(other)
                    push(other)
    else:
        while queue:
            for other, data in neighbours[pop()].items():
                if other not in seen and data[only]:
                    mark(other)
                    push(other)
    return seen


def two_labels(
    sources: Iterable[tuple[str, Label]],
    neighbours: Mapping[str, Iterable[str]],
) -> tuple[dict[str, Label], dict[str, Label]]:
    """For each node, up to two distinct source labels that reach it: (first, second).

    A node keeps at most two labels and passes each on once, so the search costs
    O(2 × (nodes + edges)). It is exact in the way the checks need: a node that one source
    reaches holds that one label, a node that two or more reach holds two of them.

    >>> G = nx.DiGraph([("a", "c"), ("b", "c"), ("x", "c"), ("c", "d")])
    >>> first, second = two_labels([("a", "a"), ("b", "b"), ("x", "x")], G._succ)
    >>> sorted([first["d"], second["d"]]), "a" in second
    (['a', 'b'], False)
    """
    first: dict[str, Label] = {}
    second: dict[str, Label] = {}
    queue: deque[tuple[str, Label]] = deque()
    for node, label in sources:
        if _take(first, second, node, label):
            queue.append((node, label))
    pop, push = queue.popleft, queue.append
    while queue:
        node, label = pop()
        for other in neighbours[node]:
            held = first.get(other)
            if held is None:
                first[other] = label
                push((other, label))
            elif held != label and other not in second:
                second[other] = label
                push((other, label))
    return first, second


def _take(first: dict[str, Any], second: dict[str, Any], node: str, label: Any) -> bool:
    held = first.get(node)
    if held is None:
        first[node] = label
        return True
    if held != label and node not in second:
        second[node] = label
        return True
    return False


@dataclass(frozen=True)
class Chains:
    """The subgraph of one initiative's chains: the nodes and links that lie on them."""

    initiative: str
    nodes: list[str]
    links: list[str]


class Step(NamedTuple):
    """A link between nodes that are not retired, with what the checks ask of it worked out once.

    A named tuple rather than a dataclass: a statewide portfolio makes hundreds of thousands.
    """

    link: Link
    key: str
    source: str
    target: str
    because: bool


class ChainGraph:
    """A model's graph: nodes that are not retired, and the links between them.

    `graph` is a networkx DiGraph of the `leads_to` links. Parallel links are merged into one
    edge: it has a `because` if any of them does, the best evidence tier among them, `plus`
    and `minus` for the polarities it carries, and `links` listing each link's id and
    polarity. `feedback` links are kept aside, since only TOC104 and TOC201 look at them.
    Derived sets are computed on first use and cached.
    """

    def __init__(self, model: TheoryOfChange, as_of: datetime.date | None = None):
        self.model = model
        # The check date: only TOC701 reads it (how old the latest observation is).
        self.as_of: datetime.date = as_of or today_utc()
        self.nodes: dict[str, Node] = {n.id: n for n in model.nodes if not n.retired}
        nodes = self.nodes
        # Links that touch a retired node are out of every check, like the node itself.
        self.steps: list[Step] = []
        self.leads_to: list[Step] = []
        edges: dict[tuple[str, str], dict[str, Any]] = {}
        for link in model.links:
            source, target = link.source, link.target
            if source not in nodes or target not in nodes:
                continue
            key = link.id if link.id is not None else f"{source}->{target}"
            because = link.has_because
            step = Step(link, key, source, target, because)
            self.steps.append(step)
            if link.type is not LinkType.LEADS_TO:
                continue
            self.leads_to.append(step)
            tier = None  # the best tier among the link's evidence (Link.best_tier, inlined)
            for evidence in link.evidence:
                if evidence.tier is not None and (tier is None or evidence.tier < tier):
                    tier = evidence.tier
            plus = link.polarity is Polarity.PLUS
            data = edges.get((source, target))
            if data is None:
                edges[(source, target)] = {
                    "because": because,
                    "tier": tier,
                    "plus": plus,
                    "minus": not plus,
                    "links": [(key, plus)],
                }
                continue
            data["links"].append((key, plus))
            data["because"] = data["because"] or because
            if tier is not None and (data["tier"] is None or tier < data["tier"]):
                data["tier"] = tier
            data["plus"] = data["plus"] or plus
            data["minus"] = data["minus"] or not plus
        graph: nx.DiGraph = nx.DiGraph()
        graph.add_nodes_from(nodes)
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
    def level_rank(self) -> dict[str, int]:
        """Each node's level as a number: system 0, teacher 1, student 2."""
        # Keyed by the level's text: hashing a str is far cheaper than hashing an Enum member.
        ranks = {str(level): rank for level, rank in LEVEL_ORDER.items()}
        return {node_id: ranks[str(node.level)] for node_id, node in self.nodes.items()}

    @cached_property
    def orphans(self) -> set[str]:
        """Nodes with no link at all (feedback included) to or from a node that is not retired."""
        linked: set[str] = set()
        for step in self.steps:
            linked.add(step.source)
            linked.add(step.target)
        return {node_id for node_id in self.nodes if node_id not in linked}

    # -- reachability over leads_to -----------------------------------------------------
    @cached_property
    def reaches_outcome(self) -> set[str]:
        """Nodes from which some outcome can be reached (outcomes themselves included)."""
        return reach(self.outcomes, self.graph._pred)

    @cached_property
    def initiative_labels(self) -> tuple[dict[str, str], dict[str, str]]:
        """For each node some initiative reaches, up to two of those initiatives.

        One search serves both what any initiative reaches and what two or more reach
        (TOC502), so the graph is walked forward from the initiatives once.
        """
        return two_labels(((i, i) for i in self.initiatives), self.graph._succ)

    @cached_property
    def reached_by_initiative(self) -> set[str]:
        """Nodes some initiative reaches (initiatives themselves included)."""
        return set(self.initiative_labels[0])

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
        reached = reach(self.outcomes, self.graph._pred, only="because")
        return {i for i in self.initiatives if i in reached}

    @cached_property
    def chain_steps(self) -> list[Step]:
        """Links that lie on some initiative's chains, in document order."""
        started, finishing = self.reached_by_initiative, self.reaches_outcome
        return [
            step for step in self.leads_to if step.source in started and step.target in finishing
        ]

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
        first, second = two_labels(
            ((node_id, node_id) for node_id in self.measured_chain_nodes), self.graph._pred
        )
        return {
            initiative
            for initiative in self.anchored
            if initiative in second or first.get(initiative, initiative) != initiative
        }

    @cached_property
    def siloed(self) -> set[str]:
        """Anchored initiatives none of whose chain nodes lies on another initiative's chains.

        Each node learns up to two initiatives that reach it. A node only one initiative
        reaches belongs to that initiative alone, so searching from each initiative through
        its own nodes until it meets a chain node that two reach visits every node for one
        initiative at most: linear in all, however many initiatives there are.
        """
        if len(self.initiatives) < 2:
            return set()
        succ, finishing = self.graph._succ, self.reaches_outcome
        second = self.initiative_labels[1]
        siloed = set()
        for initiative in self.initiatives:
            if initiative not in self.anchored:
                continue
            if initiative in second:  # another initiative's chains pass through it
                continue
            seen, queue, shared = {initiative}, [initiative], False
            while queue and not shared:
                for other in succ[queue.pop()]:
                    if other in seen or other not in finishing:
                        continue
                    if other in second:
                        shared = True
                        break
                    seen.add(other)
                    queue.append(other)
            if not shared:
                siloed.add(initiative)
        return siloed

    @cached_property
    def cycles(self) -> list[list[str]]:
        """Strongly connected groups of two or more nodes, each sorted, ordered by first id.

        Nodes with no incoming or no outgoing leads_to link cannot sit on a loop; peeling them
        off first leaves the component search far less to do on a mostly acyclic model.
        """
        pred, succ = self.graph._pred, self.graph._succ
        # Peel from the top (nothing left upstream), then from the bottom (nothing downstream).
        left = _peel(set(succ), succ, pred)
        if left:
            left = _peel(left, pred, succ)
        if not left:
            return []
        core = nx.DiGraph()
        core.add_edges_from((u, v) for u in left for v in succ[u] if v in left)
        groups = [sorted(c) for c in nx.strongly_connected_components(core) if len(c) >= 2]
        return sorted(groups)

    # -- pressure (TOC501) --------------------------------------------------------------
    @cached_property
    def pushes(self) -> dict[bool, tuple[dict[str, str], dict[str, str]]]:
        """For each sign, up to two distinct initiatives pushing each node that way.

        `pushes[PLUS]` is the (first, second) pair of label maps for `+`, `pushes[MINUS]` for
        `-`: the same capped search as `two_labels`, over (node, sign) states.
        """
        labels: dict[bool, tuple[dict[str, str], dict[str, str]]] = {
            PLUS: ({}, {}),
            MINUS: ({}, {}),
        }
        if not any(step.link.polarity is Polarity.MINUS for step in self.leads_to):
            # With no `-` link nothing is pushed `-`, so nothing is under conflicting pressure.
            return labels
        succ = self.graph._succ
        queue: deque[tuple[str, bool, str]] = deque()
        for initiative in self.initiatives:
            if _take(*labels[PLUS], initiative, initiative):
                queue.append((initiative, PLUS, initiative))
        pop, push = queue.popleft, queue.append
        while queue:
            node, sign, label = pop()
            same_first, same_second = labels[sign]
            flip_first, flip_second = labels[not sign]
            for other, data in succ[node].items():
                # _take, written out: this loop runs over every edge up to four times.
                if data["plus"]:
                    held = same_first.get(other)
                    if held is None:
                        same_first[other] = label
                        push((other, sign, label))
                    elif held != label and other not in same_second:
                        same_second[other] = label
                        push((other, sign, label))
                if data["minus"]:
                    held = flip_first.get(other)
                    if held is None:
                        flip_first[other] = label
                        push((other, not sign, label))
                    elif held != label and other not in flip_second:
                        flip_second[other] = label
                        push((other, not sign, label))
        return labels

    def pushers(self, node: str, sign: bool) -> list[str]:
        """Up to two distinct initiatives that push `node` with `sign`."""
        first, second = self.pushes[sign]
        found = [first[node]] if node in first else []
        if node in second:
            found.append(second[node])
        return found

    @cached_property
    def under_conflicting_pressure(self) -> set[str]:
        """Nodes one initiative pushes `+` and a different initiative pushes `-`."""
        plus_first, plus_second = self.pushes[PLUS]
        minus_first, minus_second = self.pushes[MINUS]
        return {
            node
            for node, pusher in minus_first.items()
            if node in plus_first
            and (node in plus_second or node in minus_second or plus_first[node] != pusher)
        }

    @cached_property
    def pressure_meetings(self) -> dict[str, tuple[str, str]]:
        """Nodes where opposite pushes from different initiatives meet (TOC501).

        A node qualifies when two different incoming links bring initiative A's `+` and
        initiative B's `-` (A ≠ B), from nodes that are not under conflicting pressure
        themselves; an initiative's own `+` counts as brought by a link of its own. The value
        is one such (A, B) pair to name in the finding.
        """
        conflicted = self.under_conflicting_pressure
        found: dict[str, tuple[str, str]] = {}
        for node in sorted(conflicted):
            brought: dict[bool, list[tuple[str, str]]] = {PLUS: [], MINUS: []}
            if self.nodes[node].kind is Kind.INITIATIVE:
                brought[PLUS].append((OWN_PUSH, node))
            for source, data in self.graph._pred[node].items():
                if source in conflicted:
                    continue
                for sign in (PLUS, MINUS):
                    pushers = self.pushers(source, sign)
                    for link_id, plus in data["links"]:
                        arriving = sign if plus else not sign
                        brought[arriving].extend((link_id, pusher) for pusher in pushers)
            pair = _meeting(brought[PLUS], brought[MINUS])
            if pair is not None:
                found[node] = pair
        return found

    # -- one initiative -----------------------------------------------------------------
    def chains_of(self, initiative: str) -> Chains:
        """The nodes and links on one initiative's chains (empty when it has none)."""
        if initiative not in self.reaches_outcome:
            return Chains(initiative, [], [])
        ahead = reach([initiative], self.graph._succ)
        nodes = [n for n in self.nodes if n in ahead and n in self.reaches_outcome]
        links = [
            step.key
            for step in self.leads_to
            if step.source in ahead and step.target in self.reaches_outcome
        ]
        return Chains(initiative, nodes, links)


def _peel(
    nodes: set[str],
    forward: Mapping[str, Iterable[str]],
    backward: Mapping[str, Mapping[str, Any]],
) -> set[str]:
    """Remove, repeatedly, the nodes of `nodes` with no `backward` neighbour left among them.

    Kahn's algorithm: what remains is what lies on a loop or `forward` of one.
    """
    if len(nodes) == len(backward):
        waiting = {n: len(backward[n]) for n in nodes}
    else:
        waiting = {n: sum(1 for m in backward[n] if m in nodes) for n in nodes}
    queue = [n for n, count in waiting.items() if not count]
    removed = 0
    while queue:
        node = queue.pop()
        removed += 1
        for other in forward[node]:
            if other in waiting:
                waiting[other] -= 1
                if not waiting[other]:
                    queue.append(other)
    if removed == len(nodes):
        return set()
    return {n for n, count in waiting.items() if count}


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


def build_graph(model: TheoryOfChange, as_of: datetime.date | None = None) -> ChainGraph:
    """Build the change-chain graph of a valid model (retired nodes left out)."""
    return ChainGraph(model, as_of)
