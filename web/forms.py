"""Form fields and toc/1 items, both ways: a node or link as a form shows it, a form as fields.

A form's problems are kept beside the field they are about (`FormState`); the problems of a
rejected write are placed there too (`place_problems`), by the path the core gives each one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from toc.errors import Problem
from toc.model import Kind, Level, LinkType, Measures, Polarity, Status, TheoryOfChange

__all__ = [
    "FormState",
    "node_fields",
    "node_values",
    "link_fields",
    "link_values",
    "place_problems",
    "form_version",
    "choices",
    "differences",
]


@dataclass
class FormState:
    """A form's raw values, its errors by field, and errors that belong to no one field."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _cells(line: str, count: int) -> list[str]:
    """`a | b | c` split into `count` cells; the last one keeps any further bars."""
    cells = [cell.strip() for cell in line.split("|", count - 1)]
    return cells + [""] * (count - len(cells))


def _whole_number(text: str) -> int | None:
    """The whole number a field holds, or None: not negative, no sign, no superscripts.

    `str.isdigit` admits `²`, which `int` refuses; `isdecimal` admits only what `int` reads.

    >>> _whole_number("12"), _whole_number("²"), _whole_number("-1"), _whole_number("")
    (12, None, None, None)
    >>> _whole_number("9" * 5000) is None  # past Python's 4,300-digit limit for int()
    True
    """
    # Past 4,300 digits `int` refuses too: no count in a form is that long.
    return int(text) if text.isdecimal() and len(text) <= 4300 else None


def _or_none(value: str) -> str | None:
    return value or None


NODE_TEXT = ("title", "actor", "description", "form", "function")
MEASURES = tuple(m.value for m in Measures)


def node_fields(state: FormState) -> dict[str, Any]:
    values = state.values
    node: dict[str, Any] = {
        "level": values["level"],
        "kind": values["kind"],
        "status": values["status"] or Status.ACTIVE.value,
    }
    for name in NODE_TEXT:
        node[name] = _or_none(values[name])
    indicators = []
    for number, line in enumerate(_lines(values["indicators"]), start=1):
        name, measures, target, baseline, source, cadence = _cells(line, 6)
        if measures and measures not in MEASURES:
            state.add(
                "indicators",
                f"line {number}: measures {measures!r} is not one of "
                f"{', '.join(MEASURES)} (or leave it empty)",
            )
        indicator = {
            "name": name,
            "measures": _or_none(measures),
            "target": _or_none(target),
            "baseline": _or_none(baseline),
            "source": _or_none(source),
            "cadence": _or_none(cadence),
        }
        indicators.append({k: v for k, v in indicator.items() if v is not None})
    node["indicators"] = indicators or None
    tags = [tag.strip() for tag in values["tags"].split(",") if tag.strip()]
    node["tags"] = tags or None
    return node


def node_values(form: FormData | None, node: dict[str, Any] | None = None) -> dict[str, str]:
    names = ("id", "level", "kind", "status", *NODE_TEXT, "indicators", "tags")
    if form is not None:
        return {name: _text(form, name) for name in names}
    node = node or {}
    values = {name: str(node.get(name) or "") for name in names}
    values["indicators"] = "\n".join(
        " | ".join(
            [
                i.get("name", ""),
                i.get("measures") or "",
                i.get("target") or "",
                i.get("baseline") or "",
                i.get("source") or "",
                i.get("cadence") or "",
            ]
        ).rstrip(" |")
        for i in node.get("indicators", [])
    )
    values["tags"] = ", ".join(node.get("tags", []))
    values["status"] = values["status"] or Status.ACTIVE.value
    return values


def link_fields(state: FormState) -> dict[str, Any]:
    values = state.values
    link: dict[str, Any] = {
        "id": _or_none(values["id"]),
        "from": values["from"],
        "to": values["to"],
        "type": values["type"] or LinkType.LEADS_TO.value,
        "polarity": values["polarity"] or Polarity.PLUS.value,
        "because": _or_none(values["because"]),
    }
    evidence = []
    for number, line in enumerate(_lines(values["evidence"]), start=1):
        citation, tier, url, note = _cells(line, 4)
        entry: dict[str, Any] = {"citation": citation}
        if tier:
            rated = _whole_number(tier)
            if rated is not None and 1 <= rated <= 4:
                entry["tier"] = rated
            else:
                state.add(
                    "evidence",
                    f"line {number}: the tier is 1, 2, 3 or 4 (the ESSA tiers), not {tier!r}",
                )
        if url:
            entry["url"] = url
        if note:
            entry["note"] = note
        evidence.append(entry)
    link["evidence"] = evidence or None
    link["assumptions"] = _lines(values["assumptions"]) or None
    return link


def link_values(form: FormData | None, link: dict[str, Any] | None = None) -> dict[str, str]:
    names = ("id", "from", "to", "type", "polarity", "because", "evidence", "assumptions")
    if form is not None:
        return {name: _text(form, name) for name in names}
    link = link or {}
    values = {name: str(link.get(name) or "") for name in names}
    values["evidence"] = "\n".join(
        " | ".join(
            [
                e.get("citation", ""),
                str(e.get("tier") or ""),
                e.get("url") or "",
                e.get("note") or "",
            ]
        ).rstrip(" |")
        for e in link.get("evidence", [])
    )
    values["assumptions"] = "\n".join(link.get("assumptions", []))
    values["type"] = values["type"] or LinkType.LEADS_TO.value
    values["polarity"] = values["polarity"] or Polarity.PLUS.value
    return values


_PATH = re.compile(r"^(?:nodes|links)\[\d+\]\.([A-Za-z_]+)(?:\[(\d+)\])?")


def place_problems(state: FormState, problems: Iterable[Problem]) -> None:
    """Put each problem of a rejected write beside the field it is about."""
    for problem in problems:
        match = _PATH.match(problem.path)
        if match is None or match.group(1) not in state.values:
            state.general.append(str(problem))
            continue
        name, item = match.group(1), match.group(2)
        prefix = f"line {int(item) + 1}: " if item is not None else ""
        state.add(name, prefix + problem.message)


def form_version(form: FormData) -> int | None:
    value = _text(form, "version")
    return _whole_number(value) if len(value) < 19 else None


def choices(model: TheoryOfChange) -> dict[str, Any]:
    return {
        "levels": [level.value for level in Level],
        "kinds": [kind.value for kind in Kind],
        "statuses": [status.value for status in Status],
        "link_types": [t.value for t in LinkType],
        "polarities": [p.value for p in Polarity],
        "measures": MEASURES,
        "node_options": [(node.id, f"{node.title} ({node.id})") for node in model.nodes],
    }


def _shown(value: Any) -> str:
    """A stored field as the form would show it, to set beside the visitor's own values."""
    if value is None:
        return ""
    return str(value)


def differences(stored: dict[str, str], yours: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"field": name, "stored": _shown(stored.get(name)), "yours": yours[name]}
        for name in yours
        if _shown(stored.get(name)) != yours[name]
    ]
