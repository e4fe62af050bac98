"""Reading toc/1 documents: every contract fault found at once, each with its JSON path."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from toc.bulk import gc_paused
from toc.errors import DocumentRejected, Problem
from toc.model import FORMAT, Kind, Level, TheoryOfChange

__all__ = ["parse_document", "load_json", "format_path", "dump_json"]

Loc = tuple[str | int, ...]

_ID_RULE = (
    "use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit, "
    "at most 128 characters"
)
_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "true/false",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def format_path(loc: Iterable[str | int]) -> str:
    """`('nodes', 1, 'id')` → `nodes[1].id`; the document itself is `$`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "$"


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _message(error: Any) -> str:
    """A pydantic error told in the document's terms rather than pydantic's."""
    kind = error["type"]
    loc = error["loc"]
    field = loc[-1] if loc else ""
    value = error.get("input")
    ctx = error.get("ctx", {})
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return f"unknown field '{field}'"
    if kind in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        if loc and loc[0] == "checks":
            return f"unknown setting {value!r}; expected one of {expected}"
        return f"unknown {field} {value!r}; expected {expected}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid id: {_ID_RULE}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"too long: {len(value)} characters, at most {ctx.get('max_length')}"
    if kind == "too_long":
        return f"too many items: at most {ctx.get('max_length')}"
    if kind in ("greater_than_equal", "less_than_equal") and field == "tier":
        return f"tier must be 1, 2, 3 or 4 (the ESSA evidence tiers), got {value!r}"
    type_names = {
        "string_type": "a string",
        "int_type": "a whole number",
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "list_type": "an array",
        "dict_type": "an object",
        "model_type": "an object",
        "model_attributes_type": "an object",
        "bool_type": "true or false",
    }
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in type_names:
        return f"expected {type_names[kind]}, got {_json_type(value)}"
    return str(error["msg"])


_TOP_LEVEL_ORDER = {name: rank for rank, name in enumerate(TheoryOfChange.model_fields)}


def _sort_key(loc: Loc) -> tuple[int, int]:
    """Document order: top-level fields as the format lists them, then items by index.

    Problems within one item keep the order they were found in (the sort is stable).
    """
    top = loc[0] if loc else ""
    rank = _TOP_LEVEL_ORDER.get(str(top), len(_TOP_LEVEL_ORDER))
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
    return rank, index


def _indicator_problems(node_index: int, indicators: list[Any]) -> list[tuple[Loc, str]]:
    """Indicator ids unique within their node; at most one observation per date."""
    found: list[tuple[Loc, str]] = []
    seen_ids: dict[str, int] = {}
    for index, indicator in enumerate(indicators):
        if type(indicator) is not dict:
            continue
        where: Loc = ("nodes", node_index, "indicators", index)
        indicator_id = indicator.get("id")
        if type(indicator_id) is str:
            if indicator_id in seen_ids:
                found.append(
                    (
                        (*where, "id"),
                        f"duplicate indicator id {indicator_id!r} in this node (first used at "
                        f"indicators[{seen_ids[indicator_id]}])",
                    )
                )
            else:
                seen_ids[indicator_id] = index
        observations = indicator.get("observations")
        if type(observations) is not list:
            continue
        seen_dates: dict[str, int] = {}
        for position, observation in enumerate(observations):
            date = observation.get("date") if type(observation) is dict else None
            if type(date) is not str:
                continue
            if date in seen_dates:
                found.append(
                    (
                        (*where, "observations", position, "date"),
                        f"a second observation for {date} (first at "
                        f"observations[{seen_dates[date]}]): at most one per date",
                    )
                )
            else:
                seen_dates[date] = position
    return found


def _semantic_problems(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Faults that span items (duplicates, dangling ends) or join fields (an outcome's level)."""
    from toc.checks import registry  # the catalogue decides which codes a document may name

    found: list[tuple[Loc, str]] = []

    fmt = data.get("format", FORMAT)
    # Any other value, a string or not, is reported here once (the literal's error is dropped).
    if fmt != FORMAT:
        found.append((("format",), f"unsupported format {fmt!r}; expected {FORMAT!r}"))

    nodes = data.get("nodes", [])
    node_ids: dict[str, int] = {}
    if isinstance(nodes, list):
        for index, node in enumerate(nodes):
            if not isinstance(node, dict):
                continue
            node_id = node.get("id")
            if isinstance(node_id, str):
                if node_id in node_ids:
                    found.append(
                        (
                            ("nodes", index, "id"),
                            f"duplicate node id {node_id!r} (first used at "
                            f"nodes[{node_ids[node_id]}])",
                        )
                    )
                else:
                    node_ids[node_id] = index
            indicators = node.get("indicators")
            if type(indicators) is list and indicators:
                found.extend(_indicator_problems(index, indicators))
            if node.get("kind") == Kind.OUTCOME and node.get("level") in (
                Level.SYSTEM,
                Level.TEACHER,
            ):
                found.append(
                    (
                        ("nodes", index, "level"),
                        f"an outcome is a student learning outcome: its level must be "
                        f"'student', not {node.get('level')!r}",
                    )
                )

    links = data.get("links")
    link_ids: dict[str, int] = {}
    # Ends are only judged against a node list that is there to judge them by.
    known_nodes = node_ids if isinstance(nodes, list) else None
    if isinstance(links, list):
        # This loop runs once per link of a statewide portfolio: kept lean on purpose.
        for index, link in enumerate(links):
            if type(link) is not dict:
                continue
            source, target = link.get("from"), link.get("to")
            source_ok, target_ok = type(source) is str, type(target) is str
            if known_nodes is not None:
                if source_ok and source not in known_nodes:
                    found.append((("links", index, "from"), f"no node with id {source!r}"))
                if target_ok and target not in known_nodes:
                    found.append((("links", index, "to"), f"no node with id {target!r}"))
            if source_ok and source == target:
                found.append(
                    (("links", index, "to"), f"a link cannot join a node to itself ({source!r})")
                )
            own_id = link.get("id")
            if own_id is None and source_ok and target_ok:
                link_id, generated = f"{source}->{target}", True
            elif type(own_id) is str:
                link_id, generated = own_id, False
            else:
                continue
            if link_id in link_ids:
                hint = (
                    " (generated from from/to: links that join the same pair need ids of their own)"
                    if generated
                    else ""
                )
                found.append(
                    (
                        ("links", index, "id"),
                        f"duplicate link id {link_id!r}{hint}; first used at "
                        f"links[{link_ids[link_id]}]",
                    )
                )
            else:
                link_ids[link_id] = index

    checks = data.get("checks")
    if isinstance(checks, dict):
        known = registry.codes()
        for code in checks:
            if code not in known:
                found.append((("checks", code), f"unknown check code {code!r}"))
    return found


def parse_document(data: Any) -> TheoryOfChange:
    """Validate a decoded toc/1 document and return the model.

    Raises `DocumentRejected` listing every problem, in document order, each with its path.

    >>> doc = {"format": "toc/1", "id": "m", "title": "M", "nodes": [
    ...     {"id": "a", "level": "district", "kind": "change", "title": "A"}]}
    >>> try:
    ...     parse_document(doc)
    ... except DocumentRejected as rejected:
    ...     print(rejected.problems[0])
    nodes[0].level: unknown level 'district'; expected 'system', 'teacher' or 'student'
    """
    if not isinstance(data, dict):
        raise DocumentRejected(
            [Problem("$", f"a toc/1 document is a JSON object, got {_json_type(data)}")]
        )
    located: list[tuple[Loc, str]] = []
    model: TheoryOfChange | None = None
    try:
        with gc_paused():
            model = TheoryOfChange.model_validate(data)
    except ValidationError as invalid:
        for error in invalid.errors():
            loc = tuple(error["loc"])
            # A wrong value for the `format` literal is reported once, by the semantic pass.
            if loc == ("format",) and error["type"] == "literal_error":
                continue
            located.append((loc, _message(error)))
    located.extend(_semantic_problems(data))
    if located:
        located.sort(key=lambda item: _sort_key(item[0]))
        raise DocumentRejected([Problem(format_path(loc), message) for loc, message in located])
    assert model is not None
    return model


def load_json(text: str | bytes) -> TheoryOfChange:
    """Parse toc/1 JSON text; malformed JSON is a rejection like any other, with its position."""
    try:
        with gc_paused():
            data = json.loads(text)
    except json.JSONDecodeError as bad:
        raise DocumentRejected(
            [Problem("$", f"not valid JSON: {bad.msg} at line {bad.lineno}, column {bad.colno}")]
        ) from None
    except UnicodeDecodeError as bad:
        raise DocumentRejected([Problem("$", f"not UTF-8 text: {bad.reason}")]) from None
    return parse_document(data)


def dump_json(model: TheoryOfChange) -> str:
    """The model as toc/1 JSON text, ending in a newline."""
    return json.dumps(model.to_document(), indent=2, ensure_ascii=False) + "\n"
