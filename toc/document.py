"""Reading toc/1 documents: every contract fault found at once, each with its JSON path."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from toc.bulk import gc_paused
from toc.errors import DocumentRejected, Problem
from toc.limits import DEFAULT_LIMITS, Limits, capped, check_counts, decode_json
from toc.model import (
    FORMAT,
    INITIATIVE_ONLY,
    NODE_ID_PATTERN,
    Decision,
    EssaTier,
    Evidence,
    Funding,
    Indicator,
    Kind,
    Level,
    Link,
    Node,
    Observation,
    TheoryOfChange,
    cost_differs,
    funding_total,
    generated_link_id,
)
from toc.suggest import NearestId, did_you_mean, nearest

__all__ = ["parse_document", "load_json", "format_path", "dump_json"]

Loc = tuple[str | int, ...]

_ID_RULE = (
    "use lower-case letters, digits, '-', '_' or '.', starting with a letter or digit, "
    "at most 128 characters"
)
_VALID_ID = re.compile(NODE_ID_PATTERN)
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


# The item each stretch of a path lies in, by the field names along it: what an unknown
# field could have been meant as.
_ITEM_TYPES: dict[tuple[str, ...], type[BaseModel]] = {
    (): TheoryOfChange,
    ("nodes",): Node,
    ("nodes", "indicators"): Indicator,
    ("nodes", "indicators", "observations"): Observation,
    ("nodes", "decision"): Decision,
    ("nodes", "funding"): Funding,
    ("nodes", "essa_tier"): EssaTier,
    ("links",): Link,
    ("links", "evidence"): Evidence,
}
_TYPE_NAMES = {
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


def _field_names(container: Loc) -> list[str]:
    """The fields the document may hold at `container` (a path to an object), as spelt there."""
    item = _ITEM_TYPES.get(tuple(part for part in container if isinstance(part, str)))
    if item is None:
        return []
    return [info.alias or name for name, info in item.model_fields.items()]


def _subject(data: Any, loc: Loc) -> str:
    """The node or link a path lies in, named by its id (`" on node 'x'"`), or `""`.

    The node's or link's own id is not named in a problem with that id: it is the problem.
    """
    if len(loc) < 2 or loc[0] not in ("nodes", "links") or not isinstance(loc[1], int):
        return ""
    items = data.get(str(loc[0]))
    item = items[loc[1]] if type(items) is list and loc[1] < len(items) else None
    if type(item) is not dict or loc[2:] == ("id",):
        return ""
    own_id = item.get("id")
    if loc[0] == "nodes":
        return f" on node {own_id!r}" if type(own_id) is str else ""
    if type(own_id) is str:
        return f" on link {own_id!r}"
    source, target = item.get("from"), item.get("to")
    if own_id is None and type(source) is str and type(target) is str:
        return f" on link {generated_link_id(source, target)!r}"
    return ""


def _message(error: Any, subject: str = "") -> str:
    """A pydantic error told in the document's terms rather than pydantic's.

    `subject` names the node or link the error lies in (`" on node 'x'"`); where a value or
    a field name is misspelt, the message ends with the nearest valid one when one is close.
    """
    kind = error["type"]
    loc = error["loc"]
    field = loc[-1] if loc else ""
    value = error.get("input")
    ctx = error.get("ctx", {})
    if kind == "missing":
        return f"required field is missing{subject}"
    if kind == "extra_forbidden":
        known = _field_names(loc[:-1])
        hint = did_you_mean(str(field), known) or (
            f"; its fields are {', '.join(known)}" if known else ""
        )
        return f"unknown field {field!r}{subject}{hint}"
    if kind in ("enum", "literal_error"):
        expected = ctx.get("expected", "")
        hint = did_you_mean(str(value), re.findall(r"'([^']*)'", expected))
        if loc and loc[0] == "checks":
            return f"unknown setting {value!r}{hint or f'; expected one of {expected}'}"
        return f"unknown {field} {value!r}{subject}{hint or f'; expected {expected}'}"
    if kind == "string_pattern_mismatch" and "realizes" in loc:
        return (
            f"{value!r} is not a reference{subject}: write MODEL:NODE, the id of another model "
            f"and the id of one of its nodes (each: {_ID_RULE})"
        )
    if kind == "string_pattern_mismatch" and field == "currency":
        code = value.strip().upper() if type(value) is str else ""
        close = len(code) == 3 and code.isalpha() and code.isascii()
        hint = f"; did you mean {code!r}?" if close else ""
        return (
            f"{value!r} is not a currency code: three capital letters (ISO 4217), e.g. 'USD'{hint}"
        )
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid id{subject}: {_ID_RULE}"
    if kind == "string_too_short":
        return f"must not be empty{subject}"
    if kind == "string_too_long":
        return f"too long{subject}: {len(value)} characters, at most {ctx.get('max_length')}"
    if kind == "too_long":
        return f"too many items{subject}: at most {ctx.get('max_length')}"
    if kind in ("greater_than_equal", "less_than_equal") and field == "tier":
        return f"tier must be 1, 2, 3 or 4 (the ESSA evidence tiers), got {value!r}{subject}"
    if kind == "value_error":
        said = str(error["msg"]).removeprefix("Value error, ")
        text, hint, rest = said.partition("; did you mean")
        if " is not a lag: " in text:  # the subject before the advice on how to write one
            return text.replace(" is not a lag: ", f" is not a lag{subject}: ", 1) + hint + rest
        return text + subject + hint + rest
    if kind in _TYPE_NAMES:
        return f"expected {_TYPE_NAMES[kind]}, got {_json_type(value)}{subject}"
    return str(error["msg"]) + subject


_TOP_LEVEL_ORDER = {name: rank for rank, name in enumerate(TheoryOfChange.model_fields)}


def _sort_key(loc: Loc) -> tuple[int, int]:
    """Document order: top-level fields as the format lists them, then items by index.

    Problems within one item keep the order they were found in (the sort is stable).
    """
    top = loc[0] if loc else ""
    rank = _TOP_LEVEL_ORDER.get(str(top), len(_TOP_LEVEL_ORDER))
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else -1
    return rank, index


def _indicator_problems(
    node_index: int, node_name: str, indicators: list[Any]
) -> list[tuple[Loc, str]]:
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
                        f"duplicate indicator id {indicator_id!r}{node_name} (first used at "
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
                        f"a second observation for {date}{node_name} (first at "
                        f"observations[{seen_dates[date]}]): at most one per date",
                    )
                )
            else:
                seen_dates[date] = position
    return found


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and value == value and abs(value) != float("inf")


def _node_rule_problems(index: int, node: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Initiative-only fields on another kind of node; a `cost` that is not its funding's sum.

    The same rules as `toc.model.initiative_field_problems`, read from the document as it is,
    so that they are reported beside every other problem of the node.
    """
    kind, node_id = node.get("kind"), node.get("id")
    name = repr(node_id) if type(node_id) is str else f"nodes[{index}]"
    found: list[tuple[Loc, str]] = []
    if kind in (Kind.CHANGE, Kind.OUTCOME):
        for field in INITIATIVE_ONLY:
            if node.get(field) not in (None, []):
                found.append(
                    (
                        ("nodes", index, field),
                        f"{field!r} is for initiatives only, and node {name} is a {kind}",
                    )
                )
        return found
    cost: Any = node.get("cost")
    funding = node.get("funding")
    if kind != Kind.INITIATIVE or not _is_number(cost) or type(funding) is not list or not funding:
        return found
    amounts: list[Any] = [entry.get("amount") if type(entry) is dict else None for entry in funding]
    numbers = all(_is_number(amount) and amount >= 0 for amount in amounts) and cost >= 0
    if numbers and cost_differs(cost, amounts):
        found.append(
            (
                ("nodes", index, "cost"),
                f"cost {cost!r} on node {name} is not the sum of its funding, "
                f"{funding_total(amounts)!r}: when funding is given, cost is its sum (correct "
                "one of them, or leave cost out)",
            )
        )
    return found


def _nearest_code(code: str) -> str:
    """`"; did you mean 'TOC101'?"` for a misspelt check code, judged on its digits.

    Every code starts with TOC, which would make any two codes look alike.
    """
    from toc.checks import catalogue

    # In code order, so that of equally near codes the first is offered, whatever the hashing.
    codes = {known.removeprefix("TOC"): known for known in sorted(catalogue.codes())}
    digits = nearest(code.upper().removeprefix("TOC"), codes)
    return f"; did you mean {codes[digits]!r}?" if digits is not None else ""


def _dangling(loc: Loc, value: str, nearest_id: NearestId) -> list[tuple[Loc, str]]:
    """A link end naming no node, with the nearest id when one is close.

    An end that is not an id at all is reported once, as such, by the model's validation.
    """
    if not _VALID_ID.fullmatch(value):
        return []
    return [(loc, f"no node with id {value!r}{nearest_id.did_you_mean(value)}")]


def _semantic_problems(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """Faults that span items (duplicates, dangling ends) or join fields (an outcome's level)."""
    from toc.checks import catalogue  # the catalogue decides which codes a document may name

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
            found.extend(_node_rule_problems(index, node))
            indicators = node.get("indicators")
            if type(indicators) is list and indicators:
                node_name = f" on node {node_id!r}" if isinstance(node_id, str) else ""
                found.extend(_indicator_problems(index, node_name, indicators))
            if node.get("kind") == Kind.OUTCOME and node.get("level") in (
                Level.SYSTEM,
                Level.TEACHER,
            ):
                found.append(
                    (
                        ("nodes", index, "level"),
                        f"node {node_id!r} is an outcome, a student learning outcome: its "
                        f"level must be 'student', not {node.get('level')!r}",
                    )
                )

    links = data.get("links")
    link_ids: dict[str, int] = {}
    # Ends are only judged against a node list that is there to judge them by.
    known_nodes = node_ids if isinstance(nodes, list) else None
    nearest_id = NearestId(node_ids)
    if isinstance(links, list):
        # This loop runs once per link of a statewide portfolio: kept lean on purpose.
        for index, link in enumerate(links):
            if type(link) is not dict:
                continue
            source, target = link.get("from"), link.get("to")
            source_ok, target_ok = type(source) is str, type(target) is str
            if known_nodes is not None:
                if source_ok and source not in known_nodes:
                    found.extend(_dangling(("links", index, "from"), str(source), nearest_id))
                if target_ok and target not in known_nodes:
                    found.extend(_dangling(("links", index, "to"), str(target), nearest_id))
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
        known = catalogue.codes()
        for code in checks:
            if code not in known:
                hint = _nearest_code(code)
                found.append((("checks", code), f"unknown check code {code!r}{hint}"))
    return found


def _rejected_node_ids(data: dict[str, Any]) -> set[str]:
    """The node ids that are text but not valid ids."""
    nodes = data.get("nodes")
    if type(nodes) is not list:
        return set()
    ids = (node.get("id") for node in nodes if type(node) is dict)
    return {node_id for node_id in ids if type(node_id) is str and not _VALID_ID.fullmatch(node_id)}


def _is_link_end(loc: Loc) -> bool:
    return len(loc) == 3 and loc[0] == "links" and loc[2] in ("from", "to")


def parse_document(data: Any, limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Validate a decoded toc/1 document and return the model.

    Raises `DocumentRejected` listing every problem, in document order, each with its path
    (the first `limits.max_problems` of them, then a line counting the rest); a document
    with more items than `limits` allow is rejected before it is validated.

    >>> doc = {"format": "toc/1", "id": "m", "title": "M", "nodes": [
    ...     {"id": "a", "level": "district", "kind": "change", "title": "A"}]}
    >>> try:
    ...     parse_document(doc)
    ... except DocumentRejected as rejected:
    ...     print(rejected.problems[0])
    nodes[0].level: unknown level 'district' on node 'a'; expected 'system', 'teacher' or 'student'
    """
    if not isinstance(data, dict):
        raise DocumentRejected(
            [Problem("$", f"a toc/1 document is a JSON object, got {_json_type(data)}")]
        )
    check_counts(data, limits)
    located: list[tuple[Loc, str]] = []
    joined: list[tuple[Loc, str]] = []
    model: TheoryOfChange | None = None
    found = 0
    try:
        with gc_paused():
            model = TheoryOfChange.model_validate(data)
    except ValidationError as invalid:
        rejected_ids = _rejected_node_ids(data)
        found = invalid.error_count()
        for error in _first_errors(invalid, data, limits):
            loc = tuple(error["loc"])
            # A wrong value for the `format` literal is reported once, by the semantic pass.
            if loc == ("format",) and error["type"] == "literal_error":
                continue
            # Rules joining a node's fields are reported by the semantic pass, at their paths.
            # (The node's own validator is the only one that fails at the node as a whole.)
            if error["type"] == "value_error" and len(loc) == 2 and loc[0] == "nodes":
                joined.append((loc, _message(error, _subject(data, loc))))
                continue
            # A node's bad id is reported once, at the node, not again at each link using it.
            end = error.get("input")
            if _is_link_end(loc) and type(end) is str and end in rejected_ids:
                continue
            located.append((loc, _message(error, _subject(data, loc))))
    semantic = _semantic_problems(data)
    located.extend(semantic)
    if model is None and not located:
        located = joined  # never a rejection without its reasons
    if located:
        located.sort(key=lambda item: _sort_key(item[0]))
        problems = [Problem(format_path(loc), message) for loc, message in located]
        raise capped(problems, limits, found + len(semantic))
    assert model is not None
    return model


def load_json(text: str | bytes, limits: Limits = DEFAULT_LIMITS) -> TheoryOfChange:
    """Parse toc/1 JSON text; malformed JSON is a rejection like any other, with its position
    (and so is JSON nested too deeply or holding a number too long to read)."""
    with gc_paused():
        data = decode_json(text)
    return parse_document(data, limits)


def _first_errors(invalid: ValidationError, data: Any, limits: Limits) -> list[Any]:
    """pydantic's errors, or, when there are far more than a rejection lists, the errors of a
    prefix of the nodes (or links) large enough to give the first of them in document order:
    listing 400,000 errors would cost seconds and hundreds of megabytes for nothing."""
    if invalid.error_count() <= 2 * limits.max_problems:
        return invalid.errors(include_url=False)
    nodes = data.get("nodes") if type(data.get("nodes")) is list else []
    links = data.get("links") if type(data.get("links")) is list else []
    size = 64
    while True:
        part = dict(data)
        if size < len(nodes):
            part["nodes"], part["links"] = nodes[:size], []
        else:
            part["links"] = links[:size]
        try:
            TheoryOfChange.model_validate(part)
        except ValidationError as some:
            if some.error_count() >= limits.max_problems or size >= max(len(nodes), len(links)):
                return some.errors(include_url=False)
        size *= 4


def dump_json(model: TheoryOfChange) -> str:
    """The model as toc/1 JSON text, ending in a newline."""
    return json.dumps(model.to_document(), indent=2, ensure_ascii=False) + "\n"
