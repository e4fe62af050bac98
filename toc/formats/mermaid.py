"""Mermaid flowchart text: a model drawn in three bands, for wikis, docs and pull requests.

Written only: a flowchart cannot carry indicators, evidence or assumptions. Layout:

- a `flowchart TD` titled with the model's title, with subgraphs System, Teachers and
  Students, each holding the nodes of its level in model order;
- nodes keep the model's ids, so that a diff of two exports shows what changed (see
  `mermaid_ids` for the few ids Mermaid cannot read as they are), labelled with their
  own short `label` where they have one and their titles otherwise; initiatives are
  rectangles, changes rounded boxes, outcomes stadiums;
- ``-->`` for `leads_to` links and ``-.->`` for `feedback` links, labelled with their
  `because` cut to 40 characters; a link of polarity ``-`` is labelled ``(−)`` and drawn red;
- retired nodes are faded and dashed.

Label text is quoted and Mermaid's syntax characters in it are written as entity codes
(``"`` becomes ``#34;``), so no title can end a label, start a directive or inject HTML.
"""

from __future__ import annotations

import json
import re

from toc.model import Kind, LinkType, Polarity, TheoryOfChange
from toc.vocabulary import LEVEL_LABELS

__all__ = ["write_mermaid", "mermaid_label", "mermaid_ids"]

_LEVELS = tuple(LEVEL_LABELS.items())  # top to bottom, named as on the map
_SHAPES = {Kind.INITIATIVE: ("[", "]"), Kind.CHANGE: ("(", ")"), Kind.OUTCOME: ("([", "])")}
_BECAUSE_MAX = 40
# Inside quotes Mermaid stops only at `"`, but `#…;` is its entity syntax, `%%{` a directive,
# a backtick a Markdown string, `|` an edge label's end and `<>&` HTML; `;` and braces are
# escaped too so that no label can end a statement or open a block.
_SYNTAX = re.compile(r"""["#&<>`|\\%{};]""")


def mermaid_label(text: str) -> str:
    """Text made safe for a quoted Mermaid label: one line, syntax characters as entities.

    >>> mermaid_label('Say "hi"; <b>now</b>')
    'Say #34;hi#34;#59; #60;b#62;now#60;/b#62;'
    """
    return "".join(
        f"#{ord(ch)};" if _SYNTAX.fullmatch(ch) or not ch.isprintable() else ch
        for ch in " ".join(text.split())
    )


# Mermaid's flowchart grammar rejects an id that is one of its keywords or starts with one
# followed by `-`, `.` or `/` ("end-of-year", "class.size", "style-guide"): its own parser
# tests list these; the rest are statements that would read a bare id as a command.
_KEYWORDS = frozenset(
    {
        "graph",
        "flowchart",
        "subgraph",
        "end",
        "style",
        "linkstyle",
        "classdef",
        "class",
        "interpolate",
        "default",
        "click",
        "call",
        "href",
        "direction",
        "acctitle",
        "accdescr",
    }
)
# The subgraphs of the three bands are named like this in the same namespace as nodes.
_BAND_IDS = frozenset(level.value for level, _name in _LEVELS)
# "--", "-." and ".-" start arrows; an id ending in "-" or "." runs into the arrow after it.
_ARROWISH = re.compile(r"[-.]{2,}|[-.]$")


def _sanitised(node_id: str) -> str:
    """The id as Mermaid can read it: itself, unless it would read as an arrow or keyword."""
    safe = _ARROWISH.sub("_", node_id)
    first_word = re.split(r"[-._]", safe, maxsplit=1)[0]
    if first_word in _KEYWORDS or safe in _BAND_IDS:
        safe = f"n_{safe}"
    return safe


def mermaid_ids(node_ids: list[str]) -> dict[str, str]:
    """Each node id → its Mermaid id: the same id wherever Mermaid can read it.

    An id that Mermaid would read as an arrow or a keyword is changed as little as it can be
    (``end`` → ``n_end``, ``a--b`` → ``a_b``); when two ids would then be written alike, the
    one that sorts later gets ``_2``, ``_3``... Ids Mermaid reads as they are never change,
    so adding a node never renames another that is unlike it.

    >>> mermaid_ids(["grant", "end", "a--b", "a_b", "a..b"])
    {'grant': 'grant', 'end': 'n_end', 'a--b': 'a_b_2', 'a_b': 'a_b', 'a..b': 'a_b_3'}
    """
    ids = {node_id: node_id for node_id in node_ids if _sanitised(node_id) == node_id}
    taken = set(ids)
    for node_id in sorted(set(node_ids) - taken):
        candidate = base = _sanitised(node_id)
        suffix = 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}_{suffix}"
        ids[node_id] = candidate
        taken.add(candidate)
    return {node_id: ids[node_id] for node_id in node_ids}


def _title(text: str) -> str:
    """The title as a YAML double-quoted scalar, with nothing Mermaid could read as syntax."""
    quoted = json.dumps(" ".join(text.split()), ensure_ascii=False)
    return _SYNTAX.sub(lambda m: m[0] if m[0] in '"\\' else f"\\u{ord(m[0]):04x}", quoted)


def _shorten(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def write_mermaid(model: TheoryOfChange) -> bytes:
    """The model as a Mermaid `flowchart TD` (see the module doc), UTF-8 encoded."""
    ids = mermaid_ids([node.id for node in model.nodes])
    # Front matter is YAML, and a JSON string is a valid YAML double-quoted scalar.
    lines = ["---", f"title: {_title(model.title)}", "---", "flowchart TD"]
    for level, name in _LEVELS:
        lines.append(f'  subgraph {level.value}["{name}"]')
        for node in model.nodes:
            if node.level is level:
                start, end = _SHAPES[node.kind]
                text = node.label if node.label is not None else node.title
                lines.append(f'    {ids[node.id]}{start}"{mermaid_label(text)}"{end}')
        lines.append("  end")

    negative = []
    for index, link in enumerate(model.links):
        arrow = "-.->" if link.type is LinkType.FEEDBACK else "-->"
        text = _shorten(link.because or "", _BECAUSE_MAX)
        if link.polarity is Polarity.MINUS:
            text = f"(−) {text}".strip()
            negative.append(str(index))
        label = f'|"{mermaid_label(text)}"|' if text else ""
        lines.append(f"  {ids[link.source]} {arrow}{label} {ids[link.target]}")

    if negative:
        lines.append(f"  linkStyle {','.join(negative)} stroke:#b03a2e,color:#b03a2e")
    retired = [ids[node.id] for node in model.nodes if node.retired]
    if retired:
        lines.append("  classDef retired fill:#f4f4f4,stroke:#aaa,color:#999,stroke-dasharray:4 4")
        lines.append(f"  class {','.join(retired)} retired")
    return ("\n".join(lines) + "\n").encode("utf-8")
