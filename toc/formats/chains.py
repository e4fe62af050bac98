"""The `chains` sheet: a logic model as districts keep it, one chain per row, left to right.

Columns (SPEC §2): ``initiative, because 1, system change, because 2, teacher change,
because 3, student change, because 4, outcome``. Each row names titles; a change column may
be empty (the chain skips it); ``because N`` is the mechanism of the step out of the column
before it (when that column is empty, of the step out of the last title before it). Titles
equal after trimming and ignoring case share one node; one title in two columns is a problem.
A title that a ``nodes`` sheet beside it holds is that node; any other becomes a node whose
id is made from its title (`toc.slugs.slug_from_title`) and whose level and kind come from its
column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toc.limits import Limits
from toc.slugs import slug_from_title

__all__ = ["CHAIN_COLUMNS", "read_chains", "Chains"]

# Title columns with the level and kind of the nodes they name, and the because columns.
CHAIN_COLUMNS: dict[str, tuple[str, str] | None] = {
    "initiative": ("system", "initiative"),
    "because 1": None,
    "system change": ("system", "change"),
    "because 2": None,
    "teacher change": ("teacher", "change"),
    "because 3": None,
    "student change": ("student", "change"),
    "because 4": None,
    "outcome": ("student", "outcome"),
}


@dataclass
class Chains:
    """What a chains sheet adds: new nodes and links, the rows they came from, problems."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    node_rows: list[int] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    link_rows: list[int] = field(default_factory=list)
    # (row, column index or None, message)
    problems: list[tuple[int, int | None, str]] = field(default_factory=list)


def _key(title: str) -> str:
    return " ".join(title.split()).casefold()


def read_chains(worksheet: Any, nodes: list[dict[str, Any]], limits: Limits) -> Chains:
    """The nodes and links a chains sheet writes; `nodes` are those of the nodes sheet."""
    from toc.formats.xlsx import sheet_rows

    found = Chains()
    rows = sheet_rows(worksheet, limits.max_links, "chain rows")
    _, header = next(rows)
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        word = " ".join(str(name or "").split()).lower()
        if not word:
            continue
        if word not in CHAIN_COLUMNS:
            found.problems.append(
                (1, index, f"unknown column {word!r}; expected {', '.join(CHAIN_COLUMNS)}")
            )
        elif word in positions:
            found.problems.append((1, index, f"column {word!r} given more than once"))
        else:
            positions[word] = index
    ordered = [name for name in CHAIN_COLUMNS if name in positions]
    existing = {
        _key(node["title"]): node["id"]
        for node in nodes
        if isinstance(node.get("title"), str) and isinstance(node.get("id"), str)
    }
    taken = {node["id"] for node in nodes if isinstance(node.get("id"), str)}
    made: dict[str, str] = {}  # title key → the id made for it
    placed: dict[str, tuple[str, int]] = {}  # title key → (its column, the row it is first in)
    steps: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for number, values in rows:
        chain: list[tuple[str, int]] = []  # (node id, column index)
        because: str | None = None
        for name in ordered:
            index = positions[name]
            value = values[index] if index < len(values) else None
            text = "" if value is None else " ".join(str(value).split())
            if CHAIN_COLUMNS[name] is None:
                if text and chain and because is None:
                    because = text
                continue
            if not text:
                continue
            key = _key(text)
            if key in placed and placed[key][0] != name:
                column, first = placed[key]
                found.problems.append(
                    (
                        number,
                        index,
                        f"{text!r} is in the {column!r} column at row {first} and in "
                        f"{name!r} here: one title, one place in the chain",
                    )
                )
                continue
            placed.setdefault(key, (name, number))
            if key in existing:
                node_id = existing[key]
            elif key in made:
                node_id = made[key]
            else:
                level, kind = CHAIN_COLUMNS[name]  # type: ignore[misc]
                node_id = made[key] = slug_from_title(text, taken)
                taken.add(node_id)
                found.nodes.append({"id": node_id, "level": level, "kind": kind, "title": text})
                found.node_rows.append(number)
            if chain:
                _step(found, steps, chain[-1][0], node_id, because, number, index)
            chain.append((node_id, index))
            because = None
        if len(chain) == 1:
            found.problems.append((number, chain[0][1], "a chain needs two titles or more"))
    return found


def _step(
    found: Chains,
    steps: dict[tuple[str, str], tuple[int, dict[str, Any]]],
    source: str,
    target: str,
    because: str | None,
    number: int,
    index: int,
) -> None:
    if source == target:
        found.problems.append((number, index, "a step from a title to itself"))
        return
    pair = (source, target)
    if pair in steps:
        first, known = steps[pair]
        if because and known.get("because") and known["because"] != because:
            found.problems.append(
                (
                    number,
                    index,
                    f"the step {source} → {target} has another because at row {first}: "
                    "give one mechanism per step",
                )
            )
        elif because:
            known["because"] = because
        return
    link: dict[str, Any] = {"from": source, "to": target}
    if because:
        link["because"] = because
    steps[pair] = (number, link)
    found.links.append(link)
    found.link_rows.append(number)
