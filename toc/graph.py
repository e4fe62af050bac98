"""A model's change-chain graph for callers outside the checks: pages, the API, notebooks.

It reads the check engine (`toc.engine`), so the map and the checks agree by construction,
and gives the networkx DiGraph — the model's public graph — only when asked for it
(`to_networkx()`), so `toc check` never builds it nor imports networkx.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from toc.engine import MINUS, PLUS, Engine
from toc.model import Link, Node, TheoryOfChange
from toc.progress import today_utc

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["ChainGraph", "Step", "Chains", "build_graph"]


@dataclass(frozen=True)
class Chains:
    """The subgraph of one initiative's chains: the nodes and links that lie on them."""

    initiative: str
    nodes: list[str]
    links: list[str]


class Step(NamedTuple):
    """A link between nodes that are not retired, with its key and ends."""

    link: Link
    key: str
    source: str
    target: str
    because: bool


class ChainGraph:
    """A model's graph: nodes that are not retired, and the links between them.

    `reaches_outcome`, `initiatives`, `outcomes` and `chains_of` answer in ids; `engine`
    is the check engine underneath, and `graph` (or `to_networkx()`) the networkx DiGraph.
    """

    def __init__(self, model: TheoryOfChange, *, as_of: datetime.date | None = None):
        self.model = model
        self.engine = Engine(model, as_of=as_of or today_utc())

    @cached_property
    def nodes(self) -> dict[str, Node]:
        return self.engine.nodes

    @cached_property
    def steps(self) -> list[Step]:
        """Every link between nodes that are not retired (feedback too), in document order."""
        engine = self.engine
        return [
            Step(link, engine.key(k), link.source, link.target, engine.link_because[k])
            for k, link in enumerate(engine.link)
        ]

    @cached_property
    def leads_to(self) -> list[Step]:
        steps = self.steps
        return [steps[k] for k in self.engine.leads_to]

    @cached_property
    def initiatives(self) -> list[str]:
        ids = self.engine.ids
        return [ids[i] for i in self.engine.initiatives]

    @cached_property
    def outcomes(self) -> list[str]:
        ids = self.engine.ids
        return [ids[i] for i in self.engine.outcomes]

    @cached_property
    def reaches_outcome(self) -> set[str]:
        """Nodes from which some outcome can be reached (outcomes themselves included)."""
        ids = self.engine.ids
        return {ids[i] for i, hit in enumerate(self.engine.reaches_outcome) if hit}

    def chains_of(self, initiative: str) -> Chains:
        """The nodes and links on one initiative's chains (empty when it has none)."""
        engine = self.engine
        number = engine.index.get(initiative)
        if number is None:
            return Chains(initiative, [], [])
        nodes, links = engine.chain_of(number)
        return Chains(initiative, [engine.ids[i] for i in nodes], [engine.key(k) for k in links])

    @cached_property
    def graph(self) -> nx.DiGraph:
        return self.to_networkx()

    def to_networkx(self) -> nx.DiGraph:
        """The `leads_to` links as a networkx DiGraph, parallel links merged into one edge.

        An edge has `because` if any of its links does, `tier`, the best evidence tier among
        them (None when unrated), `plus` and `minus` for the polarities it carries, and
        `links`, each link's id and whether it is `+`.

        >>> from toc.document import parse_document
        >>> model = parse_document({"id": "m", "title": "M", "nodes": [
        ...     {"id": "a", "level": "system", "kind": "initiative", "title": "A"},
        ...     {"id": "b", "level": "student", "kind": "outcome", "title": "B"}],
        ...     "links": [{"from": "a", "to": "b", "polarity": "-"}]})
        >>> build_graph(model).to_networkx().edges["a", "b"]["minus"]
        True
        """
        import networkx as nx  # only callers that ask for the public graph pay for networkx

        engine = self.engine
        graph: nx.DiGraph = nx.DiGraph()
        graph.add_nodes_from(engine.ids)
        ids, plus, tiers = engine.ids, engine.link_plus, engine.edge_tier
        for edge, first in enumerate(engine.edge_link):
            sign = engine.edge_sign[edge]
            graph.add_edge(
                ids[engine.link_source[first]],
                ids[engine.link_target[first]],
                because=engine.edge_because[edge],
                tier=tiers[edge] or None,
                plus=bool(sign & PLUS),
                minus=bool(sign & MINUS),
                links=[(engine.key(k), plus[k]) for k in engine.links_of(edge)],
            )
        return graph


def build_graph(model: TheoryOfChange, *, as_of: datetime.date | None = None) -> ChainGraph:
    """Build the change-chain graph of a valid model (retired nodes left out)."""
    return ChainGraph(model, as_of=as_of)
