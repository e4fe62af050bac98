"""GraphML and GEXF interchange, for yEd and Gephi, written and read through networkx.

A model is a `networkx.MultiDiGraph`, since two links may join the same pair of nodes:

- each node is keyed by its id and carries ``label`` (its title, so yEd and Gephi show it;
  in yEd map it to the node label with *Edit > Properties Mapper*), ``level``, ``kind``,
  ``description``, ``actor``, ``form``, ``function``, ``status``, and ``tags`` and
  ``indicators`` as JSON text; and the fields toc 0.2 added: ``toc_label`` (the node's own
  short `label`), ``reach`` (a whole number), ``required`` (a boolean), and ``realizes``,
  ``cost``, ``decision``, ``funding``, ``eligible`` and ``essa_tier`` as JSON text (``cost``
  too, so that one attribute carries 450000 and 450000.5 alike and each comes back as it was);
- each edge is keyed by the link's id (its own or the generated ``FROM->TO``) and carries
  ``link_id`` (its own id only), ``link_type`` (GEXF keeps ``type`` for itself),
  ``polarity``, ``because``, ``lag``, ``evidence`` and ``assumptions`` as JSON text, and
  ``order``, its place in the model's list of links (networkx returns edges grouped by node);
- the model's own fields: in GraphML, graph attributes ``format``, ``model_id``, ``title``,
  ``description``, ``version``, ``scope``, ``org``, ``currency``, and ``checks`` and
  ``designations`` (JSON text); GEXF has no graph attributes, so there they travel as one
  JSON object in ``<meta><description>``, and the graph's name is the title.

Absent fields and empty lists are left out. Reading ignores attributes it does not know, such
as the layout (x, y, size, colour) a tool adds on saving, and turns any malformed file into
`DocumentRejected`; problems carry toc/1 paths, with nodes and links numbered in file order.

Limit: XML 1.0 cannot hold control characters other than tab, line feed and carriage
return, nor U+FFFE and U+FFFF. Writing a model whose text holds one raises `UnwritableText`
(a `ValueError`) naming the field, rather than a file no reader can open.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import networkx as nx
from networkx.readwrite.gexf import GEXFWriter

from toc.document import format_path, parse_document
from toc.errors import DocumentRejected, Problem, UnwritableText
from toc.limits import DEFAULT_LIMITS, Limits, capped, decode_json, over_limit
from toc.model import TheoryOfChange

__all__ = ["write_graphml", "read_graphml", "write_gexf", "read_gexf", "UnwritableText"]

# toc/1 field -> attribute name, for each kind of element; fields in _JSON travel as JSON text.
_NODE_ATTRS = {
    "title": "label",
    "level": "level",
    "kind": "kind",
    "description": "description",
    "actor": "actor",
    "form": "form",
    "function": "function",
    "status": "status",
    "tags": "tags",
    "indicators": "indicators",
    # toc 0.2: the title stays the `label` tools show; a node's own short label is `toc_label`.
    "label": "toc_label",
    "realizes": "realizes",
    "cost": "cost",
    "reach": "reach",
    "decision": "decision",
    "required": "required",
    "funding": "funding",
    "eligible": "eligible",
    "essa_tier": "essa_tier",
}
_LINK_ATTRS = {
    "id": "link_id",
    "type": "link_type",
    "polarity": "polarity",
    "because": "because",
    "evidence": "evidence",
    "assumptions": "assumptions",
    "lag": "lag",
}
_MODEL_ATTRS = {
    "format": "format",
    "id": "model_id",
    "title": "title",
    "description": "description",
    "version": "version",
    "checks": "checks",
    "scope": "scope",
    "org": "org",
    "designations": "designations",
    "currency": "currency",
}
# `cost` travels as JSON text too: one attribute holds whole and fractional amounts alike, and
# 450000 must come back 450000, not 450000.0.
_JSON = {"tags", "indicators", "evidence", "assumptions", "checks"} | {
    "realizes",
    "cost",
    "decision",
    "funding",
    "eligible",
    "essa_tier",
    "designations",
}

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --- writing ----------------------------------------------------------------------------------


def _check_xml_text(value: Any, loc: tuple[str | int, ...] = ()) -> None:
    """Raise `UnwritableText` at the first string (dict keys too) that XML cannot hold."""
    if isinstance(value, str):
        bad = _NOT_XML.search(value)
        if bad:
            raise UnwritableText(
                f"{format_path(loc)}: character U+{ord(bad.group()):04X} cannot be written in "
                "XML 1.0 (GraphML, GEXF); remove it or export as JSON or CSV"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_xml_text(key, loc)
            _check_xml_text(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_xml_text(item, (*loc, index))


def _attributes(fields: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    attributes = {}
    for field, name in names.items():
        value = fields.get(field)
        if value is None or (field in _JSON and (value == [] or value == {})):
            continue
        attributes[name] = json.dumps(value, ensure_ascii=False) if field in _JSON else value
    return attributes


def _graph(model: TheoryOfChange, document: dict[str, Any]) -> nx.MultiDiGraph:
    """The model as a graph; `document` is its toc/1 form, made once by the caller."""
    _check_xml_text(document)
    graph = nx.MultiDiGraph()
    for node in document["nodes"]:
        graph.add_node(node["id"], **_attributes(node, _NODE_ATTRS))
    for order, (link, fields) in enumerate(zip(model.links, document["links"], strict=True)):
        graph.add_edge(
            link.source, link.target, key=link.key, order=order, **_attributes(fields, _LINK_ATTRS)
        )
    return graph


def _xml_bytes(write: Callable[[io.BytesIO], None]) -> bytes:
    buffer = io.BytesIO()
    write(buffer)
    # ElementTree writes a carriage return in element text as it is, and every XML reader
    # turns it into a line feed; a character reference survives. Attribute values are
    # already escaped, so a raw CR can only come from text.
    return buffer.getvalue().replace(b"\r", b"&#13;")


def write_graphml(model: TheoryOfChange) -> bytes:
    """The model as GraphML (see the module doc for the attributes).

    Raises `UnwritableText` when the model holds a character XML 1.0 cannot carry.
    """
    document = model.to_document()
    graph = _graph(model, document)
    graph.graph.update(_attributes(document, _MODEL_ATTRS))
    return _xml_bytes(lambda buffer: nx.write_graphml(graph, buffer))


def write_gexf(model: TheoryOfChange) -> bytes:
    """The model as GEXF 1.2 (see the module doc for the attributes).

    Raises `UnwritableText` when the model holds a character XML 1.0 cannot carry.
    """
    document = model.to_document()
    graph = _graph(model, document)
    graph.graph["name"] = model.title
    for _, _, key, attributes in graph.edges(keys=True, data=True):
        attributes["id"] = key  # the GEXF edge id Gephi shows: the link's id, not a counter
    writer = GEXFWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph(graph)
    meta = writer.xml.find("meta")
    assert meta is not None  # GEXFWriter always starts the document with one
    creator = meta.find("creator")
    if creator is not None:
        creator.text = "toc"
    fields = {
        field: value for field, value in document.items() if field in _MODEL_ATTRS and value != {}
    }
    ET.SubElement(meta, "description").text = json.dumps(fields, ensure_ascii=False)
    return _xml_bytes(writer.write)


# --- reading ----------------------------------------------------------------------------------


def _fields(
    attributes: dict[str, Any], names: dict[str, str], path: str, problems: list[Problem]
) -> dict[str, Any]:
    """The toc/1 fields among an element's attributes; JSON that does not parse is a problem."""
    fields: dict[str, Any] = {}
    for field, name in names.items():
        if name not in attributes:
            continue
        value = attributes[name]
        if field in _JSON and isinstance(value, str):
            where = f"{path}.{field}" if path else field
            try:
                value = decode_json(value, where, f"'{name}' is")
            except DocumentRejected as bad:
                problems.extend(bad.problems)
                continue
        fields[field] = value
    return fields


def _edge_order(edge: tuple[int, tuple[str, str, dict[str, Any]]]) -> tuple[int, int]:
    position, (_, _, attributes) = edge
    order = attributes.get("order")
    # A file from elsewhere may carry no order: its links keep networkx's order, after ours.
    return (0, order) if isinstance(order, int) else (1, position)


def _model(
    graph: nx.Graph,
    model_fields: dict[str, Any],
    problems: list[Problem],
    what: str,
    limits: Limits,
) -> TheoryOfChange:
    """Validate the graph as a toc/1 document; every problem, decoding ones first, at once."""
    if not graph.is_directed():
        raise DocumentRejected(
            [Problem("$", f"an undirected {what} graph: links have a direction")]
        )
    if graph.number_of_nodes() > limits.max_nodes:
        raise over_limit("nodes", "nodes", limits.max_nodes)
    if graph.number_of_edges() > limits.max_links:
        raise over_limit("links", "links", limits.max_links)
    ends = {end for edge in graph.edges() for end in edge}
    nodes: list[dict[str, Any]] = []
    for node_id, attributes in graph.nodes(data=True):
        # networkx adds a bare node for a link end that names no node; the contract says so.
        if not attributes and node_id in ends:
            continue
        fields = _fields(attributes, _NODE_ATTRS, f"nodes[{len(nodes)}]", problems)
        nodes.append({"id": node_id, **fields})
    # read_gexf gives a DiGraph when no two links join the same pair; (u, v, data) suits both.
    edges = sorted(enumerate(graph.edges(data=True)), key=_edge_order)
    links = []
    for index, (_, (source, target, attributes)) in enumerate(edges):
        fields = _fields(attributes, _LINK_ATTRS, f"links[{index}]", problems)
        links.append({"from": source, "to": target, **fields})
    try:
        model = parse_document({**model_fields, "nodes": nodes, "links": links}, limits)
    except DocumentRejected as rejected:
        listed = rejected.problems[: len(rejected.problems) - (1 if rejected.unlisted else 0)]
        raise capped(
            problems + listed, limits, len(problems) + len(listed) + rejected.unlisted
        ) from None
    if problems:
        raise capped(problems, limits)
    return model


def _parsed(what: str, parse: Callable[[], nx.Graph]) -> nx.Graph:
    try:
        return parse()
    except ET.ParseError as bad:
        raise DocumentRejected([Problem("$", f"not valid XML: {bad}")]) from None
    # networkx raises whatever its parser meets on a malformed file (KeyError, ValueError,
    # NetworkXError, ...); a caller must get a rejection, never a traceback.
    except Exception as bad:
        raise DocumentRejected([Problem("$", f"not valid {what}: {bad}")]) from None


def read_graphml(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Read a model from GraphML written by `write_graphml` (or edited in yEd or Gephi)."""
    # Edge ids stay text: as numbers, links `0` and `00` on the same pair would become one.
    graph = _parsed(
        "GraphML",
        lambda: nx.read_graphml(io.BytesIO(data), edge_key_type=str, force_multigraph=True),
    )
    problems: list[Problem] = []
    model_fields = _fields(graph.graph, _MODEL_ATTRS, "", problems)
    return _model(graph, model_fields, problems, "GraphML", limits)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _gexf_model_fields(data: bytes, problems: list[Problem]) -> dict[str, Any]:
    """The model's own fields, which `write_gexf` keeps as JSON in `<meta><description>`."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as bad:
        raise DocumentRejected([Problem("$", f"not valid XML: {bad}")]) from None
    text = next(
        (
            element.text or ""
            for meta in root
            if _local(meta.tag) == "meta"
            for element in meta
            if _local(element.tag) == "description"
        ),
        None,
    )
    try:
        fields = decode_json(text, "meta.description") if text is not None else None
    except DocumentRejected as bad:
        if "JSON nested" in bad.problems[0].message or "digits" in bad.problems[0].message:
            problems.extend(bad.problems)
            return {}
        fields = None
    if not isinstance(fields, dict):
        problems.append(
            Problem(
                "meta.description",
                "expected the model's id, title and other fields as a JSON object",
            )
        )
        return {}
    return fields


def read_gexf(data: bytes, limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Read a model from GEXF written by `write_gexf`."""
    problems: list[Problem] = []
    model_fields = _gexf_model_fields(data, problems)
    graph = _parsed("GEXF", lambda: nx.read_gexf(io.BytesIO(data)))
    return _model(graph, model_fields, problems, "GEXF", limits)
